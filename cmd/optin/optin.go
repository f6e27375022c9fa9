// Package optin is `bokuctl optin`: Boku's hosted opt-in (begin, validate,
// confirm), its status and cancellation.
package optin

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.WithExample(cmdutil.GroupCmd("optin", "Opt a consumer's payment method in (Boku hosted opt-in: begin, validate, confirm), query and cancel it",
		newOptinBeginCmd(f),
		newOptinValidateCmd(f),
		newOptinConfirmCmd(f),
		newOptinStatusCmd(f),
		newOptinCancelCmd(f),
	), `  bokuctl optin begin --payment-method superwallet --forward-url https://shop.example/optin/done
  bokuctl optin validate oi-000001      # once the consumer is back at the forward URL
  bokuctl optin confirm oi-000001`)
}

// optinResult is the output of every optin command.
type optinResult struct {
	OptinID            string `json:"optin_id,omitempty"`
	OptinRequestID     string `json:"optin_request_id,omitempty"`
	MerchantRequestID  string `json:"merchant_request_id,omitempty"`
	Status             string `json:"status"`
	OptinURL           string `json:"optin_url,omitempty"`
	PaymentMethod      string `json:"payment_method,omitempty"`
	OptinType          string `json:"optin_type,omitempty"`
	Country            string `json:"country,omitempty"`
	NetworkID          string `json:"network_id,omitempty"`
	AccountIdentifier  string `json:"account_identifier,omitempty"`
	IssuerUniqueUserID string `json:"issuer_unique_user_id,omitempty"`
	ReasonCode         int    `json:"reason_code"`
	Message            string `json:"message,omitempty"`
}

func (r optinResult) Table() output.Table {
	var fields []output.Field
	add := func(label, value string, cell func(string) output.Cell) {
		if value != "" {
			fields = append(fields, output.Field{Label: label, Value: cell(value)})
		}
	}
	add("Optin ID", r.OptinID, output.Text)
	add("Status", r.Status, output.Status)
	add("Payment method", r.PaymentMethod, output.Text)
	add("Account", r.AccountIdentifier, output.Text)
	add("Country", r.Country, output.Text)
	add("Optin request ID", r.OptinRequestID, output.Text)
	add("Merchant request ID", r.MerchantRequestID, output.Text)
	add("Consumer URL", r.OptinURL, output.Text)
	return output.Table{Fields: fields}
}

func newOptinResult(resp *bokudirect.OptinResponse) optinResult {
	r := optinResult{OptinID: resp.OptinID, OptinRequestID: resp.OptinRequestID, MerchantRequestID: resp.MerchantRequestID, OptinURL: resp.OptinURL,
		PaymentMethod: resp.PaymentMethod, OptinType: resp.OptinType, ReasonCode: resp.Result.ReasonCode, Message: resp.Result.Message}
	if s := resp.OptinState; s != nil {
		r.Status, r.Country, r.NetworkID = s.Status, strings.ToLower(s.Country), s.NetworkID
		r.AccountIdentifier, r.IssuerUniqueUserID = s.AccountIdentifier, s.IssuerUniqueUserID
	}
	if r.Status == "" && !resp.Result.OK() {
		r.Status = "failed"
	}
	return r
}

// retiredOptinFlag registers a flag of the earlier, invented opt-in flow:
// still accepted by the parser, so that using one names the new way.
func retiredOptinFlag(cmd *cobra.Command, name, hint string) {
	cmd.Flags().String(name, "", hint)
	_ = cmd.Flags().MarkHidden(name)
}

func refuseRetiredOptinFlags(cmd *cobra.Command, names ...string) error {
	for _, name := range names {
		if fl := cmd.Flags().Lookup(name); fl != nil && fl.Changed {
			return exitcode.New(exitcode.Usage, "--%s is not part of Boku's published opt-in API", name).WithHint("%s", fl.Usage)
		}
	}
	return nil
}

type optinBeginOptions struct {
	Country, PaymentMethod, Type, ForwardURL, MerchantRequestID, ConsumerID string
	MobileFlow                                                              bool
}

func newOptinBeginCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &optinBeginOptions{}
	cmd := &cobra.Command{
		Use:   "begin --payment-method NAME --forward-url URL",
		Short: "Start a hosted opt-in: the consumer approves at the URL it returns",
		Long: `Start Boku's hosted opt-in (optin/3.0/optin): Boku answers with an optin id
(status pending-validate) and a URL where the consumer approves the payment
method at its issuer; the issuer then sends the consumer back to
--forward-url. After that, validate the opt-in (optin validate), then
confirm it (optin confirm) to make it chargeable.

Only the hosted type is published by Boku; the other types its 2026 SDK
names (otp, carrier-gw, silent-mo) have no public shape and are not offered.`,
		Example: `  bokuctl optin begin --payment-method superwallet --forward-url https://shop.example/optin/done
  bokuctl optin validate D4q4jgAAAABTRwAAAAAAAA
  bokuctl optin confirm D4q4jgAAAABTRwAAAAAAAA`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return optinBegin(cmd, f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Country, "country", "", "consumer's country, ISO 3166-1 alpha-2 (default: the profile's boku.country)")
	cmd.Flags().StringVar(&opts.PaymentMethod, "payment-method", "", "the wallet or payment method the consumer chose, as Boku names it")
	cmd.Flags().StringVar(&opts.ForwardURL, "forward-url", "", "where the issuer sends the consumer back after approving")
	cmd.Flags().StringVar(&opts.Type, "type", "hosted", "opt-in type: hosted (the only one Boku publishes)")
	cmd.Flags().StringVar(&opts.ConsumerID, "consumer-id", "", "your id for the consumer (merchant-consumer-id), up to 64 characters")
	cmd.Flags().BoolVar(&opts.MobileFlow, "mobile", false, "ask for the issuer's mobile-optimized flow")
	cmd.Flags().StringVar(&opts.MerchantRequestID, "merchant-request-id", "", "idempotency key (default: a new UUID, printed before sending)")
	retiredOptinFlag(cmd, "msisdn", "OTP opt-ins are not in Boku's published 3.0 API: use --payment-method and --forward-url (hosted)")
	retiredOptinFlag(cmd, "return-url", "it is --forward-url in Boku's API")
	cmd.MarkFlagRequired("payment-method")
	cmd.MarkFlagRequired("forward-url")
	return cmd
}

