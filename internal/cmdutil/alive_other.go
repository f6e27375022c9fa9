//go:build !unix

package cmdutil

// ProcessAlive cannot tell without signals: a spool file is kept.
func ProcessAlive(pid int) bool { return pid > 0 }
