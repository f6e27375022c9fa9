package cmdutil

import (
	"errors"
	"net"
	"syscall"
)

// NothingListens is what to add to the hint of err when err is a
// connection refused by this machine (127.0.0.1, ::1, localhost): most
// often a `bokuctl sandbox serve` that is no longer running. It is ""
// for any other error.
func NothingListens(err error) string {
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "dial" || !errors.Is(err, syscall.ECONNREFUSED) || op.Addr == nil {
		return ""
	}
	host, _, splitErr := net.SplitHostPort(op.Addr.String())
	if splitErr != nil {
		return ""
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return ""
	}
	return "; nothing listens at " + op.Addr.String() + " on this machine: if that is bokuctl sandbox serve, start it again (a new sandbox keeps nothing of the last one unless both ran with --state FILE)"
}
