package worldline

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// Refund is `bokuctl refund` with Worldline: refund a captured payment, or
// with --standalone refund to a card without a payment.
type Refund struct {
	ids
	in    *provider.AmountInput
	flags refundInput
}

// refundInput is what a Worldline refund takes: the command's flags, or a
// batch row's columns.
type refundInput struct {
	provider.AmountInput
	standalone, capture   bool
	cardFile, operationID string
}

// NewRefund is Worldline's side of `refund`, reading the amount from in.
func NewRefund(in *provider.AmountInput) *Refund { return &Refund{in: in} }

// AddFlags registers Worldline's refund flags.
func (r *Refund) AddFlags(fs *pflag.FlagSet) { r.flags.addFlags(fs) }

func (r *refundInput) addFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&r.standalone, "standalone", false, "Worldline: refund to a card (on stdin or --card-file) without a payment")
	fs.StringVar(&r.cardFile, "card-file", "", "Worldline: card JSON for --standalone (default: stdin)")
	fs.BoolVar(&r.capture, "capture", true, "Worldline: capture the refund at once (--capture=false: authorize only)")
	fs.StringVar(&r.operationID, "operation-id", "", "Worldline: idempotency key (default: a new UUID, printed before sending)")
}

// NewRowInput is a fresh refund input for a batch row.
func (r *Refund) NewRowInput(fs *pflag.FlagSet) provider.RowInput {
	in := &refundInput{}
	in.AmountInput.AddFlags(fs)
	in.addFlags(fs)
	return in
}

// Run refunds the payment named by the one argument, or the card.
func (r *Refund) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	in := r.flags
	in.AmountInput = *r.in
	return in.Run(cmd.Context(), f, args)
}

