package boku

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/cmdutil/cmdutiltest"
	sandbox "github.com/bokuctl/bokuctl/internal/sandbox/bokuspec"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/journal"
)

const testKey = "settle-test-key-0123456789abcdef"

// world is a Boku fake, a profile in the environment pointing at it, a
// journal, and an active opt-in to charge.
type world struct {
	t       *testing.T
	fake    *sandbox.Server
	server  *httptest.Server
	f       *cmdutil.Factory
	store   journal.Store
	session *Session
	optinID string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	fake := sandbox.New(sandbox.Merchant{ID: "m-1", KeyID: "k-1", Key: []byte(testKey)})
	server := httptest.NewServer(fake)
	t.Cleanup(server.Close)
	env := map[string]string{
		"BOKUCTL_BOKU_MERCHANT_ID": "m-1", "BOKUCTL_BOKU_KEY_ID": "k-1", "BOKUCTL_BOKU_COUNTRY": "gb",
		"BOKUCTL_BOKU_BASE_URL": server.URL + "/{country}", "BOKUCTL_BOKU_KEY": testKey, "BOKUCTL_PROVIDER": "boku",
	}
	f, store := cmdutiltest.Factory(t, env)
	session, err := NewSession(t.Context(), f, "")
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, fake: fake, server: server, f: f, store: store, session: session}
	w.optinID = w.activeOptin()
	return w
}

