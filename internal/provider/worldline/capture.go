package worldline

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// paymentAction is what capture, reverse and increment share: the payment
// (the one argument), an optional amount and the operation id.
type paymentAction struct {
	amount, currency, operationID string
}

func (a *paymentAction) addFlags(fs *pflag.FlagSet, what string) {
	fs.StringVar(&a.amount, "amount", "", "amount to "+what)
	fs.StringVar(&a.currency, "currency", "", "currency of --amount (the payment's)")
	fs.StringVar(&a.operationID, "operation-id", "", "idempotency key (default: a new UUID, printed before sending)")
}

// actionCall is one action under way: what begin checked and announced.
type actionCall struct {
	ctx       context.Context
	session   *Session
	paymentID string
	amount    *acquiring.AmountData
	now       string
	statusCmd string
	result    result
	// dcc is the payment's DCC when it was charged with DCC from here:
	// its follow-ups must carry it.
	dcc *dccPayment
}

// withDCC is the dynamicCurrencyConversion for an operation of amount on
// a DCC payment (nil for another payment), shown in the result too.
func (c *actionCall) withDCC(amount acquiring.AmountData) (*acquiring.DccData, error) {
	if c.dcc == nil {
		return nil, nil
	}
	d, err := c.dcc.follow(amount)
	if err == nil {
		c.result.setCardholder(d)
	}
	return d, err
}

// begin checks the inputs, builds the session and announces the operation
// id. needAmount refuses a missing --amount (increment).
func (a *paymentAction) begin(ctx context.Context, f *cmdutil.Factory, args []string, what string, needAmount bool) (*actionCall, error) {
	if len(args) != 1 {
		return nil, exitcode.New(exitcode.Usage, "which payment? give PAYMENT_ID").WithHint("usage: bokuctl %s PAYMENT_ID", what)
	}
	paymentID := args[0]
	if err := cmdutil.CheckID("PAYMENT_ID", paymentID); err != nil {
		return nil, err
	}
	amount, err := optionalAmount(a.amount, a.currency)
	if err != nil {
		return nil, err
	}
	if needAmount && amount == nil {
		return nil, exitcode.New(exitcode.Usage, "%s needs --amount and --currency", what)
	}
	dcc, isDCC, err := findDCCPayment(f, paymentID)
	if err != nil {
		return nil, err
	}
	if isDCC && amount == nil {
		return nil, dcc.needAmount(what)
	}
	if isDCC {
		if _, err := dcc.follow(*amount); err != nil {
			return nil, err
		}
	}
	session, operationID, err := BeginOperation(ctx, f, a.operationID)
	if err != nil {
		return nil, err
	}
	call := &actionCall{
		ctx: ctx, session: session, paymentID: paymentID, amount: amount, now: acquiring.Timestamp(time.Now()),
		statusCmd: fmt.Sprintf("bokuctl charge status %s --operations%s", paymentID, session.ProfileArg),
		result:    result{PaymentID: paymentID, OperationID: operationID},
	}
	if isDCC {
		call.dcc = &dcc
	}
	return call, nil
}

// Capture is `charge capture`: capture all or part of an authorization.
type Capture struct {
	ids
	flags captureInput
}

// captureInput is what a capture takes: the command's flags, or a batch
// row's columns.
type captureInput struct {
	paymentAction
	final bool
}

// AddFlags registers --amount, --currency, --operation-id and --final.
func (c *Capture) AddFlags(fs *pflag.FlagSet) { c.flags.addFlags(fs) }

func (c *captureInput) addFlags(fs *pflag.FlagSet) {
	c.paymentAction.addFlags(fs, "capture (default: everything still authorized)")
	fs.BoolVar(&c.final, "final", false, "the last capture: release what is left of the authorization")
}

// NewRowInput is a fresh capture input for a batch row.
func (c *Capture) NewRowInput(fs *pflag.FlagSet) provider.RowInput {
	in := &captureInput{}
	in.addFlags(fs)
	return in
}

// Run captures.
func (c *Capture) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	in := c.flags
	return in.Run(cmd.Context(), f, args)
}

