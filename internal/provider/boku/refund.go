package boku

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// refundResult is the output of refund and refund status.
type refundResult struct {
	RefundID              string `json:"refund_id"`
	MerchantRefundID      string `json:"merchant_refund_id,omitempty"`
	ChargeID              string `json:"charge_id,omitempty"`
	Status                string `json:"status"`
	Type                  string `json:"type,omitempty"`
	Amount                string `json:"amount,omitempty"`
	AmountMinorUnits      *int64 `json:"amount_minor_units,omitempty"`
	Currency              string `json:"currency,omitempty"`
	RefundReason          string `json:"refund_reason,omitempty"`
	RefundReasonCode      int    `json:"refund_reason_code,omitempty"`
	Country               string `json:"country,omitempty"`
	NetworkID             string `json:"network_id,omitempty"`
	MerchantTransactionID string `json:"merchant_transaction_id,omitempty"`
	ReasonCode            int    `json:"reason_code"`
	Message               string `json:"message,omitempty"`
}

func (r refundResult) Table() output.Table {
	t := output.Table{Fields: []output.Field{
		{Label: "Refund ID", Value: output.Text(cmdutil.OrNone(r.RefundID))},
		{Label: "Status", Value: provider.StatusCell(r.common(), r.Status)},
	}}
	t.Add("Type", r.Type)
	if r.Amount != "" {
		t.Add("Amount", r.Amount+" "+r.Currency)
	}
	t.Add("Charge ID", r.ChargeID)
	t.Add("Merchant refund ID", r.MerchantRefundID)
	t.Add("Refund reason", r.RefundReason)
	t.Add("Reason code", fmt.Sprint(r.ReasonCode))
	t.Add("Message", r.Message)
	return t
}

// reasonName is the --reason name of one of Boku's refund reason codes.
func reasonName(code int) string {
	for _, name := range bokudirect.RefundReasonNames() {
		if c, _ := bokudirect.RefundReason(name); c == code {
			return name
		}
	}
	return ""
}

func refundStatus(status string, r bokudirect.Result) string {
	if status == "" && !r.OK() {
		return "failed"
	}
	return status
}

// Refund is `bokuctl refund CHARGE_ID` with Boku (refund-charge).
type Refund struct {
	in    *provider.AmountInput
	flags refundInput
}

// refundInput is what a Boku refund takes: the command's flags, or a
// batch row's columns.
type refundInput struct {
	provider.AmountInput
	reason, merchantRefundID string
	notify                   bool
}

// NewRefund is Boku's side of `refund`, reading the optional amount from in.
func NewRefund(in *provider.AmountInput) *Refund { return &Refund{in: in} }

// AddFlags registers --reason, --merchant-refund-id and --notify.
func (r *Refund) AddFlags(fs *pflag.FlagSet) { r.flags.addFlags(fs) }

func (r *refundInput) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&r.reason, "reason", "", "Boku: why (required): "+strings.Join(bokudirect.RefundReasonNames(), ", "))
	fs.StringVar(&r.merchantRefundID, "merchant-refund-id", "", "Boku: idempotency key (default: a new UUID, printed before sending)")
	fs.BoolVar(&r.notify, "notify", false, "Boku: ask Boku to send a refund notification when the refund completes")
}

// NewRowInput is a fresh refund input for a batch row.
func (r *Refund) NewRowInput(fs *pflag.FlagSet) provider.RowInput {
	in := &refundInput{}
	in.AmountInput.AddFlags(fs)
	in.addFlags(fs)
	return in
}

// Run refunds all or part of the charge named by the one argument.
func (r *Refund) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	in := r.flags
	in.AmountInput = *r.in
	return in.Run(cmd.Context(), f, args)
}

