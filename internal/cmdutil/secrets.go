package cmdutil

import (
	"context"
	"net/url"
	"strings"

	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/secret"
)

// ResolveSecret finds a secret of the active profile: the environment
// variable, else the secret store. A profile written by `bokuctl sandbox
// serve` (setting sandbox=true) whose every URL is on this machine falls
// back to the sandbox's public credential, so the sandbox works without a
// keyring. A real profile never does: its URLs are not loopback.
func (f *Factory) ResolveSecret(ctx context.Context, name string) (secret.Resolved, error) {
	profile, _, err := f.ProfileName()
	if err != nil {
		return secret.Resolved{}, err
	}
	resolved, err := secret.Resolve(ctx, f.SecretStore(), f.Getenv, profile, name)
	if err == nil {
		return resolved, nil
	}
	if value, ok := f.sandboxSecret(name); ok {
		spec, _ := secret.Lookup(name)
		return secret.Resolved{Spec: spec, Value: value, Source: secret.SourceSandbox, Origin: "public sandbox credential"}, nil
	}
	return resolved, err
}

// sandboxSecret is the public credential for name when the active profile
// is a sandbox profile on this machine.
func (f *Factory) sandboxSecret(name string) (string, bool) {
	if f.SandboxSecret == nil {
		return "", false
	}
	settings, err := f.Settings()
	if err != nil || !IsLocalSandbox(settings) {
		return "", false
	}
	return f.SandboxSecret(name)
}

// IsLocalSandbox reports whether settings are a sandbox profile whose
// every URL points at this machine.
func IsLocalSandbox(settings *config.Settings) bool {
	if settings.Get("sandbox") != "true" {
		return false
	}
	urls := 0
	for _, s := range settings.All() {
		if !strings.HasSuffix(s.Key, "url") || s.Value == "" {
			continue
		}
		urls++
		u, err := url.Parse(strings.ReplaceAll(s.Value, "{country}", "gb"))
		if err != nil || !config.LoopbackHost(u.Hostname()) {
			return false
		}
	}
	return urls > 0
}
