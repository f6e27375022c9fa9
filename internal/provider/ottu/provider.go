// Package ottu is Ottu's CLI side: the session from the profile (client,
// cache, settings), the provider's description and init's check.
package ottu

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/ottu"
)

// Session is what the methods commands need from the profile.
type Session struct {
	Client *ottu.Client
	Cache  ottu.Cache
	// Settings for defaults (plugin, max-age).
	Settings *config.Settings
}

// NewSession reads the Ottu settings of the active profile, and its secret
// when needSecret.
func NewSession(ctx context.Context, f *cmdutil.Factory, needSecret bool) (*Session, error) {
	settings, err := f.Settings()
	if err != nil {
		return nil, err
	}
	base := settings.Get("ottu.base-url")
	auth := ottu.Auth{Scheme: settings.Get("ottu.auth")}
	var required []string
	if base == "" {
		required = append(required, "ottu.host")
	}
	if auth.Scheme == "basic" {
		required = append(required, "ottu.username")
	}
	secret := ""
	if needSecret {
		secret = "ottu-api-key"
		if auth.Scheme == "basic" {
			secret = "ottu-password"
		}
	}
	p, err := provider.OpenProfile(ctx, f, required, secret)
	if err != nil {
		return nil, err
	}
	if err := provider.GuardProduction(f, Provider{}.Describe(), p, nil); err != nil {
		return nil, err
	}
	if base == "" {
		base = "https://" + p.Get("ottu.host")
	}
	base = strings.TrimRight(base, "/")
	if auth.Scheme == "basic" {
		auth.Username, auth.Password = p.Get("ottu.username"), p.Secret
	} else {
		auth.APIKey = p.Secret
	}
	cache, err := Cache(f)
	if err != nil {
		return nil, err
	}
	return &Session{
		Client:   &ottu.Client{BaseURL: base, Auth: auth, HTTPClient: f.HTTPClient(maskHeader, nil, cmdutil.WithDryRunView(cmdutil.DryRunView{Provider: "ottu", Curl: curlAuth(auth.Username)}))},
		Cache:    cache,
		Settings: p.Settings,
	}, nil
}

// Cache is the cache folder: BOKUCTL_CACHE_DIR, else the user
// cache folder, plus bokuctl/methods.
func Cache(f *cmdutil.Factory) (ottu.Cache, error) {
	dir := f.Getenv("BOKUCTL_CACHE_DIR")
	if dir == "" {
		userDir, err := config.UserDir(f.Getenv, "cache")
		if err != nil {
			return ottu.Cache{}, exitcode.New(exitcode.Unexpected, "no cache folder: %v", err).WithHint("set XDG_CACHE_HOME or BOKUCTL_CACHE_DIR")
		}
		dir = filepath.Join(userDir, "bokuctl")
	}
	return ottu.Cache{Dir: filepath.Join(dir, "methods")}, nil
}

// curlAuth is the Authorization header of --curl output for user: the
// secret as the environment variable bokuctl itself reads it from.
func curlAuth(user string) func(*http.Request, []byte, string, string) (string, bool) {
	return func(_ *http.Request, _ []byte, name, value string) (string, bool) {
		if !strings.EqualFold(name, "Authorization") {
			return "", false
		}
		scheme, _, _ := strings.Cut(value, " ")
		if strings.EqualFold(scheme, "Basic") {
			return `"Authorization: Basic $(printf '%s:%s' ` + cmdutil.ShellQuote(user) + ` "$BOKUCTL_OTTU_PASSWORD" | base64 | tr -d '\n')"`, true
		}
		return `"Authorization: ` + scheme + ` $BOKUCTL_OTTU_API_KEY"`, true
	}
}

// sandboxHost is Ottu's shared sandbox. Ottu's sandbox and production
// share hosts: a merchant's own host serves its production MIDs
// (docs/configuration.md, "Production") [inferred].
const sandboxHost = "sandbox.ottu.net"

// production: a profile is production when it names a merchant's own Ottu
// host (ottu.host other than the shared sandbox) and no ottu.base-url.
// Ottu's calls in bokuctl only read, so this prints the banner only.
func production(get func(string) string) provider.ProductionTarget {
	host := strings.ToLower(get("ottu.host"))
	return provider.ProductionTarget{
		Production: host != "" && host != sandboxHost && get("ottu.base-url") == "",
		Target:     "ottu " + host,
	}
}

