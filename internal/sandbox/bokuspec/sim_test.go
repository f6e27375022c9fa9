package bokuspec

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// simPut sends a simulator request as Boku's guide writes it.
func (h *harness) simPut(path, body string) int {
	h.t.Helper()
	return h.sendAs(testMerchant, http.MethodPut, path, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+body, false).status
}

func TestSimulatorChargeBehavior(t *testing.T) {
	h := newHarness(t)
	id := h.activeOptin()
	path := "/merchant-api/gatewaymerchant-mte/hosted-optin/optin-id/" + id + "/charge-behavior"

	// Example 2 of the guide: insufficient funds.
	if st := h.simPut(path, `<charge-behavior error-code="3"/>`); st != http.StatusNoContent {
		t.Fatalf("charge-behavior: %d", st)
	}
	r := h.post("billing", "charge", chargeDoc(t, id, "sim-1", "100"))
	r.expect(t, "ERROR", "3")
	if r.text("charge-status") != "failed" || r.text("charge-id") == "" {
		t.Errorf("declined charge: %s", r.body)
	}
	// Re-sent: the billing error of an idempotent replay.
	h.post("billing", "charge", chargeDoc(t, id, "sim-1", "100")).expect(t, "ERROR", "107")
	// Not billed, so not refundable.
	h.post("billing", "refund-charge", strings.ReplaceAll(fixture(t, "refund_charge_request.xml"), exampleChargeID, r.text("charge-id"))).expect(t, "ERROR", "135")

	// A latency longer than the charge's timeout: 23, then final.
	h.simPut(path, `<charge-behavior error-code="0" latency="20000"/>`)
	r = h.post("billing", "charge", chargeDoc(t, id, "sim-2", "100"))
	r.expect(t, "OK", "23")
	sameShape(t, r, "charge_response_in_progress.xml")
	h.advance(21 * time.Second)
	again := h.post("billing", "charge", chargeDoc(t, id, "sim-2", "100"))
	again.expect(t, "OK", "0")
	if again.text("charge-id") != r.text("charge-id") || again.text("charge-status") != "success" {
		t.Errorf("settled charge: %s", again.body)
	}
	// A latency within the timeout answers the final state at once.
	h.simPut(path, `<charge-behavior error-code="0" latency="2000"/>`)
	h.post("billing", "charge", chargeDoc(t, id, "sim-3", "100")).expect(t, "OK", "0")

	// error-code 23: in progress forever.
	h.simPut(path, `<charge-behavior error-code="23"/>`)
	r = h.post("billing", "charge", chargeDoc(t, id, "sim-4", "100"))
	r.expect(t, "OK", "23")
	h.advance(24 * time.Hour)
	h.post("billing", "charge", chargeDoc(t, id, "sim-4", "100")).expect(t, "OK", "23")

	// The guide's other URL form.
	if st := h.simPut("/merchant-api/gatewaymerchant/optin-id/"+id+"/charge-behavior", `<charge-behavior error-code="0"/>`); st != http.StatusNoContent {
		t.Errorf("short form: %d", st)
	}
	// Someone else's merchant-id in the URL, an unknown opt-in, a bad body.
	if st := h.simPut("/merchant-api/other-mte/hosted-optin/optin-id/"+id+"/charge-behavior", `<charge-behavior error-code="0"/>`); st != http.StatusUnauthorized {
		t.Errorf("other merchant: %d", st)
	}
	if st := h.simPut("/merchant-api/gatewaymerchant-mte/hosted-optin/optin-id/nope/charge-behavior", `<charge-behavior error-code="0"/>`); st != http.StatusNotFound {
		t.Errorf("unknown optin: %d", st)
	}
	if st := h.simPut(path, `<charge-behavior latency="1"/>`); st != http.StatusBadRequest {
		t.Errorf("no error-code: %d", st)
	}
}

func TestSimulatorRefundBehavior(t *testing.T) {
	h := newHarness(t)
	id := h.activeOptin()
	ch := h.post("billing", "charge", chargeDoc(t, id, "sr-1", "1000"))
	base := strings.ReplaceAll(fixture(t, "refund_charge_request.xml"), exampleChargeID, ch.text("charge-id"))
	path := "/merchant-api/gatewaymerchant-mte/hosted-optin/optin-id/" + id + "/refund-behavior"

	h.simPut(path, `<refund-behavior error-code="144"/>`)
	r := h.post("billing", "refund-charge", replaceElem(base, "merchant-request-id", "sr-r1"))
	r.expect(t, "ERROR", "144")
	if r.text("refund-status") != "failed" {
		t.Errorf("failed refund: %s", r.body)
	}
	// In progress past the timeout, then success; the balance is held meanwhile.
	h.simPut(path, `<refund-behavior error-code="0" latency="30000"/>`)
	r = h.post("billing", "refund-charge", replaceElem(base, "merchant-request-id", "sr-r2"))
	r.expect(t, "OK", "23")
	if r.text("refund-status") != "in-progress" {
		t.Errorf("refund in progress: %s", r.body)
	}
	h.simPut(path, `<refund-behavior error-code="0"/>`)
	h.post("billing", "refund-charge", replaceElem(base, "merchant-request-id", "sr-r3")).expect(t, "ERROR", "145")
	h.advance(time.Minute)
	q := h.post("billing", "query-refund", replaceElem(fixture(t, "query_refund_request.xml"), "merchant-refund-id", "5853f0b3-e797-40a3-b299-1155ee7fe98d"))
	refunds := q.root.find("refunds").kids
	if len(refunds) != 2 {
		t.Fatalf("query-refund: %s", q.body)
	}
	if st := strings.TrimSpace(refunds[1].child("refund-status").text); st != "success" {
		t.Errorf("second refund %s", st)
	}
}

