package worldline

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// dccResult is `forex` with the Worldline provider: a DCC quote.
type dccResult struct {
	FromCurrency         string `json:"from_currency"`
	ToCurrency           string `json:"to_currency"`
	Rate                 string `json:"rate"`
	InvertedRate         string `json:"inverted_rate,omitempty"`
	MarkUp               string `json:"mark_up,omitempty"`
	MarkUpBasis          string `json:"mark_up_basis,omitempty"`
	Amount               string `json:"amount"`
	AmountMinorUnits     int64  `json:"amount_minor_units"`
	ConvertedAmount      string `json:"converted_amount,omitempty"`
	ConvertedAmountMinor *int64 `json:"converted_amount_minor_units,omitempty"`
	RateReferenceID      string `json:"rate_reference_id,omitempty"`
	QuotedAt             string `json:"quoted_at,omitempty"`
	Result               string `json:"result,omitempty"`
	Disclaimer           string `json:"disclaimer,omitempty"`
}

func (r dccResult) Table() output.Table {
	t := output.Table{Fields: []output.Field{
		{Label: "Pair", Value: output.Text(r.FromCurrency + "/" + r.ToCurrency)},
		{Label: "Rate", Value: output.Text(r.Rate)},
	}}
	if r.MarkUp != "" {
		t.Add("Mark-up", r.MarkUp+" "+r.MarkUpBasis)
	}
	t.Add("Amount", r.Amount+" "+r.FromCurrency)
	if r.ConvertedAmount != "" {
		t.Add("Converted", r.ConvertedAmount+" "+r.ToCurrency)
	}
	t.Add("Rate reference", r.RateReferenceID)
	t.Add("Quoted at", r.QuotedAt)
	t.Add("Disclaimer", r.Disclaimer)
	return t
}

// isBIN reports whether s is a card's first 6 to 12 digits.
func isBIN(s string) bool {
	if len(s) < 6 || len(s) > 12 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Forex is `bokuctl forex` with Worldline: a dynamic currency conversion
// (DCC) quote for an amount.
type Forex struct {
	in                                   *provider.ForexInput
	bin, brand, cardCountry, operationID string
}

// NewForex is Worldline's side of `forex`.
func NewForex(in *provider.ForexInput) *Forex { return &Forex{in: in} }

// AddFlags registers --bin, --brand, --card-country and --operation-id.
func (x *Forex) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&x.bin, "bin", "", "Worldline: the card's first 6 to 12 digits")
	fs.StringVar(&x.brand, "brand", "", "Worldline: card brand, e.g. VISA")
	fs.StringVar(&x.cardCountry, "card-country", "", "Worldline: card's country, ISO 3166-1 alpha-2")
	fs.StringVar(&x.operationID, "operation-id", "", "Worldline: operation id of the quote (default: a new UUID)")
}

// Run asks Worldline for a DCC quote.
func (x *Forex) Run(cmd *cobra.Command, f *cmdutil.Factory, _ []string) error {
	from, to := x.in.From, x.in.To
	if x.in.Amount == "" {
		return exitcode.New(exitcode.Usage, "a Worldline DCC quote needs --amount").WithHint("for example --amount 10.00")
	}
	amount, err := cmdutil.ParseAmountIn(x.in.Amount, from)
	if err != nil {
		return err
	}
	if x.bin != "" && !isBIN(x.bin) {
		return exitcode.New(exitcode.Usage, "--bin must be the card's first 6 to 12 digits, not the whole number")
	}
	if x.cardCountry != "" {
		if err := cmdutil.CheckCountry(x.cardCountry); err != nil {
			return err
		}
	}
	session, operationID, err := BeginOperation(cmd.Context(), f, x.operationID)
	if err != nil {
		return err
	}
	req := acquiring.DCCRateRequest{
		OperationID:    operationID,
		TargetCurrency: to.Code,
		Transaction: acquiring.TransactionDataForDCC{
			Amount: acquiring.Amount(amount), TransactionTimestamp: acquiring.Timestamp(time.Now()), TransactionType: "PAYMENT",
		},
	}
	if x.bin != "" || x.brand != "" || x.cardCountry != "" {
		req.CardPaymentData = &acquiring.CardDataForDCC{Bin: x.bin, Brand: x.brand, CardCountryCode: x.cardCountry}
	}
	resp, err := session.Client.DCCRate(cmd.Context(), req)
	var api *acquiring.APIError
	if errors.As(err, &api) && (api.Status == 400 || api.Status == 404 || api.Status == 422) {
		// Every field was checked before sending, so a refusal is
		// Worldline declining to quote this pair: exit 3, as Boku's
		// "currency pair not supported" [inferred: Worldline documents no
		// DCC error codes].
		return &exitcode.Error{Code: exitcode.Declined, Err: err, Hint: fmt.Sprintf("Worldline quotes no DCC rate for %s to %s for this merchant and card", from.Code, to.Code)}
	}
	if err != nil {
		return Explain(err, "")
	}
	if resp.Proposal == nil || resp.Proposal.Rate == nil || resp.Proposal.Rate.ExchangeRate == "" {
		return exitcode.New(exitcode.Declined, "worldline offers no DCC rate for %s to %s (result %q)", from.Code, to.Code, resp.Result)
	}
	r := dccResult{
		FromCurrency: from.Code, ToCurrency: to.Code, Rate: resp.Proposal.Rate.ExchangeRate.String(),
		InvertedRate: resp.Proposal.Rate.InvertedExchangeRate.String(), MarkUp: resp.Proposal.Rate.MarkUp.String(),
		MarkUpBasis: resp.Proposal.Rate.MarkUpBasis, Amount: amount.Decimal(), AmountMinorUnits: amount.MinorUnits,
		RateReferenceID: resp.Proposal.RateReferenceID, QuotedAt: provider.ParseTimestamp(resp.Proposal.Rate.QuotationDateTime),
		Result: resp.Result, Disclaimer: resp.DisclaimerDisplay,
	}
	if a := resp.Proposal.ResultingAmount; a != nil {
		minor := a.Amount
		r.ConvertedAmount, r.ConvertedAmountMinor = a.Decimal(), &minor
		if r.RateReferenceID != "" {
			// Kept for charge --dcc-rate-ref, which checks the payment
			// against it before sending.
			profile, _, _ := f.ProfileName()
			q := quote{RateReferenceID: r.RateReferenceID, FromCurrency: from.Code, ToCurrency: to.Code, AmountMinor: amount.MinorUnits,
				ConvertedMinor: a.Amount, ConvertedDigits: a.NumberOfDecimals, Rate: r.Rate, QuotedAt: time.Now(), Profile: profile}
			if err := saveQuote(f, q); err != nil {
				f.Printer.Notice("Warning: the quote could not be kept for charge --dcc-rate-ref: %v", err)
			}
		}
	}
	return f.Printer.Print(r)
}
