package cmd

import "syscall"

// SIGSTKFLT is Linux's alone; Go would dump goroutines and exit 2 on it.
func init() {
	stopSignals = append(stopSignals, syscall.SIGSTKFLT)
	signalNames[syscall.SIGSTKFLT] = "SIGSTKFLT"
}
