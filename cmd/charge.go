package cmd

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/bokuclient"
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

type chargeOptions struct {
	Country, OptinID, Amount, Currency, Description, MerchantRequestID, ConsumerIP, TaxMode string
	Worldline                                                                               worldlineChargeOptions
}

func newChargeCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &chargeOptions{}
	cmd := &cobra.Command{
		Use:   "charge --amount DECIMAL --currency CUR (--optin-id ID | card on stdin)",
		Short: "Charge a Boku opt-in or a card (Worldline)",
		Long: `Charge with the profile's provider (or --provider).

Boku: charge an opted-in payment method (--optin-id). A merchant request id
is the idempotency key. Worldline: process a card payment; the card is JSON
{"number","expiry","cvc"} on stdin or in --card-file (never a flag), and the
operation id is the idempotency key.

The amount is a decimal in the currency's unit ("4.99" GBP, "500" JPY,
"1.250" KWD) and is sent as exact minor units. The idempotency key is
printed on stderr before anything is sent; sending the same key again
returns the original result and never charges twice. If the answer is lost
(exit 5), the hint says how to find out what happened before doing anything
else.`,
		Example: `  bokuctl charge --country gb --optin-id oi-000002 --amount 4.99 --currency GBP
  bokuctl charge --optin-id oi-000002 --amount 4.99 --currency GBP --merchant-request-id order-1234
  bokuctl charge --provider worldline --amount 12.34 --currency EUR --capture --card-file card.json`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := provider(f)
			if err != nil {
				return err
			}
			if p == "worldline" {
				if err := onlyFor(cmd, "worldline", bokuChargeFlags...); err != nil {
					return err
				}
				return runWorldlineCharge(cmd, f, opts.Amount, opts.Currency, &opts.Worldline)
			}
			if err := onlyFor(cmd, "boku", worldlineChargeFlags...); err != nil {
				return err
			}
			if opts.OptinID == "" {
				return exitcode.New(exitcode.Usage, "--optin-id is required for a Boku charge").WithHint("get one with `bokuctl optin begin` and `bokuctl optin confirm`")
			}
			return runCharge(cmd, f, opts)
		},
	}
	flags := cmd.Flags()
	flags.StringVar(&opts.Amount, "amount", "", "amount as a decimal, e.g. 4.99")
	flags.StringVar(&opts.Currency, "currency", "", "ISO 4217 currency code, e.g. GBP")
	flags.StringVar(&opts.Country, "country", "", "Boku: consumer's country, ISO 3166-1 alpha-2 (default: the profile's boku.country)")
	flags.StringVar(&opts.OptinID, "optin-id", "", "Boku: the opt-in to charge (from `optin confirm`)")
	flags.StringVar(&opts.Description, "description", "bokuctl charge", "Boku: item description shown to the consumer")
	flags.StringVar(&opts.MerchantRequestID, "merchant-request-id", "", "Boku: idempotency key (default: a new UUID, printed before sending)")
	flags.StringVar(&opts.ConsumerIP, "consumer-ip", "", "Boku: consumer's IP address, if known")
	flags.StringVar(&opts.TaxMode, "tax-mode", "exclusive", "Boku: exclusive or inclusive")
	addWorldlineChargeFlags(cmd, &opts.Worldline)
	cmd.MarkFlagRequired("amount")
	cmd.MarkFlagRequired("currency")
	cmd.AddCommand(newChargeStatusCmd(f), newChargeReverseCmd(f), newChargeCaptureCmd(f), newChargeIncrementCmd(f))
	return cmd
}

func runCharge(cmd *cobra.Command, f *cmdutil.Factory, opts *chargeOptions) error {
	if opts.Country != "" {
		if err := cmdutil.CheckCountry(opts.Country); err != nil {
			return err
		}
	}
	if err := cmdutil.CheckID("--optin-id", opts.OptinID); err != nil {
		return err
	}
	amount, err := money.ParsePositive(opts.Amount, opts.Currency)
	if err != nil {
		return exitcode.New(exitcode.Usage, "--amount/--currency: %v", err).WithHint("write the amount as a decimal in the currency's unit, e.g. --amount 4.99 --currency GBP")
	}
	if opts.ConsumerIP != "" && net.ParseIP(opts.ConsumerIP) == nil {
		return exitcode.New(exitcode.Usage, "--consumer-ip %q is not an IP address", opts.ConsumerIP)
	}
	if opts.TaxMode != "exclusive" && opts.TaxMode != "inclusive" {
		return exitcode.New(exitcode.Usage, "invalid --tax-mode %q", opts.TaxMode).WithHint("use exclusive or inclusive")
	}
	if d := strings.TrimSpace(opts.Description); d == "" || len(d) > 255 {
		return exitcode.New(exitcode.Usage, "--description must be 1 to 255 characters")
	}
	session, err := newBokuSession(cmd.Context(), f, opts.Country)
	if err != nil {
		return err
	}
	if opts.Country == "" {
		opts.Country = session.client.Country()
	}
	mrid, err := cmdutil.IdempotencyKey(f, opts.MerchantRequestID, "merchant-request-id", "Merchant request ID")
	if err != nil {
		return err
	}
	statusCmd := fmt.Sprintf("bokuctl charge status --merchant-request-id %s%s", mrid, session.profileArg)
	resp, err := session.client.Charge(cmd.Context(), bokuclient.ChargeRequest{
		Country:                 strings.ToUpper(opts.Country),
		MerchantRequestID:       mrid,
		OptinID:                 opts.OptinID,
		Currency:                amount.Currency.Code,
		TotalAmount:             amount.MinorUnits,
		PurchaseTime:            time.Now().UTC().Format(time.RFC3339),
		MerchantItemDescription: strings.TrimSpace(opts.Description),
		ConsumerIPAddress:       opts.ConsumerIP,
		TaxMode:                 opts.TaxMode,
	})
	return finishCharge(f, resp, err, statusCmd)
}

