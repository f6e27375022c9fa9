package boku

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/money"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// chargeResult is the output of charge and charge status.
type chargeResult struct {
	ChargeID              string `json:"charge_id"`
	MerchantRequestID     string `json:"merchant_request_id,omitempty"`
	MerchantTransactionID string `json:"merchant_transaction_id,omitempty"`
	Status                string `json:"status"`
	Amount                string `json:"amount,omitempty"`
	AmountMinorUnits      *int64 `json:"amount_minor_units,omitempty"`
	Currency              string `json:"currency,omitempty"`
	Country               string `json:"country,omitempty"`
	NetworkID             string `json:"network_id,omitempty"`
	ReasonCode            int    `json:"reason_code"`
	Message               string `json:"message,omitempty"`
	ReversalID            string `json:"reversal_id,omitempty"`
	ReversedAt            string `json:"reversed_at,omitempty"`
	// reversed is a charge Boku says was reversed without showing the
	// reversal: a resend of a reversed charge is answered 130.
	reversed bool
}

func (r chargeResult) Table() output.Table {
	t := output.Table{Fields: []output.Field{
		{Label: "Charge ID", Value: output.Text(cmdutil.OrNone(r.ChargeID))},
		{Label: "Status", Value: provider.StatusCell(r.common(), r.Status)},
	}}
	if r.Amount != "" {
		t.Add("Amount", r.Amount+" "+r.Currency)
	}
	t.Add("Merchant request ID", r.MerchantRequestID)
	t.Add("Merchant transaction ID", r.MerchantTransactionID)
	t.Add("Country", r.Country)
	t.Add("Network", r.NetworkID)
	t.Add("Reason code", fmt.Sprint(r.ReasonCode))
	t.Add("Message", r.Message)
	if r.ReversalID != "" {
		t.Add("Reversed", r.ReversalID+" at "+r.ReversedAt)
	}
	return t
}

// status is Boku's charge-status, or "failed" for an ERROR that names no
// status (an invalid request creates no charge).
func chargeStatus(status string, r bokudirect.Result) string {
	if status == "" && !r.OK() {
		return "failed"
	}
	return status
}

// newChargeResult is Boku's answer to a charge. It has no amount or
// currency: those shown are the ones asked for.
func newChargeResult(resp *bokudirect.ChargeResponse, amount money.Amount) chargeResult {
	minor := amount.MinorUnits
	return chargeResult{
		ChargeID: resp.ChargeID, MerchantRequestID: resp.MerchantRequestID, MerchantTransactionID: resp.MerchantTransactionID,
		Status: chargeStatus(resp.ChargeStatus, resp.Result), Amount: amount.Decimal(), AmountMinorUnits: &minor,
		Currency: amount.Currency.Code, Country: strings.ToLower(resp.Country), NetworkID: resp.NetworkID,
		ReasonCode: resp.Result.ReasonCode, Message: resp.Result.Message,
		reversed: resp.Result.ReasonCode == bokudirect.ReasonAlreadyReversed,
	}
}

// queriedChargeResult is one <charge> of a query-charge answer. An amount
// that cannot be represented in its currency's exponent makes the answer
// unusable (exit 1): it is never dropped or rounded.
func queriedChargeResult(c bokudirect.Charge, merchantRequestID string) (chargeResult, error) {
	r := chargeResult{
		ChargeID: c.ChargeID, MerchantRequestID: merchantRequestID, MerchantTransactionID: c.MerchantTransactionID,
		Status: chargeStatus(c.ChargeStatus, c.Result), Currency: c.Currency, Country: strings.ToLower(c.Country), NetworkID: c.NetworkID,
		ReasonCode: c.Result.ReasonCode, Message: c.Result.Message,
	}
	if c.TotalAmount != "" {
		a, err := bokudirect.ParseWireAmount(c.TotalAmount, c.Currency)
		if err != nil {
			return r, unusableAmount("charge", c.ChargeID, c.TotalAmount, c.Currency, err)
		}
		minor := a.MinorUnits
		r.Amount, r.AmountMinorUnits = a.Decimal(), &minor
	}
	if c.Reversal != nil {
		r.ReversalID, r.ReversedAt = c.Reversal.ReversalID, c.Reversal.Timestamp
	}
	return r, nil
}

