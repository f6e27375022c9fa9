package boku

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

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

// chargeResult is the output of charge, charge status and charge reverse.
type chargeResult struct {
	ChargeID          string `json:"charge_id"`
	MerchantRequestID string `json:"merchant_request_id,omitempty"`
	Status            string `json:"status"`
	Amount            string `json:"amount,omitempty"`
	AmountMinorUnits  *int64 `json:"amount_minor_units,omitempty"`
	Currency          string `json:"currency,omitempty"`
	Country           string `json:"country,omitempty"`
	ReasonCode        int    `json:"reason_code"`
	Message           string `json:"message,omitempty"`
	ReversalID        string `json:"reversal_id,omitempty"`
	ReversedAt        string `json:"reversed_at,omitempty"`
}

func (r chargeResult) Table() output.Table {
	fields := []output.Field{
		{Label: "Charge ID", Value: output.Text(cmdutil.OrNone(r.ChargeID))},
		{Label: "Status", Value: output.Status(r.Status)},
	}
	if r.Amount != "" {
		fields = append(fields, output.Field{Label: "Amount", Value: output.Text(r.Amount + " " + r.Currency)})
	}
	if r.MerchantRequestID != "" {
		fields = append(fields, output.Field{Label: "Merchant request ID", Value: output.Text(r.MerchantRequestID)})
	}
	if r.Country != "" {
		fields = append(fields, output.Field{Label: "Country", Value: output.Text(r.Country)})
	}
	fields = append(fields, output.Field{Label: "Reason code", Value: output.Text(fmt.Sprint(r.ReasonCode))})
	if r.Message != "" {
		fields = append(fields, output.Field{Label: "Message", Value: output.Text(r.Message)})
	}
	if r.ReversalID != "" {
		fields = append(fields, output.Field{Label: "Reversed", Value: output.Text(r.ReversalID + " at " + r.ReversedAt)})
	}
	return output.Table{Fields: fields}
}

// newChargeResult converts Boku's answer; amounts become decimal strings
// in the currency's exponent.
func newChargeResult(resp *bokuclient.ChargeResponse) chargeResult {
	r := chargeResult{
		ChargeID:          resp.ChargeID,
		MerchantRequestID: resp.MerchantRequestID,
		Status:            resp.ChargeStatus,
		Currency:          resp.Currency,
		Country:           strings.ToLower(resp.Country),
		AmountMinorUnits:  resp.TotalAmount,
	}
	if resp.Result != nil {
		r.ReasonCode, r.Message = resp.Result.Reason(), resp.Result.Message
	}
	if resp.TotalAmount != nil {
		if a, err := money.FromMinor(*resp.TotalAmount, resp.Currency); err == nil {
			r.Amount = a.Decimal()
		}
	}
	if r.Status == "" && resp.Result != nil && !resp.Result.OK() {
		r.Status = "failed"
	}
	if resp.Reversal != nil {
		r.ReversalID, r.ReversedAt = resp.Reversal.ReversalID, resp.Reversal.Timestamp
	}
	return r
}

// finishCharge prints whatever definite answer there is and turns the
// charge status into the exit code.
func finishCharge(f *cmdutil.Factory, resp *bokuclient.ChargeResponse, err error, statusCmd string) error {
	return finish(f, "charge", resp.ChargeID, resp.ChargeStatus, newChargeResult(resp), err, statusCmd)
}

// Charge is `bokuctl charge` with Boku: charge an opted-in payment method.
type Charge struct {
	in                                                                    *provider.AmountInput
	country, optinID, description, merchantRequestID, consumerIP, taxMode string
}

// NewCharge is Boku's side of `charge`, reading the shared amount from in.
func NewCharge(in *provider.AmountInput) *Charge { return &Charge{in: in} }

// AddFlags registers Boku's charge flags.
func (c *Charge) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.country, "country", "", "Boku: consumer's country, ISO 3166-1 alpha-2 (default: the profile's boku.country)")
	fs.StringVar(&c.optinID, "optin-id", "", "Boku: the opt-in to charge (from `optin confirm`)")
	fs.StringVar(&c.description, "description", "bokuctl charge", "Boku: item description shown to the consumer")
	fs.StringVar(&c.merchantRequestID, "merchant-request-id", "", "Boku: idempotency key (default: a new UUID, printed before sending)")
	fs.StringVar(&c.consumerIP, "consumer-ip", "", "Boku: consumer's IP address, if known")
	fs.StringVar(&c.taxMode, "tax-mode", "exclusive", "Boku: exclusive or inclusive")
}

