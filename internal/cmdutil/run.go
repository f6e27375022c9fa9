package cmdutil

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/money"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// Run is what one invocation (a command line, one row of a batch, one
// question reconcile asks) knows about itself. The Factory holds the
// dependencies; everything that must not leak from one run to the next is
// here, behind the one pointer a row or a follow-up replaces.
type Run struct {
	// Provider is the provider a payment verb chose for this run (see
	// provider.Verb.Run), "" before one did.
	Provider string
	// Operation names the run in the journal when no command line does
	// (a follow-up reconcile sends): "charge reverse".
	Operation string
	// Batch and BatchLine name the batch row this run is; DefaultKey,
	// when set, is its idempotency key unless the row gives its own.
	Batch      string
	BatchLine  int
	DefaultKey string
	// Args are the command's arguments when no command line parsed them
	// (a batch row's payment_id column): the journal's "args" target.
	Args []string
	// Flags are the flags a batch row gave (its columns, by flag name)
	// when no command line parsed them: the journal row's amount,
	// currency and targets, as a command line's flags are.
	Flags map[string]string

	confirm *confirmation
	sent    bool
	// validateOnly stops the run at Announce: every input was checked,
	// nothing is sent (batch validation).
	validateOnly bool
	validatedKey string
	validated    Intent

	key     string // the journal row's key ("" before Announce)
	attempt int
	follows string
	settles string
	result  []byte
	value   any
}

// Intent is a request about to become irrevocable, as its handler
// describes it to Announce.
type Intent struct {
	// Provider is who the request goes to.
	Provider string
	// Key is the idempotency key the user gave ("" for the run's default
	// or a new UUID); Flag is the flag that gives it, Label how the
	// notice names it ("Merchant request ID").
	Key, Flag, Label string
	// Reuses says Key is another request's (a Boku reversal names the
	// charge's merchant request id): no new-key notice, and the journal
	// row is keyed Prefix+Key.
	Reuses bool
	Prefix string
	// Amount is what the request moves, when it moves an amount.
	Amount *money.Amount
	// Targets are the ids the request acts on (charge_id, payment_id),
	// added to the row's flags.
	Targets map[string]string
	// Follows is the journal key of the row this request acts on; when
	// this one ends ok, that row becomes Settles (reversed, ok).
	Follows, Settles string
}

// NewRun returns a fresh run with no state: what a batch row or a
// follow-up gets instead of its parent's.
func NewRun() *Run { return &Run{} }

// WithRun returns a copy of f that shares every dependency (config,
// settings, secret store, journal, HTTP transports, batch Shared) and has
// run r, streams ios and a JSON printer of its own. Only these overrides
// are written down: a dependency added to the Factory later is inherited
// (TestWithRunClassifiesEveryField keeps this list honest).
func (f *Factory) WithRun(r *Run, ios *output.IOStreams) (*Factory, error) {
	if _, err := f.Settings(); err != nil {
		return nil, err
	}
	f.SecretStore()
	c := *f
	c.Run = r
	c.IO = ios
	c.Output, c.NoColor, c.JQ, c.JSONFields, c.Template = "json", true, "", "", ""
	printer, err := output.NewPrinter(ios, output.FormatJSON, "")
	if err != nil {
		return nil, err
	}
	c.Printer = printer
	printer.Recorder = c.RecordResult
	return &c, nil
}

// ForBatchRow returns the Factory of one row of a batch: its own run (keyed
// by batch and line), streams and printer; shared carries the sessions
// and connections of the batch; validate makes it a validation run.
func (f *Factory) ForBatchRow(ios *output.IOStreams, shared *Shared, validate bool, batch string, line int, defaultKey string) (*Factory, error) {
	r := NewRun()
	r.validateOnly = validate
	r.Batch, r.BatchLine, r.DefaultKey = batch, line, defaultKey
	c, err := f.WithRun(r, ios)
	if err != nil {
		return nil, err
	}
	c.shared = shared
	// The batch prints the row's result in its own line, from the record.
	c.Printer.RecordOnly = true
	return c, nil
}

// ForProfile returns a quiet Factory for a question about (or a
// follow-up to) a journal row of profile: the row's profile when the
// config still has it, else the current one, as the row was sent. Its
// output is JSON to out; its stderr is dropped.
func (f *Factory) ForProfile(profile, operation string, ios *output.IOStreams) (*Factory, error) {
	c := *f
	if file, err := f.Config(); err == nil && profile != "" {
		if _, ok := file.Profiles[profile]; ok && profile != f.settingsProfile() {
			c.ProfileFlag, c.settings = profile, nil
		}
	}
	r := NewRun()
	r.Operation = operation
	return c.WithRun(r, ios)
}

func (f *Factory) settingsProfile() string {
	if f.settings != nil {
		return f.settings.Profile
	}
	name, _, _ := f.ProfileName()
	return name
}

