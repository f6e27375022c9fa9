package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	all := []string{StatusOK, StatusPending, StatusDeclined, StatusFailed, StatusReversed, StatusUnknown}
	for _, tc := range []struct {
		current, given, kind, want string
	}{
		{StatusSent, StatusOK, KindOutcome, StatusOK},
		{StatusSent, StatusFailed, KindOutcome, StatusFailed},
		{StatusSent, StatusUnknown, KindOutcome, StatusUnknown},
		{StatusSent, StatusDeclined, KindReconcile, StatusDeclined},
		{StatusUnknown, StatusOK, KindOutcome, StatusOK},
		{StatusUnknown, StatusDeclined, KindOutcome, StatusDeclined},
		{StatusUnknown, StatusReversed, KindFollowUp, StatusReversed},
		{StatusUnknown, StatusPending, KindOutcome, StatusPending},
		{StatusUnknown, StatusFailed, KindOutcome, StatusUnknown},
		{StatusUnknown, StatusFailed, KindReconcile, StatusFailed},
		{StatusUnknown, StatusFailed, KindSettle, StatusFailed},
		{StatusUnknown, StatusFailed, KindFollowUp, StatusFailed},
		{StatusUnknown, StatusUnknown, KindOutcome, StatusUnknown},
		{StatusPending, StatusOK, KindReconcile, StatusOK},
		{StatusPending, StatusFailed, KindOutcome, StatusPending},
		{StatusPending, StatusFailed, KindReconcile, StatusFailed},
		{StatusPending, StatusUnknown, KindOutcome, StatusPending},
		{StatusFailed, StatusOK, KindOutcome, StatusOK},
		{StatusFailed, StatusUnknown, KindOutcome, StatusUnknown},
		{StatusOK, StatusReversed, KindFollowUp, StatusReversed},
		{StatusOK, StatusReversed, KindReconcile, StatusReversed},
	} {
		if got := Next(tc.current, tc.given, tc.kind); got != tc.want {
			t.Errorf("Next(%s, %s, %s) = %s, want %s", tc.current, tc.given, tc.kind, got, tc.want)
		}
	}
	// Known outcomes never move backwards, whatever is said after.
	for _, kind := range []string{KindOutcome, KindReconcile, KindFollowUp} {
		for _, given := range all {
			if got := Next(StatusOK, given, kind); got != StatusOK && got != StatusReversed {
				t.Errorf("ok became %s after %s %s", got, kind, given)
			}
			for _, terminal := range []string{StatusDeclined, StatusReversed} {
				if got := Next(terminal, given, kind); got != terminal {
					t.Errorf("%s became %s after %s %s", terminal, got, kind, given)
				}
			}
		}
	}
	if afterAttempt(StatusFailed) != StatusSent || afterAttempt(StatusOK) != StatusOK || afterAttempt(StatusUnknown) != StatusUnknown {
		t.Error("afterAttempt")
	}
}

func openTest(t *testing.T) (Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journal.db")
	store, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store, path
}