// Run refunds all or part of the charge named by the one argument. With
// an amount but no currency, the charge's currency comes from Boku first.
func (r *refundInput) Run(ctx context.Context, f *cmdutil.Factory, args []string) error {
	if len(args) != 1 {
		return exitcode.New(exitcode.Usage, "which charge? give CHARGE_ID").WithHint("usage: bokuctl refund CHARGE_ID --reason REASON [--amount DECIMAL [--currency CUR]]")
	}
	chargeID := args[0]
	if err := cmdutil.CheckID("CHARGE_ID", chargeID); err != nil {
		return err
	}
	names := strings.Join(bokudirect.RefundReasonNames(), ", ")
	if r.reason == "" {
		return exitcode.New(exitcode.Usage, "--reason is required: Boku records why every refund was made").WithHint("use one of %s", names)
	}
	reason, ok := bokudirect.RefundReason(r.reason)
	if !ok {
		return exitcode.New(exitcode.Usage, "invalid --reason %q", r.reason).WithHint("use one of %s", names)
	}
	if r.Currency != "" && r.Amount == "" {
		return exitcode.New(exitcode.Usage, "--currency goes with --amount").WithHint("without --amount the whole charge is refunded")
	}
	if r.Amount != "" && r.Currency == "" {
		// The currency comes from Boku; check the amount's shape first, so
		// that nothing at all is sent for a malformed one (no currency has
		// more than three decimals, KWD has three).
		if _, err := money.ParsePositive(r.Amount, "KWD"); err != nil {
			return exitcode.New(exitcode.Usage, "--amount: %v", strings.ReplaceAll(err.Error(), "KWD", "any currency")).
				WithHint("write the amount as a decimal in the charge's currency, e.g. --amount 4.99")
		}
	}
	if r.merchantRefundID != "" && len(r.merchantRefundID) > 50 {
		return exitcode.New(exitcode.Usage, "--merchant-refund-id is longer than Boku's 50 characters")
	}
	session, err := NewSession(ctx, f, "")
	if err != nil {
		return err
	}
	req := bokudirect.RefundChargeRequest{ChargeID: chargeID, ReasonCode: reason}
	if r.notify {
		req.Notification = &bokudirect.Notification{Send: true}
	}
	var asked *money.Amount
	if r.Amount != "" {
		currency := r.Currency
		if currency == "" {
			found, err := session.Direct.QueryCharge(ctx, bokudirect.QueryChargeRequest{ChargeID: chargeID})
			if err != nil {
				return Explain(err, "")
			}
			if len(found.Charges) == 0 {
				return exitcode.New(exitcode.Usage, "Boku found no charge %s to refund", chargeID)
			}
			currency = found.Charges[0].Currency
		}
		amount, err := cmdutil.ParseAmount(r.Amount, currency)
		if err != nil {
			return err
		}
		asked = &amount
		req.Currency, req.RefundAmount = amount.Currency.Code, bokudirect.WireAmount(amount)
	}
	if r.Amount == "" && f.ConfirmPending() && !f.DryRun {
		// (A dry run asks nothing, so it shows the refund itself, not
		// the query that would give the question its amount.)
		// A refund without refund-amount is for the charge's whole
		// total-amount (the spec's default). Boku's answer has no amount,
		// so it is asked first (query-charge, read-only): the question,
		// the journal and the result then show what is refunded. The
		// request itself still leaves refund-amount out. (A batch's rows
		// give their amounts in the file, and are checked offline.)
		found, err := session.Direct.QueryCharge(ctx, bokudirect.QueryChargeRequest{ChargeID: chargeID})
		if err != nil {
			return Explain(err, "")
		}
		if len(found.Charges) == 0 {
			return exitcode.New(exitcode.Usage, "Boku found no charge %s to refund: nothing was sent", chargeID).
				WithHint("check the charge id with bokuctl charge status %s%s", chargeID, session.ProfileArg)
		}
		c := found.Charges[0]
		total, err := bokudirect.ParseWireAmount(c.TotalAmount, c.Currency)
		if err != nil {
			return exitcode.New(exitcode.Unavailable, "Boku's query-charge gave charge %s an unreadable amount %q %q: nothing was refunded", chargeID, c.TotalAmount, c.Currency)
		}
		asked = &total
		f.SetConfirmAmount(total.Decimal() + " " + total.Currency.Code)
	}
	key, err := f.Announce(ctx, cmdutil.Intent{Provider: string(provider.Boku), Key: r.merchantRefundID, Flag: "merchant-refund-id",
		Label: "Merchant refund ID", Amount: asked})
	if err != nil {
		return err
	}
	if len(key) > 50 {
		key = key[:50]
	}
	// The refund's merchant-request-id is its merchant-refund-id: one key
	// makes a resend idempotent on both.
	req.MerchantRequestID, req.MerchantRefundID = key, key
	resp, err := session.Direct.RefundCharge(ctx, req)
	result := refundResult{RefundID: resp.RefundID, MerchantRefundID: key, ChargeID: chargeID, Status: refundStatus(resp.RefundStatus, resp.Result),
		RefundReason: r.reason, RefundReasonCode: reason, Country: strings.ToLower(resp.Country), NetworkID: resp.NetworkID,
		ReasonCode: resp.Result.ReasonCode, Message: resp.Result.Message}
	if asked != nil {
		minor := asked.MinorUnits
		result.Amount, result.AmountMinorUnits, result.Currency = asked.Decimal(), &minor, asked.Currency.Code
	}
	id := resp.RefundID
	if id == "" {
		id = chargeID
	}
	return finish(f, answer{what: "refund", id: id, status: resp.RefundStatus, statusCmd: fmt.Sprintf("bokuctl refund status --merchant-refund-id %s%s", key, session.ProfileArg)}, result, err)
}

// RefundStatus is `refund status` with Boku (query-refund): by refund id,
// one refund; by merchant refund id, every refund Boku matches (the spec
// allows several), as a list; each shows whether it is a refund or a
// chargeback.
type RefundStatus struct{ merchantRefundID string }

