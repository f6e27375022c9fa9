// Package journal is `bokuctl journal`: list, show, export and settle the
// rows of the journal (pkg/journal).
package journal

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/user"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/output"
)

func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.GroupCmd("journal", "The record of every request that moved money or changed state",
		newJournalListCmd(f), newJournalShowCmd(f), newJournalExportCmd(f), newJournalSettleCmd(f), newJournalBackupCmd(f), newJournalVerifyCmd(f), newJournalWatchCmd(f), newJournalMigrateCmd(f))
	cmd.Long = `bokuctl writes a journal row before every request that moves money or changes
state at a provider (charges, captures, increments, refunds, reversals,
opt-in calls, technical reversals, hosted charges), and records the outcome
on the same row after the answer. A row still "sent" or "unknown" is a
request whose outcome nobody knows yet: bokuctl reconcile asks the provider,
and bokuctl journal settle records what a person found out.

A row only moves forward: sent → ok, declined, failed, pending, reversed or
unknown; unknown and pending → a definitive answer; ok → reversed by a
follow-up. Sending the same key again is a new attempt of the same row: it
never overwrites a known outcome (journal show lists every attempt). A
follow-up (a reversal, a technical reversal, a refund) links to the row it
acts on, and its success settles that row (docs/journal.md).

The journal is an SQLite file, $XDG_STATE_HOME/bokuctl/journal.db
(~/.local/state/bokuctl/journal.db) by default, 0600 in a 0700 folder; the
journal setting or BOKUCTL_JOURNAL moves it, and "off" turns it off. A
postgres://USER@HOST/DB address there makes it a team journal that several
operators and CI runners share (password: the secret journal-password or
PGPASSWORD; docs/journal.md, Team journal). It never holds a secret or a
card number.`
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
	t := output.Table{Header: listHeader}
	for i := range l.Entries {
		t.Rows = append(t.Rows, listCells(&l.Entries[i]))
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
	t.Add("Made", e.MadeID)
	t.Add("Follows", e.Follows)
	if e.Attempts > 1 {
		t.Add("Attempts", fmt.Sprint(e.Attempts))
	}
	t.Add("Result", e.Result)
	for _, ev := range e.History {
		what := ev.Kind
		if ev.Attempt > 0 {
			what += fmt.Sprintf(" %d", ev.Attempt)
		}
		line := ev.Time.UTC().Format(time.RFC3339) + " " + what
		if ev.Status != "" {
			line += ": " + ev.Status
		}
		if ev.From != ev.To && ev.To != "" {
			line += fmt.Sprintf(" (row %s → %s)", cmdutil.OrNone(ev.From), ev.To)
		}
		if ev.By != "" {
			line += " by " + ev.By
		}
		if ev.Note != "" {
			line += ": " + ev.Note
		}
		t.Add("History", line)
	}
	return t
}

// journalFilter is --since and --status (and, for list and export,
// --limit, --operation, --batch and --key); the global --profile and
// --provider, when given, narrow to that profile or provider.
type journalFilter struct {
	f                     *cmdutil.Factory
	since                 cmdutil.Since
	status                string
	operation, batch, key string
	limit                 int
}

func (jf *journalFilter) addFlags(cmd *cobra.Command, defaultSince time.Duration) {
	jf.since = cmdutil.Since(defaultSince)
	cmd.Flags().Var(&jf.since, "since", "only rows this recent: 7d, 36h, 90m (0: all)")
	cmd.Flags().StringVar(&jf.status, "status", "", "only rows with this status: unknown (includes sent), pending, declined, failed, reversed or ok")
	cmd.Flags().StringVar(&jf.operation, "operation", "", `only rows of this operation, as listed: "charge", "refund", "charge capture", …`)
	cmd.Flags().StringVar(&jf.batch, "batch", "", "only the rows of this batch run (its id)")
	cmd.Flags().StringVar(&jf.key, "key", "", "only rows whose idempotency key starts with PREFIX")
	cmd.Flags().IntVar(&jf.limit, "limit", 0, "only the newest N rows of what the other filters select, still oldest first (0: all)")
}