// unusableAmount is a queried amount bokuctl cannot represent exactly.
func unusableAmount(what, id, amount, currency string, err error) error {
	return exitcode.New(exitcode.Unavailable, "Boku's answer about %s %s is unusable: its amount %q %s cannot be represented exactly: %v", what, id, amount, currency, err).
		WithHint("nothing was changed; the amount is not shown rounded or dropped: ask Boku about it")
}

// waitMargin is what --timeout must leave beyond --wait for Boku's answer
// to arrive [inferred: Boku publishes no figure].
const waitMargin = 5 * time.Second

// Charge is `bokuctl charge` with Boku: charge an opted-in payment method
// (billing/3.0/charge).
type Charge struct {
	in    *provider.AmountInput
	flags chargeInput
}

// chargeInput is what a Boku charge takes: the command's flags, or a
// batch row's columns.
type chargeInput struct {
	provider.AmountInput
	country, optinID, description, merchantRequestID      string
	merchantTransactionID, merchantData, consumerIP, wait string
}

// NewCharge is Boku's side of `charge`, reading the shared amount from in.
func NewCharge(in *provider.AmountInput) *Charge { return &Charge{in: in} }

// AddFlags registers Boku's charge flags.
func (c *Charge) AddFlags(fs *pflag.FlagSet) { c.flags.addFlags(fs) }

func (c *chargeInput) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.country, "country", "", "Boku: consumer's country, ISO 3166-1 alpha-2: picks Boku's host (default: the profile's boku.country)")
	fs.StringVar(&c.optinID, "optin-id", "", "Boku: the opt-in to charge (from optin begin, active after optin confirm)")
	fs.StringVar(&c.description, "description", "bokuctl charge", "Boku: item description; the consumer's bill shows its first 20 characters")
	fs.StringVar(&c.merchantRequestID, "merchant-request-id", "", "Boku: idempotency key (default: a new UUID, printed before sending)")
	fs.StringVar(&c.merchantTransactionID, "merchant-transaction-id", "", "Boku: your transaction id, e.g. the order number (default: the merchant request id)")
	fs.StringVar(&c.merchantData, "merchant-data", "", "Boku: up to 255 characters returned in Boku's answers and reports")
	fs.StringVar(&c.consumerIP, "consumer-ip", "", "Boku: consumer's IPv4 address, if known")
	fs.StringVar(&c.wait, "wait", "", "Boku: how long Boku may block for a final status, up to 60s (default: Boku's); it must leave 5s of --timeout for the answer, else it is refused before sending")
}

// NewRowInput is a fresh charge input for a batch row.
func (c *Charge) NewRowInput(fs *pflag.FlagSet) provider.RowInput {
	in := &chargeInput{}
	in.AmountInput.AddFlags(fs)
	in.addFlags(fs)
	return in
}

// Run checks every input, announces the merchant request id and charges.
func (c *Charge) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	in := c.flags
	in.AmountInput = *c.in
	return in.Run(cmd.Context(), f, args)
}