// The defect: a refused retry erased a success. Now the row keeps the
// payment, and the refusal is an attempt in the history.
func TestRefusedRetryKeepsTheSuccess(t *testing.T) {
	ctx := context.Background()
	store, _ := openTest(t)
	first := Entry{Key: "op-1", Time: time.Now(), Provider: "worldline", Operation: "charge", Amount: "7.00", Minor: 700, Currency: "EUR"}
	if n, err := store.Begin(ctx, first); err != nil || n != 1 {
		t.Fatal(n, err)
	}
	if err := store.Finish(ctx, "op-1", 1, Outcome{Status: StatusOK, MadeID: "pay-1", Result: `{"payment_id":"pay-1"}`}); err != nil {
		t.Fatal(err)
	}
	again := first
	again.Amount, again.Minor = "8.00", 800
	n, err := store.Begin(ctx, again)
	if err != nil || n != 2 {
		t.Fatal(n, err)
	}
	if err := store.Finish(ctx, "op-1", 2, Outcome{Status: StatusFailed, ExitCode: 2, Reason: "409 conflict"}); err != nil {
		t.Fatal(err)
	}
	got, err := store.Get(ctx, "op-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusOK || got.MadeID != "pay-1" || got.Result != `{"payment_id":"pay-1"}` || got.Amount != "7.00" || got.Minor != 700 || got.Attempts != 2 || got.Reason != "" {
		t.Fatalf("after a refused retry: %+v", got)
	}
	want := []struct{ kind, status, to, amount string }{
		{KindAttempt, "", StatusSent, "7.00"}, {KindOutcome, StatusOK, StatusOK, ""},
		{KindAttempt, "", StatusOK, "8.00"}, {KindOutcome, StatusFailed, StatusOK, ""},
	}
	if len(got.History) != len(want) {
		t.Fatalf("history %+v", got.History)
	}
	for i, w := range want {
		ev := got.History[i]
		if ev.Kind != w.kind || ev.Status != w.status || ev.To != w.to || ev.Amount != w.amount {
			t.Errorf("event %d = %+v, want %+v", i, ev, w)
		}
	}
}

// A failed request sent again is in flight again: a crash now leaves it
// unsettled (listed as unknown), never "failed".
func TestFailedRetryIsSentAgain(t *testing.T) {
	ctx := context.Background()
	store, _ := openTest(t)
	e := Entry{Key: "r-1", Time: time.Now(), Provider: "boku", Operation: "refund"}
	store.Begin(ctx, e)
	store.Finish(ctx, "r-1", 1, Outcome{Status: StatusFailed, ExitCode: 6})
	if n, _ := store.Begin(ctx, e); n != 2 {
		t.Fatalf("attempt %d", n)
	}
	unknown, _ := List(ctx, store, Filter{Status: StatusUnknown})
	if len(unknown) != 1 || unknown[0].Status != StatusSent {
		t.Fatalf("a retried failed row after a crash: %+v", unknown)
	}
	// An unknown row refused on retry stays unknown.
	store.Finish(ctx, "r-1", 2, Outcome{Status: StatusUnknown, ExitCode: 5})
	store.Begin(ctx, e)
	store.Finish(ctx, "r-1", 3, Outcome{Status: StatusFailed, ExitCode: 2})
	if got, _ := store.Get(ctx, "r-1"); got.Status != StatusUnknown {
		t.Fatalf("a refusal settled an unknown row: %s", got.Status)
	}
}

func TestFollowUpSettlesWhatItFollows(t *testing.T) {
	ctx := context.Background()
	store, _ := openTest(t)
	store.Begin(ctx, Entry{Key: "k", Time: time.Now(), Operation: "charge"})
	store.Finish(ctx, "k", 1, Outcome{Status: StatusUnknown, ExitCode: 5})
	store.Begin(ctx, Entry{Key: "r", Time: time.Now(), Operation: "operation reverse", Follows: "k", Settles: StatusReversed})
	store.Finish(ctx, "r", 1, Outcome{Status: StatusFailed, ExitCode: 6})
	if got, _ := store.Get(ctx, "k"); got.Status != StatusUnknown {
		t.Fatalf("a failed follow-up settled its row: %s", got.Status)
	}
	store.Begin(ctx, Entry{Key: "r", Time: time.Now(), Operation: "operation reverse", Follows: "k", Settles: StatusReversed})
	store.Finish(ctx, "r", 2, Outcome{Status: StatusOK})
	got, _ := store.Get(ctx, "k")
	last := got.History[len(got.History)-1]
	if got.Status != StatusReversed || last.Kind != KindFollowUp || last.By != "r" || last.From != StatusUnknown {
		t.Fatalf("after the reversal: %s, %+v", got.Status, last)
	}
	// A follow-up that found nothing to undo (Worldline's 7204): failed.
	store.Begin(ctx, Entry{Key: "k2", Time: time.Now(), Operation: "charge"})
	store.Begin(ctx, Entry{Key: "r2", Time: time.Now(), Operation: "operation reverse", Follows: "k2", Settles: StatusReversed})
	store.Finish(ctx, "r2", 1, Outcome{Status: StatusOK, Settles: StatusFailed})
	if got, _ := store.Get(ctx, "k2"); got.Status != StatusFailed {
		t.Fatalf("7204: %s", got.Status)
	}
}