// Run checks every input, announces the merchant request id and charges.
func (c *Charge) Run(cmd *cobra.Command, f *cmdutil.Factory, _ []string) error {
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
	amount, err := cmdutil.ParseAmount(c.in.Amount, c.in.Currency)
	if err != nil {
		return err
	}
	if c.consumerIP != "" && net.ParseIP(c.consumerIP) == nil {
		return exitcode.New(exitcode.Usage, "--consumer-ip %q is not an IP address", c.consumerIP)
	}
	if c.taxMode != "exclusive" && c.taxMode != "inclusive" {
		return exitcode.New(exitcode.Usage, "invalid --tax-mode %q", c.taxMode).WithHint("use exclusive or inclusive")
	}
	if d := strings.TrimSpace(c.description); d == "" || len(d) > 255 {
		return exitcode.New(exitcode.Usage, "--description must be 1 to 255 characters")
	}
	session, err := NewSession(cmd.Context(), f, c.country)
	if err != nil {
		return err
	}
	country := c.country
	if country == "" {
		country = session.Client.Country()
	}
	key, err := cmdutil.IdempotencyKey(f, c.merchantRequestID, "merchant-request-id", "Merchant request ID")
	if err != nil {
		return err
	}
	statusCmd := fmt.Sprintf("bokuctl charge status --merchant-request-id %[1]s%[2]s; or, within an hour, undo it whatever happened: bokuctl charge reverse --merchant-request-id %[1]s%[2]s", key, session.ProfileArg)
	resp, err := session.Client.Charge(cmd.Context(), bokuclient.ChargeRequest{
		Country:                 strings.ToUpper(country),
		MerchantRequestID:       key,
		OptinID:                 c.optinID,
		Currency:                amount.Currency.Code,
		TotalAmount:             bokudirect.WireAmount(amount),
		PurchaseTime:            time.Now().UTC().Format(time.RFC3339),
		MerchantItemDescription: strings.TrimSpace(c.description),
		ConsumerIPAddress:       c.consumerIP,
		TaxMode:                 c.taxMode,
	})
	return finishCharge(f, resp, err, statusCmd)
}

// ChargeStatus is `charge status` with Boku: by charge id or by the
// merchant request id printed before sending.
type ChargeStatus struct{ merchantRequestID string }

// AddFlags registers --merchant-request-id.
func (s *ChargeStatus) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&s.merchantRequestID, "merchant-request-id", "", "Boku: look the charge up by its merchant request id")
}

// Run queries the charge.
func (s *ChargeStatus) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	id, err := cmdutil.IDOrKey(args, s.merchantRequestID, "CHARGE_ID", "merchant-request-id", "charge")
	if err != nil {
		return err
	}
	req := bokuclient.QueryChargeRequest{ChargeID: id, MerchantRequestID: s.merchantRequestID}
	session, err := NewSession(cmd.Context(), f, "")
	if err != nil {
		return err
	}
	resp, err := session.Client.QueryCharge(cmd.Context(), req)
	statusCmd := "bokuctl charge status " + strings.Join(args, "")
	if s.merchantRequestID != "" {
		statusCmd = "bokuctl charge status --merchant-request-id " + s.merchantRequestID
	}
	return finishCharge(f, resp, err, statusCmd+session.ProfileArg)
}

// ChargeReverse is `charge reverse` with Boku: Boku's reverse-charge names
// the ORIGINAL charge's merchant-request-id (there is no charge id in it),
// works within an hour of the charge, and answers OK even when Boku never
// received the charge, which is what makes it the way to settle a charge
// whose outcome is unknown.
type ChargeReverse struct{ merchantRequestID string }

// AddFlags registers --merchant-request-id.
func (r *ChargeReverse) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&r.merchantRequestID, "merchant-request-id", "", "Boku: the original charge's merchant request id (printed when it was sent)")
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
	fields := []output.Field{
		{Label: "Reversal ID", Value: output.Text(cmdutil.OrNone(r.ReversalID))},
		{Label: "Status", Value: output.Status(r.Status)},
		{Label: "Charge ID", Value: output.Text(cmdutil.OrNone(r.ChargeID))},
		{Label: "Merchant request ID", Value: output.Text(r.MerchantRequestID)},
		{Label: "Reason code", Value: output.Text(fmt.Sprint(r.ReasonCode))},
	}
	if r.Message != "" {
		fields = append(fields, output.Field{Label: "Message", Value: output.Text(r.Message)})
	}
	return output.Table{Fields: fields}
}

// Run reverses the charge sent with --merchant-request-id.
func (r *ChargeReverse) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	if len(args) > 0 {
		return exitcode.New(exitcode.Usage, "Boku reverses a charge by the merchant request id it was sent with, not by %s", args[0]).
			WithHint("bokuctl charge reverse --merchant-request-id ORIGINAL_ID (the id printed when the charge was sent)")
	}
	if r.merchantRequestID == "" {
		return exitcode.New(exitcode.Usage, "which charge? give --merchant-request-id, the id the charge was sent with").
			WithHint("it was printed on stderr when the charge was sent; `bokuctl charge status CHARGE_ID` does not show it")
	}
	if !cmdutil.ValidKey(r.merchantRequestID) {
		return exitcode.New(exitcode.Usage, "--merchant-request-id %q: use 1 to 64 letters, digits or . _ : -", r.merchantRequestID)
	}
	session, err := NewSession(cmd.Context(), f, "")
	if err != nil {
		return err
	}
	f.Printer.Notice("Reversing the charge sent with merchant request id %s (reversing it again is safe).", r.merchantRequestID)
	resp, err := session.Direct.ReverseCharge(cmd.Context(), bokudirect.ReverseChargeRequest{MerchantRequestID: r.merchantRequestID})
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