// Run checks every input, announces the merchant request id and charges.
func (c *chargeInput) Run(ctx context.Context, f *cmdutil.Factory, _ []string) error {
	if c.optinID == "" {
		return exitcode.New(exitcode.Usage, "--optin-id is required for a Boku charge").WithHint("get one with `bokuctl optin begin` and `bokuctl optin confirm`")
	}
	if c.country != "" {
		if err := cmdutil.CheckCountry(c.country); err != nil {
			return err
		}
	}
	if err := cmdutil.CheckID("--optin-id", c.optinID); err != nil {
		return err
	}
	amount, err := cmdutil.ParseAmount(c.Amount, c.Currency)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(c.consumerIP); c.consumerIP != "" && (ip == nil || ip.To4() == nil || strings.Contains(c.consumerIP, ":")) {
		return exitcode.New(exitcode.Usage, "--consumer-ip %q is not an IPv4 address", c.consumerIP).WithHint("Boku takes IPv4 addresses only, e.g. --consumer-ip 203.0.113.7")
	}
	if err := checkChargeText(c.description, c.merchantData, c.merchantTransactionID); err != nil {
		return err
	}
	var timeout *bokudirect.Timeout
	if c.wait != "" {
		d, err := time.ParseDuration(c.wait)
		if err != nil || d < 0 || d > time.Minute {
			return exitcode.New(exitcode.Usage, "--wait %q: give a duration from 0s to 60s", c.wait).WithHint("for example --wait 10s; 0s asks Boku not to block")
		}
		if f.Timeout > 0 && d+waitMargin > f.Timeout {
			// Boku would still be blocking when --timeout gives up: the
			// request would end as an unknown outcome of our making.
			return exitcode.New(exitcode.Usage, "--wait %s does not fit in --timeout %s: Boku may block for %s and then answer", d, f.Timeout, d).
				WithHint("nothing was sent; give --timeout %s or more (the wait plus %s for the answer), or a shorter --wait", d+waitMargin, waitMargin)
		}
		timeout = &bokudirect.Timeout{After: d.Milliseconds()}
	}
	session, key, transactionID, err := beginCharge(ctx, f, amount, c.country, c.merchantRequestID, c.merchantTransactionID)
	if err != nil {
		return err
	}
	statusCmd := fmt.Sprintf("bokuctl charge status --merchant-request-id %[1]s%[2]s; or, within an hour, undo it whatever happened: bokuctl charge reverse --merchant-request-id %[1]s%[2]s%[3]s", key, session.ProfileArg, f.YesArg())
	resp, err := session.Direct.Charge(ctx, bokudirect.ChargeRequest{
		MerchantRequestID:       key,
		MerchantTransactionID:   transactionID,
		MerchantData:            c.merchantData,
		MerchantItemDescription: strings.TrimSpace(c.description),
		OptinID:                 c.optinID,
		Currency:                amount.Currency.Code,
		TotalAmount:             bokudirect.WireAmount(amount),
		Timeout:                 timeout,
		ConsumerIPAddress:       c.consumerIP,
	})
	result := newChargeResult(resp, amount)
	result.MerchantRequestID = key
	return finish(f, answer{what: "charge", id: resp.ChargeID, status: resp.ChargeStatus, reversed: result.reversed, statusCmd: statusCmd}, result, err)
}

// ChargeStatus is `charge status` with Boku (query-charge): by charge id,
// by the merchant request id printed before sending (within 24 hours), or
// by merchant transaction id (every charge that has it).
type ChargeStatus struct{ merchantRequestID, merchantTransactionID string }

// AddFlags registers --merchant-request-id and --merchant-transaction-id.
func (s *ChargeStatus) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&s.merchantRequestID, "merchant-request-id", "", "Boku: look the charge up by its merchant request id (Boku keeps it 24 hours)")
	fs.StringVar(&s.merchantTransactionID, "merchant-transaction-id", "", "Boku: list every charge with this merchant transaction id")
}

// chargeList is charge status by merchant transaction id.
type chargeList struct {
	MerchantTransactionID string         `json:"merchant_transaction_id"`
	Charges               []chargeResult `json:"charges"`
}

func (l chargeList) Table() output.Table {
	t := output.Table{Header: []string{"CHARGE ID", "STATUS", "AMOUNT", "REASON", "REVERSED"}}
	for _, c := range l.Charges {
		t.Rows = append(t.Rows, []output.Cell{output.Text(c.ChargeID), output.Status(c.Status), output.Text(c.Amount + " " + c.Currency),
			output.Text(fmt.Sprint(c.ReasonCode)), output.Text(cmdutil.OrNone(c.ReversalID))})
	}
	return t
}

