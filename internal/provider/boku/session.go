// Package boku is Boku's CLI side of bokuctl: a session built from the
// active profile, the handlers of the payment verbs Boku offers (charge,
// refund, forex, fund-check and their sub-verbs), their results, and the
// hints and exit codes that follow from Boku's answers. The Boku-only
// command packages (cmd/optin, cmd/verifyservice, cmd/notify) build on
// NewSession, Explain and NotifyKeys.
//
// It imports internal/provider, internal/cmdutil and pkg/, never cmd/.
package boku

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/bokulegacy"
	"github.com/bokuctl/bokuctl/pkg/bokunotify"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// Session is a configured Boku client plus what hints need.
type Session struct {
	// Direct speaks Boku's published 3.0 spec.
	Direct *bokudirect.Client
	// ProfileArg is " -p NAME" when the user chose the profile explicitly,
	// so printed follow-up commands target the same profile.
	ProfileArg string
}

// NewSession builds the client from the active profile. requestCountry is
// the country the request names ("" for calls without one); it becomes the
// API country when the profile sets none.
//
// The rows of a batch share one session per country (cmdutil.Memo).
func NewSession(ctx context.Context, f *cmdutil.Factory, requestCountry string) (*Session, error) {
	return cmdutil.Memo(f, "boku-session:"+strings.ToLower(requestCountry), func() (*Session, error) {
		return newSession(ctx, f, requestCountry)
	})
}

