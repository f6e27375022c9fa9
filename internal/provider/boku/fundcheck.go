package boku

import (
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// fundCheckResult is the output of `fund-check`.
type fundCheckResult struct {
	OptinID          string `json:"optin_id"`
	Country          string `json:"country"`
	Amount           string `json:"amount"`
	AmountMinorUnits int64  `json:"amount_minor_units"`
	Currency         string `json:"currency"`
	Sufficient       bool   `json:"sufficient"`
	Reason           string `json:"reason,omitempty"`
}

func (r fundCheckResult) Table() output.Table {
	verdict := "sufficient"
	if !r.Sufficient {
		verdict = "insufficient"
	}
	t := output.Table{Fields: []output.Field{
		{Label: "Optin ID", Value: output.Text(r.OptinID)},
		{Label: "Amount", Value: output.Text(r.Amount + " " + r.Currency)},
		{Label: "Funds", Value: output.Status(verdict)},
	}}
	t.Add("Reason", r.Reason)
	return t
}

// FundCheck is `bokuctl fund-check` with Boku: can an opt-in cover an
// amount?
type FundCheck struct {
	in               *provider.AmountInput
	country, optinID string
}

// NewFundCheck is Boku's side of `fund-check`, reading the amount from in.
func NewFundCheck(in *provider.AmountInput) *FundCheck { return &FundCheck{in: in} }

// AddFlags registers --country and --optin-id.
func (c *FundCheck) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.country, "country", "", "country, ISO 3166-1 alpha-2 (default: the profile's boku.country)")
	fs.StringVar(&c.optinID, "optin-id", "", "the opt-in to check")
}

// Run checks the funds; insufficient is exit 3 with the result printed.
func (c *FundCheck) Run(cmd *cobra.Command, f *cmdutil.Factory, _ []string) error {
	switch {
	case c.optinID == "":
		return exitcode.New(exitcode.Usage, "--optin-id is required for a Boku fund check")
	case c.in.Amount == "":
		return exitcode.New(exitcode.Usage, "--amount and --currency are required for a Boku fund check")
	}
	if c.country != "" {
		if err := cmdutil.CheckCountry(c.country); err != nil {
			return err
		}
	}
	if err := cmdutil.CheckID("--optin-id", c.optinID); err != nil {
		return err
	}
	amount, err := cmdutil.ParseAmount(c.in.Amount, c.in.Currency)
	if err != nil {
		return err
	}
	session, err := NewSession(cmd.Context(), f, c.country)
	if err != nil {
		return err
	}
	if err := session.CheckCountry(c.country); err != nil {
		return err
	}
	country := session.Direct.Country()
	resp, err := session.Direct.FundCheck(cmd.Context(), bokudirect.FundCheckRequest{
		MerchantRequestID: uuid.NewString(), OptinID: c.optinID, Currency: amount.Currency.Code, TotalAmount: bokudirect.WireAmount(amount),
	})
	if err != nil {
		return Explain(err, "")
	}
	result := fundCheckResult{
		OptinID: c.optinID, Country: strings.ToLower(country), Amount: amount.Decimal(), AmountMinorUnits: amount.MinorUnits,
		Currency: amount.Currency.Code, Sufficient: *resp.Sufficient, Reason: resp.Reason,
	}
	if err := f.Printer.Print(result); err != nil {
		return err
	}
	if !result.Sufficient {
		reason := resp.Reason
		if reason == "" {
			reason = "no reason given"
		}
		return exitcode.New(exitcode.Declined, "insufficient funds for %s: %s", amount, reason)
	}
	return nil
}
