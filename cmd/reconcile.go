package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
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

func newReconcileCmd(f *cmdutil.Factory) *cobra.Command {
	var (
		since                  = cmdutil.Since(7 * 24 * time.Hour)
		dryRun, reverseUnknown bool
	)
	cmd := &cobra.Command{
		Use:   "reconcile [--since 7d] [--dry-run] [--reverse-unknown]",
		Short: "Settle the journal's unknown and pending requests by asking the providers",
		Long: `For every journal row whose outcome is unknown (or still "sent": the process
stopped between sending and answer) or pending, ask the provider what
happened and record the answer: Boku charges by their merchant request id
(query-charge; Boku keeps it 24 hours), Boku refunds by their merchant
refund id, Boku reversals by the charge's query, Worldline captures,
increments and reversals by the payment's operations. Prints what changed.

It never sends a new request that changes state unless asked:
--reverse-unknown reverses the Boku charges still unknown inside Boku's
one-hour reversal window, and says so. Worldline payments whose answer was
lost have no id to ask with: the row names the technical reversal.

Exit 0 when every row is settled, 8 when some are still pending, 5 when
some are still unknown.`,
		Example: "  bokuctl reconcile --since 24h\n  bokuctl reconcile --reverse-unknown",
		Args:    cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := openJournal(cmd, f)
			if err != nil {
				return err
			}
			flt := journal.Filter{Since: since.From(time.Now())}
			entries, err := store.List(cmd.Context(), flt)
			if err != nil {
				return err
			}
			result := reconcileResult{Rows: []reconcileRow{}}
			unknown, pending := 0, 0
			for _, e := range entries {
				if e.Status != journal.StatusUnknown && e.Status != journal.StatusSent && e.Status != journal.StatusPending {
					continue
				}
				row := reconcileRow{Key: e.Key, Operation: e.Operation, Provider: e.Provider, Before: e.Status}
				outcome := settle(cmd, f, e, &row)
				if reverseUnknown && !dryRun && e.Provider == "boku" && e.Operation == "charge" && time.Since(e.Time) < time.Hour &&
					(outcome.Status == journal.StatusUnknown || outcome.Status == journal.StatusSent) {
					// Asked for: Boku's reverse-charge settles an unknown charge
					// either way within the hour.
					code, out := runQuiet(cmd, f, e.Profile, []string{"charge", "reverse", "--merchant-request-id", e.Key})
					if code == 0 {
						outcome = journal.Outcome{Status: journal.StatusReversed, Result: out, Reason: "reversed by bokuctl reconcile --reverse-unknown"}
						row.Detail = "reversed (--reverse-unknown)"
					} else {
						row.Detail = fmt.Sprintf("the reversal failed (exit %d)", code)
					}
				}
				row.After = outcome.Status
				if outcome.Status != e.Status && !dryRun {
					if err := store.Finish(cmd.Context(), e.Key, outcome); err != nil {
						return err
					}
				}
				switch row.After {
				case journal.StatusUnknown, journal.StatusSent:
					unknown++
				case journal.StatusPending:
					pending++
				}
				result.Rows = append(result.Rows, row)
			}
			if err := f.Printer.Print(result); err != nil {
				return err
			}
			switch {
			case unknown > 0:
				return exitcode.New(exitcode.UnknownOutcome, "%d request(s) still have an unknown outcome", unknown).
					WithHint("see `bokuctl journal list --status unknown`; --reverse-unknown reverses Boku charges within the hour")
			case pending > 0:
				return exitcode.New(exitcode.Pending, "%d request(s) are still pending", pending).WithHint("run bokuctl reconcile again later")
			}
			return nil
		},
	}
	cmd.Flags().Var(&since, "since", "only rows this recent: 7d, 36h, 90m (0: all)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "ask the providers, but record nothing")
	cmd.Flags().BoolVar(&reverseUnknown, "reverse-unknown", false, "reverse Boku charges still unknown inside the one-hour window")
	return cmd
}