// AddFlags registers --merchant-refund-id.
func (s *RefundStatus) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&s.merchantRefundID, "merchant-refund-id", "", "Boku: list every refund with this merchant refund id (exit 0 when one succeeded, else 8 when one is in progress, else 3; 1 when one is unreadable)")
}

// Run queries the refund.
func (s *RefundStatus) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	id, err := cmdutil.IDOrKey(args, s.merchantRefundID, "REFUND_ID", "merchant-refund-id", "refund")
	if err != nil {
		return err
	}
	session, err := NewSession(cmd.Context(), f, "")
	if err != nil {
		return err
	}
	resp, err := session.Direct.QueryRefund(cmd.Context(), bokudirect.QueryRefundRequest{RefundID: id, MerchantRefundID: s.merchantRefundID})
	if err != nil {
		return Explain(err, "")
	}
	if len(resp.Refunds) == 0 {
		what := "refund " + id
		if id == "" {
			what = "refund with merchant refund id " + s.merchantRefundID
		}
		return exitcode.New(exitcode.Usage, "Boku found no %s (%s)", what, resp.Result.Message).
			WithHint("check the id and the profile (Boku answers per merchant and country)")
	}
	if s.merchantRefundID == "" {
		rf := resp.Refunds[0]
		result, err := queriedRefundResult(rf)
		if err != nil {
			return err
		}
		return finish(f, answer{what: "refund", id: rf.RefundID, status: rf.RefundStatus, query: true, statusCmd: "bokuctl refund status " + rf.RefundID + session.ProfileArg},
			result, chargeError(rf.Result))
	}
	list := refundList{MerchantRefundID: s.merchantRefundID, Refunds: []refundResult{}}
	var verdicts []error
	for _, rf := range resp.Refunds {
		result, err := queriedRefundResult(rf)
		if err != nil {
			return err
		}
		list.Refunds = append(list.Refunds, result)
		verdicts = append(verdicts, decide(answer{what: "refund", id: rf.RefundID, status: rf.RefundStatus, query: true,
			statusCmd: "bokuctl refund status --merchant-refund-id " + s.merchantRefundID + session.ProfileArg}, chargeError(rf.Result)))
	}
	if err := f.Printer.Print(list); err != nil {
		return err
	}
	return listVerdict(verdicts)
}

// queriedRefundResult is one <refund> of a query-refund answer; an amount
// that cannot be represented in its currency makes the answer unusable.
func queriedRefundResult(rf bokudirect.Refund) (refundResult, error) {
	result := refundResult{RefundID: rf.RefundID, MerchantRefundID: rf.MerchantRefundID, ChargeID: rf.ChargeID, Status: refundStatus(rf.RefundStatus, rf.Result),
		Type: rf.Type, Currency: rf.Currency, RefundReason: reasonName(rf.ReasonCode), RefundReasonCode: rf.ReasonCode, Country: strings.ToLower(rf.Country),
		NetworkID: rf.NetworkID, MerchantTransactionID: rf.MerchantTransactionID, ReasonCode: rf.Result.ReasonCode, Message: rf.Result.Message}
	if rf.RefundAmount != "" {
		a, err := bokudirect.ParseWireAmount(rf.RefundAmount, rf.Currency)
		if err != nil {
			return result, unusableAmount("refund", rf.RefundID, rf.RefundAmount, rf.Currency, err)
		}
		minor := a.MinorUnits
		result.Amount, result.AmountMinorUnits = a.Decimal(), &minor
	}
	return result, nil
}

// listVerdict is the exit code of several refunds under one merchant
// refund id, from each one's own: 6 when any is unusable (its status is
// not the spec's); else 0 when any succeeded (a later failure does not
// hide an earlier success); else 8 when any is in progress; else the
// first failure's (3).
func listVerdict(verdicts []error) error {
	for _, want := range []exitcode.Code{exitcode.Unavailable, exitcode.OK, exitcode.Pending} {
		for _, v := range verdicts {
			if exitcode.Of(v) == want {
				return v
			}
		}
	}
	return verdicts[0]
}

// refundList is refund status by merchant refund id.
type refundList struct {
	MerchantRefundID string         `json:"merchant_refund_id"`
	Refunds          []refundResult `json:"refunds"`
}

func (l refundList) Table() output.Table {
	t := output.Table{Header: []string{"REFUND ID", "STATUS", "TYPE", "AMOUNT", "CHARGE ID", "REASON"}}
	for _, r := range l.Refunds {
		t.Rows = append(t.Rows, []output.Cell{output.Text(cmdutil.OrNone(r.RefundID)), provider.StatusCell(r.common(), r.Status), output.Text(r.Type),
			output.Text(strings.TrimSpace(r.Amount + " " + r.Currency)), output.Text(r.ChargeID), output.Text(fmt.Sprint(r.ReasonCode))})
	}
	return t
}
