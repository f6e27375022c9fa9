package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/bokuctl/bokuctl/pkg/atomicfile"
)

// Replay windows of the seen store. Boku retries a 3.0 notification for
// 24 hours after first sending it; past that a replayed signed one is
// refused by its signature timestamp anyway, so its id is kept 25 hours.
// A legacy billingresult carries no timestamp (none of solitude's fields
// is one), so nothing bounds a replay but this store: its ids are kept 30
// days.
const (
	seenWindow       = 25 * time.Hour
	seenLegacyWindow = 30 * 24 * time.Hour
	// seenMax bounds the file: the oldest entries go first.
	seenMax = 20000
)

// seenEntry is one notification the listener has taken.
type seenEntry struct {
	// At is when it was first received (Unix seconds).
	At int64 `json:"at"`
	// Legacy marks a billingresult (kept seenLegacyWindow).
	Legacy bool `json:"legacy,omitempty"`
	// Delivered is set once it was forwarded (or needed no forward) and
	// acknowledged OK: a replay is then acknowledged, not forwarded again.
	Delivered bool `json:"delivered"`
}

// seenStore is the listener's record of notifications taken, kept in a
// small JSON file so that a restart does not forward a replay again.
type seenStore struct {
	path    string
	entries map[string]seenEntry
}

type seenFile struct {
	Version int                  `json:"version"`
	Seen    map[string]seenEntry `json:"seen"`
}

// openSeen loads path ("" keeps the record in memory only).
func openSeen(path string, now time.Time) (*seenStore, error) {
	s := &seenStore{path: path, entries: map[string]seenEntry{}}
	if path == "" {
		return s, nil
	}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return s, nil
	case err != nil:
		return nil, err
	}
	var file seenFile
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("%s is not a listen record: %v (move it aside to start a new one)", path, err)
	}
	if file.Seen != nil {
		s.entries = file.Seen
	}
	s.expire(now)
	return s, nil
}

// expire drops entries past their window, then the oldest beyond seenMax.
func (s *seenStore) expire(now time.Time) {
	for key, e := range s.entries {
		window := seenWindow
		if e.Legacy {
			window = seenLegacyWindow
		}
		if now.Sub(time.Unix(e.At, 0)) > window {
			delete(s.entries, key)
		}
	}
	if len(s.entries) <= seenMax {
		return
	}
	keys := make([]string, 0, len(s.entries))
	for key := range s.entries {
		keys = append(keys, key)
	}
	sort.Slice(keys, func(i, j int) bool { return s.entries[keys[i]].At < s.entries[keys[j]].At })
	for _, key := range keys[:len(keys)-seenMax] {
		delete(s.entries, key)
	}
}

// get returns the entry for key, if any.
func (s *seenStore) get(key string) (seenEntry, bool) {
	e, ok := s.entries[key]
	return e, ok
}

// put records e under key and saves the file.
func (s *seenStore) put(key string, e seenEntry, now time.Time) error {
	s.entries[key] = e
	s.expire(now)
	if s.path == "" {
		return nil
	}
	data, err := json.Marshal(seenFile{Version: 1, Seen: s.entries})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(s.path, data, 0o600)
}
