package acquiring

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
)

// The reference's obfuscation example, input and expected output.
func TestMaskBodyReferenceExample(t *testing.T) {
	in := `{"amount":{"currencyCode":"CAD","amount":2345},"cardPaymentData":{"cardData":{"cardSecurityCode":"123","cardNumber":"1234567890123456","expiryDate":"122024"}}}`
	var got, want any
	json.Unmarshal(MaskBody([]byte(in)), &got)
	json.Unmarshal([]byte(`{"amount":{"amount":2345,"currencyCode":"CAD"},"cardPaymentData":{"cardData":{"cardNumber":"************3456","cardSecurityCode":"***","expiryDate":"**2024"}}}`), &want)
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Fatalf("got %s\nwant %s", gotJSON, wantJSON)
	}
	if !strings.Contains(string(MaskBody([]byte(in))), "\n    \"amount\"") {
		t.Error("masked body should be indented with 4 spaces")
	}
}

func TestMaskRules(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"bin", "41766699", "417666**"},
		{"cryptogram", "abcdefgh", "abcd****"},
		{"cardNumber", "123", "123"}, // shorter than what is kept: unmasked, as the SDKs do
		{"name", "Jane Doe", "********"},
	}
	for _, tt := range tests {
		if got := bodyRules[tt.name].mask(tt.value); got != tt.want {
			t.Errorf("%s(%q) = %q, want %q", tt.name, tt.value, got, tt.want)
		}
	}
	if MaskHeader("authorization", "Bearer abc") != "********" || MaskHeader("Trace-Id", "x") != "x" {
		t.Error("header rules")
	}
	form := string(MaskBody([]byte("grant_type=client_credentials&client_id=c&client_secret=s3cr3t&scope=a b")))
	if strings.Contains(form, "s3cr3t") || !strings.Contains(form, "client_secret=******") {
		t.Errorf("form body not masked: %s", form)
	}
	if string(MaskBody([]byte("not json"))) != "not json" {
		t.Error("non-JSON body must be logged unchanged")
	}
}

// The newer SDKs' point-of-sale card data never reaches --debug: not the
// track 2 (card number and expiry), the EMV data nor the PIN block, in a
// request or in a response.
func TestMaskBodyPointOfSaleData(t *testing.T) {
	body := `{"cardPaymentData":{"cardEntryMode":"CHIP","pointOfSaleData":{
 "track2Data":"4176669999000104=31122010000000000000",
 "emvData":[{"tag":"5A","value":"QXZmaZkAAQQ="},{"tag":"9F26","value":"c2VjcmV0LWNyeXB0b2dyYW0="}],
 "encryptedPinBlock":"8F3A2B1C0D9E8F7A","pinMasterKeyReference":"K1"}},
 "operations":[{"pointOfSaleData":{"emvData":[{"tag":"8A","value":"MDA="}]}}]}`
	out := string(MaskBody([]byte(body)))
	for _, secret := range []string{"4176669999000104", "31122010000000000000", "QXZmaZkAAQQ=", "c2VjcmV0LWNyeXB0b2dyYW0=", "MDA=", "8F3A2B1C0D9E8F7A", `"5A"`, `"9F26"`} {
		if strings.Contains(out, secret) {
			t.Errorf("--debug shows %s:\n%s", secret, out)
		}
	}
	for _, want := range []string{`"track2Data": "` + strings.Repeat("*", len("4176669999000104=31122010000000000000")) + `"`, `"emvData": "****"`, `"encryptedPinBlock": "****************"`, `"pinMasterKeyReference": "K1"`} {
		if !strings.Contains(out, want) {
			t.Errorf("want %s in:\n%s", want, out)
		}
	}
}

func TestParseCard(t *testing.T) {
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	good := `{"number":"4176 6699 9900 0104","expiry":"112026","cvc":"012"}`
	card, err := ParseCard([]byte(good), now)
	if err != nil || card.CardNumber != "4176669999000104" || card.Last4() != "0104" {
		t.Fatalf("%+v %v", card, err)
	}
	for _, bad := range []string{
		`{"number":"4176669999000105","expiry":"122031","cvc":"012"}`,
		`{"number":"4176669999000104","expiry":"102026","cvc":"012"}`,
		`{"number":"4176669999000104","expiry":"13/2031","cvc":"012"}`,
		`{"number":"4176669999000104","expiry":"122031","cvc":"1"}`,
		`{"number":"41766699990001045","expiry":"122031","card":"x"}`,
		`not json 4176669999000104`,
	} {
		_, err := ParseCard([]byte(bad), now)
		var ce *CardError
		if !errors.As(err, &ce) {
			t.Errorf("ParseCard(%s) = %v, want CardError", bad, err)
		} else if strings.Contains(err.Error(), "4176669999") {
			t.Errorf("error leaks the card number: %v", err)
		}
	}
}

