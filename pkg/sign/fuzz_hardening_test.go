package sign

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// FuzzVerifyExactMessage signs a request made of fuzzed parts and checks
// that the signature verifies for that message and for no other: one
// byte changed in the method, target, a signed header's value, the body
// or the signature itself fails, unless the change leaves the signed
// string the same (a method's case, a header value's outer spaces).
func FuzzVerifyExactMessage(f *testing.F) {
	f.Add("POST", "/gb/billing/3.0/charge", "text/xml;charset=utf-8", []byte("<charge-request/>"), uint(3), uint8(1))
	f.Add("GET", "/x?a=b", " v ", []byte(nil), uint(0), uint8(0x20))
	f.Add("", "", "", []byte("body"), uint(100), uint8(0xff))
	f.Fuzz(func(t *testing.T, method, target, value string, body []byte, pos uint, flip uint8) {
		if flip == 0 {
			flip = 1
		}
		key := []byte("fuzz-key")
		now := time.Unix(1767225600, 0)
		msg := func(method, target, value string, body []byte) Message {
			return Message{Method: method, Target: target, Headers: []Header{{Name: "Content-Type", Value: value}}, Body: body}
		}
		signed := []string{"Content-Type"}
		m := msg(method, target, value, body)
		p, err := Sign(m, key, "partner", "key-1", signed, now)
		if err != nil {
			t.Fatal(err)
		}
		keys := func(partner, keyID string) ([]byte, error) { return key, nil }
		header := p.String()
		if _, err := Parse(header); err != nil {
			// The header cannot carry these parts (a partner id
			// needs no check here); Verify refusing it is enough.
			if _, err := Verify(m, header, keys, now, DefaultSkew); err == nil {
				t.Fatalf("an unparsable header verified: %q", header)
			}
			return
		}
		if _, err := Verify(m, header, keys, now, DefaultSkew); err != nil {
			t.Fatalf("the signed message does not verify: %v", err)
		}
		original, _ := MessageToSign(m, signed, p.Timestamp)
		parts := []string{method, target, value, string(body)}
		total := 0
		for _, s := range parts {
			total += len(s)
		}
		if total > 0 {
			i := int(pos % uint(total))
			for n, s := range parts {
				if i >= len(s) {
					i -= len(s)
					continue
				}
				b := []byte(s)
				b[i] ^= flip
				changed := append([]string(nil), parts...)
				changed[n] = string(b)
				mm := msg(changed[0], changed[1], changed[2], []byte(changed[3]))
				same, _ := MessageToSign(mm, signed, p.Timestamp)
				_, err := Verify(mm, header, keys, now, DefaultSkew)
				if same != original && err == nil {
					t.Fatalf("part %d changed at byte %d (%q → %q) still verifies", n, i, s, b)
				}
				if (n == 3 || n == 1 && method != "") && same == original {
					// (A response has no method and no target.)
					t.Fatalf("a change of the target or body left the signed string the same")
				}
				break
			}
		}
		// The signature itself, one byte changed.
		sig := []byte(p.Signature)
		sig[pos%uint(len(sig))] ^= flip
		q := p
		q.Signature = string(sig)
		if _, err := Verify(m, q.String(), keys, now, DefaultSkew); err == nil {
			t.Fatalf("a changed signature %q verifies", sig)
		}
		// Another signed-headers list, or another timestamp.
		q = p
		q.SignedHeaders = nil
		if _, err := Verify(m, q.String(), keys, now, DefaultSkew); err == nil && !bytes.Equal([]byte(original), []byte(mustSign(m, nil, p.Timestamp))) {
			t.Fatal("dropping signed-headers still verifies")
		}
		q = p
		q.Timestamp = strings.TrimSuffix(p.Timestamp, p.Timestamp[len(p.Timestamp)-1:]) + string('0'+(p.Timestamp[len(p.Timestamp)-1]-'0'+1)%10)
		if _, err := Verify(m, q.String(), keys, now, DefaultSkew); err == nil {
			t.Fatal("another timestamp still verifies")
		}
	})
}

func mustSign(m Message, signed []string, timestamp string) string {
	s, _ := MessageToSign(m, signed, timestamp)
	return s
}
