package secret

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

func TestFileStore(t *testing.T) {
	ctx := context.Background()
	s := FileStore{Path: filepath.Join(t.TempDir(), "dir", "secrets.json")}
	if _, err := s.Get(ctx, "p/boku-key"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get on empty store: %v", err)
	}
	if err := s.Set(ctx, "p/boku-key", "v1"); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(s.Path); info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", info.Mode().Perm())
	}
	if v, err := s.Get(ctx, "p/boku-key"); err != nil || v != "v1" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if err := s.Delete(ctx, "p/boku-key"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "p/boku-key"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Delete: %v", err)
	}
}

func TestResolveOrder(t *testing.T) {
	ctx := context.Background()
	s := FileStore{Path: filepath.Join(t.TempDir(), "s.json")}
	s.Set(ctx, Account("p", "boku-key"), "stored")
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }

	r, err := Resolve(ctx, s, getenv, "p", "boku-key")
	if err != nil || r.Value != "stored" || r.Source != SourceStore {
		t.Fatalf("store: %+v %v", r, err)
	}
	env["BOKUCTL_BOKU_KEY"] = "from-env"
	r, err = Resolve(ctx, s, getenv, "p", "boku-key")
	if err != nil || r.Value != "from-env" || r.Source != SourceEnv {
		t.Fatalf("env: %+v %v", r, err)
	}
	_, err = Resolve(ctx, s, getenv, "other", "ottu-api-key")
	if exitcode.Of(err) != exitcode.Auth || !strings.Contains(exitcode.HintOf(err), "BOKUCTL_OTTU_API_KEY") {
		t.Fatalf("missing: %v (hint %q)", err, exitcode.HintOf(err))
	}
	if strings.Contains(err.Error(), "stored") {
		t.Fatal("error leaks a value")
	}
}

func TestKeyringTimeout(t *testing.T) {
	k := Keyring{Timeout: 10 * time.Millisecond}
	err := k.do(context.Background(), func() error { time.Sleep(time.Second); return nil })
	var unavailable *UnavailableError
	if !errors.As(err, &unavailable) || exitcode.Of(err) != exitcode.Auth {
		t.Fatalf("hung keyring: %v", err)
	}
}
