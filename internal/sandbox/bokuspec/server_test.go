package bokuspec

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestSpecExamples runs every call with the spec's own example request and
// checks each answer against the spec's example response's shape.
func TestSpecExamples(t *testing.T) {
	h := newHarness(t)

	optin := h.post("optin", "optin", fixture(t, "optin_request.xml"))
	optin.expect(t, "OK", "0")
	sameShape(t, optin, "optin_response.xml")
	id := optin.text("optin-id")
	if optin.text("optin-state/optin-status") != "pending-validate" || len(id) == 0 || len(id) > 24 {
		t.Fatalf("optin: %s", optin.body)
	}
	if url := optin.text("hosted/optin-url"); !strings.HasPrefix(url, h.ts.URL+"/consent/oi-") {
		t.Errorf("optin-url %q", url)
	}
	sub := func(name string) string { return strings.ReplaceAll(fixture(t, name), exampleOptinID, id) }

	// Before the consumer is back from the hosted page: not verified.
	early := h.post("optin", "validate-optin", replaceElem(sub("validate_optin_request.xml"), "merchant-request-id", "early-1"))
	early.expect(t, "ERROR", "136")

	if err := h.srv.ApproveOptin(id); err != nil {
		t.Fatal(err)
	}
	v := h.post("optin", "validate-optin", sub("validate_optin_request.xml"))
	v.expect(t, "OK", "0")
	sameShape(t, v, "validate_optin_response.xml")
	if v.text("optin-state/optin-status") != "pending-confirm" {
		t.Errorf("validate: %s", v.body)
	}

	c := h.post("optin", "confirm-optin", sub("confirm_optin_request.xml"))
	c.expect(t, "OK", "0")
	sameShape(t, c, "confirm_optin_response.xml")
	if c.text("optin-state/optin-status") != "active" {
		t.Errorf("confirm: %s", c.body)
	}

	ch := h.post("billing", "charge", sub("charge_request_sync.xml"))
	ch.expect(t, "OK", "0")
	sameShape(t, ch, "charge_response.xml")
	chargeID := ch.text("charge-id")
	if ch.text("charge-status") != "success" || ch.text("country") != "JP" || ch.text("network-id") != "jp-sandbox" {
		t.Errorf("charge: %s", ch.body)
	}

	q := h.post("billing", "query-charge", fixture(t, "query_charge_request.xml"))
	q.expect(t, "OK", "0")
	sameShape(t, q, "query_charge_response.xml")
	if q.text("result/message") != "Found 1 result(s)" || q.text("charges/charge/charge-id") != chargeID ||
		q.text("charges/charge/total-amount") != "548.00" || q.text("charges/charge/currency") != "JPY" {
		t.Errorf("query-charge: %s", q.body)
	}

	rf := h.post("billing", "refund-charge", strings.ReplaceAll(fixture(t, "refund_charge_request.xml"), exampleChargeID, chargeID))
	rf.expect(t, "OK", "0")
	sameShape(t, rf, "refund_charge_response.xml")
	if rf.text("refund-status") != "success" || rf.text("charge-id") != chargeID {
		t.Errorf("refund-charge: %s", rf.body)
	}

	qr := h.post("billing", "query-refund", fixture(t, "query_refund_request.xml"))
	qr.expect(t, "OK", "0")
	sameShape(t, qr, "query_refund_response.xml")
	if qr.text("refunds/refund/refund-amount") != "548.00" || qr.text("refunds/refund/type") != "refund" ||
		qr.text("refunds/refund/reason-code") != "20" || qr.text("refunds/refund/refund-id") != rf.text("refund-id") {
		t.Errorf("query-refund: %s", qr.body)
	}

	// The example reverses a merchant-request-id Boku never saw: OK.
	rv := h.post("billing", "reverse-charge", fixture(t, "reverse_charge_request.xml"))
	rv.expect(t, "OK", "0")
	sameShape(t, rv, "reverse_charge_response.xml")

	cn := h.post("optin", "cancel-optin", sub("cancel_optin_request.xml"))
	cn.expect(t, "OK", "0")
	sameShape(t, cn, "cancel_optin_response.xml")
	if cn.text("optin-state/optin-status") != "closed" {
		t.Errorf("cancel: %s", cn.body)
	}

	// Nothing found.
	none := h.post("billing", "query-charge", replaceElem(fixture(t, "query_charge_request.xml"), "merchant-transaction-id", "nope"))
	none.expect(t, "OK", "0")
	sameShape(t, none, "query_charge_response_none.xml")
	if none.text("result/message") != "Found 0 result(s)" {
		t.Errorf("query-charge none: %s", none.body)
	}
	noneR := h.post("billing", "query-refund", replaceElem(fixture(t, "query_refund_request.xml"), "merchant-refund-id", "nope"))
	sameShape(t, noneR, "query_refund_response_none.xml")

	// The cancel example's "125 - Optin Not Found".
	nf := h.post("optin", "cancel-optin", replaceElem(fixture(t, "cancel_optin_request.xml"), "merchant-request-id", "cancel-2"))
	nf.expect(t, "ERROR", "125")
	sameShape(t, nf, "cancel_optin_response_not_found.xml")
}

