package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", FileName)
	f := &File{Path: path, CurrentProfile: "shop", Profiles: map[string]Profile{
		"shop": {"provider": "boku", "boku.merchant-id": "m-1", "boku.country": "gb"},
		"eu":   {"worldline.client-id": "c-1", "ottu.host": "merchant.ottu.net"},
	}}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", info.Mode().Perm())
	}
	dir, _ := os.Stat(filepath.Dir(path))
	if dir.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v, want 0700", dir.Mode().Perm())
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.CurrentProfile != "shop" || got.Profiles["shop"]["boku.country"] != "gb" || got.Profiles["eu"]["ottu.host"] != "merchant.ottu.net" {
		t.Fatalf("round trip lost data: %+v", got)
	}
}

func TestLoadMissingFileIsEmpty(t *testing.T) {
	f, err := Load(filepath.Join(t.TempDir(), "none.yaml"))
	if err != nil || len(f.Profiles) != 0 {
		t.Fatalf("Load(missing) = %+v, %v", f, err)
	}
}

func TestLoadErrorsNameLine(t *testing.T) {
	tests := []struct {
		yaml string
		line int
		msg  string
	}{
		{"profiles:\n  a:\n    boku:\n      contry: gb\n", 4, `unknown key "boku.contry"`},
		{"profiles:\n  a:\n    ottu:\n      auth: token\n", 4, `"token" is not one of api-key, basic`},
		{"profiles:\n  a:\n    boku: x\n", 3, "must be a mapping"},
		{"profiles:\n  a:\n    boku:\n      country: [gb]\n", 4, "must be a single value"},
		{"profiles:\n  a: {}\n  a: {}\n", 3, "defined twice"},
		{"- a\n", 1, "top level must be a mapping"},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), FileName)
		os.WriteFile(path, []byte(tt.yaml), 0o600)
		_, err := Load(path)
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Errorf("%q: error %v is not a FileError", tt.yaml, err)
			continue
		}
		if fe.Line != tt.line || !strings.Contains(fe.Msg, tt.msg) {
			t.Errorf("%q: got line %d %q, want line %d containing %q", tt.yaml, fe.Line, fe.Msg, tt.line, tt.msg)
		}
		if exitcode.Of(err) != exitcode.Auth {
			t.Errorf("config errors exit %d, want %d", exitcode.Of(err), exitcode.Auth)
		}
	}
}

func TestResolvePrecedence(t *testing.T) {
	file := &File{Path: "/cfg.yaml", Profiles: map[string]Profile{"p": {"boku.country": "gb", "boku.key-id": "file-key"}}}
	flags := pflag.NewFlagSet("t", pflag.ContinueOnError)
	flags.String("country", "", "")
	if err := flags.Parse([]string{"--country", "nl"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BOKUCTL_BOKU_COUNTRY", "fr")
	t.Setenv("BOKUCTL_BOKU_MERCHANT_ID", "env-merchant")
	// A nil getenv reads the process environment.
	s := Resolve(file, "p", map[string]*pflag.Flag{"boku.country": flags.Lookup("country")}, nil)
	check := func(key, value string, source Source) {
		t.Helper()
		got := s.Lookup(key)
		if got.Value != value || got.Source != source {
			t.Errorf("%s = %q from %s, want %q from %s", key, got.Value, got.Source, value, source)
		}
	}
	check("boku.country", "nl", SourceFlag)
	check("boku.merchant-id", "env-merchant", SourceEnv)
	check("boku.key-id", "file-key", SourceFile)
	check("boku.environment", "test", SourceDefault)
	check("boku.base-url", "", SourceUnset)
}

func TestResolveUsesInjectedGetenv(t *testing.T) {
	file := &File{Path: "/cfg.yaml", Profiles: map[string]Profile{"p": {"boku.country": "gb", "boku.key-id": "file-key"}}}
	// The process environment disagrees with the injected one; only the
	// injected one may count.
	t.Setenv("BOKUCTL_BOKU_MERCHANT_ID", "process-merchant")
	t.Setenv("BOKUCTL_BOKU_COUNTRY", "fr")
	t.Setenv("BOKUCTL_BOKU_ENVIRONMENT", "production")
	env := map[string]string{"BOKUCTL_BOKU_MERCHANT_ID": "injected-merchant", "BOKUCTL_WORLDLINE_CLIENT_ID": "injected-client"}
	s := Resolve(file, "p", nil, func(key string) string { return env[key] })
	tests := []struct {
		key, value string
		source     Source
		origin     string
	}{
		{"boku.merchant-id", "injected-merchant", SourceEnv, "BOKUCTL_BOKU_MERCHANT_ID"},
		{"worldline.client-id", "injected-client", SourceEnv, "BOKUCTL_WORLDLINE_CLIENT_ID"},
		{"boku.country", "gb", SourceFile, "/cfg.yaml"},
		{"boku.environment", "test", SourceDefault, ""},
	}
	for _, tt := range tests {
		got := s.Lookup(tt.key)
		if got.Value != tt.value || got.Source != tt.source || got.Origin != tt.origin {
			t.Errorf("%s = %q from %s (%q), want %q from %s (%q)", tt.key, got.Value, got.Source, got.Origin, tt.value, tt.source, tt.origin)
		}
	}
}

func TestEnvVarNames(t *testing.T) {
	k, _ := LookupKey("worldline.client-id")
	if k.EnvVar() != "BOKUCTL_WORLDLINE_CLIENT_ID" || k.FlagName() != "worldline-client-id" {
		t.Fatalf("got %s, %s", k.EnvVar(), k.FlagName())
	}
}