func optinBegin(cmd *cobra.Command, f *cmdutil.Factory, opts *optinBeginOptions) error {
	if err := refuseRetiredOptinFlags(cmd, "msisdn", "return-url"); err != nil {
		return err
	}
	if opts.Type != "hosted" {
		return exitcode.New(exitcode.Usage, "--type %q: Boku publishes only hosted opt-ins", opts.Type).WithHint("leave --type out (hosted)")
	}
	if opts.Country != "" {
		if err := cmdutil.CheckCountry(opts.Country); err != nil {
			return err
		}
	}
	if err := cmdutil.CheckID("--payment-method", opts.PaymentMethod); err != nil {
		return err
	}
	if u, err := url.Parse(opts.ForwardURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(opts.ForwardURL) > 2048 {
		return exitcode.New(exitcode.Usage, "--forward-url %q is not an http(s) URL", opts.ForwardURL).WithHint("for example --forward-url https://shop.example/optin/done")
	}
	if len(opts.ConsumerID) > 64 {
		return exitcode.New(exitcode.Usage, "--consumer-id is longer than 64 characters")
	}
	session, err := boku.NewSession(cmd.Context(), f, opts.Country)
	if err != nil {
		return err
	}
	if err := session.CheckCountry(opts.Country); err != nil {
		return err
	}
	merchantRequestID, err := f.Announce(cmd.Context(), cmdutil.Intent{Provider: string(provider.Boku), Key: opts.MerchantRequestID,
		Flag: "merchant-request-id", Label: "Merchant request ID"})
	if err != nil {
		return err
	}
	req := bokudirect.OptinRequest{MerchantRequestID: merchantRequestID, MerchantConsumerID: opts.ConsumerID, PaymentMethod: opts.PaymentMethod,
		Hosted: bokudirect.Hosted{ForwardURL: opts.ForwardURL}}
	if opts.MobileFlow {
		mobile := true
		req.Hosted.UseMobileFlow = &mobile
	}
	resp, err := session.Direct.Optin(cmd.Context(), req)
	if err != nil {
		return boku.Explain(err, fmt.Sprintf("bokuctl optin status --optin-request-id %s%s", merchantRequestID, session.ProfileArg))
	}
	result := newOptinResult(resp)
	result.OptinRequestID = merchantRequestID
	f.Printer.Notice("Send the consumer to the URL below. When they are back at the forward URL: bokuctl optin validate %s%s", resp.OptinID, session.ProfileArg)
	return f.Printer.Print(result)
}

// optinStep is validate, confirm, cancel and status: one opt-in, by
// OPTIN_ID or --optin-request-id, with this call's own merchant request id.
type optinStep struct {
	requestID, merchantRequestID string
	mutation                     bool
}

func (s *optinStep) addFlags(cmd *cobra.Command, mutation bool) {
	s.mutation = mutation
	cmd.Flags().StringVar(&s.requestID, "optin-request-id", "", "name the opt-in by the merchant request id optin begin was sent with")
	if mutation {
		cmd.Flags().StringVar(&s.merchantRequestID, "merchant-request-id", "", "this call's idempotency key (default: a new UUID, printed before sending)")
	}
}

// begin checks the opt-in reference, builds the session and announces this
// call's merchant request id.
func (s *optinStep) begin(cmd *cobra.Command, f *cmdutil.Factory, args []string) (*boku.Session, string, string, error) {
	optinID, err := cmdutil.IDOrKey(args, s.requestID, "OPTIN_ID", "optin-request-id", "opt-in")
	if err != nil {
		return nil, "", "", err
	}
	session, err := boku.NewSession(cmd.Context(), f, "")
	if err != nil {
		return nil, "", "", err
	}
	if !s.mutation {
		// A query changes nothing: its request id needs no announcing.
		return session, optinID, uuid.NewString(), nil
	}
	key, err := f.Announce(cmd.Context(), cmdutil.Intent{Provider: string(provider.Boku), Key: s.merchantRequestID,
		Flag: "merchant-request-id", Label: "Merchant request ID"})
	if err != nil {
		return nil, "", "", err
	}
	return session, optinID, key, nil
}

func (s *optinStep) ref(optinID string) string {
	if optinID != "" {
		return optinID
	}
	return "--optin-request-id " + s.requestID
}

func newOptinValidateCmd(f *cmdutil.Factory) *cobra.Command {
	step := &optinStep{}
	cmd := &cobra.Command{
		Use:   "validate (OPTIN_ID | --optin-request-id ID)",
		Short: "Validate a hosted opt-in after the consumer approved it (pending-validate → pending-confirm)",
		Long: `Validate an opt-in once the consumer has come back to the forward URL
(optin/3.0/validate-optin). Before they have, Boku answers 136 "not yet
verified" (the code its spec lists for validate-optin): bokuctl exits 8,
pending; run it again after. A 23 "in progress" is 8 as well.`,
		Example: `  bokuctl optin validate oi-000001
  bokuctl optin validate --optin-request-id signup-42   # the --merchant-request-id optin begin was sent with`,
		Args: cmdutil.UsageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			session, optinID, key, err := step.begin(cmd, f, args)
			if err != nil {
				return err
			}
			resp, err := session.Direct.ValidateOptin(cmd.Context(), bokudirect.ValidateOptinRequest{MerchantRequestID: key, OptinID: optinID, OptinRequestID: step.requestID})
			return finishOptin(cmd.Context(), f, session, resp, err, fmt.Sprintf("bokuctl optin validate %s%s", step.ref(optinID), session.ProfileArg),
				"Opt-in is %[1]s. Make it chargeable with: bokuctl optin confirm %[2]s%[3]s")
		},
	}
	step.addFlags(cmd, true)
	return cmd
}

