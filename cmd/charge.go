package cmd

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"

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
		{Label: "Charge ID", Value: output.Text(orNone(r.ChargeID))},
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
}

func newChargeCmd(f *Factory) *cobra.Command {
	opts := &chargeOptions{}
	cmd := &cobra.Command{
		Use:   "charge",
		Short: "Charge an opted-in payment method (Boku)",
		Long: `Charge an opted-in payment method. The amount is a decimal in the
currency's unit ("4.99" GBP, "500" JPY, "1.250" KWD) and is sent as exact
minor units.

A merchant request id is the idempotency key: it is printed on stderr before
anything is sent. Sending the same id again returns the original charge and
never charges twice. If the answer is lost (exit 5), check with
` + "`bokuctl charge status --merchant-request-id ID`" + ` before doing anything else.`,
		Example: `  bokuctl charge --country gb --optin-id oi-000002 --amount 4.99 --currency GBP
  bokuctl charge --optin-id oi-000002 --amount 4.99 --currency GBP --merchant-request-id order-1234`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCharge(cmd, f, opts)
		},
	}
	flags := cmd.Flags()
	flags.StringVar(&opts.Country, "country", "", "consumer's country, ISO 3166-1 alpha-2 (default: the profile's boku.country)")
	flags.StringVar(&opts.OptinID, "optin-id", "", "the opt-in to charge (from `optin confirm`)")
	flags.StringVar(&opts.Amount, "amount", "", "amount as a decimal, e.g. 4.99")
	flags.StringVar(&opts.Currency, "currency", "", "ISO 4217 currency code, e.g. GBP")
	flags.StringVar(&opts.Description, "description", "bokuctl charge", "item description shown to the consumer")
	flags.StringVar(&opts.MerchantRequestID, "merchant-request-id", "", "idempotency key (default: a new UUID, printed before sending)")
	flags.StringVar(&opts.ConsumerIP, "consumer-ip", "", "consumer's IP address, if known")
	flags.StringVar(&opts.TaxMode, "tax-mode", "exclusive", "exclusive or inclusive")
	cmd.MarkFlagRequired("optin-id")
	cmd.MarkFlagRequired("amount")
	cmd.MarkFlagRequired("currency")
	cmd.AddCommand(newChargeStatusCmd(f), newChargeReverseCmd(f))
	return cmd
}

func runCharge(cmd *cobra.Command, f *Factory, opts *chargeOptions) error {
	if opts.Country != "" {
		if err := checkCountry(opts.Country); err != nil {
			return err
		}
	}
	if err := checkID("--optin-id", opts.OptinID); err != nil {
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
	if err := requireBokuProvider(f, "charge"); err != nil {
		return err
	}
	session, err := newBokuSession(cmd.Context(), f, opts.Country)
	if err != nil {
		return err
	}
	if opts.Country == "" {
		opts.Country = session.client.Country()
	}
	mrid, err := idempotencyKey(f, opts.MerchantRequestID, "merchant-request-id")
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
// charge status into the exit code: success 0, in-progress 8, failed 3.
func finishCharge(f *Factory, resp *bokuclient.ChargeResponse, err error, statusCmd string) error {
	var apiErr *bokuclient.APIError
	if err != nil && !(errors.As(err, &apiErr) && resp.ChargeID != "") {
		return bokuFailure(err, statusCmd)
	}
	if printErr := f.Printer.Print(newChargeResult(resp)); printErr != nil {
		return printErr
	}
	if err != nil {
		return bokuFailure(err, statusCmd)
	}
	switch resp.ChargeStatus {
	case "in-progress":
		return exitcode.New(exitcode.Pending, "charge %s is in progress: not final yet", resp.ChargeID).
			WithHint("check again with: %s", statusCmd)
	case "failed":
		return exitcode.New(exitcode.Declined, "charge %s failed", resp.ChargeID)
	}
	return nil
}

func newChargeStatusCmd(f *Factory) *cobra.Command {
	var mrid string
	cmd := &cobra.Command{
		Use:   "status (CHARGE_ID | --merchant-request-id ID)",
		Short: "Show a charge's status, by charge id or merchant request id",
		Long: `Show a charge's status. After an unknown outcome (exit 5), look the charge
up by the merchant request id that was printed before sending.`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := bokuclient.QueryChargeRequest{MerchantRequestID: mrid}
			switch {
			case len(args) == 1 && mrid != "":
				return exitcode.New(exitcode.Usage, "give either CHARGE_ID or --merchant-request-id, not both")
			case len(args) == 1:
				if err := checkID("CHARGE_ID", args[0]); err != nil {
					return err
				}
				req.ChargeID = args[0]
			case mrid != "":
				if !merchantRequestIDPattern.MatchString(mrid) {
					return exitcode.New(exitcode.Usage, "--merchant-request-id %q: use 1 to 64 letters, digits or . _ : -", mrid)
				}
			default:
				return exitcode.New(exitcode.Usage, "which charge? give CHARGE_ID or --merchant-request-id ID")
			}
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
		},
	}
	cmd.Flags().StringVar(&mrid, "merchant-request-id", "", "look the charge up by its merchant request id")
	return cmd
}

func newChargeReverseCmd(f *Factory) *cobra.Command {
	var mrid string
	cmd := &cobra.Command{
		Use:   "reverse CHARGE_ID",
		Short: "Reverse a successful charge",
		Long: `Reverse a successful charge. The reversal has its own merchant request id
(printed before sending); resending it never reverses twice.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkID("CHARGE_ID", args[0]); err != nil {
				return err
			}
			session, err := newBokuSession(cmd.Context(), f, "")
			if err != nil {
				return err
			}
			key, err := idempotencyKey(f, mrid, "merchant-request-id")
			if err != nil {
				return err
			}
			resp, err := session.client.ReverseCharge(cmd.Context(), bokuclient.ReverseChargeRequest{ChargeID: args[0], MerchantRequestID: key})
			return finishCharge(f, resp, err, fmt.Sprintf("bokuctl charge status %s%s", args[0], session.profileArg))
		},
	}
	cmd.Flags().StringVar(&mrid, "merchant-request-id", "", "idempotency key of the reversal (default: a new UUID)")
	return cmd
}
