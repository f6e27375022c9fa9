package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// Shared is what the rows of one batch share, so that a thousand rows cost
// one configuration, one secret lookup, one OAuth token and a pool of
// reused connections rather than a thousand of each.
type Shared struct {
	mu        sync.Mutex
	values    map[string]any
	transport http.RoundTripper
}

// NewShared returns the shared state of a batch pass. transport is the
// HTTP transport every row uses.
func NewShared(transport http.RoundTripper) *Shared {
	return &Shared{values: map[string]any{}, transport: transport}
}

// Memo returns the value built under key by the first caller in this
// batch; without a batch it just builds. Errors are not kept.
func Memo[T any](f *Factory, key string, build func() (T, error)) (T, error) {
	if f.shared == nil {
		return build()
	}
	f.shared.mu.Lock()
	defer f.shared.mu.Unlock()
	if v, ok := f.shared.values[key]; ok {
		return v.(T), nil
	}
	v, err := build()
	if err == nil {
		f.shared.values[key] = v
	}
	return v, err
}

// ErrValidated stops a row of a validation pass at its idempotency key:
// every input was checked and nothing was sent.
var ErrValidated = errors.New("validated; not sent")

// ErrNoNetworkInValidation is what a validation pass's transport answers:
// checking a row must not need the provider.
var ErrNoNetworkInValidation = errors.New("checking this row needs the provider; give every column the row needs (e.g. currency with amount)")

// RefusingTransport is the transport of a validation pass.
type RefusingTransport struct{}

// RoundTrip refuses.
func (RefusingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, ErrNoNetworkInValidation
}

// ForRow returns the Factory for one row of a batch: the same settings,
// secret store, journal and shared state, its own streams, printer and
// journal row. validate makes it a validation run (see ErrValidated).
func (f *Factory) ForRow(ios *output.IOStreams, shared *Shared, validate bool) (*Factory, error) {
	if _, err := f.Settings(); err != nil {
		return nil, err
	}
	row := &Factory{
		IO: ios, Getenv: f.Getenv,
		ProfileFlag: f.ProfileFlag, ConfigFlag: f.ConfigFlag, Output: "json", NoColor: true,
		Timeout: f.Timeout, ProviderFlag: f.ProviderFlag, NoJournal: f.NoJournal,
		config: f.config, settings: f.settings, store: f.SecretStore(),
		shared: shared, validateOnly: validate, Sends: f.Sends,
	}
	printer, err := output.NewPrinter(ios, output.FormatJSON, "")
	if err != nil {
		return nil, err
	}
	row.Printer = printer
	if f.journal != nil && f.journal.store != nil {
		row.journal = &journalRun{store: f.journal.store}
	}
	return row, nil
}

// SetJournal makes store this run's journal (a batch's journal.Group).
func (f *Factory) SetJournal(store journal.Store) {
	if f.journal == nil {
		f.journal = &journalRun{}
	}
	f.journal.store = store
}

// ValidatedKey is the idempotency key a validation run stopped at.
func (f *Factory) ValidatedKey() string { return f.validatedKey }

// FinishRow records a batch row's outcome on its journal row, leaving the
// shared journal open, and returns the outcome.
func (f *Factory) FinishRow(err error) journal.Outcome {
	o := outcomeOf(err)
	if f.journal == nil || f.journal.store == nil || f.journal.key == "" {
		return o
	}
	o.Result = string(f.journal.result)
	if ferr := f.journal.store.Finish(context.Background(), f.journal.key, o); ferr != nil {
		o.Reason = fmt.Sprintf("%s (the outcome could not be written to the journal: %v)", o.Reason, ferr)
	}
	return o
}

// JournalKey is the idempotency key this run journaled ("" before one).
func (f *Factory) JournalKey() string {
	if f.journal == nil {
		return ""
	}
	return f.journal.key
}
