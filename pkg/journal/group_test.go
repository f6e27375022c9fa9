package journal

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Many workers' intents and outcomes through one Group: every intent is
// readable when Begin returns, every outcome once the group is closed.
func TestGroupWritesEverything(t *testing.T) {
	ctx := context.Background()
	store, err := Open(ctx, filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	g := NewGroup(store)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				key := fmt.Sprintf("b-1-%d-%d", w, i)
				if _, err := g.Begin(ctx, Entry{Key: key, Time: time.Now(), Operation: "refund", Batch: "b-1", Line: w*100 + i}); err != nil {
					t.Error(err)
					return
				}
				if got, err := store.Get(ctx, key); err != nil || got.Status != StatusSent || got.Batch != "b-1" {
					t.Errorf("intent %s not on disk when Begin returned: %+v %v", key, got, err)
					return
				}
				g.Finish(ctx, key, 1, Outcome{Status: StatusOK})
			}
		}(w)
	}
	wg.Wait()
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := List(ctx, store, Filter{Batch: "b-1"})
	if err != nil || len(rows) != 400 {
		t.Fatalf("%d rows, %v; want 400", len(rows), err)
	}
	for _, r := range rows {
		if r.Status != StatusOK {
			t.Fatalf("row %s is %s after Close", r.Key, r.Status)
		}
	}
	if err := g.Finish(ctx, "late", 1, Outcome{}); err == nil {
		t.Fatal("a closed group took a write")
	}
}

func TestBatches(t *testing.T) {
	ctx := context.Background()
	store, err := Open(ctx, filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.GetBatch(ctx, "b-x"); err != ErrNoBatch {
		t.Fatalf("missing batch: %v", err)
	}
	older := Batch{ID: "b-1", Time: time.Now().Add(-time.Hour), Profile: "shop", Provider: "boku", Operation: "refund", File: "a.csv", Digest: "d1", Copy: "/x/b-1.csv", Rows: 3}
	newer := older
	newer.ID, newer.Time = "b-2", time.Now()
	for _, b := range []Batch{older, newer} {
		if prior, err := store.ClaimBatch(ctx, b, true); err != nil || prior != nil {
			t.Fatal(prior, err)
		}
	}
	if got, err := store.FindBatch(ctx, "d1", "refund", "shop", ""); err != nil || got.ID != "b-2" || got.Rows != 3 || got.Copy != "/x/b-1.csv" {
		t.Fatalf("FindBatch = %+v, %v; want the newer", got, err)
	}
	if _, err := store.FindBatch(ctx, "d1", "charge", "shop", ""); err != ErrNoBatch {
		t.Fatalf("another operation's batch matched: %v", err)
	}
}

// A journal written before batches existed gains the columns on open.
func TestOldJournalIsMigrated(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "journal.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE operations (key TEXT PRIMARY KEY, time TEXT NOT NULL, profile TEXT NOT NULL, provider TEXT NOT NULL,
		operation TEXT NOT NULL, targets TEXT NOT NULL DEFAULT '{}', amount TEXT NOT NULL DEFAULT '', currency TEXT NOT NULL DEFAULT '',
		user TEXT NOT NULL DEFAULT '', host TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, exit_code INTEGER, reason TEXT NOT NULL DEFAULT '',
		result TEXT NOT NULL DEFAULT '', settle_cmd TEXT NOT NULL DEFAULT '', finished_at TEXT NOT NULL DEFAULT '');
		INSERT INTO operations (key, time, profile, provider, operation, status) VALUES ('old-1', '2026-01-01T00:00:00Z', 'shop', 'boku', 'charge', 'ok')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	store, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if got, err := store.Get(ctx, "old-1"); err != nil || got.Status != StatusOK || got.Batch != "" {
		t.Fatalf("old row: %+v %v", got, err)
	}
}

// Close never blocks, however enqueues and Close interleave (a batch
// hung in Close: a late enqueue refilled the wake buffer after the
// writer had stopped).
func TestGroupCloseNeverBlocks(t *testing.T) {
	ctx := context.Background()
	store, err := Open(ctx, filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for round := 0; round < 200; round++ {
		g := NewGroup(store)
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < 5; i++ {
					g.Finish(ctx, fmt.Sprintf("k-%d-%d-%d", round, w, i), 1, Outcome{Status: StatusOK})
				}
			}(w)
		}
		closed := make(chan struct{})
		go func() { g.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
			t.Fatalf("round %d: Close blocked", round)
		}
		wg.Wait()
	}
}
