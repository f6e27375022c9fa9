// Package completion gives shell completion its values (Register): cobra
// makes the completion command itself.
package completion

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	journalcmd "github.com/bokuctl/bokuctl/cmd/journal"
	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/money"
	"github.com/bokuctl/bokuctl/pkg/ottu"
	"github.com/bokuctl/bokuctl/pkg/output"
	"github.com/bokuctl/bokuctl/pkg/secret"
)

// Shell completion of values. Cobra completes command and flag names by
// itself; Register adds the values: profile names, secret names,
// setting keys and their values, and the fixed sets of values of enum-like
// flags. When a completion request runs, attachCompletions walks the
// finished command tree and attaches the functions by command path and flag
// name, so the commands themselves need not know.
//
// The value sets live in the packages that check them; the tables below
// only say which set belongs to which flag. Completion never fails loudly:
// on any error it suggests nothing and no files.

// values returns the completions of a flag for the command being completed,
// each "value" or "value\tdescription".
type values func(cmd *cobra.Command) []string

func fixed(list []string) values { return func(*cobra.Command) []string { return list } }

// settingValues completes with the values a profile setting accepts.
func settingValues(name string) values {
	return func(*cobra.Command) []string {
		key, ok := config.LookupKey(name)
		if !ok {
			return nil
		}
		return allowedValues(key)
	}
}

// flagValues maps "command path --flag" to the flag's values. Flags
// defined on the root (persistent) are keyed by the root's path.
var flagValues = map[string]values{
	"bokuctl --provider": settingValues("provider"),
	"bokuctl --output": func(cmd *cobra.Command) []string {
		formats := []string{string(output.FormatTable), string(output.FormatJSON)}
		if strings.HasPrefix(cmd.CommandPath(), "bokuctl batch ") {
			formats = append(formats, string(output.FormatCSV))
		}
		return formats
	},
	"bokuctl refund --reason":                fixed(bokudirect.RefundReasonNames()),
	"bokuctl methods list --plugin":          fixed(ottu.Plugins),
	"bokuctl methods list --operation":       fixed(ottu.Operations),
	"bokuctl methods list --type":            fixed(ottu.Types),
	"bokuctl methods list --payment-service": fixed(ottu.PaymentServices),
	"bokuctl methods list --tag":             fixed(ottu.Tags),
	"bokuctl journal list --status":          journalStatuses,
	"bokuctl journal export --status":        journalStatuses,
	"bokuctl journal settle --as":            fixed(journalcmd.SettledAs),
	"bokuctl optin begin --type":             flagDefault("type"),
	"bokuctl charge --card-on-file":          fixed(worldline.CardOnFileKinds),
	"bokuctl charge --initiator":             fixed(worldline.Initiators),
}

func currencies(*cobra.Command) []string { return money.Currencies() }

func journalStatuses(*cobra.Command) []string {
	return []string{journal.StatusUnknown, journal.StatusPending, journal.StatusDeclined, journal.StatusFailed, journal.StatusReversed, journal.StatusOK}
}

// flagDefault completes a flag whose only value is its default (optin
// begin --type hosted: the only type Boku publishes).
func flagDefault(name string) values {
	return func(cmd *cobra.Command) []string {
		if fl := cmd.Flags().Lookup(name); fl != nil && fl.DefValue != "" {
			return []string{fl.DefValue}
		}
		return nil
	}
}

// allowedValues is the fixed set of values a setting accepts, or nil when
// it accepts open values (ids, URLs, durations). pkg/config keeps the set
// inside the key's validator; it is read back from the validator's answer
// to a value no setting accepts, and every value is checked against the
// validator again, so a change of wording there yields no suggestions
// rather than wrong ones.
func allowedValues(key config.Key) []string {
	err := key.Validate("\x00")
	if err == nil {
		return nil
	}
	_, list, ok := strings.Cut(err.Error(), " is not one of ")
	if !ok {
		return nil
	}
	var out []string
	for _, v := range strings.Split(list, ", ") {
		if v == "" || key.Validate(v) != nil {
			return nil
		}
		out = append(out, v)
	}
	return out
}

