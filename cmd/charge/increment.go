package charge

import (
	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
)

func newIncrementCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "increment PAYMENT_ID --amount DECIMAL --currency CUR",
		Short: "Raise a pre-authorization (Worldline)",
		Example: `  bokuctl charge --provider worldline --amount 50.00 --currency EUR --pre-auth --card-file card.json
  bokuctl charge increment pay:ch:etu:… --amount 10.00 --currency EUR`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
	}
	cmd.RunE = provider.New(cmd, provider.Handlers{provider.Worldline: &worldline.Increment{}}).RunE(f)
	cmd.MarkFlagsRequiredTogether("amount", "currency")
	cmd.MarkFlagRequired("amount")
	cmd.MarkFlagRequired("currency")
	return cmd
}
