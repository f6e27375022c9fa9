package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/build"
	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
	"github.com/bokuctl/bokuctl/pkg/secret"
)

// provider resolves which provider backs charge, refund, forex and
// fund-check: --provider > BOKUCTL_PROVIDER > profile > boku.
func provider(f *cmdutil.Factory) (string, error) {
	settings, err := f.Settings(nil)
	if err != nil {
		return "", err
	}
	return settings.Get("provider"), nil
}

// onlyFor refuses flags that belong to the other provider, naming them.
func onlyFor(cmd *cobra.Command, providerName string, flags ...string) error {
	for _, name := range flags {
		if cmd.Flags().Changed(name) {
			return exitcode.New(exitcode.Usage, "--%s does not apply to the %s provider", name, providerName).
				WithHint("see `%s --help`; choose the provider with --provider or the profile's provider setting", cmd.CommandPath())
		}
	}
	return nil
}

// worldlineSession is a configured Worldline client.
type worldlineSession struct {
	client     *acquiring.Client
	profileArg string
}

func newWorldlineSession(ctx context.Context, f *cmdutil.Factory) (*worldlineSession, error) {
	settings, err := f.Settings(nil)
	if err != nil {
		return nil, err
	}
	profile, explicit, err := f.ProfileName()
	if err != nil {
		return nil, err
	}
	if err := cmdutil.RequireSettings(settings, "worldline.acquirer-id", "worldline.merchant-id", "worldline.client-id"); err != nil {
		return nil, err
	}
	clientSecret, err := secret.Resolve(ctx, f.SecretStore(), f.Getenv, profile, "worldline-client-secret")
	if err != nil {
		return nil, err
	}
	client, err := acquiring.New(acquiring.Config{
		APIURL:        settings.Get("worldline.api-url"),
		AcquirerID:    settings.Get("worldline.acquirer-id"),
		MerchantID:    settings.Get("worldline.merchant-id"),
		ClientID:      settings.Get("worldline.client-id"),
		ClientSecret:  clientSecret.Value,
		TokenURL:      settings.Get("worldline.token-url"),
		Scopes:        strings.Fields(settings.Get("worldline.scopes")),
		Integrator:    settings.Get("worldline.integrator"),
		SDKIdentifier: "bokuctl/" + build.Current().Version,
		HTTPClient:    f.HTTPClient(acquiring.MaskHeader, acquiring.MaskBody),
	})
	if err != nil {
		return nil, exitcode.New(exitcode.Auth, "%v", err)
	}
	session := &worldlineSession{client: client}
	if explicit {
		session.profileArg = " -p " + profile
	}
	return session, nil
}

// readCard reads card JSON from --card-file or stdin; never from flags.
func readCard(f *cmdutil.Factory, file string, needCVC bool) (acquiring.PlainCardData, error) {
	var data []byte
	var err error
	switch {
	case file != "" && file != "-":
		data, err = os.ReadFile(file)
	default:
		if _, isTerminal := f.IO.StdinIsTerminal(); isTerminal {
			return acquiring.PlainCardData{}, exitcode.New(exitcode.Usage, "card data is read from stdin or --card-file, as JSON").
				WithHint(`pipe it in, e.g. cat card.json | bokuctl charge …, or pass --card-file card.json`)
		}
		data, err = io.ReadAll(io.LimitReader(f.IO.In, 64<<10))
	}
	if err != nil {
		return acquiring.PlainCardData{}, exitcode.New(exitcode.Usage, "read card data: %v", err)
	}
	card, err := acquiring.ParseCard(data, time.Now())
	if err != nil {
		return acquiring.PlainCardData{}, exitcode.New(exitcode.Usage, "%v", err).
			WithHint(`give the card as JSON {"number":"…","expiry":"MMYYYY","cvc":"…"} on stdin or in --card-file`)
	}
	if needCVC && card.CardSecurityCode == "" {
		return acquiring.PlainCardData{}, exitcode.New(exitcode.Usage, "card: cvc is required here")
	}
	return card, nil
}

// worldlineFailure adds follow-up hints to client errors. statusCmd says
// how to find out what happened to this request.
func worldlineFailure(err error, statusCmd string) error {
	var (
		unknown   *acquiring.UnknownOutcomeError
		malformed *acquiring.MalformedResponseError
		token     *acquiring.TokenError
		api       *acquiring.APIError
		down      *acquiring.UnavailableError
	)
	switch {
	case errors.As(err, &unknown), errors.As(err, &malformed) && malformed.Mutation:
		return &exitcode.Error{Code: exitcode.UnknownOutcome, Err: err, Hint: "do not retry with a new operation id; find out first: " + statusCmd}
	case errors.As(err, &token):
		hint := "check worldline.client-id and the worldline-client-secret secret (`bokuctl secret status`)"
		if token.Code == "invalid_scope" {
			hint = "check worldline.scopes: every scope asked for must be granted to the client"
		} else if exitcode.Of(err) == exitcode.Unavailable {
			hint = "check worldline.token-url and the network; nothing was sent to the API"
		}
		return &exitcode.Error{Code: exitcode.Of(err), Err: err, Hint: hint}
	case errors.As(err, &api):
		switch {
		case api.Status == 401 || api.Status == 403:
			return &exitcode.Error{Code: exitcode.Auth, Err: err, Hint: "the client lacks this operation's scope or this merchant; check worldline.scopes, worldline.acquirer-id and worldline.merchant-id"}
		case api.Status == 429 || api.Status >= 500:
			return &exitcode.Error{Code: exitcode.Unavailable, Err: err, Hint: "try again later with the same --operation-id"}
		}
	case errors.As(err, &down):
		return &exitcode.Error{Code: exitcode.Unavailable, Err: err, Hint: "check worldline.api-url and the network; nothing was processed"}
	}
	return err
}

