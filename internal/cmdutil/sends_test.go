package cmdutil

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// A request cannot be noted (and so cannot leave) while a signal that
// found nothing sent is being handled: the process may say "nothing was
// sent" and exit without a request slipping out meanwhile.
func TestSendsNoteWaitsForTheSignal(t *testing.T) {
	s := &Sends{}
	noted := make(chan struct{})
	st := s.Signal(syscall.SIGHUP, func() {
		go func() {
			s.note("k-1", false, true)
			close(noted)
		}()
		select {
		case <-noted:
			t.Error("a request was noted while the signal was handled")
		case <-time.After(100 * time.Millisecond):
		}
	})
	if st.Signal != nil {
		t.Errorf("state %+v before any send", st)
	}
	<-noted
	if got := s.Stopped(); got.Signal != nil {
		t.Errorf("a signal before the send counts as a stop after it: %+v", got)
	}
	st = s.Signal(os.Interrupt, func() { t.Error("nothing sent, after a send") })
	if st.Signal != os.Interrupt || len(st.Keys) != 1 || !st.Direct {
		t.Errorf("state %+v", st)
	}
	s.note("row-1", true, false)
	s.Signal(syscall.SIGTERM, func() {})
	if got := s.Stopped(); got.Signal != os.Interrupt || len(got.Keys) != 1 {
		t.Errorf("the first stop is kept: %+v", got)
	}
	if !s.Journaled("k-1") || s.Journaled("row-1") {
		t.Error("Journaled")
	}
	var none *Sends
	none.note("x", false, true)
	if none.Stopped().Signal != nil || none.Journaled("x") {
		t.Error("a nil Sends records something")
	}
}
