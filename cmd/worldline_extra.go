package cmd

import (
	"fmt"
	"regexp"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
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
	fields := []output.Field{
		{Label: "Pair", Value: output.Text(r.FromCurrency + "/" + r.ToCurrency)},
		{Label: "Rate", Value: output.Text(r.Rate)},
	}
	add := func(label, value string) {
		if value != "" {
			fields = append(fields, output.Field{Label: label, Value: output.Text(value)})
		}
	}
	if r.MarkUp != "" {
		add("Mark-up", r.MarkUp+" "+r.MarkUpBasis)
	}
	add("Amount", r.Amount+" "+r.FromCurrency)
	if r.ConvertedAmount != "" {
		add("Converted", r.ConvertedAmount+" "+r.ToCurrency)
	}
	add("Rate reference", r.RateReferenceID)
	add("Quoted at", r.QuotedAt)
	add("Disclaimer", r.Disclaimer)
	return output.Table{Fields: fields}
}

var binPattern = regexp.MustCompile(`^[0-9]{6,12}$`)

// dccOptions are forex's Worldline flags.
type dccOptions struct {
	Bin, Brand, CardCountry, OperationID string
}

var worldlineForexFlags = []string{"bin", "brand", "card-country", "operation-id"}

func addDCCFlags(cmd *cobra.Command, o *dccOptions) {
	cmd.Flags().StringVar(&o.Bin, "bin", "", "Worldline: the card's first 6 to 12 digits")
	cmd.Flags().StringVar(&o.Brand, "brand", "", "Worldline: card brand, e.g. VISA")
	cmd.Flags().StringVar(&o.CardCountry, "card-country", "", "Worldline: card's country, ISO 3166-1 alpha-2")
	cmd.Flags().StringVar(&o.OperationID, "operation-id", "", "Worldline: operation id of the quote (default: a new UUID)")
}

func runWorldlineForex(cmd *cobra.Command, f *cmdutil.Factory, from, to money.Currency, amountText string, o *dccOptions) error {
	if amountText == "" {
		return exitcode.New(exitcode.Usage, "a Worldline DCC quote needs --amount").WithHint("for example --amount 10.00")
	}
	amount, err := cmdutil.ParseAmount(amountText, from.Code)
	if err != nil {
		return err
	}
	if o.Bin != "" && !binPattern.MatchString(o.Bin) {
		return exitcode.New(exitcode.Usage, "--bin must be the card's first 6 to 12 digits, not the whole number")
	}
	if o.CardCountry != "" {
		if err := cmdutil.CheckCountry(o.CardCountry); err != nil {
			return err
		}
	}
	session, opID, err := newWorldlineOperation(cmd.Context(), f, o.OperationID)
	if err != nil {
		return err
	}
	req := acquiring.DCCRateRequest{
		OperationID:    opID,
		TargetCurrency: to.Code,
		Transaction: acquiring.TransactionDataForDCC{
			Amount: acquiring.Amount(amount), TransactionTimestamp: acquiring.Timestamp(time.Now()), TransactionType: "PAYMENT",
		},
	}
	if o.Bin != "" || o.Brand != "" || o.CardCountry != "" {
		req.CardPaymentData = &acquiring.CardDataForDCC{Bin: o.Bin, Brand: o.Brand, CardCountryCode: o.CardCountry}
	}
	resp, err := session.client.DCCRate(cmd.Context(), req)
	if err != nil {
		return worldlineFailure(err, "")
	}
	if resp.Proposal == nil || resp.Proposal.Rate == nil || resp.Proposal.Rate.ExchangeRate == "" {
		return exitcode.New(exitcode.Unexpected, "worldline DCC answer has no proposal rate (result %q)", resp.Result)
	}
	r := dccResult{
		FromCurrency: from.Code, ToCurrency: to.Code, Rate: resp.Proposal.Rate.ExchangeRate.String(),
		InvertedRate: resp.Proposal.Rate.InvertedExchangeRate.String(), MarkUp: resp.Proposal.Rate.MarkUp.String(),
		MarkUpBasis: resp.Proposal.Rate.MarkUpBasis, Amount: amount.Decimal(), AmountMinorUnits: amount.MinorUnits,
		RateReferenceID: resp.Proposal.RateReferenceID, QuotedAt: resp.Proposal.Rate.QuotationDateTime,
		Result: resp.Result, Disclaimer: resp.DisclaimerDisplay,
	}
	if a := resp.Proposal.ResultingAmount; a != nil {
		minor := a.Amount
		r.ConvertedAmount, r.ConvertedAmountMinor = a.Decimal(), &minor
	}
	return f.Printer.Print(r)
}

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