// Run queries the charge.
func (s *ChargeStatus) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	if s.merchantTransactionID != "" {
		if len(args) > 0 || s.merchantRequestID != "" {
			return exitcode.New(exitcode.Usage, "give one of CHARGE_ID, --merchant-request-id or --merchant-transaction-id")
		}
		if !cmdutil.ValidKey(s.merchantTransactionID) {
			return exitcode.New(exitcode.Usage, "--merchant-transaction-id %q: use 1 to 64 letters, digits or . _ : -", s.merchantTransactionID)
		}
	}
	id := ""
	if s.merchantTransactionID == "" {
		var err error
		if id, err = cmdutil.IDOrKey(args, s.merchantRequestID, "CHARGE_ID", "merchant-request-id", "charge"); err != nil {
			return err
		}
	}
	session, err := NewSession(cmd.Context(), f, "")
	if err != nil {
		return err
	}
	resp, err := session.Direct.QueryCharge(cmd.Context(), bokudirect.QueryChargeRequest{
		ChargeID: id, MerchantRequestID: s.merchantRequestID, MerchantTransactionID: s.merchantTransactionID})
	if err != nil {
		return Explain(err, "")
	}
	if s.merchantTransactionID != "" {
		list := chargeList{MerchantTransactionID: s.merchantTransactionID, Charges: []chargeResult{}}
		var unusable error
		for _, c := range resp.Charges {
			r, err := queriedChargeResult(c, "")
			if err != nil {
				return err
			}
			list.Charges = append(list.Charges, r)
			v := decide(answer{what: "charge", id: c.ChargeID, status: c.ChargeStatus, query: true,
				statusCmd: "bokuctl charge status --merchant-transaction-id " + s.merchantTransactionID + session.ProfileArg}, chargeError(c.Result))
			if exitcode.Of(v) == exitcode.Unavailable && unusable == nil {
				unusable = v
			}
		}
		if err := f.Printer.Print(list); err != nil {
			return err
		}
		if len(list.Charges) == 0 {
			return exitcode.New(exitcode.Usage, "Boku found no charge with merchant transaction id %s", s.merchantTransactionID)
		}
		// The list is a listing (exit 0), unless a charge in it has a
		// status the spec does not define: then the answer is unusable.
		return unusable
	}
	what := "charge " + id
	if id == "" {
		what = "charge with merchant request id " + s.merchantRequestID
	}
	if len(resp.Charges) == 0 {
		hint := "check the id and the profile (Boku answers per merchant and country)"
		if s.merchantRequestID != "" {
			hint = "Boku keeps merchant request ids for 24 hours; an unknown one means the charge never reached Boku (or is older)"
		}
		return exitcode.New(exitcode.Usage, "Boku found no %s (%s)", what, resp.Result.Message).WithHint("%s", hint)
	}
	c := resp.Charges[0]
	result, err := queriedChargeResult(c, s.merchantRequestID)
	if err != nil {
		return err
	}
	statusCmd := "bokuctl charge status " + result.ChargeID + session.ProfileArg
	return finish(f, answer{what: "charge", id: result.ChargeID, status: c.ChargeStatus, reversed: c.Reversal != nil, query: true, statusCmd: statusCmd},
		result, chargeError(c.Result))
}

// chargeError is the error a queried charge's own result stands for.
func chargeError(r bokudirect.Result) error {
	if r.OK() && r.ReasonCode != bokudirect.ReasonInProgress {
		return nil
	}
	return &bokudirect.APIError{Call: "charge", Result: r}
}

// ChargeReverse is `charge reverse` with Boku: Boku's reverse-charge names
// the ORIGINAL charge's merchant-request-id (there is no charge id in it),
// works within an hour of the charge, and answers OK even when Boku never
// received the charge, which is what makes it the way to settle a charge
// whose outcome is unknown.
type ChargeReverse struct{ flags chargeReverseInput }

// chargeReverseInput is what a Boku reversal takes: the command's flag, or
// a batch row's column.
type chargeReverseInput struct{ merchantRequestID string }

// AddFlags registers --merchant-request-id.
func (r *ChargeReverse) AddFlags(fs *pflag.FlagSet) { r.flags.addFlags(fs) }

func (r *chargeReverseInput) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&r.merchantRequestID, "merchant-request-id", "", "Boku: the original charge's merchant request id (printed when it was sent)")
}

// NewRowInput is a fresh reversal input for a batch row.
func (r *ChargeReverse) NewRowInput(fs *pflag.FlagSet) provider.RowInput {
	in := &chargeReverseInput{}
	in.addFlags(fs)
	return in
}

// reversalResult is the output of `charge reverse` with Boku.
type reversalResult struct {
	ReversalID        string `json:"reversal_id"`
	ChargeID          string `json:"charge_id,omitempty"`
	MerchantRequestID string `json:"merchant_request_id"`
	Country           string `json:"country,omitempty"`
	Status            string `json:"status"`
	ReasonCode        int    `json:"reason_code"`
	Message           string `json:"message,omitempty"`
}

func (r reversalResult) Table() output.Table {
	t := output.Table{Fields: []output.Field{
		{Label: "Reversal ID", Value: output.Text(cmdutil.OrNone(r.ReversalID))},
		{Label: "Status", Value: provider.StatusCell(r.common(), "")},
		{Label: "Charge ID", Value: output.Text(cmdutil.OrNone(r.ChargeID))},
		{Label: "Merchant request ID", Value: output.Text(r.MerchantRequestID)},
		{Label: "Reason code", Value: output.Text(fmt.Sprint(r.ReasonCode))},
	}}
	t.Add("Message", r.Message)
	return t
}

// Run reverses the charge sent with --merchant-request-id.
func (r *ChargeReverse) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	in := r.flags
	return in.Run(cmd.Context(), f, args)
}

