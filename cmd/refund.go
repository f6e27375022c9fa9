package cmd

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/bokuclient"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// refundReasons maps --reason to Boku's refund reason codes [inferred].
var refundReasons = map[string]int{
	"customer-request": 1,
	"service-issue":    2,
	"duplicate":        3,
	"fraud":            4,
	"other":            99,
}

func refundReasonNames() string {
	names := make([]string, 0, len(refundReasons))
	for name := range refundReasons {
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// refundResult is the output of refund and refund status.
type refundResult struct {
	RefundID                 string `json:"refund_id"`
	MerchantRefundID         string `json:"merchant_refund_id,omitempty"`
	ChargeID                 string `json:"charge_id,omitempty"`
	Status                   string `json:"status"`
	Amount                   string `json:"amount,omitempty"`
	AmountMinorUnits         *int64 `json:"amount_minor_units,omitempty"`
	Currency                 string `json:"currency,omitempty"`
	RemainingRefundable      string `json:"remaining_refundable,omitempty"`
	RemainingRefundableMinor *int64 `json:"remaining_refundable_minor_units,omitempty"`
	ReasonCode               int    `json:"reason_code"`
	Message                  string `json:"message,omitempty"`
}

func (r refundResult) Table() output.Table {
	fields := []output.Field{
		{Label: "Refund ID", Value: output.Text(cmdutil.OrNone(r.RefundID))},
		{Label: "Status", Value: output.Status(r.Status)},
	}
	add := func(label, value string) {
		if value != "" {
			fields = append(fields, output.Field{Label: label, Value: output.Text(value)})
		}
	}
	if r.Amount != "" {
		add("Amount", r.Amount+" "+r.Currency)
	}
	add("Charge ID", r.ChargeID)
	add("Merchant refund ID", r.MerchantRefundID)
	if r.RemainingRefundable != "" {
		add("Still refundable", r.RemainingRefundable+" "+r.Currency)
	}
	add("Reason code", fmt.Sprint(r.ReasonCode))
	add("Message", r.Message)
	return output.Table{Fields: fields}
}

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

func newRefundResult(resp *bokuclient.RefundResponse) refundResult {
	r := refundResult{
		RefundID: resp.RefundID, MerchantRefundID: resp.MerchantRefundID, ChargeID: resp.ChargeID, Status: resp.RefundStatus,
		AmountMinorUnits: resp.RefundAmount, Currency: resp.Currency, RemainingRefundableMinor: resp.RemainingAmount,
		Amount: decimalOf(resp.RefundAmount, resp.Currency), RemainingRefundable: decimalOf(resp.RemainingAmount, resp.Currency),
	}
	if resp.Result != nil {
		r.ReasonCode, r.Message = resp.Result.Reason(), resp.Result.Message
		if !resp.Result.OK() && r.Status == "" {
			r.Status = "failed"
		}
	}
	return r
}

type refundOptions struct {
	ChargeID, Amount, Currency, Reason, MerchantRefundID string
	Worldline                                            worldlineRefundOptions
}

func newRefundCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &refundOptions{}
	cmd := &cobra.Command{
		Use:   "refund (CHARGE_ID | PAYMENT_ID | --standalone) [--amount DECIMAL --currency CUR]",
		Short: "Refund all or part of a charge (Boku) or payment (Worldline)",
		Long: `Refund with the profile's provider (or --provider), fully (no --amount) or
partly (--amount with --currency). The total refunded never exceeds what was
charged.

Boku: refund a charge; the answer shows what is still refundable, and the
merchant refund id is the idempotency key. Worldline: refund a captured
payment, or with --standalone refund to a card given as JSON on stdin or in
--card-file; the operation id is the idempotency key. Keys are printed
before sending; resending one never refunds twice.`,
		Example: `  bokuctl refund ch-000003                         # everything still refundable
  bokuctl refund ch-000003 --amount 1.50 --currency GBP --reason service-issue
  bokuctl refund --provider worldline pay:ch:etu:… --amount 5.00 --currency EUR`,
		Args: cmdutil.UsageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := provider(f)
			if err != nil {
				return err
			}
			if p == "worldline" {
				if err := onlyFor(cmd, "worldline", bokuRefundFlags...); err != nil {
					return err
				}
				return runWorldlineRefund(cmd, f, args, opts.Amount, opts.Currency, &opts.Worldline)
			}
			if err := onlyFor(cmd, "boku", worldlineRefundFlags...); err != nil {
				return err
			}
			if len(args) != 1 {
				return exitcode.New(exitcode.Usage, "which charge? give CHARGE_ID").WithHint("usage: bokuctl refund CHARGE_ID [--amount DECIMAL --currency CUR]")
			}
			opts.ChargeID = args[0]
			return runRefund(cmd, f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Amount, "amount", "", "amount to refund as a decimal (default: all that is left)")
	cmd.Flags().StringVar(&opts.Currency, "currency", "", "currency of --amount (must be the charge's)")
	cmd.Flags().StringVar(&opts.Reason, "reason", "customer-request", "Boku: why: "+refundReasonNames())
	cmd.Flags().StringVar(&opts.MerchantRefundID, "merchant-refund-id", "", "Boku: idempotency key (default: a new UUID, printed before sending)")
	addWorldlineRefundFlags(cmd, &opts.Worldline)
	cmd.MarkFlagsRequiredTogether("amount", "currency")
	cmd.AddCommand(newRefundStatusCmd(f), newRefundActionCmd(f, "capture"), newRefundActionCmd(f, "reverse"))
	return cmd
}

func runRefund(cmd *cobra.Command, f *cmdutil.Factory, opts *refundOptions) error {
	if err := cmdutil.CheckID("CHARGE_ID", opts.ChargeID); err != nil {
		return err
	}
	reason, ok := refundReasons[opts.Reason]
	if !ok {
		return exitcode.New(exitcode.Usage, "invalid --reason %q", opts.Reason).WithHint("use one of %s", refundReasonNames())
	}
	req := bokuclient.RefundChargeRequest{ChargeID: opts.ChargeID, ReasonCode: reason}
	if opts.Amount != "" {
		amount, err := money.ParsePositive(opts.Amount, opts.Currency)
		if err != nil {
			return exitcode.New(exitcode.Usage, "--amount/--currency: %v", err)
		}
		req.RefundAmount, req.Currency = &amount.MinorUnits, amount.Currency.Code
	}
	session, err := newBokuSession(cmd.Context(), f, "")
	if err != nil {
		return err
	}
	key, err := cmdutil.IdempotencyKey(f, opts.MerchantRefundID, "merchant-refund-id", "Merchant refund ID")
	if err != nil {
		return err
	}
	req.MerchantRefundID = key
	resp, err := session.client.RefundCharge(cmd.Context(), req)
	return finishRefund(f, resp, err, fmt.Sprintf("bokuctl refund status --merchant-refund-id %s%s", key, session.profileArg))
}

// finishRefund is finishCharge for refunds. A FAIL that names the charge
// (refund over what is left) is definite: it shows what is refundable.
func finishRefund(f *cmdutil.Factory, resp *bokuclient.RefundResponse, err error, statusCmd string) error {
	id := resp.RefundID
	if id == "" {
		id = resp.ChargeID
	}
	return finishBoku(f, "refund", id, resp.RefundStatus, newRefundResult(resp), err, statusCmd)
}

func newRefundStatusCmd(f *cmdutil.Factory) *cobra.Command {
	var mrid string
	var operations bool
	cmd := &cobra.Command{
		Use:   "status (REFUND_ID | --merchant-refund-id ID)",
		Short: "Show a refund",
		Long: `Show a refund. Boku: by refund id or merchant refund id. Worldline: by refund
id, with --operations for its authorization, capture and reversal.`,
		Args: cmdutil.UsageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := provider(f)
			if err != nil {
				return err
			}
			if p == "worldline" {
				if err := onlyFor(cmd, "worldline", "merchant-refund-id"); err != nil {
					return err
				}
				if len(args) != 1 {
					return exitcode.New(exitcode.Usage, "which refund? give REFUND_ID")
				}
				return runWorldlineRefundStatus(cmd, f, args[0], operations)
			}
			if err := onlyFor(cmd, "boku", "operations"); err != nil {
				return err
			}
			id, err := cmdutil.IDOrKey(args, mrid, "REFUND_ID", "merchant-refund-id", "refund")
			if err != nil {
				return err
			}
			req := bokuclient.QueryRefundRequest{RefundID: id, MerchantRefundID: mrid}
			statusCmd := "bokuctl refund status " + id
			if mrid != "" {
				statusCmd = "bokuctl refund status --merchant-refund-id " + mrid
			}
			session, err := newBokuSession(cmd.Context(), f, "")
			if err != nil {
				return err
			}
			resp, err := session.client.QueryRefund(cmd.Context(), req)
			return finishRefund(f, resp, err, statusCmd+session.profileArg)
		},
	}
	cmd.Flags().StringVar(&mrid, "merchant-refund-id", "", "Boku: look the refund up by its merchant refund id")
	cmd.Flags().BoolVar(&operations, "operations", false, "Worldline: list the refund's operations")
	return cmd
}
