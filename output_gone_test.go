package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/bokuctl/bokuctl/cmd"
	"github.com/bokuctl/bokuctl/internal/sandbox/bokuspec"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// brokenPipe is a stdout whose reader went away.
type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// A charge whose result cannot be written (bokuctl charge … | head -c0)
// exits by its outcome, warns on stderr, and its journal row says ok; a
// query in the same spot exits 0 quietly, like any Unix tool.
func TestResultWrittenToAGoneReader(t *testing.T) {
	fake := bokuspec.New(bokuspec.Merchant{ID: "sandbox-merchant", KeyID: "sandbox-key-1", Key: []byte(bokuTestKey)})
	server := httptest.NewServer(fake)
	defer server.Close()
	dir := t.TempDir()
	env := map[string]string{
		"HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, "config"), "XDG_STATE_HOME": filepath.Join(dir, "state"),
		"BOKUCTL_KEYRING_FILE": filepath.Join(dir, "secrets.json"), "BOKUCTL_BOKU_KEY": bokuTestKey,
	}
	getenv := func(k string) string { return env[k] }
	bokuctl := func(out interface{ Write([]byte) (int, error) }, args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		if out == nil {
			out = &stdout
		}
		ios := &output.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: &stderr}
		code := cmd.Run(context.Background(), ios, getenv, args)
		return code, strings.TrimSpace(stdout.String()), stderr.String()
	}
	must := func(args ...string) string {
		t.Helper()
		code, out, errOut := bokuctl(nil, args...)
		if code != 0 {
			t.Fatalf("bokuctl %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
		}
		return out
	}
	must("profile", "add", "shop", "--boku-merchant-id", "sandbox-merchant", "--boku-key-id", "sandbox-key-1",
		"--boku-country", "gb", "--boku-base-url", server.URL+"/{country}")
	optin := must("optin", "begin", "--payment-method", "superwallet", "--forward-url", "https://shop.example/done", "--jq", ".optin_id")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(server.URL + "/consent/" + optin)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	must("optin", "validate", optin)
	must("optin", "confirm", optin)

	for _, format := range []string{"table", "json"} {
		key := "gone-" + format
		code, _, errOut := bokuctl(brokenPipe{}, "charge", "--optin-id", optin, "--amount", "1.00", "--currency", "GBP", "--merchant-request-id", key, "-o", format)
		if code != 0 || !strings.Contains(errOut, "Warning: the result could not be written to stdout (broken pipe); the exit code is the request's outcome") {
			t.Fatalf("-o %s: exit %d, want 0 with a warning\n%s", format, code, errOut)
		}
		if status := must("journal", "show", key, "--jq", ".status"); status != "ok" {
			t.Fatalf("-o %s: journal row %s, want ok", format, status)
		}
	}
	if code, _, errOut := bokuctl(brokenPipe{}, "journal", "list"); code != 0 || errOut != "" {
		t.Fatalf("a query to a gone reader: exit %d, stderr %q; want 0 and quiet", code, errOut)
	}
}
