package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLockKeepsEveryUpdate runs read-modify-write cycles concurrently;
// flock locks open files, so goroutines exclude each other like processes.
func TestLockKeepsEveryUpdate(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "aix" {
		t.Skip("Lock is a no-op here")
	}
	path := filepath.Join(t.TempDir(), "counter")
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			unlock, err := Lock(path)
			if err != nil {
				t.Error(err)
				return
			}
			defer unlock()
			data, _ := os.ReadFile(path)
			n, _ := strconv.Atoi(string(data))
			time.Sleep(time.Millisecond)
			if err := Write(path, []byte(strconv.Itoa(n+1)), 0o600); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if data, _ := os.ReadFile(path); string(data) != "40" {
		t.Fatalf("counter = %s, want 40", data)
	}
	if info, err := os.Stat(LockPath(path)); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("lock file: %v %v", info, err)
	}
}

func TestLockTimesOut(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "aix" {
		t.Skip("Lock is a no-op here")
	}
	path := filepath.Join(t.TempDir(), "f")
	unlock, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	old := LockTimeout
	LockTimeout = 50 * time.Millisecond
	defer func() { LockTimeout = old }()
	if _, err := Lock(path); err == nil || !strings.Contains(err.Error(), "another process has held f.lock") {
		t.Fatalf("second Lock: %v", err)
	}
	if _, err := Lock(filepath.Join(t.TempDir(), "missing", "f")); err == nil {
		t.Fatal("lock in a missing folder succeeded")
	}
}

func TestWriteThroughKeepsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real", "config.yaml")
	os.Mkdir(filepath.Dir(real), 0o700)
	os.WriteFile(real, []byte("old"), 0o600)
	link := filepath.Join(dir, "config.yaml")
	if err := os.Symlink("real/config.yaml", link); err != nil {
		t.Skip(err)
	}
	chain := filepath.Join(dir, "chain.yaml")
	os.Symlink(link, chain)
	if got, err := Resolve(chain); err != nil || got != real {
		t.Fatalf("Resolve = %q, %v", got, err)
	}
	if err := WriteThrough(chain, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Lstat(link); info.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced")
	}
	if data, _ := os.ReadFile(real); string(data) != "new" {
		t.Fatalf("target holds %q", data)
	}
	// A dangling link is written where it points.
	dangling := filepath.Join(dir, "dangling")
	os.Symlink("real/new.yaml", dangling)
	if err := WriteThrough(dangling, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "real", "new.yaml")); string(data) != "x" {
		t.Fatalf("dangling target holds %q", data)
	}
	loop := filepath.Join(dir, "loop")
	os.Symlink("loop", loop)
	if _, err := Resolve(loop); err == nil {
		t.Fatal("a link loop resolved")
	}
}

func TestExposedAndReadOwnFile(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no Unix permissions")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "secrets.json")
	os.WriteFile(path, []byte("{}"), 0o600)
	if p := Exposed(path); len(p) != 0 {
		t.Fatalf("0600 in a private folder: %v", p)
	}
	os.Chmod(path, 0o644)
	if p := Exposed(path); len(p) != 1 || !strings.Contains(p[0], "mode 0644") {
		t.Fatalf("0644: %v", p)
	}
	os.Chmod(dir, 0o777)
	defer os.Chmod(dir, 0o700)
	if p := Exposed(path); len(p) != 2 || !strings.Contains(p[1], "every user can write to") {
		t.Fatalf("0777 folder: %v", p)
	}
	if p := Exposed(filepath.Join(dir, "missing")); len(p) != 0 {
		t.Fatalf("missing file: %v", p)
	}

	if data, err := ReadOwnFile(path, 10); err != nil || string(data) != "{}" {
		t.Fatalf("ReadOwnFile = %q, %v", data, err)
	}
	if _, err := ReadOwnFile(path, 1); err == nil {
		t.Fatal("a file over the bound was read")
	}
	link := filepath.Join(dir, "link.json")
	os.Symlink(path, link)
	if _, err := ReadOwnFile(link, 10); !errors.Is(err, ErrNotOwnFile) {
		t.Fatalf("symlink: %v", err)
	}
	if _, err := ReadOwnFile(dir, 10); !errors.Is(err, ErrNotOwnFile) {
		t.Fatalf("folder: %v", err)
	}
}

func TestWarnIfExposedOnce(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no Unix permissions")
	}
	var out strings.Builder
	old := warnOut
	warnOut = func() io.Writer { return &out }
	defer func() { warnOut = old }()
	path := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(path, nil, 0o640)
	WarnIfExposed(path, "config file")
	WarnIfExposed(path, "config file")
	if got := strings.Count(out.String(), "Warning: the config file "+path+" can be read"); got != 1 {
		t.Fatalf("warned %d times: %q", got, out.String())
	}
}
