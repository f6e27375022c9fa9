//go:build unix

package cmd

import (
	"os"
	"syscall"
)

// stopSignals are the signals bokuctl catches rather than die of: Ctrl-C
// and SIGTERM, a hang-up, and those the Go runtime would answer with a
// goroutine dump and exit 2, a status that says nothing was sent: SIGQUIT
// and SIGABRT, and SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV and SIGSYS
// when sent by kill (a real fault still crashes: signal.Notify sees only
// signals sent from outside). SIGUSR1, SIGUSR2, SIGALRM and the like are
// left alone: Go ignores them, so they stop nothing.
var stopSignals = []os.Signal{syscall.SIGHUP, os.Interrupt, syscall.SIGQUIT, syscall.SIGILL, syscall.SIGTRAP,
	syscall.SIGABRT, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGSEGV, syscall.SIGTERM, syscall.SIGSYS}

// signalName is the conventional name of sig, e.g. SIGHUP.
func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGHUP:
		return "SIGHUP"
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGQUIT:
		return "SIGQUIT"
	case syscall.SIGILL:
		return "SIGILL"
	case syscall.SIGTRAP:
		return "SIGTRAP"
	case syscall.SIGABRT:
		return "SIGABRT"
	case syscall.SIGBUS:
		return "SIGBUS"
	case syscall.SIGFPE:
		return "SIGFPE"
	case syscall.SIGSEGV:
		return "SIGSEGV"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGSYS:
		return "SIGSYS"
	}
	return sig.String()
}
