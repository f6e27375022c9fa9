package batch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/bokuctl/bokuctl/pkg/atomicfile"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
)

// lockTeamBatch holds, on a team journal (a journal.Locker: PostgreSQL),
// the lock of one file's batch (its digest, operation and profile) for
// the whole run: a second run of the same file on any machine is refused
// with who holds it. The server releases it if this process dies. On a
// journal of one machine (SQLite) the file lock of lockBatch is the lock.
func lockTeamBatch(ctx context.Context, store journal.Store, digest, op, scope, label string) (func(), error) {
	l, ok := store.(journal.Locker)
	if !ok {
		return func() {}, nil
	}
	release, held, err := l.TryLock(ctx, journal.BatchLockName(digest, op, scope), operator())
	if errors.Is(err, journal.ErrLocked) {
		if held == "" {
			held = "another bokuctl"
		}
		return nil, exitcode.New(exitcode.Usage, "this file's batch (%s) is running now on the team journal: %s; nothing was sent", label, held).
			WithHint("wait for it to finish, then resume it if needed: bokuctl batch resume BATCH_ID --yes (bokuctl batch list shows who runs what)")
	}
	if err != nil {
		return nil, exitcode.New(exitcode.Auth, "%v", err).WithHint("nothing was sent")
	}
	return release, nil
}

// operator is who runs this process: user@host pid N.
func operator() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%s@%s pid %d", name, host, os.Getpid())
}

// batchHolder is who runs batch b now, "" when nobody does: the team
// journal's lock, else this machine's file lock (taken and let go at
// once when free).
func batchHolder(ctx context.Context, store journal.Store, dir string, b *journal.Batch) (string, error) {
	if l, ok := store.(journal.Locker); ok {
		return l.Holder(ctx, journal.BatchLockName(b.Digest, b.Operation, b.Scope()))
	}
	path := lockFile(dir, b.Digest, b.Operation, b.Scope())
	if _, err := os.Stat(path); err != nil {
		return "", nil // never locked here
	}
	unlock, held, err := atomicfile.TryLock(path, fmt.Sprintf("pid %d (bokuctl batch show) since %s", os.Getpid(), time.Now().Format(time.DateTime)))
	if errors.Is(err, atomicfile.ErrHeld) {
		if held == "" {
			held = "another bokuctl"
		}
		return held, nil
	}
	if err != nil {
		return "", err
	}
	unlock()
	return "", nil
}

// lockFile is the file lockBatch locks for one file's batch.
func lockFile(dir, digest, op, scope string) string {
	return filepath.Join(dir, ".lock-"+lockID(digest, op, scope))
}
