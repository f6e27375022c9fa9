// Package journaltest is the conformance suite every journal.Store engine
// passes (SQLite and PostgreSQL), in the shape of restic's backend test
// suite: a Suite[C] says how to make a fresh journal of its engine from a
// config C, and RunTests runs one set of tests against it.
package journaltest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/journal"
)

// Suite runs the conformance tests against one engine.
type Suite[C any] struct {
	// NewConfig makes the config of a fresh, empty journal.
	NewConfig func(t *testing.T) C
	// Open opens the journal of cfg; each call is another handle on the
	// same journal (as another process has).
	Open func(t *testing.T, cfg C) (journal.Store, error)
	// Exec runs raw SQL on the journal of cfg, past the store (to check
	// what the database itself refuses).
	Exec func(t *testing.T, cfg C, query string) error
	// WriteOld, when set, writes a journal of the engine's oldest schema
	// holding one settled and one unknown row (keys old-ok, old-unknown),
	// which Open must bring up to date.
	WriteOld func(t *testing.T, cfg C)
	// Locks says the engine locks batches across machines (journal.Locker);
	// an engine that does not must not claim to (SQLite: cmd/batch's file
	// lock is the one lock, on the one machine).
	Locks bool
}

// RunTests runs every test of the suite.
func (s *Suite[C]) RunTests(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s *Suite[C])
	}{
		{"IntentOutcome", testIntentOutcome[C]},
		{"SentNamesItsSettle", testSentNamesItsSettle[C]},
		{"Transitions", testTransitions[C]},
		{"Links", testLinks[C]},
		{"Batches", testBatches[C]},
		{"BatchesPerMerchant", testBatchesPerMerchant[C]},
		{"History", testHistory[C]},
		{"ExactAmounts", testExactAmounts[C]},
		{"StreamingFilters", testStreamingFilters[C]},
		{"OneOwnerPerKey", testOneOwnerPerKey[C]},
		{"ConcurrentOneKey", testConcurrentOneKey[C]},
		{"ConcurrentWriters", testConcurrentWriters[C]},
		{"Group", testGroup[C]},
		{"GroupLikeOneByOne", testGroupLikeOneByOne[C]},
		{"GroupConflictStaysInItsRow", testGroupConflict[C]},
		{"GroupCrashBetweenGroups", testGroupCrash[C]},
		{"GroupOutcomeAfterAnotherHandle", testGroupOutcomeAfterOther[C]},
		{"EventsAppendOnly", testEventsAppendOnly[C]},
		{"ConcurrentOpen", testConcurrentOpen[C]},
		{"MigrateOld", testMigrateOld[C]},
		{"Lock", testLock[C]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, s) })
	}
}

func (s *Suite[C]) open(t *testing.T) (journal.Store, C) {
	t.Helper()
	cfg := s.NewConfig(t)
	store := s.reopen(t, cfg)
	return store, cfg
}

func (s *Suite[C]) reopen(t *testing.T, cfg C) journal.Store {
	t.Helper()
	store, err := s.Open(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

func entry(key string) journal.Entry {
	return journal.Entry{Key: key, Time: time.Now(), Profile: "shop", Provider: "boku", Operation: "charge",
		Amount: "4.99", Minor: 499, Currency: "GBP", User: "ana", Host: "laptop", Targets: map[string]string{"optin-id": "oi-1"}}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, store journal.Store, key string) *journal.Entry {
	t.Helper()
	e, err := store.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	return e
}

func keys(t *testing.T, store journal.Store, f journal.Filter) []string {
	t.Helper()
	var out []string
	must(t, store.Each(context.Background(), f, func(e *journal.Entry) error {
		out = append(out, e.Key)
		return nil
	}))
	return out
}

func testIntentOutcome[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, _ := s.open(t)
	n, err := store.Begin(ctx, entry("order-1"))
	if err != nil || n != 1 {
		t.Fatalf("begin: %d %v", n, err)
	}
	e := get(t, store, "order-1")
	if e.Status != journal.StatusSent || e.Targets["optin-id"] != "oi-1" || e.ExitCode != nil || e.User != "ana" || e.Host != "laptop" || e.Attempts != 1 {
		t.Fatalf("intent: %+v", e)
	}
	must(t, store.Finish(ctx, "order-1", 1, journal.Outcome{Status: journal.StatusOK, Result: `{"charge_id":"ch-1"}`, MadeID: "ch-1"}))
	e = get(t, store, "order-1")
	if e.Status != journal.StatusOK || e.ExitCode == nil || *e.ExitCode != 0 || e.Result != `{"charge_id":"ch-1"}` || e.FinishedAt.IsZero() || e.MadeID != "ch-1" {
		t.Fatalf("outcome: %+v", e)
	}
	// A resend is a new attempt that never undoes the known outcome.
	if n, err = store.Begin(ctx, entry("order-1")); err != nil || n != 2 {
		t.Fatalf("resend: %d %v", n, err)
	}
	must(t, store.Finish(ctx, "order-1", 2, journal.Outcome{Status: journal.StatusFailed, ExitCode: 2}))
	if e = get(t, store, "order-1"); e.Status != journal.StatusOK || e.Attempts != 2 {
		t.Fatalf("resend reopened a settled row: %+v", e)
	}
	if _, err := store.Get(ctx, "nope"); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("missing key: %v", err)
	}
	if _, err := store.Record(ctx, "nope", journal.KindReconcile, journal.Outcome{Status: journal.StatusOK}, journal.Event{}); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("record of a missing key: %v", err)
	}
	if got := e.Time; time.Since(got) > time.Minute || got.Location() != time.UTC {
		t.Fatalf("time %v", got)
	}
}

