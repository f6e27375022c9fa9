package journal_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/journal"
)

// BenchmarkCharge is the journal's work in one `bokuctl charge`: open an
// up-to-date journal, record the intent, record the outcome, close.
func BenchmarkCharge(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "journal.db")
	store, err := journal.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	store.Close()
	b.ResetTimer()
	for i := range b.N {
		store, err := journal.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		key := fmt.Sprintf("c-%d", i)
		n, err := store.Begin(ctx, benchEntry(key))
		if err != nil {
			b.Fatal(err)
		}
		if err := store.Finish(ctx, key, n, journal.Outcome{Status: journal.StatusOK, Result: `{"charge_id":"c"}`}); err != nil {
			b.Fatal(err)
		}
		if err := store.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEntry(key string) journal.Entry {
	return journal.Entry{Key: key, Time: time.Now(), Profile: "shop", Provider: "boku", Operation: "charge",
		Amount: "0.01", Minor: 1, Currency: "GBP", User: "ana", Host: "laptop", Batch: "b-1", Targets: map[string]string{"optin-id": "oi-1"}}
}

// benchGroup is a batch's journal work: 8 workers, each row an intent
// then its outcome, through a Group.
func benchGroup(b *testing.B, store journal.Store) {
	ctx := context.Background()
	g := journal.NewGroup(store)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				key := fmt.Sprintf("g-%d", i)
				n, err := g.Begin(ctx, benchEntry(key))
				if err != nil {
					b.Error(err)
					return
				}
				time.Sleep(time.Millisecond) // the request
				g.Finish(ctx, key, n, journal.Outcome{Status: journal.StatusOK, Result: `{"charge_id":"c"}`})
			}
		}()
	}
	wg.Wait()
	if err := g.Close(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if n := len(must2(journal.List(ctx, store, journal.Filter{Batch: "b-1", Status: journal.StatusOK}))); n != b.N {
		b.Fatalf("%d rows ok, want %d", n, b.N)
	}
}

func must2[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func BenchmarkGroupSQLite(b *testing.B) {
	store, err := journal.Open(context.Background(), filepath.Join(b.TempDir(), "journal.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	benchGroup(b, store)
}

func BenchmarkGroupPostgres(b *testing.B) {
	store, err := journal.OpenPostgres(context.Background(), pgDSN(b, pgSchema(b)), "")
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	benchGroup(b, store)
}

// BenchmarkGroupAheadSQLite is a batch's journal work as `bokuctl batch`
// does it: the intents of chunks of 16 rows written ahead (Group.Ahead),
// then each row's Begin, its request and its outcome, 4 workers.
func BenchmarkGroupAheadSQLite(b *testing.B) {
	ctx := context.Background()
	store, err := journal.Open(ctx, filepath.Join(b.TempDir(), "journal.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	g := journal.NewGroup(store)
	rows := make(chan journal.Entry, 32)
	var wg sync.WaitGroup
	b.ResetTimer()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range rows {
				n, err := g.Begin(ctx, e)
				if err != nil {
					b.Error(err)
					continue
				}
				time.Sleep(time.Millisecond) // the request
				g.Finish(ctx, e.Key, n, journal.Outcome{Status: journal.StatusOK, Result: `{"charge_id":"c"}`})
			}
		}()
	}
	for i := 0; i < b.N; i += 16 {
		var chunk []journal.Entry
		for j := i; j < i+16 && j < b.N; j++ {
			chunk = append(chunk, benchEntry(fmt.Sprintf("a-%d", j)))
		}
		if err := g.Ahead(chunk); err != nil {
			b.Fatal(err)
		}
		for _, e := range chunk {
			rows <- e
		}
	}
	close(rows)
	wg.Wait()
	if err := g.Close(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if n := len(must2(journal.List(ctx, store, journal.Filter{Batch: "b-1", Status: journal.StatusOK}))); n != b.N {
		b.Fatalf("%d rows ok, want %d", n, b.N)
	}
}

// BenchmarkApplySQLite is the SQLite group writer alone, in a batch's
// steady state: each group is 16 new intents (a chunk written ahead) and
// the outcomes of the previous 16 rows. One op is one row (its intent and
// its outcome).
func BenchmarkApplySQLite(b *testing.B) {
	ctx := context.Background()
	store, err := journal.Open(ctx, filepath.Join(b.TempDir(), "journal.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	w := store.(journal.GroupWriter)
	const chunk = 16
	var prev []journal.Change
	b.ResetTimer()
	for i := 0; i < b.N; i += chunk {
		var group []journal.Change
		for _, c := range prev {
			group = append(group, journal.Change{Key: c.Begin.Key, Attempt: c.Attempt,
				Outcome: journal.Outcome{Status: journal.StatusOK, Result: `{"charge_id":"c","amount":"0.01"}`, MadeID: "c"}})
		}
		begins := len(group)
		for j := i; j < i+chunk && j < b.N; j++ {
			e := benchEntry(fmt.Sprintf("w-%d", j))
			group = append(group, journal.Change{Begin: &e})
		}
		if err := w.Apply(ctx, group); err != nil {
			b.Fatal(err)
		}
		prev = group[begins:]
	}
	var last []journal.Change
	for _, c := range prev {
		last = append(last, journal.Change{Key: c.Begin.Key, Attempt: c.Attempt, Outcome: journal.Outcome{Status: journal.StatusOK, MadeID: "c"}})
	}
	if err := w.Apply(ctx, last); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if n := len(must2(journal.List(ctx, store, journal.Filter{Batch: "b-1", Status: journal.StatusOK}))); n != b.N {
		b.Fatalf("%d rows ok, want %d", n, b.N)
	}
}
