// Package refund is `bokuctl refund` and its sub-verbs. It holds the flags
// every provider shares; each provider's side is a handler in
// internal/provider/<provider>.
package refund

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
)

// NewCmd is `bokuctl refund`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd, _ := newCmd(f)
	return cmd
}

// Rows is `refund` for a batch: the command, whose flags name a row's
// columns, and its verb, which runs a row as Go (provider.Verb.Prepare).
func Rows(f *cmdutil.Factory) (*cobra.Command, *provider.Verb) { return newCmd(f) }

func newCmd(f *cmdutil.Factory) (*cobra.Command, *provider.Verb) {
	in := &provider.AmountInput{}
	cmd := &cobra.Command{
		Use:   "refund (CHARGE_ID | PAYMENT_ID | --standalone) [--amount DECIMAL --currency CUR]",
		Short: "Refund all or part of a charge (Boku) or payment (Worldline)",
		Long: `Refund with the profile's provider (or --provider), fully (no --amount) or
partly (--amount with --currency). The total refunded never exceeds what was
charged. A full refund asks for confirmation on a terminal; elsewhere it
needs --yes.

Boku: refund a charge for one of Boku's six reasons (--reason); the
merchant refund id is the idempotency key, and --notify asks Boku for a
refund notification. Worldline: refund a captured
payment, or with --standalone refund to a card given as JSON on stdin or in
--card-file; the operation id is the idempotency key. Keys are printed
before sending; resending one never refunds twice.`,
		Example: `  bokuctl refund ch-000003 --reason goodwill --yes # everything still refundable
  bokuctl refund ch-000003 --amount 1.50 --reason non-fulfillment
  bokuctl refund --provider worldline pay:ch:etu:… --amount 5.00 --currency EUR`,
		Args: cmdutil.UsageArgs(cobra.MaximumNArgs(1)),
	}
	cmd.Flags().StringVar(&in.Amount, "amount", "", "amount to refund as a decimal (default: all that is left)")
	cmd.Flags().StringVar(&in.Currency, "currency", "", "currency of --amount, the charge's (Boku: default the charge's, asked of Boku first)")
	var yes bool
	verb := provider.New(cmd, provider.Handlers{
		provider.Boku:      boku.NewRefund(in),
		provider.Worldline: worldline.NewRefund(in),
	})
	run := verb.RunE(f)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if in.Amount == "" && len(args) == 1 {
			f.ConfirmBeforeSending(yes, "a full refund (no --amount)", fmt.Sprintf("Refund %s in full", args[0]))
		}
		return run(cmd, args)
	}
	cmdutil.AddYesFlag(cmd, &yes)
	cmd.AddCommand(newStatusCmd(f), newCaptureCmd(f), newReverseCmd(f))
	return cmd, verb
}
