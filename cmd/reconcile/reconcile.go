// Package reconcile is `bokuctl reconcile`: the journal's unsettled rows,
// settled through each provider's Settler and, when asked, undone through
// its UnknownReverser.
package reconcile

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// reconcileRow is one journal row reconcile looked at.
type reconcileRow struct {
	Key       string `json:"idempotency_key"`
	Operation string `json:"operation"`
	Provider  string `json:"provider"`
	Before    string `json:"before"`
	After     string `json:"after"`
	Detail    string `json:"detail,omitempty"`
}

type reconcileResult struct {
	Rows []reconcileRow `json:"rows"`
}

func (r reconcileResult) Table() output.Table {
	t := output.Table{Header: []string{"IDEMPOTENCY KEY", "OPERATION", "BEFORE", "AFTER", "DETAIL"}}
	for _, row := range r.Rows {
		t.Rows = append(t.Rows, []output.Cell{output.Text(row.Key), output.Text(row.Provider + " " + row.Operation), output.Status(row.Before),
			output.Status(row.After), output.Text(cmdutil.OrNone(row.Detail))})
	}
	return t
}

// Options are what reconcile runs with: its dependencies and its flags.
type Options struct {
	Command   *cobra.Command
	Factory   *cmdutil.Factory
	Providers *provider.Registry
	// Since is --since: only rows this recent.
	Since                       cmdutil.Since
	DryRun, ReverseUnknown, Yes bool
}

