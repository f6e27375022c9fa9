package journal

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// leaveChildEnv makes the test binary the child of TestLeaveLosesNothing:
// it writes to the journal named by the variable and ends with Leave.
const leaveChildEnv = "BOKUCTL_TEST_LEAVE_JOURNAL"

func init() {
	path := os.Getenv(leaveChildEnv)
	if path == "" {
		return
	}
	ctx := context.Background()
	store, err := Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	key := fmt.Sprintf("leave-%d", os.Getpid())
	attempt, err := store.Begin(ctx, Entry{Key: key, Time: time.Now(), Profile: "sandbox", Provider: "boku", Operation: "charge", Amount: "0.01", Currency: "GBP", Minor: 1})
	if err == nil {
		err = store.Finish(ctx, key, attempt, Outcome{Status: StatusOK, Result: `{"charge_id":"ch-1"}`})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	Leave(store)
	fmt.Print(key)
	os.Exit(0)
}

// A process that ends with Leave loses nothing it committed: the next
// process finds every row and outcome, recovered from the WAL that Leave
// did not checkpoint. And it did not checkpoint: the WAL is still there
// and holds the rows (the database file alone does not).
func TestLeaveLosesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	var keys []string
	for range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), leaveChildEnv+"="+path)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("child: %v: %s", err, out)
		}
		keys = append(keys, string(out))
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the WAL of a left journal: %v (want it kept, not checkpointed and deleted)", err)
	}
	ctx := context.Background()
	store, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range keys {
		e, err := store.Get(ctx, key)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if e.Status != StatusOK || e.Result != `{"charge_id":"ch-1"}` || e.Minor != 1 {
			t.Errorf("%s: status %s, result %s, minor %d", key, e.Status, e.Result, e.Minor)
		}
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	// Close checkpoints: now the database file holds them all.
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Errorf("the WAL after Close: %v (want it checkpointed and deleted)", err)
	}
}

// A journal moved without its WAL after a process left it: the new
// journal created in its place opens empty and sound, and the WAL,
// which SQLite would delete with the new empty file, is set aside; put
// back beside the moved journal, it gives it its latest rows.
func TestOrphanWALSetAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "journal.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), leaveChildEnv+"="+path)
	key, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v: %s", err, key)
	}
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Get(ctx, string(key)); err != ErrNotFound {
		t.Errorf("the new journal: Get %s: %v, want ErrNotFound", key, err)
	}
	if _, err := store.Begin(ctx, Entry{Key: "new-1", Time: time.Now(), Provider: "boku", Operation: "charge"}); err != nil {
		t.Fatalf("the new journal: %v", err)
	}
	aside, _ := filepath.Glob(path + "-wal.orphaned-*")
	if len(aside) != 1 {
		t.Fatalf("WALs set aside: %v, want one", aside)
	}
	// The moved journal with its WAL back beside it has the row.
	if err := os.Rename(aside[0], path+".moved-wal"); err != nil {
		t.Fatal(err)
	}
	moved, err := Open(ctx, path+".moved")
	if err != nil {
		t.Fatal(err)
	}
	defer moved.Close()
	if e, err := moved.Get(ctx, string(key)); err != nil || e.Status != StatusOK {
		t.Errorf("the moved journal with its WAL: %v, %v", e, err)
	}
}

// A group writer's connection checkpoints at SQLite's default length, so
// a batch can end with a long WAL: Leave then closes the journal, which
// checkpoints it, instead of leaving the next command to read it all.
func TestLeaveCheckpointsALongWAL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "journal.db")
	store, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	g := NewGroup(store)
	for i := 0; i < 300; i++ {
		key := fmt.Sprintf("row-%d", i)
		n, err := g.Begin(ctx, Entry{Key: key, Time: time.Now(), Operation: "refund", Targets: map[string]string{"note": fmt.Sprintf("%01000d", i)}})
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Finish(ctx, key, n, Outcome{Status: StatusOK}); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil || fi.Size() <= leaveWALBytes {
		t.Fatalf("the batch's WAL is %v (%v): the test needs it longer than %d bytes", fi, err, leaveWALBytes)
	}
	if err := Leave(store); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.Fatalf("Leave left a WAL of %d bytes: it must checkpoint a long one", fi.Size())
	}
	again, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if e, err := again.Get(ctx, "row-299"); err != nil || e.Status != StatusOK {
		t.Fatalf("row-299 after Leave: %+v, %v", e, err)
	}
}

// Single commands (child processes that end with Leave) that fill the
// WAL past its checkpoint length: the checkpoint of one of them copies
// it into the database file, and the WAL file stays, written over from
// its start by the commands after it (not deleted at the checkpoint and
// appended to again from zero).
func TestLeaveKeepsACheckpointedWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	var most int64
	for range 12 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), leaveChildEnv+"="+path)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("child: %v: %s", err, out)
		}
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatalf("the WAL after a command: %v (want it left in place)", err)
		}
		if fi.Size() < most {
			t.Fatalf("the WAL file went from %d to %d bytes: Leave removed it", most, fi.Size())
		}
		most = fi.Size()
	}
	if most <= walAutocheckpoint*(4096+24) {
		t.Fatalf("the WAL file is %d bytes: the test needs it past the checkpoint length, %d pages", most, walAutocheckpoint)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Size() <= 4096*4 {
		t.Fatalf("the database file after a checkpoint: %v, %v (want the rows copied into it)", fi, err)
	}
}
