// Package batch is `bokuctl batch`: one operation for every row of a file,
// each row run as the single command, validated first, journalled and
// resumable.
package batch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
	"golang.org/x/time/rate"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/atomicfile"
	"github.com/bokuctl/bokuctl/pkg/batchfile"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
)

type pflagFlag = pflag.Flag

// batchMemoryLimit is the Go heap's soft limit during a batch (GOMEMLIMIT
// overrides it).
const batchMemoryLimit = 40 << 20

// Options are what a batch command runs with: its dependencies, the
// operation, and its flags and argument.
type Options struct {
	Command   *cobra.Command
	Factory   *cmdutil.Factory
	Providers *provider.Registry
	// Operation is the single command each row runs ("refund", "charge
	// capture"); empty for resume until the batch is read.
	Operation string
	verb      batchVerb
	// BatchID is resume's argument.
	BatchID string

	Concurrency         int
	Rate                string
	DryRun, SkipInvalid bool
	Resume, Fresh, Yes  bool
	File                string
}

// NewCmd builds batch and its commands, one per operation, and resume.
// runF, when not nil, is called with the options in place of the run
// (tests).
func NewCmd(f *cmdutil.Factory, providers *provider.Registry, runF func(*Options) error) *cobra.Command {
	cmd := cmdutil.GroupCmd("batch", "Run many refunds, charges, captures or reversals from a file: validated first, rate-limited, resumable")
	cmd.Long = `Run one operation for every row of a file, through the same code as the
single command: a CSV file with a header line, or JSON lines ("-" reads
stdin). Columns are named like the single command's flags, with
underscores (merchant_refund_id, amount, currency, reason, …), plus the
argument (charge_id or payment_id).

The whole file is checked before the first request (every bad row is
reported by line); nothing is sent while any row is invalid, unless
--skip-invalid. Each row's idempotency key is its own column when given,
otherwise the batch id and the line: running the batch again never moves
money twice. The batch and every row's intent and outcome are in the
journal; the same file run again is refused unless --resume (skip settled
rows, reconcile unknown ones, continue) or --new.

One result per row on stdout (text, -o json for JSON lines, -o csv), a
summary on stderr, a progress bar on a terminal. Exit code: the worst row
(5 > 1 > 4 > 6 > 3 > 2 > 8 > 0). Ctrl-C stops starting rows and finishes
those in flight; a second Ctrl-C exits at once.

--dry-run here validates the file: every row is checked and nothing is
built, signed or sent. A single command's --dry-run (bokuctl charge …
--dry-run) instead builds and signs its request and prints it.`
	cmd.Example = `  bokuctl batch refund refunds.csv --dry-run      # check every row, send nothing
  bokuctl batch refund refunds.csv --rate 50 --yes -o csv > results.csv
  bokuctl batch resume bt-k3j9x2m4qa --yes`
	columns := verbColumns(f)
	for _, v := range batchVerbs {
		cmd.AddCommand(newBatchVerbCmd(f, providers, v, columns[v.op], runF))
	}
	cmd.AddCommand(newBatchResumeCmd(f, providers, runF), newBatchListCmd(f), newBatchShowCmd(f))
	return cmd
}

func addBatchFlags(cmd *cobra.Command, o *Options) {
	cmd.Flags().IntVar(&o.Concurrency, "concurrency", 4, "rows in flight at once (1 to 64)")
	cmd.Flags().StringVar(&o.Rate, "rate", "", "at most this many requests per second, e.g. 50 or 50/s (default: no limit)")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "check every row and report the bad ones; send nothing (builds no request: unlike a single command's --dry-run, see docs/api.md)")
	cmd.Flags().BoolVar(&o.SkipInvalid, "skip-invalid", false, "send the valid rows even when some are invalid")
	cmdutil.AddYesFlag(cmd, &o.Yes)
}

