package notify

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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
	// seenMax bounds the memory and the file: past it the oldest entries
	// go first.
	seenMax = 20000
	// seenCompactMin is the shortest log that is compacted.
	seenCompactMin = 1000
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

// seenStore is the listener's record of notifications taken, so that a
// restart does not forward a replay again. In memory, the entries are
// also queued in the order they were first taken (one queue per window),
// so expiring costs only the entries that expire, whatever the rate.
//
// The file is a snapshot followed by a log: the first line is the whole
// record ({"version":1,"seen":{…}}, as earlier versions wrote it whole
// each time), each later line one entry as it changed ({"key":…,"at":…}).
// A change appends one line (written, not synced: a machine that crashes
// may forget the last few, whose redelivery is then taken again); when the
// log is longer than twice the entries (and seenCompactMin), the snapshot
// is rewritten atomically with no log.
type seenStore struct {
	path    string
	entries map[string]seenEntry
	// queues hold the keys by first receipt: [0] regular, [1] legacy.
	queues [2]seenQueue

	log      *os.File
	logLines int
	// line is the buffer a log line is written from.
	line []byte
	// appendable is false until the file is written whole by this run.
	appendable bool
}

// seenQueue is a FIFO of keys with the time each was taken.
type seenQueue struct {
	items []queued
	head  int
}

type queued struct {
	key string
	at  int64
}

func (q *seenQueue) push(key string, at int64) { q.items = append(q.items, queued{key, at}) }

func (q *seenQueue) peek() (queued, bool) {
	if q.head == len(q.items) {
		return queued{}, false
	}
	return q.items[q.head], true
}

func (q *seenQueue) pop() {
	q.items[q.head] = queued{}
	q.head++
	// Reuse the front once half of it is spent.
	if q.head > 64 && q.head*2 >= len(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
}

type seenFile struct {
	Version int                  `json:"version"`
	Seen    map[string]seenEntry `json:"seen"`
}

// seenLine is one line of the log after the snapshot.
type seenLine struct {
	Key string `json:"key"`
	seenEntry
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
	notRecord := func(err error) error {
		return fmt.Errorf("%s is not a listen record: %v (move it aside to start a new one)", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var file seenFile
	if err := dec.Decode(&file); err != nil {
		return nil, notRecord(err)
	}
	loaded := file.Seen
	if loaded == nil {
		loaded = map[string]seenEntry{}
	}
	// The log: later lines win; a last line cut short (the process was
	// killed while writing it) is dropped.
	rest := data[dec.InputOffset():]
	for len(rest) > 0 {
		line, next, _ := bytes.Cut(rest, []byte("\n"))
		rest = next
		if line = bytes.TrimSpace(line); len(line) == 0 {
			continue
		}
		var l seenLine
		if err := json.Unmarshal(line, &l); err != nil || l.Key == "" {
			if len(bytes.TrimSpace(rest)) == 0 {
				break
			}
			if err == nil {
				err = errors.New("a line without a key")
			}
			return nil, notRecord(err)
		}
		loaded[l.Key] = l.seenEntry
	}
	s.restore(loaded)
	s.expire(now)
	return s, nil
}

// restore takes loaded as the record, queued oldest first.
func (s *seenStore) restore(loaded map[string]seenEntry) {
	byAge := make([]queued, 0, len(loaded))
	for key, e := range loaded {
		byAge = append(byAge, queued{key, e.At})
	}
	slices.SortStableFunc(byAge, func(a, b queued) int { return cmp.Compare(a.at, b.at) })
	for _, q := range byAge {
		s.add(q.key, loaded[q.key])
	}
}

// add records a new key.
func (s *seenStore) add(key string, e seenEntry) {
	s.entries[key] = e
	s.queues[queueOf(e)].push(key, e.At)
}

func queueOf(e seenEntry) int {
	if e.Legacy {
		return 1
	}
	return 0
}

// expire drops the entries past their window, then the oldest beyond
// seenMax.
func (s *seenStore) expire(now time.Time) {
	for i, window := range [2]time.Duration{seenWindow, seenLegacyWindow} {
		cutoff := now.Add(-window).Unix()
		for {
			q, ok := s.queues[i].peek()
			if !ok || q.at >= cutoff {
				break
			}
			s.drop(i, q)
		}
	}
	for len(s.entries) > seenMax {
		regular, okR := s.queues[0].peek()
		legacy, okL := s.queues[1].peek()
		switch {
		case okR && (!okL || regular.at <= legacy.at):
			s.drop(0, regular)
		case okL:
			s.drop(1, legacy)
		default:
			return
		}
	}
}

// drop removes the head of queue i, and its entry.
func (s *seenStore) drop(i int, q queued) {
	s.queues[i].pop()
	if e, ok := s.entries[q.key]; ok && e.At == q.at && queueOf(e) == i {
		delete(s.entries, q.key)
	}
}

// get returns the entry for key, if any.
func (s *seenStore) get(key string) (seenEntry, bool) {
	e, ok := s.entries[key]
	return e, ok
}

// put records e under key and saves it: one line appended to the file,
// or the whole file when the log is long (or not yet started).
func (s *seenStore) put(key string, e seenEntry, now time.Time) error {
	if old, ok := s.entries[key]; ok && old.At == e.At && old.Legacy == e.Legacy {
		s.entries[key] = e // same place in its queue
	} else {
		if ok {
			delete(s.entries, key) // its old queue item is skipped by drop
		}
		s.add(key, e)
	}
	s.expire(now)
	if s.path == "" {
		return nil
	}
	if !s.appendable || (s.logLines >= seenCompactMin && s.logLines > 2*len(s.entries)) {
		return s.compact()
	}
	s.line = append(appendSeenLine(s.line[:0], key, e), '\n')
	if _, err := s.log.Write(s.line); err != nil {
		s.closeLog()
		return err
	}
	s.logLines++
	return nil
}

// compact writes the whole record as the snapshot, atomically, and opens
// it for appending.
func (s *seenStore) compact() error {
	s.closeLog()
	data, err := json.Marshal(seenFile{Version: 1, Seen: s.entries})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return err
	}
	if err := atomicfile.Write(s.path, append(data, '\n'), 0o600); err != nil {
		return err
	}
	if s.log, err = os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND, 0); err != nil {
		return err
	}
	s.appendable, s.logLines = true, 0
	return nil
}

func (s *seenStore) closeLog() {
	if s.log != nil {
		s.log.Close()
		s.log = nil
	}
	s.appendable = false
}

// close closes the file.
func (s *seenStore) close() { s.closeLog() }
