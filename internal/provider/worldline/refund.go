package worldline

import (
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
	in                    *provider.AmountInput
	standalone, capture   bool
	cardFile, operationID string
}

// NewRefund is Worldline's side of `refund`, reading the amount from in.
func NewRefund(in *provider.AmountInput) *Refund { return &Refund{in: in} }

// AddFlags registers Worldline's refund flags.
func (r *Refund) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&r.standalone, "standalone", false, "Worldline: refund to a card (on stdin or --card-file) without a payment")
	fs.StringVar(&r.cardFile, "card-file", "", "Worldline: card JSON for --standalone (default: stdin)")
	fs.BoolVar(&r.capture, "capture", true, "Worldline: capture the refund at once (--capture=false: authorize only)")
	fs.StringVar(&r.operationID, "operation-id", "", "Worldline: idempotency key (default: a new UUID, printed before sending)")
}

// Run refunds the payment named by the one argument, or the card.
func (r *Refund) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	switch {
	case r.standalone && len(args) == 1:
		return exitcode.New(exitcode.Usage, "a --standalone refund has no PAYMENT_ID")
	case !r.standalone && len(args) == 0:
		return exitcode.New(exitcode.Usage, "which payment? give PAYMENT_ID, or --standalone with a card")
	case !r.standalone && cmd.Flags().Changed("card-file"):
		return exitcode.New(exitcode.Usage, "--card-file is only for --standalone refunds")
	}
	if r.in.Amount != "" && r.in.Currency == "" {
		return exitcode.New(exitcode.Usage, "--amount needs --currency (the payment's)").WithHint("for example --amount 5.00 --currency EUR")
	}
	if r.standalone && r.in.Amount == "" {
		return exitcode.New(exitcode.Usage, "a --standalone refund needs --amount and --currency")
	}
	if !r.standalone {
		if err := cmdutil.CheckID("PAYMENT_ID", args[0]); err != nil {
			return err
		}
	}
	amount, err := optionalAmount(r.in.Amount, r.in.Currency)
	if err != nil {
		return err
	}
	var card acquiring.PlainCardData
	if r.standalone {
		if card, err = ReadCard(f, r.cardFile, false); err != nil {
			return err
		}
	}
	session, operationID, err := BeginOperation(cmd.Context(), f, r.operationID)
	if err != nil {
		return err
	}
	now := acquiring.Timestamp(time.Now())
	capture := r.capture
	out := result{OperationID: operationID}
	if r.standalone {
		resp, err := session.Client.StandaloneRefund(cmd.Context(), acquiring.RefundRequest{
			Amount:          *amount,
			CardPaymentData: acquiring.CardPaymentData{CaptureImmediately: &capture, CardData: &card, CardEntryMode: "ECOMMERCE"},
			OperationID:     operationID, TransactionTimestamp: now,
		})
		if err != nil {
			return Explain(err, lostCreateHint("refund", operationID, session.ProfileArg))
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
	resp, err := session.Client.RefundPayment(cmd.Context(), args[0], acquiring.PaymentRefundRequest{
		Amount: amount, CaptureImmediately: &capture, OperationID: operationID, TransactionTimestamp: now,
	})
	if err != nil {
		return Explain(err, fmt.Sprintf("bokuctl charge status %s --operations%s", args[0], session.ProfileArg))
	}
	out.PaymentID = args[0]
	out.setCodes(resp.ResponseCodes)
	out.setRefundSummary(resp.Refund)
	out.setAmount(amount)
	return finish(f, out)
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
