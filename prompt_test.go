package main

import (
	"bytes"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/internal/sandbox/bokuspec"
	"github.com/creack/pty"
)

// A prompt run on a pseudo-terminal: bokuctl sees a real terminal on
// stdin, stdout and stderr, as a person at a keyboard would give it.
type ptyRun struct {
	t    *testing.T
	cmd  *exec.Cmd
	term *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

// promptEnv is an isolated environment: its own home, config and a
// file-backed secret store.
func promptEnv(t *testing.T) []string {
	dir := t.TempDir()
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(dir, ".cache"),
		"XDG_STATE_HOME=" + filepath.Join(dir, ".state"),
		"BOKUCTL_KEYRING_FILE=" + filepath.Join(dir, "secrets.json"),
		"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(dir, "no-dbus"),
		"TERM=dumb",
	}
}

func startPty(t *testing.T, env []string, args ...string) *ptyRun {
	t.Helper()
	bin, err := exec.LookPath("bokuctl")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	term, err := pty.Start(cmd)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	r := &ptyRun{t: t, cmd: cmd, term: term, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		buf := make([]byte, 4096)
		for {
			n, err := term.Read(buf)
			r.mu.Lock()
			r.out.Write(buf[:n])
			r.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		term.Close()
	})
	return r
}

// expect waits until the terminal has shown want.
func (r *ptyRun) expect(want string) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		got := r.out.String()
		r.mu.Unlock()
		if strings.Contains(got, want) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.t.Fatalf("the terminal never showed %q; it showed:\n%s", want, r.output())
}

func (r *ptyRun) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// keys types on the terminal.
func (r *ptyRun) keys(s string) {
	r.t.Helper()
	if _, err := io.WriteString(r.term, s); err != nil {
		r.t.Fatal(err)
	}
}

// exit waits for bokuctl to end and returns its status.
func (r *ptyRun) exit() int {
	r.t.Helper()
	waited := make(chan error, 1)
	go func() { waited <- r.cmd.Wait() }()
	select {
	case err := <-waited:
		<-r.done
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			r.t.Fatal(err)
		}
		return 0
	case <-time.After(10 * time.Second):
		r.t.Fatalf("bokuctl kept waiting; the terminal showed:\n%s", r.output())
		return -1
	}
}