// A row still "sent" (its process stopped in flight) names the command
// its intent gave; an outcome replaces it with its own (none when
// settled); a failed row sent again names it again; an unknown row sent
// again keeps the command its outcome gave. The same through a Group.
func testSentNamesItsSettle[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, _ := s.open(t)
	intent := func(key string) journal.Entry {
		e := entry(key)
		e.SettleCmd = "bokuctl reconcile"
		return e
	}
	settle := func(key, want string) {
		t.Helper()
		if e := get(t, store, key); e.SettleCmd != want {
			t.Fatalf("%s (%s): settle command %q, want %q", key, e.Status, e.SettleCmd, want)
		}
	}
	n, err := store.Begin(ctx, intent("left-1"))
	must(t, err)
	settle("left-1", "bokuctl reconcile")
	must(t, store.Finish(ctx, "left-1", n, journal.Outcome{Status: journal.StatusOK}))
	settle("left-1", "")

	n, err = store.Begin(ctx, intent("failed-1"))
	must(t, err)
	must(t, store.Finish(ctx, "failed-1", n, journal.Outcome{Status: journal.StatusFailed, ExitCode: 4}))
	settle("failed-1", "")
	if n, err = store.Begin(ctx, intent("failed-1")); err != nil || n != 2 {
		t.Fatalf("resend of a failed row: %d %v", n, err)
	}
	settle("failed-1", "bokuctl reconcile")

	n, err = store.Begin(ctx, intent("unknown-1"))
	must(t, err)
	must(t, store.Finish(ctx, "unknown-1", n, journal.Outcome{Status: journal.StatusUnknown, ExitCode: 5, SettleCmd: "bokuctl charge status --merchant-request-id unknown-1"}))
	_, err = store.Begin(ctx, intent("unknown-1"))
	must(t, err)
	settle("unknown-1", "bokuctl charge status --merchant-request-id unknown-1")

	g := journal.NewGroup(store)
	ahead := intent("ahead-1")
	ahead.SettleCmd = "bokuctl batch resume bt-1 --yes"
	must(t, g.Ahead([]journal.Entry{ahead}))
	if _, err := g.Begin(ctx, ahead); err != nil {
		t.Fatal(err)
	}
	must(t, g.Close())
	settle("ahead-1", "bokuctl batch resume bt-1 --yes")
}

// Every row of Next's table, through the store.
func testTransitions[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, _ := s.open(t)
	cases := []struct {
		steps []string // kind:status
		want  string
	}{
		{[]string{"outcome:unknown", "outcome:failed"}, journal.StatusUnknown},
		{[]string{"outcome:unknown", "reconcile:failed"}, journal.StatusFailed},
		{[]string{"outcome:unknown", "reconcile:ok"}, journal.StatusOK},
		{[]string{"outcome:pending", "outcome:failed"}, journal.StatusPending},
		{[]string{"outcome:pending", "reconcile:declined"}, journal.StatusDeclined},
		{[]string{"outcome:ok", "reconcile:failed"}, journal.StatusOK},
		{[]string{"outcome:ok", "reconcile:reversed"}, journal.StatusReversed},
		{[]string{"outcome:declined", "reconcile:ok"}, journal.StatusDeclined},
		{[]string{"outcome:failed", "attempt:", "outcome:ok"}, journal.StatusOK},
		{[]string{"outcome:unknown", "settle:ok"}, journal.StatusOK},
	}
	for i, c := range cases {
		key := fmt.Sprintf("t-%d", i)
		attempt, err := store.Begin(ctx, entry(key))
		must(t, err)
		for _, step := range c.steps {
			kind, status := step, ""
			for j := range step {
				if step[j] == ':' {
					kind, status = step[:j], step[j+1:]
				}
			}
			switch kind {
			case "attempt":
				attempt, err = store.Begin(ctx, entry(key))
				must(t, err)
				if e := get(t, store, key); e.Status != journal.StatusSent {
					t.Fatalf("%s: a refused row sent again is %s", key, e.Status)
				}
			case journal.KindOutcome:
				must(t, store.Finish(ctx, key, attempt, journal.Outcome{Status: status}))
			default:
				_, err := store.Record(ctx, key, kind, journal.Outcome{Status: status}, journal.Event{Note: "n", By: "ana@laptop"})
				must(t, err)
			}
		}
		if e := get(t, store, key); e.Status != c.want {
			t.Errorf("%v: %s, want %s", c.steps, e.Status, c.want)
		}
	}
	if _, err := store.Record(ctx, "t-2", journal.KindSettle, journal.Outcome{Status: journal.StatusFailed}, journal.Event{Note: "n"}); !errors.Is(err, journal.ErrSettled) {
		t.Fatalf("settle of a settled row: %v", err)
	}
}

// A follow-up's first success settles the row it follows.
func testLinks[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, _ := s.open(t)
	_, err := store.Begin(ctx, entry("charge-1"))
	must(t, err)
	must(t, store.Finish(ctx, "charge-1", 1, journal.Outcome{Status: journal.StatusUnknown, ExitCode: 5, Result: `{"charge_id":"ch-9"}`, MadeID: "ch-9"}))
	rev := entry("rev-1")
	rev.Operation, rev.Follows, rev.Settles = "charge reverse", "charge-1", journal.StatusReversed
	_, err = store.Begin(ctx, rev)
	must(t, err)
	must(t, store.Finish(ctx, "rev-1", 1, journal.Outcome{Status: journal.StatusOK}))
	e := get(t, store, "charge-1")
	if e.Status != journal.StatusReversed || e.MadeID != "ch-9" {
		t.Fatalf("followed row: %+v", e)
	}
	last := e.History[len(e.History)-1]
	if last.Kind != journal.KindFollowUp || last.By != "rev-1" {
		t.Fatalf("follow-up event: %+v", last)
	}
	// A technical reversal that found nothing: the row it follows failed.
	_, err = store.Begin(ctx, entry("charge-2"))
	must(t, err)
	must(t, store.Finish(ctx, "charge-2", 1, journal.Outcome{Status: journal.StatusUnknown}))
	tr := entry("tr-2")
	tr.Follows, tr.Settles = "charge-2", journal.StatusReversed
	_, err = store.Begin(ctx, tr)
	must(t, err)
	must(t, store.Finish(ctx, "tr-2", 1, journal.Outcome{Status: journal.StatusOK, Settles: journal.StatusFailed}))
	if e := get(t, store, "charge-2"); e.Status != journal.StatusFailed {
		t.Fatalf("nothing to undo: %+v", e)
	}
	// A follow-up of a row this journal never saw settles nothing.
	orphan := entry("rev-9")
	orphan.Follows, orphan.Settles = "elsewhere", journal.StatusReversed
	_, err = store.Begin(ctx, orphan)
	must(t, err)
	must(t, store.Finish(ctx, "rev-9", 1, journal.Outcome{Status: journal.StatusOK}))
}

