package worldline

import (
	"fmt"
	"strings"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// operationLine is one operation of a payment or refund.
type operationLine struct {
	OperationID          string `json:"operation_id"`
	Type                 string `json:"type"`
	Timestamp            string `json:"timestamp,omitempty"`
	Amount               string `json:"amount,omitempty"`
	Currency             string `json:"currency,omitempty"`
	ResponseCode         string `json:"response_code,omitempty"`
	ResponseCodeCategory string `json:"response_code_category,omitempty"`
	AuthorizationCode    string `json:"authorization_code,omitempty"`
}

// result is the output of every Worldline command.
type result struct {
	PaymentID   string `json:"payment_id,omitempty"`
	RefundID    string `json:"refund_id,omitempty"`
	OperationID string `json:"operation_id,omitempty"`
	// ReversedOperationID, Reversed and Message are a technical
	// reversal's: the operation it referenced, whether that operation was
	// undone (false for Worldline's 7204: it never received it), and what
	// that means in words.
	ReversedOperationID     string `json:"reversed_operation_id,omitempty"`
	Reversed                *bool  `json:"reversed,omitempty"`
	Message                 string `json:"message,omitempty"`
	Status                  string `json:"status,omitempty"`
	ResponseCode            string `json:"response_code,omitempty"`
	ResponseCodeCategory    string `json:"response_code_category,omitempty"`
	ResponseCodeDescription string `json:"response_code_description,omitempty"`
	Responder               string `json:"responder,omitempty"`
	// StatusTimestamp is when the status was set (Worldline's
	// statusTimestamp); RetryAfter is SDK 0.1.0's retryAfter, an ISO 8601
	// duration after which to retry (PT0: now); MerchantAdviceCode and its
	// description are the newer SDKs' additionalResponseData.
	StatusTimestamp               string `json:"status_timestamp,omitempty"`
	RetryAfter                    string `json:"retry_after,omitempty"`
	MerchantAdviceCode            string `json:"merchant_advice_code,omitempty"`
	MerchantAdviceCodeDescription string `json:"merchant_advice_code_description,omitempty"`
	AuthorizationCode             string `json:"authorization_code,omitempty"`
	Amount                        string `json:"amount,omitempty"`
	AmountMinorUnits              *int64 `json:"amount_minor_units,omitempty"`
	Currency                      string `json:"currency,omitempty"`
	// ReleasedAmount is what an authorization reversal released (its
	// --amount); amount is then what stays authorized. A reversal of the
	// whole authorization names no released amount: Worldline's answer
	// does not say how much that was.
	ReleasedAmount           string `json:"released_amount,omitempty"`
	ReleasedAmountMinorUnits *int64 `json:"released_amount_minor_units,omitempty"`
	// reversal marks an authorization reversal's result (see Made).
	reversal bool
	// The cardholder's side of a DCC payment or follow-up: the amount in
	// the cardholder's currency and the rate it was converted at.
	CardholderAmount           string `json:"cardholder_amount,omitempty"`
	CardholderAmountMinorUnits *int64 `json:"cardholder_amount_minor_units,omitempty"`
	CardholderCurrency         string `json:"cardholder_currency,omitempty"`
	DCCRate                    string `json:"dcc_rate,omitempty"`
	CardLast4                  string `json:"card_last4,omitempty"`
	CardBrand                  string `json:"card_brand,omitempty"`
	// The scheme's references: schemeTransactionId is what a later
	// card-on-file payment quotes (--scheme-transaction-id).
	SchemeTransactionID      string `json:"scheme_transaction_id,omitempty"`
	RetrievalReferenceNumber string `json:"retrieval_reference_number,omitempty"`
	PaymentAccountReference  string `json:"payment_account_reference,omitempty"`
	// The checks' results (ecommerceData of the response).
	AddressVerificationResult string          `json:"address_verification_result,omitempty"`
	CardSecurityCodeResult    string          `json:"card_security_code_result,omitempty"`
	Operations                []operationLine `json:"operations,omitempty"`
}

func (r result) Table() output.Table {
	var fields []output.Field
	add := func(label, value string, cell func(string) output.Cell) {
		if value != "" {
			fields = append(fields, output.Field{Label: label, Value: cell(value)})
		}
	}
	add("Payment ID", r.PaymentID, output.Text)
	add("Refund ID", r.RefundID, output.Text)
	if r.Status != "" {
		fields = append(fields, output.Field{Label: "Status", Value: provider.StatusCell(provider.CommonStatus(provider.WorldlineStatuses, r.Status), r.Status)})
	}
	if r.ReleasedAmount != "" {
		add("Released", r.ReleasedAmount+" "+r.Currency, output.Text)
	}
	if r.Amount != "" && r.reversal {
		add("Still authorized", r.Amount+" "+r.Currency, output.Text)
	} else if r.Amount != "" {
		add("Amount", r.Amount+" "+r.Currency, output.Text)
	}
	if r.CardholderAmount != "" {
		add("Cardholder pays", r.CardholderAmount+" "+r.CardholderCurrency+" (DCC rate "+r.DCCRate+")", output.Text)
	}
	if r.ResponseCode != "" {
		response := r.ResponseCode + " " + r.ResponseCodeCategory
		if r.ResponseCodeDescription != "" {
			response += " (" + r.ResponseCodeDescription + ")"
		}
		fields = append(fields, output.Field{Label: "Response", Value: output.Cell{Text: response, Tone: categoryTone(r.ResponseCodeCategory)}})
	}
	if r.Reversed != nil {
		reversed := output.Cell{Text: "no", Tone: output.Waiting}
		if *r.Reversed {
			reversed = output.Cell{Text: "yes", Tone: output.Good}
		}
		fields = append(fields, output.Field{Label: "Reversed", Value: reversed})
	}
	add("Status time", r.StatusTimestamp, output.Text)
	add("Retry after", r.RetryAfter, output.Text)
	if r.MerchantAdviceCode != "" {
		add("Merchant advice", strings.TrimSpace(r.MerchantAdviceCode+" "+r.MerchantAdviceCodeDescription), output.Text)
	}
	add("Note", r.Message, output.Text)
	add("Reversed operation", r.ReversedOperationID, output.Text)
	add("Authorization code", r.AuthorizationCode, output.Text)
	add("Card", maskedLast4(r.CardLast4), output.Text)
	add("Card brand", r.CardBrand, output.Text)
	add("Scheme transaction ID", r.SchemeTransactionID, output.Text)
	add("Retrieval reference", r.RetrievalReferenceNumber, output.Text)
	add("Payment account ref", r.PaymentAccountReference, output.Text)
	add("Address check", r.AddressVerificationResult, output.Text)
	add("Security code check", r.CardSecurityCodeResult, output.Text)
	add("Operation ID", r.OperationID, output.Text)
	t := output.Table{Fields: fields}
	for i, op := range r.Operations {
		amount := ""
		if op.Amount != "" {
			amount = op.Amount + " " + op.Currency
		}
		t.Fields = append(t.Fields, output.Field{Label: fmt.Sprintf("Operation %d", i+1),
			Value: output.Text(strings.Join(strings.Fields(fmt.Sprintf("%s %s %s %s %s %s", op.Type, amount, op.ResponseCodeCategory, op.AuthorizationCode, op.Timestamp, op.OperationID)), " "))})
	}
	return t
}

func maskedLast4(last4 string) string {
	if last4 == "" {
		return ""
	}
	return "**** " + last4
}

func categoryTone(category string) output.Tone {
	switch category {
	case "APPROVED":
		return output.Good
	case "DECLINED":
		return output.Bad
	case "PARTIALLY_APPROVED":
		return output.Waiting
	}
	return output.Plain
}

func (r *result) setCodes(c acquiring.ResponseCodes) {
	r.ResponseCode, r.ResponseCodeCategory, r.ResponseCodeDescription, r.Responder =
		c.ResponseCode, c.ResponseCodeCategory, c.ResponseCodeDescription, c.Responder
}

// setReferences takes the scheme's references from a response.
func (r *result) setReferences(refs *acquiring.PaymentReferences) {
	if refs != nil {
		r.SchemeTransactionID, r.RetrievalReferenceNumber, r.PaymentAccountReference =
			refs.SchemeTransactionID, refs.RetrievalReferenceNumber, refs.PaymentAccountReference
	}
}

// setCard takes the card brand and the checks' results from a response.
func (r *result) setCard(c *acquiring.CardResponseData) {
	if c == nil {
		return
	}
	r.CardBrand = c.Brand
	if c.EcommerceData != nil {
		r.AddressVerificationResult, r.CardSecurityCodeResult = c.EcommerceData.AddressVerificationResult, c.EcommerceData.CardSecurityCodeResult
	}
}

// setAdvice takes the merchant advice code from a response.
func (r *result) setAdvice(a *acquiring.AdditionalResponseData) {
	if a != nil {
		r.MerchantAdviceCode, r.MerchantAdviceCodeDescription = a.MerchantAdviceCode, a.MerchantAdviceCodeDescription
	}
}

// setPaymentSummary takes the status, its time and retryAfter from a
// payment summary.
func (r *result) setPaymentSummary(p *acquiring.PaymentSummary) {
	if p != nil {
		r.Status, r.StatusTimestamp, r.RetryAfter = p.Status, provider.ParseTimestamp(p.StatusTimestamp), p.RetryAfter
	}
}

// setRefundSummary is setPaymentSummary for a refund summary.
func (r *result) setRefundSummary(s *acquiring.RefundSummary) {
	if s != nil {
		r.RefundID, r.Status, r.StatusTimestamp, r.RetryAfter = s.RefundID, s.Status, provider.ParseTimestamp(s.StatusTimestamp), s.RetryAfter
	}
}

func (r *result) setAmount(a *acquiring.AmountData) {
	if a == nil {
		return
	}
	minor := a.Amount
	r.Amount, r.AmountMinorUnits, r.Currency = a.Decimal(), &minor, a.CurrencyCode
}

func operationLines(ops []acquiring.SubOperation) []operationLine {
	var out []operationLine
	for _, op := range ops {
		o := operationLine{OperationID: op.OperationID, Type: op.OperationType, Timestamp: op.OperationTimestamp,
			ResponseCode: op.ResponseCode, ResponseCodeCategory: op.ResponseCodeCategory, AuthorizationCode: op.AuthorizationCode}
		if op.Amount != nil {
			o.Amount, o.Currency = op.Amount.Decimal(), op.Amount.CurrencyCode
		}
		out = append(out, o)
	}
	return out
}

// finish prints the result and maps the outcome to the exit
// code: DECLINED 3, PENDING 8, otherwise 0.
func finish(f *cmdutil.Factory, r result) error {
	if err := f.Printer.Print(r); err != nil {
		return err
	}
	switch {
	case r.ResponseCodeCategory == "DECLINED":
		return exitcode.New(exitcode.Declined, "declined: %s %s", r.ResponseCode, r.ResponseCodeDescription)
	case r.Status == "PENDING" || r.Status == "PENDING_CAPTURE":
		return exitcode.New(exitcode.Pending, "%s is %s: not final yet", cmdutil.OrNone(r.PaymentID+r.RefundID), r.Status)
	}
	return nil
}
