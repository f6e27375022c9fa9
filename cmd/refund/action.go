package refund

import (
	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
)

// newCaptureCmd is `refund capture` (Worldline).
func newCaptureCmd(f *cmdutil.Factory) *cobra.Command {
	return newActionCmd(f, "capture", "Capture an authorized refund (Worldline)", worldline.NewRefundCapture())
}

// newReverseCmd is `refund reverse` (Worldline).
func newReverseCmd(f *cmdutil.Factory) *cobra.Command {
	return newActionCmd(f, "reverse", "Reverse an authorized, not yet captured refund (Worldline)", worldline.NewRefundReverse())
}

func newActionCmd(f *cmdutil.Factory, verb, short string, handler provider.Handler) *cobra.Command {
	cmd := &cobra.Command{
		Use:   verb + " REFUND_ID",
		Short: short,
		Example: `  REFUND_ID=$(bokuctl refund pay:ch:etu:… --amount 20.00 --currency EUR --capture=false --jq .refund_id)
  bokuctl refund ` + verb + ` "$REFUND_ID"`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
	}
	run := provider.New(cmd, provider.Handlers{provider.Worldline: handler}).RunE(f)
	if verb != "reverse" {
		cmd.RunE = run
		return cmd
	}
	// Reversing a refund undoes money: the one confirmation rule.
	var yes bool
	cmd.Long = `Reverse a refund authorization that has not been captured: the refund
is cancelled whole. On a terminal it asks for confirmation; elsewhere it
refuses unless --yes is given.`
	cmd.Example = `  bokuctl refund reverse "$REFUND_ID"            # asks on a terminal
  bokuctl refund reverse "$REFUND_ID" --yes      # in a script`
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		f.ConfirmBeforeSending(yes, "reversing a refund", "Reverse refund "+args[0])
		return run(cmd, args)
	}
	cmdutil.AddYesFlag(cmd, &yes)
	return cmd
}
