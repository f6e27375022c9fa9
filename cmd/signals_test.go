//go:build unix

package cmd

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// lockedBuffer is a bytes.Buffer that the run and the stopper may write
// at the same time.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// stopRun is one run of the test-hold command under a stopper.
type stopRun struct {
	stop    *stopper
	stderr  *lockedBuffer
	code    chan int // Run's exit code, when it returns
	exited  chan int // the stopper's exit code, when it ends the process
	release chan struct{}
	journal string
}

// startHold runs `test-hold MODE [--send]` with a stopper whose grace is
// short and whose exit is recorded instead of ending the test. The
// command announces the key hold-1 (with --send), then waits as MODE
// says: "ignore" blocks until released whatever happens, "canceled"
// returns a cancellation (exit 130) once its context is done, "answered"
// returns success once its context is done.
func startHold(t *testing.T, mode string, send bool) *stopRun {
	t.Helper()
	ready := make(chan struct{})
	r := &stopRun{stderr: &lockedBuffer{}, code: make(chan int, 1), exited: make(chan int, 1), release: make(chan struct{})}
	testCommand = func(f *cmdutil.Factory) *cobra.Command {
		return &cobra.Command{Use: "test-hold", Hidden: true, RunE: func(cmd *cobra.Command, args []string) error {
			if send {
				if _, err := f.Announce(cmd.Context(), cmdutil.Intent{Key: "hold-1", Flag: "merchant-request-id", Label: "Merchant request ID"}); err != nil {
					return err
				}
			}
			close(ready)
			switch mode {
			case "ignore":
				<-r.release
				return nil
			case "canceled":
				<-cmd.Context().Done()
				return exitcode.New(exitcode.Canceled, "cancelled")
			default:
				<-cmd.Context().Done()
				return nil
			}
		}}
	}
	t.Cleanup(func() { testCommand = nil })
	dir := t.TempDir()
	r.journal = filepath.Join(dir, "journal.db")
	env := map[string]string{"HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, "config"), "XDG_STATE_HOME": filepath.Join(dir, "state"), "BOKUCTL_JOURNAL": r.journal}
	sends := &cmdutil.Sends{}
	ctx, cancel := context.WithCancelCause(context.Background())
	t.Cleanup(func() { cancel(nil) })
	ctx = cmdutil.WithSends(ctx, sends)
	// A run that ignores the signal is ended after a short grace; one that
	// returns gets a long one, so that a loaded machine (CI, -race) does
	// not end it first.
	grace := 3 * time.Second
	if mode == "ignore" {
		grace = 200 * time.Millisecond
	}
	r.stop = &stopper{errOut: r.stderr, sends: sends, cancel: cancel, grace: grace,
		exit: func(code int) {
			r.exited <- code
			runtime.Goexit() // as os.Exit, nothing after it runs
		}}
	ios := &output.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: r.stderr}
	returned := make(chan struct{})
	go func() {
		// As Execute: the run's code, then no signal changes it.
		code := Run(ctx, ios, func(k string) string { return env[k] }, []string{"test-hold"})
		close(returned)
		// After the stopper ended the "process", finish waits forever,
		// as it does in a process that exits meanwhile.
		r.stop.finish()
		r.code <- code
	}()
	t.Cleanup(func() {
		close(r.release)
		select {
		case <-returned:
		case <-time.After(5 * time.Second):
			t.Error("the run never returned")
		}
	})
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		t.Fatalf("the command never started; stderr:\n%s", r.stderr)
	}
	return r
}

// signal delivers sig as the process's signal goroutine would.
func (r *stopRun) signal(sig os.Signal) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.stop.handle(sig)
	}()
	<-done
}

func (r *stopRun) row(t *testing.T) *journal.Entry {
	t.Helper()
	store, err := journal.Open(context.Background(), r.journal)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	e, err := store.Get(context.Background(), "hold-1")
	if err != nil || e == nil {
		t.Fatalf("journal row hold-1: %v, %v", e, err)
	}
	return e
}