func newOptinConfirmCmd(f *cmdutil.Factory) *cobra.Command {
	step := &optinStep{}
	cmd := &cobra.Command{
		Use:   "confirm (OPTIN_ID | --optin-request-id ID)",
		Short: "Confirm a validated opt-in so it can be charged (pending-confirm → active)",
		Example: `  bokuctl optin confirm oi-000001
  bokuctl optin confirm --optin-request-id signup-42`,
		Args: cmdutil.UsageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := refuseRetiredOptinFlags(cmd, "code"); err != nil {
				return err
			}
			session, optinID, key, err := step.begin(cmd, f, args)
			if err != nil {
				return err
			}
			resp, err := session.Direct.ConfirmOptin(cmd.Context(), bokudirect.ConfirmOptinRequest{MerchantRequestID: key, OptinID: optinID, OptinRequestID: step.requestID})
			statusCmd := fmt.Sprintf("bokuctl optin status %s%s", step.ref(optinID), session.ProfileArg)
			done := finishOptin(cmd.Context(), f, session, resp, err, statusCmd,
				"Opt-in is %[1]s. Charge it with: bokuctl charge --optin-id %[2]s --amount AMOUNT --currency CUR%[3]s")
			// The spec's confirm-optin answers 137 (a conflicting update)
			// for an opt-in that is not pending-confirm; 136 is tolerated.
			var api *bokudirect.APIError
			if errors.As(err, &api) && (api.Result.ReasonCode == bokudirect.ReasonOptinConflict || api.Result.ReasonCode == bokudirect.ReasonOptinNotVerified) {
				state := ""
				if resp.OptinState != nil {
					state = resp.OptinState.Status
				}
				hint := fmt.Sprintf("the opt-in is not pending-confirm; see its status with %s, and if it is pending-validate, validate it first: bokuctl optin validate %s%s", statusCmd, step.ref(optinID), session.ProfileArg)
				switch {
				case state == "pending-validate" || state == "" && api.Result.ReasonCode == bokudirect.ReasonOptinNotVerified:
					hint = fmt.Sprintf("validate it first: bokuctl optin validate %s%s", step.ref(optinID), session.ProfileArg)
				case state != "":
					hint = fmt.Sprintf("the opt-in is %s, so it cannot be confirmed; see it with %s", state, statusCmd)
				}
				return &exitcode.Error{Code: exitcode.Of(done), Err: err, Hint: hint}
			}
			return done
		},
	}
	step.addFlags(cmd, true)
	retiredOptinFlag(cmd, "code", "OTP opt-ins are not in Boku's published 3.0 API: hosted opt-ins are validated with `bokuctl optin validate` instead")
	return cmd
}

func newOptinStatusCmd(f *cmdutil.Factory) *cobra.Command {
	step := &optinStep{}
	cmd := &cobra.Command{
		Use:   "status (OPTIN_ID | --optin-request-id ID)",
		Short: "Show an opt-in's status (query-optin; shape inferred)",
		Long: `Show an opt-in's status with Boku's query-optin, a call Boku publishes by
name only: bokuctl sends it in the shape of the other opt-in calls
(country, merchant-id, merchant-request-id, optin-id or optin-request-id)
and reads the answer as theirs [inferred].`,
		Example: `  bokuctl optin status oi-000001
  bokuctl optin status --optin-request-id signup-42 --jq .status`,
		Args: cmdutil.UsageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			session, optinID, key, err := step.begin(cmd, f, args)
			if err != nil {
				return err
			}
			resp, err := session.Direct.QueryOptin(cmd.Context(), bokudirect.QueryOptinRequest{MerchantRequestID: key, OptinID: optinID, OptinRequestID: step.requestID})
			return finishOptin(cmd.Context(), f, session, resp, err, "", "")
		},
	}
	step.addFlags(cmd, false)
	return cmd
}

