package bokunotify

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/sign"
)

const body = `<notification><event-id>evt-1</event-id><event-type>charge.settled</event-type><merchant-id>m1</merchant-id><charge-id>ch-1</charge-id><status>success</status><currency>KWD</currency><amount>1250</amount></notification>`

func keys(now time.Time) Keys {
	return Keys{MerchantID: "m1", KeyID: "k1", Key: []byte("secret"), Skew: 5 * time.Minute, Now: now}
}

func signedDump(t *testing.T, target string, at time.Time) string {
	t.Helper()
	params, err := sign.Sign(sign.Message{Method: "POST", Target: target,
		Headers: []sign.Header{{Name: "Content-Type", Value: "text/xml;charset=utf-8"}}, Body: []byte(body)},
		[]byte("secret"), "m1", "k1", []string{"Content-Type"}, at)
	if err != nil {
		t.Fatal(err)
	}
	return "POST " + target + " HTTP/1.1\r\nHost: shop\r\nContent-Type: text/xml;charset=utf-8\r\nAuthorization: " +
		params.String() + "\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

func TestVerifySignedDump(t *testing.T) {
	now := time.Unix(1800000000, 0)
	req, err := Parse([]byte(signedDump(t, "/hook?x=1", now)))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := Verify(req, keys(now.Add(time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Scheme != "hmac-sha256" || ev.ChargeID != "ch-1" || ev.Amount != "1.250" || *ev.AmountMinorUnits != 1250 {
		t.Fatalf("event %+v", ev)
	}
	// Stale, wrong merchant, or a changed byte: invalid.
	if _, err := Verify(req, keys(now.Add(6*time.Minute))); !isInvalid(err) {
		t.Errorf("stale notification: %v", err)
	}
	other := keys(now)
	other.MerchantID = "m2"
	if _, err := Verify(req, other); !isInvalid(err) {
		t.Errorf("other merchant: %v", err)
	}
	req.Body = []byte(strings.Replace(string(req.Body), "1250", "9250", 1))
	if _, err := Verify(req, keys(now)); !isInvalid(err) {
		t.Errorf("tampered body: %v", err)
	}
}

func isInvalid(err error) bool {
	var invalid *InvalidError
	return errors.As(err, &invalid)
}

func TestContentLengthBoundsBody(t *testing.T) {
	req, err := Parse([]byte("POST / HTTP/1.1\nContent-Length: 3\n\nabcdef"))
	if err != nil || string(req.Body) != "abc" {
		t.Fatalf("%q, %v", req.Body, err)
	}
	if _, err := Parse([]byte("POST / HTTP/1.1\nContent-Length: 30\n\nabc")); err == nil {
		t.Fatal("short body accepted")
	}
}

func TestLegacy(t *testing.T) {
	params := url.Values{"trx-id": {"1"}, "param": {"p"}, "currency": {"USD"}, "amount": {"0.99"}, "action": {"billingresult"}, "extra": {"x"}}
	// Independent of LegacySignature: the documented concatenation.
	want := md5hex("actionbillingresultamount0.99currencyUSDextraxparamptrx-id1secret")
	if got := LegacySignature(params, []byte("secret")); got != want {
		t.Fatalf("LegacySignature = %s, want %s", got, want)
	}
	params.Set("sig", want)
	req := &Request{Method: "POST", Target: "/e", Headers: []sign.Header{{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}}, Body: []byte(params.Encode())}
	ev, err := Verify(req, keys(time.Now()))
	if err != nil || ev.Scheme != "legacy-md5-sig" || ev.Amount != "0.99" {
		t.Fatalf("%+v %v", ev, err)
	}
	params.Set("amount", "9.99")
	req.Body = []byte(params.Encode())
	if _, err := Verify(req, keys(time.Now())); !isInvalid(err) {
		t.Fatalf("tampered legacy: %v", err)
	}
}

func TestMalformed(t *testing.T) {
	for _, in := range []string{"", "hello", "POST /\n", "GET / HTTP/1.1\nBad Header\n\n", `{"headers": 5}`, `{"headers": {"A": 1}}`, `{"headers": [["a"]]}`} {
		_, err := Parse([]byte(in))
		var m *MalformedError
		if !errors.As(err, &m) {
			t.Errorf("Parse(%q) = %v, want MalformedError", in, err)
		}
	}
}

// FuzzParseVerify: no input panics the parser or the verifier, and nothing
// unsigned verifies.
func FuzzParseVerify(f *testing.F) {
	f.Add([]byte("POST / HTTP/1.1\r\nAuthorization: 2/HMAC_SHA256(H+SHA256(E)) partner-id=m1, key-id=k1, timestamp=1, signature=" + strings.Repeat("0", 64) + "\r\n\r\n<notification/>"))
	f.Add([]byte(`{"method":"POST","path":"/","headers":[["Content-Type","x"]],"body":"trx-id=1&sig=abc&action=billingresult"}`))
	f.Add([]byte("POST /?sig=1&action=billingresult&trx-id=1&param=p&currency=USD&amount=1 HTTP/1.1\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := Parse(data)
		if err != nil {
			return
		}
		if ev, err := Verify(req, keys(time.Unix(1, 0))); err == nil {
			t.Fatalf("random input verified: %q → %+v", data, ev)
		}
	})
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
