// Package refund is `bokuctl refund` and its sub-verbs. It holds the flags
// every provider shares; each provider's side is a handler in
// internal/provider/<provider>.
package refund

import (
	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
)

// NewCmd is `bokuctl refund`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	in := &provider.AmountInput{}
	cmd := &cobra.Command{
		Use:   "refund (CHARGE_ID | PAYMENT_ID | --standalone) [--amount DECIMAL --currency CUR]",
		Short: "Refund all or part of a charge (Boku) or payment (Worldline)",
		Long: `Refund with the profile's provider (or --provider), fully (no --amount) or
partly (--amount with --currency). The total refunded never exceeds what was
charged.

Boku: refund a charge; the answer shows what is still refundable, and the
merchant refund id is the idempotency key. Worldline: refund a captured
payment, or with --standalone refund to a card given as JSON on stdin or in
--card-file; the operation id is the idempotency key. Keys are printed
before sending; resending one never refunds twice.`,
		Example: `  bokuctl refund ch-000003                         # everything still refundable
  bokuctl refund ch-000003 --amount 1.50 --currency GBP --reason service-issue
  bokuctl refund --provider worldline pay:ch:etu:… --amount 5.00 --currency EUR`,
		Args: cmdutil.UsageArgs(cobra.MaximumNArgs(1)),
	}
	cmd.Flags().StringVar(&in.Amount, "amount", "", "amount to refund as a decimal (default: all that is left)")
	cmd.Flags().StringVar(&in.Currency, "currency", "", "currency of --amount (must be the charge's)")
	cmd.RunE = provider.New(cmd, provider.Handlers{
		provider.Boku:      boku.NewRefund(in),
		provider.Worldline: worldline.NewRefund(in),
	}).RunE(f)
	cmd.MarkFlagsRequiredTogether("amount", "currency")
	cmd.AddCommand(newStatusCmd(f), newCaptureCmd(f), newReverseCmd(f))
	return cmd
}