func newBatchVerbCmd(f *cmdutil.Factory, providers *provider.Registry, v batchVerb, columns []string, runF func(*Options) error) *cobra.Command {
	o := &Options{Factory: f, Providers: providers, Operation: v.op, verb: v}
	name := strings.ReplaceAll(v.op, "charge ", "")
	if v.op == "charge" {
		name = "charge"
	}
	cmd := &cobra.Command{
		Use:   name + " FILE",
		Short: fmt.Sprintf("Run bokuctl %s for every row of FILE (CSV or JSON lines; - for stdin)", v.op),
		Long: fmt.Sprintf(`Run bokuctl %s for every row of FILE. Columns: %s.
See bokuctl batch --help for validation, keys, resume and exit codes.`, v.op, strings.Join(columns, ", ")),
		Example: batchExample(v),
		Args:    cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Command, o.File = cmd, args[0]
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	addBatchFlags(cmd, o)
	cmd.Flags().BoolVar(&o.Resume, "resume", false, "this file already ran: resume that batch")
	cmd.Flags().BoolVar(&o.Fresh, "new", false, "this file already ran: run it again as a new batch; rows without a key column get new keys (moves money again)")
	cmd.MarkFlagsMutuallyExclusive("resume", "new")
	return cmd
}

func batchExample(v batchVerb) string {
	switch v.op {
	case "refund":
		return `  bokuctl batch refund refunds.csv --dry-run
  bokuctl batch refund refunds.csv --rate 50 --yes -o csv > results.csv
  # refunds.csv:
  #   charge_id,amount,currency,reason
  #   ch-000003,1.50,GBP,goodwill`
	case "charge":
		return `  bokuctl batch charge charges.jsonl --concurrency 8 --yes
  # charges.jsonl: {"optin_id":"oi-000001","amount":"4.99","currency":"GBP","merchant_request_id":"order-1"}`
	}
	return fmt.Sprintf("  bokuctl --provider worldline batch %s ops.csv --yes   # columns: payment_id,amount,currency", strings.TrimPrefix(v.op, "charge "))
}

func newBatchResumeCmd(f *cmdutil.Factory, providers *provider.Registry, runF func(*Options) error) *cobra.Command {
	o := &Options{Factory: f, Providers: providers}
	cmd := &cobra.Command{
		Use:   "resume BATCH_ID",
		Short: "Resume a batch: skip settled rows, reconcile unknown ones, run the rest",
		Long: `Resume a batch from the copy of its file bokuctl kept: rows already settled
are skipped; rows whose outcome is unknown are asked about first (as
reconcile does) and sent again with the same key when the provider does
not have them or cannot say; pending rows are reported, not sent again;
rows refused because the provider was unavailable (exit 6) and rows never
sent are run. Off a terminal it needs --yes, as the batch did.`,
		Example: "  bokuctl batch resume bt-k3j9x2m4qa --yes",
		Args:    cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Command, o.BatchID = cmd, args[0]
			if runF != nil {
				return runF(o)
			}
			return Resume(o)
		},
	}
	addBatchFlags(cmd, o)
	return cmd
}

// Run runs o.Operation for every row of o.File.
func Run(o *Options) error {
	return runBatch(o.Command, o.Factory, o.Providers, o.verb, o, nil)
}

// Resume resumes the batch o.BatchID from the copy of its file.
func Resume(o *Options) error {
	cmd, f := o.Command, o.Factory
	store, err := cmdutil.OpenJournal(cmd, f)
	if err != nil {
		return err
	}
	b, err := store.GetBatch(cmd.Context(), o.BatchID)
	if errors.Is(err, journal.ErrNoBatch) {
		return exitcode.New(exitcode.Usage, "no batch %s in the journal", o.BatchID).WithHint("bokuctl journal list shows batch rows with -o json (field batch)")
	}
	if err != nil {
		return err
	}
	v, ok := lookupBatchVerb(b.Operation)
	if !ok {
		return exitcode.New(exitcode.Usage, "batch %s ran %q, which this bokuctl cannot run", b.ID, b.Operation)
	}
	if err := useBatchProfile(f, o.Providers, b); err != nil {
		return err
	}
	o.Operation, o.verb = v.op, v
	o.File, o.Resume = b.Copy, true
	return runBatch(cmd, f, o.Providers, v, o, b)
}

// useBatchProfile makes a resumed batch use the profile and provider it
// ran with.
func useBatchProfile(f *cmdutil.Factory, providers *provider.Registry, b *journal.Batch) error {
	if f.ProviderFlag.Changed && f.ProviderFlag.Value.String() != b.Provider {
		return exitcode.New(exitcode.Usage, "batch %s ran with provider %s, not %s", b.ID, b.Provider, f.ProviderFlag.Value.String())
	}
	if b.Merchant != "" {
		// The batch is its merchant's: on a team journal another operator
		// may resume it under their own name for that merchant, never
		// under a profile that acts for another one.
		if f.ProfileFlag == "" {
			if file, err := f.Config(); err == nil {
				if _, ok := file.Profiles[b.Profile]; ok {
					f.ProfileFlag = b.Profile
				}
			}
		}
		name, _, _ := f.ProfileName()
		if m := batchMerchant(f, providers, provider.Name(b.Provider), name); m != b.Merchant {
			return exitcode.New(exitcode.Usage, "batch %s ran for merchant %s (profile %q); profile %q acts for %s", b.ID, b.Merchant, b.Profile, name, merchantOrNone(m)).
				WithHint("resume it with a profile of merchant %s: -p PROFILE", b.Merchant)
		}
	} else {
		if f.ProfileFlag != "" && f.ProfileFlag != b.Profile {
			return exitcode.New(exitcode.Usage, "batch %s ran with profile %q, not %q", b.ID, b.Profile, f.ProfileFlag)
		}
		if file, err := f.Config(); err == nil {
			if _, ok := file.Profiles[b.Profile]; ok {
				f.ProfileFlag = b.Profile
			}
		}
	}
	if err := f.ProviderFlag.Value.Set(b.Provider); err != nil {
		return err
	}
	f.ProviderFlag.Changed = true
	return nil
}

