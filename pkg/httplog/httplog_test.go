package httplog

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func client(out io.Writer, maxBody int, mask func([]byte) []byte) *http.Client {
	return &http.Client{Transport: &Transport{Base: http.DefaultTransport, Out: out, Now: time.Now, MaxBody: maxBody, MaskBody: mask}}
}

func TestSmallBodyLoggedWhole(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "{\"ok\":true}\n")
	}))
	defer srv.Close()
	var out bytes.Buffer
	resp, err := client(&out, 0, nil).Post(srv.URL, "application/json", strings.NewReader(`{"amount":1}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "{\"ok\":true}\n" {
		t.Errorf("client read %q", body)
	}
	log := out.String()
	for _, want := range []string{"> {\"amount\":1}\n", "< {\"ok\":true}\n"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "truncated") {
		t.Errorf("small body reported as truncated:\n%s", log)
	}
}

func TestLongBodyLoggedAsPrefixClientReadsAll(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef\n"), 1000) // 17000 bytes
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
		w.Write(payload)
	}))
	defer srv.Close()
	var out bytes.Buffer
	resp, err := client(&out, 1000, nil).Post(srv.URL, "text/plain", bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !bytes.Equal(body, payload) {
		t.Fatalf("client read %d bytes (err %v), want all %d", len(body), err, len(payload))
	}
	log := out.String()
	for _, want := range []string{
		"> [body truncated: first 1000 of 17000 bytes logged]\n",
		"< [body truncated: first 1000 of 17000 bytes logged]\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if n := strings.Count(log, "0123456789abcdef"); n > 2*(1000/17+1) {
		t.Errorf("log holds %d lines of the body, want at most a prefix of each", n)
	}
}

func TestLongMaskedBodyNotLogged(t *testing.T) {
	secret := `{"cardNumber":"4111111111111111","pad":"` + strings.Repeat("x", 5000) + `"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, secret)
	}))
	defer srv.Close()
	var out bytes.Buffer
	mask := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("4111111111111111"), []byte("****")) }
	resp, err := client(&out, 100, mask).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != secret {
		t.Errorf("client read %d bytes, want %d", len(body), len(secret))
	}
	if strings.Contains(out.String(), "4111") {
		t.Errorf("log shows an unmasked prefix:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "not logged: over the 100-byte debug limit") {
		t.Errorf("log lacks the size line:\n%s", out.String())
	}
}

// A 200 MiB body and a gzip bomb (1 MiB that unzips to 1 GiB) cost the log
// no more than its limit: the client's own reading decides the rest.
func TestHugeBodiesBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 200 MiB")
	}
	zero := make([]byte, 1<<20)
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	for i := 0; i < 1024; i++ {
		zw.Write(zero)
	}
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/gz" {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(200<<20))
		for i := 0; i < 200; i++ {
			w.Write(zero)
		}
	}))
	defer srv.Close()
	for _, tc := range []struct{ path, size string }{
		{"/big", "of 209715200 bytes logged]"},
		{"/gz", "of more than 65536 bytes logged]"},
	} {
		var out bytes.Buffer
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		resp, err := client(&out, 0, nil).Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		// The client reads all of the plain body; of the bomb, what a
		// client with a 1 MiB cap reads.
		limit := int64(1 << 20)
		if tc.path == "/big" {
			limit = 200 << 20
		}
		h := sha256.New()
		n, err := io.Copy(h, io.LimitReader(resp.Body, limit))
		resp.Body.Close()
		runtime.ReadMemStats(&after)
		if err != nil || n != limit {
			t.Errorf("%s: client read %d bytes (err %v), want %d", tc.path, n, err, limit)
		}
		if grown := after.TotalAlloc - before.TotalAlloc; grown > 16<<20 {
			t.Errorf("%s: allocated %d MiB, want under 16", tc.path, grown>>20)
		}
		if out.Len() > 80<<10 {
			t.Errorf("%s: logged %d bytes, want about 64 KiB", tc.path, out.Len())
		}
		if !strings.Contains(out.String(), "< [body truncated: first 65536 "+tc.size) {
			t.Errorf("%s: log lacks the size line %q", tc.path, tc.size)
		}
	}
}