func (jf *journalFilter) filter() (journal.Filter, error) {
	switch jf.status {
	case "", journal.StatusUnknown, journal.StatusPending, journal.StatusFailed, journal.StatusOK, journal.StatusSent,
		journal.StatusDeclined, journal.StatusReversed:
	default:
		return journal.Filter{}, exitcode.New(exitcode.Usage, "invalid --status %q", jf.status).WithHint("use unknown, pending, declined, failed, reversed or ok")
	}
	if jf.limit < 0 {
		return journal.Filter{}, exitcode.New(exitcode.Usage, "--limit %d: give a number of rows, or 0 for all", jf.limit)
	}
	flt := journal.Filter{Status: jf.status, Operation: jf.operation, Batch: jf.batch, KeyPrefix: jf.key, Limit: jf.limit}
	if jf.f.ProfileFlag != "" {
		flt.Profile = jf.f.ProfileFlag
	}
	if jf.f.ProviderFlag != nil && jf.f.ProviderFlag.Changed {
		flt.Provider = jf.f.ProviderFlag.Value.String()
	}
	flt.Since = jf.since.From(time.Now())
	return flt, nil
}

// each opens the journal and calls fn with each row the flags select, as
// it is read. It says on stderr when -p narrowed the rows to one profile.
func (jf *journalFilter) each(cmd *cobra.Command, fn func(*journal.Entry) error) error {
	flt, err := jf.filter()
	if err != nil {
		return err
	}
	store, err := cmdutil.OpenJournal(cmd, jf.f)
	if err != nil {
		return err
	}
	if flt.Profile != "" {
		if err := jf.checkProfile(cmd.Context(), store, flt.Profile); err != nil {
			return err
		}
		jf.f.Printer.Notice("Only rows of profile %s (-p/--profile); drop it to see every profile's rows.", flt.Profile)
	}
	return store.Each(cmd.Context(), flt, fn)
}

// errFound stops a search at its first row.
var errFound = errors.New("found")

// checkProfile refuses a -p that names a profile neither the config nor
// any journal row has (a typo would list nothing, which reads as "no such
// rows"), and says so when only the journal has it (a removed profile's
// rows keep its name).
func (jf *journalFilter) checkProfile(ctx context.Context, store journal.Store, name string) error {
	file, err := jf.f.Config()
	if err != nil {
		return err
	}
	if _, ok := file.Profiles[name]; ok {
		return nil
	}
	found := false
	err = store.Each(ctx, journal.Filter{Profile: name, Limit: 1}, func(*journal.Entry) error {
		found = true
		return errFound
	})
	if err != nil && !errors.Is(err, errFound) {
		return err
	}
	if !found {
		hint := "drop -p to see every profile's rows"
		if names := file.Names(); len(names) > 0 {
			hint = "known profiles: " + strings.Join(names, ", ") + "; " + hint
		}
		return exitcode.New(exitcode.Auth, "profile %q is not in %s, and no journal row names it", name, file.Path).WithHint("%s", hint)
	}
	jf.f.Printer.Notice("Profile %s is not in %s: these are the journal's rows recorded under that name.", name, file.Path)
	return nil
}

// listHeader is journal list's table header; listCells its row.
var listHeader = []string{"TIME", "STATUS", "PROVIDER", "OPERATION", "AMOUNT", "IDEMPOTENCY KEY"}

func listCells(e *journal.Entry) []output.Cell {
	amount := strings.TrimSpace(e.Amount + " " + e.Currency)
	return []output.Cell{output.Text(e.Time.UTC().Format(time.RFC3339)), output.Status(e.Status), output.Text(e.Provider),
		output.Text(e.Operation), output.Text(cmdutil.OrNone(amount)), output.Text(e.Key)}
}

