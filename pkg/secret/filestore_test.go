package secret

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// Concurrent Set and Delete calls are all kept: each re-reads the file
// under the lock.
func TestFileStoreConcurrentWriters(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "aix" {
		t.Skip("no flock here")
	}
	ctx := context.Background()
	s := FileStore{Path: filepath.Join(t.TempDir(), "dir", "secrets.json")}
	for i := range 10 {
		if err := s.Set(ctx, fmt.Sprintf("old%d/boku-key", i), "v"); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if err := s.Set(ctx, fmt.Sprintf("p%d/boku-key", i), fmt.Sprintf("value-%d", i)); err != nil {
				t.Error(err)
			}
		})
	}
	for i := range 10 {
		wg.Go(func() {
			if err := s.Delete(ctx, fmt.Sprintf("old%d/boku-key", i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	entries, err := s.load()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 20 {
		t.Fatalf("%d entries, want the 20 set (and the 10 old ones deleted)", len(entries))
	}
	for i := range 20 {
		if got, _ := s.Get(ctx, fmt.Sprintf("p%d/boku-key", i)); got != fmt.Sprintf("value-%d", i) {
			t.Fatalf("p%d lost", i)
		}
	}
	if err := s.Delete(ctx, "nobody/boku-key"); err != ErrNotFound {
		t.Fatalf("Delete of a missing secret: %v", err)
	}
}