// Announce is the one place where a request becomes irrevocable. In this
// order it: checks the idempotency key (or makes one), stops a validation
// pass (ErrValidated), asks the pending confirmation, prints the key,
// writes the journal intent and marks the run sent. It returns the key
// the request must carry.
func (f *Factory) Announce(ctx context.Context, in Intent) (string, error) {
	r := f.Run
	key := in.Key
	switch {
	case key != "":
		if !ValidKey(key) {
			return "", exitcode.New(exitcode.Usage, "--%s %s: use 1 to 64 letters, digits or . _ : -", in.Flag, QuoteValue(key))
		}
	case r.DefaultKey != "":
		key = r.DefaultKey
	default:
		key = uuid.NewString()
	}
	rowKey := in.Prefix + key
	if r.validateOnly {
		r.validatedKey, r.validated = rowKey, in
		return "", ErrValidated
	}
	if f.DryRun {
		// Nothing will be sent: no question, no journal row, not sent.
		log := f.dryRunLog()
		log.mu.Lock()
		log.key = key
		if log.provider == "" {
			log.provider = in.Provider
		}
		log.mu.Unlock()
		if !in.Reuses {
			f.Printer.Notice("Dry run: %s %s (give it with --%s to send this request)", in.Label, key, in.Flag)
		}
		return key, nil
	}
	ctx = contextOr(ctx, f)
	if err := f.confirmProduction(ctx); err != nil {
		return "", err
	}
	if err := f.confirmSend(); err != nil {
		return "", err
	}
	if !in.Reuses {
		f.Printer.Notice("%s: %s (reuse it with --%s to retry safely)", in.Label, key, in.Flag)
	}
	f.Printer.IdempotencyKey = key
	if err := f.recordIntent(ctx, rowKey, in); err != nil {
		return "", err
	}
	f.markSent(rowKey)
	return key, nil
}

// contextOr is ctx, or the command's context when ctx is nil.
func contextOr(ctx context.Context, f *Factory) context.Context {
	if ctx != nil {
		return ctx
	}
	if f.Command != nil && f.Command.Context() != nil {
		return f.Command.Context()
	}
	return context.Background()
}

// ValidatedKey is the journal key a validation run stopped at.
func (r *Run) ValidatedKey() string { return r.validatedKey }

// Validated is the intent a validation run stopped at.
func (r *Run) Validated() Intent { return r.validated }

// Key is the journal key this run recorded ("" before Announce).
func (r *Run) Key() string { return r.key }

// Attempt is which attempt under its key this run is (1 for the first
// time the key is sent; 0 before Announce).
func (r *Run) Attempt() int { return r.attempt }

// SentBefore reports whether the journal had already sent this run's key:
// a provider's answer may then be a replay of the first one.
func (r *Run) SentBefore() bool { return r.attempt > 1 }

// Sent reports whether this run announced a request that changes state:
// from then on the outcome decides the exit code, not an output error.
func (r *Run) Sent() bool { return r.sent }

// Result is the last result the run printed, as compact JSON, and as the
// value it was printed from.
func (r *Run) Result() ([]byte, any) { return r.result, r.value }

// Made is what a result names: the id of what the request made or acted
// on, and the amount and currency it moved ("" when it names none).
// Batch output and the journal read these instead of decoding JSON.
type Made interface {
	Made() (id, amount, currency string)
}

// FollowUp is a result that decides itself what the row it follows
// becomes (a Worldline technical reversal that Worldline says referenced
// nothing: the original was never processed).
type FollowUp interface {
	FollowUpStatus() string
}

// Finish records the run's outcome on its journal row, from the error the
// run ends with, and returns the outcome. It leaves the journal open.
func (f *Factory) Finish(err error) journal.Outcome {
	r := f.Run
	o := outcomeOf(err)
	o.Result = string(r.result)
	if m, ok := r.value.(Made); ok {
		o.MadeID, _, _ = m.Made()
	}
	if fu, ok := r.value.(FollowUp); ok && o.Status == journal.StatusOK {
		o.Settles = fu.FollowUpStatus()
	}
	if f.journal == nil || r.key == "" {
		return o
	}
	if ferr := f.journal.Finish(context.Background(), r.key, r.attempt, o); ferr != nil {
		o.Reason = fmt.Sprintf("%s (the outcome could not be written to the journal: %v)", o.Reason, ferr)
		if f.Printer != nil {
			f.Printer.Notice("Warning: the outcome could not be written to the journal: %v", ferr)
		}
	}
	return o
}

// CloseJournal closes the journal this run opened; when the process ends
// right after the run (ProcessEnds), it leaves it (journal.Leave: no
// checkpoint, the next command recovers the WAL).
func (f *Factory) CloseJournal() {
	if f.journal == nil {
		return
	}
	if f.ProcessEnds {
		journal.Leave(f.journal)
		return
	}
	f.journal.Close()
}
