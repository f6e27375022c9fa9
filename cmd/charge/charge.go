// Package charge is `bokuctl charge` and its sub-verbs. It holds the flags
// every provider shares; each provider's side is a handler in
// internal/provider/<provider>.
package charge

import (
	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
)

// NewCmd is `bokuctl charge`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd, _ := newCmd(f)
	cmd.AddCommand(newStatusCmd(f), first(newReverseCmd(f)), first(newCaptureCmd(f)), newIncrementCmd(f), newHostedCmd(f))
	return cmd
}

// Rows is the command a batch runs for sub ("" for charge itself,
// "capture", "reverse"): the command, whose flags name a row's columns,
// and its verb, which runs a row as Go (provider.Verb.Prepare). The
// command is under a bare "charge", so that its path is the single
// command's.
func Rows(f *cmdutil.Factory, sub string) (*cobra.Command, *provider.Verb) {
	noun, verb := newCmd(f)
	var cmd *cobra.Command
	switch sub {
	case "":
		return noun, verb
	case "capture":
		cmd, verb = newCaptureCmd(f)
	case "reverse":
		cmd, verb = newReverseCmd(f)
	default:
		panic("charge: no batch verb " + sub)
	}
	noun.AddCommand(cmd)
	return cmd, verb
}

func first[A, B any](a A, _ B) A { return a }

func newCmd(f *cmdutil.Factory) (*cobra.Command, *provider.Verb) {
	in := &provider.AmountInput{}
	cmd := &cobra.Command{
		Use:   "charge --amount DECIMAL --currency CUR (--optin-id ID | card on stdin)",
		Short: "Charge a Boku opt-in or a card (Worldline)",
		Long: `Charge with the profile's provider (or --provider).

Boku: charge an opted-in payment method (--optin-id). A merchant request id
is the idempotency key. Worldline: process a card payment; the card is JSON
{"number","expiry","cvc"} on stdin or in --card-file (never a flag), and the
operation id is the idempotency key.

The amount is a decimal in the currency's unit ("4.99" GBP, "500" JPY,
"1.250" KWD) and is sent as exact minor units. The idempotency key is
printed on stderr before anything is sent; sending the same key again
returns the original result and never charges twice. If the answer is lost
(exit 5), the hint says how to find out what happened before doing anything
else.`,
		Example: `  bokuctl charge --country gb --optin-id oi-000002 --amount 4.99 --currency GBP
  bokuctl charge --optin-id oi-000002 --amount 4.99 --currency GBP --merchant-request-id order-1234
  bokuctl charge --provider worldline --amount 12.34 --currency EUR --capture --card-file card.json`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&in.Amount, "amount", "", "amount as a decimal, e.g. 4.99")
	cmd.Flags().StringVar(&in.Currency, "currency", "", "ISO 4217 currency code, e.g. GBP")
	verb := provider.New(cmd, provider.Handlers{
		provider.Boku:      boku.NewCharge(in),
		provider.Worldline: worldline.NewCharge(in),
	})
	cmd.RunE = verb.RunE(f)
	cmd.MarkFlagRequired("amount")
	cmd.MarkFlagRequired("currency")
	return cmd, verb
}