func maskHeader(name, value string) string {
	if strings.EqualFold(name, "Authorization") {
		scheme, _, _ := strings.Cut(value, " ")
		return scheme + " ********"
	}
	return value
}

// Cached reports whether a methods list answer for filters is read from
// and kept in the cache. Not for a customer (--customer-id) by default:
// customer_payment_methods and the customer's wallet entry follow the
// customer's payments and balance, and Ottu's wallet guide asks for them
// per session; an explicit --max-age still caches them.
func Cached(filters ottu.Filters, maxAgeGiven bool) bool {
	return filters.CustomerID == "" || maxAgeGiven
}

// WithoutCodeNotice says what was set aside from an answer: its entries
// without a code (a customer's wallet is one), or "" when there were none.
func WithoutCodeNotice(resp *ottu.Response) string {
	n := len(resp.WithoutCode)
	if n == 0 {
		return ""
	}
	var types []string
	for _, m := range resp.WithoutCode {
		if m.Type != "" && !slices.Contains(types, m.Type) {
			types = append(types, m.Type)
		}
	}
	what := fmt.Sprintf("%d entries", n)
	if n == 1 {
		what = "1 entry"
	}
	if len(types) > 0 {
		what += " of type " + strings.Join(types, ", ")
	}
	return fmt.Sprintf("Not listed: %s without a code (a customer's wallet appears so): it has no pg_code to pass to checkout (-o json shows it under entries_without_code).", what)
}

// Failure adds hints to an Ottu error and settles its exit code.
func Failure(err error) error {
	var api *ottu.APIError
	var down *ottu.UnavailableError
	if errors.As(err, &down) {
		return &exitcode.Error{Code: exitcode.Unavailable, Err: err, Hint: "check ottu.host (or ottu.base-url) and the network; try again later" + cmdutil.NothingListens(err)}
	}
	if errors.As(err, &api) {
		switch code := api.ExitCode(); code {
		case exitcode.Auth:
			return &exitcode.Error{Code: code, Err: err, Hint: "check ottu.auth (api-key or basic), the ottu-api-key or ottu-password secret, and for basic auth that the user has the \"Can use <pg_code>\" permission for the gateways"}
		case exitcode.Unavailable:
			hint := "try again later"
			if d, ok := api.RetryAfterDuration(); ok {
				hint = fmt.Sprintf("Ottu asks to wait %s before retrying", d)
			}
			return &exitcode.Error{Code: code, Err: err, Hint: hint}
		}
	}
	return err
}

// Provider is Ottu as the rest of bokuctl sees it: it serves the methods
// noun, not the payment verbs.
type Provider struct{}

// Describe says what an Ottu profile needs: basic auth adds a username
// and takes a password instead of an API key.
func (Provider) Describe() provider.Description {
	return provider.Description{
		Name: "ottu", Title: "Ottu", Section: "ottu",
		Configured: func(get func(string) string) bool { return get("ottu.host") != "" || get("ottu.base-url") != "" },
		Setup: func(get func(string) string) []string {
			if get("ottu.auth") == "basic" {
				return []string{"ottu.host", "ottu.auth", "ottu.username"}
			}
			return []string{"ottu.host", "ottu.auth"}
		},
		Secrets: func(get func(string) string) []string {
			if get("ottu.auth") == "basic" {
				return []string{"ottu-password"}
			}
			return []string{"ottu-api-key"}
		},
		Production: production,
	}
}

// Check lists the payment methods of the profile's plugin.
func (Provider) Check(ctx context.Context, f *cmdutil.Factory) (string, error) {
	session, err := NewSession(ctx, f, true)
	if err != nil {
		return "", err
	}
	plugin := session.Settings.Get("ottu.plugin")
	if plugin == "" {
		plugin = "e_commerce"
	}
	resp, _, err := session.Client.List(ctx, ottu.Filters{Plugin: plugin})
	if err != nil {
		return "", Failure(err)
	}
	return fmt.Sprintf("Check: Ottu listed %d payment method(s) for plugin %s.", len(resp.PaymentMethods), plugin), nil
}

// Next is what to run after init.
func (Provider) Next(profile string) string {
	return fmt.Sprintf("bokuctl -p %s methods list", profile)
}