// run runs bokuctl off a terminal, for setting up and checking, and
// returns its stdout.
func run(t *testing.T, env []string, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("bokuctl", args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bokuctl %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

func TestSecretPromptCancels(t *testing.T) {
	for _, key := range []struct{ name, key string }{{"ctrl-c", "\x03"}, {"ctrl-d", "\x04"}} {
		t.Run(key.name, func(t *testing.T) {
			env := promptEnv(t)
			run(t, env, "", "profile", "add", "shop", "--boku-merchant-id", "m-1")
			r := startPty(t, env, "secret", "set", "boku-key")
			r.expect("Value for boku-key (input hidden; Ctrl-C cancels): ")
			r.keys("typed-so-far" + key.key + "then-more\r")
			if code := r.exit(); code != 130 {
				t.Fatalf("exit %d after %s at the prompt, want 130; terminal:\n%s", code, key.name, r.output())
			}
			if !strings.Contains(r.output(), "cancelled: nothing was stored") {
				t.Errorf("no cancellation message; terminal:\n%s", r.output())
			}
			if strings.Contains(r.output(), "typed-so-far") {
				t.Errorf("the hidden input was echoed")
			}
			if data, err := os.ReadFile(strings.TrimPrefix(env[5], "BOKUCTL_KEYRING_FILE=")); err == nil && strings.Contains(string(data), "boku-key") {
				t.Fatalf("a secret was stored after %s: %s", key.name, data)
			}
		})
	}
}

func TestSecretPromptStores(t *testing.T) {
	env := promptEnv(t)
	run(t, env, "", "profile", "add", "shop", "--boku-merchant-id", "m-1")
	r := startPty(t, env, "secret", "set", "boku-key")
	r.expect("(input hidden; Ctrl-C cancels): ")
	r.keys("s3cr\x7fret-value\r")
	if code := r.exit(); code != 0 {
		t.Fatalf("exit %d, want 0; terminal:\n%s", code, r.output())
	}
	if strings.Contains(r.output(), "s3cret-value") {
		t.Fatalf("the secret was echoed:\n%s", r.output())
	}
	data, err := os.ReadFile(strings.TrimPrefix(env[5], "BOKUCTL_KEYRING_FILE="))
	if err != nil || !strings.Contains(string(data), `"s3cret-value"`) {
		t.Fatalf("stored %q (%v), want the typed value with its backspace applied", data, err)
	}

	// Deleting asks; Ctrl-C keeps the secret, y deletes it.
	r = startPty(t, env, "secret", "delete", "boku-key")
	r.expect(`Delete boku-key of profile "shop"? [y/N] `)
	r.keys("\x03")
	if code := r.exit(); code != 130 {
		t.Fatalf("exit %d, want 130; terminal:\n%s", code, r.output())
	}
	run(t, env, "", "secret", "status") // still readable
	if data, _ := os.ReadFile(strings.TrimPrefix(env[5], "BOKUCTL_KEYRING_FILE=")); !strings.Contains(string(data), "s3cret-value") {
		t.Fatal("Ctrl-C at the confirmation deleted the secret")
	}
	r = startPty(t, env, "secret", "delete", "boku-key")
	r.expect("[y/N] ")
	r.keys("n\r")
	if code := r.exit(); code != 130 || !strings.Contains(r.output(), "not confirmed") {
		t.Fatalf("exit %d after no, want 130; terminal:\n%s", code, r.output())
	}
	r = startPty(t, env, "secret", "delete", "boku-key")
	r.expect("[y/N] ")
	r.keys("y\r")
	if code := r.exit(); code != 0 || !strings.Contains(r.output(), `Deleted boku-key of profile "shop"`) {
		t.Fatalf("exit %d after y, want 0; terminal:\n%s", code, r.output())
	}
}

func TestSecretSetChecksTheStoreBeforeAsking(t *testing.T) {
	env := promptEnv(t)
	run(t, env, "", "profile", "add", "shop", "--boku-merchant-id", "m-1")
	env = env[:5:5] // no BOKUCTL_KEYRING_FILE: the OS keyring, unreachable here
	env = append(env, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus")
	r := startPty(t, env, "secret", "set", "boku-key")
	code := r.exit()
	if code != 4 || strings.Contains(r.output(), "Value for") {
		t.Fatalf("exit %d; want 4 before any prompt; terminal:\n%s", code, r.output())
	}
	if !strings.Contains(r.output(), "BOKUCTL_BOKU_KEY") {
		t.Errorf("the error does not name the environment variable; terminal:\n%s", r.output())
	}
}

func TestProfileRemovePrompt(t *testing.T) {
	env := promptEnv(t)
	run(t, env, "", "profile", "add", "spare", "--boku-merchant-id", "m-1")
	r := startPty(t, env, "profile", "remove", "spare")
	r.expect("Type the profile name to confirm: ")
	r.keys("spa\x03")
	if code := r.exit(); code != 130 {
		t.Fatalf("exit %d after Ctrl-C, want 130; terminal:\n%s", code, r.output())
	}
	r = startPty(t, env, "profile", "remove", "spare")
	r.expect("Type the profile name to confirm: ")
	r.keys("shop\r")
	if code := r.exit(); code != 130 {
		t.Fatalf("exit %d after a wrong name, want 130; terminal:\n%s", code, r.output())
	}
	if out := run(t, env, "", "profile", "list", "-o", "json", "--jq", ".profiles | length"); strings.TrimSpace(out) != "1" {
		t.Fatalf("the profile went without confirmation: %s", out)
	}
	r = startPty(t, env, "profile", "remove", "spare")
	r.expect("Type the profile name to confirm: ")
	r.keys("spare\r")
	if code := r.exit(); code != 0 {
		t.Fatalf("exit %d after the right name, want 0; terminal:\n%s", code, r.output())
	}
}

// A full refund and a reversal ask before anything is sent, after every
// input was checked; Ctrl-C leaves no request and no journal row.
func TestMoneyPromptsSendNothingWhenCancelled(t *testing.T) {
	fake := bokuspec.New(bokuspec.Merchant{ID: "sandbox-merchant", KeyID: "sandbox-key-1", Key: []byte(bokuTestKey)})
	server := httptest.NewServer(fake)
	defer server.Close()
	env := append(promptEnv(t), "BOKUCTL_BOKU_KEY="+bokuTestKey)
	run(t, env, "", "profile", "add", "shop", "--boku-merchant-id", "sandbox-merchant", "--boku-key-id", "sandbox-key-1",
		"--boku-country", "gb", "--boku-base-url", server.URL+"/{country}")

	r := startPty(t, env, "charge", "reverse", "--merchant-request-id", "order-1")
	r.expect("Reverse the charge sent as order-1, profile shop? [y/N] ")
	r.keys("\x03")
	if code := r.exit(); code != 130 {
		t.Fatalf("exit %d, want 130; terminal:\n%s", code, r.output())
	}
	if n := fake.RequestCount(); n != 0 {
		t.Fatalf("the fake Boku got %d requests after a cancelled reversal", n)
	}
	// A full refund asks Boku for the charge (read-only) and names its
	// amount in the question.
	optin := strings.TrimSpace(run(t, env, "", "optin", "begin", "--payment-method", "superwallet", "--forward-url", "https://shop.example/done", "--jq", ".optin_id"))
	if err := fake.ApproveOptin(optin); err != nil {
		t.Fatal(err)
	}
	run(t, env, "", "optin", "validate", optin)
	run(t, env, "", "optin", "confirm", optin)
	charge := strings.TrimSpace(run(t, env, "", "charge", "--optin-id", optin, "--amount", "4.99", "--currency", "GBP", "--jq", ".charge_id"))
	journalRows := strings.TrimSpace(run(t, env, "", "journal", "list", "--since", "0", "--jq", ".entries | length"))
	r = startPty(t, env, "refund", charge, "--reason", "goodwill")
	r.expect("Refund " + charge + " in full (4.99 GBP), profile shop? [y/N] ")
	r.keys("\x04")
	if code := r.exit(); code != 130 {
		t.Fatalf("exit %d, want 130; terminal:\n%s", code, r.output())
	}
	if n := fake.RefundCount(); n != 0 {
		t.Fatalf("the fake Boku made %d refunds after a cancelled prompt", n)
	}
	if out := run(t, env, "", "journal", "list", "--since", "0", "--jq", ".entries | length"); strings.TrimSpace(out) != journalRows {
		t.Fatalf("cancelled prompts left journal rows: %s, was %s", out, journalRows)
	}
	// A bad input is refused before the question.
	r = startPty(t, env, "refund", "ch-000001", "--reason", "whim")
	if code := r.exit(); code != 2 || strings.Contains(r.output(), "[y/N]") {
		t.Fatalf("exit %d, want 2 without a question; terminal:\n%s", code, r.output())
	}
}

// init on a terminal asks for what the flags did not give, re-asks a bad
// answer, reads the secret without echo, and checks it against Boku.
func TestInitAsks(t *testing.T) {
	fake := bokuspec.New(bokuspec.Merchant{ID: "sandbox-merchant", KeyID: "sandbox-key-1", Key: []byte(bokuTestKey)})
	server := httptest.NewServer(fake)
	defer server.Close()
	env := promptEnv(t)
	r := startPty(t, env, "init", "--boku-base-url", server.URL+"/{country}")
	r.expect("Provider (boku, worldline, ottu) [boku]: ")
	r.keys("\r")
	r.expect("Profile name [boku]: ")
	r.keys("shop\r")
	r.expect("boku.merchant-id")
	r.keys("sandbox-merchant\r")
	r.expect("boku.key-id")
	r.keys("sandbox-key-1\r")
	r.expect("boku.country")
	r.keys("uk\r")
	r.expect("the United Kingdom's ISO 3166-1 code is gb")
	r.keys("GB\r")
	r.expect("(input hidden; Ctrl-C cancels): ")
	r.keys(bokuTestKey + "\r")
	if code := r.exit(); code != 0 {
		t.Fatalf("exit %d; terminal:\n%s", code, r.output())
	}
	out := r.output()
	if strings.Contains(out, bokuTestKey) {
		t.Fatal("the key was echoed")
	}
	for _, want := range []string{"Created profile \"shop\"", "Check: Boku accepted a signed query-charge", "Next: bokuctl -p shop optin begin"} {
		if !strings.Contains(out, want) {
			t.Errorf("the terminal does not show %q:\n%s", want, out)
		}
	}
	if fake.ChargeCount() != 0 {
		t.Error("init charged")
	}
	// Ctrl-C at a question writes nothing.
	r = startPty(t, env, "init", "worldline")
	r.expect("Profile name [worldline]: ")
	r.keys("\x03")
	if code := r.exit(); code != 130 {
		t.Fatalf("exit %d after Ctrl-C, want 130", code)
	}
	if out := run(t, env, "", "profile", "list", "-o", "json", "--jq", ".profiles | length"); strings.TrimSpace(out) != "1" {
		t.Fatalf("Ctrl-C wrote a profile: %s", out)
	}
}

// A request that changes state in production asks on a terminal, once per
// run, after every input was checked; "n" sends nothing, "y" sends it.
func TestProductionPromptAsksOnce(t *testing.T) {
	fake := bokuspec.New(bokuspec.Merchant{ID: "sandbox-merchant", KeyID: "sandbox-key-1", Key: []byte(bokuTestKey)})
	server := httptest.NewServer(fake)
	defer server.Close()
	env := append(promptEnv(t), "BOKUCTL_BOKU_KEY="+bokuTestKey, "BOKUCTL_TEST_PRODUCTION_OVERRIDE=1")
	run(t, env, "", "profile", "add", "live", "--boku-merchant-id", "sandbox-merchant", "--boku-key-id", "sandbox-key-1",
		"--boku-country", "gb", "--boku-base-url", server.URL+"/{country}", "--boku-environment", "production")

	question := "Send this request to production (profile live · boku gb)? [y/N] "
	r := startPty(t, env, "optin", "begin", "--payment-method", "superwallet", "--forward-url", "https://shop.example/done")
	r.expect("▸ production · profile live · boku gb")
	r.expect(question)
	r.keys("n\r")
	if code := r.exit(); code != 130 {
		t.Fatalf("exit %d after n, want 130; terminal:\n%s", code, r.output())
	}
	if n := fake.RequestCount(); n != 0 {
		t.Fatalf("the fake Boku got %d requests after a refused production question", n)
	}
	r = startPty(t, env, "optin", "begin", "--payment-method", "superwallet", "--forward-url", "https://shop.example/done")
	r.expect(question)
	r.keys("y\r")
	if code := r.exit(); code != 0 {
		t.Fatalf("exit %d after y, want 0; terminal:\n%s", code, r.output())
	}
	if n := fake.RequestCount(); n != 1 {
		t.Fatalf("the fake Boku got %d requests after y, want 1", n)
	}
	if strings.Count(r.output(), "[y/N]") != 1 {
		t.Errorf("asked more than once; terminal:\n%s", r.output())
	}
	// A dry run on a terminal shows the banner and never asks.
	r = startPty(t, env, "optin", "begin", "--payment-method", "superwallet", "--forward-url", "https://shop.example/done", "--dry-run")
	if code := r.exit(); code != 0 || strings.Contains(r.output(), "[y/N]") || !strings.Contains(r.output(), "▸ production") {
		t.Fatalf("exit %d, want 0 with the banner and no question; terminal:\n%s", code, r.output())
	}
	if n := fake.RequestCount(); n != 1 {
		t.Fatalf("a dry run reached the fake Boku (%d requests)", n)
	}
}
