package cmd

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/bokuclient"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// forexResult is the output of `forex`. Rate is Boku's exact decimal
// string, never re-formatted.
type forexResult struct {
	Country              string `json:"country"`
	FromCurrency         string `json:"from_currency"`
	ToCurrency           string `json:"to_currency"`
	Rate                 string `json:"rate"`
	Amount               string `json:"amount,omitempty"`
	AmountMinorUnits     *int64 `json:"amount_minor_units,omitempty"`
	ConvertedAmount      string `json:"converted_amount,omitempty"`
	ConvertedAmountMinor *int64 `json:"converted_amount_minor_units,omitempty"`
	ValidUntil           string `json:"valid_until,omitempty"`
}

func (r forexResult) Table() output.Table {
	fields := []output.Field{
		{Label: "Pair", Value: output.Text(r.FromCurrency + "/" + r.ToCurrency)},
		{Label: "Rate", Value: output.Text(r.Rate)},
	}
	if r.Amount != "" {
		fields = append(fields, output.Field{Label: "Amount", Value: output.Text(r.Amount + " " + r.FromCurrency)})
	}
	if r.ConvertedAmount != "" {
		fields = append(fields, output.Field{Label: "Converted", Value: output.Text(r.ConvertedAmount + " " + r.ToCurrency)})
	}
	if r.ValidUntil != "" {
		fields = append(fields, output.Field{Label: "Valid until", Value: output.Text(r.ValidUntil)})
	}
	return output.Table{Fields: fields}
}

type forexOptions struct {
	Country, From, To, Amount string
	DCC                       dccOptions
}

func newForexCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &forexOptions{}
	cmd := &cobra.Command{
		Use:   "forex --from-currency CUR --to-currency CUR [--amount DECIMAL]",
		Short: "Show an exchange rate and convert an amount (Boku forex, Worldline DCC)",
		Long: `Show the provider's exchange rate for a currency pair. Boku: the forex rate,
and with --amount its conversion. Worldline: a dynamic currency conversion
(DCC) quote for --amount, with mark-up and rate reference. Rates are shown
exactly as the provider sent them, never re-formatted through floating point.
--from and --to are short for --from-currency and --to-currency.`,
		Example: `  bokuctl forex --country gb --from-currency GBP --to-currency EUR --amount 10
  bokuctl forex --provider worldline --from EUR --to USD --amount 10.00`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runForex(cmd, f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Country, "country", "", "country, ISO 3166-1 alpha-2 (default: the profile's boku.country)")
	cmd.Flags().StringVar(&opts.From, "from-currency", "", "ISO 4217 code to convert from")
	cmd.Flags().StringVar(&opts.To, "to-currency", "", "ISO 4217 code to convert to")
	cmd.Flags().StringVar(&opts.Amount, "amount", "", "amount of --from-currency to convert, as a decimal")
	addDCCFlags(cmd, &opts.DCC)
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

func runForex(cmd *cobra.Command, f *cmdutil.Factory, opts *forexOptions) error {
	if opts.Country != "" {
		if err := cmdutil.CheckCountry(opts.Country); err != nil {
			return err
		}
	}
	from, err := money.LookupCurrency(opts.From)
	if err != nil {
		return exitcode.New(exitcode.Usage, "--from-currency: %v", err)
	}
	to, err := money.LookupCurrency(opts.To)
	if err != nil {
		return exitcode.New(exitcode.Usage, "--to-currency: %v", err)
	}
	p, err := provider(f)
	if err != nil {
		return err
	}
	if p == "worldline" {
		if err := onlyFor(cmd, "worldline", "country"); err != nil {
			return err
		}
		return runWorldlineForex(cmd, f, from, to, opts.Amount, &opts.DCC)
	}
	if err := onlyFor(cmd, "boku", worldlineForexFlags...); err != nil {
		return err
	}
	req := bokuclient.ForexRequest{FromCurrency: from.Code, ToCurrency: to.Code}
	if opts.Amount != "" {
		amount, err := money.ParsePositive(opts.Amount, from.Code)
		if err != nil {
			return exitcode.New(exitcode.Usage, "--amount: %v", err)
		}
		req.Amount = &amount.MinorUnits
	}
	session, err := newBokuSession(cmd.Context(), f, opts.Country)
	if err != nil {
		return err
	}
	if opts.Country == "" {
		opts.Country = session.client.Country()
	}
	req.Country = strings.ToUpper(opts.Country)
	resp, err := session.client.Forex(cmd.Context(), req)
	if err != nil {
		return bokuFailure(err, "")
	}
	return f.Printer.Print(forexResult{
		Country: strings.ToLower(opts.Country), FromCurrency: from.Code, ToCurrency: to.Code, Rate: resp.Rate,
		Amount: decimalOf(req.Amount, from.Code), AmountMinorUnits: req.Amount,
		ConvertedAmount: decimalOf(resp.ConvertedAmount, to.Code), ConvertedAmountMinor: resp.ConvertedAmount,
		ValidUntil: resp.ValidUntil,
	})
}