// batchRun is one run of a batch.
type batchRun struct {
	f         *cmdutil.Factory
	providers *provider.Registry
	verb      *rowVerb
	id        string
	store     journal.Store
	resume    bool
	limiter   *rate.Limiter
	// pausedUntil (Unix nanoseconds) holds the workers back after a row
	// was answered "unavailable".
	pausedUntil atomic.Int64
}

func parseRate(s string) (*rate.Limiter, error) {
	if s == "" {
		return nil, nil
	}
	n, err := parsePositiveInt(strings.TrimSuffix(strings.TrimSpace(s), "/s"))
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, "invalid --rate %q: give requests per second, e.g. 50 or 50/s", s)
	}
	return rate.NewLimiter(rate.Limit(n), 1), nil
}

func parsePositiveInt(s string) (int, error) {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n <= 0 || fmt.Sprint(n) != s {
		return 0, errors.New("not a positive whole number")
	}
	return n, nil
}

// runBatch validates the file, records the batch, and runs its rows.
// resumed is the batch being resumed by id (nil for a file).
func runBatch(cmd *cobra.Command, f *cmdutil.Factory, providers *provider.Registry, v batchVerb, o *Options, resumed *journal.Batch) error {
	ctx := cmd.Context()
	// A batch of a million rows keeps 16 MB of key hashes alive and makes
	// much short-lived garbage: a soft limit makes the collector work
	// harder instead of letting the heap double (docs/batch.md, Memory).
	if debug.SetMemoryLimit(-1) == math.MaxInt64 {
		debug.SetMemoryLimit(batchMemoryLimit)
		// Under the limit, collect less often: a batch's garbage is
		// short-lived, and the limit bounds the heap anyway.
		if os.Getenv("GOGC") == "" {
			debug.SetGCPercent(400)
		}
	}
	if o.Concurrency < 1 || o.Concurrency > 64 {
		return exitcode.New(exitcode.Usage, "--concurrency must be from 1 to 64, got %d", o.Concurrency)
	}
	limiter, err := parseRate(o.Rate)
	if err != nil {
		return err
	}
	if f.JQ != "" || f.JSONFields != "" || f.Template != "" {
		return exitcode.New(exitcode.Usage, "--jq, --json and --template do not apply to batch output").WithHint("use -o json for JSON lines, and filter them with jq")
	}
	if _, err := f.Settings(); err != nil {
		return err
	}
	store, err := f.OpenJournal(ctx)
	if err != nil {
		return err
	}
	if store == nil {
		return exitcode.New(exitcode.Usage, "batch runs need the journal: it holds the batch, every row's outcome, and what resume needs").
			WithHint("unset BOKUCTL_JOURNAL=off / the journal setting, and drop --no-journal")
	}
	journalDir, _ := f.JournalDir()
	dir := filepath.Join(journalDir, "batches")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return exitcode.New(exitcode.Auth, "cannot keep the batch's file in %s: %v", dir, err)
	}
	if f.Debug && f.DebugOut == nil {
		f.DebugOut = &cmdutil.SyncWriter{W: f.IO.ErrOut} // the rows' --debug log, on the batch's stderr
	}
	b := &batchRun{f: f, providers: providers, verb: v.build(f), store: store, limiter: limiter, id: newBatchID()}
	if resumed != nil {
		b.id, b.resume = resumed.ID, true
	}
	what := o.File
	switch {
	case resumed != nil:
		what = fmt.Sprintf("%s (resumed from the copy kept in %s)", resumed.File, resumed.Copy)
	case what == "-":
		what = "stdin"
	}
	f.Printer.Notice("Batch %s: %s of %s", b.id, v.op, what)

	// 1. Validate every row while keeping a copy of the file and its digest.
	input, closeInput, err := openBatchInput(f, o.File)
	if err != nil {
		return err
	}
	defer closeInput()
	removeStaleSpools(dir)
	spool, err := os.CreateTemp(dir, fmt.Sprintf(".incoming-%d-*", os.Getpid()))
	if err != nil {
		return exitcode.New(exitcode.Auth, "cannot keep the batch's file in %s: %v", dir, err)
	}
	spoolPath := spool.Name()
	keep := false
	defer func() {
		if !keep {
			os.Remove(spoolPath)
		}
	}()
	digest := sha256.New()
	check, err := b.validate(ctx, io.TeeReader(input, io.MultiWriter(spool, digest)), o)
	if cerr := spool.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	sum := hex.EncodeToString(digest.Sum(nil))
	if resumed != nil && sum != resumed.Digest {
		return exitcode.New(exitcode.Usage, "the kept copy of batch %s (%s) has changed since it ran: nothing was sent", b.id, o.File)
	}
	f.Printer.Notice("Checked %d rows: %d valid, %d invalid.", check.rows, check.rows-check.invalid, check.invalid)
	if check.rows == 0 {
		return exitcode.New(exitcode.Usage, "%s has no rows: nothing to send", what)
	}
	if o.DryRun {
		f.Printer.Notice("Dry run: nothing was sent, and batch %s was not recorded.", b.id)
		if check.invalid > 0 {
			return exitcode.New(exitcode.Usage, "%d of %d rows are invalid (listed above)", check.invalid, check.rows)
		}
		return nil
	}
	if check.invalid > 0 && !o.SkipInvalid {
		return exitcode.New(exitcode.Usage, "%d of %d rows are invalid (listed above): nothing was sent", check.invalid, check.rows).
			WithHint("fix the lines named above, or pass --skip-invalid to send the valid rows")
	}
	if check.invalid == check.rows {
		return exitcode.New(exitcode.Usage, "no row of %s is valid: nothing was sent", what)
	}

	// 2. The same file again is a resume or, explicitly, a new batch.
	profile, _, _ := f.ProfileName()
	selected, err := provider.Selected(f)
	if err != nil {
		return err
	}
	if check.provider != "" {
		selected = provider.Name(check.provider)
	}
	// A batch is one file, operation and merchant: two operators whose
	// profiles have different names for one merchant account run it once.
	merchant := batchMerchant(f, providers, selected, profile)
	scope, label := journal.BatchScope(profile, merchant), batchLabel(v.op, profile, merchant)
	// One runner per file: the lock names the file, operation and profile,
	// so a second run of the same file waits for nobody and is refused.
	unlock, err := lockBatch(dir, sum, v.op, scope, label)
	if err != nil {
		return err
	}
	defer unlock()
	// And across machines, on a team journal (team.go).
	unlockTeam, err := lockTeamBatch(ctx, store, sum, v.op, scope, label)
	if err != nil {
		return err
	}
	defer unlockTeam()
	if resumed == nil {
		prior, err := store.FindBatch(ctx, sum, v.op, profile, merchant)
		switch {
		case err == nil && o.Resume:
			b.id, b.resume = prior.ID, true
			f.Printer.Notice("This file ran as batch %s on %s: resuming it.", prior.ID, prior.Time.Local().Format(time.DateTime))
			if err := useBatchProfile(f, providers, prior); err != nil {
				return err
			}
		case err == nil && !o.Fresh:
			return batchRanBefore(prior, b.id)
		case err != nil && !errors.Is(err, journal.ErrNoBatch):
			return err
		case errors.Is(err, journal.ErrNoBatch) && o.Resume:
			return exitcode.New(exitcode.Usage, "--resume: this file has not run before (profile %s, batch %s)", profile, v.op).WithHint("run it without --resume")
		}
	}

	// 3. Ask once for every row (and for production, when the rows'
	// sessions said it is: the answer covers every row).
	question := fmt.Sprintf("Send %d %s requests (batch %s, profile %s)?", check.rows-check.invalid, v.op, b.id, profile)
	target, production := f.ProductionTarget()
	if production {
		// The banner was printed when the rows were checked.
		question = fmt.Sprintf("Send %d %s requests (batch %s) to production (%s)?", check.rows-check.invalid, v.op, b.id, target)
	}
	if err := f.Confirm(ctx, o.Yes, "a batch run", question, ""); err != nil {
		return err
	}
	if production {
		f.ConfirmProduction()
	}
	source := spoolPath
	if !b.resume {
		ext := ".csv"
		if check.format == batchfile.JSONLines {
			ext = ".jsonl"
		}
		source = filepath.Join(dir, b.id+ext)
		if err := os.Rename(spoolPath, source); err != nil {
			return exitcode.New(exitcode.Auth, "cannot keep the batch's file: %v", err)
		}
		keep = true
		// The check above and this claim are one atomic step in the journal
		// too: of two runs that got here at once, one records the batch.
		prior, err := store.ClaimBatch(ctx, journal.Batch{ID: b.id, Time: time.Now(), Profile: profile, Merchant: merchant, Provider: string(selected), Operation: v.op,
			File: o.File, Digest: sum, Copy: source, Rows: check.rows}, o.Fresh)
		if err != nil {
			return exitcode.New(exitcode.Auth, "%v", err).WithHint("nothing was sent")
		}
		if prior != nil {
			os.Remove(source)
			return batchRanBefore(prior, b.id)
		}
	}
	return b.send(cmd, source, check.rows, o)
}

