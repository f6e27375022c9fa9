package provider

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// fakeHandler registers the named string flags and records its runs.
type fakeHandler struct {
	flags []string
	runs  int
	args  []string
}

// colonIDs is a handler whose provider's ids have colons (Worldline's).
type colonIDs struct{ fakeHandler }

func (colonIDs) OwnsID(id string) (string, bool) { return "a Worldline id", strings.Contains(id, ":") }

func (h *fakeHandler) AddFlags(fs *pflag.FlagSet) {
	for _, name := range h.flags {
		fs.String(name, "", "test flag "+name)
	}
}

func (h *fakeHandler) Run(_ *cobra.Command, _ *cmdutil.Factory, args []string) error {
	h.runs++
	h.args = args
	return nil
}

// run builds a root with the persistent --provider flag and one verb
// "charge" served by handlers, and executes args against it with an empty
// config and environment.
func run(t *testing.T, handlers Handlers, args ...string) error {
	t.Helper()
	env := map[string]string{"BOKUCTL_CONFIG": t.TempDir() + "/config.yaml"}
	f := cmdutil.NewFactory(&output.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}},
		func(k string) string { return env[k] })
	root := &cobra.Command{Use: "bokuctl", SilenceErrors: true, SilenceUsage: true}
	root.PersistentFlags().String("provider", "", "")
	f.ProviderFlag = root.PersistentFlags().Lookup("provider")
	verb := &cobra.Command{Use: "charge", Args: cobra.ArbitraryArgs}
	verb.Flags().String("amount", "", "shared flag")
	verb.RunE = New(verb, handlers).RunE(f)
	root.AddCommand(verb)
	root.SetArgs(append([]string{"charge"}, args...))
	root.SetOut(&bytes.Buffer{})
	root.SetErr(&bytes.Buffer{})
	return root.Execute()
}

func TestVerbDispatchesToTheSelectedProvider(t *testing.T) {
	b := &fakeHandler{flags: []string{"optin-id"}}
	w := &fakeHandler{flags: []string{"card-file"}}
	if err := run(t, Handlers{Boku: b, Worldline: w}, "--amount", "1", "--optin-id", "oi-1", "x"); err != nil {
		t.Fatal(err)
	}
	if b.runs != 1 || w.runs != 0 || len(b.args) != 1 || b.args[0] != "x" {
		t.Fatalf("boku runs %d, worldline runs %d, args %q", b.runs, w.runs, b.args)
	}
	if err := run(t, Handlers{Boku: b, Worldline: w}, "--provider", "worldline", "--card-file", "c.json"); err != nil {
		t.Fatal(err)
	}
	if b.runs != 1 || w.runs != 1 {
		t.Fatalf("boku runs %d, worldline runs %d", b.runs, w.runs)
	}
}

func TestVerbRefusesAnotherProvidersFlagBeforeRunning(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		message string
	}{
		{[]string{"--card-file", "c.json"}, "--card-file does not apply to the boku provider"},
		{[]string{"--provider", "worldline", "--optin-id", "oi-1"}, "--optin-id does not apply to the worldline provider"},
		// The first foreign flag in registration order is named.
		{[]string{"--provider", "worldline", "--description", "d", "--optin-id", "oi-1"}, "--optin-id does not apply"},
	} {
		b := &fakeHandler{flags: []string{"optin-id", "description"}}
		w := &fakeHandler{flags: []string{"card-file"}}
		err := run(t, Handlers{Boku: b, Worldline: w}, tc.args...)
		if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), tc.message) {
			t.Errorf("%q: got %v (exit %d), want usage error containing %q", tc.args, err, exitcode.Of(err), tc.message)
		}
		if b.runs+w.runs != 0 {
			t.Errorf("%q: a handler ran after a foreign flag", tc.args)
		}
	}
}

func TestVerbSharedFlagsBelongToNobody(t *testing.T) {
	w := &fakeHandler{flags: []string{"card-file"}}
	if err := run(t, Handlers{Boku: &fakeHandler{}, Worldline: w}, "--provider", "worldline", "--amount", "5"); err != nil {
		t.Fatal(err)
	}
	if w.runs != 1 {
		t.Fatal("worldline handler did not run")
	}
}

// Only Worldline offers the verb: the profile's provider (boku by
// default) gives way; an explicit --provider boku is a contradiction.
func TestVerbOfferedByOneProviderIsInferred(t *testing.T) {
	w := &fakeHandler{}
	if err := run(t, Handlers{Worldline: w}); err != nil || w.runs != 1 {
		t.Fatalf("got %v after %d runs, want the Worldline handler run", err, w.runs)
	}
	err := run(t, Handlers{Worldline: w}, "--provider", "boku")
	var e *exitcode.Error
	if !errors.As(err, &e) || e.Code != exitcode.Usage {
		t.Fatalf("got %v, want a usage error", err)
	}
	if want := "--provider boku contradicts charge: only worldline offers it"; e.Error() != want {
		t.Errorf("message %q, want %q", e.Error(), want)
	}
	if e.Hint != "drop --provider, or use --provider worldline" {
		t.Errorf("hint %q", e.Hint)
	}
	if w.runs != 1 {
		t.Error("handler ran despite the contradiction")
	}
}

// A Worldline id (with colons) picks Worldline when both offer the verb.
func TestWorldlineIDPicksWorldline(t *testing.T) {
	b, w := &fakeHandler{}, &colonIDs{}
	if err := run(t, Handlers{Boku: b, Worldline: w}, "pay:ch:etu:abc"); err != nil || w.runs != 1 || b.runs != 0 {
		t.Fatalf("got %v, boku %d, worldline %d; want worldline", err, b.runs, w.runs)
	}
	if err := run(t, Handlers{Boku: b, Worldline: w}, "D4q4jgAAAABTRwAAAAAAAA"); err != nil || b.runs != 1 {
		t.Fatalf("a Boku id: %v, boku %d", err, b.runs)
	}
	if err := run(t, Handlers{Boku: b, Worldline: w}, "--provider", "boku", "pay:ch:etu:abc"); err == nil || !strings.Contains(err.Error(), "pay:ch:etu:abc: it is a Worldline id") {
		t.Fatalf("explicit boku with a Worldline id: %v", err)
	}
}

func TestNewPanicsOnAFlagTwoProvidersRegister(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a flag registered twice")
		}
	}()
	cmd := &cobra.Command{Use: "charge"}
	New(cmd, Handlers{Boku: &fakeHandler{flags: []string{"x"}}, Worldline: &fakeHandler{flags: []string{"x"}}})
}

func TestNewPanicsOnAFlagThatShadowsASharedOne(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a handler flag that shadows the command's own")
		}
	}()
	cmd := &cobra.Command{Use: "charge"}
	cmd.Flags().String("amount", "", "")
	New(cmd, Handlers{Boku: &fakeHandler{flags: []string{"amount"}}})
}
