package bokuclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

func TestParseResponse(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{"ok with unknown elements", `<forex-response><result status="OK"><reason-code>0</reason-code></result><from-currency>GBP</from-currency><to-currency>EUR</to-currency><rate>1.1650</rate><converted-amount>11.65</converted-amount><new-thing>x</new-thing></forex-response>`, ""},
		{"fail needs little", `<forex-response><result status="ERROR"><reason-code>86</reason-code><message>not supported</message></result></forex-response>`, ""},
		{"no result", `<forex-response><rate>1</rate></forex-response>`, "missing <result>"},
		{"no reason code", `<forex-response><result status="OK"></result></forex-response>`, "missing <reason-code>"},
		{"bad status", `<forex-response><result status="MAYBE"><reason-code>0</reason-code></result></forex-response>`, "neither OK nor ERROR"},
		{"no rate", `<forex-response><result status="OK"><reason-code>0</reason-code></result></forex-response>`, "missing <rate>"},
		{"amount not a number", `<forex-response><result status="OK"><reason-code>0</reason-code></result><from-currency>GBP</from-currency><to-currency>EUR</to-currency><rate>1.1650</rate><converted-amount>four</converted-amount></forex-response>`, "not a plain decimal"},
		{"minor units where a decimal belongs are read as major units", `<forex-response><result status="OK"><reason-code>0</reason-code></result><from-currency>GBP</from-currency><to-currency>EUR</to-currency><rate>1.1650</rate><converted-amount>11.655</converted-amount></forex-response>`, "more decimals than EUR allows"},
		{"html", `<html><body>502 Bad Gateway</body></html>`, "not a forex response"},
		{"empty", ``, "not a forex response"},
	}
	for _, tt := range tests {
		var resp ForexResponse
		err := parseResponse("forex", []byte(tt.body), &resp)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestAPIErrorExitCodes(t *testing.T) {
	codes := map[int]exitcode.Code{
		// Boku's published codes: invalid request, charge not found,
		// network not enabled, insufficient credit, opt-in not active,
		// amount not supported, network down, in progress.
		43: exitcode.Usage, 133: exitcode.Usage, 51: exitcode.Auth, 3: exitcode.Declined, 126: exitcode.Declined,
		29: exitcode.Declined, 15: exitcode.Unavailable, ReasonInProgress: exitcode.Pending,
	}
	for reason, want := range codes {
		r := reason
		err := &APIError{Call: "charge", Result: Result{Status: "ERROR", ReasonCode: &r}}
		if got := exitcode.Of(err); got != want {
			t.Errorf("reason %d: exit %d, want %d", reason, got, want)
		}
	}
	r := 99
	retriable := &APIError{Result: Result{Status: "ERROR", ReasonCode: &r, Retriable: true}}
	if exitcode.Of(retriable) != exitcode.Unavailable {
		t.Error("an unknown retriable reason should be unavailable")
	}
}

func TestRetryTiming(t *testing.T) {
	p := DefaultRetryPolicy()
	if p.MaxRetries != 0 || p.backoff(1) != 2*time.Second || p.backoff(3) != 8*time.Second {
		t.Fatalf("policy %+v: backoff(1)=%s backoff(3)=%s", p, p.backoff(1), p.backoff(3))
	}
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for value, want := range map[string]time.Duration{"3": 3 * time.Second, "Sun, 22 Nov 2026 10:00:07 GMT": 7 * time.Second, "Sun, 22 Nov 2026 09:00:00 GMT": 0} {
		if got, ok := retryAfter(value, now); !ok || got != want {
			t.Errorf("Retry-After %q = %s, %v", value, got, ok)
		}
	}
	if _, ok := retryAfter("soon", now); ok {
		t.Error("garbage Retry-After accepted")
	}
}

func TestCountryMismatchSendsNothing(t *testing.T) {
	requests := 0
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests++ }))
	defer server.Close()
	c, err := New(Config{MerchantID: "m", KeyID: "k", Key: []byte("s"), Country: "gb", BaseURL: server.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.FundCheck(context.Background(), FundCheckRequest{Country: "DE", OptinID: "oi-1", Currency: "EUR", TotalAmount: "0.01"})
	var mismatch *CountryMismatchError
	if !errors.As(err, &mismatch) || requests != 0 {
		t.Fatalf("err %v, %d requests", err, requests)
	}
}

func TestUnsignedOKIsRejected(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		w.Write([]byte(`<forex-response><result status="OK"><reason-code>0</reason-code></result><from-currency>GBP</from-currency><to-currency>EUR</to-currency><rate>1.1650</rate></forex-response>`))
	}))
	defer server.Close()
	c, _ := New(Config{MerchantID: "m", KeyID: "k", Key: []byte("s"), Country: "gb", BaseURL: server.URL})
	_, err := c.Forex(context.Background(), ForexRequest{Country: "GB", FromCurrency: "GBP", ToCurrency: "EUR"})
	var sigErr *SignatureError
	if !errors.As(err, &sigErr) || exitcode.Of(err) != exitcode.Auth {
		t.Fatalf("unsigned 200 accepted or misclassified: %v", err)
	}
}

func TestURLs(t *testing.T) {
	for _, tt := range []struct{ env, base, want string }{
		{Production, "", "https://us-api4.boku.com/billing/3.0/charge"},
		{Test, "", "https://us-api4-stage.boku.com/billing/3.0/charge"},
		{Test, "http://127.0.0.1:9/{country}/", "http://127.0.0.1:9/us/billing/3.0/charge"},
	} {
		c, _ := New(Config{MerchantID: "m", KeyID: "k", Key: []byte("s"), Country: "US", Environment: tt.env, BaseURL: tt.base})
		if got := c.URL("billing", "charge"); got != tt.want {
			t.Errorf("URL = %s, want %s", got, tt.want)
		}
	}
}

// FuzzParseResponse: arbitrary bytes never panic the parser, and anything
// accepted as OK carries the elements callers rely on.
func FuzzParseResponse(f *testing.F) {
	f.Add([]byte(`<forex-response><result status="OK"><reason-code>0</reason-code></result><from-currency>GBP</from-currency><to-currency>EUR</to-currency><rate>1.1650</rate><converted-amount>11.65</converted-amount></forex-response>`))
	f.Add([]byte(`<optin-response><result status="ERROR"><reason-code>21</reason-code></result></optin-response>`))
	f.Add([]byte(`<<<`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var forex ForexResponse
		if parseResponse("forex", body, &forex) == nil && forex.Result.OK() {
			if forex.Rate == "" || (forex.ConvertedAmountText != "" && forex.ConvertedAmount == nil) {
				t.Fatalf("accepted OK forex without rate or with an unread amount: %q", body)
			}
		}
	})
}
