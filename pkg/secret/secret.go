// Package secret stores and finds bokuctl's secrets: signing keys, client
// secrets, API keys and passwords. They live in the OS keyring (service
// "bokuctl", account "<profile>/<name>"), can be supplied by environment
// variables for CI, and are never read from flags or written to the config
// file. For tests and headless machines a file-backed store can stand in for
// the keyring.
package secret

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// Service is the keyring service name (no spaces: GNOME keyring mishandles
// them).
const Service = "bokuctl"

// Spec describes one secret a profile may hold.
type Spec struct {
	Name   string
	EnvVar string
	Help   string
	// Global secrets are bokuctl's own, not a provider's (the team
	// journal's password).
	Global bool
}

var specs = []Spec{
	{Name: "boku-key", EnvVar: "BOKUCTL_BOKU_KEY", Help: "Boku HMAC signing key"},
	{Name: "worldline-client-secret", EnvVar: "BOKUCTL_WORLDLINE_CLIENT_SECRET", Help: "Worldline OAuth2 client secret"},
	{Name: "ottu-api-key", EnvVar: "BOKUCTL_OTTU_API_KEY", Help: "Ottu API key (Api-Key auth)"},
	{Name: "ottu-password", EnvVar: "BOKUCTL_OTTU_PASSWORD", Help: "Ottu user password (basic auth)"},
	{Name: "journal-password", EnvVar: "BOKUCTL_JOURNAL_PASSWORD", Help: "password of the team journal's PostgreSQL user (journal: postgres://…)", Global: true},
	{Name: "worldline-proxy-password", EnvVar: "BOKUCTL_WORLDLINE_PROXY_PASSWORD", Help: "password for worldline.proxy-username at worldline.proxy-url"},
}

// Specs returns every known secret.
func Specs() []Spec { return append([]Spec(nil), specs...) }

// Lookup finds a secret's spec by name; an unknown name is a usage error
// listing the valid ones.
func Lookup(name string) (Spec, error) {
	var names []string
	for _, s := range specs {
		if s.Name == name {
			return s, nil
		}
		names = append(names, s.Name)
	}
	sort.Strings(names)
	return Spec{}, exitcode.New(exitcode.Usage, "unknown secret %q", name).
		WithHint("known secrets: %s", strings.Join(names, ", "))
}

// Account is the keyring account of a profile's secret.
func Account(profile, name string) string { return profile + "/" + name }

// ErrNotFound means the store holds no such secret.
var ErrNotFound = errors.New("secret not found")

// Store keeps secrets by account.
type Store interface {
	Get(ctx context.Context, account string) (string, error)
	Set(ctx context.Context, account, value string) error
	Delete(ctx context.Context, account string) error
	// Describe names the store for status output, e.g. "keyring".
	Describe() string
}

// UnavailableError means the store could not be reached at all.
type UnavailableError struct {
	Store string
	Err   error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("no %s reachable: %v", e.Store, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// ExitCode classes an unreachable store as a credentials problem.
func (e *UnavailableError) ExitCode() exitcode.Code { return exitcode.Auth }

// Source says where a resolved secret came from.
type Source string

// The sources of a secret.
const (
	SourceEnv     Source = "env"
	SourceStore   Source = "store"
	SourceMissing Source = "missing"
	// SourceSandbox is a public sandbox credential, built in for a
	// profile of `bokuctl sandbox serve` (see cmdutil.ResolveSecret).
	SourceSandbox Source = "sandbox"
)

// Resolved is a secret value with its origin. Value must never be printed.
type Resolved struct {
	Spec   Spec
	Value  string
	Source Source
	// Origin names the env var or store.
	Origin string
}

// Resolve finds a profile's secret: the environment variable first, then
// the store. A missing secret is an exitcode.Auth error that says how to
// provide it; an unreachable store names the environment variable instead.
func Resolve(ctx context.Context, store Store, getenv func(string) string, profile, name string) (Resolved, error) {
	spec, err := Lookup(name)
	if err != nil {
		return Resolved{}, err
	}
	if v := getenv(spec.EnvVar); v != "" {
		return Resolved{Spec: spec, Value: v, Source: SourceEnv, Origin: spec.EnvVar}, nil
	}
	value, err := store.Get(ctx, Account(profile, name))
	switch {
	case err == nil:
		return Resolved{Spec: spec, Value: value, Source: SourceStore, Origin: store.Describe()}, nil
	case errors.Is(err, ErrNotFound):
		return Resolved{}, exitcode.New(exitcode.Auth, "secret %s is not set for profile %q", name, profile).
			WithHint("run `bokuctl secret set %s -p %s` (value on stdin), or set %s", name, profile, spec.EnvVar)
	default:
		return Resolved{}, &exitcode.Error{
			Code:    exitcode.Auth,
			Message: fmt.Sprintf("cannot read secret %s: %v", name, err),
			Hint:    fmt.Sprintf("set %s in the environment instead (for CI and headless machines)", spec.EnvVar),
			Err:     err,
		}
	}
}