// finishCharge prints whatever definite answer there is and turns the
// charge status into the exit code.
func finishCharge(f *cmdutil.Factory, resp *bokuclient.ChargeResponse, err error, statusCmd string) error {
	return finishBoku(f, "charge", resp.ChargeID, resp.ChargeStatus, newChargeResult(resp), err, statusCmd)
}

// finishBoku prints a Boku answer when it is definite (a success, or a
// FAIL that names the charge or refund) and maps the status to the exit
// code: in-progress 8, failed 3, anything else 0; other errors keep theirs.
func finishBoku(f *cmdutil.Factory, what, id, status string, result any, err error, statusCmd string) error {
	var apiErr *bokuclient.APIError
	if err != nil && !(errors.As(err, &apiErr) && id != "") {
		return bokuFailure(err, statusCmd)
	}
	if printErr := f.Printer.Print(result); printErr != nil {
		return printErr
	}
	if err != nil {
		return bokuFailure(err, statusCmd)
	}
	switch status {
	case "in-progress":
		return exitcode.New(exitcode.Pending, "%s %s is in progress: not final yet", what, id).
			WithHint("check again with: %s", statusCmd)
	case "failed":
		return exitcode.New(exitcode.Declined, "%s %s failed", what, id)
	}
	return nil
}

func newChargeStatusCmd(f *cmdutil.Factory) *cobra.Command {
	var mrid string
	var operations bool
	cmd := &cobra.Command{
		Use:   "status (CHARGE_ID | --merchant-request-id ID | PAYMENT_ID [--operations])",
		Short: "Show a charge (Boku) or a payment (Worldline)",
		Long: `Show a charge's status. Boku: by charge id, or after an unknown outcome
(exit 5) by the merchant request id printed before sending. Worldline: a
payment by its id, with --operations for its captures, reversals and so on.`,
		Args: cmdutil.UsageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := provider(f)
			if err != nil {
				return err
			}
			if p == "worldline" {
				if err := onlyFor(cmd, "worldline", "merchant-request-id"); err != nil {
					return err
				}
				if len(args) != 1 {
					return exitcode.New(exitcode.Usage, "which payment? give PAYMENT_ID")
				}
				if err := cmdutil.CheckID("PAYMENT_ID", args[0]); err != nil {
					return err
				}
				return runWorldlineChargeStatus(cmd, f, args[0], operations)
			}
			if err := onlyFor(cmd, "boku", "operations"); err != nil {
				return err
			}
			return runBokuChargeStatus(cmd, f, args, mrid)
		},
	}
	cmd.Flags().StringVar(&mrid, "merchant-request-id", "", "Boku: look the charge up by its merchant request id")
	cmd.Flags().BoolVar(&operations, "operations", false, "Worldline: list the payment's operations")
	return cmd
}

func runBokuChargeStatus(cmd *cobra.Command, f *cmdutil.Factory, args []string, mrid string) error {
	id, err := cmdutil.IDOrKey(args, mrid, "CHARGE_ID", "merchant-request-id", "charge")
	if err != nil {
		return err
	}
	req := bokuclient.QueryChargeRequest{ChargeID: id, MerchantRequestID: mrid}
	session, err := newBokuSession(cmd.Context(), f, "")
	if err != nil {
		return err
	}
	resp, err := session.client.QueryCharge(cmd.Context(), req)
	statusCmd := "bokuctl charge status " + strings.Join(args, "")
	if mrid != "" {
		statusCmd = "bokuctl charge status --merchant-request-id " + mrid
	}
	return finishCharge(f, resp, err, statusCmd+session.profileArg)
}

func newChargeReverseCmd(f *cmdutil.Factory) *cobra.Command {
	var mrid string
	a := &paymentAction{}
	cmd := &cobra.Command{
		Use:   "reverse CHARGE_ID|PAYMENT_ID",
		Short: "Reverse a charge (Boku) or an authorization (Worldline)",
		Long: `Boku: reverse a successful charge; the reversal has its own merchant request
id (printed before sending), and resending it never reverses twice.
Worldline: release all or part (--amount/--currency) of an authorization
that has not been captured.`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := provider(f)
			if err != nil {
				return err
			}
			if p == "worldline" {
				if err := onlyFor(cmd, "worldline", "merchant-request-id"); err != nil {
					return err
				}
				a.PaymentID = args[0]
				return runWorldlinePaymentAction(cmd, f, "reverse", a)
			}
			if err := onlyFor(cmd, "boku", "amount", "currency", "operation-id"); err != nil {
				return err
			}
			if err := cmdutil.CheckID("CHARGE_ID", args[0]); err != nil {
				return err
			}
			session, err := newBokuSession(cmd.Context(), f, "")
			if err != nil {
				return err
			}
			key, err := cmdutil.IdempotencyKey(f, mrid, "merchant-request-id", "Merchant request ID")
			if err != nil {
				return err
			}
			resp, err := session.client.ReverseCharge(cmd.Context(), bokuclient.ReverseChargeRequest{ChargeID: args[0], MerchantRequestID: key})
			return finishCharge(f, resp, err, fmt.Sprintf("bokuctl charge status %s%s", args[0], session.profileArg))
		},
	}
	cmd.Flags().StringVar(&mrid, "merchant-request-id", "", "Boku: idempotency key of the reversal (default: a new UUID)")
	addPaymentActionFlags(cmd, a, "reverse (Worldline; default: the whole authorization)")
	return cmd
}
