package all

import (
	"slices"
	"strings"
	"testing"

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
