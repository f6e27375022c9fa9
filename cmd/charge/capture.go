package charge

import (
	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
)

func newCaptureCmd(f *cmdutil.Factory) (*cobra.Command, *provider.Verb) {
	cmd := &cobra.Command{
		Use:   "capture PAYMENT_ID [--amount DECIMAL --currency CUR]",
		Short: "Capture all or part of an authorized payment (Worldline)",
		Example: `  bokuctl charge capture pay:ch:etu:…                          # everything still authorized
  bokuctl charge capture pay:ch:etu:… --amount 15.00 --currency EUR
  bokuctl charge capture pay:ch:etu:… --amount 45.00 --currency EUR --final`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
	}
	verb := provider.New(cmd, provider.Handlers{provider.Worldline: &worldline.Capture{}})
	cmd.RunE = verb.RunE(f)
	cmd.MarkFlagsRequiredTogether("amount", "currency")
	return cmd, verb
}