func testBatches[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, _ := s.open(t)
	b := journal.Batch{ID: "b-1", Time: time.Now(), Profile: "shop", Provider: "boku", Operation: "refund", File: "r.csv", Digest: "d1", Copy: "/tmp/c", Rows: 3}
	prior, err := store.ClaimBatch(ctx, b, false)
	if err != nil || prior != nil {
		t.Fatalf("first claim: %v %v", prior, err)
	}
	b2 := b
	b2.ID, b2.Time = "b-2", b.Time.Add(time.Second)
	if prior, err = store.ClaimBatch(ctx, b2, false); err != nil || prior == nil || prior.ID != "b-1" || prior.Rows != 3 {
		t.Fatalf("second claim: %+v %v", prior, err)
	}
	b3 := b2
	b3.ID = "b-2-fresh"
	if prior, err = store.ClaimBatch(ctx, b3, true); err != nil || prior != nil {
		t.Fatalf("fresh claim: %+v %v", prior, err)
	}
	got, err := store.GetBatch(ctx, "b-1")
	if err != nil || got.Digest != "d1" || got.File != "r.csv" || time.Since(got.Time) > time.Minute {
		t.Fatalf("get: %+v %v", got, err)
	}
	if _, err := store.GetBatch(ctx, "b-9"); !errors.Is(err, journal.ErrNoBatch) {
		t.Fatalf("missing batch: %v", err)
	}
	if found, err := store.FindBatch(ctx, "d1", "refund", "shop", ""); err != nil || found.ID != "b-2-fresh" {
		t.Fatalf("find: %+v %v", found, err)
	}
	if _, err := store.FindBatch(ctx, "d1", "refund", "other", ""); !errors.Is(err, journal.ErrNoBatch) {
		t.Fatalf("find other profile: %v", err)
	}
	var ids []string
	must(t, store.EachBatch(ctx, time.Time{}, func(b *journal.Batch) error { ids = append(ids, b.ID); return nil }))
	if fmt.Sprint(ids) != "[b-2-fresh b-1]" {
		t.Fatalf("batches newest first: %v", ids)
	}
	ids = nil
	must(t, store.EachBatch(ctx, b.Time.Add(500*time.Millisecond), func(b *journal.Batch) error { ids = append(ids, b.ID); return nil }))
	if fmt.Sprint(ids) != "[b-2-fresh]" {
		t.Fatalf("batches since: %v", ids)
	}
	for i, st := range []string{journal.StatusOK, journal.StatusOK, journal.StatusUnknown, ""} {
		e := entry(fmt.Sprintf("b1-%d", i))
		e.Batch = "b-1"
		_, err := store.Begin(ctx, e)
		must(t, err)
		if st != "" {
			must(t, store.Finish(ctx, e.Key, 1, journal.Outcome{Status: st}))
		}
	}
	counts, err := store.Count(ctx, journal.Filter{Batch: "b-1"})
	if err != nil || fmt.Sprint(counts) != "map[ok:2 sent:1 unknown:1]" {
		t.Fatalf("count: %v %v", counts, err)
	}
}

func testHistory[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, _ := s.open(t)
	_, err := store.Begin(ctx, entry("h-1"))
	must(t, err)
	must(t, store.Finish(ctx, "h-1", 1, journal.Outcome{Status: journal.StatusUnknown, ExitCode: 5, Reason: "timeout"}))
	_, err = store.Begin(ctx, entry("h-1"))
	must(t, err)
	must(t, store.Finish(ctx, "h-1", 2, journal.Outcome{Status: journal.StatusFailed, ExitCode: 2}))
	after, err := store.Record(ctx, "h-1", journal.KindSettle, journal.Outcome{Status: journal.StatusOK}, journal.Event{Note: "seen in the portal", By: "ana@laptop"})
	must(t, err)
	var kinds []string
	for i, ev := range after.History {
		kinds = append(kinds, ev.Kind+":"+ev.To)
		if i > 0 && ev.Seq <= after.History[i-1].Seq {
			t.Fatalf("history out of order: %+v", after.History)
		}
	}
	want := "[attempt:sent outcome:unknown attempt:unknown outcome:unknown settle:ok]"
	if fmt.Sprint(kinds) != want {
		t.Fatalf("history %v, want %s", kinds, want)
	}
	h := after.History
	if h[0].By != "ana@laptop" || h[0].Amount != "4.99" || h[1].Reason != "timeout" || *h[1].ExitCode != 5 || h[3].Status != journal.StatusFailed || h[4].Note != "seen in the portal" {
		t.Fatalf("history fields: %+v", h)
	}
}

// Amounts come back exactly as written, whatever their size and scale.
func testExactAmounts[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, _ := s.open(t)
	for i, a := range []struct {
		amount, currency string
		minor            int64
	}{{"0.10", "GBP", 10}, {"500", "JPY", 500}, {"1.234", "KWD", 1234}, {"92233720368547758.07", "USD", 9223372036854775807}, {"", "", 0}} {
		e := entry(fmt.Sprintf("a-%d", i))
		e.Amount, e.Currency, e.Minor = a.amount, a.currency, a.minor
		_, err := store.Begin(ctx, e)
		must(t, err)
		got := get(t, store, e.Key)
		if got.Amount != a.amount || got.Minor != a.minor || got.Currency != a.currency || got.History[0].Amount != a.amount {
			t.Errorf("%+v came back %q %d %q (event %q)", a, got.Amount, got.Minor, got.Currency, got.History[0].Amount)
		}
	}
}