// openBatchInput opens FILE, or stdin for "-".
func openBatchInput(f *cmdutil.Factory, path string) (io.Reader, func(), error) {
	if path == "-" {
		if _, isTerminal := f.IO.StdinIsTerminal(); isTerminal {
			return nil, nil, exitcode.New(exitcode.Usage, "the batch file is read from stdin, which is a terminal").WithHint("pipe the file in, or name it")
		}
		return f.IO.In, func() {}, nil
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, nil, exitcode.New(exitcode.Usage, "cannot read the batch file: %v", err)
	}
	return file, func() { file.Close() }, nil
}

// checkResult is what validation found.
type checkResult struct {
	rows, invalid int
	format        batchfile.Format
	// provider is the one the rows chose (inferred per row as for the
	// single command).
	provider string
}

// validate checks every row through the single command, stopped at its
// idempotency key: nothing is sent and no provider is asked. It reports
// each bad row on stderr by line, and duplicate keys.
func (b *batchRun) validate(ctx context.Context, in io.Reader, o *Options) (checkResult, error) {
	var res checkResult
	reader, err := batchfile.NewReader(in)
	if err != nil {
		return res, lineErr(err)
	}
	res.format = reader.Format()
	shared := cmdutil.NewShared(cmdutil.RefusingTransport{})
	if header := reader.Header(); header != nil {
		for _, col := range header {
			if err := b.verb.checkColumn(col); err != nil {
				return res, exitcode.New(exitcode.Usage, "line 1: %v", err).
					WithHint("columns are named like the flags of bokuctl %s: %s", b.verb.op, strings.Join(b.verb.columns(), ", "))
			}
		}
	}
	// The keys rows give themselves are remembered as 64-bit hashes with
	// their line (16 bytes a row); keys derived from the batch id and the
	// line are unique by construction and not kept.
	type keyAt struct {
		hash uint64
		line int32
	}
	// 256 buckets by the hash's top byte: they grow in small steps, so
	// memory is the keys' 16 bytes a row without the doubling spikes of
	// one big slice.
	var buckets [256][]keyAt
	var hasher hash.Hash64 = fnv.New64a()
	for {
		row, err := reader.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var le *batchfile.LineError
		if errors.As(err, &le) {
			res.rows++
			res.invalid++
			b.f.Printer.Notice("line %d: %s", le.Line, le.Msg)
			continue
		}
		if err != nil {
			return res, exitcode.New(exitcode.Usage, "cannot read the batch file: %v", err)
		}
		if ctx.Err() != nil {
			return res, exitcode.New(exitcode.Canceled, "cancelled while checking the file (at line %d): nothing was sent", row.Line)
		}
		res.rows++
		r, rf := b.runRow(ctx, row, shared, true)
		if res.provider == "" && rf != nil && rf.Provider != "" {
			res.provider = rf.Provider
		}
		if r.Status == rowInvalid && exitcode.Of(r.err) == exitcode.Auth {
			// Not the row's fault: a missing secret or a broken setting
			// fails every row the same way. Say it once.
			return res, r.err
		}
		if r.Status == rowInvalid {
			res.invalid++
			b.f.Printer.Notice("line %d: %s", row.Line, r.Error)
			continue
		}
		if r.Key == batchKey(b.id, row.Line) {
			continue // derived from this batch's new id and the line: unique
		}
		hasher.Reset()
		hasher.Write([]byte(r.Key))
		h := hasher.Sum64()
		buckets[h>>56] = append(buckets[h>>56], keyAt{h, int32(row.Line)})
	}
	for _, keys := range buckets {
		slices.SortFunc(keys, func(a, c keyAt) int {
			switch {
			case a.hash < c.hash:
				return -1
			case a.hash > c.hash:
				return 1
			}
			return int(a.line - c.line)
		})
		for i := 1; i < len(keys); i++ {
			if keys[i].hash == keys[i-1].hash {
				res.invalid++
				b.f.Printer.Notice("line %d: its idempotency key is also the key of line %d: each row needs its own", keys[i].line, keys[i-1].line)
			}
		}
	}
	return res, nil
}

