package bokudirect

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

const (
	testMerchant = "gatewaymerchant"
	testKeyID    = "key-1"
)

var testKey = []byte("test-key-not-a-secret")

// server answers every request with the fixture file (signed), after
// checking the request's signature, and records the last request.
type server struct {
	t        *testing.T
	fixture  string
	raw      string // the answer's body, instead of a fixture
	status   int
	unsigned bool
	path     string
	body     string
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.path, s.body = r.URL.Path, string(body)
	_, err := sign.Verify(sign.Message{Method: r.Method, Target: r.URL.RequestURI(),
		Headers: []sign.Header{{Name: "Content-Type", Value: r.Header.Get("Content-Type")}}, Body: body},
		r.Header.Get("Authorization"), func(p, k string) ([]byte, error) { return testKey, nil }, time.Now(), time.Minute)
	if err != nil {
		s.t.Errorf("request signature: %v", err)
	}
	if s.status != 0 && s.status != http.StatusOK {
		w.WriteHeader(s.status)
		return
	}
	resp := []byte(s.raw)
	if s.fixture != "" {
		var err error
		if resp, err = os.ReadFile("testdata/" + s.fixture); err != nil {
			s.t.Fatal(err)
		}
	}
	if !s.unsigned {
		p, _ := sign.Sign(sign.Message{Headers: []sign.Header{{Name: "Content-Type", Value: ContentType}}, Body: resp},
			testKey, testMerchant, testKeyID, []string{"Content-Type"}, time.Now())
		w.Header().Set("X-SignedResponse", p.String())
	}
	w.Header().Set("Content-Type", ContentType)
	w.Write(resp)
}