func TestChargeExamplesAsyncAndSubscription(t *testing.T) {
	h := newHarness(t)
	id := h.activeOptin()
	for i, name := range []string{"charge_request_async.xml", "charge_request_subscription.xml"} {
		doc := replaceElem(strings.ReplaceAll(fixture(t, name), exampleOptinID, id), "merchant-request-id", "mrid-"+string(rune('a'+i)))
		r := h.post("billing", "charge", doc)
		r.expect(t, "OK", "0")
		sameShape(t, r, "charge_response.xml")
	}
}

func TestBeginSingleCharge(t *testing.T) {
	h := newHarness(t)
	doc := fixture(t, "begin_single_charge_request.xml")
	r := h.post("billing", "begin-single-charge", doc)
	r.expect(t, "OK", "23")
	if r.text("charge-status") != "in-progress" || !strings.HasPrefix(r.text("hosted/redirect-url"), h.ts.URL+"/consent/ch-") {
		t.Fatalf("begin-single-charge: %s", r.body)
	}
	id := r.text("charge-id")

	// The consumer authorises at redirect-url and returns to forward-url.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(r.text("hosted/redirect-url"), map[string][]string{"response-code": {"0"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://merchant.com/redirect/1617747901845" {
		t.Fatalf("consumer page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	again := h.post("billing", "begin-single-charge", doc)
	again.expect(t, "OK", "0")
	sameShape(t, again, "begin_single_charge_response.xml")
	if again.text("charge-id") != id || again.text("charge-status") != "success" {
		t.Errorf("replay: %s", again.body)
	}
	q := h.post("billing", "query-charge", fixture(t, "query_charge_request.xml"))
	if q.text("charges/charge/charge-status") != "success" || q.text("charges/charge/charge-id") != id {
		t.Errorf("query-charge: %s", q.body)
	}
}

// TestMissingRequired removes each required element (spec required: lists)
// and expects 43 naming it.
func TestMissingRequired(t *testing.T) {
	cases := []struct {
		family, call, fixture string
		elements              []string
	}{
		{"optin", "optin", "optin_request.xml", []string{"country", "merchant-id", "merchant-request-id", "payment-method", "optin-type", "hosted", "forward-url"}},
		{"optin", "validate-optin", "validate_optin_request.xml", []string{"country", "merchant-id", "merchant-request-id", "optin-type", "optin-id"}},
		{"optin", "confirm-optin", "confirm_optin_request.xml", []string{"country", "merchant-id", "merchant-request-id", "optin-id"}},
		{"optin", "cancel-optin", "cancel_optin_request.xml", []string{"country", "merchant-id", "merchant-request-id", "optin-id"}},
		{"billing", "charge", "charge_request_sync.xml", []string{"merchant-id", "merchant-request-id", "merchant-transaction-id", "merchant-item-description", "optin-id", "currency", "total-amount"}},
		{"billing", "query-charge", "query_charge_request.xml", []string{"country", "merchant-id"}},
		{"billing", "reverse-charge", "reverse_charge_request.xml", []string{"country", "merchant-id", "merchant-request-id"}},
		{"billing", "begin-single-charge", "begin_single_charge_request.xml", []string{"country", "merchant-id", "merchant-request-id", "merchant-item-description", "currency", "total-amount", "payment-method", "hosted", "forward-url"}},
		{"billing", "refund-charge", "refund_charge_request.xml", []string{"country", "merchant-id", "merchant-request-id", "merchant-refund-id", "charge-id", "reason-code"}},
		{"billing", "query-refund", "query_refund_request.xml", []string{"country", "merchant-id"}},
	}
	queryOptin := `<query-optin-request><country>JP</country><merchant-id>gatewaymerchant</merchant-id><optin-id>x</optin-id></query-optin-request>`
	for _, el := range []string{"country", "merchant-id", "optin-id"} {
		h := newHarness(t)
		r := h.post("optin", "query-optin", without(queryOptin, el))
		r.expect(t, "ERROR", "43")
		if f := invalidFieldsOf(r); len(f) != 1 || f[0] != camelPath(el)+"=may not be null" {
			t.Errorf("query-optin without %s: %v", el, f)
		}
	}
	for _, tc := range cases {
		for _, el := range tc.elements {
			t.Run(tc.call+"/"+el, func(t *testing.T) {
				h := newHarness(t)
				r := h.post(tc.family, tc.call, without(fixture(t, tc.fixture), el))
				r.expect(t, "ERROR", "43")
				want := camelPath(el)
				if el == "forward-url" {
					want = "hosted.forwardUrl"
				}
				fields := invalidFieldsOf(r)
				if len(fields) != 1 || fields[0] != want+"=may not be null" {
					t.Errorf("invalid-request-fields %v, want %s=may not be null\n%s", fields, want, r.body)
				}
				if r.root.name != tc.call+"-response" {
					t.Errorf("root %s", r.root.name)
				}
			})
		}
	}
}

func TestMalformedFields(t *testing.T) {
	h := newHarness(t)
	id := h.activeOptin()
	for _, tc := range []struct{ amount, field string }{
		{"5.5", "totalAmount"},     // JPY has no minor unit
		{"548.001", "totalAmount"}, // non-zero beyond the exponent
		{"1e3", "totalAmount"},
		{"-5", "totalAmount"},
		{"0", "totalAmount"},
		{"5,00", "totalAmount"},
	} {
		r := h.post("billing", "charge", chargeDoc(t, id, "m-"+tc.amount, tc.amount))
		r.expect(t, "ERROR", "43")
		if f := invalidFieldsOf(r); len(f) != 1 || !strings.HasPrefix(f[0], tc.field+"=") {
			t.Errorf("%s: fields %v", tc.amount, f)
		}
	}
	doc := replaceElem(chargeDoc(t, id, "m-cur", "5"), "currency", "jpy")
	if f := invalidFieldsOf(h.post("billing", "charge", doc)); len(f) != 1 || !strings.HasPrefix(f[0], "currency=") {
		t.Errorf("lower-case currency: %v", f)
	}
	doc = strings.Replace(chargeDoc(t, id, "m-to", "5"), `after="10000"`, `after="60001"`, 1)
	if f := invalidFieldsOf(h.post("billing", "charge", doc)); len(f) != 1 || f[0] != "timeout.after=must be between 0 and 60000" {
		t.Errorf("timeout: %v", f)
	}
	// Unknown elements are ignored.
	doc = strings.Replace(chargeDoc(t, id, "m-extra", "5"), "<currency>", "<future-element a=\"1\">x</future-element><currency>", 1)
	h.post("billing", "charge", doc).expect(t, "OK", "0")
	// Not the call's document at all.
	h.post("billing", "charge", "<charge>").expect(t, "ERROR", "43")
	h.post("billing", "charge", fixture(t, "optin_request.xml")).expect(t, "ERROR", "43")
	// Refund reason codes: Boku's six only.
	ch := h.post("billing", "charge", chargeDoc(t, id, "m-rc", "100"))
	rdoc := strings.ReplaceAll(fixture(t, "refund_charge_request.xml"), exampleChargeID, ch.text("charge-id"))
	for _, code := range []string{"3", "8", "19", "22", "33"} {
		d := replaceElem(replaceElem(rdoc, "reason-code", code), "merchant-request-id", "rc-"+code)
		d = strings.Replace(d, "<reason-code>", "<refund-amount>1</refund-amount><reason-code>", 1)
		h.post("billing", "refund-charge", d).expect(t, "OK", "0")
	}
	for _, code := range []string{"23", "1", "x"} {
		r := h.post("billing", "refund-charge", replaceElem(replaceElem(rdoc, "reason-code", code), "merchant-request-id", "bad-"+code))
		r.expect(t, "ERROR", "43")
		if f := invalidFieldsOf(r); len(f) != 1 || !strings.HasPrefix(f[0], "reasonCode=") {
			t.Errorf("reason %s: %v", code, f)
		}
	}
}

func TestAmountsInCurrencyExponent(t *testing.T) {
	h := newHarness(t)
	// Each currency is charged on an opt-in of a country that takes it.
	optins := map[string]string{}
	for _, cc := range []string{"jp", "gb", "kw"} {
		optins[cc] = h.activeOptinIn(cc)
	}
	for _, tc := range []struct{ country, currency, in, out string }{
		{"jp", "JPY", "548", "548.00"},
		{"jp", "JPY", "548.00", "548.00"},
		{"gb", "GBP", "4.99", "4.99"},
		{"kw", "KWD", "1.250", "1.250"},
		{"kw", "KWD", "1.25", "1.250"},
	} {
		doc := replaceElem(chargeDoc(t, optins[tc.country], "a-"+tc.currency+tc.in, tc.in), "currency", tc.currency)
		doc = replaceElem(doc, "merchant-transaction-id", "tx-"+tc.currency+tc.in)
		h.postIn(tc.country, "billing", "charge", doc).expect(t, "OK", "0")
		q := h.postIn(tc.country, "billing", "query-charge", inCountry(replaceElem(fixture(t, "query_charge_request.xml"), "merchant-transaction-id", "tx-"+tc.currency+tc.in), tc.country))
		if got := q.text("charges/charge/total-amount"); got != tc.out {
			t.Errorf("%s %s: total-amount %s, want %s", tc.in, tc.currency, got, tc.out)
		}
	}
}

func TestIdempotentReplay(t *testing.T) {
	h := newHarness(t)
	first := h.post("optin", "optin", fixture(t, "optin_request.xml"))
	h.advance(time.Minute)
	second := h.post("optin", "optin", fixture(t, "optin_request.xml"))
	if first.body != second.body {
		t.Errorf("optin replay differs:\n%s\n%s", first.body, second.body)
	}
	id := first.text("optin-id")
	h.srv.ApproveOptin(id)
	h.post("optin", "validate-optin", strings.ReplaceAll(fixture(t, "validate_optin_request.xml"), exampleOptinID, id))
	h.post("optin", "confirm-optin", strings.ReplaceAll(fixture(t, "confirm_optin_request.xml"), exampleOptinID, id))

	doc := chargeDoc(t, id, "idem-1", "548")
	a := h.post("billing", "charge", doc)
	// Same content, amount written differently, different timeout: same charge.
	b := h.post("billing", "charge", strings.Replace(replaceElem(doc, "total-amount", "548.00"), `after="10000"`, `after="0"`, 1))
	a.expect(t, "OK", "0")
	b.expect(t, "OK", "0")
	if a.text("charge-id") != b.text("charge-id") {
		t.Errorf("replay made a second charge: %s vs %s", a.text("charge-id"), b.text("charge-id"))
	}
	q := h.post("billing", "query-charge", fixture(t, "query_charge_request.xml"))
	if n := len(q.root.find("charges").kids); n != 1 {
		t.Errorf("%d charges after a replay", n)
	}
}

func TestConflict124(t *testing.T) {
	h := newHarness(t)
	id := h.activeOptin()
	h.post("billing", "charge", chargeDoc(t, id, "c-1", "100")).expect(t, "OK", "0")
	h.post("billing", "charge", chargeDoc(t, id, "c-1", "101")).expect(t, "ERROR", "124")
	// A merchant-request-id of an optin call re-used for a charge.
	h.post("billing", "charge", chargeDoc(t, id, "1617746492637", "100")).expect(t, "ERROR", "124")
	// ... and for a reversal.
	h.post("billing", "reverse-charge", replaceElem(fixture(t, "reverse_charge_request.xml"), "merchant-request-id", "1617746492637")).expect(t, "ERROR", "124")
	// Opt-in calls too.
	other := replaceElem(fixture(t, "optin_request.xml"), "payment-method", "otherwallet")
	h.post("optin", "optin", other).expect(t, "ERROR", "124")
}

func TestRefunds146And145(t *testing.T) {
	h := newHarness(t)
	id := h.activeOptinIn("gb") // GBP is charged on an opt-in of GB
	ch := h.postIn("gb", "billing", "charge", replaceElem(replaceElem(chargeDoc(t, id, "r-1", "10.00"), "currency", "GBP"), "total-amount", "10.00"))
	ch.expect(t, "OK", "0")
	base := inCountry(strings.ReplaceAll(fixture(t, "refund_charge_request.xml"), exampleChargeID, ch.text("charge-id")), "gb")
	refund := func(mrid, amount string) reply {
		d := replaceElem(base, "merchant-request-id", mrid)
		if amount != "" {
			d = strings.Replace(d, "<timeout", "<currency>GBP</currency><refund-amount>"+amount+"</refund-amount><timeout", 1)
		}
		return h.postIn("gb", "billing", "refund-charge", d)
	}
	refund("rf-1", "4.00").expect(t, "OK", "0")
	refund("rf-2", "6.01").expect(t, "ERROR", "146")
	refund("rf-1", "4.00").expect(t, "OK", "0") // replay, not a second refund
	refund("rf-3", "6.00").expect(t, "OK", "0")
	refund("rf-4", "0.01").expect(t, "ERROR", "145")
	refund("rf-5", "").expect(t, "ERROR", "145")
	// Unknown charge.
	h.postIn("gb", "billing", "refund-charge", strings.ReplaceAll(replaceElem(base, "merchant-request-id", "rf-6"), ch.text("charge-id"), "nosuchcharge")).expect(t, "ERROR", "133")
	// Another currency than the charge's.
	r := h.postIn("gb", "billing", "refund-charge", strings.Replace(replaceElem(base, "merchant-request-id", "rf-7"), "<timeout", "<currency>JPY</currency><timeout", 1))
	r.expect(t, "ERROR", "43")
}

func TestReversal(t *testing.T) {
	h := newHarness(t)
	id := h.activeOptin()
	ch := h.post("billing", "charge", chargeDoc(t, id, "rev-1", "100"))
	rev := func(mrid string) reply {
		return h.post("billing", "reverse-charge", replaceElem(fixture(t, "reverse_charge_request.xml"), "merchant-request-id", mrid))
	}
	h.advance(59 * time.Minute)
	r := rev("rev-1")
	r.expect(t, "OK", "0")
	if r.text("charge-id") != ch.text("charge-id") || r.text("reversal-id") == "" {
		t.Errorf("reverse: %s", r.body)
	}
	q := h.post("billing", "query-charge", replaceElem(fixture(t, "query_charge_request.xml"), "merchant-transaction-id", "7dbe2a1f-b197-4390-8c8a-14d73f64a52d"))
	if q.text("charges/charge/reversal/reversal-id") != r.text("reversal-id") {
		t.Errorf("query-charge shows no reversal: %s", q.body)
	}
	// Re-sending the charge, or refunding it: 130.
	h.post("billing", "charge", chargeDoc(t, id, "rev-1", "100")).expect(t, "ERROR", "130")
	h.post("billing", "refund-charge", strings.ReplaceAll(fixture(t, "refund_charge_request.xml"), exampleChargeID, ch.text("charge-id"))).expect(t, "ERROR", "130")
	// A reversal before the charge arrives blocks the charge.
	rev("rev-2").expect(t, "OK", "0")
	h.post("billing", "charge", chargeDoc(t, id, "rev-2", "100")).expect(t, "ERROR", "130")

	// After one hour: 132.
	h.post("billing", "charge", chargeDoc(t, id, "rev-3", "100")).expect(t, "OK", "0")
	h.advance(time.Hour + time.Second)
	rev("rev-3").expect(t, "ERROR", "132")

	// A refunded charge cannot be reversed: 131.
	ch4 := h.post("billing", "charge", chargeDoc(t, id, "rev-4", "100"))
	h.post("billing", "refund-charge", replaceElem(strings.ReplaceAll(fixture(t, "refund_charge_request.xml"), exampleChargeID, ch4.text("charge-id")), "merchant-request-id", "rf-rev-4")).expect(t, "OK", "0")
	rev("rev-4").expect(t, "ERROR", "131")
}

func TestAuthentication401(t *testing.T) {
	h := newHarness(t)
	body := fixture(t, "optin_request.xml")
	cases := map[string]Merchant{
		"bad key":         {ID: testMerchant.ID, KeyID: testMerchant.KeyID, Key: []byte("wrong")},
		"unknown partner": {ID: "someoneelse", KeyID: testMerchant.KeyID, Key: testMerchant.Key},
		"unknown key id":  {ID: testMerchant.ID, KeyID: "key-2", Key: testMerchant.Key},
	}
	for name, m := range cases {
		r := h.sendAs(m, http.MethodPost, "/jp/optin/3.0/optin", body, true)
		if r.status != http.StatusUnauthorized || r.header.Get("X-SignedResponse") != "" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
			t.Errorf("%s: %d %v", name, r.status, r.header)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, h.ts.URL+"/jp/optin/3.0/optin", strings.NewReader(body))
	if r := h.do(req); r.status != http.StatusUnauthorized {
		t.Errorf("unsigned: %d", r.status)
	}
	// merchant-id other than the signer.
	if r := h.sendAs(testMerchant, http.MethodPost, "/jp/optin/3.0/optin", replaceElem(body, "merchant-id", "other"), true); r.status != http.StatusUnauthorized {
		t.Errorf("merchant-id mismatch: %d", r.status)
	}
	// No signed headers at all is accepted.
	if r := h.sendAs(testMerchant, http.MethodPost, "/jp/optin/3.0/optin", body, false); r.status != http.StatusOK {
		t.Errorf("no signed-headers: %d %s", r.status, r.body)
	}
	if h.srv.RequestCount() != 6 {
		t.Errorf("RequestCount %d", h.srv.RequestCount())
	}
}

func TestStaleSignature401(t *testing.T) {
	h := newHarness(t)
	serverNow := h.now.Add(10 * time.Minute) // the client's clock is 10 minutes slow
	h.srv.Now = func() time.Time { return serverNow }
	r := h.sendAs(testMerchant, http.MethodPost, "/jp/optin/3.0/optin", fixture(t, "optin_request.xml"), true)
	if r.status != http.StatusUnauthorized {
		t.Errorf("stale: %d", r.status)
	}
}

func TestCountryOfHost(t *testing.T) {
	h := newHarness(t)
	r := h.sendAs(testMerchant, http.MethodPost, "/gb/optin/3.0/optin", fixture(t, "optin_request.xml"), true)
	if r.status != http.StatusOK {
		t.Fatal(r.status)
	}
	r.expect(t, "ERROR", "43")
	if f := invalidFieldsOf(r); len(f) != 1 || !strings.HasPrefix(f[0], "country=") {
		t.Errorf("fields %v", f)
	}
	// The spec's pattern is upper case.
	r = h.post("optin", "optin", replaceElem(fixture(t, "optin_request.xml"), "country", "jp"))
	r.expect(t, "ERROR", "43")
	// A charge on another country's host does not find the JP opt-in.
	id := h.activeOptin()
	r = h.sendAs(testMerchant, http.MethodPost, "/gb/billing/3.0/charge", chargeDoc(t, id, "gb-1", "100"), true)
	r.expect(t, "ERROR", "125")
	// Unknown call, wrong method.
	if r := h.sendAs(testMerchant, http.MethodPost, "/jp/billing/3.0/nope", "<x/>", true); r.status != http.StatusNotFound {
		t.Errorf("unknown call: %d", r.status)
	}
	if r := h.sendAs(testMerchant, http.MethodGet, "/jp/billing/3.0/charge", "", true); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", r.status)
	}
}