func runWorldlineFundCheck(cmd *cobra.Command, f *cmdutil.Factory, amountText, currency, cardFile, opIDFlag string) error {
	var amount *money.Amount
	if amountText != "" || currency != "" {
		a, err := cmdutil.ParseAmount(amountText, currency)
		if err != nil {
			return err
		}
		amount = &a
	}
	card, err := readCard(f, cardFile, false)
	if err != nil {
		return err
	}
	session, opID, err := newWorldlineOperation(cmd.Context(), f, opIDFlag)
	if err != nil {
		return err
	}
	resp, err := session.client.BalanceInquiry(cmd.Context(), acquiring.BalanceInquiryRequest{
		CardPaymentData: acquiring.CardPaymentData{CardData: &card, CardEntryMode: "ECOMMERCE"},
		OperationID:     opID, TransactionTimestamp: acquiring.Timestamp(time.Now()),
	})
	if err != nil {
		return worldlineFailure(err, "")
	}
	if !resp.Approved() {
		r := wlResult{OperationID: opID, CardLast4: card.Last4()}
		r.setCodes(resp.ResponseCodes)
		return finishWorldline(f, r)
	}
	if resp.AvailableAmount == nil {
		return exitcode.New(exitcode.Unexpected, "worldline balance inquiry was approved but has no availableAmount")
	}
	r := balanceResult{
		Available: resp.AvailableAmount.Decimal(), AvailableMinorUnits: resp.AvailableAmount.Amount, Currency: resp.AvailableAmount.CurrencyCode,
		CardLast4: card.Last4(), OperationID: opID, ResponseCode: resp.ResponseCode,
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

func newVerifyCardCmd(f *cmdutil.Factory) *cobra.Command {
	var cardFile, opIDFlag string
	cmd := &cobra.Command{
		Use:   "verify-card",
		Short: "Verify a card without charging it (Worldline account verification)",
		Long: `Verify a card with Worldline's account verification: no money moves. The
card is JSON {"number","expiry","cvc"} on stdin or in --card-file. Approved
exits 0, declined 3.`,
		Example: `  bokuctl verify-card --card-file card.json`,
		Args:    cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireProvider(f, "worldline", "verify-card"); err != nil {
				return err
			}
			card, err := readCard(f, cardFile, false)
			if err != nil {
				return err
			}
			session, opID, err := newWorldlineOperation(cmd.Context(), f, opIDFlag)
			if err != nil {
				return err
			}
			resp, err := session.client.VerifyAccount(cmd.Context(), acquiring.AccountVerificationRequest{
				CardPaymentData: acquiring.CardPaymentData{CardData: &card, CardEntryMode: "ECOMMERCE", CardholderVerificationMethod: "CARD_SECURITY_CODE"},
				OperationID:     opID, TransactionTimestamp: acquiring.Timestamp(time.Now()),
			})
			if err != nil {
				return worldlineFailure(err, fmt.Sprintf("re-run with --operation-id %s", opID))
			}
			r := wlResult{OperationID: opID, AuthorizationCode: resp.AuthorizationCode, CardLast4: card.Last4()}
			r.setCodes(resp.ResponseCodes)
			return finishWorldline(f, r)
		},
	}
	cmd.Flags().StringVar(&cardFile, "card-file", "", "card JSON (default: stdin)")
	cmd.Flags().StringVar(&opIDFlag, "operation-id", "", "idempotency key (default: a new UUID, printed before sending)")
	return cmd
}

var technicalReversalReasons = []string{"TIMEOUT_WAITING_RESPONSE", "SUSPECTED_MALFUNCTION", "INVALID_RESPONSE", "SUSPECTED_FRAUD"}

func newOperationCmd(f *cmdutil.Factory) *cobra.Command {
	var reason, opIDFlag string
	reverse := &cobra.Command{
		Use:   "reverse OPERATION_ID --reason REASON",
		Short: "Technical reversal: undo an operation whose answer was lost (Worldline)",
		Long: `Undo the operation with the given operation id, for when its answer was lost
(exit 5). Reasons: TIMEOUT_WAITING_RESPONSE, SUSPECTED_MALFUNCTION,
INVALID_RESPONSE, SUSPECTED_FRAUD. Worldline answers 7204 ("referencing
unknown trx") when it never saw the operation.`,
		Example: "  bokuctl operation reverse 3f1c…-operation-id --reason TIMEOUT_WAITING_RESPONSE",
		Args:    cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireProvider(f, "worldline", "operation reverse"); err != nil {
				return err
			}
			if !cmdutil.ValidKey(args[0]) {
				return exitcode.New(exitcode.Usage, "OPERATION_ID %q is not an operation id", args[0])
			}
			valid := false
			for _, r := range technicalReversalReasons {
				valid = valid || r == reason
			}
			if !valid {
				return exitcode.New(exitcode.Usage, "invalid --reason %q", reason).WithHint("use one of TIMEOUT_WAITING_RESPONSE, SUSPECTED_MALFUNCTION, INVALID_RESPONSE, SUSPECTED_FRAUD")
			}
			session, opID, err := newWorldlineOperation(cmd.Context(), f, opIDFlag)
			if err != nil {
				return err
			}
			resp, err := session.client.TechnicalReversal(cmd.Context(), args[0], acquiring.TechnicalReversalRequest{
				OperationID: opID, Reason: reason, TransactionTimestamp: acquiring.Timestamp(time.Now()),
			})
			if err != nil {
				return worldlineFailure(err, fmt.Sprintf("re-run with --operation-id %s", opID))
			}
			r := wlResult{OperationID: opID}
			r.setCodes(resp.ResponseCodes)
			return finishWorldline(f, r)
		},
	}
	reverse.Flags().StringVar(&reason, "reason", "TIMEOUT_WAITING_RESPONSE", "why the operation is reversed")
	reverse.Flags().StringVar(&opIDFlag, "operation-id", "", "this reversal's own idempotency key (default: a new UUID)")
	return cmdutil.GroupCmd("operation", "Act on a single Worldline operation", reverse)
}
