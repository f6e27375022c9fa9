// Package cmd is bokuctl's root: Execute and Run, the root command with
// the global options, the signal handling of Execute, and the help topics
// (exit-codes, environment) and version. Every other command lives in its
// own package beneath it, which the root wires: the payment nouns
// (cmd/charge, cmd/refund, cmd/forex, cmd/fundcheck, cmd/verifycard,
// cmd/operation), which reach the providers only through
// internal/provider, and the rest (cmd/batch, cmd/reconcile, cmd/journal,
// cmd/initcmd, cmd/profile, cmd/secret, cmd/sandbox, cmd/completion,
// cmd/optin, cmd/simulate, cmd/verifyservice, cmd/notify, cmd/sign,
// cmd/methods). Exit codes are decided in one place, Run, from the typed
// errors the commands return.
//
// Imports flow one way: cmd → cmd/<noun> → internal/provider/* →
// internal/cmdutil → pkg/*. No command package imports cmd: what one
// needs from the root (the demo's Run, the provider registry) is passed in.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/cmd/api"
	"github.com/bokuctl/bokuctl/cmd/batch"
	"github.com/bokuctl/bokuctl/cmd/charge"
	"github.com/bokuctl/bokuctl/cmd/completion"
	"github.com/bokuctl/bokuctl/cmd/forex"
	"github.com/bokuctl/bokuctl/cmd/fundcheck"
	"github.com/bokuctl/bokuctl/cmd/initcmd"
	"github.com/bokuctl/bokuctl/cmd/journal"
	"github.com/bokuctl/bokuctl/cmd/methods"
	"github.com/bokuctl/bokuctl/cmd/notify"
	"github.com/bokuctl/bokuctl/cmd/operation"
	"github.com/bokuctl/bokuctl/cmd/optin"
	"github.com/bokuctl/bokuctl/cmd/profile"
	"github.com/bokuctl/bokuctl/cmd/reconcile"
	"github.com/bokuctl/bokuctl/cmd/refund"
	sandboxcmd "github.com/bokuctl/bokuctl/cmd/sandbox"
	"github.com/bokuctl/bokuctl/cmd/secret"
	"github.com/bokuctl/bokuctl/cmd/sign"
	"github.com/bokuctl/bokuctl/cmd/simulate"
	"github.com/bokuctl/bokuctl/cmd/status"
	"github.com/bokuctl/bokuctl/cmd/verifycard"
	"github.com/bokuctl/bokuctl/cmd/verifyservice"
	"github.com/bokuctl/bokuctl/internal/build"
	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/all"
	"github.com/bokuctl/bokuctl/internal/sandbox"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// Execute runs bokuctl with the process's arguments and streams and returns
// the exit code.
func Execute() int { return ExecuteWith(os.Exit) }

