package bokuspec

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

// app is a merchant's notification endpoint that refuses the first
// refuse notifications with a bare 200 and acknowledges the rest.
type app struct {
	mu     sync.Mutex
	refuse int
	bodies []string
	bad    []string
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var headers []sign.Header
	for name, values := range r.Header {
		for _, v := range values {
			headers = append(headers, sign.Header{Name: name, Value: v})
		}
	}
	_, err := sign.Verify(sign.Message{Method: r.Method, Target: r.RequestURI, Headers: headers, Body: body}, r.Header.Get("Authorization"),
		func(partnerID, keyID string) ([]byte, error) { return testMerchant.Key, nil }, time.Now(), time.Hour*24*365*10)
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		a.bad = append(a.bad, err.Error())
	}
	a.bodies = append(a.bodies, string(body))
	if a.refuse > 0 {
		a.refuse--
		return // a bare 200 is no acknowledgement
	}
	io.WriteString(w, `<notification-response><result status="OK"><reason-code>0</reason-code><message>Ack</message><retriable>false</retriable></result></notification-response>`)
}

func waitDeliveries(t *testing.T, s *Server, n int) []Delivery {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if d := s.Deliveries(); len(d) >= n {
			return d
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("deliveries: %+v, want %d", s.Deliveries(), n)
	return nil
}

func TestNotifications(t *testing.T) {
	h := newHarness(t)
	h.srv.RetryBase = time.Millisecond
	merchant := &app{refuse: 2}
	ms := httptest.NewServer(merchant)
	defer ms.Close()

	// A refund that asks for a notification, with none configured: none.
	id := h.activeOptin()
	c := h.post("billing", "charge", chargeDoc(t, id, "n-1", "100"))
	doc := strings.Replace(strings.ReplaceAll(fixture(t, "refund_charge_request.xml"), exampleChargeID, c.text("charge-id")),
		"<timeout", "<refund-amount>10</refund-amount><timeout", 1)
	h.post("billing", "refund-charge", replaceElem(doc, "merchant-request-id", "n-r0")).expect(t, "OK", "0")

	h.srv.SetCallbackURL(testMerchant.ID, ms.URL+"/boku")
	r := h.post("billing", "refund-charge", replaceElem(doc, "merchant-request-id", "n-r1"))
	r.expect(t, "OK", "0")
	d := waitDeliveries(t, h.srv, 3)
	if d[0].Err == "" || d[1].Err == "" || d[2].Status != http.StatusOK || d[2].EventType != "refund" || d[0].EventID != d[2].EventID {
		t.Errorf("refund deliveries: %+v", d)
	}
	merchant.mu.Lock()
	if !strings.Contains(merchant.bodies[0], "<refund-notification>") || !strings.Contains(merchant.bodies[0], "<refund-id>"+r.text("refund-id")+"</refund-id>") ||
		!strings.Contains(merchant.bodies[0], "<type>refund</type>") || len(merchant.bad) != 0 {
		t.Errorf("refund notification: %s (%v)", merchant.bodies[0], merchant.bad)
	}
	merchant.mu.Unlock()

	// Without <notification send="true"/>: none.
	quiet := strings.Replace(replaceElem(doc, "merchant-request-id", "n-r2"), `<notification send="true"/>`, "", 1)
	h.post("billing", "refund-charge", quiet).expect(t, "OK", "0")

	// Every chargeback is notified.
	cb, err := h.srv.Chargeback(c.text("charge-id"), "", 22)
	if err != nil {
		t.Fatal(err)
	}
	d = waitDeliveries(t, h.srv, 4)
	if d[3].EventType != "chargeback" || d[3].Status != http.StatusOK {
		t.Errorf("chargeback delivery: %+v", d[3])
	}
	merchant.mu.Lock()
	last := merchant.bodies[len(merchant.bodies)-1]
	if !strings.Contains(last, "<type>chargeback</type>") || !strings.Contains(last, "<refund-id>"+cb+"</refund-id>") {
		t.Errorf("chargeback notification: %s", last)
	}
	merchant.mu.Unlock()

	// A single charge notifies its own notification-url once authorized.
	single := replaceElem(fixture(t, "begin_single_charge_request.xml"), "notification-url", ms.URL+"/charges")
	s := h.post("billing", "begin-single-charge", single)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(s.text("hosted/redirect-url"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	d = waitDeliveries(t, h.srv, 5)
	if d[4].EventType != "charge" || d[4].URL != ms.URL+"/charges" || d[4].Status != http.StatusOK {
		t.Errorf("charge delivery: %+v", d[4])
	}
	merchant.mu.Lock()
	last = merchant.bodies[len(merchant.bodies)-1]
	if !strings.Contains(last, "<charge-notification>") || !strings.Contains(last, "<charge-status>success</charge-status>") {
		t.Errorf("charge notification: %s", last)
	}
	merchant.mu.Unlock()
}

// An endpoint that never acknowledges is tried on the schedule for 24
// (scaled) hours, then given up.
func TestNotificationsGiveUp(t *testing.T) {
	h := newHarness(t)
	h.srv.RetryBase = 50 * time.Microsecond
	merchant := &app{refuse: 1 << 30}
	ms := httptest.NewServer(merchant)
	defer ms.Close()
	h.srv.SetCallbackURL(testMerchant.ID, ms.URL)
	id := h.activeOptin()
	c := h.post("billing", "charge", chargeDoc(t, id, "g-1", "100"))
	if _, err := h.srv.Chargeback(c.text("charge-id"), "", 22); err != nil {
		t.Fatal(err)
	}
	// 1, 1.5, 2.25, … capped at 60, summing to 1440: 45 attempts.
	var n int
	for i := 0; i < 400; i++ {
		time.Sleep(10 * time.Millisecond)
		if n = len(h.srv.Deliveries()); n > 0 && n == len(h.srv.Deliveries()) && i > 50 {
			break
		}
	}
	time.Sleep(50 * time.Millisecond)
	if got := len(h.srv.Deliveries()); got != n || got < 20 || got > 60 {
		t.Errorf("attempts %d then %d", n, got)
	}
}

// ackWith answers every notification with body.
type ackWith string

func (a ackWith) ServeHTTP(w http.ResponseWriter, r *http.Request) { io.WriteString(w, string(a)) }

// Boku sends a notification again "if the ACK response is not properly
// formatted or if the retriable element is set to true": a well-formed
// rejection that is not retriable (the spec's "Not retriable notification
// rejection", ERROR 153) is final, a retriable one is tried again.
func TestNotificationRejection(t *testing.T) {
	for _, tc := range []struct {
		name, ack string
		again     bool
	}{
		{"not retriable", `<notification-response><result status="ERROR"><reason-code>153</reason-code><message>Refund not found</message><retriable>false</retriable></result></notification-response>`, false},
		{"retriable", `<notification-response><result status="ERROR"><reason-code>35</reason-code><message>Internal error</message><retriable>true</retriable></result></notification-response>`, true},
		{"malformed", `<notification-response><result>`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.srv.RetryBase = time.Millisecond
			ms := httptest.NewServer(ackWith(tc.ack))
			defer ms.Close()
			h.srv.SetCallbackURL(testMerchant.ID, ms.URL)
			id := h.activeOptin()
			c := h.post("billing", "charge", chargeDoc(t, id, "rj-1", "100"))
			if _, err := h.srv.Chargeback(c.text("charge-id"), "", 22); err != nil {
				t.Fatal(err)
			}
			waitDeliveries(t, h.srv, 1)
			if tc.again {
				d := waitDeliveries(t, h.srv, 2)
				if d[0].Rejected || d[0].Err == "" {
					t.Errorf("deliveries: %+v", d)
				}
				return
			}
			time.Sleep(50 * time.Millisecond) // 50 retry bases: a retry would be here
			d := h.srv.Deliveries()
			if len(d) != 1 || !d[0].Rejected || !strings.Contains(d[0].Err, "reason 153") {
				t.Errorf("deliveries: %+v, want one, rejected", d)
			}
		})
	}
}

// "The refund notification will be sent on completion of all accepted
// refunds" (spec): an in-progress refund notifies once it is final, with
// its final status, not when it is accepted.
func TestRefundNotifiedOnCompletion(t *testing.T) {
	h := newHarness(t)
	h.srv.RetryBase = time.Millisecond
	merchant := &app{}
	ms := httptest.NewServer(merchant)
	defer ms.Close()
	h.srv.SetCallbackURL(testMerchant.ID, ms.URL)
	id := h.activeOptin()
	ch := h.post("billing", "charge", chargeDoc(t, id, "nc-1", "1000"))
	base := strings.ReplaceAll(fixture(t, "refund_charge_request.xml"), exampleChargeID, ch.text("charge-id"))
	if !strings.Contains(base, `<notification send="true"/>`) {
		t.Fatal("the fixture no longer asks for a notification")
	}
	h.simPut("/merchant-api/gatewaymerchant-mte/hosted-optin/optin-id/"+id+"/refund-behavior", `<refund-behavior error-code="0" latency="30000"/>`)
	h.post("billing", "refund-charge", replaceElem(base, "merchant-request-id", "nc-r1")).expect(t, "OK", "23")
	time.Sleep(50 * time.Millisecond)
	if d := h.srv.Deliveries(); len(d) != 0 {
		t.Fatalf("notified while in progress: %+v", d)
	}
	h.advance(time.Minute)
	h.post("billing", "query-refund", replaceElem(fixture(t, "query_refund_request.xml"), "merchant-refund-id", "5853f0b3-e797-40a3-b299-1155ee7fe98d"))
	d := waitDeliveries(t, h.srv, 1)
	merchant.mu.Lock()
	defer merchant.mu.Unlock()
	if d[0].EventType != "refund" || len(merchant.bodies) != 1 || !strings.Contains(merchant.bodies[0], "<refund-status>success</refund-status>") {
		t.Errorf("deliveries %+v, bodies %q", d, merchant.bodies)
	}
}
