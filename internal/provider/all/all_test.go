package all

import (
	"slices"
	"strings"
	"testing"

	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/secret"
)

// The registry and pkg/config agree (pkg cannot import internal, so its
// lists stay there, guarded here): the provider setting accepts exactly
// the payment providers; every provider's settings section and setup keys
// exist; every secret bokuctl knows belongs to a provider.
func TestRegistryMatchesConfigAndSecrets(t *testing.T) {
	r := Registry()
	names := r.PaymentNames()
	if !slices.Equal(names, []string{"boku", "worldline"}) {
		t.Fatalf("payment providers %v", names)
	}
	key, _ := config.LookupKey("provider")
	for _, n := range names {
		if err := key.Validate(n); err != nil {
			t.Errorf("the provider setting refuses %q: %v", n, err)
		}
	}
	if err := key.Validate("ottu"); err == nil {
		t.Error("the provider setting accepts ottu, which serves no payment verb")
	}
	owned := map[string]bool{}
	everything := func(string) string { return "basic" } // every optional secret asked for
	for _, p := range r.All() {
		d := p.Describe()
		for _, k := range d.Setup(everything) {
			if _, ok := config.LookupKey(k); !ok || !strings.HasPrefix(k, d.Section+".") {
				t.Errorf("%s asks init for %q, which is not one of its settings", d.Name, k)
			}
		}
		for _, s := range append(d.Secrets(everything), d.Secrets(func(string) string { return "" })...) {
			if _, err := secret.Lookup(s); err != nil {
				t.Errorf("%s needs secret %q, which bokuctl does not know", d.Name, s)
			}
			owned[s] = true
		}
	}
	for _, s := range secret.Specs() {
		if !owned[s.Name] && !s.Global {
			t.Errorf("secret %q belongs to no provider's Description", s.Name)
		}
	}
	for _, k := range config.Keys() {
		section, _, dotted := strings.Cut(k.Name, ".")
		if !dotted {
			continue
		}
		found := false
		for _, p := range r.All() {
			found = found || p.Describe().Section == section
		}
		if !found && section != "journal" {
			t.Errorf("setting %s belongs to no provider", k.Name)
		}
	}
}

// Every payment provider names the merchant a profile acts for (what a
// batch is claimed and locked by): the same for two profiles of one
// account, another for another account or environment, "" when the
// settings do not say, and never a secret.
func TestPaymentProvidersNameTheirMerchant(t *testing.T) {
	r := Registry()
	cases := []struct {
		provider string
		settings map[string]string
		want     string
	}{
		{"boku", map[string]string{"boku.merchant-id": "m-1", "boku.country": "gb", "boku.key-id": "k"}, "boku m-1"},
		{"boku", map[string]string{"boku.merchant-id": "m-1", "boku.country": "de"}, "boku m-1"},
		{"boku", map[string]string{"boku.merchant-id": "m-1", "boku.environment": "production"}, "boku production m-1"},
		{"boku", map[string]string{}, ""},
		{"worldline", map[string]string{"worldline.acquirer-id": "100812", "worldline.merchant-id": "520002526", "worldline.client-id": "c"}, "worldline 100812/520002526"},
		{"worldline", map[string]string{"worldline.merchant-id": "520002526"}, ""},
	}
	for _, c := range cases {
		var d provider.Description
		for _, p := range r.All() {
			if p.Describe().Name == provider.Name(c.provider) {
				d = p.Describe()
			}
		}
		if d.Merchant == nil {
			t.Fatalf("%s names no merchant", c.provider)
		}
		if got := d.Merchant(func(k string) string { return c.settings[k] }); got != c.want {
			t.Errorf("%s %v: merchant %q, want %q", c.provider, c.settings, got, c.want)
		}
	}
}
