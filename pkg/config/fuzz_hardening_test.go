package config

import (
	"maps"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadResave loads any bytes as a config file. Load never panics, and
// a file it accepts re-saves to a file that loads to the same settings
// (empty values are not written, so they are compared as unset) and
// re-saves to the same bytes.
func FuzzLoadResave(f *testing.F) {
	f.Add([]byte("current-profile: sandbox\nprofiles:\n  sandbox:\n    provider: boku\n    boku:\n      country: gb\n      merchant-id: m1\n"))
	f.Add([]byte("profiles:\n  a:\n    boku.country: jp\n  b: {}\n"))
	f.Add([]byte("profiles:\n  a:\n    worldline:\n      api-url: \"https://x.example\"\n      integrator: \"a: b # c\"\n"))
	f.Add([]byte("current-profile: \"\"\nprofiles: {}\n"))
	f.Add([]byte("# only a comment\n"))
	f.Add([]byte("profiles:\n  a:\n    boku:\n      country: ~\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		first, err := Load(path)
		if err != nil {
			return
		}
		saved := resave(t, first, filepath.Join(dir, "again.yaml"))
		second, err := Load(filepath.Join(dir, "again.yaml"))
		if err != nil {
			t.Fatalf("a loaded config re-saved to a file Load refuses: %v\n%s", err, saved)
		}
		if first.CurrentProfile != second.CurrentProfile {
			t.Fatalf("current-profile %q became %q", first.CurrentProfile, second.CurrentProfile)
		}
		if len(first.Profiles) != len(second.Profiles) {
			t.Fatalf("profiles %v became %v", first.Names(), second.Names())
		}
		for name, p := range first.Profiles {
			if want, got := nonEmpty(p), nonEmpty(second.Profiles[name]); !maps.Equal(want, got) {
				t.Fatalf("profile %q: %v became %v\n%s", name, want, got, saved)
			}
		}
		if again := resave(t, second, filepath.Join(dir, "third.yaml")); string(again) != string(saved) {
			t.Fatalf("saving is not stable:\n%s\nthen\n%s", saved, again)
		}
	})
}

func resave(t *testing.T, f *File, path string) []byte {
	t.Helper()
	data, err := f.encode()
	if err != nil {
		t.Fatalf("a loaded config does not encode: %v", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return data
}

func nonEmpty(p Profile) map[string]string {
	out := map[string]string{}
	for k, v := range p {
		if v != "" {
			out[k] = v
		}
	}
	return out
}