func testStreamingFilters[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, _ := s.open(t)
	base := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	rows := []struct {
		key, profile, provider, operation, batch, status string
		at                                               time.Duration
	}{
		{"a-1", "shop", "boku", "charge", "", journal.StatusOK, 0},
		{"a-10", "shop", "boku", "refund", "b-1", journal.StatusUnknown, 100 * time.Millisecond},
		{"a-2", "shop", "worldline", "charge capture", "b-1", "", 110 * time.Millisecond},
		{"a.", "other", "boku", "charge", "", journal.StatusPending, time.Second},
		{"b-1", "other", "worldline", "charge", "", journal.StatusDeclined, 2 * time.Second},
		{"a-é", "shop", "boku", "charge", "", journal.StatusFailed, 3 * time.Second},
		{"a-\U0010FFFF", "shop", "boku", "charge", "", journal.StatusOK, 4 * time.Second},
	}
	for _, r := range rows {
		e := entry(r.key)
		e.Profile, e.Provider, e.Operation, e.Batch, e.Time = r.profile, r.provider, r.operation, r.batch, base.Add(r.at)
		_, err := store.Begin(ctx, e)
		must(t, err)
		if r.status != "" {
			must(t, store.Finish(ctx, r.key, 1, journal.Outcome{Status: r.status}))
		}
	}
	cases := []struct {
		name string
		f    journal.Filter
		want string
	}{
		{"all, oldest first", journal.Filter{}, "[a-1 a-10 a-2 a. b-1 a-é a-\U0010FFFF]"},
		{"since (sub-second)", journal.Filter{Since: base.Add(105 * time.Millisecond)}, "[a-2 a. b-1 a-é a-\U0010FFFF]"},
		{"until", journal.Filter{Until: base.Add(time.Second)}, "[a-1 a-10 a-2]"},
		{"unknown includes sent", journal.Filter{Status: journal.StatusUnknown}, "[a-10 a-2]"},
		{"sent only", journal.Filter{Status: journal.StatusSent}, "[a-2]"},
		{"unsettled", journal.Filter{Statuses: []string{journal.StatusSent, journal.StatusUnknown, journal.StatusPending}}, "[a-10 a-2 a.]"},
		{"profile", journal.Filter{Profile: "other"}, "[a. b-1]"},
		{"provider", journal.Filter{Provider: "worldline"}, "[a-2 b-1]"},
		{"operation", journal.Filter{Operation: "charge capture"}, "[a-2]"},
		{"batch", journal.Filter{Batch: "b-1"}, "[a-10 a-2]"},
		{"key prefix", journal.Filter{KeyPrefix: "a-1"}, "[a-1 a-10]"},
		{"key prefix a-", journal.Filter{KeyPrefix: "a-"}, "[a-1 a-10 a-2 a-é a-\U0010FFFF]"},
		{"key prefix, last rune max", journal.Filter{KeyPrefix: "a-\U0010FFFF"}, "[a-\U0010FFFF]"},
		{"limit: the newest, oldest first", journal.Filter{Limit: 2}, "[a-é a-\U0010FFFF]"},
		{"limit with filters", journal.Filter{Provider: "boku", Limit: 3, Until: base.Add(3 * time.Second)}, "[a-1 a-10 a.]"},
		{"everything at once", journal.Filter{Since: base, Until: base.Add(time.Hour), Statuses: []string{journal.StatusUnknown}, Profile: "shop",
			Provider: "worldline", Operation: "charge capture", Batch: "b-1", KeyPrefix: "a-", Limit: 5}, "[a-2]"},
		{"nothing", journal.Filter{KeyPrefix: "zz"}, "[]"},
	}
	for _, c := range cases {
		if got := fmt.Sprint(keys(t, store, c.f)); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	// An error from fn stops the read and comes back.
	stop := errors.New("stop")
	n := 0
	if err := store.Each(ctx, journal.Filter{}, func(*journal.Entry) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("stop: %v after %d", err, n)
	}
	// Entries carry their data.
	var e *journal.Entry
	must(t, store.Each(ctx, journal.Filter{KeyPrefix: "a-10"}, func(got *journal.Entry) error { e = got; return nil }))
	if e.Targets["optin-id"] != "oi-1" || e.Amount != "4.99" || e.Batch != "b-1" || !e.Time.Equal(base.Add(100*time.Millisecond)) || e.FinishedAt.IsZero() {
		t.Fatalf("entry: %+v", e)
	}
}

// A key another operator sent and whose outcome nobody knows is theirs:
// nothing is sent, and the error says who holds it. The same operator's
// retry is a new attempt, and once the outcome is known anyone may send.
func testOneOwnerPerKey[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, cfg := s.open(t)
	other := s.reopen(t, cfg)
	_, err := store.Begin(ctx, entry("own-1"))
	must(t, err)
	bo := entry("own-1")
	bo.User, bo.Host = "bo", "ci-runner"
	_, err = other.Begin(ctx, bo)
	var held *journal.HeldError
	if !errors.As(err, &held) || held.By != "ana@laptop" || held.Status != journal.StatusSent || time.Since(held.Since) > time.Minute {
		t.Fatalf("another operator's key: %v", err)
	}
	must(t, store.Finish(ctx, "own-1", 1, journal.Outcome{Status: journal.StatusUnknown}))
	if _, err = other.Begin(ctx, bo); !errors.As(err, &held) || held.Status != journal.StatusUnknown {
		t.Fatalf("unknown is still held: %v", err)
	}
	if n, err := store.Begin(ctx, entry("own-1")); err != nil || n != 2 {
		t.Fatalf("the holder's retry: %d %v", n, err)
	}
	if e := get(t, store, "own-1"); e.Attempts != 2 || len(e.History) != 3 {
		t.Fatalf("a refused attempt left a trace: %+v", e)
	}
	must(t, store.Finish(ctx, "own-1", 2, journal.Outcome{Status: journal.StatusOK}))
	if n, err := other.Begin(ctx, bo); err != nil || n != 3 {
		t.Fatalf("a settled key is anyone's: %d %v", n, err)
	}
}

// Twenty operators, each on their own handle (a process), send one key at
// once: exactly one gets to send; the others are told who holds it. The
// same operator's twenty sends at once are twenty distinct attempts.
func testConcurrentOneKey[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, cfg := s.open(t)
	handles := make([]journal.Store, 20)
	for i := range handles {
		handles[i] = s.reopen(t, cfg)
	}
	var wg sync.WaitGroup
	results := make([]error, 20)
	attempts := make([]int, 20)
	for i, h := range handles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := entry("race-1")
			e.User = fmt.Sprintf("op%d", i)
			attempts[i], results[i] = h.Begin(ctx, e)
		}()
	}
	wg.Wait()
	won := 0
	for i, err := range results {
		var held *journal.HeldError
		switch {
		case err == nil:
			won++
			if attempts[i] != 1 {
				t.Errorf("winner's attempt %d", attempts[i])
			}
		case errors.As(err, &held):
		default:
			t.Errorf("op%d: %v", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d operators got to send", won)
	}
	if e := get(t, store, "race-1"); e.Attempts != 1 || len(e.History) != 1 {
		t.Fatalf("row after the race: %+v", e)
	}
	for i, h := range handles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			attempts[i], results[i] = h.Begin(ctx, entry("same-1"))
		}()
	}
	wg.Wait()
	for _, err := range results {
		must(t, err)
	}
	sort.Ints(attempts)
	for i, a := range attempts {
		if a != i+1 {
			t.Fatalf("attempts %v", attempts)
		}
	}
}

