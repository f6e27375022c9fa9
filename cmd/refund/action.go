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
	cmd.RunE = provider.New(cmd, provider.Handlers{provider.Worldline: handler}).RunE(f)
	return cmd
}
