// Package simulate is `bokuctl simulate`: what Boku's test-environment
// simulator answers next.
package simulate

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.WithExample(cmdutil.GroupCmd("simulate", "Set what Boku's test-environment simulator answers next (MTE only)",
		newSimulateHostedOptinCmd(f), newSimulateBehaviorCmd(f, "charge-behavior"), newSimulateBehaviorCmd(f, "refund-behavior")),
		`  bokuctl simulate hosted-optin --merchant-request-id optin-42 --response-code 900 --fail-on-validate
  bokuctl simulate charge-behavior --optin-id D4q4jgAAAABTRwAAAAAAAA --error-code 3`)
}

// simulateResult is the output of every simulate command.
type simulateResult struct {
	Simulator string `json:"simulator"`
	Target    string `json:"target"`
	Behavior  string `json:"behavior"`
	Set       bool   `json:"set"`
}

func (r simulateResult) Table() output.Table {
	return output.Table{Fields: []output.Field{
		{Label: "Behavior", Value: output.Text(r.Behavior)},
		{Label: "For", Value: output.Text(r.Target)},
		{Label: "Simulator", Value: output.Text(r.Simulator)},
		{Label: "Set", Value: output.Status(cmdutil.YesNo(r.Set))},
	}}
}

// simulatorSession is a Boku session for the simulator, refused for a
// production profile: the simulator is part of Boku's test environment.
func simulatorSession(ctx context.Context, f *cmdutil.Factory) (*boku.Session, string, error) {
	settings, err := f.Settings()
	if err != nil {
		return nil, "", err
	}
	if settings.Get("boku.environment") == bokudirect.Production {
		return nil, "", exitcode.New(exitcode.Usage, "the simulator exists only in Boku's test environment; this profile is production").
			WithHint("use a profile with boku.environment test")
	}
	session, err := boku.NewSession(ctx, f, "")
	if err != nil {
		return nil, "", err
	}
	return session, settings.Get("boku.simulator-url"), nil
}

func newSimulateHostedOptinCmd(f *cmdutil.Factory) *cobra.Command {
	var (
		merchantRequestID, optinID, account, userID string
		responseCode                                int
		failOnValidate, sendRedirect                bool
		redirectDelay                               time.Duration
	)
	cmd := &cobra.Command{
		Use:   "hosted-optin (--merchant-request-id ID | --optin-id ID) --response-code N",
		Short: "Set the result of a hosted opt-in's issuer step",
		Long: `Set the result of a hosted opt-in in Boku's test environment. Before the opt-in
is begun, name it by the --merchant-request-id it will be begun with (then
--fail-on-validate and --send-redirection-result apply); after, by
--optin-id: that simulates the consumer coming back from the issuer, so
optin validate can follow.`,
		Example: `  bokuctl simulate hosted-optin --merchant-request-id optin-42 --response-code 900 --fail-on-validate
  bokuctl simulate hosted-optin --optin-id D4q4jgAAAABTRwAAAAAAAA --response-code 0`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (merchantRequestID == "") == (optinID == "") {
				return exitcode.New(exitcode.Usage, "give either --merchant-request-id (before the opt-in) or --optin-id (after)")
			}
			b := bokudirect.HostedOptinBehavior{ResponseCode: responseCode, AccountIdentifier: account, IssuerUniqueUserID: userID}
			before := merchantRequestID != ""
			if !before && (cmd.Flags().Changed("fail-on-validate") || cmd.Flags().Changed("send-redirection-result") || cmd.Flags().Changed("redirection-delay")) {
				return exitcode.New(exitcode.Usage, "--fail-on-validate, --send-redirection-result and --redirection-delay apply before the opt-in: use --merchant-request-id")
			}
			if cmd.Flags().Changed("fail-on-validate") {
				b.FailOnValidate = &failOnValidate
			}
			if cmd.Flags().Changed("send-redirection-result") {
				b.SendRedirectionResult = &sendRedirect
			}
			if cmd.Flags().Changed("redirection-delay") {
				ms := redirectDelay.Milliseconds()
				b.RedirectionDelayMS = &ms
			}
			target := optinID
			if before {
				target = merchantRequestID
				if err := checkKey("merchant-request-id", merchantRequestID); err != nil {
					return err
				}
			} else if err := cmdutil.CheckID("--optin-id", optinID); err != nil {
				return err
			}
			session, simulator, err := simulatorSession(cmd.Context(), f)
			if err != nil {
				return err
			}
			if before {
				err = session.Direct.SimulateOptinBefore(cmd.Context(), simulator, merchantRequestID, b)
			} else {
				err = session.Direct.SimulateOptinRedirect(cmd.Context(), simulator, optinID, b)
			}
			if err != nil {
				return err
			}
			return f.Printer.Print(simulateResult{Simulator: simulator, Target: target, Behavior: "hosted-optin", Set: true})
		},
	}
	cmd.Flags().StringVar(&merchantRequestID, "merchant-request-id", "", "the opt-in still to be begun, by its merchant request id")
	cmd.Flags().StringVar(&optinID, "optin-id", "", "the opt-in already begun")
	cmd.Flags().IntVar(&responseCode, "response-code", 0, "the reason code Boku answers (0: success)")
	cmd.Flags().StringVar(&account, "account-identifier", "", "the account-identifier the opt-in shows")
	cmd.Flags().StringVar(&userID, "issuer-user-id", "", "the issuer-unique-user-id the opt-in shows")
	cmd.Flags().BoolVar(&failOnValidate, "fail-on-validate", false, "answer --response-code at validate-optin instead of at optin")
	cmd.Flags().BoolVar(&sendRedirect, "send-redirection-result", false, "fake the consumer's return from the issuer by itself")
	cmd.Flags().DurationVar(&redirectDelay, "redirection-delay", 0, "how long after the optin the faked return comes (at least 500ms)")
	cmd.MarkFlagRequired("response-code")
	return cmd
}

