package worldline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
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
	in    *provider.AmountInput
	flags chargeInput
}

// chargeInput is what a Worldline charge takes: the command's flags, or a
// batch row's columns.
type chargeInput struct {
	provider.AmountInput
	cardFile, reference, operationID string
	capture, preAuth                 bool
	// Card on file and 3-D Secure.
	cardOnFile, schemeTransactionID, initiator, threeDSFile string
	// dccRateRef is a quote from forex the cardholder accepted.
	dccRateRef string
}

// NewCharge is Worldline's side of `charge`, reading the amount from in.
func NewCharge(in *provider.AmountInput) *Charge { return &Charge{in: in} }

// AddFlags registers Worldline's charge flags.
func (c *Charge) AddFlags(fs *pflag.FlagSet) { c.flags.addFlags(fs) }

func (c *chargeInput) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.cardFile, "card-file", "", `Worldline: card JSON {"number","expiry","cvc"} (default: stdin)`)
	fs.BoolVar(&c.capture, "capture", false, "Worldline: capture immediately (default: authorize only)")
	fs.BoolVar(&c.preAuth, "pre-auth", false, "Worldline: a pre-authorization, which can be incremented")
	fs.StringVar(&c.reference, "reference", "", "Worldline: merchant reference, e.g. the order number")
	fs.StringVar(&c.operationID, "operation-id", "", "Worldline: idempotency key (default: a new UUID, printed before sending)")
	fs.StringVar(&c.cardOnFile, "card-on-file", "", "Worldline: initial (store the card with the scheme) or subsequent (a payment on a stored card)")
	fs.StringVar(&c.schemeTransactionID, "scheme-transaction-id", "", "Worldline: with --card-on-file subsequent, the initial payment's scheme_transaction_id")
	fs.StringVar(&c.initiator, "initiator", "", "Worldline: with --card-on-file subsequent, merchant (default) or cardholder")
	fs.StringVar(&c.dccRateRef, "dcc-rate-ref", "", "Worldline: pay in the cardholder's currency at a rate from bokuctl forex (its rate_reference_id); --amount and --currency must be the quote's; the payment's capture, increment, reverse and refund then carry its DCC and need --amount (a refund asks a REFUND rate: inferred)")
	fs.StringVar(&c.threeDSFile, "three-ds-file", "", "Worldline: 3-D Secure results as JSON (authenticationValue, directoryServerTransactionId, eci, threeDSecureType, version)")
}

// NewRowInput is a fresh charge input for a batch row.
func (c *Charge) NewRowInput(fs *pflag.FlagSet) provider.RowInput {
	in := &chargeInput{}
	in.AmountInput.AddFlags(fs)
	in.addFlags(fs)
	return in
}

// CardOnFileKinds and Initiators are the values of --card-on-file and
// --initiator (for completion).
var (
	CardOnFileKinds = []string{"initial", "subsequent"}
	Initiators      = []string{"merchant", "cardholder"}
)

// cardOnFileData checks the card-on-file flags and builds the request's
// part; nil without --card-on-file.
func (c *chargeInput) cardOnFileData() (*acquiring.CardOnFileData, error) {
	switch c.cardOnFile {
	case "":
		if c.schemeTransactionID != "" || c.initiator != "" {
			return nil, exitcode.New(exitcode.Usage, "--scheme-transaction-id and --initiator go with --card-on-file subsequent")
		}
		return nil, nil
	case "initial":
		if c.schemeTransactionID != "" || c.initiator != "" {
			return nil, exitcode.New(exitcode.Usage, "--scheme-transaction-id and --initiator are for --card-on-file subsequent").
				WithHint("the initial payment returns the scheme_transaction_id that later ones quote")
		}
		initial := true
		return &acquiring.CardOnFileData{IsInitialTransaction: &initial}, nil
	case "subsequent":
		if c.schemeTransactionID == "" {
			return nil, exitcode.New(exitcode.Usage, "--card-on-file subsequent needs --scheme-transaction-id").
				WithHint("give the scheme_transaction_id of the initial card-on-file payment (bokuctl charge status PAYMENT_ID shows it)")
		}
		if err := cmdutil.CheckID("--scheme-transaction-id", c.schemeTransactionID); err != nil {
			return nil, err
		}
		// MERCHANT and CARDHOLDER [inferred: the SDK names the field
		// cardOnFileInitiator without publishing its values].
		initiator := "MERCHANT"
		switch c.initiator {
		case "", "merchant":
		case "cardholder":
			initiator = "CARDHOLDER"
		default:
			return nil, exitcode.New(exitcode.Usage, "--initiator %q: use merchant or cardholder", c.initiator)
		}
		initial := false
		return &acquiring.CardOnFileData{IsInitialTransaction: &initial, SubsequentCardOnFileData: &acquiring.SubsequentCardOnFileData{
			CardOnFileInitiator: initiator, InitialSchemeTransactionID: c.schemeTransactionID}}, nil
	}
	return nil, exitcode.New(exitcode.Usage, "--card-on-file %q: use initial or subsequent", c.cardOnFile)
}