// ExecuteWith is Execute with exit as the way to end the process when a
// signal stops bokuctl outside the run (see stopper): a harness that
// captures the output passes one that flushes it first.
func ExecuteWith(exit func(code int)) int {
	// No core dump may hold a secret: off before anything reads one.
	if err := cmdutil.DisableCoreDumps(); err != nil {
		fmt.Fprintf(os.Stderr, "Warning: core dumps could not be turned off (%v); a crash could write secrets to disk\n", err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	// A signal that stops bokuctl after a request was sent ends the run
	// with exit 5 and the command that settles it, never with a status
	// that hides the request (see stopper).
	sends := &cmdutil.Sends{}
	ctx = cmdutil.WithSends(ctx, sends)
	ctx = cmdutil.WithProcessEnd(ctx)
	ios := output.System(cmdutil.DefaultGetenv, false)
	stop := &stopper{errOut: ios.ErrOut, sends: sends, cancel: cancel, exit: exit, grace: signalGrace}
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, stopSignals...)
	go stop.watch(signals)
	// A reader that went away (bokuctl charge … | head -c0) must not kill
	// the process with SIGPIPE after a request was sent: the write fails
	// with EPIPE instead, and the exit code stays the outcome's.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	code := Run(ctx, ios, cmdutil.DefaultGetenv, os.Args[1:])
	// The run's outcome is decided: a signal from now on changes nothing.
	stop.finish()
	signal.Stop(signals)
	return code
}

// Run executes one command line with the given streams and environment.
func Run(ctx context.Context, ios *output.IOStreams, getenv func(string) string, args []string) int {
	f := cmdutil.NewFactory(ios, getenv)
	f.Sends = cmdutil.SendsFrom(ctx)
	f.ProcessEnds = cmdutil.ProcessEnds(ctx)
	f.AllowProductionOverride = productionOverrideEnv != "" && getenv(productionOverrideEnv) == "1"
	f.SandboxSecret = func(name string) (string, bool) {
		value, ok := sandbox.Secrets()[name]
		return value, ok
	}
	var root *cobra.Command
	switch {
	case wholeTree:
		root = NewRootCmd(f)
	case onlyVersion(args):
		// The one command that needs nothing of the tree: building the
		// whole tree is most of what `bokuctl version` costs.
		root = newRoot(f, all.Registry())
		root.AddCommand(newVersionCmd(f))
		root.CompletionOptions.DisableDefaultCmd = true
	case onlyRootHelp(args):
		// The root's help lists the commands; it needs none of them built.
		root = newRoot(f, all.Registry())
		addCommandStubs(root)
	default:
		// Only the command args select is built (building them all is
		// most of what starting costs), unless they need the whole tree.
		if root = lazyRoot(f, args); root == nil {
			root = NewRootCmd(f)
		}
	}
	root.SetArgs(args)
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	if testCommand != nil {
		root.AddCommand(testCommand(f))
	}
	panicked, err := executeRecovering(ctx, root, f)
	if panicked {
		f.Finish(err)
		f.CloseJournal()
		if f.Printer != nil {
			return int(f.Printer.PrintError(err))
		}
		return int(output.WriteError(ios.ErrOut, err, f.Output == string(output.FormatJSON)))
	}
	if err == nil && f.Printer != nil && f.Printer.FilterErr != nil && !f.Sent() {
		// Nothing was sent: a --jq that failed is the run's error. After a
		// request was sent, the outcome decides the exit code instead.
		err = f.Printer.FilterErr
	}
	err = stoppedOutcome(f, err)
	err = f.EndDryRun(err)
	f.Finish(err)
	f.CloseJournal()
	if errors.Is(err, syscall.EPIPE) {
		// The reader went away (| head): it chose to stop reading, as with
		// any Unix tool; nothing was sent (after a send the outcome wins).
		return int(exitcode.OK)
	}
	if err == nil {
		return int(exitcode.OK)
	}
	if f.Printer == nil {
		// The error came from parsing: an unknown command or flag, a wrong
		// number of arguments, or an invalid global option.
		if exitcode.Of(err) == exitcode.Unexpected {
			err = &exitcode.Error{Code: exitcode.Usage, Err: err, Hint: "run `bokuctl --help` for usage"}
		}
		return int(output.WriteError(ios.ErrOut, err, f.Output == string(output.FormatJSON)))
	}
	return int(f.Printer.PrintError(err))
}

// wholeTree, set only by tests, makes Run build the whole tree for
// `version` too.
var wholeTree bool

// testCommand, set only by tests, adds a command to the tree Run builds.
var testCommand func(f *cmdutil.Factory) *cobra.Command

// productionOverrideEnv, set only by the test suite
// (AllowProductionOverrideInTests), names the variable that, set to 1,
// lets a production profile be pointed at a loopback fake. A release
// binary never sets it: main.go does not call it, so no variable does.
var productionOverrideEnv string

// AllowProductionOverrideInTests makes Run honour the variable env set to
// 1: a production profile may then send elsewhere than the provider's
// production host (the test suite's fakes). Only a test binary calls it.
func AllowProductionOverrideInTests(env string) { productionOverrideEnv = env }

// executeRecovering runs root and turns a panic into an error: exit 1
// ("internal error"), or exit 5 when a request that changes state was
// already sent, since Go's own exit status for a panic (2) would claim
// that nothing was processed. A panic in another goroutine is not caught.
func executeRecovering(ctx context.Context, root *cobra.Command, f *cmdutil.Factory) (panicked bool, err error) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		panicked = true
		report := fmt.Sprintf("internal error: %v; please report it, with the output of bokuctl version", p)
		if f.Debug {
			fmt.Fprintf(f.IO.ErrOut, "panic: %v\n\n%s\n", p, debug.Stack())
		}
		if !f.Sent() {
			err = &exitcode.Error{Code: exitcode.Unexpected, Message: report, Hint: "no request that changes state was sent"}
			return
		}
		hint := "the request was sent and may have been processed: do not retry with a new id; check the outcome first with: bokuctl reconcile"
		if f.Printer != nil && f.Printer.IdempotencyKey != "" {
			hint = fmt.Sprintf("the request with idempotency key %s was sent and may have been processed: do not retry with a new id; check the outcome first with: bokuctl reconcile (or bokuctl journal show %s)", f.Printer.IdempotencyKey, f.Printer.IdempotencyKey)
		}
		err = &exitcode.Error{Code: exitcode.UnknownOutcome, Message: report, Hint: hint}
	}()
	_, err = root.ExecuteContextC(ctx)
	return false, err
}