// Register arranges for value completion of every command and
// flag of the tree under root. Only a completion request (the hidden
// __complete command the shell scripts run) needs it, so the functions are
// attached when one starts, from the root's persistent pre-run hook: every
// other command starts no slower, and runs the root's own hook as before.
// A completion request skips that hook: it parses no global options, and a
// bad one (BOKUCTL_TIMEOUT=x) must not turn completion into an error.
func Register(root *cobra.Command, f *cmdutil.Factory) {
	preE, pre := root.PersistentPreRunE, root.PersistentPreRun
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if cmd.Name() == cobra.ShellCompRequestCmd || cmd.Name() == cobra.ShellCompNoDescRequestCmd {
			attachCompletions(root, f)
			return nil
		}
		switch {
		case preE != nil:
			return preE(cmd, args)
		case pre != nil:
			pre(cmd, args)
		}
		return nil
	}
}

// attachCompletions attaches value completion to every command and flag of
// the tree under root.
func attachCompletions(root *cobra.Command, f *cmdutil.Factory) {
	walkCommands(root, func(cmd *cobra.Command) {
		// Flags() and PersistentFlags() hold the command's own flags before
		// it runs; LocalFlags() would merge its parents' flags in first, for
		// every command, which costs more than the rest of the walk.
		attach := func(fl *pflag.Flag) {
			if _, ok := cmd.GetFlagCompletionFunc(fl.Name); ok {
				return
			}
			if fn := flagCompletion(cmd, fl, f); fn != nil {
				_ = cmd.RegisterFlagCompletionFunc(fl.Name, fn)
			}
		}
		cmd.Flags().VisitAll(attach)
		cmd.PersistentFlags().VisitAll(attach)
		if cmd.ValidArgsFunction == nil && len(cmd.ValidArgs) == 0 {
			cmd.ValidArgsFunction = argsCompletion(cmd, f)
		}
	})
}

func walkCommands(cmd *cobra.Command, visit func(*cobra.Command)) {
	visit(cmd)
	for _, c := range cmd.Commands() {
		walkCommands(c, visit)
	}
}

// flagCompletion is the completion of one flag's value, or nil to keep
// Cobra's default (file names).
func flagCompletion(cmd *cobra.Command, fl *pflag.Flag, f *cmdutil.Factory) cobra.CompletionFunc {
	if v := flagValues[cmd.CommandPath()+" --"+fl.Name]; v != nil {
		return complete(v, isList(fl))
	}
	switch {
	case fl.Value.Type() == "bool":
		return nil
	case fl.Name == "currency" || strings.HasSuffix(fl.Name, "-currency"):
		// --currency, --from-currency, --to-currency: ISO 4217 codes.
		return complete(currencies, isList(fl))
	case cmd == cmd.Root() && fl.Name == "profile":
		return complete(func(*cobra.Command) []string { return profileNames(f) }, false)
	case (cmd.CommandPath() == "bokuctl profile add" || cmd.CommandPath() == "bokuctl init") && fl.Name != "use" && fl.Name != "no-check":
		// --boku-environment, --ottu-auth…: one flag per setting.
		return settingFlagCompletion(fl)
	}
	if strings.Contains(fl.Usage, "folder") {
		return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveFilterDirs
		}
	}
	if takesFile(fl) {
		return nil
	}
	return cobra.NoFileCompletions
}

// takesFile reports whether a flag names a file: --card-file, --config,
// --state, --journal (a file or off).
func takesFile(fl *pflag.Flag) bool {
	return strings.HasSuffix(fl.Name, "file") || strings.Contains(fl.Usage, " file")
}

