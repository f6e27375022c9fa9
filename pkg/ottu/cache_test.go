package ottu

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// A forged entry, a symbolic link to a file someone else wrote, is never
// served or listed; the cache folder is private.
func TestCacheIgnoresSymlinkedEntries(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges")
	}
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	c := Cache{Dir: filepath.Join(t.TempDir(), "cache", "methods"), Now: func() time.Time { return now }}
	a := Auth{Scheme: "api-key", APIKey: "k"}
	e := Entry{Key: Key("https://h", a, Filters{Plugin: "e_commerce"}), BaseURL: "https://h", Identity: a.Identity(), FetchedAt: now, Response: json.RawMessage(`{"payment_methods":[]}`)}
	if err := c.Put(e); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{c.Dir, filepath.Dir(c.Dir)} {
		if info, _ := os.Stat(dir); info.Mode().Perm() != 0o700 {
			t.Errorf("%s has mode %v, want 0700", dir, info.Mode().Perm())
		}
	}
	// Replace the entry with a link to a forged copy elsewhere.
	forged := filepath.Join(t.TempDir(), "forged.json")
	e.Response = json.RawMessage(`{"payment_methods":[{"code":"evil"}]}`)
	data, _ := json.Marshal(e)
	os.WriteFile(forged, data, 0o600)
	entry := filepath.Join(c.Dir, e.Key+".json")
	os.Remove(entry)
	if err := os.Symlink(forged, entry); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.Get(e.Key, time.Hour); ok {
		t.Fatalf("symlinked entry served: %s", got.Response)
	}
	if list, _ := c.List(); len(list) != 0 {
		t.Fatalf("symlinked entry listed: %v", list)
	}
	// Put replaces the link with a real entry again.
	if err := c.Put(e); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Lstat(entry); !info.Mode().IsRegular() {
		t.Fatal("Put wrote through the link")
	}
	if _, ok := c.Get(e.Key, time.Hour); !ok {
		t.Fatal("own entry missed")
	}
}