// Run refunds the payment named by the one argument, or the card.
func (r *refundInput) Run(ctx context.Context, f *cmdutil.Factory, args []string) error {
	switch {
	case r.standalone && len(args) == 1:
		return exitcode.New(exitcode.Usage, "a --standalone refund has no PAYMENT_ID")
	case !r.standalone && len(args) == 0:
		return exitcode.New(exitcode.Usage, "which payment? give PAYMENT_ID, or --standalone with a card")
	case !r.standalone && r.cardFile != "":
		return exitcode.New(exitcode.Usage, "--card-file is only for --standalone refunds")
	}
	if r.Amount != "" && r.Currency == "" {
		return exitcode.New(exitcode.Usage, "--amount needs --currency (the payment's)").WithHint("for example --amount 5.00 --currency EUR")
	}
	if r.standalone && r.Amount == "" {
		return exitcode.New(exitcode.Usage, "a --standalone refund needs --amount and --currency")
	}
	if !r.standalone {
		if err := cmdutil.CheckID("PAYMENT_ID", args[0]); err != nil {
			return err
		}
	}
	amount, err := optionalAmount(r.Amount, r.Currency)
	if err != nil {
		return err
	}
	var (
		dcc   dccPayment
		isDCC bool
	)
	if !r.standalone {
		if dcc, isDCC, err = findDCCPayment(f, args[0]); err != nil {
			return err
		}
		if isDCC && amount == nil {
			return dcc.needAmount("refund")
		}
		if isDCC && amount.CurrencyCode != dcc.Currency {
			return exitcode.New(exitcode.Usage, "--currency %s: payment %s is in %s; nothing was sent", amount.CurrencyCode, args[0], dcc.Currency)
		}
	}
	var card acquiring.PlainCardData
	if r.standalone {
		if card, err = ReadCard(f, r.cardFile, false); err != nil {
			return err
		}
	}
	session, operationID, err := BeginOperation(ctx, f, r.operationID)
	if err != nil {
		return err
	}
	now := acquiring.Timestamp(time.Now())
	capture := r.capture
	out := result{OperationID: operationID}
	if r.standalone {
		resp, err := session.Client.StandaloneRefund(ctx, acquiring.RefundRequest{
			Amount:          *amount,
			CardPaymentData: acquiring.CardPaymentData{CaptureImmediately: &capture, CardData: &card, CardEntryMode: "ECOMMERCE"},
			OperationID:     operationID, TransactionTimestamp: now,
		})
		if err != nil {
			return Explain(err, lostCreateHint("refund", operationID, session.ProfileArg+f.YesArg()))
		}
		out.RefundID, out.Status, out.AuthorizationCode, out.CardLast4 = resp.RefundID, resp.Status, resp.AuthorizationCode, card.Last4()
		out.StatusTimestamp, out.RetryAfter = provider.ParseTimestamp(resp.StatusTimestamp), resp.RetryAfter
		out.setCodes(resp.ResponseCodes)
		out.setAdvice(resp.AdditionalResponseData)
		out.setAmount(resp.TotalAuthorizedAmount)
		out.setReferences(resp.References)
		out.setCard(resp.CardPaymentData)
		return finish(f, out)
	}
	req := acquiring.PaymentRefundRequest{Amount: amount, CaptureImmediately: &capture, OperationID: operationID, TransactionTimestamp: now}
	if isDCC {
		if req.DynamicCurrencyConversion, err = refundQuote(ctx, session, dcc, *amount, operationID, now); err != nil {
			return err
		}
		out.setCardholder(req.DynamicCurrencyConversion)
	}
	resp, err := session.Client.RefundPayment(ctx, args[0], req)
	if err != nil {
		return Explain(err, fmt.Sprintf("bokuctl charge status %s --operations%s", args[0], session.ProfileArg))
	}
	out.PaymentID = args[0]
	out.setCodes(resp.ResponseCodes)
	out.setRefundSummary(resp.Refund)
	out.setAmount(amount)
	if amount == nil && out.RefundID != "" && f.Batch == "" {
		// A full refund (not a batch row, whose rows give amounts): the
		// answer has no amount, so the refund is read back (GET refund,
		// read-only) to show what was refunded. If that fails the refund
		// stands; only its amount is not shown.
		if rf, err := session.Client.GetRefund(ctx, out.RefundID, false); err == nil && rf.TotalAuthorizedAmount != nil {
			out.setAmount(rf.TotalAuthorizedAmount)
		} else {
			f.Printer.Notice("Note: refund %s was made; its amount could not be read back: see bokuctl refund status %s%s", out.RefundID, out.RefundID, session.ProfileArg)
		}
	}
	return finish(f, out)
}

// refundQuote asks Worldline for the REFUND rate of a DCC payment's
// refund of amount: a DCC rate request with transaction type REFUND
// [inferred: the model names transactionType without listing values;
// PAYMENT is the only one Worldline's examples show] and the payment's
// rateReferenceId ("used in case of refund if you want to use the same
// rate as the original transaction"). Its operation id is the refund's
// with "-dcc" appended [a choice: a retry of the refund asks under the
// same id]. Nothing is refunded when it fails.
func refundQuote(ctx context.Context, s *Session, p dccPayment, amount acquiring.AmountData, operationID, now string) (*acquiring.DccData, error) {
	resp, err := s.Client.DCCRate(ctx, acquiring.DCCRateRequest{
		OperationID: operationID + "-dcc", RateReferenceID: p.RateReferenceID, TargetCurrency: p.CardholderCurrency,
		Transaction: acquiring.TransactionDataForDCC{Amount: amount, TransactionTimestamp: now, TransactionType: "REFUND"},
	})
	if err != nil {
		e := Explain(err, "")
		return nil, &exitcode.Error{Code: exitcode.Of(e), Err: e,
			Message: fmt.Sprintf("payment %s was paid in %s (DCC): its refund needs a REFUND rate, and the DCC rate request failed, so nothing was refunded: %v", p.PaymentID, p.CardholderCurrency, err),
			Hint:    "a rate request changes nothing: re-run the same refund command (same --operation-id) when Worldline answers"}
	}
	if resp.Proposal == nil || resp.Proposal.Rate == nil || resp.Proposal.Rate.ExchangeRate == "" || resp.Proposal.ResultingAmount == nil {
		return nil, exitcode.New(exitcode.Declined, "worldline offers no REFUND rate from %s to %s (result %q): nothing was refunded", amount.CurrencyCode, p.CardholderCurrency, resp.Result)
	}
	to := resp.Proposal.ResultingAmount
	if to.CurrencyCode != p.CardholderCurrency {
		return nil, exitcode.New(exitcode.Unexpected, "worldline quoted the refund in %s, not the payment's %s: nothing was refunded", to.CurrencyCode, p.CardholderCurrency)
	}
	return &acquiring.DccData{Amount: to.Amount, ConversionRate: resp.Proposal.Rate.ExchangeRate, CurrencyCode: to.CurrencyCode, NumberOfDecimals: to.NumberOfDecimals}, nil
}

