package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// Flags only one provider understands.
var (
	bokuChargeFlags      = []string{"optin-id", "country", "description", "merchant-request-id", "consumer-ip", "tax-mode"}
	worldlineChargeFlags = []string{"card-file", "capture", "pre-auth", "reference", "operation-id"}
)

// worldlineChargeOptions are the Worldline flags of `charge`.
type worldlineChargeOptions struct {
	CardFile, Reference, OperationID string
	Capture, PreAuth                 bool
}

func addWorldlineChargeFlags(cmd *cobra.Command, o *worldlineChargeOptions) {
	cmd.Flags().StringVar(&o.CardFile, "card-file", "", `Worldline: card JSON {"number","expiry","cvc"} (default: stdin)`)
	cmd.Flags().BoolVar(&o.Capture, "capture", false, "Worldline: capture immediately (default: authorize only)")
	cmd.Flags().BoolVar(&o.PreAuth, "pre-auth", false, "Worldline: a pre-authorization, which can be incremented")
	cmd.Flags().StringVar(&o.Reference, "reference", "", "Worldline: merchant reference, e.g. the order number")
	cmd.Flags().StringVar(&o.OperationID, "operation-id", "", "Worldline: idempotency key (default: a new UUID, printed before sending)")
}

// optionalAmount is parseAmount when --amount was given, else nil.
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

func runWorldlineCharge(cmd *cobra.Command, f *cmdutil.Factory, amountText, currency string, o *worldlineChargeOptions) error {
	amount, err := cmdutil.ParseAmount(amountText, currency)
	if err != nil {
		return err
	}
	if len(o.Reference) > 64 {
		return exitcode.New(exitcode.Usage, "--reference is longer than 64 characters")
	}
	card, err := readCard(f, o.CardFile, true)
	if err != nil {
		return err
	}
	session, opID, err := newWorldlineOperation(cmd.Context(), f, o.OperationID)
	if err != nil {
		return err
	}
	capture := o.Capture
	req := acquiring.PaymentRequest{
		Amount:            acquiring.Amount(amount),
		AuthorizationType: "FINAL_AUTHORIZATION",
		CardPaymentData: acquiring.CardPaymentData{
			CaptureImmediately: &capture, CardData: &card, CardEntryMode: "ECOMMERCE",
			CardholderVerificationMethod: "CARD_SECURITY_CODE",
		},
		OperationID:          opID,
		TransactionTimestamp: acquiring.Timestamp(time.Now()),
	}
	if o.PreAuth {
		req.AuthorizationType = "PRE_AUTHORIZATION"
	}
	if o.Reference != "" {
		req.References = &acquiring.PaymentReferences{MerchantReference: o.Reference}
	}
	resp, err := session.client.ProcessPayment(cmd.Context(), req)
	if err != nil {
		return worldlineFailure(err, fmt.Sprintf("re-run the same command with --operation-id %s (Worldline answers a repeated operationId with the original result and never charges twice), or undo it with `bokuctl operation reverse %s --reason TIMEOUT_WAITING_RESPONSE%s`", opID, opID, session.profileArg))
	}
	r := wlResult{PaymentID: resp.PaymentID, OperationID: resp.OperationID, Status: resp.Status,
		AuthorizationCode: resp.InitialAuthorizationCode, CardLast4: card.Last4()}
	r.setCodes(resp.ResponseCodes)
	if resp.TotalAuthorizedAmount != nil {
		r.setAmount(resp.TotalAuthorizedAmount)
	} else {
		r.setAmount(&req.Amount)
	}
	return finishWorldline(f, r)
}

func runWorldlineChargeStatus(cmd *cobra.Command, f *cmdutil.Factory, paymentID string, operations bool) error {
	session, err := newWorldlineSession(cmd.Context(), f)
	if err != nil {
		return err
	}
	resp, err := session.client.GetPayment(cmd.Context(), paymentID, operations)
	if err != nil {
		return worldlineFailure(err, "")
	}
	r := wlResult{PaymentID: resp.PaymentID, Status: resp.Status, AuthorizationCode: resp.InitialAuthorizationCode, Operations: wlOperations(resp.Operations)}
	r.setAmount(resp.TotalAuthorizedAmount)
	return finishWorldline(f, r)
}

// paymentAction runs capture, reverse or increment on a payment.
type paymentAction struct {
	PaymentID, Amount, Currency, OperationID string
	Final                                    bool
}

