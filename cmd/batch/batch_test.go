package batch

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/cmd/charge"
	"github.com/bokuctl/bokuctl/cmd/refund"
	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/cmdutil/cmdutiltest"
	"github.com/bokuctl/bokuctl/internal/provider"
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

// A row's columns become the handler's typed input: its flags by name,
// its argument, its provider; a column the command does not have, two
// arguments, a bad value or another provider's flag is refused.
func TestBatchRowBecomesTheInput(t *testing.T) {
	f, _ := cmdutiltest.Factory(t, nil)
	v, _ := lookupBatchVerb("refund")
	rv := v.build(f)
	p, err := rv.prepare(f, batchfile.Row{Line: 2, Fields: map[string]string{
		"charge_id": "ch-1", "amount": "1.50", "currency": "GBP", "reason": "goodwill", "merchant_refund_id": "rf-9", "notify": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if args := p.Args(); len(args) != 1 || args[0] != "ch-1" {
		t.Errorf("args = %q", args)
	}
	if p.Provider != "boku" {
		t.Errorf("provider %q, want the profile's (boku)", p.Provider)
	}
	want := map[string]string{"amount": "1.50", "currency": "GBP", "reason": "goodwill", "merchant-refund-id": "rf-9", "notify": "true"}
	if len(p.Flags) != len(want) {
		t.Errorf("flags %v, want %v", p.Flags, want)
	}
	for flag, value := range want {
		if p.Flags[flag] != value {
			t.Errorf("--%s = %q, want %q", flag, p.Flags[flag], value)
		}
	}
	for fields, want := range map[*map[string]string]string{
		{"charge_id": "ch-1", "payment_id": "p-1"}:           "give charge_id or payment_id, not both",
		{"charge_id": "ch-1", "yes": "true"}:                 `unknown column "yes"`,
		{"charge_id": "ch-1", "msisdn": "4477"}:              `unknown column "msisdn"`,
		{"charge_id": "ch-1", "notify": "maybe"}:             `column notify: invalid value "maybe"`,
		{"charge_id": "ch-1", "operation_id": "op-1"}:        "--operation-id does not apply to the boku provider",
		{"payment_id": "pay:ch:etu:x", "reason": "goodwill"}: "--reason does not apply to the worldline provider",
	} {
		if _, err := rv.prepare(f, batchfile.Row{Fields: *fields}); err == nil || !strings.Contains(err.Error(), want) || exitcode.Of(err) != exitcode.Usage {
			t.Errorf("%v: %v, want %q (exit 2)", *fields, err, want)
		}
	}
}

// Every row gets a fresh input: a flag the previous row set is not seen
// by the next (the command line's defaults apply), whichever verb.
func TestRowsDoNotShareInputs(t *testing.T) {
	f, _ := cmdutiltest.Factory(t, nil)
	for _, op := range []string{"refund", "charge", "charge capture", "charge reverse"} {
		v, _ := lookupBatchVerb(op)
		rv := v.build(f)
		fields := map[string]string{}
		for _, col := range rv.columns() {
			if isArgColumn(v, col) {
				continue
			}
			fl := rv.cmd.Flags().Lookup(strings.ReplaceAll(col, "_", "-"))
			if owner := rv.verb.FlagProvider(fl.Name); owner != "" && owner != "boku" {
				continue // another provider's flag is refused (above)
			}
			value := "x-1"
			if fl.Value.Type() == "bool" {
				value = "true"
				if fl.DefValue == "true" {
					value = "false"
				}
			}
			fields[col] = value
		}
		if _, err := rv.prepare(f, batchfile.Row{Line: 2, Fields: fields}); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		second, err := rv.prepare(f, batchfile.Row{Line: 3, Fields: map[string]string{}})
		if err != nil {
			t.Fatal(err)
		}
		if len(second.Flags) != 0 {
			t.Errorf("%s: the second row has flags %v, want none", op, second.Flags)
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

// What readying a row costs: its typed input prepared from its columns
// (the provider chosen, a fresh input filled by the flags' definitions).
func BenchmarkRowPrepare(b *testing.B) {
	f, _ := cmdutiltest.Factory(b, nil)
	row := batchfile.Row{Line: 2, Fields: map[string]string{"charge_id": "ch-1", "amount": "0.01", "currency": "GBP", "reason": "goodwill"}}
	for _, op := range []string{"refund", "charge"} {
		v, _ := lookupBatchVerb(op)
		rv := v.build(f)
		b.Run(op, func(b *testing.B) {
			for b.Loop() {
				rv.prepare(f, row)
			}
		})
	}
}

// The columns help lists are the flags of the single command a user
// runs, found in the whole command tree.
func TestVerbColumnsAreEachVerbs(t *testing.T) {
	f := cmdutil.NewFactory(nil, func(string) string { return "" })
	columns := verbColumns(f)
	root := &cobra.Command{Use: "bokuctl"}
	root.AddCommand(refund.NewCmd(f), charge.NewCmd(f))
	for _, v := range batchVerbs {
		cmd, _, err := root.Find(strings.Fields(v.op))
		if err != nil {
			t.Fatal(err)
		}
		want := append([]string(nil), v.argColumns...)
		cmd.Flags().VisitAll(func(fl *pflagFlag) {
			if usableColumn(fl) {
				want = append(want, strings.ReplaceAll(fl.Name, "-", "_"))
			}
		})
		if got := strings.Join(columns[v.op], ","); got != strings.Join(want, ",") || got == "" {
			t.Errorf("%s: columns %s, want %s", v.op, got, strings.Join(want, ","))
		}
		if got := v.build(f).cmd.CommandPath(); got != "charge "+strings.TrimPrefix(v.op, "charge ") && got != v.op {
			t.Errorf("%s: the verb's command path is %q", v.op, got)
		}
	}
}

// A row's input is its own: the key the previous row gave is not the next
// row's, which gets the batch's key for its line. (Were the inputs shared,
// the second row would carry the first row's key.)
func TestRowKeysAreTheirOwn(t *testing.T) {
	f, _ := cmdutiltest.Factory(t, map[string]string{"BOKUCTL_BOKU_MERCHANT_ID": "m-1", "BOKUCTL_BOKU_KEY_ID": "k-1",
		"BOKUCTL_BOKU_COUNTRY": "gb", "BOKUCTL_BOKU_KEY": "a-test-signing-key"})
	shared := cmdutil.NewShared(cmdutil.RefusingTransport{})
	for op, rows := range map[string][2]map[string]string{
		"refund": {
			{"charge_id": "ch-1", "reason": "goodwill", "amount": "1.00", "currency": "GBP", "merchant_refund_id": "first-key"},
			{"charge_id": "ch-2", "reason": "goodwill", "amount": "1.00", "currency": "GBP"},
		},
		"charge": {
			{"optin_id": "oi-1", "amount": "1.00", "currency": "GBP", "merchant_request_id": "first-key"},
			{"optin_id": "oi-1", "amount": "1.00", "currency": "GBP"},
		},
	} {
		v, _ := lookupBatchVerb(op)
		rv := v.build(f)
		// Both prepared before either runs, as rows in flight are.
		var prepared [2]provider.Prepared
		for i, fields := range rows {
			p, err := rv.prepare(f, batchfile.Row{Line: 2 + i, Fields: fields})
			if err != nil {
				t.Fatalf("%s: %v", op, err)
			}
			prepared[i] = p
		}
		for i, want := range []string{"first-key", batchKey("bt-test", 3)} {
			rf, err := f.ForBatchRow(f.IO, shared, true, "bt-test", 2+i, batchKey("bt-test", 2+i))
			if err != nil {
				t.Fatal(err)
			}
			if err := prepared[i].Run(t.Context(), rf); !errors.Is(err, cmdutil.ErrValidated) || rf.ValidatedKey() != want {
				t.Errorf("%s: row %d: %v, key %q, want key %q", op, i+1, err, rf.ValidatedKey(), want)
			}
		}
	}
}
