// Package status is `bokuctl status`: one screen of what needs attention
// in the journal: requests whose outcome is unknown or pending, per
// provider, and the batches running or left unfinished.
package status

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/cmd/batch"
	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// shown is how many rows status lists; the counts cover them all.
const shown = 20

// Row is one request that needs attention.
type Row struct {
	Key       string `json:"idempotency_key"`
	Time      string `json:"time"`
	Provider  string `json:"provider"`
	Operation string `json:"operation"`
	Status    string `json:"status"`
	By        string `json:"by,omitempty"`
	SettleCmd string `json:"settle_command,omitempty"`
}

// Provider is one provider's count of what needs attention.
type Provider struct {
	Provider string `json:"provider"`
	Unknown  int    `json:"unknown"`
	Pending  int    `json:"pending"`
}

// Result is the output of status.
type Result struct {
	Since     string       `json:"since,omitempty"`
	Unknown   int          `json:"unknown"`
	Pending   int          `json:"pending"`
	Providers []Provider   `json:"providers"`
	Rows      []Row        `json:"rows"`
	More      int          `json:"more_rows,omitempty"`
	Batches   []batch.Info `json:"batches"`
}

func (r Result) Table() output.Table {
	t := output.Table{}
	window := "every row"
	if r.Since != "" {
		window = "since " + r.Since
	}
	t.Add("Journal", window)
	if r.Unknown == 0 && r.Pending == 0 && len(r.Batches) == 0 {
		t.Add("Needs attention", "nothing")
		return t
	}
	t.Fields = append(t.Fields, output.Field{Label: "Unknown", Value: tone(r.Unknown, "unknown")})
	t.Fields = append(t.Fields, output.Field{Label: "Pending", Value: tone(r.Pending, "pending")})
	for _, p := range r.Providers {
		t.Add("Provider", fmt.Sprintf("%s: %d unknown, %d pending", p.Provider, p.Unknown, p.Pending))
	}
	for _, row := range r.Rows {
		line := fmt.Sprintf("%s  %s  %s %s  %s", row.Time, row.Status, row.Provider, row.Operation, row.Key)
		if row.By != "" {
			line += "  by " + row.By
		}
		if row.SettleCmd != "" {
			line += "  → " + row.SettleCmd
		}
		t.Add("Request", line)
	}
	if r.More > 0 {
		t.Add("Request", fmt.Sprintf("… and %d more: bokuctl journal list --status unknown / --status pending", r.More))
	}
	for _, b := range r.Batches {
		p := b.Progress
		line := fmt.Sprintf("%s  %s %s  %d/%d done, %d unknown, %d pending, %d not sent", b.ID, b.Provider, b.Operation,
			p.OK+p.Failed+p.Declined+p.Reversed, b.Rows, p.Unknown, p.Pending, p.NotSent)
		if b.Holder != "" {
			line += "  running: " + b.Holder
		} else {
			line += "  → bokuctl batch resume " + b.ID + " --yes"
		}
		t.Add("Batch", line)
	}
	return t
}

func tone(n int, word string) output.Cell {
	if n == 0 {
		return output.Text("0")
	}
	return output.Cell{Text: fmt.Sprint(n), Tone: output.StatusTone(word)}
}

// NewCmd builds status.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	since := cmdutil.Since(cmdutil.JournalWindow)
	cmd := &cobra.Command{
		Use:   "status [--since 7d]",
		Short: "What needs attention: unknown and pending requests, unfinished batches",
		Long: `One screen of what needs attention in the journal (on a team journal, the
whole team's): the requests whose outcome is unknown (or still "sent") or
pending, counted per provider, the oldest listed with who sent them and
the command that settles them; and the batches running now (with who runs
them) or left with rows unknown, pending or not sent. Nothing is sent:
bokuctl reconcile settles the rows, bokuctl batch resume finishes a batch.

Exit 0 when nothing needs attention, 5 when some outcome is unknown, 8
when something is pending or a batch is unfinished (and nothing is
unknown).`,
		Example: "  bokuctl status\n  bokuctl status --since 30d -o json",
		Args:    cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := cmdutil.OpenJournal(cmd, f)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			from := since.From(time.Now())
			res := Result{Providers: []Provider{}, Rows: []Row{}, Batches: []batch.Info{}}
			if !from.IsZero() {
				res.Since = from.UTC().Format(journal.TimeFormat)
			}
			byProvider := map[string]*Provider{}
			err = store.Each(ctx, journal.Filter{Since: from, Statuses: []string{journal.StatusUnknown, journal.StatusPending}}, func(e *journal.Entry) error {
				p := byProvider[e.Provider]
				if p == nil {
					p = &Provider{Provider: e.Provider}
					byProvider[e.Provider] = p
				}
				if e.Status == journal.StatusPending {
					p.Pending++
					res.Pending++
				} else {
					p.Unknown++
					res.Unknown++
				}
				if len(res.Rows) == shown {
					res.More++
					return nil
				}
				res.Rows = append(res.Rows, Row{Key: e.Key, Time: e.Time.UTC().Format(time.RFC3339), Provider: e.Provider, Operation: e.Operation,
					Status: e.Status, By: strings.Trim(e.User+"@"+e.Host, "@"), SettleCmd: firstCommand(e.SettleCmd)})
				return nil
			})
			if err != nil {
				return err
			}
			for _, name := range slicesSorted(byProvider) {
				res.Providers = append(res.Providers, *byProvider[name])
			}
			var batches []journal.Batch
			if err := store.EachBatch(ctx, from, func(b *journal.Batch) error { batches = append(batches, *b); return nil }); err != nil {
				return err
			}
			unfinished := false
			for i := range batches {
				info, err := batch.InfoOf(ctx, f, store, &batches[i])
				if err != nil {
					return err
				}
				p := info.Progress
				if info.Holder != "" || p.Unknown > 0 || p.Pending > 0 || p.NotSent > 0 {
					res.Batches = append(res.Batches, info)
					unfinished = unfinished || info.Holder == ""
				}
			}
			if err := f.Printer.Print(res); err != nil {
				return err
			}
			switch {
			case res.Unknown > 0:
				return exitcode.New(exitcode.UnknownOutcome, "%d request(s) have an unknown outcome", res.Unknown).
					WithHint("bokuctl reconcile asks the providers; bokuctl journal show KEY names what settles one")
			case res.Pending > 0 || unfinished:
				return exitcode.New(exitcode.Pending, "%d request(s) are pending, %d batch(es) need attention", res.Pending, len(res.Batches)).
					WithHint("bokuctl reconcile settles pending rows; bokuctl batch resume BATCH_ID --yes finishes a batch")
			}
			return nil
		},
	}
	cmd.Flags().Var(&since, "since", "only rows and batches this recent: 7d, 36h, 90m (0: all)")
	return cmd
}

func slicesSorted(m map[string]*Provider) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// firstCommand is the first "bokuctl …" command a hint names, or the hint.
func firstCommand(hint string) string {
	i := strings.Index(hint, "bokuctl ")
	if i < 0 {
		return hint
	}
	cmd := hint[i:]
	if j := strings.IndexAny(cmd, ";`("); j >= 0 {
		cmd = cmd[:j]
	}
	return strings.TrimSpace(cmd)
}
