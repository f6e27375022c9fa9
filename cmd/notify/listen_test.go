package notify

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/bokunotify"
	"github.com/bokuctl/bokuctl/pkg/output"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

const testNotification = `<refund-notification><refund><result status="OK"><reason-code>0</reason-code><message>ok</message><retriable>false</retriable></result><refund-status>success</refund-status><refund-id>rf-1</refund-id><merchant-id>m1</merchant-id><charge-id>ch-1</charge-id><currency>GBP</currency><refund-amount>1.00</refund-amount><type>refund</type></refund></refund-notification>`

func testReceiver(t *testing.T, seenPath string) (*receiver, *bytes.Buffer) {
	t.Helper()
	var out, errOut bytes.Buffer
	ios := &output.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	f := cmdutil.NewFactory(ios, func(string) string { return "" })
	p, err := output.NewPrinter(ios, output.FormatTable, "")
	if err != nil {
		t.Fatal(err)
	}
	f.Printer = p
	seen, err := openSeen(seenPath, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	keys := bokunotify.Keys{MerchantID: "m1", KeyID: "k1", Key: []byte("secret"), Skew: 5 * time.Minute}
	return newReceiver(f, keys, "", http.DefaultClient, nil, seen), &out
}

func signedPost(t *testing.T, url string) *http.Response {
	t.Helper()
	params, err := sign.Sign(sign.Message{Method: "POST", Target: "/", Headers: []sign.Header{{Name: "Content-Type", Value: "application/xml"}}, Body: []byte(testNotification)},
		[]byte("secret"), "m1", "k1", []string{"Content-Type"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", url, strings.NewReader(testNotification))
	req.Header.Set("Content-Type", "application/xml")
	req.Header.Set("Authorization", params.String())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// A client that sends its body too slowly is dropped after ReadTimeout,
// and the listener still answers a normal notification.
func TestSlowBodyIsDropped(t *testing.T) {
	oldHeader, oldRead := readHeaderTimeout, readTimeout
	readHeaderTimeout, readTimeout = 200*time.Millisecond, 300*time.Millisecond
	defer func() { readHeaderTimeout, readTimeout = oldHeader, oldRead }()
	recv, _ := testReceiver(t, "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := newServer(recv)
	go server.Serve(ln)
	defer server.Close()

	var slow []net.Conn
	for range 20 {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: 100000\r\n\r\n<refund")
		slow = append(slow, conn)
	}
	for _, conn := range slow {
		conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		start := time.Now()
		data, err := io.ReadAll(conn)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("a slow client was not dropped after %v", time.Since(start))
		}
		if bytes.Contains(data, []byte("<result status=\"OK\">")) {
			t.Fatalf("a partial body was acknowledged: %s", data)
		}
	}
	resp := signedPost(t, "http://"+ln.Addr().String()+"/")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`<result status="OK"><reason-code>0</reason-code>`)) {
		t.Fatalf("normal notification: %d %s", resp.StatusCode, body)
	}
	if server.IdleTimeout == 0 || server.WriteTimeout == 0 || server.MaxHeaderBytes == 0 {
		t.Errorf("server limits: %+v", server)
	}
}

// A body over the limit is refused in Boku's shape, not retriable.
func TestLargeBodyIsRefused(t *testing.T) {
	recv, _ := testReceiver(t, "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := newServer(recv)
	go server.Serve(ln)
	defer server.Close()
	resp, err := http.Post("http://"+ln.Addr().String()+"/", "application/xml", bytes.NewReader(make([]byte, maxBodyBytes+1)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte(`<reason-code>43</reason-code><message>Invalid request: body too large</message><retriable>false</retriable>`)) {
		t.Fatalf("large body: %d %s", resp.StatusCode, body)
	}
}

// The seen record is kept bounded: entries past their window expire on
// load, legacy ones are kept longer.
func TestSeenStoreExpires(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seen.json")
	now := time.Unix(1800000000, 0)
	s, err := openSeen(path, now)
	if err != nil {
		t.Fatal(err)
	}
	s.put("old", seenEntry{At: now.Add(-26 * time.Hour).Unix(), Delivered: true}, now.Add(-26*time.Hour))
	s.put("legacy", seenEntry{At: now.Add(-26 * time.Hour).Unix(), Legacy: true, Delivered: true}, now.Add(-26*time.Hour))
	s.put("new", seenEntry{At: now.Unix()}, now)
	s, err = openSeen(path, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.get("old"); ok {
		t.Error("an entry past the 25-hour window was kept")
	}
	if _, ok := s.get("legacy"); !ok {
		t.Error("a legacy entry within 30 days was dropped")
	}
	if _, ok := s.get("new"); !ok {
		t.Error("a new entry was dropped")
	}
	os.WriteFile(path, []byte("junk"), 0o600)
	if _, err := openSeen(path, now); err == nil || !strings.Contains(err.Error(), "move it aside") {
		t.Errorf("junk record: %v", err)
	}
}