func lineErr(err error) error {
	var le *batchfile.LineError
	if errors.As(err, &le) {
		return exitcode.New(exitcode.Usage, "%v", le).WithHint("a batch file is CSV with a header line, or JSON lines")
	}
	return exitcode.New(exitcode.Usage, "cannot read the batch file: %v", err)
}

// send runs the rows of the kept file with the workers.
func (b *batchRun) send(cmd *cobra.Command, source string, total int, o *Options) error {
	f := b.f
	file, err := os.Open(source)
	if err != nil {
		return exitcode.New(exitcode.Auth, "cannot read the batch's kept file: %v", err)
	}
	defer file.Close()
	reader, err := batchfile.NewReader(file)
	if err != nil {
		return lineErr(err)
	}
	group := journal.NewGroup(b.store)
	f.SetJournal(group)
	shared := cmdutil.NewShared(cmdutil.NewTransport())

	// Requests already sent must finish even after Ctrl-C: the rows run on
	// a context that the first interrupt does not cancel.
	ctx := context.WithoutCancel(cmd.Context())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	var stopping atomic.Bool
	stopped := make(chan struct{})

	// A new batch writes its rows' intents ahead, a chunk in one
	// transaction, while the workers send the chunk before it (resume
	// asks about each row first, and writes each intent as it sends).
	chunk := 0
	if !b.resume {
		chunk = aheadChunk(o.Concurrency)
	}
	rows := make(chan batchfile.Row, o.Concurrency+chunk)
	results := make(chan rowResult, o.Concurrency)
	var inFlight atomic.Int64
	go func() {
		defer close(rows)
		ahead := b.aheadWriter(ctx, group)
		pending := make([]batchfile.Row, 0, max(chunk, 1))
		for !stopping.Load() {
			pending = pending[:0]
			for len(pending) < max(chunk, 1) {
				row, err := reader.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					var le *batchfile.LineError
					if errors.As(err, &le) {
						results <- rowResult{Line: le.Line, Status: rowInvalid, ExitCode: int(exitcode.Usage), Error: le.Msg}
					}
					continue
				}
				pending = append(pending, row)
			}
			if len(pending) == 0 {
				return
			}
			if chunk > 0 {
				ahead(pending)
			}
			for _, row := range pending {
				select {
				case rows <- row:
				case <-stopped:
					return
				}
			}
		}
	}()
	var workers sync.WaitGroup
	for range o.Concurrency {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for row := range rows {
				if stopping.Load() {
					continue
				}
				inFlight.Add(1)
				results <- b.runOne(ctx, row, shared)
				inFlight.Add(-1)
			}
		}()
	}
	go func() {
		workers.Wait()
		close(results)
	}()

	var bar *progressbar.ProgressBar
	if errFile, ok := f.IO.ErrOut.(*os.File); ok && term.IsTerminal(int(errFile.Fd())) {
		bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(errFile), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"), progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish(),
			progressbar.OptionSetDescription(b.id), progressbar.OptionThrottle(100*time.Millisecond))
	}
	out := newRowWriter(f.IO.Out, f.Output)
	summary := newBatchSummary()
	start := time.Now()
	var writeErr error
	resumeCmd := "bokuctl batch resume " + b.id
	if !f.CanPrompt() {
		// Off a terminal the resume cannot ask: the hint must work as printed.
		resumeCmd += " --yes"
	}
	for {
		select {
		case sig := <-signals:
			if stopping.Load() {
				// Second interrupt: out at once, without waiting for the rows
				// in flight; their journal rows stay "sent".
				if bar != nil {
					bar.Exit()
				}
				group.Close()
				return exitcode.New(exitcode.UnknownOutcome, "stopped at once (%v): %d rows in flight have an unknown outcome", sig, inFlight.Load()).
					WithHint("settle them and continue with: %s", resumeCmd)
			}
			stopping.Store(true)
			close(stopped)
			fmt.Fprintf(f.IO.ErrOut, "\nStopping: no new rows; finishing the %d in flight (Ctrl-C again to stop at once).\n", inFlight.Load())
			continue
		case r, ok := <-results:
			if !ok {
				goto done
			}
			summary.add(r)
			if bar != nil {
				bar.Add(1)
			}
			if err := out.write(r); err != nil && writeErr == nil {
				writeErr = err
				f.Printer.Notice("Warning: results cannot be written to stdout (%v); the batch goes on, and the journal has every row", err)
			}
		}
	}
