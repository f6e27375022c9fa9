package all

import (
	"testing"

	"github.com/bokuctl/bokuctl/internal/provider"
)

// Each provider says from its settings whether a profile is production,
// and which setting would send a production profile elsewhere.
func TestProduction(t *testing.T) {
	describe := map[provider.Name]provider.Description{}
	for _, p := range Registry().All() {
		d := p.Describe()
		describe[d.Name] = d
	}
	for _, tc := range []struct {
		provider   provider.Name
		settings   map[string]string
		production bool
		target     string
		override   string
	}{
		{provider.Boku, map[string]string{"boku.country": "gb"}, false, "boku gb", ""},
		{provider.Boku, map[string]string{"boku.environment": "test", "boku.country": "gb"}, false, "boku gb", ""},
		{provider.Boku, map[string]string{"boku.environment": "production", "boku.country": "gb"}, true, "boku gb", ""},
		{provider.Boku, map[string]string{"boku.environment": "production", "boku.country": "de", "boku.base-url": "http://127.0.0.1:1/{country}"}, true, "boku de", "boku.base-url"},
		{provider.Worldline, map[string]string{"worldline.api-url": "https://api.preprod.acquiring.worldline-solutions.com", "worldline.merchant-id": "m1"}, false, "worldline merchant m1", ""},
		{provider.Worldline, map[string]string{"worldline.api-url": "https://api.acquiring.worldline-solutions.com", "worldline.merchant-id": "m1"}, true, "worldline merchant m1", ""},
		{provider.Worldline, map[string]string{"worldline.api-url": "https://API.Acquiring.Worldline-Solutions.com:443", "worldline.merchant-id": "m1"}, true, "worldline merchant m1", ""},
		{provider.Worldline, map[string]string{"worldline.api-url": "http://127.0.0.1:8080", "worldline.token-url": "https://auth-eu-west-1.aws.bambora.com/connect/token", "worldline.merchant-id": "m1"}, true, "worldline merchant m1", ""},
		{provider.Worldline, map[string]string{"worldline.api-url": "https://api.acquiring.worldline-solutions.com.evil.example", "worldline.merchant-id": "m1"}, false, "worldline merchant m1", ""},
		{"ottu", map[string]string{"ottu.host": "sandbox.ottu.net"}, false, "ottu sandbox.ottu.net", ""},
		{"ottu", map[string]string{"ottu.host": "shop.ottu.net"}, true, "ottu shop.ottu.net", ""},
		{"ottu", map[string]string{"ottu.host": "shop.ottu.net", "ottu.base-url": "http://127.0.0.1:1"}, false, "ottu shop.ottu.net", ""},
	} {
		d, ok := describe[tc.provider]
		if !ok || d.Production == nil {
			t.Fatalf("%s describes no production rule", tc.provider)
		}
		got := d.Production(func(key string) string { return tc.settings[key] })
		if got.Production != tc.production || got.Target != tc.target || got.Override != tc.override {
			t.Errorf("%s %v: got %+v, want production %v target %q override %q", tc.provider, tc.settings, got, tc.production, tc.target, tc.override)
		}
	}
}
