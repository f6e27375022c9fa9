package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/output"
)

func newJournalCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.GroupCmd("journal", "The local record of every request that moved money or changed state",
		newJournalListCmd(f), newJournalShowCmd(f), newJournalExportCmd(f))
	cmd.Long = `bokuctl writes a journal row before every request that moves money or changes
state at a provider (charges, captures, increments, refunds, reversals,
opt-in calls, technical reversals, hosted charges), and records the outcome
on the same row after the answer. A row still "sent" or "unknown" is a
request whose outcome nobody knows yet: bokuctl reconcile asks the provider.

The journal is an SQLite file, $XDG_STATE_HOME/bokuctl/journal.db
(~/.local/state/bokuctl/journal.db) by default, 0600 in a 0700 folder; the
journal setting or BOKUCTL_JOURNAL moves it, and "off" turns it off. It
never holds a secret or a card number.`
	cmd.Example = `  bokuctl journal list --status unknown --since 7d
  bokuctl journal show order-1234
  bokuctl journal export --since 30d > journal.jsonl`
	return cmd
}

// journalList is the output of journal list.
type journalList struct {
	Entries []journal.Entry `json:"entries"`
}

func (l journalList) Table() output.Table {
	t := output.Table{Header: []string{"TIME", "STATUS", "PROVIDER", "OPERATION", "AMOUNT", "IDEMPOTENCY KEY"}}
	for _, e := range l.Entries {
		amount := strings.TrimSpace(e.Amount + " " + e.Currency)
		t.Rows = append(t.Rows, []output.Cell{output.Text(e.Time.UTC().Format(time.RFC3339)), output.Status(e.Status), output.Text(e.Provider),
			output.Text(e.Operation), output.Text(cmdutil.OrNone(amount)), output.Text(e.Key)})
	}
	return t
}

// journalEntry is the output of journal show.
type journalEntry struct{ journal.Entry }

func (e journalEntry) Table() output.Table {
	t := output.Table{Fields: []output.Field{
		{Label: "Idempotency key", Value: output.Text(e.Key)},
		{Label: "Status", Value: output.Status(e.Status)},
		{Label: "Operation", Value: output.Text(e.Provider + " " + e.Operation)},
		{Label: "Time", Value: output.Text(e.Time.UTC().Format(time.RFC3339))},
		{Label: "Profile", Value: output.Text(e.Profile)},
	}}
	t.Add("Amount", strings.TrimSpace(e.Amount+" "+e.Currency))
	for _, k := range slices.Sorted(maps.Keys(e.Targets)) {
		t.Add("--"+k, e.Targets[k])
	}
	t.Add("By", strings.Trim(e.User+"@"+e.Host, "@"))
	if e.ExitCode != nil {
		t.Add("Exit code", fmt.Sprint(*e.ExitCode))
	}
	t.Add("Reason", e.Reason)
	t.Add("Settle with", e.SettleCmd)
	t.Add("Result", e.Result)
	return t
}

// openJournal is the journal for the journal commands: "off" is an error.
func openJournal(cmd *cobra.Command, f *cmdutil.Factory) (journal.Store, error) {
	store, err := f.OpenJournal(cmd.Context())
	if err != nil {
		return nil, err
	}
	if store == nil {
		return nil, exitcode.New(exitcode.Usage, "the journal is off").WithHint("unset the journal setting or BOKUCTL_JOURNAL, and drop --no-journal")
	}
	return store, nil
}

// journalFilter is --since and --status; the global --profile and
// --provider, when given, narrow to that profile or provider.
type journalFilter struct {
	f      *cmdutil.Factory
	since  cmdutil.Since
	status string
}

func (jf *journalFilter) addFlags(cmd *cobra.Command, defaultSince time.Duration) {
	jf.since = cmdutil.Since(defaultSince)
	cmd.Flags().Var(&jf.since, "since", "only rows this recent: 7d, 36h, 90m (0: all)")
	cmd.Flags().StringVar(&jf.status, "status", "", "only rows with this status: unknown (includes sent), pending, failed or ok")
}

func (jf *journalFilter) filter() (journal.Filter, error) {
	switch jf.status {
	case "", journal.StatusUnknown, journal.StatusPending, journal.StatusFailed, journal.StatusOK, journal.StatusSent:
	default:
		return journal.Filter{}, exitcode.New(exitcode.Usage, "invalid --status %q", jf.status).WithHint("use unknown, pending, failed or ok")
	}
	flt := journal.Filter{Status: jf.status}
	if jf.f.ProfileFlag != "" {
		flt.Profile = jf.f.ProfileFlag
	}
	if jf.f.ProviderFlag != nil && jf.f.ProviderFlag.Changed {
		flt.Provider = jf.f.ProviderFlag.Value.String()
	}
	flt.Since = jf.since.From(time.Now())
	return flt, nil
}

// list opens the journal and returns the rows the flags select.
func (jf *journalFilter) list(cmd *cobra.Command) ([]journal.Entry, error) {
	flt, err := jf.filter()
	if err != nil {
		return nil, err
	}
	store, err := openJournal(cmd, jf.f)
	if err != nil {
		return nil, err
	}
	return store.List(cmd.Context(), flt)
}

func newJournalListCmd(f *cmdutil.Factory) *cobra.Command {
	jf := &journalFilter{f: f}
	cmd := &cobra.Command{
		Use:     "list [--since 24h] [--status unknown|pending|failed|ok]",
		Short:   "List journal rows",
		Example: "  bokuctl journal list --status unknown --since 7d",
		Args:    cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			entries, err := jf.list(cmd)
			if err != nil {
				return err
			}
			if entries == nil {
				entries = []journal.Entry{}
			}
			return f.Printer.Print(journalList{Entries: entries})
		},
	}
	jf.addFlags(cmd, 24*time.Hour)
	return cmd
}

func newJournalShowCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "show IDEMPOTENCY_KEY",
		Short: "Show one journal row",
		Example: `  bokuctl journal show order-1234                   # a charge's merchant request id
  bokuctl journal show order-1234 --jq .settle_command`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := openJournal(cmd, f)
			if err != nil {
				return err
			}
			e, err := store.Get(cmd.Context(), args[0])
			if errors.Is(err, journal.ErrNotFound) {
				return exitcode.New(exitcode.Usage, "no journal row with idempotency key %q", args[0]).WithHint("list them with `bokuctl journal list --since 0`")
			}
			if err != nil {
				return err
			}
			return f.Printer.Print(journalEntry{*e})
		},
	}
}

func newJournalExportCmd(f *cmdutil.Factory) *cobra.Command {
	jf := &journalFilter{f: f}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write every journal row as JSON lines, for audits",
		Example: `  bokuctl journal export > journal.jsonl
  bokuctl journal export --since 30d --status failed | jq -r .idempotency_key`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			entries, err := jf.list(cmd)
			if err != nil {
				return err
			}
			for _, e := range entries {
				line, err := json.Marshal(e)
				if err != nil {
					return err
				}
				fmt.Fprintf(f.IO.Out, "%s\n", line)
			}
			return nil
		},
	}
	jf.addFlags(cmd, 0)
	return cmd
}
