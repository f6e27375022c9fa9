// Package forex is `bokuctl forex`: an exchange rate from Boku, or a DCC
// quote from Worldline.
package forex

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
)

// NewCmd is `bokuctl forex`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	in := &provider.ForexInput{}
	cmd := &cobra.Command{
		Use:   "forex --from-currency CUR --to-currency CUR [--amount DECIMAL]",
		Short: "Show an exchange rate and convert an amount (Boku forex, Worldline DCC)",
		Long: `Show the provider's exchange rate for a currency pair. Boku: the forex rate,
and with --amount its conversion. Worldline: a dynamic currency conversion
(DCC) quote for --amount, with mark-up and rate reference. Rates are shown
exactly as the provider sent them, never re-formatted through floating point.
--from and --to are short for --from-currency and --to-currency.

Inferred: Boku publishes its forex call by name only; bokuctl sends it in the
3.0 conventions of its published calls (country, merchant-id,
merchant-request-id, decimal amounts).`,
		Example: `  bokuctl forex --country gb --from-currency GBP --to-currency EUR --amount 10
  bokuctl forex --provider worldline --from EUR --to USD --amount 10.00`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&in.FromCode, "from-currency", "", "ISO 4217 code to convert from")
	cmd.Flags().StringVar(&in.ToCode, "to-currency", "", "ISO 4217 code to convert to")
	cmd.Flags().StringVar(&in.Amount, "amount", "", "amount of --from-currency to convert, as a decimal")
	verb := provider.New(cmd, provider.Handlers{
		provider.Boku:      boku.NewForex(in), // --country, into in.Country
		provider.Worldline: worldline.NewForex(in),
	})
	// The country's shape and both currencies are checked before the
	// provider is chosen, deliberately: a bad value is reported as such
	// whichever provider is selected (so `--provider worldline --country
	// zzz` says "not a country code", not "does not apply").
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if in.Country != "" {
			if err := cmdutil.CheckCountry(in.Country); err != nil {
				return err
			}
		}
		var err error
		if in.From, err = money.LookupCurrency(in.FromCode); err != nil {
			return exitcode.New(exitcode.Usage, "--from-currency: %v", err)
		}
		if in.To, err = money.LookupCurrency(in.ToCode); err != nil {
			return exitcode.New(exitcode.Usage, "--to-currency: %v", err)
		}
		return verb.Run(cmd, f, args)
	}
	cmd.MarkFlagRequired("from-currency")
	cmd.MarkFlagRequired("to-currency")
	cmd.Flags().SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		switch name {
		case "from":
			name = "from-currency"
		case "to":
			name = "to-currency"
		}
		return pflag.NormalizedName(name)
	})
	return cmd
}