func newSession(ctx context.Context, f *cmdutil.Factory, requestCountry string) (*Session, error) {
	country := ""
	p, err := provider.OpenProfile(ctx, f, []string{"boku.merchant-id", "boku.key-id"}, "boku-key", func(p *provider.Profile) error {
		// The country is checked before the secret is read, as the
		// host depends on it.
		if country = p.Get("boku.country"); country == "" {
			country = strings.ToLower(requestCountry)
		}
		if country == "" {
			return exitcode.New(exitcode.Usage, "no Boku country: the API host depends on it").
				WithHint("pass --country, or set it with `bokuctl profile set %s boku.country gb` or BOKUCTL_BOKU_COUNTRY", p.Name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	retries, err := p.Int("boku.max-retries")
	if err != nil {
		return nil, err
	}
	backoff, err := p.Duration("boku.retry-backoff")
	if err != nil {
		return nil, err
	}
	skew, err := p.Duration("boku.clock-skew")
	if err != nil {
		return nil, err
	}
	resolved := func(key string) string {
		if key == "boku.country" {
			return strings.ToLower(country)
		}
		return p.Get(key)
	}
	if err := provider.GuardProduction(f, Provider{}.Describe(), p, resolved); err != nil {
		return nil, err
	}
	direct, err := bokudirect.New(bokudirect.Config{
		MerchantID:  p.Get("boku.merchant-id"),
		KeyID:       p.Get("boku.key-id"),
		Key:         []byte(p.Secret),
		Country:     country,
		Environment: p.Get("boku.environment"),
		BaseURL:     p.Get("boku.base-url"),
		HTTPClient:  f.HTTPClient(bokudirect.MaskHeader, nil, cmdutil.WithDryRunView(dryRunView(p.Get("boku.merchant-id"), p.Get("boku.key-id")))),
		Retry:       bokudirect.RetryPolicy{MaxRetries: retries, BackoffFactor: backoff},
		Skew:        skew,
	})
	if err != nil {
		return nil, exitcode.New(exitcode.Auth, "%v", err)
	}
	return &Session{Direct: direct, ProfileArg: p.ProfileArg}, nil
}

// NotifyKeys reads the merchant identity and key that Boku signs
// notifications with.
func NotifyKeys(ctx context.Context, f *cmdutil.Factory) (bokunotify.Keys, error) {
	p, err := provider.OpenProfile(ctx, f, []string{"boku.merchant-id", "boku.key-id"}, "boku-key")
	if err != nil {
		return bokunotify.Keys{}, err
	}
	skew, err := p.Duration("boku.clock-skew")
	if err != nil {
		return bokunotify.Keys{}, err
	}
	return bokunotify.Keys{MerchantID: p.Get("boku.merchant-id"), KeyID: p.Get("boku.key-id"), Key: []byte(p.Secret), Skew: skew}, nil
}

// Explain adds follow-up hints to client errors and settles their exit
// code. statusCmd is the command that reads the outcome of this request
// ("" for read-only calls).
func Explain(err error, statusCmd string) error {
	if explained, ok := explainDirect(err, statusCmd); ok {
		return explained
	}
	return err
}

// answer is what finish decides on: a charge's or refund's id, Boku's
// own status word for it ("" when the answer names none), whether it was
// reversed, whether the answer came from a query, and the command that
// reads its outcome.
type answer struct {
	what, id, status string
	reversed         bool
	query            bool
	statusCmd        string
}

// finish prints a Boku answer when it is definite (a success, or an ERROR
// that names the charge or refund) and maps it to the exit code, in this
// order: a query whose status Boku's spec does not define is unusable
// (printed with status unknown, exit 1); a reversed charge is 3 (nothing
// is collected); in-progress 8; Boku's own "failed" 3 whatever the reason
// code (the failure is final); another ERROR by Boku's reason-code table;
// anything else 0. Other errors keep theirs.
func finish(f *cmdutil.Factory, a answer, result any, err error) error {
	var directErr *bokudirect.APIError
	definite := errors.As(err, &directErr)
	if err != nil && !(definite && a.id != "") {
		return Explain(err, a.statusCmd)
	}
	if printErr := f.Printer.Print(result); printErr != nil {
		return printErr
	}
	return decide(a, err)
}

// decide is finish's exit code for a definite answer that was printed.
func decide(a answer, err error) error {
	var directErr *bokudirect.APIError
	definite := errors.As(err, &directErr)
	// A queried charge or refund must have one of the spec's statuses; an
	// ERROR naming none is decided by its reason code.
	resultOK := err == nil || directErr.Result.OK()
	unusable := a.query && (a.status != "" && !bokudirect.KnownStatus(a.status) || a.status == "" && resultOK)
	switch {
	case unusable:
		// A query's unusable answer: exit 6, nothing changed (docs/exit-codes.md).
		return exitcode.New(exitcode.Unavailable, "Boku's answer about %s %s is unusable: status %q is not one of the statuses its spec defines (%s)",
			a.what, a.id, a.status, strings.Join(bokudirect.Statuses, ", ")).
			WithHint("nothing was changed; ask again later with: %s", a.statusCmd)
	case a.reversed && definite:
		return &exitcode.Error{Code: exitcode.Declined, Err: err, Message: fmt.Sprintf("%s %s was reversed: nothing is collected (%v)", a.what, a.id, err)}
	case a.reversed:
		return exitcode.New(exitcode.Declined, "%s %s was reversed: nothing is collected", a.what, a.id)
	case a.status == bokudirect.StatusInProgress:
		return exitcode.New(exitcode.Pending, "%s %s is in progress: not final yet", a.what, a.id).
			WithHint("check again with: %s", a.statusCmd)
	case a.status == bokudirect.StatusFailed && definite:
		return &exitcode.Error{Code: exitcode.Declined, Err: err}
	case a.status == bokudirect.StatusFailed:
		return exitcode.New(exitcode.Declined, "%s %s failed", a.what, a.id)
	case err != nil:
		return Explain(err, a.statusCmd)
	}
	return nil
}

// NewLegacyClient builds the client of Boku's legacy API (api2) from the
// active profile: the merchant id and boku-key of the 3.0 API [inferred:
// solitude used one merchant id and one secret], boku.legacy-base-url.
func NewLegacyClient(ctx context.Context, f *cmdutil.Factory) (*bokulegacy.Client, error) {
	p, err := provider.OpenProfile(ctx, f, []string{"boku.merchant-id"}, "boku-key")
	if err != nil {
		return nil, err
	}
	client, err := bokulegacy.New(bokulegacy.Config{
		MerchantID: p.Get("boku.merchant-id"),
		Key:        []byte(p.Secret),
		BaseURL:    p.Get("boku.legacy-base-url"),
		HTTPClient: f.HTTPClient(nil, nil),
	})
	if err != nil {
		return nil, exitcode.New(exitcode.Auth, "%v", err)
	}
	return client, nil
}

// explainDirect adds the hints of Explain to the errors of the 3.0 client.
func explainDirect(err error, statusCmd string) (error, bool) {
	var (
		unknown   *bokudirect.UnknownOutcomeError
		signature *bokudirect.SignatureError
		malformed *bokudirect.MalformedResponseError
		auth      *bokudirect.AuthError
		down      *bokudirect.UnavailableError
		notFound  *bokudirect.NotFoundError
		api       *bokudirect.APIError
		redirect  *bokudirect.RedirectError
	)
	switch {
	case errors.As(err, &unknown), errors.As(err, &malformed) && malformed.Mutation, errors.As(err, &signature) && signature.Mutation,
		errors.As(err, &redirect) && redirect.Mutation:
		hint := "do not retry with a new id; check the outcome first with: " + statusCmd
		if signature != nil {
			hint += " (and check boku.key-id and the boku-key secret)"
		}
		return &exitcode.Error{Code: exitcode.UnknownOutcome, Err: err, Hint: hint}, true
	case redirect != nil:
		return &exitcode.Error{Code: exitcode.Auth, Err: err, Hint: "Boku answered a redirect to " + redirect.Location + "; check boku.base-url (`bokuctl profile show`); nothing was resent"}, true
	case errors.As(err, &signature):
		return &exitcode.Error{Code: exitcode.Auth, Err: err, Hint: "check boku.key-id and the boku-key secret, and the clock (boku.clock-skew)"}, true
	case errors.As(err, &auth):
		return &exitcode.Error{Code: exitcode.Auth, Err: err, Hint: "check boku.merchant-id, boku.key-id and the boku-key secret (`bokuctl secret status`)"}, true
	case errors.As(err, &notFound):
		return &exitcode.Error{Code: exitcode.Auth, Err: err, Hint: "check boku.base-url (`bokuctl profile show`): it should end in /{country} or be unset for Boku's own hosts"}, true
	case errors.As(err, &down) && down.RetryAfter > 0:
		return &exitcode.Error{Code: exitcode.Unavailable, Err: err, Hint: fmt.Sprintf("nothing was processed; Boku asks to wait %s before trying again", down.RetryAfter)}, true
	case down != nil:
		return &exitcode.Error{Code: exitcode.Unavailable, Err: err, Hint: "nothing was processed; try again later" + cmdutil.NothingListens(err)}, true
	case errors.As(err, &api) && exitcode.Of(err) == exitcode.Unavailable && api.RetryDelay() > 0:
		return &exitcode.Error{Code: exitcode.Unavailable, Err: err, Hint: fmt.Sprintf("Boku asks to wait %s before trying again", api.RetryDelay())}, true
	}
	return err, false
}

// CheckCountry refuses a --country that differs from the session's API
// country: Boku's host decides where a request goes, so another country
// would be ignored (or refused by Boku). Nothing has been sent.
func (s *Session) CheckCountry(requested string) error {
	if requested == "" || strings.EqualFold(requested, s.Direct.Country()) {
		return nil
	}
	return exitcode.New(exitcode.Usage, "country mismatch: the request is for %q but the API country (host) is %q", strings.ToLower(requested), strings.ToLower(s.Direct.Country())).
		WithHint("nothing was sent; use a profile (or BOKUCTL_BOKU_COUNTRY) for that country")
}
