package boku

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/sign"
)

var merchant = Merchant{ID: "m1", KeyID: "k1", Key: []byte("secret")}

// send signs body as merchant m at time at and posts it.
func send(t *testing.T, url string, m Merchant, body string, at time.Time, signed []string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/xml;charset=utf-8")
	var headers []sign.Header
	for _, name := range signed {
		headers = append(headers, sign.Header{Name: name, Value: req.Header.Get(name)})
	}
	params, err := sign.Sign(sign.Message{Method: "POST", Target: req.URL.RequestURI(), Headers: headers, Body: []byte(body)}, m.Key, m.ID, m.KeyID, signed, at)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", params.String())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func TestFakeRejectsWhatBokuRejects(t *testing.T) {
	fake := New(merchant)
	server := httptest.NewServer(fake)
	defer server.Close()
	url := server.URL + "/gb/optin/3.0/optin"
	body := `<optin-request><country>GB</country><merchant-id>m1</merchant-id><merchant-request-id>r1</merchant-request-id><payment-method>superwallet</payment-method><optin-type>hosted</optin-type><hosted><forward-url>https://shop.example/done</forward-url></hosted></optin-request>`
	now := time.Now()
	ct := []string{"Content-Type"}

	if status, _ := send(t, url, merchant, body, now, ct); status != 200 {
		t.Fatalf("valid request: %d", status)
	}
	cases := []struct {
		name   string
		url    string
		m      Merchant
		body   string
		at     time.Time
		signed []string
		status int
		text   string
	}{
		{"stale timestamp", url, merchant, body, now.Add(-10 * time.Minute), ct, 401, "timestamp"},
		{"future timestamp", url, merchant, body, now.Add(10 * time.Minute), ct, 401, "timestamp"},
		{"wrong key", url, Merchant{ID: "m1", KeyID: "k1", Key: []byte("other")}, body, now, ct, 401, "does not match"},
		{"unknown key id", url, Merchant{ID: "m1", KeyID: "k2", Key: merchant.Key}, body, now, ct, 401, "unknown key-id"},
		{"unknown partner", url, Merchant{ID: "m2", KeyID: "k1", Key: merchant.Key}, body, now, ct, 401, "unknown partner-id"},
		{"no signed headers is accepted", url, merchant, body, now, nil, 200, "<result status=\"OK\">"},
		{"merchant id in body differs", url, merchant, strings.Replace(body, "<merchant-id>m1", "<merchant-id>m9", 1), now, ct, 401, "does not match the signing partner"},
		{"country mismatch", server.URL + "/de/optin/3.0/optin", merchant, body, now, ct, 200, "<reason-code>43</reason-code>"},
		{"empty merchant-request-id", url, merchant, strings.Replace(body, "<merchant-request-id>r1", "<merchant-request-id>", 1), now, ct, 200, `path="merchantRequestId" reason="must not be empty"`},
		{"merchant-consumer-id over 64", url, merchant, strings.Replace(body, "</optin-type>", "</optin-type><merchant-consumer-id>"+strings.Repeat("c", 65)+"</merchant-consumer-id>", 1), now, ct, 200, `path="merchantConsumerId" reason="must be at most 64 characters"`},
		{"unknown call", server.URL + "/gb/optin/3.0/nope", merchant, body, now, ct, 404, "not found"},
		{"wrong version", server.URL + "/gb/optin/2.0/optin", merchant, body, now, ct, 404, "not found"},
	}
	for _, c := range cases {
		status, text := send(t, c.url, c.m, c.body, c.at, c.signed)
		if status != c.status || !strings.Contains(text, c.text) {
			t.Errorf("%s: %d %q, want %d containing %q", c.name, status, text, c.status, c.text)
		}
	}
	// Every routed API request counts, rejected or not; the two 404s do not.
	if got, want := fake.RequestCount(), 1+len(cases)-2; got != want {
		t.Errorf("RequestCount = %d, want %d", got, want)
	}
}

