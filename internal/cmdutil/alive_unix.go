//go:build unix

package cmdutil

import (
	"errors"
	"syscall"
)

// ProcessAlive reports whether a process with pid exists (signal 0).
func ProcessAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
