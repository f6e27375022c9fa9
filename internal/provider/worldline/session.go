// Package worldline is Worldline Acquiring's CLI side of bokuctl: a
// session built from the active profile, the handlers of the payment verbs
// Worldline offers (charge and its capture, reverse and increment, refund
// and its capture and reverse, forex as a DCC quote, fund-check as a
// balance inquiry, verify-card, operation reverse), their results, the
// card read from stdin or a file, and the hints and exit codes that follow
// from Worldline's answers.
//
// It imports internal/provider, internal/cmdutil and pkg/, never cmd/.
package worldline

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/bokuctl/bokuctl/internal/build"
	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// Session is a configured Worldline client.
type Session struct {
	Client *acquiring.Client
	// ProfileArg is " -p NAME" when the user chose the profile explicitly,
	// so printed follow-up commands target the same profile.
	ProfileArg string
	// yesArg is " --yes" off a terminal: a confirming command in a hint
	// needs it there (cmdutil.Factory.YesArg).
	yesArg string
}

// NewSession builds the client from the active profile. The rows of a
// batch share one session, and so one OAuth token (cmdutil.Memo).
func NewSession(ctx context.Context, f *cmdutil.Factory) (*Session, error) {
	return cmdutil.Memo(f, "worldline-session", func() (*Session, error) { return newSession(ctx, f) })
}

func newSession(ctx context.Context, f *cmdutil.Factory) (*Session, error) {
	p, err := provider.OpenProfile(ctx, f, []string{"worldline.acquirer-id", "worldline.merchant-id", "worldline.client-id"}, "worldline-client-secret")
	if err != nil {
		return nil, err
	}
	transport, err := transportOptions(ctx, f, p)
	if err != nil {
		return nil, err
	}
	if err := provider.GuardProduction(f, Provider{}.Describe(), p, nil); err != nil {
		return nil, err
	}
	placeholder := ""
	if f.DryRun {
		placeholder = cmdutil.DryRunPlaceholderToken
	}
	client, err := acquiring.New(acquiring.Config{
		APIURL:        p.Get("worldline.api-url"),
		AcquirerID:    p.Get("worldline.acquirer-id"),
		MerchantID:    p.Get("worldline.merchant-id"),
		ClientID:      p.Get("worldline.client-id"),
		ClientSecret:  p.Secret,
		TokenURL:      p.Get("worldline.token-url"),
		Scopes:        strings.Fields(p.Get("worldline.scopes")),
		Integrator:    p.Get("worldline.integrator"),
		SDKIdentifier: "bokuctl/" + build.Current().Version,
		HTTPClient:    f.HTTPClientWith(transport, acquiring.MaskHeader, acquiring.MaskBody, cmdutil.WithDryRunView(dryRunView)),
		// A dry run fetches no token: its request shows Bearer, masked.
		PlaceholderToken: placeholder,
	})
	if err != nil {
		return nil, exitcode.New(exitcode.Auth, "%v", err)
	}
	return &Session{Client: client, ProfileArg: p.ProfileArg, yesArg: f.YesArg()}, nil
}

// transportOptions are the profile's worldline.connect-timeout,
// socket-timeout, max-connections and proxy settings; the proxy's password
// is the secret worldline-proxy-password, needed with a proxy user. A
// value that does not parse is an error, not a default.
func transportOptions(ctx context.Context, f *cmdutil.Factory, p *provider.Profile) (cmdutil.TransportOptions, error) {
	var opts cmdutil.TransportOptions
	var err error
	if opts.ConnectTimeout, err = p.Duration("worldline.connect-timeout"); err != nil {
		return opts, err
	}
	if opts.ResponseHeaderTimeout, err = p.Duration("worldline.socket-timeout"); err != nil {
		return opts, err
	}
	if opts.MaxConnsPerHost, err = p.Int("worldline.max-connections"); err != nil {
		return opts, err
	}
	proxy := p.Get("worldline.proxy-url")
	if proxy == "" {
		return opts, nil
	}
	u, err := url.Parse(proxy)
	if err != nil {
		return opts, exitcode.New(exitcode.Usage, "worldline.proxy-url: %q is not a URL", config.RedactURL(proxy))
	}
	if user := p.Get("worldline.proxy-username"); user != "" {
		password, err := f.ResolveSecret(ctx, "worldline-proxy-password")
		if err != nil {
			return opts, err
		}
		u.User = url.UserPassword(user, password.Value)
	}
	opts.Proxy = u
	opts.NoProxy = f.Getenv("NO_PROXY")
	if opts.NoProxy == "" {
		opts.NoProxy = f.Getenv("no_proxy")
	}
	return opts, nil
}