// NewRootCmd builds the command tree around f.
func NewRootCmd(f *cmdutil.Factory) *cobra.Command {
	providers := all.Registry()
	root := newRoot(f, providers)
	addCommands(f, providers, root)
	return root
}

// onlyVersion reports whether args run `bokuctl version` (after global
// options), which needs no other command.
func onlyVersion(args []string) bool {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "version":
			return true
		case a == "--":
			return false
		case a == "-p" || a == "--profile" || a == "--provider" || a == "--config" || a == "-o" || a == "--output" ||
			a == "--jq" || a == "--json" || a == "--timeout":
			i++ // its value
		case strings.HasPrefix(a, "-"):
		default:
			return false // another command
		}
	}
	return false
}

// newRoot is the root command with the global options, and no commands.
func newRoot(f *cmdutil.Factory, providers *provider.Registry) *cobra.Command {
	root := &cobra.Command{
		Use:   "bokuctl",
		Short: "Drive Boku, Worldline Acquiring and Ottu payments from the terminal",
		Long: `bokuctl drives merchant payment providers from a terminal, a runbook or CI:
Boku Direct Payments, Worldline Acquiring and Ottu payment methods.

Settings come from profiles in the config file; secrets from the OS keyring
or environment variables. Results go to stdout as a table or, with -o json,
as stable JSON; progress and errors go to stderr. Exit codes are the same
for every command: see ` + "`bokuctl help exit-codes`" + `.`,
		Example: `  bokuctl sandbox demo                  # every provider's main flow against local fakes, no account
  bokuctl profile add shop --provider boku --boku-merchant-id m-123 --boku-key-id k1 --boku-country gb
  bokuctl -p shop charge --optin-id oi-000001 --amount 4.99 --currency GBP
  bokuctl help exit-codes`,
		Version:       build.Current().Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return setUp(f, providers, cmd)
		},
	}
	root.SetVersionTemplate("bokuctl version {{.Version}}\n")
	root.SetHelpCommand(newHelpCmd())
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if groupErr := cmdutil.GroupFlagError(c); groupErr != nil {
			return groupErr
		}
		hint := cmdutil.SuggestFlag(c, err)
		if err.Error() == "flag needs an argument: --json" {
			hint = "give comma-separated field names, e.g. --json status,amount; a name the result does not have lists the ones it has"
		}
		if hint == "" {
			hint = fmt.Sprintf("run `%s --help` for usage", c.CommandPath())
		}
		return &exitcode.Error{Code: exitcode.Usage, Err: cmdutil.FlagError(err), Hint: hint}
	})

	flags := root.PersistentFlags()
	flags.StringVarP(&f.ProfileFlag, "profile", "p", "", "profile to use (env BOKUCTL_PROFILE; default: the current profile)")
	flags.String("provider", "", "provider behind charge/refund/forex/fund-check: boku or worldline (overrides the profile)")
	f.ProviderFlag = flags.Lookup("provider")
	flags.StringVar(&f.ConfigFlag, "config", "", "config file (env BOKUCTL_CONFIG; default $XDG_CONFIG_HOME/bokuctl/config.yaml)")
	flags.StringVarP(&f.Output, "output", "o", "table", "output format: table or json (batch: also csv)")
	flags.StringVar(&f.JQ, "jq", "", "filter JSON output with a jq expression (implies -o json)")
	flags.StringVar(&f.JSONFields, "json", "", "print only these top-level JSON fields, comma-separated (implies -o json; an unknown name lists them)")
	flags.StringVar(&f.Template, "template", "", "format the JSON result with a Go template, as gh does: tablerow, timefmt, join, truncate, color… (see docs/json.md)")
	flags.BoolVar(&f.NoColor, "no-color", false, "disable colour (also NO_COLOR, CLICOLOR=0)")
	flags.BoolVar(&f.Debug, "debug", false, "log each request and response to stderr, secrets masked")
	flags.DurationVar(&f.Timeout, "timeout", 30*time.Second, "time limit for each request to a provider (env BOKUCTL_TIMEOUT)")
	flags.BoolVar(&f.NoJournal, "no-journal", false, "send without writing the journal (see bokuctl journal --help)")
	flags.BoolVar(&f.DryRun, "dry-run", false, "build and sign the request, print it with secrets masked, send nothing (batch: check every row)")
	flags.BoolVar(&f.Curl, "curl", false, "with --dry-run: print the request as a curl command, secrets as environment variables")
	flags.BoolP("yes", "y", false, "answer every confirmation, sending to production included (needed off a terminal)")
	return root
}

