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

	"github.com/bokuctl/bokuctl/pkg/bokulegacy"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

const body = `<charge-notification><charge><result status="OK"><reason-code>0</reason-code><message>ok</message><retriable>false</retriable></result><charge-status>success</charge-status><charge-id>ch-1</charge-id><merchant-id>m1</merchant-id><currency>KWD</currency><total-amount>1.250</total-amount></charge></charge-notification>`

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
	req.Body = []byte(strings.Replace(string(req.Body), "1.250", "9.250", 1))
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
	params := url.Values{"trx-id": {"1"}, "param": {"p"}, "currency": {"USD"}, "amount": {"99"}, "action": {"billingresult"}, "extra": {"x"}}
	// Independent of LegacySignature: the documented concatenation.
	want := md5hex("actionbillingresultamount99currencyUSDextraxparamptrx-id1secret")
	if got := bokulegacy.Signature(params, []byte("secret")); got != want {
		t.Fatalf("LegacySignature = %s, want %s", got, want)
	}
	params.Set("sig", want)
	req := &Request{Method: "POST", Target: "/e", Headers: []sign.Header{{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}}, Body: []byte(params.Encode())}
	ev, err := Verify(req, keys(time.Now()))
	// The legacy API counts in minor units: 99 is 0.99 USD.
	if err != nil || ev.Scheme != "legacy-md5-sig" || ev.Amount != "0.99" || *ev.AmountMinorUnits != 99 {
		t.Fatalf("%+v %v", ev, err)
	}
	params.Set("amount", "999")
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

// signedXML signs a notification body as Boku does and returns the
// request.
func signedXML(t *testing.T, xmlBody string, at time.Time) *Request {
	t.Helper()
	params, err := sign.Sign(sign.Message{Method: "POST", Target: "/boku/notify",
		Headers: []sign.Header{{Name: "Content-Type", Value: "application/xml"}}, Body: []byte(xmlBody)},
		[]byte("secret"), "m1", "k1", []string{"Content-Type"}, at)
	if err != nil {
		t.Fatal(err)
	}
	return &Request{Method: "POST", Target: "/boku/notify", Body: []byte(xmlBody),
		Headers: []sign.Header{{Name: "Content-Type", Value: "application/xml"}, {Name: "Authorization", Value: params.String()}}}
}

// The bodies follow the examples of Boku's spec (merchant id changed to
// the test key's).
const (
	refundNotification = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<refund-notification><refund>
<result status="OK"><reason-code>0</reason-code><message>Operation Successful</message><retriable>false</retriable></result>
<refund-status>success</refund-status><refund-id>1119926629536104448</refund-id><timestamp>2021-04-06 16:27:18</timestamp>
<merchant-id>m1</merchant-id><merchant-refund-id>5853f0b3-e797-40a3-b299-1155ee7fe98d</merchant-refund-id>
<charge-id>72e6xii7srxdbf6ggkwkxwpk</charge-id><reason-code>20</reason-code><country>JP</country><network-id>jp-super</network-id>
<currency>JPY</currency><refund-amount>584.00</refund-amount><type>chargeback</type>
<merchant-transaction-id>36a91cc7-6f93-4a80-8e56-edbae7ac2157</merchant-transaction-id>
</refund></refund-notification>`
	chargeNotification = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<charge-notification><charge>
<result status="ERROR"><reason-code>900</reason-code><message>Internal operator Error</message><retriable>false</retriable></result>
<charge-status>failed</charge-status><charge-id>72ec8jnlpz3aizjpb5y3zzr5</charge-id><timestamp>2021-04-06 16:39:09</timestamp>
<merchant-id>m1</merchant-id><merchant-transaction-id>36a91cc7</merchant-transaction-id><country>JP</country>
<network-id>jp-super</network-id><currency>JPY</currency><total-amount>584.00</total-amount>
<merchant-item-description>Puzzle game</merchant-item-description></charge>
</charge-notification>`
)

