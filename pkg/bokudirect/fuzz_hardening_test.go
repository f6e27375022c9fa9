package bokudirect

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

// answerTransport answers every request with one status, header and body.
type answerTransport struct {
	header http.Header
	body   []byte
}

func (a *answerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: a.header.Clone(), Body: io.NopCloser(bytes.NewReader(a.body)),
		ContentLength: int64(len(a.body)), Request: r, ProtoMajor: 1, ProtoMinor: 1}, nil
}

// Ways a 200 is signed for FuzzVerifiedAnswers.
const (
	signedRight = iota
	bodyChanged
	otherKey
	noSignature
	staleSignature
	otherPartner
	signedWays
)

// FuzzVerifiedAnswers feeds 200 answers of any body to the calls whose
// answers FuzzDecode does not cover (refund-charge, query-refund, forex,
// fund-check), signed right or wrong. An answer whose signature fails
// (body changed by one byte after signing, another key, none, stale,
// another partner) is always a SignatureError, never a result; a
// rightly signed one is a result only when its <result> is OK (not in
// progress), and every failure has a non-zero exit code.
func FuzzVerifiedAnswers(f *testing.F) {
	for _, name := range []string{"refund-charge-response.xml", "query-refund-response-single.xml"} {
		if data, err := os.ReadFile("testdata/" + name); err == nil {
			f.Add(data, uint8(signedRight), uint(0))
			f.Add(data, uint8(bodyChanged), uint(40))
		}
	}
	ok := `<result status="OK"><reason-code>0</reason-code><message>success</message><retriable>false</retriable></result>`
	f.Add([]byte(`<forex-response>`+ok+`<from-currency>GBP</from-currency><to-currency>EUR</to-currency><rate>1.1650</rate><converted-amount>5.83</converted-amount></forex-response>`), uint8(signedRight), uint(0))
	f.Add([]byte(`<fund-check-response>`+ok+`<sufficient>true</sufficient></fund-check-response>`), uint8(otherKey), uint(0))
	f.Add([]byte(`<fund-check-response>`+ok+`<sufficient>true</sufficient></fund-check-response>`), uint8(staleSignature), uint(0))
	f.Add([]byte(`<refund-charge-response><result status="OK"><reason-code>23</reason-code></result></refund-charge-response>`), uint8(signedRight), uint(0))
	f.Add([]byte(``), uint8(noSignature), uint(0))
	f.Fuzz(func(t *testing.T, body []byte, way uint8, pos uint) {
		now := time.Unix(1767225600, 0)
		way %= signedWays
		key, partner, at, sent := testKey, testMerchant, now, body
		switch way {
		case bodyChanged:
			if len(body) == 0 {
				return
			}
			sent = bytes.Clone(body)
			sent[pos%uint(len(body))] ^= 0x5a
		case otherKey:
			key = []byte("another-key")
		case staleSignature:
			at = now.Add(-sign.DefaultSkew - time.Second)
		case otherPartner:
			partner = "another-merchant"
		}
		header := http.Header{"Content-Type": {ContentType}}
		if way != noSignature {
			p, err := sign.Sign(sign.Message{Headers: []sign.Header{{Name: "Content-Type", Value: ContentType}}, Body: body},
				key, partner, testKeyID, []string{"Content-Type"}, at)
			if err != nil {
				t.Fatal(err)
			}
			header.Set("X-SignedResponse", p.String())
		}
		c, err := New(Config{MerchantID: testMerchant, KeyID: testKeyID, Key: testKey, Country: "gb",
			HTTPClient: &http.Client{Transport: &answerTransport{header: header, body: sent}}, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		rf, err1 := c.RefundCharge(ctx, RefundChargeRequest{})
		qr, err2 := c.QueryRefund(ctx, QueryRefundRequest{})
		fx, err3 := c.Forex(ctx, ForexRequest{FromCurrency: "GBP", ToCurrency: "EUR"})
		fc, err4 := c.FundCheck(ctx, FundCheckRequest{})
		for i, r := range []struct {
			result Result
			err    error
		}{{rf.Result, err1}, {qr.Result, err2}, {fx.Result, err3}, {fc.Result, err4}} {
			call := [...]string{"refund-charge", "query-refund", "forex", "fund-check"}[i]
			if way != signedRight {
				var se *SignatureError
				if !errors.As(r.err, &se) {
					t.Fatalf("%s: a 200 signed wrongly (way %d) gave %T %v", call, way, r.err, r.err)
				}
			}
			if r.err != nil {
				if exitcode.Of(r.err) == exitcode.OK {
					t.Fatalf("%s: error %v has exit code 0", call, r.err)
				}
				_ = r.err.Error()
				continue
			}
			if !r.result.OK() || r.result.ReasonCode == ReasonInProgress {
				t.Fatalf("%s: result %+v returned as a success", call, r.result)
			}
		}
	})
}

// maxRetryAfter is the longest wait a Retry-After may ask for that is
// taken as asked [the property's bound: a day].
const maxRetryAfter = 24 * time.Hour

// FuzzRetryAfter: retryAfter never panics; a wait it reads is never
// negative and never huge; seconds are read exactly; what it cannot read
// is no wait at all.
func FuzzRetryAfter(f *testing.F) {
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	f.Add("120", int64(0))
	f.Add("0", int64(0))
	f.Add("-5", int64(0))
	f.Add("+5", int64(0))
	f.Add("1.5", int64(0))
	f.Add(now.Add(90*time.Second).Format(http.TimeFormat), int64(0))
	f.Add(now.Add(-time.Hour).Format(http.TimeFormat), int64(0))
	f.Add("Fri, 31 Dec 9999 23:59:59 GMT", int64(0))
	f.Add("9223372037", int64(0))
	f.Add("99999999999999999999", int64(0))
	f.Fuzz(func(t *testing.T, value string, offset int64) {
		at := now.Add(time.Duration(offset % int64(100*365*24*time.Hour)))
		d, ok := retryAfter(value, at)
		if !ok {
			if d != 0 {
				t.Fatalf("%q unreadable but a wait of %s", value, d)
			}
			return
		}
		if secs, err := strconv.ParseInt(value, 10, 64); err == nil && secs >= 0 && secs <= int64(maxRetryAfter/time.Second) && d != time.Duration(secs)*time.Second {
			t.Fatalf("%q read as %s", value, d)
		}
		if d > maxRetryAfter || d < 0 {
			t.Fatalf("Retry-After %q read as %s", value, d)
		}
	})
}
