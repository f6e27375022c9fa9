package charge

import (
	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
)

func newStatusCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status (CHARGE_ID | --merchant-request-id ID | PAYMENT_ID [--operations])",
		Short: "Show a charge (Boku) or a payment (Worldline)",
		Long: `Show a charge's status. Boku: by charge id, or after an unknown outcome
(exit 5) by the merchant request id printed before sending. Worldline: a
payment by its id, with --operations for its captures, reversals and so on.`,
		Example: `  bokuctl charge status ch-000003
  bokuctl charge status --merchant-request-id order-1234   # after exit 5
  bokuctl charge status pay:ch:etu:… --operations`,
		Args: cmdutil.UsageArgs(cobra.MaximumNArgs(1)),
	}
	cmd.RunE = provider.New(cmd, provider.Handlers{
		provider.Boku:      &boku.ChargeStatus{},
		provider.Worldline: &worldline.ChargeStatus{},
	}).RunE(f)
	return cmd
}
