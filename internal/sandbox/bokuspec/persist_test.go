package bokuspec

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// busy runs a little of everything against h and returns the charge id.
func busy(t *testing.T, h *harness) (optinID, chargeID string) {
	t.Helper()
	optinID = h.activeOptin()
	c := h.post("billing", "charge", chargeDoc(t, optinID, "p-1", "100"))
	c.expect(t, "OK", "0")
	chargeID = c.text("charge-id")
	h.post("billing", "charge", chargeDoc(t, optinID, "p-777", "777")).expect(t, "OK", "23")
	if r, err := http.DefaultClient.Do(h.signed(context.Background(), "/jp/billing/3.0/charge", chargeDoc(t, optinID, "p-503", "503"))); err != nil || r.StatusCode != 503 {
		t.Fatalf("5.03: %v %v", r, err)
	}
	h.post("billing", "refund-charge", refundDoc(t, chargeID, "p-rf", "40")).expect(t, "OK", "0")
	h.post("billing", "reverse-charge", `<reverse-charge-request><country>JP</country><merchant-id>gatewaymerchant</merchant-id><merchant-request-id>never-sent</merchant-request-id></reverse-charge-request>`).expect(t, "OK", "0")
	return optinID, chargeID
}

func snapshotJSON(t *testing.T, s *Server) string {
	t.Helper()
	b, err := json.Marshal(s.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A snapshot restored, and the change log replayed, are the same state;
// re-sent requests after a restore are answered as before.
func TestSnapshotRestoreAndChanges(t *testing.T) {
	h := newHarness(t)
	h.srv.TrackChanges()
	optinID, chargeID := busy(t, h)
	log := h.srv.TakeChanges()
	if log.Empty() {
		t.Fatal("no changes taken")
	}
	if again := h.srv.TakeChanges(); !again.Empty() {
		t.Errorf("changes taken twice: %+v", again)
	}
	want := snapshotJSON(t, h.srv)

	// The log, through JSON, onto a fresh fake.
	line, _ := json.Marshal(log)
	var back Changes
	if err := json.Unmarshal(line, &back); err != nil {
		t.Fatal(err)
	}
	fromLog := New(testMerchant)
	fromLog.Apply(back)
	if got := snapshotJSON(t, fromLog); got != want {
		t.Errorf("log replayed:\n%s\nwant\n%s", got, want)
	}

	// The snapshot, through JSON, onto a fresh fake that then serves.
	var st State
	if err := json.Unmarshal([]byte(want), &st); err != nil {
		t.Fatal(err)
	}
	h2 := newHarness(t)
	h2.srv.Restore(st)
	if got := snapshotJSON(t, h2.srv); got != want {
		t.Errorf("restored:\n%s\nwant\n%s", got, want)
	}
	// 1 opt-in, 2 charges, 1 refund, 1 reversal never charged, 1 5.03
	// marker, and the validate- and confirm-optin records.
	if h.srv.Records() != 8 {
		t.Errorf("Records = %d, want 8", h.srv.Records())
	}
	if h2.srv.Records() != h.srv.Records() || h2.srv.ChargeCount() != 2 {
		t.Errorf("records %d, %d; charges %d", h2.srv.Records(), h.srv.Records(), h2.srv.ChargeCount())
	}
	h2.post("billing", "charge", chargeDoc(t, optinID, "p-1", "100")).expect(t, "OK", "0")
	h2.post("billing", "charge", chargeDoc(t, optinID, "p-503", "503")).expect(t, "OK", "0") // failed once already
	h2.post("billing", "charge", chargeDoc(t, optinID, "p-1", "200")).expect(t, "ERROR", "124")
	if h2.srv.ChargeCount() != 3 {
		t.Errorf("charges after re-sends: %d", h2.srv.ChargeCount())
	}
	q := h2.post("billing", "query-charge", `<query-charge-request><country>JP</country><merchant-id>gatewaymerchant</merchant-id><charge-id>`+chargeID+`</charge-id></query-charge-request>`)
	if q.text("charges/charge/total-amount") != "100.00" {
		t.Errorf("restored charge: %s", q.body)
	}
	h2.post("billing", "charge", chargeDoc(t, optinID, "never-sent", "100")).expect(t, "ERROR", "130")
}

// A state file of the sandbox's earlier Boku fake (internal/sandbox/boku)
// is read: its records are served, and re-sent requests are answered as
// re-sends.
func TestRestoreEarlierStateFile(t *testing.T) {
	const file = `{"seq":4,
"optins":[{"RequestID":"o-1","ID":"oi-000001","MerchantID":"gatewaymerchant","Country":"jp","Kind":"hosted","ForwardURL":"https://shop.example/done","Method":"superwallet","State":"active","MerchantRequestID":"o-1","Approved":true,
 "Response":{"XMLName":{"Space":"","Local":"optin-response"},"Result":{"Status":"OK","ReasonCode":0,"Message":"success","Retriable":false,"RetryDelay":0,"InvalidFields":null},"Timestamp":"2021-04-06 14:00:00","MerchantID":"gatewaymerchant","MerchantRequestID":"o-1","OptinRequestID":"","OptinID":"oi-000001","OptinState":{"OptinStatus":"pending-validate","Country":"JP","NetworkID":"jp-sandbox"},"PaymentMethod":"superwallet","OptinType":"hosted","OptinURL":"http://127.0.0.1:1/consent/oi-000001"}}],
"charges":[{"ID":"ch-000002","MerchantID":"gatewaymerchant","MerchantRequestID":"c-1","OptinID":"oi-000001","Country":"jp","Currency":"JPY","Amount":100,"Refunded":40,"Status":"success","Message":"","ReasonCode":0,"Created":"2021-04-06T14:30:00Z","ReversedAt":"0001-01-01T00:00:00Z","ReversalID":"","MerchantTransactionID":"7dbe2a1f-b197-4390-8c8a-14d73f64a52d","MerchantData":"TY235g897qWs","Description":"Puzzle game"}],
"refunds":[{"ID":"rf-000003","MerchantID":"gatewaymerchant","MerchantRefundID":"r-1","ChargeID":"ch-000002","Currency":"JPY","Status":"success","MerchantRequestID":"r-1","Amount":40,"ReasonCode":8,"Created":"2021-04-06T14:40:00Z"}],
"reversals":{"gatewaymerchant/gone":"rv-000004"},"failed_once":{"gatewaymerchant/c-503":true}}`
	var st State
	if err := json.Unmarshal([]byte(file), &st); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.srv.Restore(st)
	// The opt-in re-sent: its recorded answer, with the earlier URL.
	o := h.post("optin", "optin", replaceElem(replaceElem(fixture(t, "optin_request.xml"), "merchant-request-id", "o-1"), "forward-url", "https://shop.example/done"))
	o.expect(t, "OK", "0")
	if o.text("optin-id") != "oi-000001" || o.text("hosted/optin-url") != "http://127.0.0.1:1/consent/oi-000001" {
		t.Errorf("optin re-sent: %s", o.body)
	}
	// The charge re-sent: the same charge, nothing new.
	c := h.post("billing", "charge", chargeDoc(t, "oi-000001", "c-1", "100"))
	c.expect(t, "OK", "0")
	if c.text("charge-id") != "ch-000002" || h.srv.ChargeCount() != 1 {
		t.Errorf("charge re-sent: %s", c.body)
	}
	// The refund re-sent: the same refund; 60 are left to refund.
	if r := h.post("billing", "refund-charge", refundDoc(t, "ch-000002", "r-1", "40")); r.text("refund-id") != "rf-000003" || h.srv.RefundCount() != 1 {
		t.Errorf("refund re-sent: %s", r.body)
	}
	h.post("billing", "refund-charge", refundDoc(t, "ch-000002", "r-2", "61")).expect(t, "ERROR", "146")
	h.post("billing", "refund-charge", refundDoc(t, "ch-000002", "r-1", "41")).expect(t, "ERROR", "124")
	// The reversal and the failed-once marker.
	h.post("billing", "charge", chargeDoc(t, "oi-000001", "gone", "100")).expect(t, "ERROR", "130")
	h.post("billing", "charge", chargeDoc(t, "oi-000001", "c-503", "503")).expect(t, "OK", "0")
	// New ids continue the counter.
	if id := h.post("billing", "charge", chargeDoc(t, "oi-000001", "c-new", "100")).text("charge-id"); id != "ch-000006" {
		t.Errorf("next charge id %s", id)
	}
}

// The state types read what the sandbox's earlier fake wrote: the same
// JSON keys.
func TestStateKeysMatchTheEarlierFake(t *testing.T) {
	b, _ := json.Marshal(State{})
	var keys map[string]any
	json.Unmarshal(b, &keys)
	for _, k := range []string{"seq", "optins", "charges", "refunds", "reversals", "failed_once"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("State has no %q", k)
		}
	}
	for _, c := range []struct {
		v    any
		keys []string
	}{
		{OptinState{}, []string{"RequestID", "ID", "MerchantID", "Country", "Kind", "ForwardURL", "Method", "State", "MerchantRequestID", "Approved"}},
		{ChargeState{}, []string{"ID", "MerchantID", "MerchantRequestID", "OptinID", "Country", "Currency", "Amount", "Refunded", "Status", "Message", "ReasonCode", "Created", "ReversedAt", "ReversalID", "MerchantTransactionID", "MerchantData", "Description"}},
		{RefundState{}, []string{"ID", "MerchantID", "MerchantRefundID", "ChargeID", "Currency", "Status", "MerchantRequestID", "Amount", "ReasonCode", "Created"}},
	} {
		typ := reflect.TypeOf(c.v)
		for _, k := range c.keys {
			if _, ok := typ.FieldByName(k); !ok {
				t.Errorf("%s has no %s", typ.Name(), k)
			}
		}
	}
}

// refundDoc is the spec's refund example for chargeID, with mrid as both
// merchant-request-id and merchant-refund-id, and a refund-amount.
func refundDoc(t *testing.T, chargeID, mrid, amount string) string {
	doc := strings.ReplaceAll(fixture(t, "refund_charge_request.xml"), exampleChargeID, chargeID)
	doc = replaceElem(replaceElem(doc, "merchant-request-id", mrid), "merchant-refund-id", mrid)
	return strings.Replace(doc, "<timeout", "<refund-amount>"+amount+"</refund-amount><timeout", 1)
}

// A restored refund whose charge is not in the state: re-sent it is 133,
// queried it is not found, and the fake keeps serving.
func TestRestoredRefundWithoutItsCharge(t *testing.T) {
	h := newHarness(t)
	h.srv.Restore(State{Seq: 5, Refunds: []RefundState{{ID: "rf-000005", MerchantID: testMerchant.ID, MerchantRefundID: "orphan",
		ChargeID: "ch-000004", Currency: "JPY", Status: "success", MerchantRequestID: "orphan", Amount: 10, ReasonCode: 8}}})
	h.post("billing", "refund-charge", refundDoc(t, "ch-000004", "orphan", "10")).expect(t, "ERROR", "133")
	q := h.post("billing", "query-refund", `<query-refund-request><country>JP</country><merchant-id>gatewaymerchant</merchant-id><refund-id>rf-000005</refund-id></query-refund-request>`)
	if strings.Contains(q.body, "<refund-id>") {
		t.Errorf("query-refund: %s", q.body)
	}
	h.activeOptin()
}