// wlOperation is one operation of a payment or refund.
type wlOperation struct {
	OperationID          string `json:"operation_id"`
	Type                 string `json:"type"`
	Timestamp            string `json:"timestamp,omitempty"`
	Amount               string `json:"amount,omitempty"`
	Currency             string `json:"currency,omitempty"`
	ResponseCode         string `json:"response_code,omitempty"`
	ResponseCodeCategory string `json:"response_code_category,omitempty"`
}

// wlResult is the output of every Worldline command.
type wlResult struct {
	PaymentID               string        `json:"payment_id,omitempty"`
	RefundID                string        `json:"refund_id,omitempty"`
	OperationID             string        `json:"operation_id,omitempty"`
	Status                  string        `json:"status,omitempty"`
	ResponseCode            string        `json:"response_code,omitempty"`
	ResponseCodeCategory    string        `json:"response_code_category,omitempty"`
	ResponseCodeDescription string        `json:"response_code_description,omitempty"`
	Responder               string        `json:"responder,omitempty"`
	AuthorizationCode       string        `json:"authorization_code,omitempty"`
	Amount                  string        `json:"amount,omitempty"`
	AmountMinorUnits        *int64        `json:"amount_minor_units,omitempty"`
	Currency                string        `json:"currency,omitempty"`
	CardLast4               string        `json:"card_last4,omitempty"`
	Operations              []wlOperation `json:"operations,omitempty"`
}

func (r wlResult) Table() output.Table {
	var fields []output.Field
	add := func(label, value string, cell func(string) output.Cell) {
		if value != "" {
			fields = append(fields, output.Field{Label: label, Value: cell(value)})
		}
	}
	add("Payment ID", r.PaymentID, output.Text)
	add("Refund ID", r.RefundID, output.Text)
	add("Status", r.Status, output.Status)
	if r.Amount != "" {
		add("Amount", r.Amount+" "+r.Currency, output.Text)
	}
	if r.ResponseCode != "" {
		response := r.ResponseCode + " " + r.ResponseCodeCategory
		if r.ResponseCodeDescription != "" {
			response += " (" + r.ResponseCodeDescription + ")"
		}
		fields = append(fields, output.Field{Label: "Response", Value: output.Cell{Text: response, Tone: categoryTone(r.ResponseCodeCategory)}})
	}
	add("Authorization code", r.AuthorizationCode, output.Text)
	add("Card", maskedLast4(r.CardLast4), output.Text)
	add("Operation ID", r.OperationID, output.Text)
	t := output.Table{Fields: fields}
	for i, op := range r.Operations {
		amount := ""
		if op.Amount != "" {
			amount = op.Amount + " " + op.Currency
		}
		t.Fields = append(t.Fields, output.Field{Label: fmt.Sprintf("Operation %d", i+1),
			Value: output.Text(strings.TrimSpace(fmt.Sprintf("%s %s %s %s %s", op.Type, amount, op.ResponseCodeCategory, op.Timestamp, op.OperationID)))})
	}
	return t
}

func maskedLast4(last4 string) string {
	if last4 == "" {
		return ""
	}
	return "**** " + last4
}

func categoryTone(category string) output.Tone {
	switch category {
	case "APPROVED":
		return output.Good
	case "DECLINED":
		return output.Bad
	case "PARTIALLY_APPROVED":
		return output.Waiting
	}
	return output.Plain
}

func (r *wlResult) setCodes(c acquiring.ResponseCodes) {
	r.ResponseCode, r.ResponseCodeCategory, r.ResponseCodeDescription, r.Responder =
		c.ResponseCode, c.ResponseCodeCategory, c.ResponseCodeDescription, c.Responder
}

func (r *wlResult) setAmount(a *acquiring.AmountData) {
	if a == nil {
		return
	}
	minor := a.Amount
	r.Amount, r.AmountMinorUnits, r.Currency = a.Decimal(), &minor, a.CurrencyCode
}

func wlOperations(ops []acquiring.SubOperation) []wlOperation {
	var out []wlOperation
	for _, op := range ops {
		o := wlOperation{OperationID: op.OperationID, Type: op.OperationType, Timestamp: op.OperationTimestamp,
			ResponseCode: op.ResponseCode, ResponseCodeCategory: op.ResponseCodeCategory}
		if op.Amount != nil {
			o.Amount, o.Currency = op.Amount.Decimal(), op.Amount.CurrencyCode
		}
		out = append(out, o)
	}
	return out
}

// finishWorldline prints the result and maps the outcome to the exit
// code: DECLINED 3, PENDING 8, otherwise 0.
func finishWorldline(f *cmdutil.Factory, r wlResult) error {
	if err := f.Printer.Print(r); err != nil {
		return err
	}
	switch {
	case r.ResponseCodeCategory == "DECLINED":
		return exitcode.New(exitcode.Declined, "declined: %s %s", r.ResponseCode, r.ResponseCodeDescription)
	case r.Status == "PENDING" || r.Status == "PENDING_CAPTURE":
		return exitcode.New(exitcode.Pending, "%s is %s: not final yet", cmdutil.OrNone(r.PaymentID+r.RefundID), r.Status)
	}
	return nil
}

// newWorldlineOperation is newWorldlineSession plus the operation id of a
// mutating call: --operation-id or a new UUID, printed before sending.
func newWorldlineOperation(ctx context.Context, f *cmdutil.Factory, given string) (*worldlineSession, string, error) {
	session, err := newWorldlineSession(ctx, f)
	if err != nil {
		return nil, "", err
	}
	opID, err := cmdutil.IdempotencyKey(f, given, "operation-id", "Operation ID")
	if err != nil {
		return nil, "", err
	}
	return session, opID, nil
}