func TestSimulatorHostedOptin(t *testing.T) {
	h := newHarness(t)
	// Example 4 of the guide: failure during the optin call.
	if st := h.simPut("/merchant-api/gatewaymerchant/hosted-optin/1617746492637", `<hosted-optin-behavior response-code="900"/>`); st != http.StatusOK {
		t.Fatalf("plan: %d", st)
	}
	r := h.post("optin", "optin", fixture(t, "optin_request.xml"))
	r.expect(t, "ERROR", "900")
	if r.text("optin-id") != "" {
		t.Errorf("failed optin has an id: %s", r.body)
	}

	// fail-on-validate: the optin succeeds, validate answers the code.
	doc := replaceElem(fixture(t, "optin_request.xml"), "merchant-request-id", "plan-2")
	h.simPut("/merchant-api/gatewaymerchant/hosted-optin/plan-2", `<hosted-optin-behavior response-code="900" fail-on-validate="true"/>`)
	r = h.post("optin", "optin", doc)
	r.expect(t, "OK", "0")
	v := replaceElem(strings.ReplaceAll(fixture(t, "validate_optin_request.xml"), exampleOptinID, r.text("optin-id")), "merchant-request-id", "plan-2v")
	h.post("optin", "validate-optin", v).expect(t, "ERROR", "900")

	// Example 3: success without a browser, through the redirect URL,
	// with the consumer details the simulator sets.
	doc = replaceElem(fixture(t, "optin_request.xml"), "merchant-request-id", "plan-3")
	id := h.post("optin", "optin", doc).text("optin-id")
	if st := h.simPut("/merchant-api/gatewaymerchant-mte/hosted-optin/optin-id/"+id+"/redirect",
		`<hosted-optin-behavior response-code="0" account-identifier="testIdentifier" issuer-unique-user-id="testUserId"/>`); st != http.StatusOK {
		t.Fatalf("redirect: %d", st)
	}
	v = replaceElem(strings.ReplaceAll(fixture(t, "validate_optin_request.xml"), exampleOptinID, id), "merchant-request-id", "plan-3v")
	got := h.post("optin", "validate-optin", v)
	got.expect(t, "OK", "0")
	if got.text("optin-state/account-identifier") != "testIdentifier" || got.text("optin-state/issuer-unique-user-id") != "testUserId" {
		t.Errorf("validate: %s", got.body)
	}

	// send-redirection-result: the redirect is faked after the delay.
	doc = replaceElem(fixture(t, "optin_request.xml"), "merchant-request-id", "plan-4")
	h.simPut("/merchant-api/gatewaymerchant/hosted-optin/plan-4", `<hosted-optin-behavior response-code="0" send-redirection-result="true" send-redirection-result-delay-ms="1000"/>`)
	id = h.post("optin", "optin", doc).text("optin-id")
	v = strings.ReplaceAll(fixture(t, "validate_optin_request.xml"), exampleOptinID, id)
	h.post("optin", "validate-optin", replaceElem(v, "merchant-request-id", "plan-4a")).expect(t, "ERROR", "136")
	h.advance(time.Second)
	h.post("optin", "validate-optin", replaceElem(v, "merchant-request-id", "plan-4b")).expect(t, "OK", "0")
}

func TestHostedOptinPage(t *testing.T) {
	h := newHarness(t)
	r := h.post("optin", "optin", fixture(t, "optin_request.xml"))
	id := r.text("optin-id")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(r.text("hosted/optin-url"), map[string][]string{"response-code": {"0"}, "account-identifier": {"me@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://merchant.com/redirect/1617746492637" {
		t.Fatalf("consumer page: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	v := h.post("optin", "validate-optin", strings.ReplaceAll(fixture(t, "validate_optin_request.xml"), exampleOptinID, id))
	v.expect(t, "OK", "0")
	if v.text("optin-state/account-identifier") != "me@example.com" {
		t.Errorf("validate: %s", v.body)
	}
}

func TestChargeback(t *testing.T) {
	h := newHarness(t)
	id := h.activeOptin()
	ch := h.post("billing", "charge", chargeDoc(t, id, "cb-1", "548"))
	refundID, err := h.srv.Chargeback(ch.text("charge-id"), "", 20)
	if err != nil {
		t.Fatal(err)
	}
	q := h.post("billing", "query-refund", "<query-refund-request><country>JP</country><merchant-id>gatewaymerchant</merchant-id><refund-id>"+refundID+"</refund-id></query-refund-request>")
	if q.text("refunds/refund/type") != "chargeback" || q.text("refunds/refund/refund-amount") != "548.00" {
		t.Errorf("chargeback: %s", q.body)
	}
	h.post("billing", "refund-charge", strings.ReplaceAll(fixture(t, "refund_charge_request.xml"), exampleChargeID, ch.text("charge-id"))).expect(t, "ERROR", "145")
}
