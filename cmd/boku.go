package cmd

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/bokuclient"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/secret"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

// bokuSession is a configured Boku client plus what hints need.
type bokuSession struct {
	client *bokuclient.Client
	// profileArg is " -p NAME" when the user chose the profile explicitly,
	// so printed follow-up commands target the same profile.
	profileArg string
}

// newBokuSession builds the client from the active profile. requestCountry
// is the country the request names ("" for calls without one); it becomes
// the API country when the profile sets none.
func newBokuSession(ctx context.Context, f *cmdutil.Factory, requestCountry string) (*bokuSession, error) {
	settings, err := f.Settings(nil)
	if err != nil {
		return nil, err
	}
	profile, explicit, err := f.ProfileName()
	if err != nil {
		return nil, err
	}
	session := &bokuSession{}
	if explicit {
		session.profileArg = " -p " + profile
	}
	if err := cmdutil.RequireSettings(settings, "boku.merchant-id", "boku.key-id"); err != nil {
		return nil, err
	}
	country := settings.Get("boku.country")
	if country == "" {
		country = strings.ToLower(requestCountry)
	}
	if country == "" {
		return nil, exitcode.New(exitcode.Usage, "no Boku country: the API host depends on it").
			WithHint("pass --country, or set it with `bokuctl profile set %s boku.country gb` or BOKUCTL_BOKU_COUNTRY", profile)
	}
	key, err := secret.Resolve(ctx, f.SecretStore(), f.Getenv, profile, "boku-key")
	if err != nil {
		return nil, err
	}
	retries, _ := strconv.Atoi(settings.Get("boku.max-retries"))
	backoff, _ := time.ParseDuration(settings.Get("boku.retry-backoff"))
	skew, _ := time.ParseDuration(settings.Get("boku.clock-skew"))
	policy := bokuclient.DefaultRetryPolicy()
	policy.MaxRetries, policy.BackoffFactor = retries, backoff
	client, err := bokuclient.New(bokuclient.Config{
		MerchantID:  settings.Get("boku.merchant-id"),
		KeyID:       settings.Get("boku.key-id"),
		Key:         []byte(key.Value),
		Country:     country,
		Environment: settings.Get("boku.environment"),
		BaseURL:     settings.Get("boku.base-url"),
		HTTPClient:  f.HTTPClient(maskBokuHeader, nil),
		Retry:       policy,
		Skew:        skew,
	})
	if err != nil {
		return nil, exitcode.New(exitcode.Auth, "%v", err)
	}
	session.client = client
	return session, nil
}

// maskBokuHeader hides the signature in Boku's signature headers.
func maskBokuHeader(name, value string) string {
	switch strings.ToLower(name) {
	case "authorization", "x-signedresponse":
		if p, err := sign.Parse(value); err == nil {
			return p.Masked()
		}
		return "****"
	}
	return value
}

// bokuFailure adds follow-up hints to client errors. statusCmd is the
// command that reads the outcome of this request ("" for read-only calls).
func bokuFailure(err error, statusCmd string) error {
	var (
		unknown   *bokuclient.UnknownOutcomeError
		signature *bokuclient.SignatureError
		auth      *bokuclient.AuthError
		down      *bokuclient.UnavailableError
		malformed *bokuclient.MalformedResponseError
		mismatch  *bokuclient.CountryMismatchError
	)
	switch {
	case errors.As(err, &unknown), errors.As(err, &malformed) && statusCmd != "" && exitcode.Of(err) == exitcode.UnknownOutcome:
		return &exitcode.Error{Code: exitcode.UnknownOutcome, Err: err,
			Hint: "do not retry with a new id; check the outcome first with: " + statusCmd}
	case errors.As(err, &signature) && statusCmd != "":
		return &exitcode.Error{Code: exitcode.Auth, Err: err,
			Hint: "the request may have been processed; check with: " + statusCmd + " (and check boku.key-id and the boku-key secret)"}
	case errors.As(err, &signature):
		return &exitcode.Error{Code: exitcode.Auth, Err: err, Hint: "check boku.key-id and the boku-key secret, and the clock (boku.clock-skew)"}
	case errors.As(err, &auth):
		return &exitcode.Error{Code: exitcode.Auth, Err: err, Hint: "check boku.merchant-id, boku.key-id and the boku-key secret (`bokuctl secret status`)"}
	case errors.As(err, &down):
		return &exitcode.Error{Code: exitcode.Unavailable, Err: err, Hint: "nothing was processed; try again later, or raise boku.max-retries"}
	case errors.As(err, &mismatch):
		return &exitcode.Error{Code: exitcode.Usage, Err: err, Hint: "nothing was sent; use a profile (or BOKUCTL_BOKU_COUNTRY) for that country"}
	}
	return err
}
