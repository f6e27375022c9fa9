// Package verifycard is `bokuctl verify-card`: Worldline's account
// verification.
package verifycard

import (
	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
)

// NewCmd is `bokuctl verify-card`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify-card",
		Short: "Verify a card without charging it (Worldline account verification)",
		Long: `Verify a card with Worldline's account verification: no money moves. The
card is JSON {"number","expiry","cvc"} on stdin or in --card-file. Approved
exits 0, declined 3.`,
		Example: `  bokuctl verify-card --card-file card.json`,
		Args:    cmdutil.UsageArgs(cobra.NoArgs),
	}
	cmd.RunE = provider.New(cmd, provider.Handlers{provider.Worldline: &worldline.VerifyCard{}}).RunE(f)
	return cmd
}
