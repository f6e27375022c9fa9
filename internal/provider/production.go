package provider

import (
	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// GuardProduction is what a session does, once it has read its profile p,
// when the provider d says the profile sends to production: it refuses a
// setting that would send a production profile elsewhere than the
// provider's production host (a production host is never overridden
// silently; only the test suite may), and it marks the run production, so
// that the banner is printed before anything is sent and a request that
// changes state needs --yes, BOKUCTL_PRODUCTION=1 or an answer on the
// terminal (cmdutil.Factory.MarkProduction). get reads the settings, with
// what the session resolved itself (Boku's country) in them.
func GuardProduction(f *cmdutil.Factory, d Description, p *Profile, get func(key string) string) error {
	if d.Production == nil {
		return nil
	}
	if get == nil {
		get = p.Get
	}
	t := d.Production(get)
	if !t.Production {
		return nil
	}
	if t.Override != "" && !f.AllowProductionOverride {
		return exitcode.New(exitcode.Auth, "profile %q is a %s production profile, and %s sends it elsewhere than %s's production host: refused, nothing was sent", p.Name, d.Title, t.Override, d.Title).
			WithHint("unset it (bokuctl profile unset %s %s) to send to production, or use a test profile for another host", p.Name, t.Override)
	}
	f.MarkProduction("profile " + p.Name + " · " + t.Target)
	return nil
}

// Overridden is a production profile whose host a setting overrides:
// the provider (by title) and the setting. Every session with it is
// refused (GuardProduction) until the setting is unset.
type Overridden struct{ Title, Setting string }

// ProductionOverrides is what GuardProduction would refuse in a profile
// with these settings, for each provider in r: said when the profile is
// written, not only at its next command.
func ProductionOverrides(r *Registry, get func(key string) string) []Overridden {
	var out []Overridden
	for _, p := range r.All() {
		d := p.Describe()
		if d.Production == nil {
			continue
		}
		if t := d.Production(get); t.Production && t.Override != "" {
			out = append(out, Overridden{Title: d.Title, Setting: t.Override})
		}
	}
	return out
}