// Run captures.
func (c *captureInput) Run(ctx context.Context, f *cmdutil.Factory, args []string) error {
	call, err := c.begin(ctx, f, args, "charge capture", false)
	if err != nil {
		return err
	}
	req := acquiring.CaptureRequest{Amount: call.amount, OperationID: call.result.OperationID, TransactionTimestamp: call.now}
	if call.amount != nil {
		if req.DynamicCurrencyConversion, err = call.withDCC(*call.amount); err != nil {
			return err
		}
	}
	if c.final {
		req.IsFinal = &c.final
	}
	resp, err := call.session.Client.CapturePayment(call.ctx, call.paymentID, req)
	if err != nil {
		return Explain(err, call.statusCmd)
	}
	r := call.result
	r.setCodes(resp.ResponseCodes)
	r.setAdvice(resp.AdditionalResponseData)
	r.setPaymentSummary(resp.Payment)
	r.setAmount(call.amount)
	return finish(f, r)
}

// Reverse is `charge reverse` with Worldline: release all or part of an
// authorization that has not been captured.
type Reverse struct {
	ids
	flags reverseInput
}

// reverseInput is what a reversal takes: the command's flags, or a batch
// row's columns.
type reverseInput struct{ paymentAction }

// AddFlags registers --amount, --currency and --operation-id.
func (v *Reverse) AddFlags(fs *pflag.FlagSet) { v.flags.addFlags(fs) }

func (v *reverseInput) addFlags(fs *pflag.FlagSet) {
	v.paymentAction.addFlags(fs, "reverse (Worldline; default: the whole authorization)")
}

// NewRowInput is a fresh reversal input for a batch row.
func (v *Reverse) NewRowInput(fs *pflag.FlagSet) provider.RowInput {
	in := &reverseInput{}
	in.addFlags(fs)
	return in
}

// Run reverses the authorization.
func (v *Reverse) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	in := v.flags
	return in.Run(cmd.Context(), f, args)
}

// Run reverses the authorization.
func (v *reverseInput) Run(ctx context.Context, f *cmdutil.Factory, args []string) error {
	call, err := v.begin(ctx, f, args, "charge reverse", false)
	if err != nil {
		return err
	}
	req := acquiring.PaymentReversalRequest{ReversalAmount: call.amount, OperationID: call.result.OperationID, TransactionTimestamp: call.now}
	if call.amount != nil {
		if req.DynamicCurrencyConversion, err = call.withDCC(*call.amount); err != nil {
			return err
		}
	}
	resp, err := call.session.Client.ReverseAuthorization(call.ctx, call.paymentID, req)
	if err != nil {
		return Explain(err, call.statusCmd)
	}
	r := call.result
	r.setCodes(resp.ResponseCodes)
	r.setPaymentSummary(resp.Payment)
	r.setAmount(resp.TotalAuthorizedAmount)
	r.reversal = true
	if call.amount != nil {
		minor := call.amount.Amount
		r.ReleasedAmount, r.ReleasedAmountMinorUnits = call.amount.Decimal(), &minor
		if r.Currency == "" {
			r.Currency = call.amount.CurrencyCode
		}
	}
	return finish(f, r)
}

// Increment is `charge increment`: raise a pre-authorization.
type Increment struct {
	ids
	paymentAction
}

// AddFlags registers --amount, --currency and --operation-id.
func (i *Increment) AddFlags(fs *pflag.FlagSet) { i.addFlags(fs, "add to the authorization") }

// Run raises the authorization by --amount.
func (i *Increment) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	call, err := i.begin(cmd.Context(), f, args, "charge increment", true)
	if err != nil {
		return err
	}
	req := acquiring.IncrementRequest{IncrementAmount: *call.amount, OperationID: call.result.OperationID, TransactionTimestamp: call.now}
	if req.DynamicCurrencyConversion, err = call.withDCC(*call.amount); err != nil {
		return err
	}
	resp, err := call.session.Client.IncrementPayment(call.ctx, call.paymentID, req)
	if err != nil {
		return Explain(err, call.statusCmd)
	}
	r := call.result
	r.setCodes(resp.ResponseCodes)
	r.AuthorizationCode = resp.AuthorizationCode
	r.setPaymentSummary(resp.Payment)
	r.setAmount(resp.TotalAuthorizedAmount)
	return finish(f, r)
}