func newSimulateBehaviorCmd(f *cmdutil.Factory, behavior string) *cobra.Command {
	var (
		optinID   string
		errorCode int
		latency   time.Duration
	)
	what := map[string]string{"charge-behavior": "charges", "refund-behavior": "refunds"}[behavior]
	cmd := &cobra.Command{
		Use:   behavior + " --optin-id ID --error-code N [--latency DURATION]",
		Short: "Set how an opt-in's " + what + " end in Boku's test environment",
		Long: "Set the final reason code of the opt-in's " + what + ` (0: success) and how long they stay in
progress first. Error code 23 keeps them in progress for ever; a latency
longer than the request's timeout (charge --wait) makes Boku answer 23.`,
		Example: "  bokuctl simulate " + behavior + " --optin-id D4q4jgAAAABTRwAAAAAAAA --error-code 3",
		Args:    cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckID("--optin-id", optinID); err != nil {
				return err
			}
			if latency < 0 {
				return exitcode.New(exitcode.Usage, "--latency must not be negative")
			}
			session, simulator, err := simulatorSession(cmd.Context(), f)
			if err != nil {
				return err
			}
			b := bokudirect.ChargeBehavior{ErrorCode: errorCode}
			if cmd.Flags().Changed("latency") {
				ms := latency.Milliseconds()
				b.LatencyMS = &ms
			}
			if behavior == "charge-behavior" {
				err = session.Direct.SimulateCharges(cmd.Context(), simulator, optinID, b)
			} else {
				err = session.Direct.SimulateRefunds(cmd.Context(), simulator, optinID, b)
			}
			if err != nil {
				return err
			}
			return f.Printer.Print(simulateResult{Simulator: simulator, Target: optinID, Behavior: behavior, Set: true})
		},
	}
	cmd.Flags().StringVar(&optinID, "optin-id", "", "the opt-in whose "+what+" to set")
	cmd.Flags().IntVar(&errorCode, "error-code", 0, "the final reason code (0: success; 23: in progress for ever)")
	cmd.Flags().DurationVar(&latency, "latency", 0, "how long they stay in progress before the final state")
	cmd.MarkFlagRequired("optin-id")
	cmd.MarkFlagRequired("error-code")
	return cmd
}

// checkKey refuses an idempotency key Boku would not take.
func checkKey(flag, key string) error {
	if !cmdutil.ValidKey(key) {
		return exitcode.New(exitcode.Usage, "--%s %q: use 1 to 64 letters, digits or . _ : -", flag, key)
	}
	return nil
}