func TestAmountData(t *testing.T) {
	a, _ := money.Parse("21.00", "EUR")
	data, _ := json.Marshal(Amount(a))
	if string(data) != `{"amount":2100,"currencyCode":"EUR","numberOfDecimals":2}` {
		t.Fatalf("got %s", data)
	}
	k, _ := money.Parse("1.5", "KWD")
	if d := Amount(k); d.Amount != 1500 || d.NumberOfDecimals != 3 || d.Decimal() != "1.500" {
		t.Fatalf("KWD %+v", d)
	}
}

// fakeAPI answers the token endpoint and one API path with the given
// handler, counting token requests.
func fakeAPI(t *testing.T, api http.HandlerFunc) (*Client, *int32) {
	t.Helper()
	var tokens int32
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt32(&tokens, 1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"tok-`+string(rune('0'+atomic.LoadInt32(&tokens)))+`","expires_in":300}`)
	})
	mux.HandleFunc("/", api)
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	c, err := New(Config{APIURL: server.URL, AcquirerID: "100812", MerchantID: "520002526", ClientID: "id",
		ClientSecret: "secret", TokenURL: server.URL + "/token", Integrator: "Acme", SDKIdentifier: "bokuctl/test"})
	if err != nil {
		t.Fatal(err)
	}
	return c, &tokens
}

func TestHeaders(t *testing.T) {
	var seen http.Header
	c, _ := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		io.WriteString(w, `{}`)
	})
	if err := c.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if seen.Get("Authorization") != "Bearer tok-1" || seen.Get("Content-Type") != "" {
		t.Errorf("GET headers %v", seen)
	}
	if _, err := http.ParseTime(seen.Get("Date")); err != nil || !strings.HasSuffix(seen.Get("Date"), " GMT") {
		t.Errorf("Date %q", seen.Get("Date"))
	}
	if !regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`).MatchString(seen.Get("Trace-Id")) {
		t.Errorf("Trace-Id %q", seen.Get("Trace-Id"))
	}
	meta, _ := base64.StdEncoding.DecodeString(seen.Get("X-WL-ServerMetaInfo"))
	if !regexp.MustCompile(`^\{"platformIdentifier":"[a-z]+ go[0-9.]+\([a-z0-9]+\)","sdkIdentifier":"bokuctl/test","sdkCreator":"bokuctl","integrator":"Acme"\}$`).Match(meta) {
		t.Errorf("X-WL-ServerMetaInfo %s", meta)
	}
	c.VerifyAccount(context.Background(), AccountVerificationRequest{OperationID: "op"})
	if seen.Get("Content-Type") != "application/json" {
		t.Errorf("POST Content-Type %q", seen.Get("Content-Type"))
	}
}

