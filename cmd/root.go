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
	f.AllowProductionOverride = productionOverrideEnv != "" && getenv(productionOverrideEnv) == "1"
	f.SandboxSecret = func(name string) (string, bool) {
		value, ok := sandbox.Secrets()[name]
		return value, ok
	}
	var root *cobra.Command
	if onlyVersion(args) && !wholeTree {
		// The one command that needs nothing of the tree: building the
		// whole tree is most of what `bokuctl version` costs.
		root = newRoot(f, all.Registry())
		root.AddCommand(newVersionCmd(f))
	} else {
		root = NewRootCmd(f)
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
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
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

// addCommands adds every command and help topic to root.
func addCommands(f *cmdutil.Factory, providers *provider.Registry, root *cobra.Command) {
	groups := []struct {
		id, title string
		commands  []*cobra.Command
	}{
		{"payments", "Payments (Boku, or Worldline with --provider worldline):", []*cobra.Command{
			charge.NewCmd(f), refund.NewCmd(f), forex.NewCmd(f), fundcheck.NewCmd(f), batch.NewCmd(f, providers, nil),
		}},
		{"boku", "Boku:", []*cobra.Command{
			optin.NewCmd(f), simulate.NewCmd(f), verifyservice.NewCmd(f), notify.NewCmd(f), notify.NewListenCmd(f), sign.NewCmd(f),
		}},
		{"worldline", "Worldline:", []*cobra.Command{verifycard.NewCmd(f), operation.NewCmd(f)}},
		{"ottu", "Ottu:", []*cobra.Command{methods.NewCmd(f)}},
		{"setup", "Setup and tools:", []*cobra.Command{
			api.NewCmd(f, providers), initcmd.NewCmd(f, providers, nil), journal.NewCmd(f), reconcile.NewCmd(f, providers, nil), status.NewCmd(f), profile.NewCmd(f, providers), secret.NewCmd(f, providers), sandboxcmd.NewCmd(f, Run), newVersionCmd(f),
		}},
	}
	for _, g := range groups {
		root.AddGroup(&cobra.Group{ID: g.id, Title: g.title})
		for _, c := range g.commands {
			c.GroupID = g.id
			if (g.id != "setup" || c.Name() == "api") && !slices.Contains([]string{"notify", "listen", "sign"}, c.Name()) {
				// Its requests go to a provider: --dry-run applies.
				cmdutil.MarkSends(c)
			}
			root.AddCommand(c)
		}
	}
	root.SetHelpCommandGroupID("setup")
	root.SetCompletionCommandGroupID("setup")
	root.AddCommand(newExitCodesTopic(), newEnvironmentTopic())
	root.InitDefaultCompletionCmd()
	setCompletionExamples(root)
	if completion, _, err := root.Find([]string{"completion"}); err == nil && completion != root {
		cmdutil.AsGroup(completion)
	}
	completion.Register(root, f)
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
