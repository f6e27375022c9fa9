//go:build !unix

package cmd

// processAlive cannot tell without signals: a spool file is kept.
func processAlive(pid int) bool { return pid > 0 }
