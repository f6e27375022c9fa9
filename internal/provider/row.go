package provider

import (
	"context"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// Row is one batch row as a verb's input: its argument, if it has one,
// and its columns by flag name ("merchant-refund-id"), as the flags would
// be typed on a command line.
type Row struct {
	Args  []string
	Flags map[string]string
}

// RowInput is a handler's typed input: every value its command reads from
// its flags and arguments, filled from a row by the same flag definitions
// (their defaults and their parsing) the command line uses.
type RowInput interface {
	// Run checks the input, announces the idempotency key, sends and
	// prints, as the handler's Run does after reading its flags.
	Run(ctx context.Context, f *cmdutil.Factory, args []string) error
}

// RowRunner is a Handler that runs a batch row as Go, without a command:
// NewRowInput returns a fresh input with every flag a row may give for
// this provider (the verb's shared ones, such as --amount, included)
// registered on fs and bound to it.
type RowRunner interface {
	NewRowInput(fs *pflag.FlagSet) RowInput
}

// Prepared is one row ready to run: the provider chosen for it and its
// typed input, filled.
type Prepared struct {
	Provider Name
	// Flags are the row's flags as their values print (a bool column
	// "1" is "true"): what the journal row records, as for a command
	// line's.
	Flags map[string]string
	input RowInput
	args  []string
}

// Args is the row's argument, if it has one.
func (p Prepared) Args() []string { return p.args }

// Run runs the row with f, the row's own Factory.
func (p Prepared) Run(ctx context.Context, f *cmdutil.Factory) error {
	f.Provider = string(p.Provider)
	return p.input.Run(ctx, f, p.args)
}

// Prepare chooses the row's provider as Run chooses a command's (path is
// the command's path under bokuctl: "charge capture"), refuses a column
// that is another provider's flag, and fills the provider's typed input
// from the row. Nothing is sent. A column's name must be one of the verb's
// flags (the caller checks names against the command's flags).
func (v *Verb) Prepare(f *cmdutil.Factory, path string, row Row) (Prepared, error) {
	name, handler, err := v.choose(f, path, row.Args, func(flag string) bool { _, ok := row.Flags[flag]; return ok }, path)
	if err != nil {
		return Prepared{}, err
	}
	runner, ok := handler.(RowRunner)
	if !ok {
		return Prepared{}, exitcode.New(exitcode.Usage, "batch %s does not run with the %s provider", path, name)
	}
	fs := pflag.NewFlagSet(path, pflag.ContinueOnError)
	input := runner.NewRowInput(fs)
	flags := make([]string, 0, len(row.Flags))
	for flag := range row.Flags {
		flags = append(flags, flag)
	}
	sort.Strings(flags) // the first bad column is the same every time
	given := make(map[string]string, len(flags))
	for _, flag := range flags {
		col := strings.ReplaceAll(flag, "-", "_")
		if fs.Lookup(flag) == nil {
			return Prepared{}, exitcode.New(exitcode.Usage, "unknown column %q for batch %s", col, path).
				WithHint("columns are named like the flags of bokuctl %s", path)
		}
		if err := fs.Set(flag, row.Flags[flag]); err != nil {
			return Prepared{}, exitcode.New(exitcode.Usage, "column %s: invalid value %q", col, row.Flags[flag])
		}
		given[flag] = fs.Lookup(flag).Value.String()
	}
	return Prepared{Provider: name, Flags: given, input: input, args: row.Args}, nil
}

// choose picks the provider and its handler for a run with args, where
// changed reports whether a flag was given, and refuses the first flag
// another provider registered. usage is how the refusal names the
// command's help.
func (v *Verb) choose(f *cmdutil.Factory, path string, args []string, changed func(flag string) bool, usage string) (Name, Handler, error) {
	settings, err := f.Settings()
	if err != nil {
		return "", nil, err
	}
	setting := settings.Lookup("provider")
	name := Name(setting.Value)
	explicit := setting.Source == config.SourceFlag || setting.Source == config.SourceEnv
	if inferred, why := v.infer(path, args); inferred != "" && inferred != name {
		if explicit {
			return "", nil, exitcode.New(exitcode.Usage, "%s %s contradicts %s", setting.Origin, name, why).
				WithHint("drop %s, or use --provider %s", setting.Origin, inferred)
		}
		name = inferred
	}
	handler, ok := v.handlers[name]
	if !ok {
		offered := v.names()
		want := make([]string, len(offered))
		for i, n := range offered {
			want[i] = string(n)
		}
		return "", nil, exitcode.New(exitcode.Usage, "%s is only available for the %s provider (the profile uses %s)", path, strings.Join(want, " or "), name).
			WithHint("use --provider %s", want[0])
	}
	f.Provider = string(name)
	for _, o := range v.owners {
		if o.provider != name && changed(o.flag) {
			return "", nil, exitcode.New(exitcode.Usage, "--%s does not apply to the %s provider", o.flag, name).
				WithHint("see `%s --help`; choose the provider with --provider or the profile's provider setting", usage)
		}
	}
	return name, handler, nil
}

// FlagProvider is the provider whose handler registered flag, "" for a
// flag of the command itself (--amount of refund).
func (v *Verb) FlagProvider(flag string) Name {
	for _, o := range v.owners {
		if o.flag == flag {
			return o.provider
		}
	}
	return ""
}
