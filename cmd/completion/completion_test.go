package completion_test

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/cmd"
	"github.com/bokuctl/bokuctl/cmd/completion"
	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/output"
)

func completionRoot(t *testing.T) *cobra.Command {
	t.Helper()
	f := cmdutil.NewFactory(&output.IOStreams{}, func(string) string { return "" })
	f.ConfigFlag = filepath.Join(t.TempDir(), "config.yaml")
	root := cmd.NewRootCmd(f)
	completion.AttachCompletions(root, f)
	return root
}

// Completion functions are attached only for a completion request, through
// the root's pre-run hook; other commands do not pay for them.
func TestCompletionsAttachedOnRequest(t *testing.T) {
	var out, errOut strings.Builder
	f := cmdutil.NewFactory(&output.IOStreams{Out: &out, ErrOut: &errOut}, func(string) string { return "" })
	root := cmd.NewRootCmd(f)
	if _, ok := root.GetFlagCompletionFunc("provider"); ok {
		t.Error("completion functions attached while building the tree")
	}
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs([]string{cobra.ShellCompRequestCmd, "--provider", ""})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if want := "boku\nworldline\n:4\n"; out.String() != want {
		t.Errorf("__complete --provider '': %q, want %q", out.String(), want)
	}
	// Other commands still run the root's own hook (setUp: the printer).
	root = cmd.NewRootCmd(f)
	root.SetArgs([]string{"version"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if f.Printer == nil {
		t.Error("the root's own pre-run hook did not run")
	}
}

// listedValues finds the fixed set of values a flag's usage lists, e.g.
// "…: boku or worldline (…)", "unknown (includes sent), pending, failed or
// ok", "Boku: why (required): a, b, c", "one of a, b". It ignores examples
// ("e.g. kpay or mpgs", "e.g. 50 or 50/s") and prose ("(repeatable or
// comma list)").
func listedValues(usage string) []string {
	const tok = `[a-z][a-z0-9_-]*`
	const item = tok + `(?: \([^)]*\))?`
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`one of (` + tok + `(?:, ` + tok + `)*(?:,? or ` + tok + `)?)`),
		regexp.MustCompile(`(?:^|: )(` + item + `(?:, ` + item + `)* or ` + tok + `)(?:$|[ ,;)])`),
		regexp.MustCompile(`: (` + tok + `(?:, ` + tok + `){2,})$`),
	}
	for _, p := range patterns {
		m := p.FindStringSubmatch(usage)
		if m == nil {
			continue
		}
		list := regexp.MustCompile(` \([^)]*\)`).ReplaceAllString(m[1], "")
		return regexp.MustCompile(`,? or |, `).Split(list, -1)
	}
	return nil
}

func TestListedValues(t *testing.T) {
	for usage, want := range map[string][]string{
		"provider behind charge/refund/forex/fund-check: boku or worldline (overrides the profile)": {"boku", "worldline"},
		"output format: table or json (batch: also csv)":                                            {"table", "json"},
		"only rows with this status: unknown (includes sent), pending, failed or ok":                {"unknown", "pending", "failed", "ok"},
		"apple_pay, google_pay, samsung_pay or wallet (repeatable; any matches)":                    {"apple_pay", "google_pay", "samsung_pay", "wallet"},
		"Boku: why (required): fraud, goodwill, non-fulfillment":                                    {"fraud", "goodwill", "non-fulfillment"},
		"sandbox or production MIDs":                                                                {"sandbox", "production"},
		"the reason: one of a, b, c":                                                                {"a", "b", "c"},
		"gateway name, e.g. kpay or mpgs (repeatable)":                                              nil,
		"ISO 4217 code the method must accept (repeatable or comma list)":                           nil,
		"at most this many requests per second, e.g. 50 or 50/s (default: no limit)":                nil,
		"header names to sign, in order, separated by ';' or ','":                                   nil,
		"the journal file (default $XDG_STATE_HOME/bokuctl/journal.db), or off":                     nil,
		"only rows this recent: 7d, 36h, 90m (0: all)":                                              nil,
	} {
		if got := listedValues(usage); !slices.Equal(got, want) {
			t.Errorf("listedValues(%q) = %q, want %q", usage, got, want)
		}
	}
}