// reverse-charge names the original charge's merchant-request-id, works for
// an hour, and answers OK for a charge Boku never received.
func TestReverseChargeAsBokuSpecifiesIt(t *testing.T) {
	fake := New(merchant)
	now := time.Now()
	fake.Now = func() time.Time { return now }
	server := httptest.NewServer(fake)
	defer server.Close()
	url := server.URL + "/gb/billing/3.0/reverse-charge"
	reverse := func(mrid string) string {
		body := `<reverse-charge-request><merchant-id>m1</merchant-id><merchant-request-id>` + mrid + `</merchant-request-id><country>GB</country></reverse-charge-request>`
		status, text := send(t, url, merchant, body, now, []string{"Content-Type"})
		if status != 200 {
			t.Fatalf("reverse %s: HTTP %d %s", mrid, status, text)
		}
		return text
	}
	fake.charges["ch-1"] = &charge{id: "ch-1", merchantID: "m1", merchantRequestID: "order-1", country: "gb", currency: "GBP", amount: 499, status: "success", created: now}
	fake.chargeByMRID[mrKey("m1", "order-1")] = fake.charges["ch-1"]
	first := reverse("order-1")
	if !strings.Contains(first, `<result status="OK">`) || !strings.Contains(first, "<charge-id>ch-1</charge-id>") || !strings.Contains(first, "<reversal-id>rv-") {
		t.Fatalf("reverse: %s", first)
	}
	if again := reverse("order-1"); again != first {
		t.Errorf("a repeated reversal differs:\n%s\n%s", first, again)
	}
	if text := reverse("never-sent"); !strings.Contains(text, `<result status="OK">`) || strings.Contains(text, "<charge-id>") {
		t.Errorf("unknown charge: %s", text)
	}
	fake.charges["ch-2"] = &charge{id: "ch-2", merchantID: "m1", merchantRequestID: "order-2", country: "gb", currency: "GBP", amount: 499, status: "success", created: now.Add(-61 * time.Minute)}
	fake.chargeByMRID[mrKey("m1", "order-2")] = fake.charges["ch-2"]
	if text := reverse("order-2"); !strings.Contains(text, `<result status="ERROR">`) || !strings.Contains(text, "<reason-code>132</reason-code>") {
		t.Errorf("after an hour: %s", text)
	}
}

// A notification is sent again, on Boku's (scaled) schedule, until the
// merchant answers with an OK <notification-response>: a bare 200 is not
// an acknowledgement.
func TestNotificationsAreRedeliveredUntilAcknowledged(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n < 3 {
			w.WriteHeader(http.StatusOK) // no acknowledgement
			return
		}
		w.Write([]byte(`<notification-response><result status="OK"><reason-code>0</reason-code><message>Ack</message><retriable>false</retriable></result></notification-response>`))
	}))
	defer app.Close()
	fake := New(merchant)
	fake.RetryBase = time.Millisecond
	fake.SetCallbackURL("m1", app.URL)
	fake.mu.Lock()
	c := &charge{id: "ch-1", merchantID: "m1", country: "gb", currency: "GBP", amount: 100, status: "success", created: time.Now()}
	fake.notifyRefund(merchant, &refund{id: "rf-1", merchantID: "m1", chargeID: "ch-1", currency: "GBP", amount: 100, status: "success", reasonCode: 33}, c, "refund")
	fake.mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for len(fake.Deliveries()) < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	d := fake.Deliveries()
	if len(d) != 3 || d[0].Err == "" || d[1].Err == "" || d[2].Err != "" || d[2].EventType != "refund" {
		t.Fatalf("deliveries %+v", d)
	}
	time.Sleep(50 * time.Millisecond)
	if len(fake.Deliveries()) != 3 {
		t.Fatal("delivered again after the acknowledgement")
	}
}