// BeginOperation is NewSession plus the operation id of a mutating call:
// --operation-id or a new UUID, printed before sending.
func BeginOperation(ctx context.Context, f *cmdutil.Factory, given string) (*Session, string, error) {
	session, err := NewSession(ctx, f)
	if err != nil {
		return nil, "", err
	}
	return beginOperation(ctx, f, session, cmdutil.Intent{Key: given})
}

// BeginOperationFor is BeginOperation for an intent that says more: the
// journal row it follows (a technical reversal of an operation).
func BeginOperationFor(ctx context.Context, f *cmdutil.Factory, in cmdutil.Intent) (*Session, string, error) {
	session, err := NewSession(ctx, f)
	if err != nil {
		return nil, "", err
	}
	return beginOperation(ctx, f, session, in)
}

// beginOperation announces the operation id of in (its Key the
// --operation-id given) for session's call.
func beginOperation(ctx context.Context, f *cmdutil.Factory, session *Session, in cmdutil.Intent) (*Session, string, error) {
	in.Provider, in.Flag, in.Label = string(provider.Worldline), "operation-id", "Operation ID"
	operationID, err := f.Announce(ctx, in)
	if err != nil {
		return nil, "", err
	}
	return session, operationID, nil
}

// Explain adds follow-up hints to client errors and settles their exit
// code. statusCmd says how to find out what happened to this request.
func Explain(err error, statusCmd string) error {
	var (
		unknown   *acquiring.UnknownOutcomeError
		malformed *acquiring.MalformedResponseError
		token     *acquiring.TokenError
		api       *acquiring.APIError
		down      *acquiring.UnavailableError
		redirect  *acquiring.RedirectError
	)
	switch {
	case errors.As(err, &unknown), errors.As(err, &malformed) && malformed.Mutation, errors.As(err, &redirect) && redirect.Mutation,
		errors.As(err, &api) && api.OutcomeUnknown():
		return &exitcode.Error{Code: exitcode.UnknownOutcome, Err: err, Hint: "do not retry with a new operation id; find out first: " + statusCmd}
	case api != nil && api.OperationIDReused():
		return &exitcode.Error{Code: exitcode.Usage, Err: err,
			Message: fmt.Sprintf("operation id %s was already used for a different request: Worldline refused this one, nothing was processed", cmdutil.OrNone(api.OperationID)),
			Hint:    "this answer says nothing about the request first sent under that id; to send this one, give a new --operation-id"}
	case api != nil && api.OperationInProgress():
		id := cmdutil.OrNone(api.OperationID)
		return &exitcode.Error{Code: exitcode.UnknownOutcome, Err: err,
			Message: fmt.Sprintf("a request with operation id %s is still being processed by Worldline: its outcome is not known yet", id),
			Hint:    fmt.Sprintf("retry later (Worldline advises about 30 seconds) with the same --operation-id %s, never a new one; or find out first: %s", id, cmdutil.OrNone(statusCmd))}
	case errors.As(err, &token):
		hint := "check worldline.client-id and the worldline-client-secret secret (`bokuctl secret status`)"
		if token.Status >= 300 && token.Status <= 399 {
			hint = "the token endpoint answered a redirect to " + token.Location + "; check worldline.token-url (`bokuctl profile show`); nothing was resent and nothing was sent to the API"
		} else if token.Status == 404 || token.Status == 405 {
			hint = "check worldline.token-url (`bokuctl profile show`): nothing there issues tokens; nothing was sent to the API"
		} else if token.Code == "invalid_scope" {
			hint = "check worldline.scopes: every scope asked for must be granted to the client"
		} else if exitcode.Of(err) == exitcode.Unavailable {
			hint = "check worldline.token-url and the network; nothing was sent to the API" + cmdutil.NothingListens(err)
		}
		return &exitcode.Error{Code: exitcode.Of(err), Err: err, Hint: hint}
	case errors.As(err, &api):
		switch {
		case api.Status == 401 || api.Status == 403:
			return &exitcode.Error{Code: exitcode.Auth, Err: err, Hint: "the client lacks this operation's scope or this merchant; check worldline.scopes, worldline.acquirer-id and worldline.merchant-id"}
		case api.Status == 429 || api.Status >= 500:
			return &exitcode.Error{Code: exitcode.Unavailable, Err: err, Hint: "try again later with the same --operation-id"}
		}
	case redirect != nil:
		return &exitcode.Error{Code: exitcode.Auth, Err: err, Hint: "Worldline answered a redirect to " + redirect.Location + "; check worldline.api-url (`bokuctl profile show`); nothing was resent"}
	case errors.As(err, &down):
		return &exitcode.Error{Code: exitcode.Unavailable, Err: err, Hint: "check worldline.api-url and the network; nothing was processed" + cmdutil.NothingListens(err)}
	}
	return err
}
