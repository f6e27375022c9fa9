package bokuspec

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/sign"
)

// The sandbox's magic amounts, matched on minor units (JPY has none, so
// 6.66 is 666 here).
func TestMagicAmounts(t *testing.T) {
	h := newHarness(t)
	id := h.activeOptin()
	charge := func(mrid, amount string) reply {
		t.Helper()
		return h.sendAs(testMerchant, http.MethodPost, "/jp/billing/3.0/charge", chargeDoc(t, id, mrid, amount), true)
	}
	query := func(mrid string) reply {
		t.Helper()
		return h.post("billing", "query-charge", `<query-charge-request><country>JP</country><merchant-id>gatewaymerchant</merchant-id><merchant-request-id>`+mrid+`</merchant-request-id></query-charge-request>`)
	}

	r := charge("m-666", "666")
	r.expect(t, "ERROR", "3")
	if r.text("charge-status") != "failed" || r.text("result/message") != "Failed - Insufficient funds" {
		t.Errorf("6.66: %s", r.body)
	}
	r = charge("m-limit", "100000")
	r.expect(t, "ERROR", "29")
	if r.text("charge-status") != "failed" || r.text("result/message") != "amount over the per-charge limit" {
		t.Errorf("over the limit: %s", r.body)
	}
	charge("m-limit-ok", "99999").expect(t, "OK", "0")

	// 7.77 is in progress, also when re-sent, until query-charge asks.
	charge("m-777", "777").expect(t, "OK", "23")
	charge("m-777", "777").expect(t, "OK", "23")
	if q := query("m-777"); q.text("charges/charge/charge-status") != "success" {
		t.Errorf("7.77 queried: %s", q.body)
	}
	charge("m-777", "777").expect(t, "OK", "0")

	// 5.03: the first attempt is a 503 that records nothing.
	before := len(h.srv.accounts[testMerchant.ID].charges)
	if r := charge("m-503", "503"); r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") != "1" {
		t.Fatalf("5.03 first: %d %v", r.status, r.header)
	}
	if n := len(h.srv.accounts[testMerchant.ID].charges); n != before {
		t.Errorf("5.03 first recorded a charge")
	}
	charge("m-503", "503").expect(t, "OK", "0")

	// 13.13: recorded, the answer lost.
	if _, err := http.DefaultClient.Do(h.signed(context.Background(), "/jp/billing/3.0/charge", chargeDoc(t, id, "m-1313", "1313"))); err == nil {
		t.Errorf("13.13: an answer arrived")
	}
	if q := query("m-1313"); q.text("charges/charge/charge-status") != "success" {
		t.Errorf("13.13 not recorded: %s", q.body)
	}

	// 14.14: recorded, the answer held until the client gives up.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := http.DefaultClient.Do(h.signed(ctx, "/jp/billing/3.0/charge", chargeDoc(t, id, "m-1414", "1414"))); err == nil {
		t.Errorf("14.14: an answer arrived")
	}
	if time.Since(start) < 150*time.Millisecond {
		t.Errorf("14.14: the answer was not held")
	}
	if q := query("m-1414"); q.text("charges/charge/charge-status") != "success" {
		t.Errorf("14.14 not recorded: %s", q.body)
	}

	// 4.44: a corrupt signature the first time, a good one on a re-send.
	resp, err := http.DefaultClient.Do(h.signed(context.Background(), "/jp/billing/3.0/charge", chargeDoc(t, id, "m-444", "444")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if sig := resp.Header.Get("X-SignedResponse"); !strings.Contains(sig, strings.Repeat("0", 64)) {
		t.Errorf("4.44: signature %q", sig)
	}
	charge("m-444", "444").expect(t, "OK", "0") // the harness verifies the signature

	// A simulator behaviour takes the place of the outcome amounts.
	h.srv.accounts[testMerchant.ID].chargeBehavior[id] = behavior{code: rcOK}
	charge("m-666-sim", "666").expect(t, "OK", "0")
}

// signed is a signed POST of body to path, with ctx.
func (h *harness) signed(ctx context.Context, path, body string) *http.Request {
	h.t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.ts.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml;charset=utf-8")
	params, err := sign.Sign(sign.Message{Method: http.MethodPost, Target: req.URL.RequestURI(), Body: []byte(body)},
		testMerchant.Key, testMerchant.ID, testMerchant.KeyID, nil, h.now)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", params.String())
	return req
}

func TestBarredPaymentMethodAndSandboxIDs(t *testing.T) {
	h := newHarness(t)
	doc := replaceElem(replaceElem(fixture(t, "optin_request.xml"), "payment-method", BarredPaymentMethod), "merchant-request-id", "barred-1")
	r := h.post("optin", "optin", doc)
	r.expect(t, "ERROR", "4")
	if r.text("result/message") != "User barred" || r.text("optin-id") != "" {
		t.Errorf("barred: %s", r.body)
	}
	if again := h.post("optin", "optin", doc); again.body != r.body {
		t.Errorf("barred re-sent differs:\n%s\n%s", r.body, again.body)
	}

	id := h.activeOptin()
	if id != "oi-000001" { // the barred opt-in took no id
		t.Errorf("optin-id %s, want oi-000001", id)
	}
	c := h.post("billing", "charge", chargeDoc(t, id, "c-1", "100"))
	if c.text("charge-id") != "ch-000002" || c.text("network-id") != "jp-sandbox" {
		t.Errorf("charge: %s", c.body)
	}
	if ct := c.header.Get("Content-Type"); ct != "text/xml;charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}

	// Another request Content-Type is refused, unsigned.
	signed := h.signed(context.Background(), "/jp/billing/3.0/charge", chargeDoc(t, id, "c-2", "100"))
	signed.Header.Set("Content-Type", "application/json")
	r2 := h.do(signed)
	if r2.status != http.StatusBadRequest || r2.header.Get("X-SignedResponse") != "" || !strings.Contains(r2.body, "<reason-code>43</reason-code>") {
		t.Errorf("application/json: %d %s", r2.status, r2.body)
	}
}

// The /consent/{id} page approves an opt-in, or authorizes a single
// charge (6.66 fails), and redirects (302) to the forward-url.
func TestConsentPages(t *testing.T) {
	h := newHarness(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	visit := func(url string) (int, string) {
		t.Helper()
		resp, err := noFollow.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location")
	}
	o := h.post("optin", "optin", fixture(t, "optin_request.xml"))
	url := o.text("hosted/optin-url")
	if url != h.ts.URL+"/consent/"+o.text("optin-id") {
		t.Fatalf("optin-url %s", url)
	}
	if code, to := visit(url); code != http.StatusFound || to != "https://merchant.com/redirect/1617746492637" {
		t.Fatalf("consent: %d %s", code, to)
	}
	id := o.text("optin-id")
	h.post("optin", "validate-optin", strings.ReplaceAll(fixture(t, "validate_optin_request.xml"), exampleOptinID, id)).expect(t, "OK", "0")
	if code, _ := visit(url); code != http.StatusNotFound {
		t.Errorf("consent after validation: %d", code)
	}
	if code, _ := visit(h.ts.URL + "/consent/oi-999999"); code != http.StatusNotFound {
		t.Errorf("unknown: %d", code)
	}

	for _, c := range []struct{ amount, status string }{{"500", "success"}, {"666", "failed"}} {
		doc := replaceElem(replaceElem(fixture(t, "begin_single_charge_request.xml"), "total-amount", c.amount), "merchant-request-id", "s-"+c.amount)
		r := h.post("billing", "begin-single-charge", doc)
		if code, _ := visit(r.text("hosted/redirect-url")); code != http.StatusFound {
			t.Fatalf("authorize %s: %d", c.amount, code)
		}
		q := h.post("billing", "query-charge", `<query-charge-request><country>JP</country><merchant-id>gatewaymerchant</merchant-id><charge-id>`+r.text("charge-id")+`</charge-id></query-charge-request>`)
		if got := q.text("charges/charge/charge-status"); got != c.status {
			t.Errorf("single charge of %s: %s, want %s", c.amount, got, c.status)
		}
		if code, _ := visit(r.text("hosted/redirect-url")); code != http.StatusNotFound {
			t.Errorf("authorize %s again: %d", c.amount, code)
		}
	}
}

func TestHarnessHooks(t *testing.T) {
	h := newHarness(t)
	id := h.activeOptin()
	if h.srv.HasCharge(testMerchant.ID, "f-1") || h.srv.ChargeCount() != 0 {
		t.Fatal("a charge before any")
	}
	send := func(mrid string) (*http.Response, error) {
		return http.DefaultClient.Do(h.signed(context.Background(), "/jp/billing/3.0/charge", chargeDoc(t, id, mrid, "100")))
	}
	h.srv.SetFault("charge", FaultUnavailable)
	if resp, err := send("f-1"); err != nil || resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "" {
		t.Errorf("unavailable: %v %v", resp, err)
	}
	h.srv.SetFault("charge", FaultDrop)
	if _, err := send("f-1"); err == nil {
		t.Errorf("drop: an answer arrived")
	}
	if h.srv.HasCharge(testMerchant.ID, "f-1") {
		t.Errorf("drop or unavailable processed the charge")
	}
	h.srv.SetFault("charge", FaultLoseAnswer)
	if _, err := send("f-1"); err == nil {
		t.Errorf("lose-answer: an answer arrived")
	}
	if !h.srv.HasCharge(testMerchant.ID, "f-1") || h.srv.ChargeCount() != 1 {
		t.Errorf("lose-answer did not process the charge")
	}
	h.srv.SetFault("charge", FaultNone)
	c := h.post("billing", "charge", chargeDoc(t, id, "f-1", "100"))
	c.expect(t, "OK", "0")
	if h.srv.ChargeCount() != 1 {
		t.Errorf("the re-send charged again")
	}
	doc := strings.ReplaceAll(fixture(t, "refund_charge_request.xml"), exampleChargeID, c.text("charge-id"))
	h.post("billing", "refund-charge", replaceElem(doc, "refund-amount", "50")).expect(t, "OK", "0")
	if h.srv.RefundCount() != 1 {
		t.Errorf("RefundCount = %d", h.srv.RefundCount())
	}
}