func TestUnauthorizedRefreshesOnce(t *testing.T) {
	var calls int32
	var bodies []string
	c, tokens := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt32(&calls, 1)
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"title":"Unauthorized","status":401}`)
	})
	_, err := c.ProcessPayment(context.Background(), PaymentRequest{OperationID: "op-1"})
	if calls != 2 || *tokens != 2 {
		t.Fatalf("calls %d tokens %d: a 401 must cause exactly one refresh and one resend", calls, *tokens)
	}
	if bodies[0] != bodies[1] {
		t.Fatal("the resend must carry the same body (same operationId)")
	}
	if exitcode.Of(err) != exitcode.Auth {
		t.Fatalf("err %v", err)
	}
}

func TestTokenCachedAcrossCalls(t *testing.T) {
	c, tokens := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{}`) })
	for i := 0; i < 3; i++ {
		if err := c.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if *tokens != 1 {
		t.Fatalf("%d token requests for 3 calls", *tokens)
	}
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		status      int
		contentType string
		body        string
		code        exitcode.Code
		text        string
	}{
		{400, "application/json", `{"type":"t","title":"Bad Request","status":400,"detail":"amount.currencyCode is invalid"}`, exitcode.Usage, "validation error (HTTP 400): Bad Request: amount.currencyCode is invalid"},
		{403, "application/problem+json", `{"title":"Forbidden"}`, exitcode.Auth, "authorization error (HTTP 403): Forbidden"},
		{404, "text/html", `<html>nope</html>`, exitcode.Usage, "reference error (HTTP 404): <html>nope</html>"},
		{409, "application/json", `{"detail":"already captured"}`, exitcode.Declined, "already captured"},
		{409, "application/problem+json", `{"type":"https://x/errors/state","detail":"payment is REVERSED"}`, exitcode.Declined, "payment is REVERSED"},
		{409, "application/json", `{"type":"https://x/errors/idempotence","detail":"operationId op was already used for a different request"}`, exitcode.Usage, "already used"},
		{409, "application/json", `{"type":"https://x/errors/concurrent-request","detail":"busy"}`, exitcode.UnknownOutcome, "busy"},
		{409, "application/json", `{"type":"https://x/errors/operation-in-progress"}`, exitcode.UnknownOutcome, "reference error (HTTP 409)"},
		{409, "application/json", `{"title":"Conflict","detail":"The previous request is still being processed"}`, exitcode.UnknownOutcome, "still being processed"},
		{502, "", ``, exitcode.Unavailable, "platform error (HTTP 502): Bad Gateway"},
		{500, "application/json", `{not json`, exitcode.Unavailable, "{not json"},
	}
	for _, tt := range tests {
		c, _ := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
			if tt.contentType != "" {
				w.Header().Set("Content-Type", tt.contentType)
			}
			w.WriteHeader(tt.status)
			io.WriteString(w, tt.body)
		})
		_, err := c.GetPayment(context.Background(), "pay:ch:etu:x", false)
		if exitcode.Of(err) != tt.code || err == nil || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("%d: %v (exit %d), want %q exit %d", tt.status, err, exitcode.Of(err), tt.text, tt.code)
		}
	}
}

func TestMalformedSuccess(t *testing.T) {
	c, _ := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"paymentId": 5}`) })
	_, err := c.ProcessPayment(context.Background(), PaymentRequest{OperationID: "op"})
	if exitcode.Of(err) != exitcode.UnknownOutcome {
		t.Fatalf("malformed answer to a payment: %v", err)
	}
	_, err = c.GetPayment(context.Background(), "x", false)
	if exitcode.Of(err) != exitcode.Unavailable {
		t.Fatalf("malformed answer to a read: %v (exit %d), want 6", err, exitcode.Of(err))
	}
}

func TestDCCRateKeepsExactDecimal(t *testing.T) {
	c, _ := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"proposal":{"rate":{"exchangeRate":1.09100000000000000001,"markUp":3.5}},"result":"ALLOWED"}`)
	})
	resp, err := c.DCCRate(context.Background(), DCCRateRequest{OperationID: "op"})
	if err != nil || resp.Proposal.Rate.ExchangeRate.String() != "1.09100000000000000001" {
		t.Fatalf("%v %v", resp, err)
	}
}

// FuzzMaskBody: no input panics the obfuscator, and a card number in a
// JSON body never survives it.
func FuzzMaskBody(f *testing.F) {
	f.Add([]byte(`{"cardPaymentData":{"cardData":{"cardNumber":"4176669999000104"}}}`))
	f.Add([]byte(`[{"cardNumber":4176669999000104}]`))
	f.Add([]byte(`grant_type=x&client_secret=abc`))
	f.Fuzz(func(t *testing.T, body []byte) {
		out := MaskBody(body)
		if json.Valid(body) && strings.Contains(string(body), `"cardNumber":"4176669999000104"`) && strings.Contains(string(out), "4176669999000104") {
			t.Fatalf("card number survived: %s", out)
		}
	})
}

