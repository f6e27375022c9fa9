package journal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
)

// watchLine is one change as journal watch -o json prints it.
type watchLine struct {
	Seq       int64  `json:"seq"`
	Time      string `json:"time"`
	Key       string `json:"idempotency_key"`
	Profile   string `json:"profile,omitempty"`
	Provider  string `json:"provider,omitempty"`
	Operation string `json:"operation,omitempty"`
	Kind      string `json:"kind"`
	Attempt   int    `json:"attempt,omitempty"`
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
	Status    string `json:"status,omitempty"`
	Amount    string `json:"amount,omitempty"`
	Currency  string `json:"currency,omitempty"`
	By        string `json:"by,omitempty"`
	Note      string `json:"note,omitempty"`
}

// watchOptions are journal watch's flags.
type watchOptions struct {
	fromSeq  int64
	interval time.Duration
	limit    int
	retries  int
}

// gapWait is how long watch waits for an event number it has not seen
// while it has seen later ones: a transaction that took the number and
// has not committed yet (PostgreSQL), or one rolled back, whose number
// never comes.
var gapWait = 10 * time.Second

func newJournalWatchCmd(f *cmdutil.Factory) *cobra.Command {
	o := &watchOptions{fromSeq: -1}
	cmd := &cobra.Command{
		Use:   "watch [--from-seq N] [--interval 1s]",
		Short: "Follow new journal rows and outcome changes as they happen",
		Long: `Print every change to the journal as it happens — an intent sent, an
outcome, a reconcile, a settle, a follow-up — from every bokuctl writing to
it (on a team journal: every operator and CI runner). One line per change;
-o json gives one JSON object per line, with its seq.

It reads the journal's history by its sequence number, every --interval
and, on a team journal, as soon as PostgreSQL notifies it (LISTEN/NOTIFY)
that events were written; so nothing is missed across a restart or a
lost connection: --from-seq N prints what came after event N
first (the seq of the last line printed), then follows. Without it, only
what happens from now on is printed. When the journal cannot be read
(the server is down), it retries --retries times with growing pauses,
then exits 6 so that a supervisor restarts it with --from-seq.`,
		Example: `  bokuctl journal watch
  bokuctl journal watch -o json --from-seq 1200 | jq -c 'select(.to == "unknown")'`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.JQ != "" || f.JSONFields != "" {
				return exitcode.New(exitcode.Usage, "--jq and --json do not apply to journal watch").WithHint("use -o json for JSON lines, and filter them with jq")
			}
			if o.interval < 10*time.Millisecond {
				return exitcode.New(exitcode.Usage, "--interval %s is too short: give 10ms or more", o.interval)
			}
			store, err := cmdutil.OpenJournal(cmd, f)
			if err != nil {
				return err
			}
			w, ok := store.(journal.Watcher)
			if !ok {
				return exitcode.New(exitcode.Usage, "this journal cannot be followed")
			}
			return watch(cmd.Context(), f, w, o)
		},
	}
	cmd.Flags().Int64Var(&o.fromSeq, "from-seq", -1, "print the changes after event N first (0: from the start), then follow")
	cmd.Flags().DurationVar(&o.interval, "interval", time.Second, "how often to look for changes")
	cmd.Flags().IntVar(&o.limit, "limit", 0, "stop after N changes (0: follow until interrupted)")
	cmd.Flags().IntVar(&o.retries, "retries", 5, "how many failed reads in a row before giving up (exit 6)")
	return cmd
}

