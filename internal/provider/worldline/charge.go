package worldline

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// optionalAmount is cmdutil.ParseAmount when --amount was given, else nil.
func optionalAmount(amount, currency string) (*acquiring.AmountData, error) {
	if amount == "" {
		return nil, nil
	}
	a, err := cmdutil.ParseAmount(amount, currency)
	if err != nil {
		return nil, err
	}
	data := acquiring.Amount(a)
	return &data, nil
}

// Charge is `bokuctl charge` with Worldline: a card payment, the card read
// from stdin or --card-file.
type Charge struct {
	in                               *provider.AmountInput
	cardFile, reference, operationID string
	capture, preAuth                 bool
}

// NewCharge is Worldline's side of `charge`, reading the amount from in.
func NewCharge(in *provider.AmountInput) *Charge { return &Charge{in: in} }

// AddFlags registers Worldline's charge flags.
func (c *Charge) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.cardFile, "card-file", "", `Worldline: card JSON {"number","expiry","cvc"} (default: stdin)`)
	fs.BoolVar(&c.capture, "capture", false, "Worldline: capture immediately (default: authorize only)")
	fs.BoolVar(&c.preAuth, "pre-auth", false, "Worldline: a pre-authorization, which can be incremented")
	fs.StringVar(&c.reference, "reference", "", "Worldline: merchant reference, e.g. the order number")
	fs.StringVar(&c.operationID, "operation-id", "", "Worldline: idempotency key (default: a new UUID, printed before sending)")
}

// Run reads the card, announces the operation id and processes the payment.
func (c *Charge) Run(cmd *cobra.Command, f *cmdutil.Factory, _ []string) error {
	amount, err := cmdutil.ParseAmount(c.in.Amount, c.in.Currency)
	if err != nil {
		return err
	}
	if len(c.reference) > 64 {
		return exitcode.New(exitcode.Usage, "--reference is longer than 64 characters")
	}
	card, err := ReadCard(f, c.cardFile, true)
	if err != nil {
		return err
	}
	session, operationID, err := BeginOperation(cmd.Context(), f, c.operationID)
	if err != nil {
		return err
	}
	capture := c.capture
	req := acquiring.PaymentRequest{
		Amount:            acquiring.Amount(amount),
		AuthorizationType: "FINAL_AUTHORIZATION",
		CardPaymentData: acquiring.CardPaymentData{
			CaptureImmediately: &capture, CardData: &card, CardEntryMode: "ECOMMERCE",
			CardholderVerificationMethod: "CARD_SECURITY_CODE",
		},
		OperationID:          operationID,
		TransactionTimestamp: acquiring.Timestamp(time.Now()),
	}
	if c.preAuth {
		req.AuthorizationType = "PRE_AUTHORIZATION"
	}
	if c.reference != "" {
		req.References = &acquiring.PaymentReferences{MerchantReference: c.reference}
	}
	resp, err := session.Client.ProcessPayment(cmd.Context(), req)
	if err != nil {
		return Explain(err, fmt.Sprintf("re-run the same command with --operation-id %s (Worldline answers a repeated operationId with the original result and never charges twice), or undo it with `bokuctl operation reverse %s --reason TIMEOUT_WAITING_RESPONSE%s`", operationID, operationID, session.ProfileArg))
	}
	r := result{PaymentID: resp.PaymentID, OperationID: resp.OperationID, Status: resp.Status,
		AuthorizationCode: resp.InitialAuthorizationCode, CardLast4: card.Last4()}
	r.setCodes(resp.ResponseCodes)
	if resp.TotalAuthorizedAmount != nil {
		r.setAmount(resp.TotalAuthorizedAmount)
	} else {
		r.setAmount(&req.Amount)
	}
	return finish(f, r)
}

// ChargeStatus is `charge status` with Worldline: a payment by its id.
type ChargeStatus struct{ operations bool }

// AddFlags registers --operations.
func (s *ChargeStatus) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&s.operations, "operations", false, "Worldline: list the payment's operations")
}

// Run reads the payment.
func (s *ChargeStatus) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	if len(args) != 1 {
		return exitcode.New(exitcode.Usage, "which payment? give PAYMENT_ID")
	}
	paymentID := args[0]
	if err := cmdutil.CheckID("PAYMENT_ID", paymentID); err != nil {
		return err
	}
	session, err := NewSession(cmd.Context(), f)
	if err != nil {
		return err
	}
	resp, err := session.Client.GetPayment(cmd.Context(), paymentID, s.operations)
	if err != nil {
		return Explain(err, "")
	}
	r := result{PaymentID: resp.PaymentID, Status: resp.Status, AuthorizationCode: resp.InitialAuthorizationCode, Operations: operationLines(resp.Operations)}
	r.setAmount(resp.TotalAuthorizedAmount)
	return finish(f, r)
}
