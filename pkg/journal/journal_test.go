package journal

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestIntentThenOutcome(t *testing.T) {
	ctx := context.Background()
	store, err := Open(ctx, filepath.Join(t.TempDir(), "state", "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	e := Entry{Key: "order-1", Time: time.Now(), Profile: "shop", Provider: "boku", Operation: "charge", Amount: "4.99", Currency: "GBP",
		Targets: map[string]string{"optin-id": "oi-1"}}
	if _, err := store.Begin(ctx, e); err != nil {
		t.Fatal(err)
	}
	got, err := store.Get(ctx, "order-1")
	if err != nil || got.Status != StatusSent || got.Targets["optin-id"] != "oi-1" || got.ExitCode != nil {
		t.Fatalf("intent: %+v %v", got, err)
	}
	unknown, _ := List(ctx, store, Filter{Status: StatusUnknown})
	if len(unknown) != 1 {
		t.Fatalf("a row still sent counts as unknown: %+v", unknown)
	}
	if err := store.Finish(ctx, "order-1", 1, Outcome{Status: StatusOK, ExitCode: 0, Result: `{"charge_id":"ch-1"}`}); err != nil {
		t.Fatal(err)
	}
	got, _ = store.Get(ctx, "order-1")
	if got.Status != StatusOK || got.ExitCode == nil || *got.ExitCode != 0 || got.Result != `{"charge_id":"ch-1"}` || got.FinishedAt.IsZero() {
		t.Fatalf("outcome: %+v", got)
	}
	// A resend of the same key does not undo a settled outcome.
	if _, err := store.Begin(ctx, e); err != nil {
		t.Fatal(err)
	}
	if got, _ = store.Get(ctx, "order-1"); got.Status != StatusOK {
		t.Fatalf("resend reopened a settled row: %+v", got)
	}
	if _, err := store.Get(ctx, "nope"); err != ErrNotFound {
		t.Fatalf("missing key: %v", err)
	}
	old, _ := List(ctx, store, Filter{Since: time.Now().Add(time.Hour)})
	if len(old) != 0 {
		t.Fatal("since filter")
	}
}

// Twenty processes' worth of writers at once lose nothing.
func TestConcurrentWritersLoseNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "journal.db")
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			store, err := Open(ctx, path)
			if err != nil {
				errs <- err
				return
			}
			defer store.Close()
			key := fmt.Sprintf("k-%d", i)
			if _, err := store.Begin(ctx, Entry{Key: key, Time: time.Now(), Provider: "boku", Operation: "charge"}); err != nil {
				errs <- err
				return
			}
			errs <- store.Finish(ctx, key, 1, Outcome{Status: StatusOK})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	store, _ := Open(ctx, path)
	defer store.Close()
	all, err := List(ctx, store, Filter{Status: StatusOK})
	if err != nil || len(all) != 20 {
		t.Fatalf("%d rows, %v", len(all), err)
	}
}

func TestUnusableFileIsAClearError(t *testing.T) {
	_, err := Open(context.Background(), "/proc/no/such/journal.db")
	if err == nil {
		t.Fatal("opened")
	}
	if _, ok := err.(*OpenError); !ok {
		t.Fatalf("%T %v", err, err)
	}
}

// A backup is a journal of its own with every row and event; verify finds
// nothing wrong with either.
func TestBackupAndVerify(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := Open(ctx, filepath.Join(dir, "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	store.Begin(ctx, Entry{Key: "k1", Time: time.Now(), Amount: "1.00", Currency: "GBP"})
	store.Finish(ctx, "k1", 1, Outcome{Status: StatusOK})
	b := store.(Backuper)
	copyPath := filepath.Join(dir, "backup.db")
	if err := b.Backup(ctx, copyPath); err != nil {
		t.Fatal(err)
	}
	if err := b.Backup(ctx, copyPath); err == nil {
		t.Fatal("a backup over an existing file")
	}
	backup, err := Open(ctx, copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer backup.Close()
	if e, err := backup.Get(ctx, "k1"); err != nil || e.Status != StatusOK || len(e.History) != 2 {
		t.Fatalf("backup row: %+v %v", e, err)
	}
	for _, s := range []Store{store, backup} {
		if problems, err := s.(Backuper).Verify(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("verify: %v %v", problems, err)
		}
	}
}