func TestDirectNotifications(t *testing.T) {
	now := time.Unix(1800000000, 0)
	ev, err := Verify(signedXML(t, refundNotification, now), keys(now))
	if err != nil {
		t.Fatal(err)
	}
	if ev.EventType != "chargeback" || ev.RefundID != "1119926629536104448" || ev.ChargeID != "72e6xii7srxdbf6ggkwkxwpk" ||
		ev.Amount != "584" || *ev.AmountMinorUnits != 584 || ev.Status != "success" || *ev.ReasonCode != 0 || ev.Country != "jp" {
		t.Errorf("refund notification: %+v", ev)
	}
	ev, err = Verify(signedXML(t, chargeNotification, now), keys(now))
	if err != nil {
		t.Fatal(err)
	}
	if ev.EventType != "charge" || ev.Status != "failed" || *ev.ReasonCode != 900 || ev.Message != "Internal operator Error" {
		t.Errorf("charge notification: %+v", ev)
	}
	for name, bad := range map[string]string{
		"no refund id":  strings.Replace(refundNotification, "<refund-id>1119926629536104448</refund-id>", "", 1),
		"no result":     strings.Replace(chargeNotification, `<result status="ERROR">`, `<result>`, 1),
		"inexact":       strings.Replace(chargeNotification, "584.00", "584.50", 1),
		"other root":    "<charge-response/>",
		"empty wrapper": "<charge-notification></charge-notification>",
	} {
		var m *MalformedError
		if _, err := Verify(signedXML(t, bad, now), keys(now)); !errors.As(err, &m) {
			t.Errorf("%s: %v", name, err)
		}
	}
	other := keys(now)
	other.MerchantID, other.KeyID = "m1", "k1"
	req := signedXML(t, strings.Replace(chargeNotification, "<merchant-id>m1<", "<merchant-id>m2<", 1), now)
	if _, err := Verify(req, other); !isInvalid(err) {
		t.Errorf("a notification for another merchant: %v", err)
	}
}

func TestAck(t *testing.T) {
	for retriable, want := range map[bool]string{
		false: `<notification-response><result status="OK"><reason-code>0</reason-code><message>Ack</message><retriable>false</retriable></result></notification-response>`,
		true:  `<retriable>true</retriable>`,
	} {
		if got := string(Ack(retriable)); !strings.Contains(got, want) || !strings.HasPrefix(got, "<?xml") {
			t.Errorf("Ack(%v) = %s", retriable, got)
		}
	}
}

// Every refusal is answered in Boku's <notification-response> shape, with
// retriable chosen per cause.
func TestReject(t *testing.T) {
	now := time.Unix(1800000000, 0)
	signed, err := Parse([]byte(signedDump(t, "/hook", now)))
	if err != nil {
		t.Fatal(err)
	}
	_, stale := Verify(signed, keys(now.Add(time.Hour)))
	other := keys(now)
	other.MerchantID = "m2"
	_, wrongKey := Verify(signed, Keys{MerchantID: "m1", KeyID: "k1", Key: []byte("other"), Skew: time.Minute, Now: now})
	_, unsigned := Verify(&Request{Method: "POST", Target: "/", Body: []byte(body)}, keys(now))
	_, badAmount := Verify(signedXML(t, strings.Replace(chargeNotification, "584.00", "584.50", 1), now), keys(now))
	_, forOther := Verify(signedXML(t, strings.Replace(chargeNotification, "<merchant-id>m1<", "<merchant-id>m2<", 1), now), keys(now))
	for name, c := range map[string]struct {
		err       error
		code      int
		retriable bool
	}{
		"stale timestamp":   {stale, 43, true},
		"wrong key":         {wrongKey, 43, true},
		"unsigned":          {unsigned, 43, true},
		"bad amount":        {badAmount, 43, false},
		"for another":       {forOther, 43, false},
		"not a known error": {errors.New("disk full"), 35, true},
	} {
		r := Reject(c.err)
		if r.ReasonCode != c.code || r.Retriable != c.retriable {
			t.Errorf("%s (%v): %+v", name, c.err, r)
		}
		got := string(r.Body())
		want := `<notification-response><result status="ERROR"><reason-code>` + strconv.Itoa(c.code) + `</reason-code><message>`
		if !strings.HasPrefix(got, "<?xml") || !strings.Contains(got, want) || !strings.Contains(got, "<retriable>"+strconv.FormatBool(c.retriable)+"</retriable></result></notification-response>") {
			t.Errorf("%s: body %s", name, got)
		}
	}
	if got := string(Reject(badAmount).Body()); !strings.Contains(got, "Invalid request: amount") {
		t.Errorf("message: %s", got)
	}
	if got := string((Rejection{ReasonCode: 43, Message: "a<b&c"}).Body()); !strings.Contains(got, "<message>a&lt;b&amp;c</message>") {
		t.Errorf("escaping: %s", got)
	}
}

// ParseUnsigned reads a 3.0 notification without a signature, still for
// the profile's merchant only.
func TestParseUnsigned(t *testing.T) {
	now := time.Unix(1800000000, 0)
	ev, err := ParseUnsigned(&Request{Method: "POST", Target: "/", Body: []byte(body)}, keys(now))
	if err != nil || ev.Scheme != "unsigned" || ev.ChargeID != "ch-1" || ev.Amount != "1.250" {
		t.Fatalf("unsigned: %+v %v", ev, err)
	}
	other := keys(now)
	other.MerchantID = "m2"
	if _, err := ParseUnsigned(&Request{Body: []byte(body)}, other); !isInvalid(err) || Reject(err).Retriable {
		t.Errorf("another merchant: %v", err)
	}
	var m *MalformedError
	if _, err := ParseUnsigned(&Request{Body: []byte("trx-id=1&sig=x")}, keys(now)); !errors.As(err, &m) {
		t.Errorf("not XML: %v", err)
	}
}
