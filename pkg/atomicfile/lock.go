package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LockTimeout is how long Lock waits for another process to release a
// lock before giving up.
var LockTimeout = 30 * time.Second

// LockPath is the lock file that guards path: path with ".lock" added,
// in the same folder.
func LockPath(path string) string { return path + ".lock" }

// Lock takes an exclusive lock that other processes respect, on the lock
// file beside path (LockPath), creating it with mode 0600; the folder must
// exist. Hold it around a whole read-modify-write of path: read the file
// again after Lock, change it, write it, then call unlock. The lock file
// stays behind (removing it would let two processes lock two different
// files). It waits up to LockTimeout for another holder.
//
// On Unix it is flock(2), released by the kernel if the process dies. On
// platforms without flock it is a no-op: there, concurrent writers can
// still lose updates.
func Lock(path string) (unlock func(), err error) {
	lockPath := LockPath(path)
	lf, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	deadline := time.Now().Add(LockTimeout)
	wait := time.Millisecond
	for {
		ok, err := tryLock(lf)
		if err != nil {
			lf.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			return func() {
				unlockFile(lf)
				lf.Close()
			}, nil
		}
		if time.Now().After(deadline) {
			lf.Close()
			return nil, fmt.Errorf("lock %s: another process has held %s for more than %s", path, filepath.Base(lockPath), LockTimeout)
		}
		time.Sleep(wait)
		wait = min(wait*2, 50*time.Millisecond)
	}
}

// ErrHeld is TryLock's answer when another process holds the lock.
var ErrHeld = errors.New("held by another process")

// TryLock takes the lock on path itself (not LockPath: path is the lock
// file), without waiting, and writes holder into it for whoever finds it
// held. When another process holds it, err is ErrHeld and held is what
// that process wrote. The kernel releases the lock if the process dies;
// the file stays behind.
func TryLock(path, holder string) (unlock func(), held string, err error) {
	lf, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, "", fmt.Errorf("lock %s: %w", path, err)
	}
	ok, err := tryLock(lf)
	if err != nil {
		lf.Close()
		return nil, "", fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		data, _ := io.ReadAll(io.LimitReader(lf, 4096))
		lf.Close()
		return nil, strings.TrimSpace(string(data)), ErrHeld
	}
	if err := lf.Truncate(0); err == nil {
		_, _ = lf.WriteAt([]byte(holder+"\n"), 0)
		_ = lf.Sync()
	}
	return func() {
		_ = lf.Truncate(0)
		unlockFile(lf)
		lf.Close()
	}, "", nil
}
