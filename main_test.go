package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bokuctl/bokuctl/cmd"
)

func TestMain(m *testing.M) {
	os.Exit(testscript.RunMain(m, map[string]func() int{
		"bokuctl": cmd.Execute,
	}))
}

// TestScripts runs testdata/scripts/*.txtar. Each script gets its own HOME,
// config and cache folders and a file-backed secret store, so scripts never
// touch the developer's real profiles or keyring.
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
			return nil
		},
	})
}