func (w *world) activeOptin() string {
	ctx := w.t.Context()
	resp, err := w.session.Direct.Optin(ctx, bokudirect.OptinRequest{MerchantRequestID: "optin-1", PaymentMethod: "superwallet",
		Hosted: bokudirect.Hosted{ForwardURL: "https://shop.example/done"}})
	if err != nil {
		w.t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	consent, err := client.Get(w.server.URL + "/consent/" + resp.OptinID)
	if err != nil {
		w.t.Fatal(err)
	}
	consent.Body.Close()
	if _, err := w.session.Direct.ValidateOptin(ctx, bokudirect.ValidateOptinRequest{MerchantRequestID: "v-1", OptinID: resp.OptinID}); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.session.Direct.ConfirmOptin(ctx, bokudirect.ConfirmOptinRequest{MerchantRequestID: "c-1", OptinID: resp.OptinID}); err != nil {
		w.t.Fatal(err)
	}
	return resp.OptinID
}

// intent writes a journal row that was sent and never answered.
func (w *world) intent(key, operation string, at time.Time, args ...string) journal.Entry {
	w.t.Helper()
	e := journal.Entry{Key: key, Time: at, Profile: "default", Provider: "boku", Operation: operation, Targets: map[string]string{}}
	if len(args) > 0 {
		e.Targets["args"] = args[0]
	}
	if _, err := w.store.Begin(w.t.Context(), e); err != nil {
		w.t.Fatal(err)
	}
	got, err := w.store.Get(w.t.Context(), key)
	if err != nil {
		w.t.Fatal(err)
	}
	return *got
}

// charge makes a charge at the fake under key, bypassing bokuctl: the
// request that reached Boku while its answer was lost.
func (w *world) charge(key, amount string) {
	w.t.Helper()
	_, _ = w.session.Direct.Charge(w.t.Context(), bokudirect.ChargeRequest{MerchantRequestID: key, MerchantTransactionID: key,
		MerchantItemDescription: "test", OptinID: w.optinID, Currency: "GBP", TotalAmount: amount})
}

// The settle conformance table for Boku: what reconcile and batch resume
// read from each state a charge, reversal, refund or opt-in can be in.
func TestSettleConformance(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	p := Provider{}
	now := time.Now()
	w.charge("ok-1", "1.00")
	w.charge("declined-1", "6.66")
	w.charge("reversed-1", "1.00")
	if _, err := w.session.Direct.ReverseCharge(ctx, bokudirect.ReverseChargeRequest{MerchantRequestID: "reversed-1"}); err != nil {
		t.Fatal(err)
	}
	refund := func() {
		q, err := w.session.Direct.QueryCharge(ctx, bokudirect.QueryChargeRequest{MerchantRequestID: "ok-1"})
		if err != nil || len(q.Charges) == 0 {
			t.Fatalf("query: %v", err)
		}
		if _, err := w.session.Direct.RefundCharge(ctx, bokudirect.RefundChargeRequest{ChargeID: q.Charges[0].ChargeID, MerchantRequestID: "refund-1",
			MerchantRefundID: "refund-1", ReasonCode: 3, Currency: "GBP", RefundAmount: "0.50"}); err != nil {
			t.Fatalf("refund: %v", err)
		}
	}
	refund()

	pending, err := w.session.Direct.Optin(ctx, bokudirect.OptinRequest{MerchantRequestID: "optin-pending", PaymentMethod: "superwallet",
		Hosted: bokudirect.Hosted{ForwardURL: "https://shop.example/done"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key, operation string
		at             time.Time
		status         string // "" = kept
		notFound       bool
		detail         string
		args           string
	}{
		{"ok-1", "charge", now, journal.StatusOK, false, "done at the provider", ""},
		{"declined-1", "charge", now, journal.StatusDeclined, false, "failed at the provider", ""},
		{"never-1", "charge", now, journal.StatusFailed, true, "the provider has no such request: it was not processed", ""},
		{"old-1", "charge", now.Add(-25 * time.Hour), "", false, "not found, but older than the 24 hours Boku keeps request ids", ""},
		{"reversed-1", "charge", now, journal.StatusReversed, false, "Boku shows the charge reversed", ""},
		{"reverse:reversed-1", "charge reverse", now, journal.StatusOK, false, "Boku shows the reversal", ""},
		{"reverse:ok-1", "charge reverse", now, "", false, "no reversal shown yet", ""},
		{"refund-1", "refund", now, journal.StatusOK, false, "done at the provider", ""},
		{"optin-1", "optin begin", now, journal.StatusOK, false, "Boku has the opt-in", ""},
		{"optin-never", "optin begin", now, journal.StatusFailed, true, "the provider has no such request: it was not processed", ""},
		{"x-1", "optin cancel", now, "", false, "the row names no opt-in to ask about", ""},
		{"validate-1", "optin validate", now, journal.StatusOK, false, "the opt-in is active", w.optinID},
		{"validate-2", "optin validate", now, journal.StatusPending, false, "the opt-in is still pending-validate: the consumer has not finished", pending.OptinID},
		{"confirm-1", "optin confirm", now, journal.StatusOK, false, "the opt-in is active", w.optinID},
		{"cancel-1", "optin cancel", now, journal.StatusFailed, true, "the opt-in is active: the request was not processed", w.optinID},
		{"x-2", "fund-check", now, "", false, "no query answers this operation", ""},
	} {
		t.Run(tc.key, func(t *testing.T) {
			e := w.intent(tc.key, tc.operation, tc.at, tc.args)
			s := p.Settle(ctx, w.f, e)
			if s.Detail != tc.detail || s.NotFound != tc.notFound {
				t.Errorf("detail %q, not found %v; want %q, %v", s.Detail, s.NotFound, tc.detail, tc.notFound)
			}
			if tc.status == "" {
				if !s.Keep {
					t.Errorf("settled to %q; want the row kept", s.Outcome.Status)
				}
				return
			}
			if s.Keep || s.Outcome.Status != tc.status {
				t.Errorf("settled to %q (keep %v); want %q", s.Outcome.Status, s.Keep, tc.status)
			}
			if !strings.HasPrefix(s.Outcome.Reason, "reconciled with `bokuctl ") {
				t.Errorf("reason %q does not name the command a person would run", s.Outcome.Reason)
			}
		})
	}
}

// A charge whose answer was lost, reversed on request: the reversal is its
// own journal row that follows the charge, and its success settles it.
func TestReverseUnknown(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.charge("lost-1", "1.00")
	e := w.intent("lost-1", "charge", time.Now())
	s, ok := Provider{}.ReverseUnknown(ctx, w.f, e)
	if !ok || s.Keep || s.Outcome.Status != journal.StatusReversed {
		t.Fatalf("ReverseUnknown = %+v, %v; want reversed", s, ok)
	}
	rev, err := w.store.Get(ctx, "reverse:lost-1")
	if err != nil || rev.Status != journal.StatusOK || rev.Follows != "lost-1" || rev.Operation != "charge reverse" || rev.Provider != "boku" {
		t.Fatalf("reversal row %+v, %v", rev, err)
	}
	orig, _ := w.store.Get(ctx, "lost-1")
	if orig.Status != journal.StatusReversed {
		t.Fatalf("the charge's row is %q after its reversal, want reversed", orig.Status)
	}
	q, err := w.session.Direct.QueryCharge(ctx, bokudirect.QueryChargeRequest{MerchantRequestID: "lost-1"})
	if err != nil || len(q.Charges) != 1 || q.Charges[0].Reversal == nil {
		t.Fatalf("Boku does not show the charge reversed: %+v, %v", q, err)
	}

	old := w.intent("old-2", "charge", time.Now().Add(-2*time.Hour))
	if s, ok := (Provider{}).ReverseUnknown(ctx, w.f, old); ok || !strings.Contains(s.Detail, "hour") {
		t.Fatalf("a charge older than the hour = %+v, %v; want refused, saying why", s, ok)
	}
	optin := w.intent("optin-2", "optin begin", time.Now())
	if _, ok := (Provider{}).ReverseUnknown(ctx, w.f, optin); ok {
		t.Fatal("an opt-in was reversed")
	}
}

// Settle sends nothing that changes state: the fake's counts do not move.
func TestSettleSendsNothing(t *testing.T) {
	w := newWorld(t)
	w.charge("ok-1", "1.00")
	before := w.fake.ChargeCount()
	for _, op := range []string{"charge", "charge hosted", "charge reverse", "refund", "optin begin"} {
		Provider{}.Settle(t.Context(), w.f, w.intent("k-"+strings.ReplaceAll(op, " ", "-"), op, time.Now()))
	}
	if w.fake.ChargeCount() != before || w.fake.RefundCount() != 0 {
		t.Fatal("Settle changed state at the provider")
	}
}