func newClient(t *testing.T, s *server) *Client {
	t.Helper()
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	c, err := New(Config{MerchantID: testMerchant, KeyID: testKeyID, Key: testKey, Country: "jp", BaseURL: ts.URL + "/boku/{country}"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func jpy(t *testing.T, v string) money.Amount {
	a, err := money.ParsePositive(v, "JPY")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestHosts(t *testing.T) {
	for env, want := range map[string]string{"": "https://gb-api4-stage.boku.com", Test: "https://gb-api4-stage.boku.com", Production: "https://gb-api4.boku.com"} {
		c, err := New(Config{MerchantID: "m", KeyID: "k", Key: []byte("x"), Country: "GB", Environment: env})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.URL("billing", "charge"); got != want+"/billing/3.0/charge" {
			t.Errorf("%q: %s", env, got)
		}
	}
}

func TestChargeSendsDecimalMajorUnitsAndNoCountry(t *testing.T) {
	s := &server{t: t, fixture: "charge-response-success.xml"}
	c := newClient(t, s)
	resp, err := c.Charge(context.Background(), ChargeRequest{MerchantRequestID: "1617747901845", MerchantTransactionID: "7dbe2a1f",
		MerchantItemDescription: "Puzzle game", OptinID: "D4q4jgAAAABTRwAAAAAAAA", Currency: "JPY", TotalAmount: WireAmount(jpy(t, "548")),
		Timeout: &Timeout{After: 10000}})
	if err != nil {
		t.Fatal(err)
	}
	if s.path != "/boku/jp/billing/3.0/charge" {
		t.Errorf("path %s", s.path)
	}
	for _, want := range []string{"<charge-request>", "<merchant-id>gatewaymerchant</merchant-id>", "<total-amount>548</total-amount>", `<timeout after="10000"></timeout>`} {
		if !strings.Contains(s.body, want) {
			t.Errorf("request lacks %s:\n%s", want, s.body)
		}
	}
	if strings.Contains(s.body, "<country>") {
		t.Errorf("a charge has no country element:\n%s", s.body)
	}
	if resp.ChargeID != "72e6xii7srxdbf6ggkwkxwpk" || resp.ChargeStatus != "success" || resp.NetworkID != "jp-super" {
		t.Errorf("response %+v", resp)
	}
}

func TestChargeInProgressIsPendingWithRetryDelay(t *testing.T) {
	c := newClient(t, &server{t: t, fixture: "charge-response-in-progress.xml"})
	resp, err := c.Charge(context.Background(), ChargeRequest{TotalAmount: "548", Currency: "JPY"})
	var api *APIError
	if !errors.As(err, &api) || exitcode.Of(err) != exitcode.Pending || api.RetryDelay() != 5*time.Second {
		t.Fatalf("err %v (exit %d)", err, exitcode.Of(err))
	}
	if resp.ChargeStatus != "in-progress" || resp.ChargeID == "" {
		t.Errorf("the in-progress answer is still returned: %+v", resp)
	}
}

func TestQueryChargeReadsTheWrapperAndExactAmounts(t *testing.T) {
	s := &server{t: t, fixture: "query-charge-response-single-failed.xml"}
	c := newClient(t, s)
	resp, err := c.QueryCharge(context.Background(), QueryChargeRequest{MerchantTransactionID: "7dbe2a1f"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.body, "<country>JP</country>") {
		t.Errorf("query-charge names the country:\n%s", s.body)
	}
	if len(resp.Charges) != 1 {
		t.Fatalf("charges %+v", resp.Charges)
	}
	ch := resp.Charges[0]
	if ch.Result.OK() || ExitCode(ch.Result) != exitcode.Declined || ch.ChargeStatus != "failed" {
		t.Errorf("charge %+v", ch)
	}
	amount, err := ParseWireAmount(ch.TotalAmount, ch.Currency)
	if err != nil || amount.MinorUnits != 548 {
		t.Errorf("amount %v %v", amount, err)
	}

	none := newClient(t, &server{t: t, fixture: "query-charge-response-none.xml"})
	resp, err = none.QueryCharge(context.Background(), QueryChargeRequest{ChargeID: "x"})
	if err != nil || len(resp.Charges) != 0 || resp.Result.Message != "Found 0 result(s)" {
		t.Errorf("found 0: %+v %v", resp, err)
	}
}

func TestOptinFlow(t *testing.T) {
	s := &server{t: t, fixture: "optin-response.xml"}
	c := newClient(t, s)
	resp, err := c.Optin(context.Background(), OptinRequest{MerchantRequestID: "1617746492637", PaymentMethod: "superwallet",
		Hosted: Hosted{ForwardURL: "https://merchant.com/redirect/1"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<optin-request>", "<country>JP</country>", "<optin-type>hosted</optin-type>", "<forward-url>https://merchant.com/redirect/1</forward-url>"} {
		if !strings.Contains(s.body, want) {
			t.Errorf("request lacks %s:\n%s", want, s.body)
		}
	}
	if resp.OptinID != "D4q4jgAAAABTRwAAAAAAAA" || resp.OptinState.Status != "pending-validate" || resp.OptinURL != "https://www.issuer.com/optin/1617746492637" {
		t.Errorf("optin %+v", resp)
	}
	s.fixture = "validate-optin-response.xml"
	resp, err = c.ValidateOptin(context.Background(), ValidateOptinRequest{MerchantRequestID: "2", OptinID: resp.OptinID})
	if err != nil || resp.OptinState.Status != "pending-confirm" || resp.OptinState.AccountIdentifier != "te****st@boku.com" {
		t.Errorf("validate %+v %v", resp, err)
	}
	s.fixture = "confirm-optin-response.xml"
	resp, err = c.ConfirmOptin(context.Background(), ConfirmOptinRequest{MerchantRequestID: "3", OptinID: resp.OptinID})
	if err != nil || resp.OptinState.Status != "active" {
		t.Errorf("confirm %+v %v", resp, err)
	}
	s.fixture = "cancel-optin-response-failed.xml"
	_, err = c.CancelOptin(context.Background(), CancelOptinRequest{MerchantRequestID: "4", OptinID: "nope"})
	if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "Optin Not Found (reason code 125)") {
		t.Errorf("cancel of an unknown opt-in: %v", err)
	}
}

func TestReverseRefundAndQueries(t *testing.T) {
	s := &server{t: t, fixture: "reverse-charge-response.xml"}
	c := newClient(t, s)
	rev, err := c.ReverseCharge(context.Background(), ReverseChargeRequest{MerchantRequestID: "1617752349641"})
	if err != nil || rev.ReversalID != "1119929700437721088" {
		t.Fatalf("reverse %+v %v", rev, err)
	}
	if strings.Contains(s.body, "charge-id") || !strings.Contains(s.body, "<merchant-request-id>1617752349641</merchant-request-id>") {
		t.Errorf("reverse-charge is keyed by the original merchant-request-id only:\n%s", s.body)
	}
	s.fixture = "refund-charge-response.xml"
	code, _ := RefundReason("fraud")
	ref, err := c.RefundCharge(context.Background(), RefundChargeRequest{MerchantRequestID: "r1", MerchantRefundID: "5853f0b3", ChargeID: "72e6", ReasonCode: code})
	if err != nil || ref.RefundID != "1119926629536104448" || ref.RefundStatus != "success" {
		t.Fatalf("refund %+v %v", ref, err)
	}
	if !strings.Contains(s.body, "<reason-code>20</reason-code>") || strings.Contains(s.body, "refund-amount") {
		t.Errorf("a full refund sends the reason and no amount:\n%s", s.body)
	}
	s.fixture = "query-refund-response-single.xml"
	q, err := c.QueryRefund(context.Background(), QueryRefundRequest{MerchantRefundID: "5853f0b3"})
	if err != nil || len(q.Refunds) != 1 || q.Refunds[0].Type != "refund" || q.Refunds[0].RefundAmount != "548.00" {
		t.Fatalf("query-refund %+v %v", q, err)
	}
	s.fixture = "begin-single-charge-response.xml"
	b, err := c.BeginSingleCharge(context.Background(), BeginSingleChargeRequest{MerchantRequestID: "b1", MerchantItemDescription: "Puzzle game",
		Currency: "JPY", TotalAmount: "548", PaymentMethod: "superwallet", ChargeType: "hosted", Hosted: Hosted{ForwardURL: "https://m/r"}})
	if err != nil || b.RedirectURL != "https://www.superwallet.com/authorize" {
		t.Fatalf("begin-single-charge %+v %v", b, err)
	}
}

func TestFailuresMapToTheExitContract(t *testing.T) {
	invalid := `<?xml version="1.0"?><charge-response><result status="ERROR"><reason-code>43</reason-code><message>Invalid request</message><retriable>false</retriable>` +
		`<invalid-request-fields><field path="totalAmount" reason="must be greater than 0"/></invalid-request-fields></result></charge-response>`
	for _, tc := range []struct {
		name     string
		s        *server
		body     string
		mutation bool
		want     exitcode.Code
		message  string
	}{
		{"401", &server{status: 401}, "", true, exitcode.Auth, "authentication failed"},
		{"unsigned 200 to a charge", &server{fixture: "charge-response-success.xml", unsigned: true}, "", true, exitcode.UnknownOutcome, "signature is not valid"},
		{"unsigned 200 to a query", &server{fixture: "query-charge-response-none.xml", unsigned: true}, "", false, exitcode.Auth, "signature is not valid"},
		{"503", &server{status: 503}, "", true, exitcode.Unavailable, "unavailable"},
		{"502 to a charge", &server{status: 502}, "", true, exitcode.UnknownOutcome, "HTTP 502"},
		{"502 to a query", &server{status: 502}, "", false, exitcode.Unavailable, "HTTP 502"},
		{"43 names the field", nil, invalid, true, exitcode.Usage, "invalid: totalAmount: must be greater than 0"},
		{"not XML", nil, "<html>", true, exitcode.UnknownOutcome, "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s
			if s == nil {
				s = &server{raw: tc.body}
			}
			s.t = t
			c := newClient(t, s)
			var err error
			if tc.mutation {
				_, err = c.Charge(context.Background(), ChargeRequest{TotalAmount: "1", Currency: "JPY"})
			} else {
				_, err = c.QueryCharge(context.Background(), QueryChargeRequest{ChargeID: "x"})
			}
			if exitcode.Of(err) != tc.want || err == nil || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("got %v (exit %d), want exit %d with %q", err, exitcode.Of(err), tc.want, tc.message)
			}
		})
	}
}

func TestLostAnswerToAChargeIsUnknown(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}))
	defer ts.Close()
	c, _ := New(Config{MerchantID: testMerchant, KeyID: testKeyID, Key: testKey, Country: "gb", BaseURL: ts.URL})
	_, err := c.Charge(context.Background(), ChargeRequest{TotalAmount: "1", Currency: "GBP"})
	var unknown *UnknownOutcomeError
	if !errors.As(err, &unknown) || exitcode.Of(err) != exitcode.UnknownOutcome {
		t.Errorf("charge: %v", err)
	}
	_, err = c.QueryCharge(context.Background(), QueryChargeRequest{ChargeID: "x"})
	if exitcode.Of(err) != exitcode.Unavailable {
		t.Errorf("query: %v", err)
	}

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	c, _ = New(Config{MerchantID: testMerchant, KeyID: testKeyID, Key: testKey, Country: "gb", BaseURL: "http://" + addr})
	if _, err := c.Charge(context.Background(), ChargeRequest{TotalAmount: "1", Currency: "GBP"}); exitcode.Of(err) != exitcode.Unavailable {
		t.Errorf("nothing listening: %v", err)
	}
}

func TestRetryResendsTheSameRequestOnlyWhenAsked(t *testing.T) {
	var bodies []string
	s := &server{fixture: "charge-response-success.xml"}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(body))
		if len(bodies) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		s.ServeHTTP(w, r)
	}))
	defer ts.Close()
	s.t = t
	for _, retries := range []int{0, 1} {
		bodies = nil
		c, _ := New(Config{MerchantID: testMerchant, KeyID: testKeyID, Key: testKey, Country: "jp", BaseURL: ts.URL, Retry: RetryPolicy{MaxRetries: retries}})
		_, err := c.Charge(context.Background(), ChargeRequest{MerchantRequestID: "r1", TotalAmount: "548", Currency: "JPY"})
		switch {
		case retries == 0 && exitcode.Of(err) != exitcode.Unavailable:
			t.Errorf("no retries: %v", err)
		case retries == 1 && (err != nil || len(bodies) != 2 || bodies[0] != bodies[1]):
			t.Errorf("one retry: %v, %d requests", err, len(bodies))
		}
	}
}
