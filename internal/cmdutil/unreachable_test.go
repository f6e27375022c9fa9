package cmdutil

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

func TestNothingListens(t *testing.T) {
	// A port that was just free: nothing listens there (another process
	// may take it in between, so a few ports are tried).
	var addr string
	var dialErr error
	for range 5 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = l.Addr().String()
		l.Close()
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			dialErr = err
			break
		}
		conn.Close()
	}
	if dialErr == nil {
		t.Fatal("every freed port was taken again: no refused connection to test with")
	}
	wrapped := fmt.Errorf("boku charge: cannot reach Boku: %w", dialErr)
	if got := NothingListens(wrapped); !strings.Contains(got, "nothing listens at "+addr) || !strings.Contains(got, "bokuctl sandbox serve") {
		t.Errorf("NothingListens(%v) = %q", wrapped, got)
	}
	// Not a refused local connection: nothing to add.
	for _, err := range []error{fmt.Errorf("plain"), &net.OpError{Op: "read", Net: "tcp", Err: fmt.Errorf("reset")},
		&net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 443}, Err: dialErr.(*net.OpError).Err}} {
		if got := NothingListens(err); got != "" {
			t.Errorf("NothingListens(%v) = %q, want none", err, got)
		}
	}
}
