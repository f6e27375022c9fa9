package notify

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Each change is one line appended; a restart reads the snapshot and the
// log (later lines win), drops a last line cut short, and the log is
// compacted into the snapshot once it is long.
func TestSeenStoreLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seen.json")
	now := time.Unix(1800000000, 0)
	s, err := openSeen(path, now)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		s.put(fmt.Sprint("k", i), seenEntry{At: now.Unix()}, now)
	}
	s.put("k3", seenEntry{At: now.Unix(), Delivered: true}, now)
	s.close()
	data, _ := os.ReadFile(path)
	if lines := bytes.Count(data, []byte("\n")); lines != 11 {
		t.Errorf("%d lines after 11 changes, want a snapshot and 10 log lines:\n%s", lines, data)
	}
	// A line cut short by a kill.
	os.WriteFile(path, append(data, []byte(`{"key":"k99","at":18`)...), 0o600)
	s, err = openSeen(path, now)
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := s.get("k3"); !ok || !e.Delivered {
		t.Errorf("k3 = %+v, %v: the later line must win", e, ok)
	}
	if _, ok := s.get("k9"); !ok || len(s.entries) != 10 {
		t.Errorf("%d entries after a restart, want 10", len(s.entries))
	}
	// The first change of a run writes the file whole; then a long log
	// is folded into the snapshot.
	for i := range 3 * seenCompactMin {
		s.put("k1", seenEntry{At: now.Unix(), Delivered: i%2 == 0}, now)
	}
	s.close()
	data, _ = os.ReadFile(path)
	if lines := bytes.Count(data, []byte("\n")); lines > seenCompactMin+1 {
		t.Errorf("%d lines after %d changes of 10 entries: the log was not compacted", lines, 3*seenCompactMin)
	}
	// A bad line that is not the last is an error.
	os.WriteFile(path, []byte("{\"version\":1,\"seen\":{}}\njunk\n{\"key\":\"a\",\"at\":1}\n"), 0o600)
	if _, err := openSeen(path, now); err == nil {
		t.Error("a bad line in the middle of the log was taken")
	}
}

// Memory stays flat: entries past their window go as time passes, and
// never more than seenMax are kept, however many notifications come.
func TestSeenStoreBounded(t *testing.T) {
	s, _ := openSeen("", time.Now())
	start := time.Unix(1800000000, 0)
	n := 3 * seenMax
	for i := range n {
		now := start.Add(time.Duration(i) * time.Second)
		s.put(fmt.Sprint("k", i), seenEntry{At: now.Unix(), Legacy: i%10 == 0}, now)
		if len(s.entries) > seenMax {
			t.Fatalf("%d entries after %d notifications, want at most %d", len(s.entries), i+1, seenMax)
		}
	}
	if _, ok := s.get(fmt.Sprint("k", n-1)); !ok {
		t.Error("the newest entry was dropped")
	}
	if _, ok := s.get("k0"); ok {
		t.Error("the oldest entry was kept past seenMax")
	}
	queued := len(s.queues[0].items) - s.queues[0].head + len(s.queues[1].items) - s.queues[1].head
	if queued != len(s.entries) {
		t.Errorf("%d queued for %d entries", queued, len(s.entries))
	}
	// 26 hours later only the legacy entries are left.
	later := start.Add(time.Duration(n)*time.Second + 26*time.Hour)
	s.put("late", seenEntry{At: later.Unix()}, later)
	for key, e := range s.entries {
		if !e.Legacy && key != "late" {
			t.Fatalf("%s (%+v) kept past the 25-hour window", key, e)
		}
	}
}
