package worldline

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/cmdutil/cmdutiltest"
	"github.com/bokuctl/bokuctl/internal/sandbox/worldline"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/journal"
)

// world is a Worldline fake, a profile in the environment pointing at it
// and a journal.
type world struct {
	t       *testing.T
	f       *cmdutil.Factory
	store   journal.Store
	session *Session
}

func newWorld(t *testing.T) *world {
	t.Helper()
	fake := worldline.New("100812", "520002526", worldline.Client{ID: "c", Secret: "settle-test-secret", Scopes: []string{
		"processing_payment", "processing_refund", "processing_accountverification", "processing_operation_reverse",
		"processing_dcc_rate", "processing_balanceinquiry", "services_ping"}})
	server := httptest.NewServer(fake)
	t.Cleanup(server.Close)
	env := map[string]string{
		"BOKUCTL_PROVIDER": "worldline", "BOKUCTL_WORLDLINE_ACQUIRER_ID": "100812", "BOKUCTL_WORLDLINE_MERCHANT_ID": "520002526",
		"BOKUCTL_WORLDLINE_CLIENT_ID": "c", "BOKUCTL_WORLDLINE_CLIENT_SECRET": "settle-test-secret",
		"BOKUCTL_WORLDLINE_API_URL": server.URL, "BOKUCTL_WORLDLINE_TOKEN_URL": server.URL + "/connect/token",
	}
	f, store := cmdutiltest.Factory(t, env)
	session, err := NewSession(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, f: f, store: store, session: session}
}

// intent writes a journal row that was sent and never answered.
func (w *world) intent(key, operation, paymentID string) journal.Entry {
	w.t.Helper()
	e := journal.Entry{Key: key, Time: time.Now(), Profile: "default", Provider: "worldline", Operation: operation, Targets: map[string]string{}}
	if paymentID != "" {
		e.Targets["args"] = paymentID
	}
	if _, err := w.store.Begin(w.t.Context(), e); err != nil {
		w.t.Fatal(err)
	}
	got, _ := w.store.Get(w.t.Context(), key)
	return *got
}

func (w *world) pay(operationID string, minor int64) string {
	w.t.Helper()
	resp, err := w.session.Client.ProcessPayment(w.t.Context(), paymentRequest(operationID, minor))
	if err != nil {
		w.t.Fatal(err)
	}
	return resp.PaymentID
}

// The settle conformance table for Worldline: operations found among the
// payment's operations, a pending payment read again, a lost payment
// answer with no lookup.
func TestSettleConformance(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	paymentID := w.pay("op-pay", 2000)
	if _, err := w.session.Client.CapturePayment(ctx, paymentID, acquiring.CaptureRequest{OperationID: "op-cap",
		TransactionTimestamp: acquiring.Timestamp(time.Now()), Amount: &acquiring.AmountData{Amount: 500, CurrencyCode: "EUR", NumberOfDecimals: 2}}); err != nil {
		t.Fatal(err)
	}
	reversedID := w.pay("op-pay-2", 1000)
	reverse(t, w.session, "op-pay-2")
	p := Provider{}
	for _, tc := range []struct {
		key, operation, paymentID, madeID string
		status, detail                    string // status "" = kept
	}{
		{"op-cap", "charge capture", paymentID, "", journal.StatusOK, "the payment lists the operation"},
		{"op-cap-lost", "charge capture", paymentID, "", "", "the payment does not list the operation"},
		{"op-pay", "charge", "", paymentID, journal.StatusOK, "the payment is CONFIRMED"},
		{"op-pay-2", "charge", "", reversedID, journal.StatusReversed, "the payment is CANCELLED"},
		{"op-lost", "charge", "", "", "", "Worldline has no lookup by operation id: undo it with `bokuctl operation reverse op-lost --reason TIMEOUT_WAITING_RESPONSE` (or bokuctl reconcile --reverse-unknown)"},
		{"op-refund", "refund", paymentID, "", "", "Worldline has no lookup by operation id: undo it with `bokuctl operation reverse op-refund --reason TIMEOUT_WAITING_RESPONSE` (or bokuctl reconcile --reverse-unknown)"},
	} {
		t.Run(tc.key, func(t *testing.T) {
			e := w.intent(tc.key, tc.operation, tc.paymentID)
			e.MadeID = tc.madeID
			s := p.Settle(ctx, w.f, e)
			if s.Detail != tc.detail {
				t.Errorf("detail %q, want %q", s.Detail, tc.detail)
			}
			if tc.status == "" {
				if !s.Keep {
					t.Errorf("settled to %q; want the row kept", s.Outcome.Status)
				}
				return
			}
			if s.Keep || s.Outcome.Status != tc.status || !strings.HasPrefix(s.Outcome.Reason, "reconciled with `bokuctl --provider worldline charge status ") {
				t.Errorf("settled %+v; want %s", s, tc.status)
			}
		})
	}
}

// A payment whose answer was lost, reversed on request: a technical
// reversal journalled as its own row; one Worldline never received
// answers 7204 and settles the row as not processed.
func TestReverseUnknown(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.pay("op-lost", 1500)
	for _, tc := range []struct{ key, want string }{
		{"op-lost", journal.StatusReversed},
		{"op-never-sent", journal.StatusFailed},
	} {
		e := w.intent(tc.key, "charge", "")
		s, ok := Provider{}.ReverseUnknown(ctx, w.f, e)
		if !ok || s.Keep || s.Outcome.Status != tc.want {
			t.Fatalf("%s: ReverseUnknown = %+v, %v; want %s", tc.key, s, ok, tc.want)
		}
		orig, _ := w.store.Get(ctx, tc.key)
		if orig.Status != tc.want {
			t.Errorf("%s: the row is %s after its technical reversal, want %s", tc.key, orig.Status, tc.want)
		}
		rows, _ := journal.List(ctx, w.store, journal.Filter{})
		found := false
		for _, r := range rows {
			found = found || r.Follows == tc.key && r.Operation == "operation reverse" && r.Status == journal.StatusOK
		}
		if !found {
			t.Errorf("%s: no technical reversal row follows it: %+v", tc.key, rows)
		}
	}
	tr := w.intent("tr-1", "operation reverse", "")
	if _, ok := (Provider{}).ReverseUnknown(context.Background(), w.f, tr); ok {
		t.Error("a technical reversal was reversed")
	}
}