done:
	if bar != nil {
		bar.Finish()
	}
	// Rows whose intent was written ahead but that were never sent (the
	// batch stopped first, or the row failed before sending) say so in
	// their history; they stay "sent", and resume asks the provider about
	// them, then sends them with their key.
	if notSent, err := group.NotSent(ctx); err == nil {
		for key, attempt := range notSent {
			group.Finish(ctx, key, attempt, journal.Outcome{Reason: "intent written ahead; not sent (the batch stopped, or the row failed before sending): " + resumeCmd + " sends it"})
		}
	}
	if err := group.Close(); err != nil {
		f.Printer.Notice("Warning: some outcomes could not be written to the journal: %v", err)
	}
	elapsed := time.Since(start)
	f.Printer.Notice("Batch %s: %s in %s (%.0f rows/s).", b.id, summary, elapsed.Round(time.Millisecond), float64(summary.rows)/max(elapsed.Seconds(), 1e-9))
	worst := summary.worst
	if stopping.Load() && summary.rows < total {
		worst = worse(worst, exitcode.Pending)
		return exitcode.New(worst, "interrupted after %d of %d rows", summary.rows, total).WithHint("continue with: %s", resumeCmd)
	}
	if worst == exitcode.OK {
		return nil
	}
	e := exitcode.New(worst, "not every row succeeded: %s", summary)
	switch worst {
	case exitcode.UnknownOutcome, exitcode.Pending:
		e.WithHint("settle them with: %s (or bokuctl reconcile)", resumeCmd)
	default:
		e.WithHint("bokuctl journal list -o json --jq '.entries[] | select(.batch == \"%s\" and .status != \"ok\")' lists them", b.id)
	}
	return e
}

