package charge

import (
	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
)

func newReverseCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reverse CHARGE_ID|PAYMENT_ID",
		Short: "Reverse a charge (Boku) or an authorization (Worldline)",
		Long: `Boku: reverse a successful charge; the reversal has its own merchant request
id (printed before sending), and resending it never reverses twice.
Worldline: release all or part (--amount/--currency) of an authorization
that has not been captured.`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
	}
	cmd.RunE = provider.New(cmd, provider.Handlers{
		provider.Boku:      &boku.ChargeReverse{},
		provider.Worldline: &worldline.Reverse{},
	}).RunE(f)
	// After provider.New: the flags are the Worldline handler's.
	cmd.MarkFlagsRequiredTogether("amount", "currency")
	return cmd
}
