package batch

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/cmdutil/cmdutiltest"
	"github.com/bokuctl/bokuctl/internal/provider/all"
	"github.com/bokuctl/bokuctl/pkg/batchfile"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
)

func TestBatchKeys(t *testing.T) {
	id := newBatchID()
	if len(id) != 13 || !strings.HasPrefix(id, "bt-") {
		t.Fatalf("batch id %q", id)
	}
	if newBatchID() == id {
		t.Fatal("two batches got the same id")
	}
	key := batchKey(id, 42)
	if key != id+"-000042" || batchKey(id, 42) != key || batchKey(id, 43) == key {
		t.Fatalf("batchKey = %q: it must be the batch id and the line, the same every time", key)
	}
	// Every derived key is a valid idempotency key for every provider:
	// Boku's 50 characters, bokuctl's alphabet.
	for _, line := range []int{1, 999999, 12345678} {
		if k := batchKey(id, line); !cmdutil.ValidKey(k) || len(k) > 50 {
			t.Errorf("batchKey(%d) = %q is not a valid key", line, k)
		}
	}
}

func TestBatchExitIsTheWorstRow(t *testing.T) {
	// 5 > 1 > 4 > 6 > 3 > 2 > 8 > 0
	order := []exitcode.Code{exitcode.OK, exitcode.Pending, exitcode.Usage, exitcode.Declined, exitcode.Unavailable,
		exitcode.Auth, exitcode.Unexpected, exitcode.UnknownOutcome}
	for i, a := range order {
		for j, b := range order {
			want := a
			if j > i {
				want = b
			}
			if got := worse(a, b); got != want {
				t.Errorf("worse(%d, %d) = %d, want %d", a, b, got, want)
			}
		}
	}
}

func TestBatchSummaryTotalsExactly(t *testing.T) {
	s := newBatchSummary()
	for i := 0; i < 3; i++ {
		s.add(rowResult{Status: "ok", Amount: "0.10", Currency: "GBP"})
	}
	s.add(rowResult{Status: "ok", Amount: "1.005", Currency: "KWD"})
	s.add(rowResult{Status: "ok"}) // a full refund Boku does not price
	s.add(rowResult{Status: "failed", ExitCode: 3, Amount: "9.99", Currency: "GBP"})
	s.add(rowResult{Status: "unknown", ExitCode: 5, Amount: "1.00", Currency: "GBP"})
	want := "7 rows: 5 ok, 1 failed, 1 unknown. Total of the ok rows: 0.30 GBP, 1.005 KWD (and 1 ok rows whose answer names no amount)"
	if got := s.String(); got != want {
		t.Errorf("summary\n got %s\nwant %s", got, want)
	}
	if s.worst != exitcode.UnknownOutcome {
		t.Errorf("worst = %d, want 5", s.worst)
	}
}

func TestRowWriterCSV(t *testing.T) {
	var out bytes.Buffer
	w := newRowWriter(&out, "csv")
	w.write(rowResult{Line: 2, Key: "k-1", Status: "ok", ID: "rf-1", Amount: "1.00", Currency: "GBP"})
	w.write(rowResult{Line: 3, Key: "k-2", Status: "failed", ExitCode: 3, Error: `refund exceeds "the" amount, 146`})
	want := "line,idempotency_key,status,exit_code,id,amount,currency,error\n2,k-1,ok,0,rf-1,1.00,GBP,\n3,k-2,failed,3,,,,\"refund exceeds \"\"the\"\" amount, 146\"\n"
	if out.String() != want {
		t.Errorf("csv\n got %q\nwant %q", out.String(), want)
	}
}

