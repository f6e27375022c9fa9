package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bokuctl/bokuctl/pkg/country"
)

// Key describes one profile setting: its dotted name (the YAML path inside
// a profile), what it means, its default, and how its value is checked.
type Key struct {
	Name     string
	Help     string
	Default  string
	validate func(string) error
	// lower: the value is a code or a keyword, case-insensitive; it is
	// kept in lower case (GB and gb are the same country).
	lower bool
}

// Normalize is the value as the key keeps it: trimmed, and lower-cased
// for codes and keywords.
func (k Key) Normalize(value string) string {
	value = strings.TrimSpace(value)
	if k.lower {
		value = strings.ToLower(value)
	}
	return value
}

// Validate checks a value for the key. The empty string is always allowed:
// it means "not set".
func (k Key) Validate(value string) error {
	if value == "" || k.validate == nil {
		return nil
	}
	if err := k.validate(value); err != nil {
		return fmt.Errorf("%s: %w", k.Name, err)
	}
	return nil
}

// EnvVar is the environment variable that overrides the key:
// BOKUCTL_ followed by the name in upper case with "." and "-" as "_".
func (k Key) EnvVar() string { return EnvVar(k.Name) }

// EnvVar maps a dotted setting name to its environment variable.
func EnvVar(name string) string {
	return "BOKUCTL_" + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(name))
}

// FlagName is the flag that sets the key on `profile add`: the name with "."
// as "-", e.g. --boku-merchant-id.
func (k Key) FlagName() string { return strings.ReplaceAll(k.Name, ".", "-") }

func oneOf(values ...string) func(string) error {
	return func(v string) error {
		for _, ok := range values {
			if v == ok {
				return nil
			}
		}
		return fmt.Errorf("%q is not one of %s", v, strings.Join(values, ", "))
	}
}

// The patterns compile on first use, not when the package loads: every
// command links this package, most never validate a value.
var countryPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}$`) })

func countryCode(v string) error {
	if !countryPattern().MatchString(v) {
		return fmt.Errorf("%q is not a lower-case ISO 3166-1 alpha-2 country code (e.g. gb)", v)
	}
	if !country.Valid(v) {
		return fmt.Errorf("%q is not an ISO 3166-1 country code: %s", v, country.Hint(v))
	}
	return nil
}

// httpURL is a provider endpoint: https, or plain http to this machine
// only (the sandbox, tests), and never with user info, which would be
// sent and logged with every request. An error never shows the password.
func httpURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", RedactURL(v))
	}
	if u.User != nil {
		return fmt.Errorf("%q must not hold a user or password: remove the user info (credentials are secrets, see bokuctl secret --help)", u.Redacted())
	}
	if u.Scheme == "http" && !LoopbackHost(u.Hostname()) {
		return fmt.Errorf("%q uses plain http to a host that is not this machine: use https (plain http is allowed only to 127.0.0.1, ::1 or localhost)", v)
	}
	return nil
}

// LoopbackHost reports whether host is this machine: localhost, or an
// address in 127.0.0.0/8 or ::1. The transport policy, the sandbox's
// address and its public credentials all use it.
func LoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func intRange(lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("%q is not a whole number from %d to %d", v, lo, hi)
		}
		return nil
	}
}

// journalPath is "off" or an absolute file path.
func journalPath(v string) error {
	if v == "off" || filepath.IsAbs(v) {
		return nil
	}
	if l := strings.ToLower(v); strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://") {
		u, err := url.Parse(v)
		if err != nil {
			return errors.New("is not a valid postgres:// address")
		}
		if _, has := u.User.Password(); has {
			return errors.New("holds a password: keep it in the secret store (bokuctl secret set journal-password) or PGPASSWORD, and leave it out of the address")
		}
		return nil
	}
	return fmt.Errorf("%q is neither off, an absolute file path, nor a postgres:// address", v)
}

func duration(v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("%q is not a duration such as 2s or 5m", v)
	}
	return nil
}

// hostOnlyURL is an http(s) URL with no path, query or fragment, as the
// Worldline SDKs require for the API endpoint.
func hostOnlyURL(v string) error {
	if err := httpURL(v); err != nil {
		return err
	}
	u, _ := url.Parse(v)
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must be scheme and host only, e.g. https://api.preprod.acquiring.worldline-solutions.com", v)
	}
	return nil
}

// proxyURL is an http(s) proxy URL without user info: the user is a
// setting of its own and the password a secret. An error never shows the
// password.
func proxyURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL, e.g. http://proxy.example:3128", RedactURL(v))
	}
	if u.User != nil {
		return fmt.Errorf("%q must not hold a user or password: set worldline.proxy-username and the secret worldline-proxy-password", u.Redacted())
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must be scheme, host and port only, e.g. http://proxy.example:3128", v)
	}
	return nil
}

// RedactURL masks the password of a URL with user info ("xxxxx"), and
// all the user info when the text is not a URL with a host.
func RedactURL(v string) string {
	if u, err := url.Parse(v); err == nil && u.Opaque == "" && u.Host != "" {
		return u.Redacted()
	}
	at := strings.LastIndex(v, "@")
	if at < 0 {
		return v
	}
	start := 0
	if i := strings.Index(v, "://"); i >= 0 && i < at {
		start = i + 3
	}
	return v[:start] + "xxxxx" + v[at:]
}

var hostPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]{1,5})?$`) })

func hostName(v string) error {
	if !hostPattern().MatchString(v) {
		return fmt.Errorf("%q is not a host name (no scheme or path), e.g. merchant.ottu.net", v)
	}
	return nil
}

var identifierPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._:@-]{1,128}$`) })

func identifier(v string) error {
	if !identifierPattern().MatchString(v) {
		return fmt.Errorf("%q may hold only letters, digits and . _ : @ - (at most 128)", v)
	}
	return nil
}

// keys is the registry of every profile setting. Provider commands read
// their settings through it, so adding a setting here makes it available
// to the file, the environment, `profile add` flags and `profile show`.
var keys = []Key{
	{Name: "provider", Help: "provider behind charge/refund/forex/fund-check: boku or worldline", Default: "boku", validate: oneOf("boku", "worldline"), lower: true},
	{Name: "boku.merchant-id", Help: "Boku merchant (partner) id", validate: identifier},
	{Name: "boku.key-id", Help: "id of the Boku signing key", validate: identifier},
	{Name: "boku.country", Help: "default country, lower-case ISO 3166-1 alpha-2", validate: countryCode, lower: true},
	{Name: "boku.environment", Help: "Boku environment: test or production", Default: "test", validate: oneOf("test", "production"), lower: true},
	{Name: "boku.base-url", Help: "override the Boku API base URL; {country} in it is replaced by the country", validate: httpURL},
	{Name: "boku.simulator-url", Help: "Boku's MTE simulator (simulate; test environment only)", Default: "https://simulator-api-stage.boku.com", validate: httpURL},
	{Name: "boku.legacy-base-url", Help: "Boku's legacy API (verify-service)", Default: "https://api2.boku.com", validate: httpURL},
	{Name: "boku.max-retries", Help: "how often to resend a request answered with a retryable HTTP status", Default: "0", validate: intRange(0, 10)},
	{Name: "boku.retry-backoff", Help: "backoff factor: retry n waits factor × 2^(n-1), unless Retry-After says otherwise", Default: "2s", validate: duration},
	{Name: "boku.clock-skew", Help: "allowed clock difference when verifying Boku's signatures", Default: "5m", validate: duration},
	{Name: "sandbox", Help: "true for a profile written by bokuctl sandbox serve: its public sandbox credentials need no secret store (only while every URL of the profile is on this machine)", validate: oneOf("true", "false"), lower: true},
	{Name: "journal", Help: "the journal file (default $XDG_STATE_HOME/bokuctl/journal.db), a postgres:// address for a team journal, or off", validate: journalPath},
	{Name: "worldline.acquirer-id", Help: "Worldline acquirer id", validate: identifier},
	{Name: "worldline.merchant-id", Help: "Worldline merchant id", validate: identifier},
	{Name: "worldline.client-id", Help: "OAuth2 client id", validate: identifier},
	{Name: "worldline.token-url", Help: "OAuth2 token endpoint URL", Default: "https://auth-test-eu-west-1.aws.bambora.com/connect/token", validate: httpURL},
	{Name: "worldline.api-url", Help: "Worldline Acquiring API base URL (scheme and host only)", Default: "https://api.preprod.acquiring.worldline-solutions.com", validate: hostOnlyURL},
	{Name: "worldline.integrator", Help: "integrator name sent in X-WL-ServerMetaInfo", Default: "bokuctl"},
	{Name: "worldline.scopes", Help: "OAuth2 scopes, space-separated (default: every scope bokuctl uses)"},
	{Name: "worldline.connect-timeout", Help: "time limit for opening a connection to Worldline or its proxy; 0 for none", Default: "5s", validate: duration},
	{Name: "worldline.socket-timeout", Help: "time limit for Worldline's answer to start once a request is sent (response headers); 0 for none", validate: duration},
	{Name: "worldline.max-connections", Help: "most connections open, and kept idle, to one Worldline host", validate: intRange(1, 1000)},
	{Name: "worldline.proxy-url", Help: "HTTP proxy for Worldline requests (beats HTTPS_PROXY; NO_PROXY still applies); no user or password in it", validate: proxyURL},
	{Name: "worldline.proxy-username", Help: "user for the proxy's Basic auth; the password is the secret worldline-proxy-password"},
	{Name: "ottu.host", Help: "Ottu merchant host, e.g. merchant.ottu.net", validate: hostName},
	{Name: "ottu.auth", Help: "Ottu auth scheme: api-key or basic", Default: "api-key", validate: oneOf("api-key", "basic"), lower: true},
	{Name: "ottu.username", Help: "Ottu user for basic auth", validate: identifier},
	{Name: "ottu.base-url", Help: "override https://<ottu.host> (e.g. the sandbox)", validate: hostOnlyURL},
	{Name: "ottu.plugin", Help: "default plugin for methods list: e_commerce or payment_request", validate: oneOf("e_commerce", "payment_request"), lower: true},
	{Name: "ottu.max-age", Help: "how long methods list answers are cached", Default: "24h", validate: duration},
}

// Keys returns every profile setting, sorted by name.
func Keys() []Key {
	out := append([]Key(nil), keys...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LookupKey finds a setting by its dotted name.
func LookupKey(name string) (Key, bool) {
	for _, k := range keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// isSection reports whether name is a prefix section such as "boku".
func isSection(name string) bool {
	for _, k := range keys {
		if strings.HasPrefix(k.Name, name+".") {
			return true
		}
	}
	return false
}

// keyNames lists the setting names under a section ("" for all).
func keyNames(section string) []string {
	var names []string
	for _, k := range Keys() {
		if section == "" || strings.HasPrefix(k.Name, section+".") {
			names = append(names, k.Name)
		}
	}
	return names
}