func TestMountedUnderPrefix(t *testing.T) {
	h := newHarness(t)
	mux := http.NewServeMux()
	mux.Handle("/boku/", http.StripPrefix("/boku", h.srv))
	mux.Handle("/consent/", h.srv) // as the sandbox mounts it
	ts := httptest.NewServer(mux)
	defer ts.Close()
	h.ts = ts
	r := h.sendAs(testMerchant, http.MethodPost, "/boku/jp/optin/3.0/optin", fixture(t, "optin_request.xml"), true)
	r.expect(t, "OK", "0")
	url := r.text("hosted/optin-url")
	if url != ts.URL+"/consent/"+r.text("optin-id") {
		t.Fatalf("optin-url %s", url)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Errorf("consumer page: %d", resp.StatusCode)
	}
}

func TestOptinStates(t *testing.T) {
	h := newHarness(t)
	o := h.post("optin", "optin", fixture(t, "optin_request.xml"))
	id := o.text("optin-id")
	sub := func(name, mrid string) string {
		return replaceElem(strings.ReplaceAll(fixture(t, name), exampleOptinID, id), "merchant-request-id", mrid)
	}
	// Confirm before validation; charge before activation.
	h.post("optin", "confirm-optin", sub("confirm_optin_request.xml", "s-1")).expect(t, "ERROR", "137")
	h.post("billing", "charge", chargeDoc(t, id, "s-2", "100")).expect(t, "ERROR", "126")
	// Validate by optin-request-id instead of optin-id.
	h.srv.ApproveOptin(id)
	byReq := strings.Replace(without(sub("validate_optin_request.xml", "s-3"), "optin-id"), "<optin-type>", "<optin-request-id>1617746492637</optin-request-id><optin-type>", 1)
	v := h.post("optin", "validate-optin", byReq)
	v.expect(t, "OK", "0")
	if v.text("optin-id") != id || v.text("optin-request-id") != "1617746492637" {
		t.Errorf("validate by request id: %s", v.body)
	}
	h.post("optin", "confirm-optin", sub("confirm_optin_request.xml", "s-4")).expect(t, "OK", "0")
	q := h.post("optin", "query-optin", strings.ReplaceAll(without(sub("cancel_optin_request.xml", "x"), "merchant-request-id"),
		"cancel-optin-request", "query-optin-request"))
	q.expect(t, "OK", "0")
	if q.text("optin-state/optin-status") != "active" {
		t.Errorf("query-optin: %s", q.body)
	}
	h.post("optin", "cancel-optin", sub("cancel_optin_request.xml", "s-5")).expect(t, "OK", "0")
	h.post("optin", "confirm-optin", sub("confirm_optin_request.xml", "s-6")).expect(t, "ERROR", "137")
	h.post("billing", "charge", chargeDoc(t, id, "s-7", "100")).expect(t, "ERROR", "126")
	// An unknown opt-in.
	h.post("billing", "charge", chargeDoc(t, "nosuchoptin", "s-8", "100")).expect(t, "ERROR", "125")
	// optin-type other than hosted: 86.
	h.post("optin", "optin", replaceElem(replaceElem(fixture(t, "optin_request.xml"), "optin-type", "otp"), "merchant-request-id", "s-9")).expect(t, "ERROR", "86")
}

