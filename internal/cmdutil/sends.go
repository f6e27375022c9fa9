package cmdutil

import (
	"context"
	"os"
	"slices"
	"sync"
)

// Sends is what a process knows, for a signal that stops it, of the
// requests that change state its runs sent: their idempotency keys, and
// the signal that came after one of them. Every run of the process shares
// it (the rows of a batch too), since the exit status is the process's.
// The zero value is ready; a nil *Sends records nothing.
type Sends struct {
	mu     sync.Mutex
	keys   []string
	direct bool // a run sent a request itself, not only as a batch row
	// unjournaled are the keys sent without a journal row.
	unjournaled map[string]bool
	stop        os.Signal
	// stopKeys and stopDirect are keys and direct when stop came.
	stopKeys   []string
	stopDirect bool
}

// SentState is what had been sent when a signal came.
type SentState struct {
	// Signal is the first signal that came after a request was sent (nil
	// when none did).
	Signal os.Signal
	// Keys are the idempotency keys sent by then, oldest first.
	Keys []string
	// Direct reports that a run sent one itself; otherwise every key is
	// a batch row's, and the batch handles Ctrl-C and SIGTERM itself.
	Direct bool
}

type sendsKey struct{}

// WithSends returns ctx carrying s, for the Factory of every Run under it.
func WithSends(ctx context.Context, s *Sends) context.Context {
	return context.WithValue(ctx, sendsKey{}, s)
}

// SendsFrom is the Sends ctx carries, or nil.
func SendsFrom(ctx context.Context) *Sends {
	s, _ := ctx.Value(sendsKey{}).(*Sends)
	return s
}

// note records that the request with key is about to be sent. It waits
// while a signal is being handled (see Signal), so that a request never
// leaves after the process said that nothing was sent.
func (s *Sends) note(key string, batchRow, journaled bool) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, key)
	if !batchRow {
		s.direct = true
	}
	if !journaled {
		if s.unjournaled == nil {
			s.unjournaled = map[string]bool{}
		}
		s.unjournaled[key] = true
	}
}

// Journaled reports whether the request with key has a journal row, so
// that bokuctl reconcile can settle it.
func (s *Sends) Journaled(key string) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.unjournaled[key]
}

// Signal handles sig: when nothing was sent yet, it calls nothingSent
// with the record locked, so that no request can start meanwhile (and
// none does if nothingSent ends the process), and returns a zero
// SentState. Otherwise it keeps sig as the stop signal, if it is the
// first since a send, and returns what was sent.
func (s *Sends) Signal(sig os.Signal, nothingSent func()) SentState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.keys) == 0 {
		nothingSent()
		return SentState{}
	}
	if s.stop == nil {
		s.stop, s.stopKeys, s.stopDirect = sig, slices.Clone(s.keys), s.direct
	}
	return SentState{Signal: sig, Keys: slices.Clone(s.keys), Direct: s.direct}
}

// Stopped is the state when the first signal after a send came, or a
// zero SentState when none did.
func (s *Sends) Stopped() SentState {
	if s == nil {
		return SentState{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return SentState{Signal: s.stop, Keys: slices.Clone(s.stopKeys), Direct: s.stopDirect}
}