// commandGroups are the groups of the root's help, in order.
var commandGroups = []struct{ id, title string }{
	{"payments", "Payments (Boku, or Worldline with --provider worldline):"},
	{"boku", "Boku:"},
	{"worldline", "Worldline:"},
	{"ottu", "Ottu:"},
	{"setup", "Setup and tools:"},
}

// rootCommand is one command (or help topic, with no group) of the root:
// what the root's help says of it, and how to build it. The root's help
// needs only the first three, so `bokuctl --help` builds none of the
// commands (building them all is most of what it would cost);
// TestRootCommandsAreTheBuiltOnes checks that they say what the built
// commands say.
type rootCommand struct {
	group, name, short string
	build              func(f *cmdutil.Factory, providers *provider.Registry) *cobra.Command
}

// rootCommands lists the root's commands and help topics.
func rootCommands() []rootCommand {
	type reg = *provider.Registry
	type fac = *cmdutil.Factory
	return []rootCommand{
		{"payments", "charge", "Charge a Boku opt-in or a card (Worldline)", func(f fac, _ reg) *cobra.Command { return charge.NewCmd(f) }},
		{"payments", "refund", "Refund all or part of a charge (Boku) or payment (Worldline)", func(f fac, _ reg) *cobra.Command { return refund.NewCmd(f) }},
		{"payments", "forex", "Show an exchange rate and convert an amount (Boku forex, Worldline DCC)", func(f fac, _ reg) *cobra.Command { return forex.NewCmd(f) }},
		{"payments", "fund-check", "Ask whether a payment method can cover an amount (Boku fund check, Worldline balance inquiry)", func(f fac, _ reg) *cobra.Command { return fundcheck.NewCmd(f) }},
		{"payments", "batch", "Run many refunds, charges, captures or reversals from a file: validated first, rate-limited, resumable", func(f fac, p reg) *cobra.Command { return batch.NewCmd(f, p, nil) }},
		{"boku", "optin", "Opt a consumer's payment method in (Boku hosted opt-in: begin, validate, confirm), query and cancel it", func(f fac, _ reg) *cobra.Command { return optin.NewCmd(f) }},
		{"boku", "simulate", "Set what Boku's test-environment simulator answers next (MTE only)", func(f fac, _ reg) *cobra.Command { return simulate.NewCmd(f) }},
		{"boku", "verify-service", "Check that a Boku service id is valid for the profile's merchant (legacy API)", func(f fac, _ reg) *cobra.Command { return verifyservice.NewCmd(f) }},
		{"boku", "notify", "Check Boku's signed notifications", func(f fac, _ reg) *cobra.Command { return notify.NewCmd(f) }},
		{"boku", "listen", "Receive Boku notifications, verify them, print and forward them", func(f fac, _ reg) *cobra.Command { return notify.NewListenCmd(f) }},
		{"boku", "sign", "Compute Boku signature headers, for debugging integrations", func(f fac, _ reg) *cobra.Command { return sign.NewCmd(f) }},
		{"worldline", "verify-card", "Verify a card without charging it (Worldline account verification)", func(f fac, _ reg) *cobra.Command { return verifycard.NewCmd(f) }},
		{"worldline", "operation", "Act on a single Worldline operation", func(f fac, _ reg) *cobra.Command { return operation.NewCmd(f) }},
		{"ottu", "methods", "Which payment methods (gateways) an Ottu merchant can offer", func(f fac, _ reg) *cobra.Command { return methods.NewCmd(f) }},
		{"setup", "api", "Send any call of the profile's provider, signed and journalled like the others", func(f fac, p reg) *cobra.Command { return api.NewCmd(f, p) }},
		{"setup", "init", "Set up a profile for a provider: settings, secret, and a harmless check", func(f fac, p reg) *cobra.Command { return initcmd.NewCmd(f, p, nil) }},
		{"setup", "journal", "The record of every request that moved money or changed state", func(f fac, _ reg) *cobra.Command { return journal.NewCmd(f) }},
		{"setup", "reconcile", "Settle the journal's unknown and pending requests by asking the providers", func(f fac, p reg) *cobra.Command { return reconcile.NewCmd(f, p, nil) }},
		{"setup", "status", "What needs attention: unknown and pending requests, unfinished batches", func(f fac, _ reg) *cobra.Command { return status.NewCmd(f) }},
		{"setup", "profile", "Manage profiles: named sets of provider settings", func(f fac, p reg) *cobra.Command { return profile.NewCmd(f, p) }},
		{"setup", "secret", "Store, check and delete a profile's secrets", func(f fac, p reg) *cobra.Command { return secret.NewCmd(f, p) }},
		{"setup", "sandbox", "Run fake Boku, Worldline and Ottu servers locally: try every command with no account", func(f fac, _ reg) *cobra.Command { return sandboxcmd.NewCmd(f, Run) }},
		{"setup", "version", "Show the version, commit, build date and Go version", func(f fac, _ reg) *cobra.Command { return newVersionCmd(f) }},
		{"", "exit-codes", "What each exit code means", func(fac, reg) *cobra.Command { return newExitCodesTopic() }},
		{"", "environment", "Every environment variable bokuctl reads", func(fac, reg) *cobra.Command { return newEnvironmentTopic() }},
	}
}