func runWorldlinePaymentAction(cmd *cobra.Command, f *cmdutil.Factory, kind string, a *paymentAction) error {
	if err := cmdutil.CheckID("PAYMENT_ID", a.PaymentID); err != nil {
		return err
	}
	amount, err := optionalAmount(a.Amount, a.Currency)
	if err != nil {
		return err
	}
	if kind == "increment" && amount == nil {
		return exitcode.New(exitcode.Usage, "charge increment needs --amount and --currency")
	}
	session, opID, err := newWorldlineOperation(cmd.Context(), f, a.OperationID)
	if err != nil {
		return err
	}
	ctx, now := cmd.Context(), acquiring.Timestamp(time.Now())
	statusCmd := fmt.Sprintf("bokuctl charge status %s --operations%s", a.PaymentID, session.profileArg)
	r := wlResult{PaymentID: a.PaymentID, OperationID: opID}
	switch kind {
	case "capture":
		req := acquiring.CaptureRequest{Amount: amount, OperationID: opID, TransactionTimestamp: now}
		if a.Final {
			req.IsFinal = &a.Final
		}
		resp, err := session.client.CapturePayment(ctx, a.PaymentID, req)
		if err != nil {
			return worldlineFailure(err, statusCmd)
		}
		r.setCodes(resp.ResponseCodes)
		if resp.Payment != nil {
			r.Status = resp.Payment.Status
		}
		r.setAmount(amount)
	case "reverse":
		resp, err := session.client.ReverseAuthorization(ctx, a.PaymentID, acquiring.PaymentReversalRequest{ReversalAmount: amount, OperationID: opID, TransactionTimestamp: now})
		if err != nil {
			return worldlineFailure(err, statusCmd)
		}
		r.setCodes(resp.ResponseCodes)
		if resp.Payment != nil {
			r.Status = resp.Payment.Status
		}
		r.setAmount(resp.TotalAuthorizedAmount)
	case "increment":
		resp, err := session.client.IncrementPayment(ctx, a.PaymentID, acquiring.IncrementRequest{IncrementAmount: *amount, OperationID: opID, TransactionTimestamp: now})
		if err != nil {
			return worldlineFailure(err, statusCmd)
		}
		r.setCodes(resp.ResponseCodes)
		r.AuthorizationCode = resp.AuthorizationCode
		if resp.Payment != nil {
			r.Status = resp.Payment.Status
		}
		r.setAmount(resp.TotalAuthorizedAmount)
	}
	return finishWorldline(f, r)
}

func newChargeCaptureCmd(f *cmdutil.Factory) *cobra.Command {
	a := &paymentAction{}
	cmd := &cobra.Command{
		Use:   "capture PAYMENT_ID [--amount DECIMAL --currency CUR]",
		Short: "Capture all or part of an authorized payment (Worldline)",
		Args:  cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireProvider(f, "worldline", "charge capture"); err != nil {
				return err
			}
			a.PaymentID = args[0]
			return runWorldlinePaymentAction(cmd, f, "capture", a)
		},
	}
	addPaymentActionFlags(cmd, a, "capture (default: everything still authorized)")
	cmd.Flags().BoolVar(&a.Final, "final", false, "the last capture: release what is left of the authorization")
	return cmd
}

func newChargeIncrementCmd(f *cmdutil.Factory) *cobra.Command {
	a := &paymentAction{}
	cmd := &cobra.Command{
		Use:   "increment PAYMENT_ID --amount DECIMAL --currency CUR",
		Short: "Raise a pre-authorization (Worldline)",
		Args:  cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireProvider(f, "worldline", "charge increment"); err != nil {
				return err
			}
			a.PaymentID = args[0]
			return runWorldlinePaymentAction(cmd, f, "increment", a)
		},
	}
	addPaymentActionFlags(cmd, a, "add to the authorization")
	cmd.MarkFlagRequired("amount")
	cmd.MarkFlagRequired("currency")
	return cmd
}

func addPaymentActionFlags(cmd *cobra.Command, a *paymentAction, what string) {
	cmd.Flags().StringVar(&a.Amount, "amount", "", "amount to "+what)
	cmd.Flags().StringVar(&a.Currency, "currency", "", "currency of --amount (the payment's)")
	cmd.Flags().StringVar(&a.OperationID, "operation-id", "", "idempotency key (default: a new UUID, printed before sending)")
	cmd.MarkFlagsRequiredTogether("amount", "currency")
}

// requireProvider refuses a command that exists for one provider only.
func requireProvider(f *cmdutil.Factory, want, command string) error {
	got, err := provider(f)
	if err != nil {
		return err
	}
	if got != want {
		return exitcode.New(exitcode.Usage, "%s is only available for the %s provider (the profile uses %s)", command, want, got).
			WithHint("use --provider %s", want)
	}
	return nil
}
