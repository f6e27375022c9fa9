//go:build unix

package cmd

import (
	"os"
	"syscall"
)

// stopSignals are the signals bokuctl catches rather than die of: Ctrl-C
// and SIGTERM, and those whose default action would end the process with
// a status that does not say a request was sent (a hang-up, a goroutine
// dump and exit 2 for SIGQUIT and SIGABRT, or a SIGSEGV or SIGBUS sent by
// kill). A real fault still crashes: Go turns it into a panic.
var stopSignals = []os.Signal{syscall.SIGHUP, os.Interrupt, syscall.SIGQUIT, syscall.SIGABRT, syscall.SIGBUS,
	syscall.SIGSEGV, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2}

// signalName is the conventional name of sig, e.g. SIGHUP.
func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGHUP:
		return "SIGHUP"
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGQUIT:
		return "SIGQUIT"
	case syscall.SIGABRT:
		return "SIGABRT"
	case syscall.SIGBUS:
		return "SIGBUS"
	case syscall.SIGSEGV:
		return "SIGSEGV"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGUSR1:
		return "SIGUSR1"
	case syscall.SIGUSR2:
		return "SIGUSR2"
	}
	return sig.String()
}