// addCommands adds every command and help topic to root.
func addCommands(f *cmdutil.Factory, providers *provider.Registry, root *cobra.Command) {
	for _, g := range commandGroups {
		root.AddGroup(&cobra.Group{ID: g.id, Title: g.title})
	}
	for _, rc := range rootCommands() {
		root.AddCommand(buildRootCommand(f, providers, rc))
	}
	root.SetHelpCommandGroupID("setup")
	root.SetCompletionCommandGroupID("setup")
	root.InitDefaultCompletionCmd()
	setCompletionExamples(root)
	if completion, _, err := root.Find([]string{"completion"}); err == nil && completion != root {
		cmdutil.AsGroup(completion)
	}
	completion.Register(root, f)
}

// buildRootCommand builds one of the root's commands, in its group.
func buildRootCommand(f *cmdutil.Factory, providers *provider.Registry, rc rootCommand) *cobra.Command {
	c := rc.build(f, providers)
	c.GroupID = rc.group
	if rc.group != "" && (rc.group != "setup" || rc.name == "api") && !slices.Contains([]string{"notify", "listen", "sign"}, rc.name) {
		// Its requests go to a provider: --dry-run applies.
		cmdutil.MarkSends(c)
	}
	return c
}

// addCommandStubs gives root a stand-in for each command and help topic,
// with what the root's help shows of it: its name, its line, its group,
// and whether it runs (a topic does not); and cobra's completion command.
// It returns what each stand-in stands for. A stand-in never runs:
// lazyRoot replaces the one a command line selects with the command, and
// Run uses the others only for the root's help.
func addCommandStubs(root *cobra.Command) map[*cobra.Command]rootCommand {
	for _, g := range commandGroups {
		root.AddGroup(&cobra.Group{ID: g.id, Title: g.title})
	}
	stubs := map[*cobra.Command]rootCommand{}
	for _, rc := range rootCommands() {
		c := &cobra.Command{Use: rc.name, Short: rc.short, GroupID: rc.group, Annotations: map[string]string{standInAnnotation: "true"}}
		if rc.group != "" {
			c.RunE = func(cmd *cobra.Command, args []string) error {
				return fmt.Errorf("internal error: the stand-in for %s ran", cmd.CommandPath())
			}
		}
		root.AddCommand(c)
		stubs[c] = rc
	}
	root.SetHelpCommandGroupID("setup")
	root.SetCompletionCommandGroupID("setup")
	root.InitDefaultCompletionCmd()
	return stubs
}

// standInAnnotation marks a stand-in (for tests).
const standInAnnotation = "bokuctl_stand_in"

