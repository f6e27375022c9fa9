//go:build unix && !linux

package cmdutil

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// DisableCoreDumps makes sure that no core dump of this process can hold
// a secret (a card number, CVC, client secret, Boku key or bearer token
// in memory): the core file size limit goes to 0, soft and hard, so that
// no unprivileged child can raise it again. bokuctl calls it first thing,
// before anything reads a secret.
func DisableCoreDumps() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		return fmt.Errorf("setrlimit RLIMIT_CORE: %w", err)
	}
	return nil
}
