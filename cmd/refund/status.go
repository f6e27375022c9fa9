package refund

import (
	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
)

func newStatusCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status (REFUND_ID | --merchant-refund-id ID)",
		Short: "Show a refund",
		Long: `Show a refund. Boku: by refund id or merchant refund id. Worldline: by refund
id, with --operations for its authorization, capture and reversal.`,
		Example: `  bokuctl refund status rf-000004
  bokuctl refund status --merchant-refund-id refund-1234
  bokuctl refund status "$REFUND_ID" --operations        # a Worldline refund`,
		Args: cmdutil.UsageArgs(cobra.MaximumNArgs(1)),
	}
	cmd.RunE = provider.New(cmd, provider.Handlers{
		provider.Boku:      &boku.RefundStatus{},
		provider.Worldline: &worldline.RefundStatus{},
	}).RunE(f)
	return cmd
}