// aheadChunk is how many rows' intents a batch at concurrency c writes
// ahead in one transaction: enough that one sync serves many rows, few
// enough that a batch killed leaves few rows "sent" that never left.
func aheadChunk(c int) int { return min(max(2*c, 8), 32) }

// aheadWriter returns what writes a chunk of rows' intents ahead: each row
// is checked as validation checks it (stopped at its idempotency key), and
// the intents of the valid ones are queued in group in one go. A row that
// is not valid, or whose intent cannot be had, is left to its own run.
func (b *batchRun) aheadWriter(ctx context.Context, group *journal.Group) func([]batchfile.Row) {
	shared := cmdutil.NewShared(cmdutil.RefusingTransport{})
	entries := make([]journal.Entry, 0, 32)
	return func(rows []batchfile.Row) {
		entries = entries[:0]
		for _, row := range rows {
			if e, ok := b.aheadEntry(ctx, row, shared); ok {
				entries = append(entries, e)
			}
		}
		if len(entries) > 0 {
			_ = group.Ahead(entries) // a closed group: each row's Begin says so
		}
	}
}

// aheadEntry is the intent row's run will write, from a validation run of
// it; ok is false when the row is not valid. A panic is the row's own run's
// to report.
func (b *batchRun) aheadEntry(ctx context.Context, row batchfile.Row, shared *cmdutil.Shared) (e journal.Entry, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	r, rf := b.runRow(ctx, row, shared, true)
	if r.Status == rowInvalid || rf == nil {
		return journal.Entry{}, false
	}
	return rf.ValidatedEntry()
}

// runOne runs one row of the send pass: on resume, a row the journal
// already settled is skipped, and an unsettled one is asked about first.
// A row answered "unavailable" is tried again, with the same key, after a
// pause.
func (b *batchRun) runOne(ctx context.Context, row batchfile.Row, shared *cmdutil.Shared) (res rowResult) {
	// A panic in one row must not take the batch down (the top-level
	// recover sees only the main goroutine): the row is reported as an
	// internal error, and as unknown when its intent was recorded, for
	// resume and reconcile to settle.
	defer func() {
		if r := recover(); r != nil {
			res = rowResult{Line: row.Line, Status: journal.StatusUnknown, ExitCode: int(exitcode.UnknownOutcome),
				Error: fmt.Sprintf("internal error: %v; the request may have been sent: settle with bokuctl batch resume %s", r, b.id)}
		}
	}()
	if b.resume {
		probe, _ := b.runRow(ctx, row, cmdutil.NewShared(cmdutil.RefusingTransport{}), true)
		if probe.Status == rowInvalid {
			return probe
		}
		if e, err := b.store.Get(ctx, probe.Key); err == nil {
			if r, settled := b.fromJournal(ctx, row, *e); settled {
				return r
			}
		}
	}
	for attempt := 0; ; attempt++ {
		b.waitOutPause()
		if b.limiter != nil {
			if err := b.limiter.Wait(ctx); err != nil {
				return b.failed(rowResult{Line: row.Line}, err)
			}
		}
		res, _ = b.runRow(ctx, row, shared, false)
		if res.ExitCode != int(exitcode.Unavailable) || attempt == 3 {
			return res
		}
		// The provider is down or limiting: every worker pauses, not just
		// this one, and the row is tried again with the same key.
		wait := time.Duration(1<<attempt) * 500 * time.Millisecond
		b.f.Printer.Notice("line %d: %s; pausing %s, then trying it again with the same key", row.Line, res.Error, wait)
		b.pause(wait)
	}
}

// pause holds every worker back for d from now (the longest pause wins).
func (b *batchRun) pause(d time.Duration) {
	until := time.Now().Add(d).UnixNano()
	for {
		cur := b.pausedUntil.Load()
		if cur >= until || b.pausedUntil.CompareAndSwap(cur, until) {
			return
		}
	}
}

func (b *batchRun) waitOutPause() {
	if wait := time.Until(time.Unix(0, b.pausedUntil.Load())); wait > 0 {
		time.Sleep(wait)
	}
}

