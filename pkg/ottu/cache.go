package ottu

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/bokuctl/bokuctl/pkg/atomicfile"
)

// Cache keeps successful answers per (host, auth identity, filters), one
// JSON file each, written atomically with mode 0600 in a folder created
// with mode 0700. Errors are never cached. An entry that is a symbolic
// link, not a regular file, or owned by another user is ignored: it was
// not written by this user's bokuctl.
type Cache struct {
	Dir string
	Now func() time.Time
}

// Entry is one cached answer.
type Entry struct {
	Key       string          `json:"key"`
	BaseURL   string          `json:"base_url"`
	Identity  string          `json:"identity"`
	Filters   Filters         `json:"filters"`
	FetchedAt time.Time       `json:"fetched_at"`
	Response  json.RawMessage `json:"response"`
}

// Key derives the cache key: a hash of the base URL, the auth identity
// (which holds only a hash of the secret) and the canonical filters.
func Key(baseURL string, auth Auth, filters Filters) string {
	canonicalFilters, _ := json.Marshal(filters)
	sum := sha256.Sum256([]byte(strings.TrimRight(baseURL, "/") + "\x00" + auth.Identity() + "\x00" + string(canonicalFilters)))
	return hex.EncodeToString(sum[:16])
}

func (c Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c Cache) path(key string) string { return filepath.Join(c.Dir, key+".json") }

// maxEntrySize bounds what is read of one entry.
const maxEntrySize = 8 << 20

// read reads an entry file written by this user, refusing symbolic links
// and files of other users.
func (c Cache) read(path string) ([]byte, error) {
	return atomicfile.ReadOwnFile(path, maxEntrySize)
}

// Get returns the entry if present and younger than maxAge.
func (c Cache) Get(key string, maxAge time.Duration) (*Entry, bool) {
	data, err := c.read(c.path(key))
	if err != nil {
		return nil, false
	}
	var e Entry
	if json.Unmarshal(data, &e) != nil || e.Key != key {
		return nil, false
	}
	// An entry fetched "in the future" has a corrupt time: never fresh.
	if age := c.now().Sub(e.FetchedAt); age > maxAge || age < -time.Minute {
		return nil, false
	}
	return &e, true
}

// Put stores an entry atomically.
func (c Cache) Put(e Entry) error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if err := atomicfile.Write(c.path(e.Key), data, 0o600); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}

// Summary describes an entry without its body.
type Summary struct {
	Key       string    `json:"key"`
	BaseURL   string    `json:"base_url"`
	Identity  string    `json:"identity"`
	Filters   Filters   `json:"filters"`
	FetchedAt time.Time `json:"fetched_at"`
	Size      int64     `json:"size_bytes"`
}

// List returns every entry's summary, newest first.
func (c Cache) List() ([]Summary, error) {
	files, err := filepath.Glob(filepath.Join(c.Dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []Summary
	for _, f := range files {
		data, err := c.read(f)
		if err != nil {
			continue
		}
		var e Entry
		if json.Unmarshal(data, &e) != nil {
			continue
		}
		out = append(out, Summary{Key: e.Key, BaseURL: e.BaseURL, Identity: e.Identity, Filters: e.Filters, FetchedAt: e.FetchedAt, Size: int64(len(data))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FetchedAt.After(out[j].FetchedAt) })
	return out, nil
}

// Clear removes entries: all of them, or those for one base URL and
// identity. It returns how many it removed.
func (c Cache) Clear(all bool, baseURL string, auth Auth) (int, error) {
	entries, err := c.List()
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, e := range entries {
		if !all && (e.BaseURL != strings.TrimRight(baseURL, "/") || e.Identity != auth.Identity()) {
			continue
		}
		if err := os.Remove(c.path(e.Key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("cache: %w", err)
		}
		removed++
	}
	return removed, nil
}