// Run reads the card, announces the operation id and processes the payment.
func (c *Charge) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	in := c.flags
	in.AmountInput = *c.in
	return in.Run(cmd.Context(), f, args)
}

// Run reads the card, announces the operation id and processes the payment.
func (c *chargeInput) Run(ctx context.Context, f *cmdutil.Factory, _ []string) error {
	amount, err := cmdutil.ParseAmount(c.Amount, c.Currency)
	if err != nil {
		return err
	}
	if len(c.reference) > 64 {
		return exitcode.New(exitcode.Usage, "--reference is longer than 64 characters")
	}
	onFile, err := c.cardOnFileData()
	if err != nil {
		return err
	}
	var (
		dcc   *acquiring.DccData
		quote quote
	)
	if c.dccRateRef != "" {
		q, err := findQuote(f, c.dccRateRef)
		if err != nil {
			return err
		}
		quote = q
		if q.FromCurrency != amount.Currency.Code || q.AmountMinor != amount.MinorUnits {
			quoted, _ := money.FromMinor(q.AmountMinor, q.FromCurrency)
			return exitcode.New(exitcode.Usage, "--dcc-rate-ref %s quotes %s, not %s: nothing was sent", c.dccRateRef, quoted, amount).
				WithHint("charge the quoted amount, or ask for a new quote for this one")
		}
		to, _ := money.LookupCurrency(q.ToCurrency)
		dcc = &acquiring.DccData{Amount: q.ConvertedMinor, ConversionRate: json.Number(q.Rate), CurrencyCode: q.ToCurrency, NumberOfDecimals: int32(to.Exponent)}
		if q.ConvertedDigits != 0 {
			dcc.NumberOfDecimals = q.ConvertedDigits
		}
	}
	var threeDS *acquiring.ThreeDSecure
	if c.threeDSFile != "" {
		if threeDS, err = ReadThreeDSecure(c.threeDSFile); err != nil {
			return err
		}
	}
	// A payment on a stored card, initiated by the merchant, has no CVC.
	subsequent := onFile != nil && onFile.SubsequentCardOnFileData != nil
	card, err := ReadCard(f, c.cardFile, !subsequent)
	if err != nil {
		return err
	}
	session, operationID, err := BeginOperation(ctx, f, c.operationID)
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
	req.CardPaymentData.CardOnFileData = onFile
	req.DynamicCurrencyConversion = dcc
	if subsequent && card.CardSecurityCode == "" {
		req.CardPaymentData.CardholderVerificationMethod = ""
	}
	if threeDS != nil {
		req.CardPaymentData.CardholderVerificationMethod = "THREE_DS"
		req.CardPaymentData.EcommerceData = &acquiring.ECommerceData{ThreeDSecure: threeDS}
	}
	if c.preAuth {
		req.AuthorizationType = "PRE_AUTHORIZATION"
	}
	if c.reference != "" {
		req.References = &acquiring.PaymentReferences{MerchantReference: c.reference}
	}
	// sentBefore false: this handler does not look up earlier attempts
	// under the key; a caller that knows of one passes true.
	created, err := session.CreatePayment(ctx, req, f.SentBefore())
	if err != nil {
		return err
	}
	r := paymentResult(created, req, card.Last4())
	r.setCardholder(dcc)
	if dcc != nil && created.Response.PaymentID != "" {
		// Kept for the payment's capture, increment, reversal and refund,
		// which must carry its DCC.
		profile, _, _ := f.ProfileName()
		if err := saveDCCPayment(f, dccPayment{PaymentID: created.Response.PaymentID, Currency: req.Amount.CurrencyCode, Digits: req.Amount.NumberOfDecimals,
			CardholderCurrency: dcc.CurrencyCode, CardholderDigits: dcc.NumberOfDecimals, Rate: dcc.ConversionRate.String(), RateReferenceID: quote.RateReferenceID, Profile: profile}); err != nil {
			f.Printer.Notice("Warning: the payment's DCC could not be kept for its capture, increment, reversal and refund: %v", err)
		}
	}
	if err := finish(f, r); err != nil {
		return err
	}
	return replayedUndone(created, operationID)
}

// PaymentOutcome is what CreatePayment learned about a payment.
type PaymentOutcome struct {
	// Response is Worldline's answer to the create request. After a
	// repeated operationId it may be the answer kept from the first
	// request, as it was then.
	Response *acquiring.PaymentResponse
	// Current is the payment as GET payment reads it just after, when the
	// answer may be a replay (sentBefore); nil otherwise.
	Current *acquiring.PaymentResource
}