func watch(ctx context.Context, f *cmdutil.Factory, w journal.Watcher, o *watchOptions) error {
	low := o.fromSeq
	if low < 0 {
		var err error
		if low, err = w.LastSeq(ctx); err != nil {
			return exitcode.New(exitcode.Unavailable, "journal watch: %v", err).WithHint("run it again when the journal can be read")
		}
	}
	// On PostgreSQL, a notification wakes the watcher as soon as events
	// are written; the read every --interval stays, and catches up after
	// a lost connection.
	notifier, _ := w.(journal.Notifier)
	var wait func(context.Context, time.Duration) error
	var stop func()
	defer func() {
		if stop != nil {
			stop()
		}
	}()
	next := func() bool {
		if notifier != nil && wait == nil {
			wait, stop, _ = notifier.Listen(ctx) // when it fails: polled, and tried again next time
		}
		if wait == nil {
			return sleep(ctx, o.interval)
		}
		if err := wait(ctx, o.interval); err != nil && ctx.Err() == nil {
			stop()
			wait, stop = nil, nil
			return sleep(ctx, o.interval)
		}
		return ctx.Err() == nil
	}
	seen := map[int64]bool{} // seqs above low already printed
	var gapSince time.Time
	printed, failures := 0, 0
	for {
		err := w.Updates(ctx, low, 1000, func(u *journal.Update) error {
			if seen[u.Seq] {
				return nil
			}
			seen[u.Seq] = true
			printed++
			if err := printUpdate(f, u); err != nil {
				return err
			}
			if o.limit > 0 && printed >= o.limit {
				return errLimit
			}
			return nil
		})
		switch {
		case err == errLimit:
			return nil
		case ctx.Err() != nil:
			return nil // interrupted: the root says so
		case err != nil:
			failures++
			if failures > o.retries {
				return exitcode.New(exitcode.Unavailable, "journal watch: the journal could not be read %d times in a row: %v", failures, err).
					WithHint("restart it with --from-seq %d to miss nothing", low)
			}
			f.Printer.Notice("journal watch: %v; trying again (%d of %d)", err, failures, o.retries)
			if !sleep(ctx, min(o.interval<<failures, 30*time.Second)) {
				return nil
			}
			continue
		}
		failures = 0
		// Move past what is contiguous; a missing number with later ones
		// seen is waited for gapWait, then given up (a rollback).
		for {
			for seen[low+1] {
				delete(seen, low+1)
				low++
				gapSince = time.Time{}
			}
			if len(seen) == 0 {
				break
			}
			if gapSince.IsZero() {
				gapSince = time.Now()
			}
			if time.Since(gapSince) < gapWait {
				break
			}
			low++
			gapSince = time.Time{}
		}
		if !next() {
			return nil
		}
	}
}

var errLimit = fmt.Errorf("limit reached")

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func printUpdate(f *cmdutil.Factory, u *journal.Update) error {
	line := watchLine{Seq: u.Seq, Time: u.Time.UTC().Format(journal.TimeFormat), Key: u.Key, Profile: u.Profile, Provider: u.Provider,
		Operation: u.Operation, Kind: u.Kind, Attempt: u.Attempt, From: u.From, To: u.To, Status: u.Status, Amount: u.Amount,
		Currency: u.Currency, By: u.By, Note: u.Note}
	var out bytes.Buffer
	if f.Printer.JSON() {
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(line); err != nil {
			return err
		}
	} else {
		what := u.Kind
		if u.Attempt > 0 {
			what += fmt.Sprintf(" %d", u.Attempt)
		}
		text := fmt.Sprintf("%s  %-6d %s  %s %s  %s", u.Time.UTC().Format(time.RFC3339), u.Seq, u.Key, u.Provider, u.Operation, what)
		if u.Status != "" && u.Status != u.To {
			text += ": " + u.Status
		}
		if u.From != u.To {
			text += fmt.Sprintf(" (%s → %s)", cmdutil.OrNone(u.From), u.To)
		} else if u.To != "" {
			text += " (" + u.To + ")"
		}
		if u.Amount != "" {
			text += "  " + u.Amount + " " + u.Currency
		}
		if u.By != "" {
			text += "  by " + u.By
		}
		out.WriteString(text + "\n")
	}
	_, err := f.IO.Out.Write(out.Bytes())
	return err
}
