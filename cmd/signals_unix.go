//go:build unix

package cmd

import (
	"os"
	"syscall"
)

// stopSignals are the signals bokuctl catches rather than die of: Ctrl-C
// and SIGTERM, a hang-up, and those the Go runtime would answer with a
// goroutine dump and exit 2, a status that says nothing was sent: SIGQUIT
// and SIGABRT, and SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV, SIGSYS (and
// SIGSTKFLT on Linux) when sent by kill. A real fault still crashes:
// signal.Notify sees only signals sent from outside. SIGUSR1, SIGUSR2,
// SIGALRM and the like are left alone: Go ignores them, so they stop
// nothing.
var stopSignals = []os.Signal{syscall.SIGHUP, os.Interrupt, syscall.SIGQUIT, syscall.SIGILL, syscall.SIGTRAP,
	syscall.SIGABRT, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGSEGV, syscall.SIGTERM, syscall.SIGSYS}

// signalNames are the conventional names of stopSignals.
var signalNames = map[os.Signal]string{
	syscall.SIGHUP: "SIGHUP", os.Interrupt: "SIGINT", syscall.SIGQUIT: "SIGQUIT", syscall.SIGILL: "SIGILL",
	syscall.SIGTRAP: "SIGTRAP", syscall.SIGABRT: "SIGABRT", syscall.SIGBUS: "SIGBUS", syscall.SIGFPE: "SIGFPE",
	syscall.SIGSEGV: "SIGSEGV", syscall.SIGTERM: "SIGTERM", syscall.SIGSYS: "SIGSYS",
}

// signalName is the conventional name of sig, e.g. SIGHUP.
func signalName(sig os.Signal) string {
	if name, ok := signalNames[sig]; ok {
		return name
	}
	return sig.String()
}