// A row's columns become the single command's flags and argument; a
// column the command does not have, or two arguments, is refused.
func TestBatchRowBecomesTheCommand(t *testing.T) {
	f := cmdutil.NewFactory(nil, func(string) string { return "" })
	v, _ := lookupBatchVerb("refund")
	rc := v.newRowCommand(f)
	_, cmd, args, err := v.command(rc, f, batchfile.Row{Line: 2, Fields: map[string]string{
		"charge_id": "ch-1", "amount": "1.50", "currency": "GBP", "reason": "goodwill", "merchant_refund_id": "rf-9"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(args) != 1 || args[0] != "ch-1" {
		t.Errorf("args = %q", args)
	}
	for flag, want := range map[string]string{"amount": "1.50", "currency": "GBP", "reason": "goodwill", "merchant-refund-id": "rf-9", "yes": "true"} {
		if got := cmd.Flags().Lookup(flag).Value.String(); got != want {
			t.Errorf("--%s = %q, want %q", flag, got, want)
		}
	}
	if cmd.CommandPath() != "bokuctl refund" {
		t.Errorf("command path %q", cmd.CommandPath())
	}
	for fields, want := range map[*map[string]string]string{
		{"charge_id": "ch-1", "payment_id": "p-1"}: "give charge_id or payment_id, not both",
		{"charge_id": "ch-1", "yes": "true"}:       `unknown column "yes"`,
		{"charge_id": "ch-1", "msisdn": "4477"}:    `unknown column "msisdn"`,
		{"charge_id": "ch-1", "notify": "maybe"}:   `column notify: invalid value "maybe"`,
	} {
		if _, _, _, err := v.command(rc, f, batchfile.Row{Fields: *fields}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: %v, want %q", *fields, err, want)
		}
	}
	capture, _ := lookupBatchVerb("charge capture")
	if cmd := capture.build(f); cmd.CommandPath() != "bokuctl charge capture" {
		t.Errorf("capture path %q", cmd.CommandPath())
	}
}

// The command a worker reuses forgets the previous row: a flag the
// previous row set is back to its default, and the row runs with its own
// Factory (the command's closures see it).
func TestRowCommandForgetsThePreviousRow(t *testing.T) {
	for _, op := range []string{"refund", "charge", "charge capture", "charge reverse"} {
		v, _ := lookupBatchVerb(op)
		first := cmdutil.NewFactory(nil, func(string) string { return "" })
		rc := v.newRowCommand(first)
		// Every column the verb has, set to a value that differs from its default.
		fields := map[string]string{}
		for _, col := range v.columns(first) {
			if isArgColumn(v, col) {
				continue
			}
			fl := rc.cmd.Flags().Lookup(strings.ReplaceAll(col, "_", "-"))
			value := "x-1"
			if fl.Value.Type() == "bool" {
				value = "true"
				if fl.DefValue == "true" {
					value = "false"
				}
			}
			fields[col] = value
		}
		if _, _, _, err := v.command(rc, first, batchfile.Row{Line: 2, Fields: fields}); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		second := cmdutil.NewFactory(nil, func(string) string { return "" })
		second.Output = "second"
		rf, cmd, _, err := v.command(rc, second, batchfile.Row{Line: 3, Fields: map[string]string{}})
		if err != nil {
			t.Fatal(err)
		}
		if rf.Output != "second" || rf.Run != second.Run {
			t.Errorf("%s: the row runs with the previous row's Factory", op)
		}
		cmd.Flags().VisitAll(func(fl *pflagFlag) {
			if fl.Name == "yes" {
				return
			}
			if fl.Changed || fl.Value.String() != fl.DefValue {
				t.Errorf("%s: --%s = %q (changed %v) after a row without it, want its default %q", op, fl.Name, fl.Value.String(), fl.Changed, fl.DefValue)
			}
		})
		if fl := cmd.Flags().Lookup("yes"); fl != nil && fl.Value.String() != "true" {
			t.Errorf("%s: --yes = %s, want true", op, fl.Value.String())
		}
	}
}

// batchCmd is the batch command over f, its output silenced.
func batchCmd(f *cmdutil.Factory, runF func(*Options) error, args ...string) *cobra.Command {
	return cmdutiltest.Command(NewCmd(f, all.Registry(), runF), args...)
}

// A verb's flags and argument reach the options, with the operation.
func TestBatchFlagsBecomeOptions(t *testing.T) {
	f, _ := cmdutiltest.Factory(t, nil)
	var got *Options
	cmd := batchCmd(f, func(o *Options) error { got = o; return nil },
		"capture", "ops.csv", "--concurrency", "8", "--rate", "50/s", "--skip-invalid", "--new", "--yes")
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Operation != "charge capture" || got.File != "ops.csv" || got.Concurrency != 8 || got.Rate != "50/s" ||
		!got.SkipInvalid || !got.Fresh || got.Resume || !got.Yes || got.DryRun {
		t.Fatalf("options %+v", got)
	}
	got = nil
	if err := batchCmd(f, func(o *Options) error { got = o; return nil }, "resume", "bt-1", "--yes").Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.BatchID != "bt-1" || got.Concurrency != 4 || !got.Yes {
		t.Fatalf("resume options %+v", got)
	}
}

// --concurrency out of range is refused before the file is read: the
// file named does not exist, and the error is about the flag.
func TestBatchConcurrencyZeroRefusedBeforeTheFile(t *testing.T) {
	f, store := cmdutiltest.Factory(t, nil)
	missing := filepath.Join(t.TempDir(), "refunds.csv")
	for _, n := range []string{"0", "65"} {
		err := batchCmd(f, nil, "refund", missing, "--concurrency", n, "--yes").ExecuteContext(t.Context())
		if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "--concurrency must be from 1 to 64") {
			t.Errorf("--concurrency %s: %v, want the usage error about --concurrency", n, err)
		}
	}
	if batches, err := journal.List(t.Context(), store, journal.Filter{}); err != nil || len(batches) != 0 {
		t.Errorf("journal rows %v, %v: want none", batches, err)
	}
	// The same command with a valid concurrency reaches the file.
	err := batchCmd(f, nil, "refund", missing, "--concurrency", "1", "--yes").ExecuteContext(t.Context())
	if err == nil || !strings.Contains(err.Error(), "refunds.csv") {
		t.Errorf("--concurrency 1: %v, want an error naming the missing file", err)
	}
}

// What readying a row's command costs: building the noun's command tree
// (as every row did) against reusing the worker's command.
func BenchmarkRowCommand(b *testing.B) {
	f := cmdutil.NewFactory(nil, func(string) string { return "" })
	row := batchfile.Row{Line: 2, Fields: map[string]string{"charge_id": "ch-1", "amount": "0.01", "currency": "GBP", "reason": "goodwill"}}
	for _, op := range []string{"refund", "charge"} {
		v, _ := lookupBatchVerb(op)
		b.Run(op+"/build", func(b *testing.B) {
			for b.Loop() {
				v.command(v.newRowCommand(f), f, row)
			}
		})
		b.Run(op+"/reuse", func(b *testing.B) {
			rc := v.newRowCommand(f)
			for b.Loop() {
				v.command(rc, f, row)
			}
		})
	}
}

// The columns help lists, from one build of each noun, are those of the
// verb's own command.
func TestVerbColumnsAreEachVerbs(t *testing.T) {
	f := cmdutil.NewFactory(nil, func(string) string { return "" })
	columns := verbColumns(f)
	for _, v := range batchVerbs {
		if got, want := strings.Join(columns[v.op], ","), strings.Join(v.columns(f), ","); got != want || got == "" {
			t.Errorf("%s: columns %s, want %s", v.op, got, want)
		}
	}
}
