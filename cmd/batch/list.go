package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// Progress is where a batch's rows are, from the journal.
type Progress struct {
	OK       int `json:"ok"`
	Failed   int `json:"failed"`
	Declined int `json:"declined"`
	Unknown  int `json:"unknown"`
	Pending  int `json:"pending"`
	Reversed int `json:"reversed"`
	// NotSent is the rows of the file with no journal row: not sent yet
	// (or invalid, and skipped).
	NotSent int `json:"not_sent"`
}

// Info is one batch as batch list, batch show and status print it.
type Info struct {
	journal.Batch
	Progress Progress `json:"progress"`
	// Holder is who runs it now (user@host pid N since …), "" for nobody.
	Holder string `json:"holder,omitempty"`
}

// MarshalJSON writes the time as every bokuctl timestamp (docs/json.md).
func (b Info) MarshalJSON() ([]byte, error) {
	type plain Info
	return json.Marshal(struct {
		plain
		Time string `json:"time"`
	}{plain(b), b.Time.UTC().Format(journal.TimeFormat)})
}

type batchList struct {
	Batches []Info `json:"batches"`
}

var batchHeader = []string{"BATCH", "STARTED", "OPERATION", "PROFILE", "ROWS", "OK", "FAILED", "UNKNOWN", "PENDING", "NOT SENT", "RUNNING"}

func batchCells(b *Info) []output.Cell {
	p := b.Progress
	running := "no"
	if b.Holder != "" {
		running = b.Holder
	}
	return []output.Cell{output.Text(b.ID), output.Text(b.Time.UTC().Format(time.RFC3339)), output.Text(b.Provider + " " + b.Operation),
		output.Text(b.Profile), output.Text(fmt.Sprint(b.Rows)), output.Text(fmt.Sprint(p.OK)), output.Text(fmt.Sprint(p.Failed + p.Declined)),
		output.Text(fmt.Sprint(p.Unknown)), output.Text(fmt.Sprint(p.Pending)), output.Text(fmt.Sprint(p.NotSent)), output.Text(running)}
}

func (l batchList) Table() output.Table {
	t := output.Table{Header: batchHeader}
	for i := range l.Batches {
		t.Rows = append(t.Rows, batchCells(&l.Batches[i]))
	}
	return t
}

func (b Info) Table() output.Table {
	p := b.Progress
	t := output.Table{}
	t.Add("Batch", b.ID)
	t.Add("Started", b.Time.UTC().Format(time.RFC3339))
	t.Add("Operation", b.Provider+" "+b.Operation)
	t.Add("Profile", b.Profile)
	if b.Merchant != "" {
		t.Add("Merchant", b.Merchant)
	}
	t.Add("File", b.File)
	t.Add("Digest", b.Digest)
	t.Add("Rows", fmt.Sprint(b.Rows))
	t.Add("Progress", fmt.Sprintf("%d ok, %d failed, %d declined, %d unknown, %d pending, %d reversed, %d not sent",
		p.OK, p.Failed, p.Declined, p.Unknown, p.Pending, p.Reversed, p.NotSent))
	if b.Holder != "" {
		t.Add("Running", b.Holder)
	} else {
		t.Add("Running", "no")
	}
	return t
}

// InfoOf is batch b with its progress and holder.
func InfoOf(ctx context.Context, f *cmdutil.Factory, store journal.Store, b *journal.Batch) (Info, error) {
	counts, err := store.Count(ctx, journal.Filter{Batch: b.ID})
	if err != nil {
		return Info{}, err
	}
	p := Progress{OK: counts[journal.StatusOK], Failed: counts[journal.StatusFailed], Declined: counts[journal.StatusDeclined],
		Unknown: counts[journal.StatusUnknown] + counts[journal.StatusSent], Pending: counts[journal.StatusPending], Reversed: counts[journal.StatusReversed]}
	total := 0
	for _, n := range counts {
		total += n
	}
	p.NotSent = max(0, b.Rows-total)
	dir, _ := f.JournalDir()
	holder, err := batchHolder(ctx, store, filepath.Join(dir, "batches"), b)
	if err != nil {
		return Info{}, err
	}
	return Info{Batch: *b, Progress: p, Holder: holder}, nil
}

func newBatchListCmd(f *cmdutil.Factory) *cobra.Command {
	since := cmdutil.Since(cmdutil.JournalWindow)
	cmd := &cobra.Command{
		Use:   "list [--since 7d]",
		Short: "List batch runs: their progress and who runs them now",
		Long: `List the batch runs of the journal, newest first: each one's rows by outcome
(from the journal), the rows not sent yet, and who runs it now (user@host
and process, from the batch lock: on a team journal, across machines).
Nothing is sent.`,
		Example: "  bokuctl batch list\n  bokuctl batch list --since 30d -o json",
		Args:    cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := cmdutil.OpenJournal(cmd, f)
			if err != nil {
				return err
			}
			// The batches first (a read holds SQLite's one connection),
			// then each one's progress.
			var batches []journal.Batch
			err = store.EachBatch(cmd.Context(), since.From(time.Now()), func(b *journal.Batch) error {
				batches = append(batches, *b)
				return nil
			})
			if err != nil {
				return err
			}
			list := batchList{Batches: []Info{}}
			for i := range batches {
				bi, err := InfoOf(cmd.Context(), f, store, &batches[i])
				if err != nil {
					return err
				}
				list.Batches = append(list.Batches, bi)
			}
			if len(list.Batches) == 0 && !f.Printer.JSON() && f.Template == "" {
				f.Printer.Notice("No batch runs in the journal since %s (widen it with --since).", since.From(time.Now()).UTC().Format(journal.TimeFormat))
				return nil
			}
			return f.Printer.Print(list)
		},
	}
	cmd.Flags().Var(&since, "since", "only batches started this recently: 7d, 36h, 90m (0: all)")
	return cmd
}

func newBatchShowCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "show BATCH_ID",
		Short:   "Show one batch run: its file, progress and who runs it now",
		Example: "  bokuctl batch show bt-k3j9x2m4qa\n  bokuctl batch show bt-k3j9x2m4qa --jq .progress.unknown",
		Args:    cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := cmdutil.OpenJournal(cmd, f)
			if err != nil {
				return err
			}
			b, err := store.GetBatch(cmd.Context(), args[0])
			if errors.Is(err, journal.ErrNoBatch) {
				return exitcode.New(exitcode.Usage, "no batch %s in the journal", args[0]).WithHint("bokuctl batch list shows the batches")
			}
			if err != nil {
				return err
			}
			bi, err := InfoOf(cmd.Context(), f, store, b)
			if err != nil {
				return err
			}
			return f.Printer.Print(bi)
		},
	}
}