func TestSettleByHand(t *testing.T) {
	ctx := context.Background()
	store, _ := openTest(t)
	store.Begin(ctx, Entry{Key: "k", Time: time.Now(), Operation: "charge"})
	got, err := store.Record(ctx, "k", KindSettle, Outcome{Status: StatusOK, Reason: "settled by hand: portal"}, Event{Note: "portal", By: "ops@host"})
	if err != nil || got.Status != StatusOK {
		t.Fatal(got, err)
	}
	last := got.History[len(got.History)-1]
	if last.Kind != KindSettle || last.Note != "portal" || last.By != "ops@host" || last.From != StatusSent {
		t.Fatalf("history %+v", last)
	}
	if _, err := store.Record(ctx, "k", KindSettle, Outcome{Status: StatusFailed}, Event{Note: "x"}); !errors.Is(err, ErrSettled) {
		t.Fatalf("settling a settled row: %v", err)
	}
	if got, _ := store.Get(ctx, "k"); got.Status != StatusOK || len(got.History) != 2 {
		t.Fatalf("a refused settle changed the row: %+v", got)
	}
	if _, err := store.Record(ctx, "nope", KindSettle, Outcome{Status: StatusOK}, Event{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
}

// Eight processes claim one file's batch at once: exactly one records it.
func TestClaimBatchOnce(t *testing.T) {
	ctx := context.Background()
	_, path := openTest(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			store, err := Open(ctx, path)
			if err != nil {
				t.Error(err)
				return
			}
			defer store.Close()
			prior, err := store.ClaimBatch(ctx, Batch{ID: fmt.Sprintf("b-%d", i), Time: time.Now(), Profile: "p", Operation: "refund", Digest: "d"}, false)
			if err != nil {
				t.Error(err)
				return
			}
			if prior == nil {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d runs claimed the batch", won)
	}
}

// Times are stored fixed width, so that text order is time order; an old
// journal's trimmed times are rewritten when it is opened.
func TestTimesSortAsText(t *testing.T) {
	ctx := context.Background()
	store, path := openTest(t)
	base := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	for i, d := range []time.Duration{100 * time.Millisecond, 0, 120 * time.Millisecond, time.Second} {
		store.Begin(ctx, Entry{Key: fmt.Sprintf("k%d", i), Time: base.Add(d)})
	}
	got, _ := List(ctx, store, Filter{Since: base.Add(110 * time.Millisecond)})
	if len(got) != 2 || got[0].Key != "k2" || got[1].Key != "k3" {
		t.Fatalf("since 10:00:00.110: %+v", got)
	}
	store.Close()
	db, _ := sql.Open("sqlite", "file:"+path)
	defer db.Close()
	if _, err := db.Exec(`UPDATE operations SET time = '2026-12-02T10:00:00.1Z' WHERE key = 'k0'; PRAGMA user_version = 1`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	store, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	db, _ = sql.Open("sqlite", "file:"+path)
	var stored string
	db.QueryRow(`SELECT time FROM operations WHERE key = 'k0'`).Scan(&stored)
	if stored != "2026-12-02T10:00:00.100000000Z" {
		t.Fatalf("stored %q", stored)
	}
}

// The history is append-only: the database itself refuses to change it.
func TestEventsAreNeverChanged(t *testing.T) {
	ctx := context.Background()
	store, path := openTest(t)
	store.Begin(ctx, Entry{Key: "k", Time: time.Now()})
	db, _ := sql.Open("sqlite", "file:"+path)
	defer db.Close()
	if _, err := db.Exec(`UPDATE events SET status = 'ok'`); err == nil {
		t.Fatal("an event was updated")
	}
	if _, err := db.Exec(`DELETE FROM events`); err == nil {
		t.Fatal("an event was deleted")
	}
}
