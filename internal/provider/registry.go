package provider

import (
	"context"
	"fmt"
	"github.com/bokuctl/bokuctl/pkg/exitcode"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/journal"
)

// Description is what the rest of bokuctl needs to know about one
// provider, declared once next to the provider (as rclone's RegInfo):
// commands that work across providers (reconcile, batch resume, init,
// secret status, profile list, --provider) read it instead of naming
// providers.
type Description struct {
	// Name is the provider as --provider, the provider setting and the
	// journal's provider column spell it.
	Name Name
	// Title is its name for people: "Boku".
	Title string
	// Payments says it serves the payment verbs (--provider accepts it).
	Payments bool
	// Section is the prefix of its settings: "boku" for boku.merchant-id.
	Section string
	// Configured says the profile has this provider's settings (its
	// account id), whichever provider the profile's verbs use.
	Configured func(get func(key string) string) bool
	// Setup is what init asks for, in order, given what the profile has.
	Setup func(get func(key string) string) []string
	// Secrets are the secrets a profile that uses this provider needs,
	// the main one first, given what the profile has.
	Secrets func(get func(key string) string) []string
	// Statuses maps the provider's status words to the common ones
	// (docs/json.md).
	Statuses map[string]string
	// Production says whether a profile with these settings sends to the
	// provider's production environment (nil: never).
	Production func(get func(key string) string) ProductionTarget
	// Merchant is the merchant account a profile with these settings acts
	// for, as a stable name ("boku m-1"; "" when the settings do not say):
	// what a batch is claimed and locked by, so that two operators whose
	// profiles have different names for one merchant run one file once.
	// It never holds a secret.
	Merchant func(get func(key string) string) string
}

// ProductionTarget is what a provider says of a profile's environment.
type ProductionTarget struct {
	// Production says the profile sends to production.
	Production bool
	// Target names where, for the banner: "boku gb".
	Target string
	// Override is the setting that sends a production profile elsewhere
	// than the provider's production host ("boku.base-url"), "" for none.
	// It is refused outside the test suite.
	Override string
}

// Provider is one payment provider's CLI side as the rest of bokuctl sees
// it: a Description, plus whichever optional capabilities below it has.
type Provider interface {
	Describe() Description
}

// Settlement is what a provider found out about one journal row.
type Settlement struct {
	// Outcome is what the row becomes. Keep means the row stays as it
	// is (the provider could not say).
	Outcome journal.Outcome
	Keep    bool
	// NotFound says the provider has no such request, while it still
	// keeps such keys: it was never processed, and may be sent again
	// with the same key (batch resume does).
	NotFound bool
	// Detail says why, for people: "done at the provider".
	Detail string
}

// CouldNotAsk is the Settlement of a row whose provider could not be
// asked: the query ended with code. Its detail says what to do next, as
// reconcile's summary promises of every row it leaves unsettled.
func CouldNotAsk(code exitcode.Code) Settlement {
	detail := fmt.Sprintf("could not ask (exit %d, %s)", int(code), code.Slug())
	switch code {
	case exitcode.Unavailable:
		detail += ": run bokuctl reconcile again when the provider answers"
	case exitcode.Auth:
		detail += ": fix the profile's credentials or settings, then run bokuctl reconcile"
	default:
		detail += ": bokuctl journal show KEY has what was sent; bokuctl reconcile asks again"
	}
	return Settlement{Keep: true, Detail: detail}
}

// Settler is a provider that can say what became of a journalled request
// by asking, sending nothing that changes state (reconcile, batch resume).
type Settler interface {
	Settle(ctx context.Context, f *cmdutil.Factory, e journal.Entry) Settlement
}

// UnknownReverser is a provider that can undo a request whose outcome is
// unknown, whatever happened to it (Boku's reverse-charge within the
// hour, Worldline's technical reversal). It journals the reversal as a
// follow-up of e. ok is false when it cannot act on this row, with the
// reason in the Settlement's Detail.
type UnknownReverser interface {
	ReverseUnknown(ctx context.Context, f *cmdutil.Factory, e journal.Entry) (s Settlement, ok bool)
}

// Checker is a provider with a harmless call that proves a profile's
// settings and secret (init), and the command to run next.
type Checker interface {
	Check(ctx context.Context, f *cmdutil.Factory) (notice string, err error)
	Next(profile string) string
}

// Registry is the providers bokuctl knows, in registration order.
type Registry struct {
	list   []Provider
	byName map[Name]Provider
}

// NewRegistry registers ps in order; two with one name is a programming
// error, and panics.
func NewRegistry(ps ...Provider) *Registry {
	r := &Registry{byName: map[Name]Provider{}}
	for _, p := range ps {
		name := p.Describe().Name
		if _, dup := r.byName[name]; dup {
			panic(fmt.Sprintf("provider: %q registered twice", name))
		}
		r.byName[name] = p
		r.list = append(r.list, p)
	}
	return r
}

// Lookup returns the provider called n.
func (r *Registry) Lookup(n Name) (Provider, bool) {
	p, ok := r.byName[n]
	return p, ok
}

// All lists the providers in registration order.
func (r *Registry) All() []Provider { return r.list }

// PaymentNames lists the providers of the payment verbs, in
// registration order.
func (r *Registry) PaymentNames() []string {
	var names []string
	for _, p := range r.list {
		if d := p.Describe(); d.Payments {
			names = append(names, string(d.Name))
		}
	}
	return names
}

// RequiredSecrets are the secrets settings call for: every secret of the
// payment provider the profile names (its provider setting, not the
// default), and those of every other provider it has settings for.
func (r *Registry) RequiredSecrets(settings *config.Settings) map[string]bool {
	need := map[string]bool{}
	get := settings.Get
	chosen := settings.Lookup("provider")
	named := chosen.Source != config.SourceDefault && chosen.Source != config.SourceUnset
	for _, p := range r.list {
		d := p.Describe()
		uses := d.Configured(get) || (d.Payments && named && chosen.Value == string(d.Name))
		for _, s := range d.Secrets(get) {
			need[s] = need[s] || uses
		}
	}
	return need
}