// Writers on many handles at once lose nothing.
func testConcurrentWriters[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, cfg := s.open(t)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for w := range 10 {
		h := s.reopen(t, cfg)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				key := fmt.Sprintf("w%d-%d", w, i)
				n, err := h.Begin(ctx, entry(key))
				if err == nil {
					err = h.Finish(ctx, key, n, journal.Outcome{Status: journal.StatusOK})
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := len(keys(t, store, journal.Filter{Status: journal.StatusOK})); n != 100 {
		t.Fatalf("%d rows ok, want 100", n)
	}
}

// A Group writes intents and outcomes in groups, on either engine.
func testGroup[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, _ := s.open(t)
	g := journal.NewGroup(store)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("g-%d", i)
			e := entry(key)
			e.Batch, e.Line = "b-g", i+1
			n, err := g.Begin(ctx, e)
			if err != nil {
				t.Error(err)
				return
			}
			g.Finish(ctx, key, n, journal.Outcome{Status: journal.StatusOK})
		}()
	}
	wg.Wait()
	must(t, g.Close())
	if n := len(keys(t, store, journal.Filter{Batch: "b-g", Status: journal.StatusOK})); n != 40 {
		t.Fatalf("%d rows of the group ok", n)
	}
}

// The database itself refuses to change or delete an event.
func testEventsAppendOnly[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, cfg := s.open(t)
	_, err := store.Begin(ctx, entry("k"))
	must(t, err)
	if err := s.Exec(t, cfg, `UPDATE events SET status = 'ok'`); err == nil {
		t.Fatal("an event was updated")
	}
	if err := s.Exec(t, cfg, `DELETE FROM events`); err == nil {
		t.Fatal("an event was deleted")
	}
	if e := get(t, store, "k"); len(e.History) != 1 {
		t.Fatalf("history %+v", e.History)
	}
}

