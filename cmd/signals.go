package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// signalGrace is how long a run stopped by a signal after it sent a
// request has to return once its context is cancelled, before the
// process exits 5 on its own.
const signalGrace = 2 * time.Second

// stopper handles the signals that stop bokuctl (stopSignals) for one
// process:
//
//   - before any request that changes state was sent, Ctrl-C and SIGTERM
//     cancel the run's context (each command decides what that means: a
//     prompt exits 130, a server stops cleanly), and any other signal
//     exits at once with 128 + its number and "nothing was sent";
//   - after one was sent, any of them cancels the run's context, and the
//     run ends with exit 5, its key and the command that settles it
//     (stoppedOutcome); a run that does not return within the grace is
//     ended by the stopper, with exit 5 too. A batch whose rows sent the
//     requests handles Ctrl-C and SIGTERM itself (it finishes the rows in
//     flight), so these two only cancel there.
type stopper struct {
	errOut io.Writer
	sends  *cmdutil.Sends
	cancel context.CancelCauseFunc
	// exit ends the process (os.Exit; tests replace it).
	exit  func(code int)
	grace time.Duration

	mu    sync.Mutex
	done  bool // the run returned: its own outcome stands
	timer *time.Timer
}

// watch handles every signal from signals until the channel is closed.
func (s *stopper) watch(signals <-chan os.Signal) {
	for sig := range signals {
		s.handle(sig)
	}
}

func (s *stopper) handle(sig os.Signal) {
	interrupt := isInterrupt(sig)
	st := s.sends.Signal(sig, func() {
		if interrupt {
			s.cancel(fmt.Errorf("%s received", signalName(sig)))
			return
		}
		if s.finished() {
			return // the run already ended with its own outcome
		}
		// Under the lock of sends: no request starts while this exits.
		fmt.Fprintf(s.errOut, "Error: stopped by %s: nothing was sent\n", signalName(sig))
		s.exit(int(exitcode.Stopped(signalNumber(sig))))
	})
	if st.Signal == nil || (interrupt && !st.Direct) {
		return
	}
	s.cancel(fmt.Errorf("%s received", signalName(sig)))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer == nil && !s.done {
		s.timer = time.AfterFunc(s.grace, func() { s.giveUp(st) })
	}
}

// giveUp ends a run that did not return within the grace after a
// signal that came after a send: exit 5 with the settling command.
func (s *stopper) giveUp(st cmdutil.SentState) {
	key := st.Keys[len(st.Keys)-1]
	e := stoppedError(st, key, s.sends.Journaled(key), nil)
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return
	}
	// The process ends here; the lock stays held, so that a run returning
	// meanwhile waits in finish instead of exiting with another code.
	fmt.Fprintf(s.errOut, "Error: %s\nHint: %s\n", e.Message, e.Hint)
	s.exit(int(exitcode.UnknownOutcome))
}

// finish notes that the run returned: from now on no signal changes its
// outcome.
func (s *stopper) finish() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done = true
	if s.timer != nil {
		s.timer.Stop()
	}
}

// finished reports whether finish was called.
func (s *stopper) finished() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done
}

// isInterrupt reports whether sig is Ctrl-C or SIGTERM, the signals
// commands may handle themselves (a server stops cleanly, a batch
// finishes its rows in flight).
func isInterrupt(sig os.Signal) bool {
	return sig == os.Interrupt || sig == syscall.SIGTERM
}

// signalNumber is sig's number (0 if it has none).
func signalNumber(sig os.Signal) int {
	if n, ok := sig.(syscall.Signal); ok {
		return int(n)
	}
	return 0
}

// stoppedOutcome is the error a run ends with when a signal came after
// it (or a batch row of it) sent a request that changes state: err when
// the run still got a definite answer, else exit 5 naming the key and
// the command that settles it. Runs that no signal stopped keep err.
func stoppedOutcome(f *cmdutil.Factory, err error) error {
	st := f.Sends.Stopped()
	if st.Signal == nil || (isInterrupt(st.Signal) && !st.Direct) {
		return err
	}
	switch exitcode.Of(err) {
	case exitcode.OK, exitcode.Declined, exitcode.Usage, exitcode.Auth, exitcode.Unavailable, exitcode.Pending:
		// The answer came before the run stopped: it is in the journal.
		return err
	}
	key := st.Keys[len(st.Keys)-1]
	if f.Printer != nil && f.Printer.IdempotencyKey != "" {
		key = f.Printer.IdempotencyKey
	}
	return stoppedError(st, key, f.Sends.Journaled(key), err)
}

// stoppedError is exit 5 for a run that st.Signal stopped after it sent
// the requests st.Keys, key the one it names. cause is the run's own
// error, if it returned one: when it is already an unknown outcome, its
// message and settling command are kept.
func stoppedError(st cmdutil.SentState, key string, journaled bool, cause error) *exitcode.Error {
	what := fmt.Sprintf("the request with idempotency key %s was sent", key)
	if len(st.Keys) > 1 {
		what = fmt.Sprintf("%d requests were sent (the last with idempotency key %s)", len(st.Keys), key)
	}
	e := &exitcode.Error{Code: exitcode.UnknownOutcome, Err: cause,
		Message: fmt.Sprintf("stopped by %s after %s, before its outcome was known; it may have been processed", signalName(st.Signal), what)}
	settle := fmt.Sprintf("bokuctl reconcile (or bokuctl journal show %s)", key)
	if !journaled {
		settle = ""
	}
	if exitcode.Of(cause) == exitcode.UnknownOutcome {
		e.Message = fmt.Sprintf("stopped by %s after %s: %v", signalName(st.Signal), what, cause)
		e.Hint = exitcode.HintOf(cause)
		if e.Hint != "" && settle != "" {
			e.Hint += "; or settle every unknown outcome with: " + settle
		}
	}
	if e.Hint == "" {
		switch {
		case settle != "":
			e.Hint = "do not retry with a new id; check the outcome first with: " + settle
		default:
			e.Hint = fmt.Sprintf("do not retry with a new id; it was sent without a journal row, so ask the provider for the outcome of %s first (the status command of the same verb, with that key)", key)
		}
	}
	return e
}