func TestFailNext(t *testing.T) {
	h := newHarness(t)
	h.srv.FailNext(1)
	r := h.sendAs(testMerchant, http.MethodPost, "/jp/optin/3.0/optin", fixture(t, "optin_request.xml"), true)
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("first: %d", r.status)
	}
	h.post("optin", "optin", fixture(t, "optin_request.xml")).expect(t, "OK", "0")
}

func TestQueryChargeCriteria(t *testing.T) {
	h := newHarness(t)
	id := h.activeOptin()
	ch := h.post("billing", "charge", chargeDoc(t, id, "qc-1", "100"))
	q := func(inner string) reply {
		return h.post("billing", "query-charge", "<query-charge-request><country>JP</country><merchant-id>gatewaymerchant</merchant-id>"+inner+"</query-charge-request>")
	}
	count := func(r reply) int { return len(r.root.find("charges").kids) }
	if n := count(q("<charge-id>" + ch.text("charge-id") + "</charge-id>")); n != 1 {
		t.Errorf("by charge-id: %d", n)
	}
	if n := count(q("<merchant-request-id>qc-1</merchant-request-id>")); n != 1 {
		t.Errorf("by merchant-request-id: %d", n)
	}
	// AND of the criteria.
	if n := count(q("<merchant-request-id>qc-1</merchant-request-id><charge-id>other</charge-id>")); n != 0 {
		t.Errorf("AND: %d", n)
	}
	q("").expect(t, "ERROR", "43")
	// merchant-request-id finds a charge for 24 hours only; the others longer.
	h.advance(25 * time.Hour)
	if n := count(q("<merchant-request-id>qc-1</merchant-request-id>")); n != 0 {
		t.Errorf("by merchant-request-id after 24h: %d", n)
	}
	if n := count(q("<charge-id>" + ch.text("charge-id") + "</charge-id>")); n != 1 {
		t.Errorf("by charge-id after 24h: %d", n)
	}
}