// Run reverses the charge sent with the merchant request id.
func (r *chargeReverseInput) Run(ctx context.Context, f *cmdutil.Factory, args []string) error {
	if len(args) > 0 {
		return exitcode.New(exitcode.Usage, "Boku reverses a charge by the merchant request id it was sent with, not by %s", args[0]).
			WithHint("bokuctl charge reverse --merchant-request-id ORIGINAL_ID%s (the id printed when the charge was sent)", f.YesArg())
	}
	if r.merchantRequestID == "" {
		return exitcode.New(exitcode.Usage, "which charge? give --merchant-request-id, the id the charge was sent with").
			WithHint("it was printed on stderr when the charge was sent; `bokuctl charge status CHARGE_ID` does not show it")
	}
	if !cmdutil.ValidKey(r.merchantRequestID) {
		return exitcode.New(exitcode.Usage, "--merchant-request-id %q: use 1 to 64 letters, digits or . _ : -", r.merchantRequestID)
	}
	session, err := NewSession(ctx, f, "")
	if err != nil {
		return err
	}
	f.Printer.Notice("Reversing the charge sent with merchant request id %s (reversing it again is safe).", r.merchantRequestID)
	if _, err := f.Announce(ctx, cmdutil.Intent{Provider: string(provider.Boku), Key: r.merchantRequestID, Flag: "merchant-request-id",
		Reuses: true, Prefix: "reverse:", Follows: r.merchantRequestID, Settles: journal.StatusReversed}); err != nil {
		return err
	}
	resp, err := session.Direct.ReverseCharge(ctx, bokudirect.ReverseChargeRequest{MerchantRequestID: r.merchantRequestID})
	statusCmd := fmt.Sprintf("bokuctl charge status --merchant-request-id %s%s, or repeat this reversal", r.merchantRequestID, session.ProfileArg)
	var api *bokudirect.APIError
	if err != nil && !errors.As(err, &api) {
		return Explain(err, statusCmd)
	}
	result := reversalResult{ReversalID: resp.ReversalID, ChargeID: resp.ChargeID, MerchantRequestID: r.merchantRequestID,
		Country: strings.ToLower(resp.Country), Status: "reversed", ReasonCode: resp.Result.ReasonCode, Message: resp.Result.Message}
	if err != nil {
		result.Status = "failed"
	}
	if printErr := f.Printer.Print(result); printErr != nil {
		return printErr
	}
	if err != nil {
		return Explain(err, statusCmd)
	}
	if resp.ChargeID == "" {
		f.Printer.Notice("Boku has no charge with that merchant request id; it accepts the reversal all the same, so a charge that arrives late is reversed [inferred].")
	}
	return nil
}

// isHTTPURL reports whether s is an absolute http(s) URL Boku accepts.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(s) <= 2048
}

// checkChargeText checks what a charge and a hosted charge share: the item
// description, the merchant data and the merchant transaction id.
func checkChargeText(description, merchantData, transactionID string) error {
	if d := strings.TrimSpace(description); d == "" || len(d) > 255 {
		return exitcode.New(exitcode.Usage, "--description must be 1 to 255 characters")
	}
	if len(merchantData) > 255 {
		return exitcode.New(exitcode.Usage, "--merchant-data is longer than 255 characters")
	}
	if transactionID != "" && !cmdutil.ValidKey(transactionID) {
		return exitcode.New(exitcode.Usage, "--merchant-transaction-id %q: use 1 to 64 letters, digits or . _ : -", transactionID)
	}
	return nil
}

// beginCharge builds the session, refuses another country, and announces
// the merchant request id; the merchant transaction id defaults to it.
func beginCharge(ctx context.Context, f *cmdutil.Factory, amount money.Amount, country, merchantRequestID, transactionID string) (*Session, string, string, error) {
	session, err := NewSession(ctx, f, country)
	if err != nil {
		return nil, "", "", err
	}
	if err := session.CheckCountry(country); err != nil {
		return nil, "", "", err
	}
	key, err := f.Announce(ctx, cmdutil.Intent{Provider: string(provider.Boku), Key: merchantRequestID, Flag: "merchant-request-id",
		Label: "Merchant request ID", Amount: &amount})
	if err != nil {
		return nil, "", "", err
	}
	if transactionID == "" {
		transactionID = key
	}
	return session, key, transactionID, nil
}