// The money outcomes Boku's spec fixes: a charge re-sent after its
// reversal, or sent after its merchant-request-id was reversed, is 130
// and charges nothing; a failed charge re-sent is 107; a refunded charge
// cannot be reversed (131).
func TestReversalOutcomesAsTheSpecHasThem(t *testing.T) {
	fake := New(merchant)
	now := time.Now()
	fake.Now = func() time.Time { return now }
	server := httptest.NewServer(fake)
	defer server.Close()
	call := func(c, body string) string {
		t.Helper()
		status, text := send(t, server.URL+"/gb/billing/3.0/"+c, merchant, body, now, []string{"Content-Type"})
		if status != 200 {
			t.Fatalf("%s: HTTP %d %s", c, status, text)
		}
		return text
	}
	reverse := func(mrid string) string {
		return call("reverse-charge", `<reverse-charge-request><merchant-id>m1</merchant-id><merchant-request-id>`+mrid+`</merchant-request-id><country>GB</country></reverse-charge-request>`)
	}
	charge := func(mrid string) string {
		return call("charge", `<charge-request><merchant-id>m1</merchant-id><merchant-request-id>`+mrid+`</merchant-request-id><merchant-transaction-id>t-`+mrid+
			`</merchant-transaction-id><merchant-item-description>item</merchant-item-description><optin-id>oi-1</optin-id><currency>GBP</currency><total-amount>4.99</total-amount></charge-request>`)
	}
	o := &optin{id: "oi-1", merchantID: "m1", country: "gb", state: "active", method: "superwallet"}
	fake.optins["oi-1"], fake.optinsByID["oi-1"] = o, o

	if text := charge("order-1"); !strings.Contains(text, "<charge-status>success</charge-status>") {
		t.Fatalf("charge: %s", text)
	}
	if text := reverse("order-1"); !strings.Contains(text, `<result status="OK">`) {
		t.Fatalf("reverse: %s", text)
	}
	if text := charge("order-1"); !strings.Contains(text, "<reason-code>130</reason-code>") || !strings.Contains(text, `status="ERROR"`) {
		t.Errorf("charge re-sent after its reversal: %s", text)
	}

	if text := reverse("order-2"); !strings.Contains(text, `<result status="OK">`) {
		t.Fatalf("reverse before charge: %s", text)
	}
	if text := charge("order-2"); !strings.Contains(text, "<reason-code>130</reason-code>") || strings.Contains(text, "<charge-id>") {
		t.Errorf("charge after its reversal arrived first: %s", text)
	}
	if n := fake.ChargeCount(); n != 1 {
		t.Errorf("%d charges recorded, want 1", n)
	}

	failed := func(mrid string) string {
		return call("charge", `<charge-request><merchant-id>m1</merchant-id><merchant-request-id>`+mrid+`</merchant-request-id><merchant-transaction-id>t-`+mrid+
			`</merchant-transaction-id><merchant-item-description>item</merchant-item-description><optin-id>oi-1</optin-id><currency>GBP</currency><total-amount>6.66</total-amount></charge-request>`)
	}
	if text := failed("order-4"); !strings.Contains(text, "<reason-code>3</reason-code>") {
		t.Fatalf("6.66: %s", text)
	}
	if text := failed("order-4"); !strings.Contains(text, "<reason-code>107</reason-code>") || !strings.Contains(text, "<charge-status>failed</charge-status>") {
		t.Errorf("a failed charge re-sent (the spec's 107): %s", text)
	}

	text := charge("order-3")
	id := text[strings.Index(text, "<charge-id>")+len("<charge-id>") : strings.Index(text, "</charge-id>")]
	refund := call("refund-charge", `<refund-charge-request><country>GB</country><merchant-id>m1</merchant-id><merchant-request-id>rf-order-3</merchant-request-id>`+
		`<merchant-refund-id>r3</merchant-refund-id><charge-id>`+id+`</charge-id><reason-code>33</reason-code><currency>GBP</currency><refund-amount>1.00</refund-amount></refund-charge-request>`)
	if !strings.Contains(refund, `<result status="OK">`) {
		t.Fatalf("refund: %s", refund)
	}
	if text := reverse("order-3"); !strings.Contains(text, "<reason-code>131</reason-code>") || strings.Contains(text, "<reversal-id>") {
		t.Errorf("reversal of a refunded charge: %s", text)
	}
}