// fromJournal is a resumed row the journal knows. Settled rows (ok,
// declined, reversed, and failed but for an unavailable provider) are
// reported as recorded. Unknown ones are asked about, as reconcile does:
// settled by the answer, or sent again with the same key when the
// provider does not have them or cannot say. Pending ones are reported.
// settled is false when the row must be sent (again).
func (b *batchRun) fromJournal(ctx context.Context, row batchfile.Row, e journal.Entry) (rowResult, bool) {
	res := rowResult{Line: row.Line, Key: e.Key, Status: e.Status, Resumed: true, Error: e.Reason}
	if e.ExitCode != nil {
		res.ExitCode = *e.ExitCode
	}
	switch e.Status {
	case journal.StatusFailed:
		if res.ExitCode == int(exitcode.Unavailable) {
			return res, false // the provider was down: try again, same key
		}
	case journal.StatusOK, journal.StatusDeclined, journal.StatusReversed:
	case journal.StatusPending:
		res.ExitCode = int(exitcode.Pending)
	case journal.StatusSent, journal.StatusUnknown:
		s := provider.Settlement{Keep: true, Detail: "no query answers this operation"}
		if p, ok := b.providers.Lookup(provider.Name(e.Provider)); ok {
			if settler, ok := p.(provider.Settler); ok {
				s = settler.Settle(ctx, b.f, e)
			}
		}
		if s.Keep || s.NotFound {
			// Still unknown, or it never reached the provider: send it
			// (again) with the same key, which cannot move money twice.
			return res, false
		}
		after, err := b.store.Record(ctx, e.Key, journal.KindReconcile, s.Outcome, journal.Event{})
		if err != nil {
			b.f.Printer.Notice("Warning: line %d: %v", row.Line, err)
			after = &e
			after.Status, after.Result = s.Outcome.Status, s.Outcome.Result
		}
		res.Status, res.ExitCode, res.Error, res.Note = after.Status, s.Outcome.ExitCode, "", "reconciled: "+s.Detail
		e.Result, e.MadeID = s.Outcome.Result, after.MadeID
		if after.Status == journal.StatusPending {
			res.ExitCode = int(exitcode.Pending)
		}
	default:
		return res, false
	}
	if e.Result != "" {
		res.Result = []byte(e.Result)
	}
	res.ID = e.MadeID
	res.Amount, res.Currency = e.Amount, e.Currency
	if res.Amount == "" {
		res.fill(row, nil)
	}
	return res, true
}

// batchRanBefore refuses a file that ran as batch prior; this run's id
// (printed first) names nothing in the journal.
func batchRanBefore(prior *journal.Batch, id string) error {
	return exitcode.New(exitcode.Usage, "this file already ran as batch %s on %s: nothing was sent, and this run (%s) was not recorded", prior.ID, prior.Time.Local().Format(time.DateTime), id).
		WithHint("resume it (settled rows are skipped): bokuctl batch resume %s --yes, or pass --resume; pass --new to run it again as a new batch, whose rows without a key column get new keys and move money again", prior.ID)
}

// lockBatch holds the lock of one file's batch (its digest, operation
// and scope: the merchant, or the profile) for the whole run, in the
// batches folder: a second run of the same file, here or in another
// process, is refused with who holds it. The kernel releases it if the
// process dies.
func lockBatch(dir, digest, op, scope, label string) (func(), error) {
	path := lockFile(dir, digest, op, scope)
	host, _ := os.Hostname()
	holder := fmt.Sprintf("pid %d on %s since %s", os.Getpid(), host, time.Now().Format(time.DateTime))
	unlock, held, err := atomicfile.TryLock(path, holder)
	if errors.Is(err, atomicfile.ErrHeld) {
		if held == "" {
			held = "another bokuctl"
		}
		return nil, exitcode.New(exitcode.Usage, "this file's batch (%s) is running now: %s; nothing was sent", label, held).
			WithHint("wait for it to finish, then resume it if needed: bokuctl batch resume BATCH_ID --yes")
	}
	if err != nil {
		return nil, exitcode.New(exitcode.Auth, "%v", err).WithHint("nothing was sent")
	}
	return unlock, nil
}

// batchMerchant is the merchant account the named profile acts for with
// provider selected, as the provider names it ("" when it does not say).
// It reads the profile's settings without keeping them as the run's.
func batchMerchant(f *cmdutil.Factory, providers *provider.Registry, selected provider.Name, profile string) string {
	p, ok := providers.Lookup(selected)
	if !ok || p.Describe().Merchant == nil {
		return ""
	}
	file, err := f.Config()
	if err != nil {
		return ""
	}
	settings, err := f.SettingsFor(file, profile)
	if err != nil {
		return ""
	}
	return p.Describe().Merchant(settings.Get)
}

func merchantOrNone(m string) string {
	if m == "" {
		return "no merchant it names"
	}
	return "merchant " + m
}

// batchLabel names one file's batch in a refusal: its operation, profile
// and merchant.
func batchLabel(op, profile, merchant string) string {
	label := op + ", profile " + profile
	if merchant != "" {
		label += ", merchant " + merchant
	}
	return label
}

// lockID names the lock of one file's batch.
func lockID(digest, op, profile string) string {
	id := sha256.Sum256([]byte(digest + "\x00" + op + "\x00" + profile))
	return hex.EncodeToString(id[:8])
}

// removeStaleSpools removes the copies of batch files that a killed run
// left while reading them: ".incoming-PID-…" of a process that is gone.
func removeStaleSpools(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, ".incoming-*"))
	for _, name := range names {
		var pid int
		if _, err := fmt.Sscanf(filepath.Base(name), ".incoming-%d-", &pid); err != nil || !cmdutil.ProcessAlive(pid) {
			os.Remove(name)
		}
	}
}
