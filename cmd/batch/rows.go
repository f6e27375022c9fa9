package batch

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/cmd/charge"
	"github.com/bokuctl/bokuctl/cmd/refund"
	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/batchfile"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/money"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// batchVerb is one operation a batch runs: a row is one run of the single
// command's provider handler, given the row as its typed input.
type batchVerb struct {
	// op is the command path under bokuctl: "refund", "charge capture".
	op string
	// argColumns are the columns that give the command's one argument.
	argColumns []string
	// rows builds the single command (its flags name the columns) and
	// its verb (which runs a row as Go), once a batch.
	rows func(*cmdutil.Factory) (*cobra.Command, *provider.Verb)
}

var batchVerbs = []batchVerb{
	{op: "refund", argColumns: []string{"charge_id", "payment_id"}, rows: refund.Rows},
	{op: "charge", rows: func(f *cmdutil.Factory) (*cobra.Command, *provider.Verb) { return charge.Rows(f, "") }},
	{op: "charge capture", argColumns: []string{"payment_id"}, rows: func(f *cmdutil.Factory) (*cobra.Command, *provider.Verb) { return charge.Rows(f, "capture") }},
	{op: "charge reverse", argColumns: []string{"payment_id"}, rows: func(f *cmdutil.Factory) (*cobra.Command, *provider.Verb) { return charge.Rows(f, "reverse") }},
}

func lookupBatchVerb(op string) (batchVerb, bool) {
	for _, v := range batchVerbs {
		if v.op == op {
			return v, true
		}
	}
	return batchVerb{}, false
}

// rowVerb is a verb built for one batch: its single command, whose flags
// name the columns, and the provider.Verb that runs each row. No row
// builds or runs a command: each becomes a fresh typed input of the
// provider's handler (provider.Verb.Prepare), run with the row's own
// Factory.
type rowVerb struct {
	batchVerb
	cmd  *cobra.Command
	verb *provider.Verb
}

func (v batchVerb) build(f *cmdutil.Factory) *rowVerb {
	cmd, verb := v.rows(f)
	return &rowVerb{batchVerb: v, cmd: cmd, verb: verb}
}

// columns lists the columns a row may have: the argument columns and the
// command's flags, spelled with underscores.
func (v *rowVerb) columns() []string {
	cols := append([]string(nil), v.argColumns...)
	v.cmd.Flags().VisitAll(func(fl *pflagFlag) {
		if usableColumn(fl) {
			cols = append(cols, strings.ReplaceAll(fl.Name, "-", "_"))
		}
	})
	return cols
}

// verbColumns is the columns of every verb, by operation: every bokuctl
// start builds batch's help.
func verbColumns(f *cmdutil.Factory) map[string][]string {
	out := map[string][]string{}
	for _, v := range batchVerbs {
		out[v.op] = v.build(f).columns()
	}
	return out
}

// usableColumn: a batch answers --yes itself, and retired flags stay
// retired.
func usableColumn(fl *pflagFlag) bool {
	return fl.Name != "yes" && !fl.Hidden && fl.Deprecated == ""
}

// checkColumn says whether a column name means something for the verb.
func (v *rowVerb) checkColumn(col string) error {
	for _, a := range v.argColumns {
		if col == a {
			return nil
		}
	}
	if fl := v.cmd.Flags().Lookup(strings.ReplaceAll(col, "_", "-")); fl != nil && usableColumn(fl) {
		return nil
	}
	if !printable(col) {
		return fmt.Errorf("a column name holds control characters or bytes that are not UTF-8 (it starts %s): a batch file is CSV or JSON lines", cmdutil.QuoteValue(col[:min(len(col), 8)]))
	}
	return fmt.Errorf("unknown column %s for batch %s", cmdutil.QuoteValue(col), v.op)
}

// prepare makes row the typed input of the provider's handler: each
// column checked against the command's flags, the argument column as the
// argument, the provider chosen as the single command chooses it. Nothing
// is sent.
func (v *rowVerb) prepare(rf *cmdutil.Factory, row batchfile.Row) (provider.Prepared, error) {
	cols := make([]string, 0, len(row.Fields))
	for col := range row.Fields {
		cols = append(cols, col)
	}
	sort.Strings(cols)
	var args []string
	var argCol string
	flags := make(map[string]string, len(row.Fields))
	for _, col := range cols {
		value := row.Fields[col]
		if err := v.checkColumn(col); err != nil {
			return provider.Prepared{}, exitcode.New(exitcode.Usage, "%v", err).WithHint("columns are named like the flags of bokuctl %s", v.op)
		}
		if isArgColumn(v.batchVerb, col) {
			if argCol != "" {
				return provider.Prepared{}, exitcode.New(exitcode.Usage, "give %s or %s, not both", argCol, col)
			}
			argCol, args = col, []string{value}
			continue
		}
		flags[strings.ReplaceAll(col, "_", "-")] = value
	}
	return v.verb.Prepare(rf, v.op, provider.Row{Args: args, Flags: flags})
}