func isList(fl *pflag.Flag) bool {
	t := fl.Value.Type()
	return strings.Contains(t, "Slice") || strings.Contains(t, "Array")
}

// settingFlagCompletion completes a `profile add` flag with the values of
// its setting, if a fixed set; it looks them up only when asked, so that
// building the command tree stays cheap.
func settingFlagCompletion(fl *pflag.Flag) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		for _, key := range config.Keys() {
			if key.FlagName() != fl.Name {
				continue
			}
			if allowed := allowedValues(key); allowed != nil {
				return matching(allowed, "", toComplete), cobra.ShellCompDirectiveNoFileComp
			}
		}
		if takesFile(fl) {
			return nil, cobra.ShellCompDirectiveDefault
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
}

// complete turns a values function into a completion function: the values
// that start with what was typed, and no file names. For a list flag
// (--payment-service apple_pay,goo) it completes the last element.
func complete(v values, list bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		prefix := ""
		if list {
			if i := strings.LastIndex(toComplete, ","); i >= 0 {
				prefix, toComplete = toComplete[:i+1], toComplete[i+1:]
			}
		}
		return matching(v(cmd), prefix, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// matching keeps the candidates ("value" or "value\tdescription") whose
// value starts with toComplete, with prefix put before each.
func matching(candidates []string, prefix, toComplete string) []cobra.Completion {
	var out []cobra.Completion
	for _, c := range candidates {
		if strings.HasPrefix(c, toComplete) {
			out = append(out, prefix+c)
		}
	}
	return out
}

// argsCompletion completes the positional arguments of a command: what is
// named by its path, a file for a FILE argument, else nothing (ids).
func argsCompletion(cmd *cobra.Command, f *cmdutil.Factory) cobra.CompletionFunc {
	// Each entry completes the argument at its position; past the end,
	// nothing.
	var positions []values
	switch cmd.CommandPath() {
	case "bokuctl profile use", "bokuctl profile show", "bokuctl profile remove":
		positions = []values{profileValues(f)}
	case "bokuctl profile unset":
		positions = []values{profileValues(f), settingKeys}
	case "bokuctl profile set":
		positions = []values{profileValues(f), settingKeys, nil}
	case "bokuctl secret set", "bokuctl secret delete":
		positions = []values{secretNames}
	default:
		if takesFileArg(cmd.Use) {
			return func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
				if len(args) == 0 {
					return nil, cobra.ShellCompDirectiveDefault
				}
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
		}
		return cobra.NoFileCompletions
	}
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) >= len(positions) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		v := positions[len(args)]
		if v == nil {
			// profile set NAME KEY VALUE: the values of KEY, if a fixed set.
			key, ok := config.LookupKey(args[len(args)-1])
			if !ok {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			v = fixed(allowedValues(key))
		}
		return matching(v(cmd), "", toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// takesFileArg reports whether a command's usage line has a FILE argument
// (batch charge FILE), not a FILE that is a flag's value (--state FILE).
func takesFileArg(use string) bool {
	words := strings.Fields(use)
	for i, w := range words {
		if strings.Trim(w, "[]") == "FILE" && (i == 0 || !strings.HasPrefix(strings.TrimLeft(words[i-1], "[("), "-")) {
			return true
		}
	}
	return false
}

// profileNames lists the profiles in the config file; none when the file
// cannot be read.
func profileNames(f *cmdutil.Factory) []string {
	file, err := f.Config()
	if err != nil {
		return nil
	}
	return file.Names()
}

func profileValues(f *cmdutil.Factory) values {
	return func(*cobra.Command) []string { return profileNames(f) }
}

func settingKeys(*cobra.Command) []string {
	var out []string
	for _, key := range config.Keys() {
		out = append(out, key.Name+"\t"+key.Help)
	}
	return out
}

func secretNames(*cobra.Command) []string {
	var out []string
	for _, s := range secret.Specs() {
		out = append(out, s.Name+"\t"+s.Help)
	}
	return out
}
