package sign

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The expected signatures below were computed independently with
// `openssl dgst -sha256 -hmac test-secret-key` over the message text.
const testKey = "test-secret-key"

func echoRequest() Message {
	return Message{
		Method:  "POST",
		Target:  "/test/echo?foo=bar&hoge=piyo",
		Headers: []Header{{"Content-Type", "text/xml; charset=utf-8"}, {"X-Other", "x"}},
		Body:    []byte("<xml/>"),
	}
}

func TestSignRequestVector(t *testing.T) {
	params, err := Sign(echoRequest(), []byte(testKey), "examplemerchant", "123A", []string{"Content-Type"}, time.Unix(1401143938, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := "2/HMAC_SHA256(H+SHA256(E)) partner-id=examplemerchant, key-id=123A, signed-headers=Content-Type, " +
		"timestamp=1401143938, signature=3695819f65f080499aab14f17906ca00b71a047ddf9042da12c76d84b72510a5"
	if got := params.String(); got != want {
		t.Fatalf("header\n got %s\nwant %s", got, want)
	}
	message, _ := MessageToSign(echoRequest(), []string{"Content-Type"}, "1401143938")
	wantMessage := "POST /test/echo?foo=bar&hoge=piyo\nContent-Type: text/xml; charset=utf-8\n" +
		"6eb820e0f9762c611c2a77189f686afeca64dfb212e023017e0346e7ab826c39\n1401143938"
	if message != wantMessage {
		t.Fatalf("message\n got %q\nwant %q", message, wantMessage)
	}
}

func TestSignNoBodyNoHeadersVector(t *testing.T) {
	// A response with no body and no signed headers: "\n" + timestamp.
	params, err := Sign(Message{}, []byte(testKey), "p", "k", nil, time.Unix(1401143938, 0))
	if err != nil {
		t.Fatal(err)
	}
	if params.Signature != "5ac5f7bad6f1dcfed80454de3c6af50575b484af7d2cded18e9de519f15057ee" {
		t.Fatalf("signature %s", params.Signature)
	}
	if strings.Contains(params.String(), "signed-headers") {
		t.Fatal("no signed-headers parameter expected")
	}
}

func TestSignResponseVector(t *testing.T) {
	m := Message{Headers: []Header{{"content-type", "  text/xml;charset=utf-8 "}}}
	params, err := Sign(m, []byte(testKey), "p", "k", []string{"Content-Type"}, time.Unix(1402300605, 0))
	if err != nil {
		t.Fatal(err)
	}
	if params.Signature != "221c806ee675d2d213f288568fa530d72b9c7e30b7b9507b2ce668a12c2b08a3" {
		t.Fatalf("signature %s", params.Signature)
	}
}

func keys(partner, key string) ([]byte, error) {
	if partner == "examplemerchant" && key == "123A" {
		return []byte(testKey), nil
	}
	return nil, errors.New("unknown key " + partner + "/" + key)
}

func TestVerify(t *testing.T) {
	now := time.Unix(1401143938, 0)
	params, _ := Sign(echoRequest(), []byte(testKey), "examplemerchant", "123A", []string{"Content-Type"}, now)
	header := params.String()
	if _, err := Verify(echoRequest(), header, keys, now.Add(299*time.Second), DefaultSkew); err != nil {
		t.Fatalf("valid signature rejected: %v", err)
	}
	// Parameter order is free.
	reordered := Scheme + " signature=" + params.Signature + ", timestamp=1401143938, signed-headers=Content-Type, key-id=123A, partner-id=examplemerchant"
	if _, err := Verify(echoRequest(), reordered, keys, now, DefaultSkew); err != nil {
		t.Fatalf("reordered parameters rejected: %v", err)
	}

	tamper := map[string]func(m *Message){
		"method":        func(m *Message) { m.Method = "PUT" },
		"path":          func(m *Message) { m.Target = "/test/echo2?foo=bar&hoge=piyo" },
		"query":         func(m *Message) { m.Target = "/test/echo?foo=baz&hoge=piyo" },
		"signed header": func(m *Message) { m.Headers[0].Value = "text/xml;charset=utf-8" },
		"body":          func(m *Message) { m.Body = []byte("<xml />") },
		"no body":       func(m *Message) { m.Body = nil },
		"missing header": func(m *Message) {
			m.Headers = m.Headers[1:]
		},
	}
	for name, change := range tamper {
		m := echoRequest()
		change(&m)
		if _, err := Verify(m, header, keys, now, DefaultSkew); err == nil {
			t.Errorf("tampered %s accepted", name)
		}
	}
	// An unsigned header may change.
	m := echoRequest()
	m.Headers[1].Value = "changed"
	if _, err := Verify(m, header, keys, now, DefaultSkew); err != nil {
		t.Errorf("unsigned header change rejected: %v", err)
	}

	bad := map[string]string{
		"timestamp":   strings.Replace(header, "timestamp=1401143938", "timestamp=1401143939", 1),
		"signature":   strings.Replace(header, params.Signature[:4], "0000", 1),
		"key id":      strings.Replace(header, "key-id=123A", "key-id=999", 1),
		"upper hex":   strings.Replace(header, params.Signature, strings.ToUpper(params.Signature), 1),
		"no scheme":   strings.TrimPrefix(header, Scheme+" "),
		"empty":       "",
		"dup param":   header + ", key-id=999", // the later one wins, as in Boku's parser
		"missing sig": strings.Split(header, ", signature=")[0],
	}
	for name, h := range bad {
		if _, err := Verify(echoRequest(), h, keys, now, DefaultSkew); err == nil {
			t.Errorf("bad %s accepted", name)
		}
	}
	// What Boku's own parser accepts (boku-http-auth's
	// AuthorizationHeader): white space other than one space after the
	// scheme, a segment that is not name=value, an empty value, a
	// duplicate (the later wins).
	lenient := map[string]string{
		"tab after scheme": strings.Replace(header, Scheme+" ", Scheme+"\t", 1),
		"trailing junk":    header + ", junk",
		"empty value":      header + ", note=",
		"duplicate":        header + ", key-id=123A",
		"spaces":           strings.ReplaceAll(header, ", ", " ,  "),
	}
	for name, h := range lenient {
		if _, err := Verify(echoRequest(), h, keys, now, DefaultSkew); err != nil {
			t.Errorf("%s refused, as Boku would not: %v", name, err)
		}
	}
	if _, err := Verify(echoRequest(), header, keys, now.Add(301*time.Second), DefaultSkew); err == nil {
		t.Error("stale timestamp accepted")
	}
	if _, err := Verify(echoRequest(), header, keys, now.Add(-301*time.Second), DefaultSkew); err == nil {
		t.Error("future timestamp accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add("2/HMAC_SHA256(H+SHA256(E)) partner-id=a, key-id=b, timestamp=1, signature=" + strings.Repeat("a", 64))
	f.Add("2/HMAC_SHA256(H+SHA256(E)) ,,,=")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(p.String())
		if err != nil || again.Signature != p.Signature || again.Timestamp != p.Timestamp {
			t.Fatalf("%q parsed, but its rendering %q does not: %v", s, p.String(), err)
		}
	})
}
