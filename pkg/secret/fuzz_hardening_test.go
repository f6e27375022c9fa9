package secret

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzFileStore reads any bytes as the secrets file: Get never panics
// and fails only as unavailable or not found; when the file reads, a
// secret Set is read back exactly by Get, the others are kept, and a
// Delete removes only it.
func FuzzFileStore(f *testing.F) {
	f.Add([]byte(`{"sandbox/boku-key":"k1","prod/ottu-api-key":"k2"}`), "sandbox/boku-key", "new")
	f.Add([]byte(``), "a", "")
	f.Add([]byte(`null`), "a", "b")
	f.Add([]byte(`{"a":"x","a":"y"}`), "a", "z")
	f.Add([]byte(`{"a":1}`), "a", "b")
	f.Add([]byte(`[]`), "a", "b")
	f.Add([]byte(`{"a":"\u0000\ud800"}`), "b", "line\nbreak \"quoted\" \\")
	f.Fuzz(func(t *testing.T, data []byte, account, value string) {
		path := filepath.Join(t.TempDir(), "secrets.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s := FileStore{Path: path}
		ctx := context.Background()
		_, err := s.Get(ctx, account)
		var unavailable *UnavailableError
		if err != nil && !errors.Is(err, ErrNotFound) {
			if !errors.As(err, &unavailable) {
				t.Fatalf("Get: %T %v", err, err)
			}
			return
		}
		if !utf8.ValidString(account) || !utf8.ValidString(value) {
			// Refused rather than stored as something else.
			if err := s.Set(ctx, account, value); err == nil {
				t.Fatalf("Set of invalid UTF-8 %q=%q was accepted", account, value)
			}
			return
		}
		var before map[string]string
		json.Unmarshal(data, &before)
		if err := s.Set(ctx, account, value); err != nil {
			t.Fatalf("Set on a readable file: %v", err)
		}
		if got, err := s.Get(ctx, account); err != nil || got != value {
			t.Fatalf("Set %q=%q, Get gives %q, %v", account, value, got, err)
		}
		for k, v := range before {
			if k == account {
				continue
			}
			if got, err := s.Get(ctx, k); err != nil || got != v {
				t.Fatalf("Set %q lost %q=%q: %q, %v", account, k, v, got, err)
			}
		}
		if err := s.Delete(ctx, account); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := s.Get(ctx, account); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after Delete, Get %q: %v", account, err)
		}
		for k, v := range before {
			if k == account {
				continue
			}
			if got, err := s.Get(ctx, k); err != nil || got != v {
				t.Fatalf("Delete %q lost %q=%q: %q, %v", account, k, v, got, err)
			}
		}
	})
}
