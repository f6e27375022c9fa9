package cmdutil

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// dumpableState reports PR_GET_DUMPABLE: "dumpable 0 <nil>" once
// DisableCoreDumps ran.
func dumpableState() string {
	dumpable, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	return fmt.Sprintf("dumpable %d %v", dumpable, err)
}
