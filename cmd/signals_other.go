//go:build !unix

package cmd

import (
	"os"
	"syscall"
)

// stopSignals are the signals bokuctl catches: on this system only Ctrl-C
// and the console's close, log-off and shut-down events (SIGTERM).
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// signalName is the conventional name of sig, e.g. SIGINT.
func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}
