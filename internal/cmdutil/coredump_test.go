//go:build unix

package cmdutil

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// coreDumpChild, set in the environment, makes TestDisableCoreDumps the
// child process that raises its core limit, calls DisableCoreDumps and
// reports what it sees, so the test process itself is left as it was.
const coreDumpChild = "BOKUCTL_TEST_COREDUMP_CHILD"

func TestDisableCoreDumps(t *testing.T) {
	if os.Getenv(coreDumpChild) == "1" {
		var lim unix.Rlimit
		unix.Getrlimit(unix.RLIMIT_CORE, &lim)
		lim.Cur = lim.Max // as `ulimit -c unlimited` (or the most allowed)
		unix.Setrlimit(unix.RLIMIT_CORE, &lim)
		unix.Getrlimit(unix.RLIMIT_CORE, &lim)
		fmt.Printf("before %d %d\n", lim.Cur, lim.Max)
		if err := DisableCoreDumps(); err != nil {
			fmt.Printf("error %v\n", err)
		}
		unix.Getrlimit(unix.RLIMIT_CORE, &lim)
		fmt.Printf("after %d %d\n", lim.Cur, lim.Max)
		if runtime.GOOS == "linux" {
			fmt.Println(dumpableState())
		}
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDisableCoreDumps$")
	cmd.Env = append(os.Environ(), coreDumpChild+"=1", "GOTRACEBACK=crash")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	got := string(out)
	t.Logf("child:\n%s", got)
	for _, want := range []string{"\nafter 0 0\n"} {
		if !strings.Contains("\n"+got, want) {
			t.Errorf("child output lacks %q", strings.TrimSpace(want))
		}
	}
	if strings.Contains(got, "error ") {
		t.Errorf("DisableCoreDumps failed")
	}
	if runtime.GOOS == "linux" && !strings.Contains(got, "dumpable 0 <nil>") {
		t.Errorf("the process is still dumpable")
	}
}