// lazyRoot is the tree for args with only the command they select built
// (a command of rootCommands, with all its subcommands), the others
// stand-ins, or nil when args select none of them: the root itself, an
// unknown command, the help or completion commands, or a completion
// request (those need the whole tree). Cobra resolves args on this tree
// exactly as on the whole one: the stand-ins have the commands' names,
// and the root's flags are the same.
func lazyRoot(f *cmdutil.Factory, args []string) *cobra.Command {
	if len(args) > 0 && slices.Contains([]string{"help", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd}, args[0]) {
		return nil // known to need the whole tree: no stand-ins to build first
	}
	providers := all.Registry()
	root := newRoot(f, providers)
	stubs := addCommandStubs(root)
	c, _, err := root.Find(args)
	if err != nil {
		return nil
	}
	for c.HasParent() && c.Parent() != root {
		c = c.Parent()
	}
	rc, ok := stubs[c]
	if !ok {
		return nil
	}
	root.RemoveCommand(c)
	root.AddCommand(buildRootCommand(f, providers, rc))
	completion.Register(root, f)
	return root
}

// onlyRootHelp reports whether args ask for the root's help and nothing
// else: none, or only -h, --help and at most one help (the help command,
// which shows the root's help, or its own with -h).
func onlyRootHelp(args []string) bool {
	helps := 0
	for _, a := range args {
		switch a {
		case "-h", "--help":
		case "help":
			helps++
		default:
			return false
		}
	}
	return helps <= 1
}

// setUp validates the global options and builds the printer. It runs after
// flag parsing and before any command does its work.
func setUp(f *cmdutil.Factory, providers *provider.Registry, cmd *cobra.Command) error {
	// Cobra checks required flags and flag groups after this hook; check
	// them here so that a missing flag is a usage error (exit 2) like any
	// other, not an unexpected one.
	for _, validate := range []func() error{cmd.ValidateRequiredFlags, cmd.ValidateFlagGroups} {
		if err := validate(); err != nil {
			return &exitcode.Error{Code: exitcode.Usage, Err: cmdutil.FlagError(err), Hint: fmt.Sprintf("run `%s --help` for usage", cmd.CommandPath())}
		}
	}
	format, err := output.ParseFormat(f.Output)
	if err != nil {
		return err
	}
	if format == output.FormatCSV && !strings.HasPrefix(cmd.CommandPath(), "bokuctl batch ") {
		return exitcode.New(exitcode.Usage, "-o csv is for batch results only").WithHint("use -o table or -o json")
	}
	if f.NoColor {
		f.IO.Color = false
	}
	printer, err := output.NewPrinter(f.IO, format, f.JQ)
	if err != nil {
		return err
	}
	if cmd.Flags().Changed("template") {
		if f.JQ != "" {
			return exitcode.New(exitcode.Usage, "--jq and --template cannot be used together").WithHint("use one: --jq filters the JSON, --template formats it")
		}
		if format == output.FormatCSV {
			return exitcode.New(exitcode.Usage, "--template and -o csv cannot be used together")
		}
		if printer.Template, err = output.ParseTemplate(f.Template, f.IO.Color); err != nil {
			return err
		}
		printer.Format = output.FormatJSON
	}
	if cmd.Flags().Changed("json") {
		for _, field := range strings.Split(f.JSONFields, ",") {
			if field = strings.TrimSpace(field); field != "" {
				printer.Fields = append(printer.Fields, field)
			}
		}
		if len(printer.Fields) == 0 {
			return exitcode.New(exitcode.Usage, "--json needs field names").WithHint("for example --json status,amount; a name the result does not have lists the ones it has")
		}
		if format == output.FormatCSV {
			return exitcode.New(exitcode.Usage, "--json and -o csv cannot be used together")
		}
		printer.Format = output.FormatJSON
	}
	if name := f.ProviderFlag.Value.String(); f.ProviderFlag.Changed && !slices.Contains(providers.PaymentNames(), name) {
		return exitcode.New(exitcode.Usage, "invalid value %q for --provider", name).WithHint("use --provider %s", strings.Join(providers.PaymentNames(), " or --provider "))
	}
	if err := cmdutil.CheckDryRun(f, cmd); err != nil {
		return err
	}
	if !cmd.Flags().Changed("timeout") {
		if env := f.Getenv("BOKUCTL_TIMEOUT"); env != "" {
			d, err := time.ParseDuration(env)
			if err != nil {
				return exitcode.New(exitcode.Usage, "invalid BOKUCTL_TIMEOUT %q: %v", env, err).WithHint("use a duration such as 30s or 2m")
			}
			f.Timeout = d
		}
	}
	if f.Timeout <= 0 {
		return exitcode.New(exitcode.Usage, "--timeout must be positive, got %s", f.Timeout).WithHint("use a duration such as 30s or 2m")
	}
	printer.Recorder = f.RecordResult
	f.Printer = printer
	f.Command = cmd
	return nil
}
