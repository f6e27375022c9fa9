package cmdutil

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// DisableCoreDumps makes sure that no core dump of this process can hold
// a secret (a card number, CVC, client secret, Boku key or bearer token
// in memory): the core file size limit goes to 0, soft and hard, so that
// no unprivileged child can raise it again, and the process is marked not
// dumpable: the kernel then writes no core even to a core_pattern pipe
// (systemd-coredump, apport), which the size limit does not bind (unless
// fs.suid_dumpable is 2, when it is readable by root only), and other
// users' processes cannot attach to it with ptrace or read its memory
// through /proc.
// bokuctl calls it first thing, before anything reads a secret.
func DisableCoreDumps() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		return fmt.Errorf("setrlimit RLIMIT_CORE: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl PR_SET_DUMPABLE: %w", err)
	}
	return nil
}