// A rejected server certificate means the request never left: a mutating
// call that fails that way is unavailable, not of unknown outcome. A 307
// towards that host is never followed: it is the answer (of unknown
// outcome for a payment), and nothing reaches the other host.
func TestCertificateRejectedIsUnavailable(t *testing.T) {
	var apiCalls int32
	untrusted := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt32(&apiCalls, 1)
		io.WriteString(w, `{}`)
	}))
	untrusted.Config.ErrorLog = log.New(io.Discard, "", 0) // the expected handshake failures
	untrusted.StartTLS()
	t.Cleanup(untrusted.Close)
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"tok","expires_in":300}`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, untrusted.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	plain := httptest.NewServer(mux)
	t.Cleanup(plain.Close)

	t.Run("redirect not followed", func(t *testing.T) {
		c, err := New(Config{APIURL: plain.URL, AcquirerID: "100812", MerchantID: "520002526", ClientID: "id",
			ClientSecret: "secret", TokenURL: plain.URL + "/token", Integrator: "Acme", SDKIdentifier: "bokuctl/test",
			HTTPClient: &http.Client{Transport: &http.Transport{}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ProcessPayment(context.Background(), PaymentRequest{OperationID: "op-1"})
		var redirect *RedirectError
		if !errors.As(err, &redirect) || redirect.Status != 307 || exitcode.Of(err) != exitcode.UnknownOutcome {
			t.Fatalf("want a 307 RedirectError of unknown outcome, got %T: %v", err, err)
		}
		if _, err := c.GetPayment(context.Background(), "p-1", false); exitcode.Of(err) != exitcode.Auth {
			t.Fatalf("a redirect answering a read: want exit 4, got %v (exit %d)", err, exitcode.Of(err))
		}
		if n := atomic.LoadInt32(&apiCalls); n != 0 {
			t.Fatalf("the redirect target handled %d requests", n)
		}
	})
	for _, tt := range []struct{ name, apiURL string }{
		{"direct", untrusted.URL},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// A client with the system roots: the test server's
			// certificate is not among them.
			c, err := New(Config{APIURL: tt.apiURL, AcquirerID: "100812", MerchantID: "520002526", ClientID: "id",
				ClientSecret: "secret", TokenURL: plain.URL + "/token", Integrator: "Acme", SDKIdentifier: "bokuctl/test",
				HTTPClient: &http.Client{Transport: &http.Transport{}}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ProcessPayment(context.Background(), PaymentRequest{OperationID: "op-1"})
			var verify *tls.CertificateVerificationError
			if !errors.As(err, &verify) {
				t.Fatalf("want a certificate verification error, got %v", err)
			}
			var unavailable *UnavailableError
			if !errors.As(err, &unavailable) {
				t.Fatalf("want *UnavailableError, got %T: %v", err, err)
			}
			var unknown *UnknownOutcomeError
			if errors.As(err, &unknown) || exitcode.Of(err) != exitcode.Unavailable {
				t.Fatalf("a rejected certificate must not be an unknown outcome: %v (exit %d)", err, exitcode.Of(err))
			}
			if n := atomic.LoadInt32(&apiCalls); n != 0 {
				t.Fatalf("the untrusted server handled %d requests", n)
			}
		})
	}
}

// An empty answer (no body, {}, null, or JSON without the fields a result
// needs) to a 2xx is never a success: unknown outcome for a mutation,
// unexpected for a read.
func TestEmptySuccessIsNotTrusted(t *testing.T) {
	for _, tt := range []struct{ name, contentType, body string }{
		{"no body", "application/json", ""},
		{"empty object", "application/json", "{}"},
		{"null", "application/json", "null"},
		{"array", "application/json", "[]"},
		{"not JSON", "text/html", `{"paymentId":"p-1","status":"AUTHORIZED","responseCode":"0"}`},
		{"no response code", "application/json", `{"paymentId":"p-1","status":"AUTHORIZED"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(http.StatusCreated)
				io.WriteString(w, tt.body)
			})
			if _, err := c.ProcessPayment(context.Background(), PaymentRequest{OperationID: "op"}); exitcode.Of(err) != exitcode.UnknownOutcome {
				t.Errorf("payment: %v (exit %d), want exit 5", err, exitcode.Of(err))
			}
			if _, err := c.RefundPayment(context.Background(), "p-1", PaymentRefundRequest{OperationID: "op"}); exitcode.Of(err) != exitcode.UnknownOutcome {
				t.Errorf("refund: %v (exit %d), want exit 5", err, exitcode.Of(err))
			}
			// A query's unusable answer: nothing changed, retry later.
			if _, err := c.GetRefund(context.Background(), "r-1", false); exitcode.Of(err) != exitcode.Unavailable {
				t.Errorf("refund read: %v (exit %d), want exit 6", err, exitcode.Of(err))
			}
			if _, err := c.BalanceInquiry(context.Background(), BalanceInquiryRequest{OperationID: "op"}); exitcode.Of(err) != exitcode.Unavailable {
				t.Errorf("balance inquiry: %v (exit %d), want exit 6", err, exitcode.Of(err))
			}
		})
	}
}

