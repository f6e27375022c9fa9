package boku

import (
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
	statusCmd := fmt.Sprintf("bokuctl charge status --merchant-request-id %s%s", key, session.ProfileArg)
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

// ChargeReverse is `charge reverse` with Boku: reverse a successful
// charge under the reversal's own merchant request id.
type ChargeReverse struct{ merchantRequestID string }

// AddFlags registers --merchant-request-id.
func (r *ChargeReverse) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&r.merchantRequestID, "merchant-request-id", "", "Boku: idempotency key of the reversal (default: a new UUID)")
}

// Run reverses the charge named by the one argument.
func (r *ChargeReverse) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	if err := cmdutil.CheckID("CHARGE_ID", args[0]); err != nil {
		return err
	}
	session, err := NewSession(cmd.Context(), f, "")
	if err != nil {
		return err
	}
	key, err := cmdutil.IdempotencyKey(f, r.merchantRequestID, "merchant-request-id", "Merchant request ID")
	if err != nil {
		return err
	}
	resp, err := session.Client.ReverseCharge(cmd.Context(), bokuclient.ReverseChargeRequest{ChargeID: args[0], MerchantRequestID: key})
	return finishCharge(f, resp, err, fmt.Sprintf("bokuctl charge status %s%s", args[0], session.ProfileArg))
}