// printable reports whether s is UTF-8 text without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func isArgColumn(v batchVerb, col string) bool {
	for _, a := range v.argColumns {
		if a == col {
			return true
		}
	}
	return false
}

// newBatchID is a batch's id: "bt-" and ten random base-32 characters.
func newBatchID() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "bt-" + string(b)
}

// batchKey is the idempotency key of a row that names none: the batch id
// and the line, so running the same batch again resends the same keys.
func batchKey(batchID string, line int) string {
	return fmt.Sprintf("%s-%06d", batchID, line)
}

// rowResult is the outcome of one row, as printed.
type rowResult struct {
	Line     int    `json:"line"`
	Key      string `json:"idempotency_key,omitempty"`
	Status   string `json:"status"`
	ExitCode int    `json:"exit_code"`
	ID       string `json:"id,omitempty"`
	Amount   string `json:"amount,omitempty"`
	Currency string `json:"currency,omitempty"`
	Error    string `json:"error,omitempty"`
	// Resumed rows come from the journal (Note says how it was settled).
	Resumed bool            `json:"from_journal,omitempty"`
	Note    string          `json:"note,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	// err is the row's error, for the batch to stop on one that is not
	// the row's fault (a missing secret, a broken config).
	err error
}

// Row statuses beyond the journal's.
const (
	rowInvalid = "invalid"
)

// fill takes the id, amount and currency of what the row made from the
// result the single command printed (cmdutil.Made), else the amount and
// currency from the row.
func (r *rowResult) fill(row batchfile.Row, value any) {
	if m, ok := value.(cmdutil.Made); ok {
		r.ID, r.Amount, r.Currency = m.Made()
	}
	if r.Amount == "" {
		r.Amount = row.Fields["amount"]
	}
	if r.Currency == "" {
		r.Currency = strings.ToUpper(row.Fields["currency"])
	}
}

// rowWriter prints one result per row as it finishes: JSON lines, CSV, or
// aligned text.
type rowWriter struct {
	out    io.Writer
	format string
	csv    *csv.Writer
	header bool
}

func newRowWriter(out io.Writer, format string) *rowWriter {
	w := &rowWriter{out: out, format: format}
	if format == "csv" {
		w.csv = csv.NewWriter(out)
	}
	return w
}

func (w *rowWriter) write(r rowResult) error {
	switch w.format {
	case "json":
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = w.out.Write(append(data, '\n'))
		return err
	case "csv":
		if !w.header {
			w.header = true
			w.csv.Write([]string{"line", "idempotency_key", "status", "exit_code", "id", "amount", "currency", "error"})
		}
		w.csv.Write([]string{strconv.Itoa(r.Line), r.Key, r.Status, strconv.Itoa(r.ExitCode), r.ID, r.Amount, r.Currency, r.Error})
		w.csv.Flush()
		return w.csv.Error()
	}
	if !w.header {
		w.header = true
		if _, err := fmt.Fprintf(w.out, "%-6s %-8s %-4s %-28s %-22s %-16s %s\n", "LINE", "STATUS", "EXIT", "IDEMPOTENCY KEY", "ID", "AMOUNT", "ERROR"); err != nil {
			return err
		}
	}
	amount := strings.TrimSpace(r.Amount + " " + r.Currency)
	line := fmt.Sprintf("%-6d %-8s %-4d %-28s %-22s %-16s %s", r.Line, r.Status, r.ExitCode, cmdutil.OrNone(r.Key), cmdutil.OrNone(r.ID),
		cmdutil.OrNone(amount), oneLine(r.Error))
	_, err := io.WriteString(w.out, strings.TrimRight(line, " ")+"\n")
	return err
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// exitRank orders exit codes for a batch's exit: the worst row decides.
// 5 > 1 > 4 > 6 > 3 > 2 > 8 > 0.
var exitRank = map[exitcode.Code]int{
	exitcode.OK: 0, exitcode.Pending: 1, exitcode.Usage: 2, exitcode.Declined: 3,
	exitcode.Unavailable: 4, exitcode.Auth: 5, exitcode.Unexpected: 6, exitcode.UnknownOutcome: 7,
}

func worse(a, b exitcode.Code) exitcode.Code {
	if exitRank[b] > exitRank[a] {
		return b
	}
	return a
}

// batchSummary counts the rows by status and totals what moved.
type batchSummary struct {
	rows     int
	byStatus map[string]int
	totals   map[string]int64 // minor units of ok rows, by currency
	unpriced int              // ok rows without an amount (a full refund Boku does not price)
	worst    exitcode.Code
}

func newBatchSummary() *batchSummary {
	return &batchSummary{byStatus: map[string]int{}, totals: map[string]int64{}}
}

func (s *batchSummary) add(r rowResult) {
	s.rows++
	s.byStatus[r.Status]++
	s.worst = worse(s.worst, exitcode.Code(r.ExitCode))
	if r.Status == journal.StatusOK {
		if amount, err := money.Parse(r.Amount, r.Currency); err == nil {
			s.totals[amount.Currency.Code] += amount.MinorUnits
		} else {
			s.unpriced++
		}
	}
}

func (s *batchSummary) String() string {
	var parts []string
	for _, st := range []string{journal.StatusOK, journal.StatusPending, journal.StatusDeclined, journal.StatusFailed, journal.StatusUnknown, journal.StatusSent, journal.StatusReversed, rowInvalid} {
		if n := s.byStatus[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	line := fmt.Sprintf("%d rows: %s", s.rows, strings.Join(parts, ", "))
	if len(s.totals) > 0 {
		codes := make([]string, 0, len(s.totals))
		for c := range s.totals {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		var totals []string
		for _, c := range codes {
			cur, _ := money.LookupCurrency(c)
			totals = append(totals, money.FormatMinor(s.totals[c], cur.Exponent)+" "+c)
		}
		line += ". Total of the ok rows: " + strings.Join(totals, ", ")
	}
	if s.unpriced > 0 {
		line += fmt.Sprintf(" (and %d ok rows whose answer names no amount)", s.unpriced)
	}
	return line
}

// runRow runs one row: its typed input, prepared from its columns, run
// by the provider's handler with a Factory of the row's own. With
// validate, it stops at the idempotency key (nothing is sent) and reports
// the key.
func (b *batchRun) runRow(ctx context.Context, row batchfile.Row, shared *cmdutil.Shared, validate bool) (rowResult, *cmdutil.Factory) {
	res := rowResult{Line: row.Line}
	var stdout, stderr bytes.Buffer
	ios := &output.IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}
	rf, err := b.f.ForBatchRow(ios, shared, validate, b.id, row.Line, batchKey(b.id, row.Line))
	if err != nil {
		return b.failed(res, err), nil
	}
	prepared, err := b.verb.prepare(rf, row)
	if err != nil {
		return b.failed(res, err), rf
	}
	// The row is no command line: not the batch's (whose Factory rf
	// copies), not the verb's. The journal row takes its operation,
	// argument and flags from the run instead.
	rf.Command = nil
	rf.Operation, rf.Args, rf.Flags = b.verb.op, prepared.Args(), prepared.Flags
	// No command line: a row skips cobra's Args, required-flag and
	// flag-group checks, and the handlers check their inputs themselves
	// (batch_input.txtar pins their messages).
	err = prepared.Run(ctx, rf)
	if validate {
		if errors.Is(err, cmdutil.ErrValidated) {
			res.Key, res.Status = rf.ValidatedKey(), "valid"
			return res, rf
		}
		if err == nil {
			err = exitcode.New(exitcode.Unexpected, "the row ran without reaching its idempotency key")
		}
		return b.failed(res, err), rf
	}
	outcome := rf.Finish(err)
	res.Key = rf.Key()
	res.Status, res.ExitCode = outcome.Status, outcome.ExitCode
	if err != nil {
		res.Error = err.Error()
		if hint := exitcode.HintOf(err); hint != "" {
			res.Error += " (" + hint + ")"
		}
	}
	if !rf.Sent() && err != nil {
		res.Status = rowInvalid // refused before anything was sent
		res.err = err
	}
	result, value := rf.Result()
	res.Result = result
	res.fill(row, value)
	return res, rf
}

// failed is a row that could not be run: bad input, nothing sent.
func (b *batchRun) failed(res rowResult, err error) rowResult {
	if errors.Is(err, cmdutil.ErrNoNetworkInValidation) {
		err = exitcode.New(exitcode.Usage, "%v", cmdutil.ErrNoNetworkInValidation)
	}
	res.Status = rowInvalid
	res.err = err
	res.ExitCode = int(exitcode.Of(err))
	if res.ExitCode == int(exitcode.Unexpected) || res.ExitCode == int(exitcode.UnknownOutcome) {
		res.ExitCode = int(exitcode.Usage)
	}
	res.Error = err.Error()
	if hint := exitcode.HintOf(err); hint != "" {
		res.Error += " (" + hint + ")"
	}
	return res
}
