// Package fundcheck is `bokuctl fund-check`: a Boku fund check on an
// opt-in, or a Worldline balance inquiry on a card.
package fundcheck

import (
	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
)

// NewCmd is `bokuctl fund-check`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	in := &provider.AmountInput{}
	cmd := &cobra.Command{
		Use:   "fund-check (--optin-id ID | card on stdin) [--amount DECIMAL --currency CUR]",
		Short: "Ask whether a payment method can cover an amount (Boku fund check, Worldline balance inquiry)",
		Long: `Ask, without charging, whether the payment method can cover an amount.
Boku: a fund check on an opt-in (--optin-id, --amount and --currency needed).
Worldline: a balance inquiry on a card given as JSON on stdin or in
--card-file; with --amount/--currency the balance is compared with it.
Sufficient exits 0; insufficient exits 3 with the reason.

Inferred: Boku publishes its fund-check call by name only (ScheduleFundCheck);
bokuctl sends it in the 3.0 conventions of its published calls and reads a
synchronous answer.`,
		Example: `  bokuctl fund-check --optin-id oi-000002 --amount 4.99 --currency GBP
  bokuctl fund-check --provider worldline --amount 50 --currency EUR --card-file card.json`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&in.Amount, "amount", "", "amount as a decimal, e.g. 4.99")
	cmd.Flags().StringVar(&in.Currency, "currency", "", "ISO 4217 currency code")
	cmd.RunE = provider.New(cmd, provider.Handlers{
		provider.Boku:      boku.NewFundCheck(in),
		provider.Worldline: worldline.NewFundCheck(in),
	}).RunE(f)
	cmd.MarkFlagsRequiredTogether("amount", "currency")
	return cmd
}
