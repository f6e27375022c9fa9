package worldline

import (
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// balanceResult is `fund-check` with the Worldline provider.
type balanceResult struct {
	Available               string `json:"available"`
	AvailableMinorUnits     int64  `json:"available_minor_units"`
	Currency                string `json:"currency"`
	Amount                  string `json:"amount,omitempty"`
	Sufficient              *bool  `json:"sufficient,omitempty"`
	CardLast4               string `json:"card_last4"`
	OperationID             string `json:"operation_id"`
	ResponseCode            string `json:"response_code"`
	ResponseCodeCategory    string `json:"response_code_category"`
	ResponseCodeDescription string `json:"response_code_description,omitempty"`
}

func (r balanceResult) Table() output.Table {
	fields := []output.Field{
		{Label: "Card", Value: output.Text(maskedLast4(r.CardLast4))},
		{Label: "Available", Value: output.Text(r.Available + " " + r.Currency)},
	}
	if r.Sufficient != nil {
		verdict := "sufficient"
		if !*r.Sufficient {
			verdict = "insufficient"
		}
		fields = append(fields, output.Field{Label: "Amount", Value: output.Text(r.Amount + " " + r.Currency)},
			output.Field{Label: "Funds", Value: output.Status(verdict)})
	}
	fields = append(fields, output.Field{Label: "Operation ID", Value: output.Text(r.OperationID)})
	return output.Table{Fields: fields}
}

// FundCheck is `bokuctl fund-check` with Worldline: a balance inquiry on a
// card, compared with --amount when given.
type FundCheck struct {
	in                    *provider.AmountInput
	cardFile, operationID string
}

// NewFundCheck is Worldline's side of `fund-check`.
func NewFundCheck(in *provider.AmountInput) *FundCheck { return &FundCheck{in: in} }

// AddFlags registers --card-file and --operation-id.
func (c *FundCheck) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.cardFile, "card-file", "", "Worldline: card JSON (default: stdin)")
	fs.StringVar(&c.operationID, "operation-id", "", "Worldline: operation id of the inquiry (default: a new UUID)")
}

// Run asks for the card's balance; insufficient is exit 3.
func (c *FundCheck) Run(cmd *cobra.Command, f *cmdutil.Factory, _ []string) error {
	var amount *money.Amount
	if c.in.Amount != "" || c.in.Currency != "" {
		a, err := cmdutil.ParseAmount(c.in.Amount, c.in.Currency)
		if err != nil {
			return err
		}
		amount = &a
	}
	card, err := ReadCard(f, c.cardFile, false)
	if err != nil {
		return err
	}
	session, operationID, err := BeginOperation(cmd.Context(), f, c.operationID)
	if err != nil {
		return err
	}
	resp, err := session.Client.BalanceInquiry(cmd.Context(), acquiring.BalanceInquiryRequest{
		CardPaymentData: acquiring.CardPaymentData{CardData: &card, CardEntryMode: "ECOMMERCE"},
		OperationID:     operationID, TransactionTimestamp: acquiring.Timestamp(time.Now()),
	})
	if err != nil {
		return Explain(err, "")
	}
	if !resp.Approved() {
		r := result{OperationID: operationID, CardLast4: card.Last4()}
		r.setCodes(resp.ResponseCodes)
		return finish(f, r)
	}
	if resp.AvailableAmount == nil {
		return exitcode.New(exitcode.Unavailable, "worldline balance inquiry was approved but has no availableAmount")
	}
	r := balanceResult{
		Available: resp.AvailableAmount.Decimal(), AvailableMinorUnits: resp.AvailableAmount.Amount, Currency: resp.AvailableAmount.CurrencyCode,
		CardLast4: card.Last4(), OperationID: operationID, ResponseCode: resp.ResponseCode,
		ResponseCodeCategory: resp.ResponseCodeCategory, ResponseCodeDescription: resp.ResponseCodeDescription,
	}
	if amount == nil {
		return f.Printer.Print(r)
	}
	if amount.Currency.Code != r.Currency {
		return exitcode.New(exitcode.Usage, "the card's balance is in %s, not %s: cannot compare", r.Currency, amount.Currency.Code).
			WithHint("run again with --currency %s, or without --amount to see the balance", r.Currency)
	}
	sufficient := resp.AvailableAmount.Amount >= amount.MinorUnits
	r.Amount, r.Sufficient = amount.Decimal(), &sufficient
	if err := f.Printer.Print(r); err != nil {
		return err
	}
	if !sufficient {
		return exitcode.New(exitcode.Declined, "insufficient funds for %s: %s %s available", amount, r.Available, r.Currency)
	}
	return nil
}