// candidates runs a completion function and returns the values it offers
// (descriptions cut off) and its directive.
func candidates(fn cobra.CompletionFunc, cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	comps, directive := fn(cmd, args, toComplete)
	var out []string
	for _, c := range comps {
		value, _, _ := strings.Cut(c, "\t")
		out = append(out, value)
	}
	return out, directive
}

func visitFlags(root *cobra.Command, visit func(cmd *cobra.Command, fl *pflag.Flag)) {
	completion.WalkCommands(root, func(cmd *cobra.Command) {
		cmd.LocalFlags().VisitAll(func(fl *pflag.Flag) {
			if !fl.Hidden {
				visit(cmd, fl)
			}
		})
	})
}

// Every flag whose help lists a fixed set of values completes them (and no
// file names): a new enum flag without completion fails here.
func TestEnumFlagsComplete(t *testing.T) {
	root := completionRoot(t)
	var checked []string
	visitFlags(root, func(cmd *cobra.Command, fl *pflag.Flag) {
		listed := listedValues(fl.Usage)
		if listed == nil || fl.Value.Type() == "bool" {
			return
		}
		name := cmd.CommandPath() + " --" + fl.Name
		checked = append(checked, name)
		fn, ok := cmd.GetFlagCompletionFunc(fl.Name)
		if !ok {
			t.Errorf("%s lists values %q in its help but completes none: add it to flagValues in cmd/completion/completion.go", name, listed)
			return
		}
		got, directive := candidates(fn, cmd, nil, "")
		for _, v := range listed {
			if !slices.Contains(got, v) {
				t.Errorf("%s: completion %q lacks %q, which its help lists", name, got, v)
			}
		}
		if directive != cobra.ShellCompDirectiveNoFileComp {
			t.Errorf("%s: directive %v, want NoFileComp", name, directive)
		}
	})
	for _, want := range []string{
		"bokuctl --provider", "bokuctl --output", "bokuctl refund --reason", "bokuctl methods list --plugin",
		"bokuctl methods list --payment-service", "bokuctl journal list --status", "bokuctl profile add --ottu-auth",
	} {
		if !slices.Contains(checked, want) {
			t.Errorf("%s was not checked: listedValues no longer sees its values", want)
		}
	}
	if len(checked) < 10 {
		t.Errorf("checked only %d flags: %q", len(checked), checked)
	}
}

// Every entry of flagValues names a flag that exists, so that a renamed
// flag does not silently lose its completion.
func TestFlagValuesEntriesExist(t *testing.T) {
	root := completionRoot(t)
	seen := map[string]bool{}
	visitFlags(root, func(cmd *cobra.Command, fl *pflag.Flag) { seen[cmd.CommandPath()+" --"+fl.Name] = true })
	for name := range completion.FlagValues {
		if !seen[name] {
			t.Errorf("flagValues has %q, but there is no such flag", name)
		}
	}
}

// No flag that takes a value falls back to file names unless it names a
// file or folder.
func TestValueFlagsCompleteNoFiles(t *testing.T) {
	root := completionRoot(t)
	n := 0
	visitFlags(root, func(cmd *cobra.Command, fl *pflag.Flag) {
		if fl.Value.Type() == "bool" || completion.TakesFile(fl) || fl.Name == "help" {
			return
		}
		n++
		if _, ok := cmd.GetFlagCompletionFunc(fl.Name); !ok {
			t.Errorf("%s --%s: no completion function, so the shell offers file names", cmd.CommandPath(), fl.Name)
		}
	})
	if n == 0 {
		t.Fatal("no value flags found")
	}
}

