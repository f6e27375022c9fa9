//go:build unix && !linux

package cmdutil

// dumpableState is Linux's alone: other systems have no such flag.
func dumpableState() string { return "" }
