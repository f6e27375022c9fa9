package initcmd

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/cmdutil/cmdutiltest"
	"github.com/bokuctl/bokuctl/internal/provider/all"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

func initCmd(f *cmdutil.Factory, runF func(*Options) error, args ...string) *cobra.Command {
	return cmdutiltest.Command(NewCmd(f, all.Registry(), runF), args...)
}

// The arguments and the setting flags given reach the options.
func TestInitFlagsBecomeOptions(t *testing.T) {
	f, _ := cmdutiltest.Factory(t, nil)
	var got *Options
	err := initCmd(f, func(o *Options) error { got = o; return nil }, "worldline", "eu", "--worldline-client-id", "my-client", "--no-check").Execute()
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || strings.Join(got.Args, " ") != "worldline eu" || !got.NoCheck {
		t.Fatalf("options %+v", got)
	}
	if fl := got.Settings["worldline.client-id"]; fl == nil || !fl.Changed || fl.Value.String() != "my-client" {
		t.Fatalf("worldline.client-id flag %v", fl)
	}
	if fl := got.Settings["worldline.merchant-id"]; fl == nil || fl.Changed {
		t.Fatalf("worldline.merchant-id flag %v, want present and not given", fl)
	}
}

// Off a terminal init asks nothing: it names every missing setting at
// once, as flags to add, and writes nothing.
func TestInitOffATerminalNamesEveryMissingSetting(t *testing.T) {
	f, _ := cmdutiltest.Factory(t, nil)
	err := initCmd(f, nil, "boku", "shop", "--boku-merchant-id", "m-123").ExecuteContext(t.Context())
	if exitcode.Of(err) != exitcode.Usage {
		t.Fatalf("exit %d (%v), want usage", exitcode.Of(err), err)
	}
	var coded *exitcode.Error
	if !errors.As(err, &coded) || !strings.Contains(err.Error(), "boku needs 2 more setting(s): nothing was written") {
		t.Fatalf("error %v", err)
	}
	hint := coded.Hint
	for _, want := range []string{"bokuctl init boku shop", "--boku-key-id VALUE", "--boku-country VALUE"} {
		if !strings.Contains(hint, want) {
			t.Errorf("hint %q does not name %q", hint, want)
		}
	}
	if strings.Contains(hint, "--boku-merchant-id") {
		t.Errorf("hint %q asks for the setting that was given", hint)
	}
	if _, err := os.Stat(f.Getenv("BOKUCTL_CONFIG")); !os.IsNotExist(err) {
		t.Errorf("config file: %v, want none written", err)
	}
}