func newJournalListCmd(f *cmdutil.Factory) *cobra.Command {
	jf := &journalFilter{f: f}
	cmd := &cobra.Command{
		Use:   "list [--since 7d] [--status unknown|pending|declined|failed|reversed|ok] [--limit N]",
		Short: "List journal rows",
		Long: `List the journal's rows, oldest first, as they are read: the table and
-o json print each row as it comes, so a large journal takes no more memory
than a small one (--jq and --json need the whole list, and hold it). Every
filter is applied by the journal's database, with an index. The default
window, 7 days, is reconcile's.`,
		Example: `  bokuctl journal list --status unknown --since 7d
  bokuctl journal list --since 0 --key order- --limit 20
  bokuctl journal list --batch b-20261202T101500-3f2a --status failed`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !f.Printer.Streams() {
				entries := []journal.Entry{}
				err := jf.each(cmd, func(e *journal.Entry) error {
					entries = append(entries, *e)
					return nil
				})
				if err != nil {
					return err
				}
				return f.Printer.Print(journalList{Entries: entries})
			}
			list := f.Printer.NewListStream("entries", listHeader)
			if err := jf.each(cmd, func(e *journal.Entry) error { return list.Add(e, listCells(e)) }); err != nil {
				return err
			}
			return list.Close()
		},
	}
	jf.addFlags(cmd, cmdutil.JournalWindow)
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
			store, err := cmdutil.OpenJournal(cmd, f)
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
			out := bufio.NewWriterSize(f.IO.Out, 64<<10)
			err := jf.each(cmd, func(e *journal.Entry) error {
				line, err := json.Marshal(e)
				if err != nil {
					return err
				}
				out.Write(line)
				return out.WriteByte('\n')
			})
			if ferr := out.Flush(); err == nil {
				err = ferr
			}
			return err
		},
	}
	jf.addFlags(cmd, 0)
	return cmd
}

// SettledAs are the outcomes a person may record.
var SettledAs = []string{journal.StatusOK, journal.StatusDeclined, journal.StatusFailed, journal.StatusReversed}

func newJournalSettleCmd(f *cmdutil.Factory) *cobra.Command {
	var as, note string
	cmd := &cobra.Command{
		Use:   "settle IDEMPOTENCY_KEY --as ok|declined|failed|reversed --note TEXT",
		Short: "Record what you found out about a request whose outcome is unknown or pending",
		Long: `Record a person's decision on a journal row that is still sent, unknown or
pending: what the provider's dashboard, a bank statement or the provider's
support said. The row takes the status; its history keeps who decided,
when and why (--note), and every earlier state. A settled row (ok,
declined, failed, reversed) is not changed: nothing here undoes a known
outcome. Nothing is sent to a provider.`,
		Example: `  bokuctl journal settle lost-1 --as ok --note "charge ch-123 in Boku's portal"
  bokuctl journal settle pay-op-7 --as failed --note "Worldline support: never received"`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(SettledAs, as) {
				return exitcode.New(exitcode.Usage, "--as %s: give ok, declined, failed or reversed", cmdutil.QuoteValue(as))
			}
			if strings.TrimSpace(note) == "" {
				return exitcode.New(exitcode.Usage, "--note is required: say how you know").WithHint(`for example --note "seen in the provider's portal as ch-123"`)
			}
			store, err := cmdutil.OpenJournal(cmd, f)
			if err != nil {
				return err
			}
			by := "unknown"
			if u, err := user.Current(); err == nil {
				by = u.Username
			}
			if host, err := os.Hostname(); err == nil {
				by += "@" + host
			}
			o := journal.Outcome{Status: as, Reason: "settled by hand: " + note}
			if code, ok := settledExit[as]; ok {
				o.ExitCode = int(code)
			}
			e, err := store.Record(cmd.Context(), args[0], journal.KindSettle, o, journal.Event{Note: note, By: by})
			switch {
			case errors.Is(err, journal.ErrNotFound):
				return exitcode.New(exitcode.Usage, "no journal row with idempotency key %q", args[0]).WithHint("list them with `bokuctl journal list --since 0`")
			case errors.Is(err, journal.ErrSettled):
				cur, _ := store.Get(cmd.Context(), args[0])
				status := "settled"
				if cur != nil {
					status = cur.Status
				}
				return exitcode.New(exitcode.Usage, "journal row %s is already %s: a known outcome is not changed", args[0], status).
					WithHint("see its history with bokuctl journal show %s", args[0])
			case err != nil:
				return err
			}
			return f.Printer.Print(journalEntry{*e})
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "the outcome: ok, declined, failed or reversed")
	cmd.Flags().StringVar(&note, "note", "", "how you know (kept in the row's history)")
	return cmd
}

// settledExit is the exit code a settled status stands for.
var settledExit = map[string]exitcode.Code{
	journal.StatusOK: exitcode.OK, journal.StatusReversed: exitcode.OK, journal.StatusDeclined: exitcode.Declined, journal.StatusFailed: exitcode.Usage,
}
