package cmdutil

import (
	"errors"
	"net/http"
	"sync"
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
