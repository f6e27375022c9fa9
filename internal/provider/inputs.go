package provider

import (
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/pkg/money"
)

// AmountInput is what charge, refund and fund-check read from their own
// --amount and --currency flags, as typed; each provider parses it.
type AmountInput struct{ Amount, Currency string }

// ForexInput is what forex reads from its own flags. The currencies are
// resolved and Country's shape is checked by the command before dispatch,
// so a bad value is reported the same way whichever provider is selected.
type ForexInput struct {
	FromCode, ToCode, Amount string
	From, To                 money.Currency
	// Country is set by the Boku handler's --country flag.
	Country string
}

// AddFlags registers --amount and --currency bound to a, for a batch
// row's input (the commands register their own, with their own help).
func (a *AmountInput) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&a.Amount, "amount", "", "amount as a decimal")
	fs.StringVar(&a.Currency, "currency", "", "ISO 4217 currency code")
}
