package boku

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// HostedCharge is `charge hosted`: Boku's begin-single-charge, a one-off
// charge without a stored opt-in, which the consumer authorizes at the
// issuer (the 3.0 form of the legacy buy URL).
type HostedCharge struct {
	in                                                               *provider.AmountInput
	country, paymentMethod, forwardURL, notificationURL, description string
	merchantRequestID, merchantTransactionID, merchantData           string
	consumerID                                                       string
}

// NewHostedCharge is Boku's side of `charge hosted`.
func NewHostedCharge(in *provider.AmountInput) *HostedCharge { return &HostedCharge{in: in} }

// AddFlags registers the hosted charge's flags.
func (h *HostedCharge) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&h.country, "country", "", "consumer's country, ISO 3166-1 alpha-2 (default: the profile's boku.country)")
	fs.StringVar(&h.paymentMethod, "payment-method", "", "the wallet or payment method the consumer chose, as Boku names it")
	fs.StringVar(&h.forwardURL, "forward-url", "", "where the issuer sends the consumer back after authorizing")
	fs.StringVar(&h.notificationURL, "notification-url", "", "where Boku posts the <charge-notification> with the final status")
	fs.StringVar(&h.description, "description", "bokuctl charge", "item description; the consumer's bill shows its first 20 characters")
	fs.StringVar(&h.merchantRequestID, "merchant-request-id", "", "idempotency key (default: a new UUID, printed before sending)")
	fs.StringVar(&h.merchantTransactionID, "merchant-transaction-id", "", "your transaction id, e.g. the order number (default: the merchant request id)")
	fs.StringVar(&h.merchantData, "merchant-data", "", "up to 255 characters returned in Boku's answers and reports")
	fs.StringVar(&h.consumerID, "consumer-id", "", "your id for the consumer (merchant-consumer-id), up to 64 characters")
}

// hostedChargeResult is the output of `charge hosted`.
type hostedChargeResult struct {
	ChargeID              string `json:"charge_id"`
	MerchantRequestID     string `json:"merchant_request_id"`
	MerchantTransactionID string `json:"merchant_transaction_id,omitempty"`
	Status                string `json:"status"`
	RedirectURL           string `json:"redirect_url,omitempty"`
	Amount                string `json:"amount"`
	AmountMinorUnits      int64  `json:"amount_minor_units"`
	Currency              string `json:"currency"`
	Country               string `json:"country,omitempty"`
	PaymentMethod         string `json:"payment_method,omitempty"`
	ReasonCode            int    `json:"reason_code"`
	Message               string `json:"message,omitempty"`
}

func (r hostedChargeResult) Table() output.Table {
	t := output.Table{Fields: []output.Field{
		{Label: "Charge ID", Value: output.Text(cmdutil.OrNone(r.ChargeID))},
		{Label: "Status", Value: provider.StatusCell(r.common(), r.Status)},
		{Label: "Amount", Value: output.Text(r.Amount + " " + r.Currency)},
		{Label: "Merchant request ID", Value: output.Text(r.MerchantRequestID)},
	}}
	t.Add("Consumer URL", r.RedirectURL)
	return t
}

// Run checks the inputs, announces the merchant request id and begins the
// charge. An in-progress charge is the expected answer: the consumer
// authorizes it next.
func (h *HostedCharge) Run(cmd *cobra.Command, f *cmdutil.Factory, _ []string) error {
	if h.country != "" {
		if err := cmdutil.CheckCountry(h.country); err != nil {
			return err
		}
	}
	if h.paymentMethod == "" {
		return exitcode.New(exitcode.Usage, "--payment-method is required for a hosted charge").WithHint("the wallet or payment method the consumer chose, e.g. --payment-method superwallet")
	}
	if err := cmdutil.CheckID("--payment-method", h.paymentMethod); err != nil {
		return err
	}
	for flag, value := range map[string]string{"--forward-url": h.forwardURL, "--notification-url": h.notificationURL} {
		if value == "" && flag == "--notification-url" {
			continue
		}
		if !isHTTPURL(value) {
			return exitcode.New(exitcode.Usage, "%s %q is not an http(s) URL", flag, value).WithHint("for example %s https://shop.example/boku", flag)
		}
	}
	amount, err := cmdutil.ParseAmount(h.in.Amount, h.in.Currency)
	if err != nil {
		return err
	}
	if err := checkChargeText(h.description, h.merchantData, h.merchantTransactionID); err != nil {
		return err
	}
	if len(h.consumerID) > 64 {
		return exitcode.New(exitcode.Usage, "--consumer-id is longer than 64 characters")
	}
	session, key, transactionID, err := beginCharge(cmd.Context(), f, amount, h.country, h.merchantRequestID, h.merchantTransactionID)
	if err != nil {
		return err
	}
	resp, err := session.Direct.BeginSingleCharge(cmd.Context(), bokudirect.BeginSingleChargeRequest{
		MerchantRequestID: key, MerchantTransactionID: transactionID, MerchantData: h.merchantData,
		MerchantItemDescription: strings.TrimSpace(h.description), MerchantConsumerID: h.consumerID,
		Currency: amount.Currency.Code, TotalAmount: bokudirect.WireAmount(amount), PaymentMethod: h.paymentMethod,
		ChargeType: "hosted", NotificationURL: h.notificationURL, Hosted: bokudirect.Hosted{ForwardURL: h.forwardURL},
	})
	statusCmd := fmt.Sprintf("bokuctl charge status --merchant-request-id %s%s", key, session.ProfileArg)
	result := hostedChargeResult{ChargeID: resp.ChargeID, MerchantRequestID: key, MerchantTransactionID: transactionID,
		Status: chargeStatus(resp.ChargeStatus, resp.Result), RedirectURL: resp.RedirectURL, Amount: amount.Decimal(),
		AmountMinorUnits: amount.MinorUnits, Currency: amount.Currency.Code, Country: strings.ToLower(resp.Country),
		PaymentMethod: resp.PaymentMethod, ReasonCode: resp.Result.ReasonCode, Message: resp.Result.Message}
	var api *bokudirect.APIError
	accepted := err == nil || errors.As(err, &api) && api.Result.OK() && api.Result.ReasonCode == bokudirect.ReasonInProgress
	if resp.ChargeStatus == bokudirect.StatusInProgress && accepted && resp.RedirectURL != "" {
		// Waiting for the consumer at the redirect URL is this call's
		// normal outcome, answered 0 or 23 (in progress): exit 0.
		if printErr := f.Printer.Print(result); printErr != nil {
			return printErr
		}
		f.Printer.Notice("Send the consumer to the URL above. The final status comes as a notification, or with: bokuctl charge status %s%s", resp.ChargeID, session.ProfileArg)
		return nil
	}
	return finish(f, answer{what: "charge", id: resp.ChargeID, status: resp.ChargeStatus, reversed: resp.Result.ReasonCode == bokudirect.ReasonAlreadyReversed, statusCmd: statusCmd}, result, err)
}
