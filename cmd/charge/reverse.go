package charge

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
)

func newReverseCmd(f *cmdutil.Factory) (*cobra.Command, *provider.Verb) {
	cmd := &cobra.Command{
		Use:   "reverse (--merchant-request-id ORIGINAL_ID | PAYMENT_ID)",
		Short: "Reverse a charge (Boku) or an authorization (Worldline)",
		Long: `Boku: reverse a charge by the merchant request id it was sent with (Boku's
reverse-charge has no charge id), within an hour of the charge. Boku answers
OK even when it never received the charge, so this is the way to settle a
charge whose outcome is unknown (exit 5); reversing again is safe.
Worldline: release all or part (--amount/--currency) of an authorization
that has not been captured.

On a terminal it asks for confirmation; elsewhere it refuses unless --yes
is given.`,
		Example: `  bokuctl charge reverse --merchant-request-id order-1234
  bokuctl charge reverse --provider worldline pay:ch:etu:… --amount 5.00 --currency EUR --yes`,
		Args: cmdutil.UsageArgs(cobra.MaximumNArgs(1)),
	}
	var yes bool
	verb := provider.New(cmd, provider.Handlers{
		provider.Boku:      &boku.ChargeReverse{},
		provider.Worldline: &worldline.Reverse{},
	})
	run := verb.RunE(f)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		what := "the charge"
		if len(args) == 1 {
			what = args[0]
		} else if key, _ := cmd.Flags().GetString("merchant-request-id"); key != "" {
			what = "the charge sent as " + key
		}
		question := "Reverse " + what
		if amount, _ := cmd.Flags().GetString("amount"); amount != "" {
			currency, _ := cmd.Flags().GetString("currency")
			question = fmt.Sprintf("Release %s %s of %s", amount, currency, what)
		}
		f.ConfirmBeforeSending(yes, "reversing a charge", question)
		return run(cmd, args)
	}
	cmdutil.AddYesFlag(cmd, &yes)
	// After provider.New: the flags are the Worldline handler's.
	cmd.MarkFlagsRequiredTogether("amount", "currency")
	return cmd, verb
}
