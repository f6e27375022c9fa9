package provider

import (
	"context"
	"strconv"
	"time"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// Profile is what every provider's session opens with: the active
// profile's settings, checked for the keys the session needs, and its
// secret.
type Profile struct {
	Settings *config.Settings
	// Name is the profile's name.
	Name string
	// ProfileArg is " -p NAME" when the user chose the profile explicitly,
	// so printed follow-up commands target the same profile.
	ProfileArg string
	// Secret is the value of the secret asked for ("" when none was).
	Secret string
}

// OpenProfile reads the active profile for a provider's session, in this
// order: its settings, its name, the required settings (one error names
// every one missing), each of checks (a provider's own rule on the
// settings, such as Boku's country), and the secret named secret ("" for
// none). The first failure is the error.
func OpenProfile(ctx context.Context, f *cmdutil.Factory, required []string, secret string, checks ...func(p *Profile) error) (*Profile, error) {
	settings, err := f.Settings()
	if err != nil {
		return nil, err
	}
	name, explicit, err := f.ProfileName()
	if err != nil {
		return nil, err
	}
	p := &Profile{Settings: settings, Name: name}
	if explicit {
		p.ProfileArg = " -p " + name
	}
	if len(required) > 0 {
		if err := f.RequireSettings(required...); err != nil {
			return nil, err
		}
	}
	for _, check := range checks {
		if err := check(p); err != nil {
			return nil, err
		}
	}
	if secret != "" {
		value, err := f.ResolveSecret(ctx, secret)
		if err != nil {
			return nil, err
		}
		p.Secret = value.Value
	}
	return p, nil
}

// Get is the value of the setting key.
func (p *Profile) Get(key string) string { return p.Settings.Get(key) }

// Int is the setting key as a whole number, 0 when unset. The settings
// were validated when the profile was read; a value that still does not
// parse is a usage error naming the key, never a silent 0.
func (p *Profile) Int(key string) (int, error) {
	v := p.Get(key)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, exitcode.New(exitcode.Usage, "%s: %q is not a whole number", key, v)
	}
	return n, nil
}

// Duration is the setting key as a duration, 0 when unset; a value that
// does not parse is a usage error naming the key.
func (p *Profile) Duration(key string) (time.Duration, error) {
	v := p.Get(key)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, exitcode.New(exitcode.Usage, "%s: %q is not a duration", key, v)
	}
	return d, nil
}