// settle asks the provider about one row by running the read-only bokuctl
// command that answers it, in-process, with the row's profile.
func settle(cmd *cobra.Command, f *cmdutil.Factory, e journal.Entry, row *reconcileRow) journal.Outcome {
	keep := journal.Outcome{Status: e.Status, Reason: e.Reason, Result: e.Result, SettleCmd: e.SettleCmd}
	if e.ExitCode != nil {
		keep.ExitCode = *e.ExitCode
	}
	var query []string
	switch {
	case e.Provider == "boku" && (e.Operation == "charge" || e.Operation == "charge hosted"):
		query = []string{"charge", "status", "--merchant-request-id", e.Key}
	case e.Provider == "boku" && e.Operation == "charge reverse":
		query = []string{"charge", "status", "--merchant-request-id", strings.TrimPrefix(e.Key, "reverse:")}
	case e.Provider == "boku" && e.Operation == "refund":
		query = []string{"refund", "status", "--merchant-refund-id", e.Key}
	case e.Provider == "boku" && e.Operation == "optin begin":
		query = []string{"optin", "status", "--optin-request-id", e.Key}
	case e.Provider == "worldline" && strings.HasPrefix(e.Operation, "charge ") && e.Targets["args"] != "":
		query = []string{"--provider", "worldline", "charge", "status", e.Targets["args"], "--operations"}
	default:
		row.Detail = "no query answers this operation"
		if e.Provider == "worldline" {
			row.Detail = "Worldline has no lookup by operation id: undo it with `bokuctl operation reverse " + e.Key + " --reason TIMEOUT_WAITING_RESPONSE`"
		}
		return keep
	}
	code, out := runQuiet(cmd, f, e.Profile, query)
	outcome := journal.Outcome{ExitCode: code, Result: strings.TrimSpace(out), Reason: "reconciled with `bokuctl " + strings.Join(query, " ") + "`"}
	switch {
	case e.Operation == "charge reverse":
		if code == 0 && strings.Contains(out, `"reversal_id"`) {
			outcome.Status, row.Detail = journal.StatusOK, "Boku shows the reversal"
			return outcome
		}
		row.Detail = "no reversal shown yet"
		return keep
	case strings.HasPrefix(e.Operation, "charge ") && e.Provider == "worldline":
		if code == 0 && strings.Contains(out, e.Key) {
			outcome.Status, row.Detail = journal.StatusOK, "the payment lists the operation"
			return outcome
		}
		row.Detail = "the payment does not list the operation"
		return keep
	}
	switch exitcode.Code(code) {
	case exitcode.OK:
		outcome.Status, row.Detail = journal.StatusOK, "done at the provider"
	case exitcode.Pending:
		outcome.Status, row.Detail = journal.StatusPending, "still in progress"
	case exitcode.Declined:
		outcome.Status, row.Detail = journal.StatusFailed, "failed at the provider"
	case exitcode.Usage:
		// Boku found nothing under the key: the request never arrived,
		// as long as Boku still keeps keys that old (24 hours).
		if time.Since(e.Time) < 24*time.Hour {
			outcome.Status, row.Detail = journal.StatusFailed, "the provider has no such request: it was not processed"
		} else {
			row.Detail = "not found, but older than the 24 hours Boku keeps request ids"
			return keep
		}
	default:
		row.Detail = fmt.Sprintf("could not ask (exit %d)", code)
		return keep
	}
	return outcome
}

// runQuiet runs one bokuctl command in-process with JSON output and
// returns its exit code and stdout; its stderr is dropped.
func runQuiet(cmd *cobra.Command, f *cmdutil.Factory, profile string, args []string) (int, string) {
	var stdout bytes.Buffer
	ios := &output.IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: io.Discard}
	full := append([]string{"-o", "json"}, args...)
	if file, err := f.Config(); err == nil && profile != "" {
		if _, ok := file.Profiles[profile]; ok {
			full = append([]string{"-p", profile}, full...)
		}
	}
	code := Run(cmd.Context(), ios, f.Getenv, full)
	var compact bytes.Buffer
	if json.Compact(&compact, stdout.Bytes()) == nil {
		return code, compact.String()
	}
	return code, stdout.String()
}