// Many processes opening a new journal at once create it once.
func testConcurrentOpen[C any](t *testing.T, s *Suite[C]) {
	cfg := s.NewConfig(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			store, err := s.Open(t, cfg)
			if err == nil {
				_, err = store.Begin(context.Background(), entry(fmt.Sprintf("open-%d", i)))
				store.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	if n := len(keys(t, s.reopen(t, cfg), journal.Filter{})); n != 8 {
		t.Fatalf("%d rows", n)
	}
}

// One file's batch is one per merchant: operators whose profiles have
// other names for the same merchant claim the same batch; another
// merchant's is another batch; a batch recorded before merchants were
// (merchant "") still matches its own profile.
func testBatchesPerMerchant[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, cfg := s.open(t)
	a := journal.Batch{ID: "b-ana", Time: time.Now(), Profile: "shop", Merchant: "boku m-1", Provider: "boku", Operation: "refund", File: "r.csv", Digest: "d1", Copy: "/x/b-ana.csv", Rows: 2}
	if prior, err := store.ClaimBatch(ctx, a, false); err != nil || prior != nil {
		t.Fatalf("first claim: %+v %v", prior, err)
	}
	other := s.reopen(t, cfg) // another operator's process
	b := a
	b.ID, b.Profile = "b-bo", "prod"
	prior, err := other.ClaimBatch(ctx, b, false)
	if err != nil || prior == nil || prior.ID != "b-ana" || prior.Merchant != "boku m-1" || prior.Profile != "shop" {
		t.Fatalf("the same merchant under another profile name: %+v %v", prior, err)
	}
	if found, err := other.FindBatch(ctx, "d1", "refund", "prod", "boku m-1"); err != nil || found.ID != "b-ana" {
		t.Fatalf("find by merchant: %+v %v", found, err)
	}
	if _, err := other.FindBatch(ctx, "d1", "refund", "shop", "boku m-2"); !errors.Is(err, journal.ErrNoBatch) {
		t.Fatalf("another merchant under the same profile name: %v", err)
	}
	c := a
	c.ID, c.Merchant = "b-m2", "boku m-2"
	if prior, err := other.ClaimBatch(ctx, c, false); err != nil || prior != nil {
		t.Fatalf("another merchant's batch of the same file: %+v %v", prior, err)
	}
	// A batch recorded without a merchant (an older bokuctl) is found by
	// its profile, whatever merchant the profile now names.
	old := journal.Batch{ID: "b-old", Time: time.Now(), Profile: "legacy", Provider: "boku", Operation: "charge", File: "c.csv", Digest: "d2", Copy: "/x/b-old.csv", Rows: 1}
	if prior, err := store.ClaimBatch(ctx, old, false); err != nil || prior != nil {
		t.Fatalf("claim without a merchant: %+v %v", prior, err)
	}
	if found, err := other.FindBatch(ctx, "d2", "charge", "legacy", "boku m-1"); err != nil || found.ID != "b-old" {
		t.Fatalf("an old batch by its profile: %+v %v", found, err)
	}
	if _, err := other.FindBatch(ctx, "d2", "charge", "shop", "boku m-1"); !errors.Is(err, journal.ErrNoBatch) {
		t.Fatalf("an old batch under another profile: %v", err)
	}
	if got, err := other.GetBatch(ctx, "b-ana"); err != nil || got.Merchant != "boku m-1" {
		t.Fatalf("the merchant is kept: %+v %v", got, err)
	}
}

func testMigrateOld[C any](t *testing.T, s *Suite[C]) {
	if s.WriteOld == nil {
		t.Fatal("the suite needs WriteOld: every engine must show it brings an old journal up to date")
	}
	ctx := context.Background()
	cfg := s.NewConfig(t)
	s.WriteOld(t, cfg)
	store := s.reopen(t, cfg)
	if e := get(t, store, "old-ok"); e.Status != journal.StatusOK || e.Attempts != 1 {
		t.Fatalf("old row: %+v", e)
	}
	if got := fmt.Sprint(keys(t, store, journal.Filter{Status: journal.StatusUnknown})); got != "[old-unknown]" {
		t.Fatalf("unknown rows of the old journal: %s", got)
	}
	n, err := store.Begin(ctx, entry("old-unknown"))
	if err != nil || n != 2 {
		t.Fatalf("a new attempt on a migrated row: %d %v", n, err)
	}
	must(t, store.Finish(ctx, "old-unknown", 2, journal.Outcome{Status: journal.StatusOK}))
	if e := get(t, store, "old-unknown"); e.Status != journal.StatusOK {
		t.Fatalf("migrated row: %+v", e)
	}
}

// A store that locks across machines (journal.Locker) lets one holder
// have a name, tells the others who, and frees it when the holder
// releases it or closes the journal. (That a killed holder frees it is
// the engine's own test: it needs a process to kill.)
func testLock[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, cfg := s.open(t)
	a, ok := store.(journal.Locker)
	if ok != s.Locks {
		t.Fatalf("the store is a journal.Locker: %v; the suite says %v", ok, s.Locks)
	}
	if !ok {
		return // batches lock by a file lock on the one machine (cmd/batch's tests)
	}
	other, err := s.Open(t, cfg)
	must(t, err)
	defer other.Close()
	b := other.(journal.Locker)
	name := journal.BatchLockName("d1", "refund", "shop")
	release, _, err := a.TryLock(ctx, name, "ana@laptop pid 1")
	must(t, err)
	if _, held, err := b.TryLock(ctx, name, "bo@ci pid 2"); !errors.Is(err, journal.ErrLocked) || held == "" || held[:16] != "ana@laptop pid 1" {
		t.Fatalf("second holder: %q %v", held, err)
	}
	releaseOther, _, err := b.TryLock(ctx, "batch-2", "bo@ci pid 2")
	must(t, err)
	releaseOther()
	if held, err := b.Holder(ctx, name); err != nil || held[:16] != "ana@laptop pid 1" {
		t.Fatalf("holder: %q %v", held, err)
	}
	release()
	if held, err := b.Holder(ctx, name); err != nil || held != "" {
		t.Fatalf("holder after release: %q %v", held, err)
	}
	release2, _, err := b.TryLock(ctx, name, "bo@ci pid 2")
	must(t, err)
	defer release2()
	// The holder closes its journal: the lock is free.
	third, err := s.Open(t, cfg)
	must(t, err)
	if _, _, err := third.(journal.Locker).TryLock(ctx, "batch-3", "cy@host pid 3"); err != nil {
		t.Fatal(err)
	}
	third.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, _, err := a.TryLock(ctx, "batch-3", "ana@laptop pid 1")
		if err == nil {
			r()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a dead holder's lock stayed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// groupWriter is the store's GroupWriter; every engine has one.
func groupWriter(t *testing.T, store journal.Store) journal.GroupWriter {
	t.Helper()
	w, ok := store.(journal.GroupWriter)
	if !ok {
		t.Fatalf("%T writes no groups", store)
	}
	return w
}

// rowState is what a row is, compared between two journals: its data and
// its history, less times and sequence numbers.
func rowState(t *testing.T, store journal.Store, key string) string {
	t.Helper()
	e := get(t, store, key)
	code := "nil"
	if e.ExitCode != nil {
		code = fmt.Sprint(*e.ExitCode)
	}
	out := fmt.Sprintf("%s status=%s attempts=%d exit=%s reason=%q result=%q made=%q", key, e.Status, e.Attempts, code, e.Reason, e.Result, e.MadeID)
	for _, ev := range e.History {
		out += fmt.Sprintf("\n  %s #%d %s->%s (%s) by=%q reason=%q", ev.Kind, ev.Attempt, ev.From, ev.To, ev.Status, ev.By, ev.Reason)
	}
	return out
}

// A group written by Apply leaves every row as the same changes written
// one by one do: new intents, a key's second attempt and its outcome in
// the same group, outcomes that settle the rows they follow (one whose
// followed row comes later in the group), another operator's key.
func testGroupLikeOneByOne[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	grouped, _ := s.open(t)
	plain, _ := s.open(t)
	w := groupWriter(t, grouped)
	bo := func(e journal.Entry) journal.Entry { e.User, e.Host = "bo", "ci-runner"; return e }
	follow := func(key, follows, settles string) journal.Entry {
		e := entry(key)
		e.Operation, e.Follows, e.Settles = "charge reverse", follows, settles
		return e
	}
	ptr := func(e journal.Entry) *journal.Entry { return &e }
	// The same history before the group on both journals.
	for _, store := range []journal.Store{grouped, plain} {
		for _, key := range []string{"c-sent", "c-unknown", "c-failed", "c-held", "c-late"} {
			_, err := store.Begin(ctx, entry(key))
			must(t, err)
		}
		must(t, store.Finish(ctx, "c-unknown", 1, journal.Outcome{Status: journal.StatusUnknown, ExitCode: 5, MadeID: "ch-1"}))
		must(t, store.Finish(ctx, "c-failed", 1, journal.Outcome{Status: journal.StatusFailed, ExitCode: 4, Reason: "refused"}))
		_, err := store.Begin(ctx, follow("r-early", "c-late", journal.StatusReversed))
		must(t, err)
		_, err = store.Begin(ctx, follow("r-unknown", "c-unknown", journal.StatusReversed))
		must(t, err)
	}
	changes := []journal.Change{
		{Begin: ptr(entry("n-1"))},
		{Key: "c-sent", Attempt: 1, Outcome: journal.Outcome{Status: journal.StatusOK, Result: `{"charge_id":"ch-2"}`, MadeID: "ch-2"}},
		{Begin: ptr(entry("c-failed"))}, // a new attempt of a failed row
		{Key: "c-failed", Attempt: 2, Outcome: journal.Outcome{Status: journal.StatusOK}},
		{Begin: ptr(bo(entry("c-held")))}, // another operator's key: refused
		{Key: "r-unknown", Attempt: 1, Outcome: journal.Outcome{Status: journal.StatusOK}},
		{Begin: ptr(entry("n-2"))},
		// The second group: a follow-up that settles a row whose own
		// outcome comes after it in the group.
		{Key: "r-early", Attempt: 1, Outcome: journal.Outcome{Status: journal.StatusOK}},
		{Key: "c-late", Attempt: 1, Outcome: journal.Outcome{Status: journal.StatusUnknown, ExitCode: 5}},
		{Key: "missing-never", Attempt: 1, Outcome: journal.Outcome{Status: journal.StatusOK}},
	}
	const split = 7
	// A change the store refuses as a whole (an outcome of no row) fails
	// the group: none of it is written.
	if err := w.Apply(ctx, changes); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("a group with an outcome of no row: %v", err)
	}
	if _, err := grouped.Get(ctx, "n-1"); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("a failed group left a row: %v", err)
	}
	changes = changes[:len(changes)-1]
	for i := range changes {
		changes[i].Attempt, changes[i].Err = attemptOf(changes[i]), nil
	}
	must(t, w.Apply(ctx, changes[:split]))
	must(t, w.Apply(ctx, changes[split:]))
	for i, c := range changes {
		if c.Begin == nil {
			continue
		}
		n, err := plain.Begin(ctx, *c.Begin)
		var held *journal.HeldError
		if c.Begin.Key == "c-held" {
			if !errors.As(c.Err, &held) || held.By != "ana@laptop" || !errors.As(err, &held) {
				t.Fatalf("the held key in a group: %v; one by one: %v", c.Err, err)
			}
			continue
		}
		must(t, err)
		if c.Err != nil || c.Attempt != n {
			t.Fatalf("change %d (%s): attempt %d err %v, one by one %d", i, c.Begin.Key, c.Attempt, c.Err, n)
		}
	}

	// plain got the intents above; now its outcomes, in the group's
	// order relative to each other (intents and outcomes of distinct
	// rows commute; the one key with both, c-failed, is in order).
	for _, c := range changes {
		if c.Begin == nil {
			must(t, plain.Finish(ctx, c.Key, c.Attempt, c.Outcome))
		}
	}
	for _, key := range []string{"n-1", "n-2", "c-sent", "c-unknown", "c-failed", "c-held", "c-late", "r-early", "r-unknown"} {
		if g, p := rowState(t, grouped, key), rowState(t, plain, key); g != p {
			t.Errorf("grouped:\n%s\none by one:\n%s", g, p)
		}
	}
}

// attemptOf is the attempt a change of the test answers (outcomes keep
// theirs; intents get theirs from Apply).
func attemptOf(c journal.Change) int {
	if c.Begin != nil {
		return 0
	}
	return c.Attempt
}

// Twenty writers, each on its own handle, write the same key in groups
// with other keys: exactly one owns it, the others' groups are written
// but for that row, which each is told about (HeldError).
func testGroupConflict[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	store, cfg := s.open(t)
	var wg sync.WaitGroup
	results := make([][]journal.Change, 20)
	errs := make([]error, 20)
	for i := range results {
		h := s.reopen(t, cfg)
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := entry(fmt.Sprintf("own-%d", i))
			mine.User = fmt.Sprintf("op%d", i)
			shared := entry("shared-1")
			shared.User = fmt.Sprintf("op%d", i)
			after := entry(fmt.Sprintf("after-%d", i))
			after.User = mine.User
			results[i] = []journal.Change{{Begin: &mine}, {Begin: &shared}, {Begin: &after}}
			errs[i] = groupWriter(t, h).Apply(ctx, results[i])
		}()
	}
	wg.Wait()
	owners := 0
	for i, changes := range results {
		must(t, errs[i])
		for j, c := range changes {
			var held *journal.HeldError
			switch {
			case j != 1 && (c.Err != nil || c.Attempt != 1):
				t.Errorf("op%d's own row %s: attempt %d, %v", i, c.Begin.Key, c.Attempt, c.Err)
			case j == 1 && c.Err == nil && c.Attempt == 1:
				owners++
			case j == 1 && !errors.As(c.Err, &held):
				t.Errorf("op%d's shared row: attempt %d, %v", i, c.Attempt, c.Err)
			}
		}
	}
	if owners != 1 {
		t.Fatalf("%d owners of one key", owners)
	}
	if e := get(t, store, "shared-1"); e.Attempts != 1 || len(e.History) != 1 {
		t.Fatalf("the shared row: %+v", e)
	}
	if n := len(keys(t, store, journal.Filter{Status: journal.StatusSent})); n != 41 {
		t.Fatalf("%d rows sent, want 41", n)
	}
}

// A process that dies between one group's commit and the next: what the
// first group wrote is there for the next process (sent, its attempt),
// whose own group of the same keys is their second attempt; the outcomes
// queued for the lost group are not there, and the rows stay sent.
func testGroupCrash[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	dead, cfg := s.open(t)
	first := []journal.Change{}
	for i := range 5 {
		e := entry(fmt.Sprintf("k-%d", i))
		first = append(first, journal.Change{Begin: &e})
	}
	must(t, groupWriter(t, dead).Apply(ctx, first))
	// dead is never used again (its process is gone); another process
	// opens the journal.
	next := s.reopen(t, cfg)
	for i := range 5 {
		if e := get(t, next, fmt.Sprintf("k-%d", i)); e.Status != journal.StatusSent || e.Attempts != 1 {
			t.Fatalf("after the crash: %+v", e)
		}
	}
	again := []journal.Change{{Key: "k-0", Attempt: 1, Outcome: journal.Outcome{Status: journal.StatusUnknown, ExitCode: 5}}}
	for i := range 5 {
		e := entry(fmt.Sprintf("k-%d", i))
		again = append(again, journal.Change{Begin: &e})
	}
	must(t, groupWriter(t, next).Apply(ctx, again))
	for _, c := range again[1:] {
		if c.Err != nil || c.Attempt != 2 {
			t.Fatalf("resent %s: attempt %d, %v", c.Begin.Key, c.Attempt, c.Err)
		}
	}
	if e := get(t, next, "k-0"); e.Status != journal.StatusUnknown || e.Attempts != 2 || len(e.History) != 3 {
		t.Fatalf("k-0 after its outcome and second attempt: %+v", e)
	}
}

// A group writer's outcomes of rows it wrote itself, after another
// handle (another process) changed some of those rows in between: each
// outcome is applied to the row as it is then (Next), exactly as the
// same changes written one by one do, not to the row as the group writer
// left it. Rows the other handle did not touch, in the same group, are
// written as usual.
func testGroupOutcomeAfterOther[C any](t *testing.T, s *Suite[C]) {
	ctx := context.Background()
	grouped, cfg := s.open(t)
	other := s.reopen(t, cfg)
	plain, _ := s.open(t)
	w := groupWriter(t, grouped)
	ks := []string{"k-settled", "k-again", "k-made", "k-follow", "k-alone", "k-gone"}
	var begins []journal.Change
	for _, key := range ks {
		e := entry(key)
		begins = append(begins, journal.Change{Begin: &e})
	}
	must(t, w.Apply(ctx, begins))
	for _, key := range ks {
		_, err := plain.Begin(ctx, entry(key))
		must(t, err)
	}
	// What another process does meanwhile, on both journals.
	for _, store := range []journal.Store{other, plain} {
		_, err := store.Record(ctx, "k-settled", journal.KindSettle, journal.Outcome{Status: journal.StatusFailed, Reason: "decided"}, journal.Event{Note: "by hand"})
		must(t, err)
		n, err := store.Begin(ctx, entry("k-again"))
		must(t, err)
		if n != 2 {
			t.Fatalf("the other handle's attempt of k-again: %d", n)
		}
		must(t, store.Finish(ctx, "k-made", 1, journal.Outcome{Status: journal.StatusSent, MadeID: "ch-made"}))
		rev := entry("r-follow")
		rev.Operation, rev.Follows, rev.Settles = "charge reverse", "k-follow", journal.StatusReversed
		n, err = store.Begin(ctx, rev)
		must(t, err)
		must(t, store.Finish(ctx, "r-follow", n, journal.Outcome{Status: journal.StatusOK}))
	}
	outcomes := []journal.Change{}
	for _, key := range ks[:5] {
		outcomes = append(outcomes, journal.Change{Key: key, Attempt: 1, Outcome: journal.Outcome{Status: journal.StatusOK, ExitCode: 0, Result: `{"id":"` + key + `"}`}})
	}
	must(t, w.Apply(ctx, outcomes))
	for _, c := range outcomes {
		must(t, plain.Finish(ctx, c.Key, c.Attempt, c.Outcome))
	}
	for _, key := range ks {
		if g, p := rowState(t, grouped, key), rowState(t, plain, key); g != p {
			t.Errorf("grouped:\n%s\none by one:\n%s", g, p)
		}
	}
	if e := get(t, grouped, "k-alone"); e.Status != journal.StatusOK || e.Result != `{"id":"k-alone"}` {
		t.Fatalf("the untouched row: %+v", e)
	}
	if e := get(t, grouped, "k-made"); e.MadeID != "ch-made" {
		t.Fatalf("the other handle's made id was lost: %+v", e)
	}
	// A row removed past the store before its outcome: the outcome
	// fails the group (no row), as one by one, and writes nothing.
	must(t, s.Exec(t, cfg, "DELETE FROM operations WHERE key = 'k-gone'"))
	gone := []journal.Change{{Key: "k-alone", Attempt: 1, Outcome: journal.Outcome{Status: journal.StatusOK, Result: "again"}},
		{Key: "k-gone", Attempt: 1, Outcome: journal.Outcome{Status: journal.StatusOK}}}
	if err := w.Apply(ctx, gone); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("the outcome of a removed row: %v", err)
	}
	if e := get(t, grouped, "k-alone"); e.Result != `{"id":"k-alone"}` {
		t.Fatalf("a failed group changed a row: %+v", e)
	}
}
