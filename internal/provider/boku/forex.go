package boku

import (
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
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
	t := output.Table{Fields: []output.Field{
		{Label: "Pair", Value: output.Text(r.FromCurrency + "/" + r.ToCurrency)},
		{Label: "Rate", Value: output.Text(r.Rate)},
	}}
	if r.Amount != "" {
		t.Add("Amount", r.Amount+" "+r.FromCurrency)
	}
	if r.ConvertedAmount != "" {
		t.Add("Converted", r.ConvertedAmount+" "+r.ToCurrency)
	}
	t.Add("Valid until", r.ValidUntil)
	return t
}

// Forex is `bokuctl forex` with Boku: the forex rate of a pair and, with
// --amount, its conversion.
type Forex struct{ in *provider.ForexInput }

// NewForex is Boku's side of `forex`; its --country flag fills in.Country.
func NewForex(in *provider.ForexInput) *Forex { return &Forex{in: in} }

// AddFlags registers --country.
func (x *Forex) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&x.in.Country, "country", "", "country, ISO 3166-1 alpha-2 (default: the profile's boku.country)")
}

// Run asks Boku for the rate.
func (x *Forex) Run(cmd *cobra.Command, f *cmdutil.Factory, _ []string) error {
	in := x.in
	req := bokudirect.ForexRequest{FromCurrency: in.From.Code, ToCurrency: in.To.Code}
	var amountMinor *int64
	if in.Amount != "" {
		amount, err := cmdutil.ParseAmountIn(in.Amount, in.From)
		if err != nil {
			return err
		}
		req.Amount, amountMinor = bokudirect.WireAmount(amount), &amount.MinorUnits
	}
	session, err := NewSession(cmd.Context(), f, in.Country)
	if err != nil {
		return err
	}
	if err := session.CheckCountry(in.Country); err != nil {
		return err
	}
	// A read-only call: its request id needs no announcing.
	req.MerchantRequestID = uuid.NewString()
	resp, err := session.Direct.Forex(cmd.Context(), req)
	if err != nil {
		return Explain(err, "")
	}
	result := forexResult{
		Country: strings.ToLower(session.Direct.Country()), FromCurrency: in.From.Code, ToCurrency: in.To.Code, Rate: resp.Rate,
		Amount: decimalOf(amountMinor, in.From.Code), AmountMinorUnits: amountMinor, ValidUntil: provider.ParseTimestamp(resp.ValidUntil),
	}
	if converted, err := bokudirect.ParseWireAmount(resp.ConvertedAmount, in.To.Code); resp.ConvertedAmount != "" && err == nil {
		minor := converted.MinorUnits
		result.ConvertedAmount, result.ConvertedAmountMinor = converted.Decimal(), &minor
	}
	return f.Printer.Print(result)
}

// decimalOf renders minor units in the currency's exponent ("" when
// absent or the currency is unknown).
func decimalOf(minor *int64, currency string) string {
	if minor == nil {
		return ""
	}
	a, err := money.FromMinor(*minor, currency)
	if err != nil {
		return ""
	}
	return a.Decimal()
}