func newOptinCancelCmd(f *cmdutil.Factory) *cobra.Command {
	step := &optinStep{}
	var yes bool
	cmd := &cobra.Command{
		Use:   "cancel (OPTIN_ID | --optin-request-id ID)",
		Short: "Close an opt-in so it can no longer be charged (it stays refundable)",
		Long: `Close an opt-in so it can no longer be charged; its charges stay
refundable. On a terminal it asks for confirmation; elsewhere it refuses
unless --yes is given.

Boku's cancel-optin names the opt-in by its optin-id only. With
--optin-request-id, bokuctl first looks the optin-id up with query-optin
[inferred shape, as optin status] and cancels that one; when the lookup
fails, nothing is cancelled.`,
		Example: `  bokuctl optin cancel D4q4jgAAAABTRwAAAAAAAA
  bokuctl optin cancel --optin-request-id signup-42 --yes`,
		Args: cmdutil.UsageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref := "--optin-request-id " + step.requestID
			if len(args) == 1 {
				ref = args[0]
			}
			f.ConfirmBeforeSending(yes, "cancelling an opt-in",
				fmt.Sprintf("Cancel opt-in %s, so that it can no longer be charged", ref))
			if _, err := cmdutil.IDOrKey(args, step.requestID, "OPTIN_ID", "optin-request-id", "opt-in"); err != nil {
				return err
			}
			if step.requestID != "" {
				// cancel-optin takes an optin-id only: look it up first
				// with query-optin (its shape inferred), sending nothing
				// that changes state until it is known.
				id, err := lookupOptinID(cmd.Context(), f, step.requestID)
				if err != nil {
					return err
				}
				args, step.requestID = []string{id}, ""
			}
			session, optinID, key, err := step.begin(cmd, f, args)
			if err != nil {
				return err
			}
			resp, err := session.Direct.CancelOptin(cmd.Context(), bokudirect.CancelOptinRequest{MerchantRequestID: key, OptinID: optinID})
			return finishOptin(cmd.Context(), f, session, resp, err, fmt.Sprintf("bokuctl optin status %s%s", step.ref(optinID), session.ProfileArg), "")
		},
	}
	step.addFlags(cmd, true)
	cmdutil.AddYesFlag(cmd, &yes)
	return cmd
}

// finishOptin prints a definite answer (also an in-progress or ERROR one
// that names the opt-in) and settles the exit code; next is the notice
// naming the next step, with the status, opt-in id and profile argument.
func finishOptin(_ context.Context, f *cmdutil.Factory, session *boku.Session, resp *bokudirect.OptinResponse, err error, statusCmd, next string) error {
	var api *bokudirect.APIError
	if err != nil && !errors.As(err, &api) {
		return boku.Explain(err, statusCmd)
	}
	result := newOptinResult(resp)
	if printErr := f.Printer.Print(result); printErr != nil {
		return printErr
	}
	if err != nil {
		if exitcode.Of(err) == exitcode.Pending {
			return &exitcode.Error{Code: exitcode.Pending, Err: err,
				Hint: "the consumer has not finished at the opt-in URL yet; run again after they are back at the forward URL: " + statusCmd}
		}
		return boku.Explain(err, statusCmd)
	}
	if next != "" {
		f.Printer.Notice(next, result.Status, result.OptinID, session.ProfileArg)
	}
	return nil
}

// lookupOptinID is the optin-id of the opt-in optin begin sent with
// requestID, from query-optin (read-only: nothing changes at Boku).
func lookupOptinID(ctx context.Context, f *cmdutil.Factory, requestID string) (string, error) {
	session, err := boku.NewSession(ctx, f, "")
	if err != nil {
		return "", err
	}
	resp, err := session.Direct.QueryOptin(ctx, bokudirect.QueryOptinRequest{MerchantRequestID: uuid.NewString(), OptinRequestID: requestID})
	if err != nil {
		return "", boku.Explain(err, "")
	}
	if resp.OptinID == "" {
		return "", exitcode.New(exitcode.Usage, "Boku names no opt-in for optin request id %s: nothing was cancelled", requestID).
			WithHint("give the optin id instead: bokuctl optin cancel OPTIN_ID%s", session.ProfileArg)
	}
	return resp.OptinID, nil
}