// CreatePayment processes a card payment. sentBefore says a request with
// the same operationId may already have reached Worldline (the journal
// has an attempt under that key). Worldline then does not process it
// again ("use the same operationId to avoid duplicate processing"), but
// what it answers is not documented [inferred: the answer it gave the
// first time, as the sandbox does], and the payment may since have been
// captured, reversed or cancelled. The answer looks the same either way,
// so the client cannot tell a replay from a first answer: with sentBefore
// the payment's current status is read with GET payment (Current).
//
// Errors are settled (Explain): a lost answer is exit 5 with the
// technical reversal that settles it; a payment made whose current
// status cannot be read is exit 5 with `bokuctl charge status`.
func (s *Session) CreatePayment(ctx context.Context, req acquiring.PaymentRequest, sentBefore bool) (PaymentOutcome, error) {
	resp, err := s.Client.ProcessPayment(ctx, req)
	if err != nil {
		return PaymentOutcome{}, Explain(err, lostCreateHint("payment", req.OperationID, s.ProfileArg+s.yesArg))
	}
	out := PaymentOutcome{Response: resp}
	if !sentBefore {
		return out, nil
	}
	current, err := s.Client.GetPayment(ctx, resp.PaymentID, false)
	if err != nil {
		return out, &exitcode.Error{Code: exitcode.UnknownOutcome, Err: err,
			Message: fmt.Sprintf("payment %s was made under operation id %s, but its current status could not be read: %v", resp.PaymentID, req.OperationID, err),
			Hint:    fmt.Sprintf("find out first: bokuctl charge status %s --operations%s", resp.PaymentID, s.ProfileArg)}
	}
	out.Current = current
	return out, nil
}

// paymentResult is the charge's result: the answer's, with the current
// status, amount and authorization code when CreatePayment read them.
func paymentResult(created PaymentOutcome, req acquiring.PaymentRequest, last4 string) result {
	resp := created.Response
	r := result{PaymentID: resp.PaymentID, OperationID: resp.OperationID, Status: resp.Status,
		AuthorizationCode: resp.InitialAuthorizationCode, CardLast4: last4, StatusTimestamp: provider.ParseTimestamp(resp.StatusTimestamp), RetryAfter: resp.RetryAfter}
	r.setCodes(resp.ResponseCodes)
	r.setAdvice(resp.AdditionalResponseData)
	r.setReferences(resp.References)
	r.setCard(resp.CardPaymentData)
	if resp.TotalAuthorizedAmount != nil {
		r.setAmount(resp.TotalAuthorizedAmount)
	} else {
		r.setAmount(&req.Amount)
	}
	if now := created.Current; now != nil {
		if now.Status != resp.Status {
			r.Message = fmt.Sprintf("operation id %s was sent before: the answer was %s, and payment %s is %s now", req.OperationID, resp.Status, resp.PaymentID, now.Status)
		}
		r.Status, r.StatusTimestamp, r.RetryAfter = now.Status, provider.ParseTimestamp(now.StatusTimestamp), now.RetryAfter
		if now.TotalAuthorizedAmount != nil {
			r.setAmount(now.TotalAuthorizedAmount)
		}
		if now.InitialAuthorizationCode != "" {
			r.AuthorizationCode = now.InitialAuthorizationCode
		}
	}
	return r
}

// replayedUndone is exit 3 for a repeated operationId whose payment has
// since been reversed or cancelled: nothing is charged under that id,
// and repeating it never charges again.
func replayedUndone(created PaymentOutcome, operationID string) error {
	now := created.Current
	if now == nil || (now.Status != "REVERSED" && now.Status != "CANCELLED") {
		return nil
	}
	return exitcode.New(exitcode.Declined, "payment %s under operation id %s is %s now: nothing is charged under that id", created.Response.PaymentID, operationID, now.Status).
		WithHint("to charge again, give a new --operation-id")
}

// lostCreateHint is how to settle a request that creates a payment or a
// standalone refund and got no definite answer: no id is known yet, so
// only the operation id can find it. Worldline's technical reversal is
// its documented way to handle a lost answer: it undoes the operation if
// it was processed and answers 7204 if it never arrived.
func lostCreateHint(what, operationID, profileArg string) string {
	return fmt.Sprintf("bokuctl operation reverse %s --reason TIMEOUT_WAITING_RESPONSE%s (Worldline's technical reversal for a lost answer: it undoes the %s if Worldline made it, and answers 7204 if the request never arrived); or, to complete it instead, re-run the same command with the same --operation-id %s (Worldline requires the same operationId on a resubmission, to avoid duplicate processing)", operationID, profileArg, what, operationID)
}

// ChargeStatus is `charge status` with Worldline: a payment by its id.
type ChargeStatus struct {
	ids
	operations bool
}

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
	r := result{PaymentID: resp.PaymentID, Status: resp.Status, AuthorizationCode: resp.InitialAuthorizationCode, Operations: operationLines(resp.Operations),
		StatusTimestamp: provider.ParseTimestamp(resp.StatusTimestamp), RetryAfter: resp.RetryAfter}
	r.setAmount(resp.TotalAuthorizedAmount)
	r.setReferences(resp.References)
	r.setCard(resp.CardPaymentData)
	return finish(f, r)
}