// NewCmd builds reconcile over the providers' Settler and UnknownReverser.
// runF, when not nil, is called with the options in place of the run
// (tests).
func NewCmd(f *cmdutil.Factory, providers *provider.Registry, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f, Providers: providers, Since: cmdutil.Since(cmdutil.JournalWindow)}
	cmd := &cobra.Command{
		Use:   "reconcile [--since 7d] [--dry-run] [--reverse-unknown]",
		Short: "Settle the journal's unknown and pending requests by asking the providers",
		Long: `For every journal row whose outcome is unknown (or still "sent": the process
stopped between sending and answer) or pending, ask the provider what
happened and record the answer: Boku charges by their merchant request id
(query-charge; Boku keeps it 24 hours), Boku refunds by their merchant
refund id, Boku reversals by the charge's query, Boku opt-ins by
query-optin, Worldline captures, increments and reversals by the
payment's operations. Prints what changed; a row it cannot settle names
the command that does.

It never sends a new request that changes state unless asked:
--reverse-unknown undoes what is still unknown after asking: Boku charges
inside Boku's one-hour reversal window (reverse-charge), and Worldline
operations by technical reversal. It asks once on a terminal (--yes
answers), journals each reversal as its own row, and says which rows it
could not act on and why.

Exit 0 when every row is settled, 8 when some are still pending, 5 when
some are still unknown.`,
		Example: "  bokuctl reconcile --since 24h\n  bokuctl reconcile --reverse-unknown --yes",
		Args:    cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Command = cmd
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	cmd.Flags().Var(&opts.Since, "since", "only rows this recent: 7d, 36h, 90m (0: all)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "ask the providers, but record nothing")
	cmd.Flags().BoolVar(&opts.ReverseUnknown, "reverse-unknown", false, "undo what is still unknown: Boku charges within the hour, Worldline operations by technical reversal")
	cmdutil.AddYesFlag(cmd, &opts.Yes)
	return cmd
}

// Run settles the journal's unknown and pending rows as opts say.
func Run(opts *Options) error {
	store, err := cmdutil.OpenJournal(opts.Command, opts.Factory)
	if err != nil {
		return err
	}
	r := &reconciler{f: opts.Factory, providers: opts.Providers, store: store, dryRun: opts.DryRun}
	return r.run(opts.Command.Context(), opts.Since.From(time.Now()), opts.ReverseUnknown, opts.Yes)
}

// reconciler settles journal rows through their providers' Settler and,
// when asked, UnknownReverser.
type reconciler struct {
	f         *cmdutil.Factory
	providers *provider.Registry
	store     journal.Store
	dryRun    bool
}

func (r *reconciler) run(ctx context.Context, since time.Time, reverseUnknown, yes bool) error {
	// Only the rows not settled: the database selects them by status
	// (an index), so a large journal costs what its unsettled rows cost.
	entries, err := journal.List(ctx, r.store, journal.Filter{Since: since,
		Statuses: []string{journal.StatusSent, journal.StatusUnknown, journal.StatusPending}})
	if err != nil {
		return err
	}
	result := reconcileResult{Rows: []reconcileRow{}}
	var unknown []int // rows of result still unknown after asking
	for _, e := range entries {
		row := reconcileRow{Key: e.Key, Operation: e.Operation, Provider: e.Provider, Before: e.Status}
		s := r.settle(ctx, e)
		after, err := r.record(ctx, e, s)
		if err != nil {
			return err
		}
		row.After, row.Detail = after, s.Detail
		if after == journal.StatusUnknown || after == journal.StatusSent {
			unknown = append(unknown, len(result.Rows))
		}
		result.Rows = append(result.Rows, row)
	}
	if reverseUnknown && len(unknown) > 0 {
		if err := r.reverse(ctx, entries, &result, unknown, yes); err != nil {
			return err
		}
	}
	if err := r.f.Printer.Print(result); err != nil {
		return err
	}
	if r.dryRun {
		r.f.Printer.Notice("Dry run: the providers were asked (queries only); nothing was recorded in the journal, and nothing was reversed.")
	}
	nUnknown, nPending := 0, 0
	for _, row := range result.Rows {
		switch row.After {
		case journal.StatusUnknown, journal.StatusSent:
			nUnknown++
		case journal.StatusPending:
			nPending++
		}
	}
	switch {
	case nUnknown > 0:
		return exitcode.New(exitcode.UnknownOutcome, "%d request(s) still have an unknown outcome", nUnknown).
			WithHint("each row's detail names the command that settles it (bokuctl journal show KEY); bokuctl reconcile --reverse-unknown undoes them, or record what you know with bokuctl journal settle KEY --as STATUS --note TEXT")
	case nPending > 0:
		return exitcode.New(exitcode.Pending, "%d request(s) are still pending", nPending).WithHint("run bokuctl reconcile again later")
	}
	return nil
}

// settle asks the row's provider, or says why nobody can.
func (r *reconciler) settle(ctx context.Context, e journal.Entry) provider.Settlement {
	p, ok := r.providers.Lookup(provider.Name(e.Provider))
	if !ok {
		return provider.Settlement{Keep: true, Detail: fmt.Sprintf("no provider %q in this bokuctl", e.Provider)}
	}
	s, can := p.(provider.Settler)
	if !can {
		return provider.Settlement{Keep: true, Detail: "no query answers this operation"}
	}
	return s.Settle(ctx, r.f, e)
}

// record writes what the provider said (nothing on a dry run) and returns
// the row's status after. A row the provider could not settle that still
// says "sent" becomes unknown, naming what settles it.
func (r *reconciler) record(ctx context.Context, e journal.Entry, s provider.Settlement) (string, error) {
	o := s.Outcome
	if s.Keep {
		if e.Status != journal.StatusSent {
			return e.Status, nil
		}
		o = journal.Outcome{Status: journal.StatusUnknown, ExitCode: int(exitcode.UnknownOutcome),
			Reason: "the outcome was never recorded, and reconcile could not settle it: " + s.Detail, SettleCmd: s.Detail}
	}
	if r.dryRun {
		return journal.Next(e.Status, o.Status, journal.KindReconcile), nil
	}
	after, err := r.store.Record(ctx, e.Key, journal.KindReconcile, o, journal.Event{})
	if err != nil {
		return "", err
	}
	return after.Status, nil
}

// reverse undoes the rows still unknown whose provider can, after asking
// once, and says for each row why it could not.
func (r *reconciler) reverse(ctx context.Context, entries []journal.Entry, result *reconcileResult, unknown []int, yes bool) error {
	byKey := map[string]journal.Entry{}
	for _, e := range entries {
		byKey[e.Key] = e
	}
	type candidate struct {
		i int
		e journal.Entry
		u provider.UnknownReverser
	}
	var candidates []candidate
	for _, i := range unknown {
		e := byKey[result.Rows[i].Key]
		p, _ := r.providers.Lookup(provider.Name(e.Provider))
		u, ok := p.(provider.UnknownReverser)
		if !ok {
			result.Rows[i].Detail += "; --reverse-unknown: " + e.Provider + " cannot reverse it"
			continue
		}
		candidates = append(candidates, candidate{i, e, u})
	}
	if len(candidates) == 0 {
		return nil
	}
	if r.dryRun {
		for _, c := range candidates {
			result.Rows[c.i].Detail += "; --reverse-unknown would try to reverse it (dry run: nothing sent)"
		}
		return nil
	}
	question := fmt.Sprintf("Reverse %d request(s) whose outcome is still unknown (whatever happened to them)?", len(candidates))
	target, production := r.f.ProductionTarget()
	if production {
		question = fmt.Sprintf("Reverse %d request(s) whose outcome is still unknown (whatever happened to them), in production (%s)?", len(candidates), target)
	}
	if err := r.f.Confirm(ctx, yes, "reversing unknown requests", question, ""); err != nil {
		return err
	}
	// The answer covers production too: the reversals run with quiet
	// streams of their own, where nobody could be asked.
	r.f.ConfirmProduction()
	for _, c := range candidates {
		// Look again: a reversal of an earlier row may have settled it.
		if cur, err := r.store.Get(ctx, c.e.Key); err == nil && journal.Settled(cur.Status) {
			result.Rows[c.i].After = cur.Status
			continue
		}
		s, acted := c.u.ReverseUnknown(ctx, r.f, c.e)
		if !acted || s.Keep {
			result.Rows[c.i].Detail += "; --reverse-unknown: " + s.Detail
			continue
		}
		// The reversal's own row, a follow-up, has usually settled the row
		// already; record what the provider said only if it has not.
		after, err := r.store.Get(ctx, c.e.Key)
		if err == nil && after.Status != s.Outcome.Status {
			after, err = r.store.Record(ctx, c.e.Key, journal.KindReconcile, s.Outcome, journal.Event{})
		}
		if err != nil {
			return err
		}
		result.Rows[c.i].After, result.Rows[c.i].Detail = after.Status, s.Detail
	}
	return nil
}