// A 5xx to a request that changes state came after the request was
// written: the outcome is unknown (exit 5). The same answer to a read is
// unavailable (exit 6), and so is a 429 to a mutation (refused).
func TestMutation5xxIsUnknown(t *testing.T) {
	mutations := map[string]func(*Client) error{
		"payment": func(c *Client) error {
			_, err := c.ProcessPayment(context.Background(), PaymentRequest{OperationID: "op-1"})
			return err
		},
		"capture": func(c *Client) error {
			_, err := c.CapturePayment(context.Background(), "pay:1", CaptureRequest{OperationID: "op-1"})
			return err
		},
		"increment": func(c *Client) error {
			_, err := c.IncrementPayment(context.Background(), "pay:1", IncrementRequest{OperationID: "op-1"})
			return err
		},
		"reversal": func(c *Client) error {
			_, err := c.ReverseAuthorization(context.Background(), "pay:1", PaymentReversalRequest{OperationID: "op-1"})
			return err
		},
		"refund": func(c *Client) error {
			_, err := c.RefundPayment(context.Background(), "pay:1", PaymentRefundRequest{OperationID: "op-1"})
			return err
		},
		"standalone refund": func(c *Client) error {
			_, err := c.StandaloneRefund(context.Background(), RefundRequest{OperationID: "op-1"})
			return err
		},
		"refund capture": func(c *Client) error {
			_, err := c.CaptureRefund(context.Background(), "pay:r", OperationRequest{OperationID: "op-1"})
			return err
		},
		"refund reversal": func(c *Client) error {
			_, err := c.ReverseRefund(context.Background(), "pay:r", OperationRequest{OperationID: "op-1"})
			return err
		},
		"account verification": func(c *Client) error {
			_, err := c.VerifyAccount(context.Background(), AccountVerificationRequest{OperationID: "op-1"})
			return err
		},
		"technical reversal": func(c *Client) error {
			_, err := c.TechnicalReversal(context.Background(), "op-0", TechnicalReversalRequest{OperationID: "op-1"})
			return err
		},
	}
	reads := map[string]func(*Client) error{
		"get payment": func(c *Client) error { _, err := c.GetPayment(context.Background(), "pay:1", true); return err },
		"get refund":  func(c *Client) error { _, err := c.GetRefund(context.Background(), "pay:r", true); return err },
		"balance inquiry": func(c *Client) error {
			_, err := c.BalanceInquiry(context.Background(), BalanceInquiryRequest{OperationID: "op-1"})
			return err
		},
		"dcc rate": func(c *Client) error {
			_, err := c.DCCRate(context.Background(), DCCRateRequest{OperationID: "op-1"})
			return err
		},
	}
	for _, status := range []int{500, 502, 503, 504} {
		c, _ := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, `{"title":"oops"}`)
		})
		for name, call := range mutations {
			err := call(c)
			var api *APIError
			if exitcode.Of(err) != exitcode.UnknownOutcome || !errors.As(err, &api) || !api.OutcomeUnknown() || !strings.Contains(err.Error(), "may or may not have processed it") {
				t.Errorf("%d to %s: %v (exit %d), want exit 5", status, name, err, exitcode.Of(err))
			}
		}
		for name, call := range reads {
			if err := call(c); exitcode.Of(err) != exitcode.Unavailable {
				t.Errorf("%d to %s: %v (exit %d), want exit 6", status, name, err, exitcode.Of(err))
			}
		}
	}
	c, _ := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(429) })
	if err := mutations["payment"](c); exitcode.Of(err) != exitcode.Unavailable {
		t.Errorf("429 to a payment: %v (exit %d), want 6", err, exitcode.Of(err))
	}
}

// Nothing written (the connection refused) is unavailable (6) even for
// a payment: nothing was sent.
func TestMutationNotSentIsUnavailable(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"tok","expires_in":300}`)
	}))
	t.Cleanup(server.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	apiURL := closed.URL
	closed.Close()
	c, err := New(Config{APIURL: apiURL, AcquirerID: "100812", MerchantID: "520002526", ClientID: "id",
		ClientSecret: "secret", TokenURL: server.URL + "/token", Integrator: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ProcessPayment(context.Background(), PaymentRequest{OperationID: "op-1"})
	var down *UnavailableError
	if exitcode.Of(err) != exitcode.Unavailable || !errors.As(err, &down) {
		t.Fatalf("refused connection to a payment: %v (exit %d), want 6", err, exitcode.Of(err))
	}
}
