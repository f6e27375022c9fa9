package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bokuctl/bokuctl/cmd"
	"github.com/bokuctl/bokuctl/internal/sandbox/boku"
)

// bokuTestKey is the fake Boku's signing key in the scripts.
const bokuTestKey = "bokuctl-test-key-0123456789abcdef"

func TestMain(m *testing.M) {
	os.Exit(testscript.RunMain(m, map[string]func() int{
		"bokuctl": cmd.Execute,
	}))
}

// TestScripts runs testdata/scripts/*.txtar. Each script gets its own HOME,
// config and cache folders, a file-backed secret store, and its own fake
// Boku server (BOKU_URL, BOKU_MERCHANT, BOKU_KEY_ID, BOKU_TEST_KEY).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/scripts",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			env.Setenv("HOME", home)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			env.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
			env.Setenv("BOKUCTL_KEYRING_FILE", filepath.Join(env.WorkDir, "secrets.json"))
			// No session bus: the OS keyring is unreachable unless a script
			// deliberately sets one up.
			env.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(env.WorkDir, "no-dbus"))

			fake := boku.New(boku.Merchant{ID: "sandbox-merchant", KeyID: "sandbox-key-1", Key: []byte(bokuTestKey)})
			server := httptest.NewServer(fake)
			env.Defer(server.Close)
			env.Values["boku"] = fake
			env.Setenv("BOKU_URL", server.URL+"/{country}")
			env.Setenv("BOKU_HOST", server.URL)
			env.Setenv("BOKU_MERCHANT", "sandbox-merchant")
			env.Setenv("BOKU_KEY_ID", "sandbox-key-1")
			env.Setenv("BOKU_TEST_KEY", bokuTestKey)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"boku-charges":  countCmd(func(f *boku.Server) int { return f.ChargeCount() }),
			"boku-requests": countCmd(func(f *boku.Server) int { return f.RequestCount() }),
			"httpget":       httpGet,
		},
	})
}

// countCmd asserts a count kept by the script's fake Boku: `boku-charges 1`.
func countCmd(count func(*boku.Server) int) func(ts *testscript.TestScript, neg bool, args []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: boku-charges|boku-requests N")
		}
		want, err := strconv.Atoi(args[0])
		ts.Check(err)
		got := count(ts.Value("boku").(*boku.Server))
		if (got == want) == neg {
			ts.Fatalf("fake Boku count is %d, want %s%d", got, map[bool]string{true: "not ", false: ""}[neg], want)
		}
	}
}

// httpGet fetches a URL as a consumer's browser would: `httpget URL`.
func httpGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: httpget URL")
	}
	resp, err := http.Get(args[0])
	ts.Check(err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Fprintf(ts.Stdout(), "%s", body)
	if (resp.StatusCode == http.StatusOK) == neg {
		ts.Fatalf("GET %s: %s", args[0], resp.Status)
	}
}