func TestOutputCompletion(t *testing.T) {
	root := completionRoot(t)
	fn, ok := root.GetFlagCompletionFunc("output")
	if !ok {
		t.Fatal("-o has no completion")
	}
	for path, want := range map[string][]string{
		"charge":       {"table", "json"},
		"batch refund": {"table", "json", "csv"},
	} {
		cmd, _, err := root.Find(strings.Fields(path))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := candidates(fn, cmd, nil, ""); !slices.Equal(got, want) {
			t.Errorf("bokuctl %s -o: %q, want %q", path, got, want)
		}
	}
}

func TestAllowedValues(t *testing.T) {
	for name, want := range map[string][]string{
		"provider":         {"boku", "worldline"},
		"boku.environment": {"test", "production"},
		"ottu.auth":        {"api-key", "basic"},
		"ottu.plugin":      {"e_commerce", "payment_request"},
		"boku.country":     nil,
		"journal":          nil,
		"boku.max-retries": nil,
	} {
		key, ok := config.LookupKey(name)
		if !ok {
			t.Fatalf("no setting %s", name)
		}
		if got := completion.AllowedValues(key); !slices.Equal(got, want) {
			t.Errorf("allowedValues(%s) = %q, want %q", name, got, want)
		}
	}
	// Whatever is offered is accepted.
	for _, key := range config.Keys() {
		for _, v := range completion.AllowedValues(key) {
			if err := key.Validate(v); err != nil {
				t.Errorf("%s: offered %q, refused: %v", key.Name, v, err)
			}
		}
	}
}

// Arguments: names where names are expected, files only for FILE, else
// nothing.
func TestArgsCompletion(t *testing.T) {
	root := completionRoot(t)
	completion.WalkCommands(root, func(cmd *cobra.Command) {
		if cmd.ValidArgsFunction == nil {
			t.Errorf("%s: no argument completion", cmd.CommandPath())
			return
		}
		if strings.HasPrefix(cmd.CommandPath(), "bokuctl completion") {
			return
		}
		_, directive := candidates(cmd.ValidArgsFunction, cmd, nil, "")
		want := cobra.ShellCompDirectiveNoFileComp
		if slices.Contains([]string{"bokuctl batch capture", "bokuctl batch charge", "bokuctl batch refund", "bokuctl batch reverse", "bokuctl journal backup", "bokuctl profile import worldline-properties"}, cmd.CommandPath()) {
			want = cobra.ShellCompDirectiveDefault
		}
		if directive != want {
			t.Errorf("%s: directive %v for the first argument, want %v", cmd.CommandPath(), directive, want)
		}
	})
	for _, c := range []struct {
		args       []string
		toComplete string
		want       []string
	}{
		{[]string{"secret", "set"}, "", []string{"boku-key", "worldline-client-secret", "ottu-api-key", "ottu-password", "journal-password", "worldline-proxy-password"}},
		{[]string{"profile", "set", "shop"}, "ottu.a", []string{"ottu.auth"}},
		{[]string{"profile", "set", "shop", "ottu.auth"}, "", []string{"api-key", "basic"}},
		{[]string{"profile", "set", "shop", "ottu.auth", "basic"}, "", nil},
		{[]string{"profile", "unset", "shop", "ottu.auth"}, "", nil},
		{[]string{"profile", "use"}, "", nil}, // no config file: no profiles
	} {
		cmd, args, err := root.Find(c.args)
		if err != nil {
			t.Fatal(err)
		}
		got, directive := candidates(cmd.ValidArgsFunction, cmd, args, c.toComplete)
		if !slices.Equal(got, c.want) || directive != cobra.ShellCompDirectiveNoFileComp {
			t.Errorf("%q %q: %q %v, want %q NoFileComp", c.args, c.toComplete, got, directive, c.want)
		}
	}
}
