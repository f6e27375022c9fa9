package acquiring

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

var fuzzNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// FuzzParseCard: a card ParseCard accepts has a 12–19 digit number that
// passes the Luhn check (computed here independently) and an expiry not
// in the past; no error message holds a run of 7 or more digits of the
// input (a card number must never be echoed, not even in part).
func FuzzParseCard(f *testing.F) {
	f.Add([]byte(`{"number":"4176 6699 9900 0104","expiry":"122031","cvc":"012"}`))
	f.Add([]byte(`{"number":4176669999000104,"expiry":"122031"}`))
	f.Add([]byte(`{"number":"4176669999000105","expiry":"122031"}`))
	f.Add([]byte(`{"number":"4176669999000104","expiry":"122031","extra":"4176669999000104"}`))
	f.Add([]byte(`{"number":"4176669999000104" "expiry":"122031"}`))
	f.Add([]byte(`4176669999000104`))
	f.Add([]byte(`["4176669999000104"]`))
	f.Add([]byte(`{"number":"\u00341766699990001040000"}`))
	f.Add([]byte(`{"number":"4176669999000104","expiry":4176669999000104}`))
	f.Add([]byte(`{"number":"4176669999000104","expiry":"122031"}{"x":4176669999000104}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		card, err := ParseCard(data, fuzzNow)
		if err != nil {
			var ce *CardError
			if !errors.As(err, &ce) {
				t.Fatalf("not a CardError: %T %v", err, err)
			}
			for _, run := range digitRuns(data, 7) {
				for i := 0; i+7 <= len(run); i++ {
					if strings.Contains(err.Error(), run[i:i+7]) {
						t.Fatalf("the error %q holds %q of the input %q", err, run[i:i+7], data)
					}
				}
			}
			return
		}
		n := card.CardNumber
		if len(n) < 12 || len(n) > 19 || strings.Trim(n, "0123456789") != "" || !luhnCheck(n) {
			t.Fatalf("accepted card number %q fails Luhn or length", n)
		}
		if !expiryPattern().MatchString(card.ExpiryDate) || card.ExpiryDate[2:]+card.ExpiryDate[:2] < fuzzNow.Format("200601") {
			t.Fatalf("accepted expiry %q", card.ExpiryDate)
		}
	})
}

// digitRuns returns the runs of at least n digits in data, also those the
// JSON escapes \u0030–\u0039 write.
func digitRuns(data []byte, n int) []string {
	text := regexp.MustCompile(`\\u003[0-9]`).ReplaceAllFunc(data, func(b []byte) []byte { return b[5:] })
	var runs []string
	for _, r := range regexp.MustCompile(`[0-9]+`).FindAll(text, -1) {
		if len(r) >= n {
			runs = append(runs, string(r))
		}
	}
	return runs
}

// luhnCheck is the Luhn check written out again, not the package's.
func luhnCheck(number string) bool {
	sum := 0
	for i := range len(number) {
		d := int(number[len(number)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// fuzzTransport answers the token endpoint and the API from the fuzzer.
type fuzzTransport struct {
	tokenStatus, status     int
	tokenBody, body         []byte
	contentType             string
	tokenCalls, apiRequests int
}

func (t *fuzzTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	status, body, ct := t.status, t.body, t.contentType
	if r.URL.Path == "/token" {
		t.tokenCalls++
		status, body, ct = t.tokenStatus, t.tokenBody, "application/json"
	} else {
		t.apiRequests++
	}
	header := http.Header{}
	if ct != "" {
		header.Set("Content-Type", ct)
	}
	return &http.Response{StatusCode: status, Status: fmt.Sprintf("%d x", status), Header: header, Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: r, ProtoMajor: 1, ProtoMinor: 1}, nil
}

func fuzzClient(t *testing.T, tr *fuzzTransport) *Client {
	c, err := New(Config{APIURL: "https://api.example", AcquirerID: "100812", MerchantID: "520002526", ClientID: "id", ClientSecret: "secret",
		TokenURL: "https://api.example/token", Integrator: "Acme", HTTPClient: &http.Client{Transport: tr}, Now: func() time.Time { return fuzzNow }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var goodToken = []byte(`{"access_token":"tok","token_type":"Bearer","expires_in":300}`)

// answer is one call's result: the value it decoded for a field a result
// needs, and its error.
type answer struct {
	field, value string
	err          error
}

// callAll makes calls of each kind of answer.
func callAll(c *Client) []answer {
	ctx := context.Background()
	p, err1 := c.ProcessPayment(ctx, PaymentRequest{OperationID: "op"})
	g, err2 := c.GetPayment(ctx, "pay1", true)
	a, err3 := c.CapturePayment(ctx, "pay1", CaptureRequest{})
	r, err4 := c.RefundPayment(ctx, "pay1", PaymentRefundRequest{})
	return []answer{{"responseCode", p.ResponseCode, err1}, {"paymentId", g.PaymentID, err2},
		{"responseCode", a.ResponseCode, err3}, {"responseCode", r.ResponseCode, err4}}
}

// FuzzWorldlineSuccessBody: any 2xx body, with any Content-Type, is
// decoded without panicking; one is a success only when it is a JSON
// object with the fields a result needs (a responseCode, or a payment's
// paymentId, as decoding it here again finds), and every failure has a non-zero exit code.
func FuzzWorldlineSuccessBody(f *testing.F) {
	f.Add(200, "application/json", []byte(`{"responseCode":"0","responseCodeCategory":"APPROVED","paymentId":"p","operationId":"op"}`))
	f.Add(201, "application/json; charset=utf-8", []byte(`{"responseCode":"05","responseCodeCategory":"DECLINED"}`))
	f.Add(200, "application/json", []byte(`{"type":"https://x/errors/validation","title":"Bad Request","status":400,"detail":"no"}`))
	f.Add(200, "application/json", []byte(`null`))
	f.Add(200, "application/json", []byte(`{}`))
	f.Add(204, "", []byte(``))
	f.Add(200, "text/html", []byte(`<html>{"responseCode":"0"}</html>`))
	f.Add(200, "application/problem+json", []byte(`{"responseCode":"0","status":500}`))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		status = 200 + abs(status)%100
		tr := &fuzzTransport{tokenStatus: 200, tokenBody: goodToken, status: status, body: body, contentType: contentType}
		for i, r := range callAll(fuzzClient(t, tr)) {
			if r.err != nil {
				if exitcode.Of(r.err) == exitcode.OK {
					t.Fatalf("call %d: error %v has exit code 0", i, r.err)
				}
				continue
			}
			var doc map[string]any
			if json.Unmarshal(body, &doc) != nil || doc == nil {
				t.Fatalf("call %d: %d %q %q is a success but not a JSON object", i, status, contentType, body)
			}
			// encoding/json matches a member to a field case-insensitively
			// (preferring an exact match), so "responSeCode" is
			// responseCode too: the value must be one of those members'.
			found := false
			for k, v := range doc {
				if s, _ := v.(string); strings.EqualFold(k, r.field) && s != "" && s == r.value {
					found = true
				}
			}
			if !found {
				t.Fatalf("call %d: success with %s %q from %q", i, r.field, r.value, body)
			}
		}
	})
}

// FuzzWorldlineErrorBody: any answer that is not a 2xx, whatever its
// body says (even a body that reads as an approval), is an error with a
// non-zero exit code, never a success.
func FuzzWorldlineErrorBody(f *testing.F) {
	f.Add(400, "application/json", []byte(`{"type":"https://x/errors/validation","title":"Bad Request","status":400,"detail":"amount"}`))
	f.Add(409, "application/problem+json", []byte(`{"responseCode":"0","responseCodeCategory":"APPROVED","paymentId":"p"}`))
	f.Add(500, "text/plain", []byte(`oops`))
	f.Add(503, "", []byte(``))
	f.Add(302, "application/json", []byte(`{"responseCode":"0"}`))
	f.Add(401, "application/json", []byte(`{"responseCode":"0"}`))
	f.Add(100, "application/json", []byte(`{"responseCode":"0"}`))
	f.Add(600, "application/json", []byte(`{"status":200}`))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		status = 100 + abs(status)%900
		if status >= 200 && status <= 299 || status == 101 {
			// 2xx is FuzzWorldlineSuccessBody's; 101 switches protocols.
			status += 200
		}
		tr := &fuzzTransport{tokenStatus: 200, tokenBody: goodToken, status: status, body: body, contentType: contentType}
		for i, r := range callAll(fuzzClient(t, tr)) {
			if r.err == nil {
				t.Fatalf("call %d: HTTP %d %q became a success", i, status, body)
			}
			if exitcode.Of(r.err) == exitcode.OK {
				t.Fatalf("call %d: error %v has exit code 0", i, r.err)
			}
			_ = r.err.Error()
		}
	})
}

// FuzzWorldlineTokenBody: a token answer that is not a 2xx, or has no
// access token, is an error (and no API request is sent with it); any
// token body decodes without panicking.
func FuzzWorldlineTokenBody(f *testing.F) {
	f.Add(200, goodToken)
	f.Add(200, []byte(`{"error":"invalid_client","error_description":"bad secret"}`))
	f.Add(400, []byte(`{"error":"invalid_client","access_token":"tok"}`))
	f.Add(200, []byte(`{"access_token":"","expires_in":300}`))
	f.Add(200, []byte(`{"access_token":"tok","expires_in":-1}`))
	f.Add(500, []byte(`<html>`))
	f.Add(200, []byte(`access_token=tok&token_type=bearer`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		status = 100 + abs(status)%900
		if status == 101 {
			status = 102
		}
		tr := &fuzzTransport{tokenStatus: status, tokenBody: body, status: 200, contentType: "application/json",
			body: []byte(`{"responseCode":"0","responseCodeCategory":"APPROVED","paymentId":"p","operationId":"op","status":"AUTHORIZED"}`)}
		_, err := fuzzClient(t, tr).ProcessPayment(context.Background(), PaymentRequest{OperationID: "op"})
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		usable := status >= 200 && status <= 299 && json.Unmarshal(body, &tok) == nil && tok.AccessToken != ""
		if !usable {
			if err == nil {
				t.Fatalf("token answer %d %q gave a success", status, body)
			}
			var te *TokenError
			if !errors.As(err, &te) || exitcode.Of(err) == exitcode.OK {
				t.Fatalf("token answer %d %q: %T %v", status, body, err, err)
			}
			if tr.apiRequests != 0 {
				t.Fatalf("token answer %d %q: the API was called without a token", status, body)
			}
			_ = err.Error()
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n = -n; n < 0 {
			return 0
		}
	}
	return n
}

// FuzzMaskBodyRenderings writes the test card number in every way JSON
// can carry it (spaces, dashes, a JSON number, nested, escaped \u0034
// digits, in arrays, under every masked name) inside fuzzed JSON, and
// checks that no run of more than 4 of its digits survives MaskBody.
func FuzzMaskBodyRenderings(f *testing.F) {
	f.Add(`{"cardPaymentData":{"cardData":{"cardNumber":%s}}}`, uint8(0))
	f.Add(`[{"cardNumber":%s},{"x":1}]`, uint8(3))
	f.Add(`{"a":[[{"cardNumber":%s}]]}`, uint8(5))
	f.Add(`{"refund":{"cardPaymentData":{"cardData":{"cardNumber":%s,"expiryDate":"122031"}}}}`, uint8(7))
	f.Fuzz(func(t *testing.T, template string, which uint8) {
		if strings.Count(template, "%s") != 1 || strings.Contains(strings.ReplaceAll(template, "%s", ""), "%") {
			return
		}
		if cardDigitsIn(MaskBody([]byte(strings.ReplaceAll(template, "%s", `""`)))) != "" {
			return // the fuzzer wrote digits of the card itself
		}
		rendering := cardRenderings[int(which)%len(cardRenderings)]
		body := []byte(fmt.Sprintf(template, rendering))
		if !json.Valid(body) || !bytes.Contains(body, []byte(`"cardNumber":`+rendering)) {
			return
		}
		var doc any
		if json.Unmarshal(body, &doc) != nil || !holdsCardUnder(doc, "cardNumber", false) {
			return
		}
		out := MaskBody(body)
		if leaked := cardDigitsIn(out); leaked != "" {
			t.Fatalf("%q of the card number survived masking %s:\n%s", leaked, body, out)
		}
	})
}

const testCard = "4176669999000104"

// cardRenderings are the card number as JSON values.
var cardRenderings = []string{
	`"4176669999000104"`, `"4176 6699 9900 0104"`, `"4176-6699-9900-0104"`, `4176669999000104`,
	`"\u0034\u0031\u0037\u0036\u0036\u0036\u0039\u0039\u0039\u0039\u0030\u0030\u0030\u0031\u0030\u0034"`,
	`"41766699\u00399000104"`, `4.176669999000104e15`, `" 4176669999000104 "`,
	`["4176669999000104"]`, `{"value":"4176669999000104"}`, `[{"n":["4176669999000104"]}]`,
}

// holdsCardUnder reports whether the card's rendering sits directly under
// a key named name (the only place the fuzzer puts it).
func holdsCardUnder(v any, name string, under bool) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if holdsCardUnder(e, name, k == name) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if holdsCardUnder(e, name, false) {
				return true
			}
		}
	case string, float64:
		return under
	}
	return false
}

// cardDigitsIn returns a run of more than 4 consecutive digits of the
// test card number found in out (separators and escapes removed), or "".
func cardDigitsIn(out []byte) string {
	text := regexp.MustCompile(`\\u003([0-9])`).ReplaceAll(out, []byte("$1"))
	digits := regexp.MustCompile(`[0-9][0-9 .\-]*[0-9]`).FindAll(text, -1)
	for _, d := range digits {
		plain := strings.NewReplacer(" ", "", "-", "", ".", "").Replace(string(d))
		for i := 0; i+5 <= len(plain); i++ {
			if strings.Contains(testCard, plain[i:i+5]) {
				return plain[i : i+5]
			}
		}
	}
	return ""
}
