package boku

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/bokuclient"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
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

// finishRefund is finishCharge for refunds. A FAIL that names the charge
// (refund over what is left) is definite: it shows what is refundable.
func finishRefund(f *cmdutil.Factory, resp *bokuclient.RefundResponse, err error, statusCmd string) error {
	id := resp.RefundID
	if id == "" {
		id = resp.ChargeID
	}
	return finish(f, "refund", id, resp.RefundStatus, newRefundResult(resp), err, statusCmd)
}

// Refund is `bokuctl refund CHARGE_ID` with Boku.
type Refund struct {
	in                       *provider.AmountInput
	reason, merchantRefundID string
}

// NewRefund is Boku's side of `refund`, reading the optional amount from in.
func NewRefund(in *provider.AmountInput) *Refund { return &Refund{in: in} }

// AddFlags registers --reason and --merchant-refund-id.
func (r *Refund) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&r.reason, "reason", "customer-request", "Boku: why: "+refundReasonNames())
	fs.StringVar(&r.merchantRefundID, "merchant-refund-id", "", "Boku: idempotency key (default: a new UUID, printed before sending)")
}

// Run refunds all or part of the charge named by the one argument.
func (r *Refund) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	if len(args) != 1 {
		return exitcode.New(exitcode.Usage, "which charge? give CHARGE_ID").WithHint("usage: bokuctl refund CHARGE_ID [--amount DECIMAL --currency CUR]")
	}
	chargeID := args[0]
	if err := cmdutil.CheckID("CHARGE_ID", chargeID); err != nil {
		return err
	}
	reason, ok := refundReasons[r.reason]
	if !ok {
		return exitcode.New(exitcode.Usage, "invalid --reason %q", r.reason).WithHint("use one of %s", refundReasonNames())
	}
	req := bokuclient.RefundChargeRequest{ChargeID: chargeID, ReasonCode: reason}
	if r.in.Amount != "" {
		amount, err := cmdutil.ParseAmount(r.in.Amount, r.in.Currency)
		if err != nil {
			return err
		}
		req.RefundAmount, req.Currency = bokudirect.WireAmount(amount), amount.Currency.Code
	}
	session, err := NewSession(cmd.Context(), f, "")
	if err != nil {
		return err
	}
	key, err := cmdutil.IdempotencyKey(f, r.merchantRefundID, "merchant-refund-id", "Merchant refund ID")
	if err != nil {
		return err
	}
	req.MerchantRefundID = key
	resp, err := session.Client.RefundCharge(cmd.Context(), req)
	return finishRefund(f, resp, err, fmt.Sprintf("bokuctl refund status --merchant-refund-id %s%s", key, session.ProfileArg))
}

// RefundStatus is `refund status` with Boku: by refund id or merchant
// refund id.
type RefundStatus struct{ merchantRefundID string }

// AddFlags registers --merchant-refund-id.
func (s *RefundStatus) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&s.merchantRefundID, "merchant-refund-id", "", "Boku: look the refund up by its merchant refund id")
}

// Run queries the refund.
func (s *RefundStatus) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	id, err := cmdutil.IDOrKey(args, s.merchantRefundID, "REFUND_ID", "merchant-refund-id", "refund")
	if err != nil {
		return err
	}
	req := bokuclient.QueryRefundRequest{RefundID: id, MerchantRefundID: s.merchantRefundID}
	statusCmd := "bokuctl refund status " + id
	if s.merchantRefundID != "" {
		statusCmd = "bokuctl refund status --merchant-refund-id " + s.merchantRefundID
	}
	session, err := NewSession(cmd.Context(), f, "")
	if err != nil {
		return err
	}
	resp, err := session.Client.QueryRefund(cmd.Context(), req)
	return finishRefund(f, resp, err, statusCmd+session.ProfileArg)
}
