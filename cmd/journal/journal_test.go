package journal

import (
	"slices"
	"strings"
	"testing"

	"github.com/bokuctl/bokuctl/pkg/journal"
)

// The record view of a journal row lists its targets by flag name, so two
// runs of `journal show` print the same table.
func TestJournalEntryTargetsAreSorted(t *testing.T) {
	targets := map[string]string{}
	want := []string{}
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"} {
		targets[k] = "v-" + k
		want = append(want, "--"+k)
	}
	for range 20 {
		var got []string
		for _, f := range (journalEntry{journal.Entry{Key: "k", Targets: targets}}).Table().Fields {
			if strings.HasPrefix(f.Label, "--") {
				got = append(got, f.Label)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("targets in order %v, want %v", got, want)
		}
	}
}
