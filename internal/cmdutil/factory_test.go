package cmdutil

import (
	"path/filepath"
	"testing"
)

// A payment command asks for the settings when it picks the provider and
// again when it builds the session: they are resolved once per run.
func TestSettingsAreResolvedOncePerRun(t *testing.T) {
	lookups := 0
	env := map[string]string{
		"BOKUCTL_CONFIG":           filepath.Join(t.TempDir(), "config.yaml"),
		"BOKUCTL_BOKU_MERCHANT_ID": "m-1",
	}
	f := &Factory{Getenv: func(k string) string { lookups++; return env[k] }}
	first, err := f.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if got := first.Get("boku.merchant-id"); got != "m-1" {
		t.Fatalf("boku.merchant-id = %q, want m-1 from the injected environment", got)
	}
	after := lookups
	second, err := f.Settings()
	if err != nil || second != first || lookups != after {
		t.Fatalf("second call resolved again (%d more lookups) or returned other settings", lookups-after)
	}
}