// The spec points bokuspec keeps, true here too: an optin-type other than
// hosted is 86; merchant-request-ids are one namespace, so one reused for
// another kind of call is 124; a query by merchant-request-id finds only a
// charge of the last 24 hours.
func TestSpecPointsSharedWithBokuspec(t *testing.T) {
	fake := New(merchant)
	now := time.Now()
	fake.Now = func() time.Time { return now }
	server := httptest.NewServer(fake)
	defer server.Close()
	post := func(path, body string) string {
		t.Helper()
		status, text := send(t, server.URL+path, merchant, body, now, []string{"Content-Type"})
		if status != 200 {
			t.Fatalf("%s: HTTP %d %s", path, status, text)
		}
		return text
	}
	beginOptin := func(mrid, kind string) string {
		return post("/gb/optin/3.0/optin", `<optin-request><country>GB</country><merchant-id>m1</merchant-id><merchant-request-id>`+mrid+`</merchant-request-id><payment-method>superwallet</payment-method><optin-type>`+kind+`</optin-type><hosted><forward-url>https://shop.example/done</forward-url></hosted></optin-request>`)
	}
	if text := beginOptin("o-otp", "otp"); !strings.Contains(text, "<reason-code>86</reason-code>") || strings.Contains(text, "<optin-id>") {
		t.Errorf("optin-type otp: %s", text)
	}
	if fake.Records() != 0 {
		t.Errorf("an 86 kept %d records", fake.Records())
	}
	if text := beginOptin("o-empty", ""); !strings.Contains(text, `path="optinType" reason="must not be empty"`) {
		t.Errorf("optin-type empty: %s", text)
	}
	if text := beginOptin("shared", "hosted"); !strings.Contains(text, `<result status="OK">`) {
		t.Fatalf("optin: %s", text)
	}
	fake.optins["oi-9"] = &optin{id: "oi-9", merchantID: "m1", country: "gb", kind: "hosted", method: "superwallet", state: "active"}
	fake.optinsByID["oi-9"] = fake.optins["oi-9"]
	charge := func(mrid string) string {
		return post("/gb/billing/3.0/charge", `<charge-request><merchant-id>m1</merchant-id><merchant-request-id>`+mrid+`</merchant-request-id><merchant-transaction-id>t1</merchant-transaction-id><merchant-item-description>x</merchant-item-description><optin-id>oi-9</optin-id><currency>GBP</currency><total-amount>4.99</total-amount></charge-request>`)
	}
	refund := func(mrid, chargeID string) string {
		return post("/gb/billing/3.0/refund-charge", `<refund-charge-request><country>GB</country><merchant-id>m1</merchant-id><merchant-request-id>`+mrid+`</merchant-request-id><merchant-refund-id>`+mrid+`</merchant-refund-id><charge-id>`+chargeID+`</charge-id><reason-code>8</reason-code></refund-charge-request>`)
	}
	reverse := func(mrid string) string {
		return post("/gb/billing/3.0/reverse-charge", `<reverse-charge-request><country>GB</country><merchant-id>m1</merchant-id><merchant-request-id>`+mrid+`</merchant-request-id></reverse-charge-request>`)
	}
	is124 := func(what, text string) {
		t.Helper()
		if !strings.Contains(text, `<result status="ERROR">`) || !strings.Contains(text, "<reason-code>124</reason-code>") {
			t.Errorf("%s: want 124, got %s", what, text)
		}
	}
	is124("charge with an optin's id", charge("shared"))
	is124("reversal with an optin's id", reverse("shared"))
	first := charge("c1")
	if !strings.Contains(first, `<charge-status>success</charge-status>`) {
		t.Fatalf("charge: %s", first)
	}
	chargeID := first[strings.Index(first, "<charge-id>")+len("<charge-id>") : strings.Index(first, "</charge-id>")]
	is124("refund with a charge's id", refund("c1", chargeID))
	is124("optin with a charge's id", beginOptin("c1", "hosted"))
	if text := refund("r1", chargeID); !strings.Contains(text, `<refund-status>success</refund-status>`) {
		t.Fatalf("refund: %s", text)
	}
	is124("charge with a refund's id", charge("r1"))
	is124("reversal with a refund's id", reverse("r1"))
	if text := charge("c1"); text != first {
		t.Errorf("the same charge re-sent differs:\n%s\n%s", first, text)
	}

	query := func(criterion string) string {
		return post("/gb/billing/3.0/query-charge", `<query-charge-request><country>GB</country><merchant-id>m1</merchant-id>`+criterion+`</query-charge-request>`)
	}
	if text := query("<merchant-request-id>c1</merchant-request-id>"); !strings.Contains(text, "Found 1 result(s)") {
		t.Errorf("query by merchant-request-id at once: %s", text)
	}
	now = now.Add(24*time.Hour + time.Second)
	if text := query("<merchant-request-id>c1</merchant-request-id>"); !strings.Contains(text, "Found 0 result(s)") {
		t.Errorf("query by merchant-request-id after 24 hours: %s", text)
	}
	if text := query("<charge-id>" + chargeID + "</charge-id>"); !strings.Contains(text, "Found 1 result(s)") {
		t.Errorf("query by charge-id after 24 hours: %s", text)
	}
}