// RefundStatus is `refund status` with Worldline: a refund by its id.
type RefundStatus struct {
	ids
	operations bool
}

// AddFlags registers --operations.
func (s *RefundStatus) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&s.operations, "operations", false, "Worldline: list the refund's operations")
}

// Run reads the refund.
func (s *RefundStatus) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	if len(args) != 1 {
		return exitcode.New(exitcode.Usage, "which refund? give REFUND_ID")
	}
	refundID := args[0]
	if err := cmdutil.CheckID("REFUND_ID", refundID); err != nil {
		return err
	}
	session, err := NewSession(cmd.Context(), f)
	if err != nil {
		return err
	}
	resp, err := session.Client.GetRefund(cmd.Context(), refundID, s.operations)
	if err != nil {
		return Explain(err, "")
	}
	r := result{RefundID: resp.RefundID, PaymentID: resp.ReferencedPaymentID, Status: resp.Status, Operations: operationLines(resp.Operations),
		StatusTimestamp: provider.ParseTimestamp(resp.StatusTimestamp), RetryAfter: resp.RetryAfter}
	r.setAmount(resp.TotalAuthorizedAmount)
	r.setReferences(resp.References)
	r.setCard(resp.CardPaymentData)
	return finish(f, r)
}

// RefundAction is `refund capture` or `refund reverse`: capture an
// authorized refund, or reverse one not yet captured.
type RefundAction struct {
	ids
	reverse     bool
	operationID string
}

// NewRefundCapture is `refund capture`.
func NewRefundCapture() *RefundAction { return &RefundAction{} }

// NewRefundReverse is `refund reverse`.
func NewRefundReverse() *RefundAction { return &RefundAction{reverse: true} }

// AddFlags registers --operation-id.
func (a *RefundAction) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&a.operationID, "operation-id", "", "idempotency key (default: a new UUID, printed before sending)")
}

// Run captures or reverses the refund named by the one argument.
func (a *RefundAction) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	refundID := args[0]
	if err := cmdutil.CheckID("REFUND_ID", refundID); err != nil {
		return err
	}
	session, operationID, err := BeginOperation(cmd.Context(), f, a.operationID)
	if err != nil {
		return err
	}
	req := acquiring.OperationRequest{OperationID: operationID, TransactionTimestamp: acquiring.Timestamp(time.Now())}
	call := session.Client.CaptureRefund
	if a.reverse {
		call = session.Client.ReverseRefund
	}
	resp, err := call(cmd.Context(), refundID, req)
	if err != nil {
		return Explain(err, fmt.Sprintf("bokuctl refund status %s --operations%s", refundID, session.ProfileArg))
	}
	r := result{RefundID: refundID, OperationID: operationID}
	r.setCodes(resp.ResponseCodes)
	r.setRefundSummary(resp.Refund)
	return finish(f, r)
}
