package journal

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// fakeWatcher answers each poll from a script: the events committed by
// then (a later seq can commit before an earlier one, as on PostgreSQL).
type fakeWatcher struct {
	polls [][]int64
	n     int
	fail  int // polls that fail before the script starts
}

func (w *fakeWatcher) LastSeq(context.Context) (int64, error) { return 0, nil }

func (w *fakeWatcher) Updates(_ context.Context, after int64, limit int, fn func(*journal.Update) error) error {
	if w.fail > 0 {
		w.fail--
		return errors.New("connection refused")
	}
	poll := w.polls[min(w.n, len(w.polls)-1)]
	w.n++
	for _, seq := range poll {
		if seq > after {
			if err := fn(&journal.Update{Event: journal.Event{Seq: seq, Kind: journal.KindAttempt, To: journal.StatusSent}, Key: "k"}); err != nil {
				return err
			}
		}
	}
	return nil
}

func watchFactory() (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	ios := &output.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut}
	f := cmdutil.NewFactory(ios, func(string) string { return "" })
	f.Printer, _ = output.NewPrinter(ios, output.FormatJSON, "")
	return f, out, errOut
}

func seqs(out string) string {
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if i := strings.Index(line, `"seq":`); i >= 0 {
			got = append(got, strings.SplitN(line[i+6:], ",", 2)[0])
		}
	}
	return strings.Join(got, " ")
}

// An event that commits after a later one is still printed, once; every
// event is printed once.
func TestWatchOutOfOrderCommits(t *testing.T) {
	f, out, _ := watchFactory()
	w := &fakeWatcher{polls: [][]int64{{1, 3}, {1, 2, 3}, {1, 2, 3, 4}}}
	if err := watch(context.Background(), f, w, &watchOptions{fromSeq: 0, interval: time.Millisecond, limit: 4, retries: 1}); err != nil {
		t.Fatal(err)
	}
	if got := seqs(out.String()); got != "1 3 2 4" {
		t.Fatalf("printed %s", got)
	}
}

// A number that never comes (a rolled-back transaction) is given up
// after gapWait, and watch moves on.
func TestWatchGivesUpAGap(t *testing.T) {
	defer func(d time.Duration) { gapWait = d }(gapWait)
	gapWait = 5 * time.Millisecond
	f, out, _ := watchFactory()
	w := &fakeWatcher{polls: [][]int64{{1, 3}, {1, 3}, {1, 3}, {1, 3, 4}}}
	if err := watch(context.Background(), f, w, &watchOptions{fromSeq: 0, interval: 3 * time.Millisecond, limit: 3, retries: 1}); err != nil {
		t.Fatal(err)
	}
	if got := seqs(out.String()); got != "1 3 4" {
		t.Fatalf("printed %s", got)
	}
}

// Reads that keep failing end in exit 6, naming the seq to restart from;
// a failure that passes is retried.
func TestWatchRetriesThenGivesUp(t *testing.T) {
	f, out, errOut := watchFactory()
	w := &fakeWatcher{fail: 1, polls: [][]int64{{1}}}
	if err := watch(context.Background(), f, w, &watchOptions{fromSeq: 0, interval: time.Millisecond, limit: 1, retries: 2}); err != nil {
		t.Fatal(err)
	}
	if seqs(out.String()) != "1" || !strings.Contains(errOut.String(), "trying again (1 of 2)") {
		t.Fatalf("out %q err %q", out, errOut)
	}
	f, _, _ = watchFactory()
	w = &fakeWatcher{fail: 10, polls: [][]int64{{1}}}
	err := watch(context.Background(), f, w, &watchOptions{fromSeq: 7, interval: time.Millisecond, retries: 2})
	if exitcode.Of(err) != exitcode.Unavailable || !strings.Contains(err.Error(), "could not be read 3 times") || !strings.Contains(exitcode.HintOf(err), "--from-seq 7") {
		t.Fatalf("err %v", err)
	}
}
