package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

var (
	bokuRefundFlags      = []string{"reason", "merchant-refund-id"}
	worldlineRefundFlags = []string{"standalone", "card-file", "capture", "operation-id"}
)

type worldlineRefundOptions struct {
	Standalone, Capture   bool
	CardFile, OperationID string
}

func addWorldlineRefundFlags(cmd *cobra.Command, o *worldlineRefundOptions) {
	cmd.Flags().BoolVar(&o.Standalone, "standalone", false, "Worldline: refund to a card (on stdin or --card-file) without a payment")
	cmd.Flags().StringVar(&o.CardFile, "card-file", "", "Worldline: card JSON for --standalone (default: stdin)")
	cmd.Flags().BoolVar(&o.Capture, "capture", true, "Worldline: capture the refund at once (--capture=false: authorize only)")
	cmd.Flags().StringVar(&o.OperationID, "operation-id", "", "Worldline: idempotency key (default: a new UUID, printed before sending)")
}

func runWorldlineRefund(cmd *cobra.Command, f *cmdutil.Factory, args []string, amountText, currency string, o *worldlineRefundOptions) error {
	switch {
	case o.Standalone && len(args) == 1:
		return exitcode.New(exitcode.Usage, "a --standalone refund has no PAYMENT_ID")
	case !o.Standalone && len(args) == 0:
		return exitcode.New(exitcode.Usage, "which payment? give PAYMENT_ID, or --standalone with a card")
	case !o.Standalone && cmd.Flags().Changed("card-file"):
		return exitcode.New(exitcode.Usage, "--card-file is only for --standalone refunds")
	}
	if o.Standalone && amountText == "" {
		return exitcode.New(exitcode.Usage, "a --standalone refund needs --amount and --currency")
	}
	if !o.Standalone {
		if err := cmdutil.CheckID("PAYMENT_ID", args[0]); err != nil {
			return err
		}
	}
	amount, err := optionalAmount(amountText, currency)
	if err != nil {
		return err
	}
	var card acquiring.PlainCardData
	if o.Standalone {
		if card, err = readCard(f, o.CardFile, false); err != nil {
			return err
		}
	}
	session, opID, err := newWorldlineOperation(cmd.Context(), f, o.OperationID)
	if err != nil {
		return err
	}
	now := acquiring.Timestamp(time.Now())
	capture := o.Capture
	r := wlResult{OperationID: opID}
	if o.Standalone {
		resp, err := session.client.StandaloneRefund(cmd.Context(), acquiring.RefundRequest{
			Amount:          *amount,
			CardPaymentData: acquiring.CardPaymentData{CaptureImmediately: &capture, CardData: &card, CardEntryMode: "ECOMMERCE"},
			OperationID:     opID, TransactionTimestamp: now,
		})
		if err != nil {
			return worldlineFailure(err, fmt.Sprintf("re-run the same command with --operation-id %s: Worldline answers a repeated operationId with the original result", opID))
		}
		r.RefundID, r.Status, r.AuthorizationCode, r.CardLast4 = resp.RefundID, resp.Status, resp.AuthorizationCode, card.Last4()
		r.setCodes(resp.ResponseCodes)
		r.setAmount(resp.TotalAuthorizedAmount)
		return finishWorldline(f, r)
	}
	resp, err := session.client.RefundPayment(cmd.Context(), args[0], acquiring.PaymentRefundRequest{
		Amount: amount, CaptureImmediately: &capture, OperationID: opID, TransactionTimestamp: now,
	})
	if err != nil {
		return worldlineFailure(err, fmt.Sprintf("bokuctl charge status %s --operations%s", args[0], session.profileArg))
	}
	r.PaymentID = args[0]
	r.setCodes(resp.ResponseCodes)
	if resp.Refund != nil {
		r.RefundID, r.Status = resp.Refund.RefundID, resp.Refund.Status
	}
	r.setAmount(amount)
	return finishWorldline(f, r)
}

func runWorldlineRefundStatus(cmd *cobra.Command, f *cmdutil.Factory, refundID string, operations bool) error {
	if err := cmdutil.CheckID("REFUND_ID", refundID); err != nil {
		return err
	}
	session, err := newWorldlineSession(cmd.Context(), f)
	if err != nil {
		return err
	}
	resp, err := session.client.GetRefund(cmd.Context(), refundID, operations)
	if err != nil {
		return worldlineFailure(err, "")
	}
	r := wlResult{RefundID: resp.RefundID, PaymentID: resp.ReferencedPaymentID, Status: resp.Status, Operations: wlOperations(resp.Operations)}
	r.setAmount(resp.TotalAuthorizedAmount)
	return finishWorldline(f, r)
}

// newRefundActionCmd is `refund capture` or `refund reverse` (Worldline).
func newRefundActionCmd(f *cmdutil.Factory, kind string) *cobra.Command {
	var opIDFlag string
	short := map[string]string{
		"capture": "Capture an authorized refund (Worldline)",
		"reverse": "Reverse an authorized, not yet captured refund (Worldline)",
	}[kind]
	cmd := &cobra.Command{
		Use:   kind + " REFUND_ID",
		Short: short,
		Args:  cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireProvider(f, "worldline", "refund "+kind); err != nil {
				return err
			}
			if err := cmdutil.CheckID("REFUND_ID", args[0]); err != nil {
				return err
			}
			session, opID, err := newWorldlineOperation(cmd.Context(), f, opIDFlag)
			if err != nil {
				return err
			}
			req := acquiring.OperationRequest{OperationID: opID, TransactionTimestamp: acquiring.Timestamp(time.Now())}
			call := session.client.CaptureRefund
			if kind == "reverse" {
				call = session.client.ReverseRefund
			}
			resp, err := call(cmd.Context(), args[0], req)
			if err != nil {
				return worldlineFailure(err, fmt.Sprintf("bokuctl refund status %s --operations%s", args[0], session.profileArg))
			}
			r := wlResult{RefundID: args[0], OperationID: opID}
			r.setCodes(resp.ResponseCodes)
			if resp.Refund != nil {
				r.Status = resp.Refund.Status
			}
			return finishWorldline(f, r)
		},
	}
	cmd.Flags().StringVar(&opIDFlag, "operation-id", "", "idempotency key (default: a new UUID, printed before sending)")
	return cmd
}
