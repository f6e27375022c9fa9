package journal

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// Intents written ahead are on disk, as sent, before any Begin; the row's
// own Begin then writes nothing more (one attempt, one event) and returns
// the attempt; a key never begun is listed by NotSent.
func TestGroupAhead(t *testing.T) {
	ctx := context.Background()
	store, err := Open(ctx, filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	g := NewGroup(store)
	var entries []Entry
	for i := range 4 {
		entries = append(entries, Entry{Key: fmt.Sprintf("bt-1-%06d", i+2), Time: time.Now(), Operation: "refund", Amount: "0.01", Currency: "GBP", Batch: "bt-1", Line: i + 2})
	}
	if err := g.Ahead(entries); err != nil {
		t.Fatal(err)
	}
	// Written as one group: a read after the queue sees all four.
	for _, e := range entries {
		got, err := g.Get(ctx, e.Key)
		if err != nil || got.Status != StatusSent || got.Attempts != 1 || got.Line != e.Line {
			t.Fatalf("intent %s written ahead: %+v, %v", e.Key, got, err)
		}
	}
	for _, e := range entries[:3] {
		attempt, err := g.Begin(ctx, e)
		if err != nil || attempt != 1 {
			t.Fatalf("Begin %s after Ahead: attempt %d, %v; want 1", e.Key, attempt, err)
		}
		if err := g.Finish(ctx, e.Key, attempt, Outcome{Status: StatusOK}); err != nil {
			t.Fatal(err)
		}
	}
	notSent, err := g.NotSent(ctx)
	if err != nil || len(notSent) != 1 || notSent[entries[3].Key] != 1 {
		t.Fatalf("NotSent = %v, %v; want only %s (attempt 1)", notSent, err, entries[3].Key)
	}
	// NotSent keeps the result for a Begin that still comes.
	if attempt, err := g.Begin(ctx, entries[3]); err != nil || attempt != 1 {
		t.Fatalf("Begin after NotSent: %d, %v", attempt, err)
	}
	// A key begun a second time, not ahead, is a new attempt.
	if attempt, err := g.Begin(ctx, entries[0]); err != nil || attempt != 2 {
		t.Fatalf("second Begin of %s: attempt %d, %v; want 2", entries[0].Key, attempt, err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		got, err := store.Get(ctx, e.Key)
		if err != nil {
			t.Fatal(err)
		}
		wantAttempts, attempts := 1, 0
		if i == 0 {
			wantAttempts = 2
		}
		for _, ev := range got.History {
			if ev.Kind == KindAttempt {
				attempts++
			}
		}
		if got.Attempts != wantAttempts || attempts != wantAttempts {
			t.Errorf("%s: %d attempts, %d attempt events; want %d (an intent written ahead is written once)", e.Key, got.Attempts, attempts, wantAttempts)
		}
	}
	if err := g.Ahead(entries); err == nil {
		t.Error("a closed group took intents ahead")
	}
}

// Outcomes wait for the next write: they are on disk after the next
// intent's Begin returns, and after Close.
func TestGroupOutcomesRideWithTheNextIntent(t *testing.T) {
	ctx := context.Background()
	store, err := Open(ctx, filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	g := NewGroup(store)
	first := Entry{Key: "k-1", Time: time.Now(), Operation: "refund"}
	if _, err := g.Begin(ctx, first); err != nil {
		t.Fatal(err)
	}
	g.Finish(ctx, "k-1", 1, Outcome{Status: StatusDeclined, ExitCode: 3})
	if _, err := g.Begin(ctx, Entry{Key: "k-2", Time: time.Now(), Operation: "refund"}); err != nil {
		t.Fatal(err)
	}
	if got, err := store.Get(ctx, "k-1"); err != nil || got.Status != StatusDeclined {
		t.Fatalf("k-1 after the next Begin: %+v, %v; want declined", got, err)
	}
	g.Finish(ctx, "k-2", 1, Outcome{Status: StatusOK})
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if got, err := store.Get(ctx, "k-2"); err != nil || got.Status != StatusOK {
		t.Fatalf("k-2 after Close: %+v, %v; want ok", got, err)
	}
}

// An outcome alone is written within finishWait, with no other write to
// carry it.
func TestGroupOutcomeAloneIsWrittenSoon(t *testing.T) {
	ctx := context.Background()
	store, err := Open(ctx, filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	g := NewGroup(store)
	defer g.Close()
	if _, err := g.Begin(ctx, Entry{Key: "k-1", Time: time.Now(), Operation: "refund"}); err != nil {
		t.Fatal(err)
	}
	g.Finish(ctx, "k-1", 1, Outcome{Status: StatusOK})
	deadline := time.Now().Add(50 * finishWait)
	for {
		got, err := store.Get(ctx, "k-1")
		if err == nil && got.Status == StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the outcome alone was not written: %+v, %v", got, err)
		}
		time.Sleep(finishWait / 4)
	}
}