// A run that ignores its cancelled context is ended after the grace with
// exit 5, the key and the settling command; its row stays "sent".
func TestSignalAfterSendEndsAStuckRunWithExit5(t *testing.T) {
	for _, sig := range []os.Signal{syscall.SIGHUP, os.Interrupt, syscall.SIGTERM, syscall.SIGQUIT} {
		t.Run(signalName(sig), func(t *testing.T) {
			r := startHold(t, "ignore", true)
			start := time.Now()
			r.signal(sig)
			select {
			case code := <-r.exited:
				if code != 5 {
					t.Errorf("exit %d, want 5", code)
				}
			case code := <-r.code:
				t.Fatalf("the stuck run returned %d", code)
			case <-time.After(5 * time.Second):
				t.Fatal("not ended within 5s")
			}
			if waited := time.Since(start); waited < 200*time.Millisecond {
				t.Errorf("ended after %v, before the grace", waited)
			}
			stderr := r.stderr.String()
			for _, want := range []string{
				"Error: stopped by " + signalName(sig) + " after the request with idempotency key hold-1 was sent, before its outcome was known",
				"Hint: do not retry with a new id; check the outcome first with: bokuctl reconcile (or bokuctl journal show hold-1)\n",
			} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if e := r.row(t); e.Status != journal.StatusSent {
				t.Errorf("journal row is %q, want sent", e.Status)
			}
		})
	}
}

// A run that stops on the cancellation with a code that would hide the
// request (130: "nothing was sent") ends with exit 5 instead, and its row
// says unknown.
func TestSignalAfterSendTurnsAHidingCodeInto5(t *testing.T) {
	r := startHold(t, "canceled", true)
	r.signal(syscall.SIGHUP)
	select {
	case code := <-r.code:
		if code != 5 {
			t.Errorf("exit %d, want 5; stderr:\n%s", code, r.stderr)
		}
	case <-r.exited:
		t.Fatal("the stopper ended a run that returned")
	case <-time.After(5 * time.Second):
		t.Fatal("no return within 5s")
	}
	if !strings.Contains(r.stderr.String(), "stopped by SIGHUP after the request with idempotency key hold-1 was sent") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if e := r.row(t); e.Status != journal.StatusUnknown || e.ExitCode == nil || *e.ExitCode != 5 {
		t.Errorf("journal row %q exit %v, want unknown and 5", e.Status, e.ExitCode)
	}
	select {
	case <-r.exited:
		t.Error("the stopper ended the process after the run returned")
	case <-time.After(400 * time.Millisecond):
	}
}

// A run that still got a definite answer keeps its exit code.
func TestSignalAfterSendKeepsADefiniteOutcome(t *testing.T) {
	r := startHold(t, "answered", true)
	r.signal(syscall.SIGTERM)
	select {
	case code := <-r.code:
		if code != 0 {
			t.Errorf("exit %d, want 0; stderr:\n%s", code, r.stderr)
		}
	case code := <-r.exited:
		t.Fatalf("the stopper ended a run that returned, with %d", code)
	case <-time.After(10 * time.Second):
		t.Fatal("no return within 10s")
	}
	if strings.Contains(r.stderr.String(), "stopped by") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// Before anything was sent, SIGHUP exits 129 at once and says so;
// Ctrl-C only cancels, as it always did.
func TestSignalBeforeSend(t *testing.T) {
	r := startHold(t, "ignore", false)
	r.signal(syscall.SIGHUP)
	select {
	case code := <-r.exited:
		if code != 129 {
			t.Errorf("exit %d, want 129", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("not ended")
	}
	if got := r.stderr.String(); got != "Error: stopped by SIGHUP: nothing was sent\n" {
		t.Errorf("stderr %q", got)
	}

	r = startHold(t, "canceled", false)
	r.signal(os.Interrupt)
	select {
	case code := <-r.code:
		if code != 130 {
			t.Errorf("Ctrl-C before a send: exit %d, want 130; stderr:\n%s", code, r.stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no return within 10s")
	}
	select {
	case code := <-r.exited:
		t.Errorf("the stopper ended the process with %d", code)
	case <-time.After(400 * time.Millisecond):
	}
}

func TestStoppedErrorWithoutJournal(t *testing.T) {
	e := stoppedError(cmdutil.SentState{Signal: syscall.SIGHUP, Keys: []string{"a", "b"}}, "b", false, errors.New("x"))
	if e.Code != exitcode.UnknownOutcome || !strings.Contains(e.Message, "2 requests were sent (the last with idempotency key b)") || strings.Contains(e.Hint, "reconcile") {
		t.Errorf("%+v", e)
	}
}
