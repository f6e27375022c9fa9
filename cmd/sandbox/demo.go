package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/sandbox"
	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// demoStep is one command of the demo. Args may contain {NAME} taken
// from an earlier step's output.
type demoStep struct {
	title      string
	args       []string
	stdin      string
	capture    map[string]string // name → the record label whose value it takes
	wantStderr string
	// visit, instead of a command, is a URL the consumer opens in a
	// browser (the sandbox's issuer page approves and redirects).
	visit string
}

const demoCard = `{"number":"4176669999000104","expiry":"122031","cvc":"012"}`

var demoSteps = []demoStep{
	{title: "Boku: start a hosted opt-in of the consumer's wallet", args: []string{"optin", "begin", "--payment-method", "superwallet", "--forward-url", "https://shop.example/optin/done"},
		capture: map[string]string{"OPTIN": "Optin ID", "OPTIN_URL": "Consumer URL"}},
	{title: "Consumer: approves at the issuer's page, which sends them back to the forward URL", visit: "{OPTIN_URL}"},
	{title: "Boku: validate the opt-in", args: []string{"optin", "validate", "{OPTIN}"}},
	{title: "Boku: confirm it, so it can be charged", args: []string{"optin", "confirm", "{OPTIN}"}},
	{title: "Boku: charge 4.99 GBP", args: []string{"charge", "--optin-id", "{OPTIN}", "--amount", "4.99", "--currency", "GBP"},
		capture: map[string]string{"CHARGE": "Charge ID", "MRID": "Merchant request ID"}},
	{title: "Boku: look the charge up by its merchant request id", args: []string{"charge", "status", "--merchant-request-id", "{MRID}"}},
	{title: "Boku: refund 1.50 of it", args: []string{"refund", "{CHARGE}", "--amount", "1.50", "--currency", "GBP", "--reason", "goodwill"}},
	{title: "Boku: exchange rate GBP to EUR", args: []string{"forex", "--from-currency", "GBP", "--to-currency", "EUR", "--amount", "10"}},
	{title: "Boku: can the opt-in pay 20.00 GBP?", args: []string{"fund-check", "--optin-id", "{OPTIN}", "--amount", "20.00", "--currency", "GBP"}},
	{title: "Boku: is the service id valid?", args: []string{"verify-service", sandbox.BokuServiceID}},
	{title: "Worldline: authorize 12.34 EUR on a test card (card JSON on stdin)", stdin: demoCard,
		args:    []string{"--provider", "worldline", "charge", "--amount", "12.34", "--currency", "EUR", "--reference", "demo-order-1"},
		capture: map[string]string{"PAYMENT": "Payment ID"}},
	{title: "Worldline: capture it", args: []string{"--provider", "worldline", "charge", "capture", "{PAYMENT}"}},
	{title: "Worldline: refund 2.00 EUR", args: []string{"--provider", "worldline", "refund", "{PAYMENT}", "--amount", "2.00", "--currency", "EUR"}},
	{title: "Worldline: DCC rate EUR to USD", args: []string{"--provider", "worldline", "forex", "--from", "EUR", "--to", "USD", "--amount", "10.00"}},
	{title: "Ottu: payment methods that take KWD", args: []string{"methods", "list", "--currency", "KWD"}, wantStderr: "Fetched from"},
	{title: "Ottu: the same again, now from the cache", args: []string{"methods", "list", "--currency", "KWD"}, wantStderr: "From the cache"},
}

// ansiPattern compiles on first use: only the demo needs it.
var ansiPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("\x1b\\[[0-9;]*m") })

// RunFunc runs one command line with the given streams and environment
// and returns its exit code: the root's Run, passed in by the root, so
// that the demo runs each step as the shell would without this package
// importing the root.
type RunFunc func(ctx context.Context, ios *output.IOStreams, getenv func(string) string, args []string) int

func newSandboxDemoCmd(f *cmdutil.Factory, run RunFunc) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Start the sandbox in-process and walk every provider's main flow",
		Long: `Start the fake providers on a free loopback port and run the main flows with
real HTTP, printing each command and its output: Boku hosted opt-in
(begin, the consumer's approval, validate, confirm), charge, status, partial refund, forex, fund check and service check;
Worldline payment, capture, refund and DCC rate; Ottu payment methods,
twice (the second from the cache). It uses a temporary config, cache,
journal and DCC quote store, so your profiles, journal and quotes are
untouched. Exits 0 only if every step succeeded.`,
		Example: "  bokuctl sandbox demo   # exits 0 only if every step succeeded",
		Args:    cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDemo(cmd.Context(), f, run)
		},
	}
}

func runDemo(ctx context.Context, f *cmdutil.Factory, run RunFunc) error {
	tmp, err := os.MkdirTemp("", "bokuctl-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	sb, err := sandbox.New("")
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start sandbox: %w", err)
	}
	server := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
	go server.Serve(listener)
	defer server.Close()
	base := "http://" + listener.Addr().String()

	file := &config.File{Path: filepath.Join(tmp, "config.yaml"), CurrentProfile: sandbox.DefaultProfileName,
		Profiles: map[string]config.Profile{sandbox.DefaultProfileName: config.Profile(sandbox.Settings(base))}}
	if err := file.Save(); err != nil {
		return err
	}
	// The steps see only the demo's configuration: BOKUCTL_ variables from
	// the caller's environment are hidden, and the sandbox's public
	// credentials come from the environment. Their journal and DCC quotes
	// (kept beside the journal, or under XDG_STATE_HOME with the journal
	// off) live in the temporary folder too: the demo's charges are not
	// the user's and must not show up in their journal or reconcile.
	env := map[string]string{
		"BOKUCTL_CONFIG":                  file.Path,
		"BOKUCTL_CACHE_DIR":               filepath.Join(tmp, "cache"),
		"BOKUCTL_JOURNAL":                 filepath.Join(tmp, "state", "bokuctl", "journal.db"),
		"XDG_STATE_HOME":                  filepath.Join(tmp, "state"),
		"BOKUCTL_PROFILE":                 sandbox.DefaultProfileName,
		"BOKUCTL_BOKU_KEY":                sandbox.BokuKey,
		"BOKUCTL_WORLDLINE_CLIENT_SECRET": sandbox.WorldlineSecret,
		"BOKUCTL_OTTU_API_KEY":            sandbox.OttuAPIKey,
	}
	getenv := func(key string) string {
		if v, ok := env[key]; ok {
			return v
		}
		if strings.HasPrefix(key, "BOKUCTL_") && key != "BOKUCTL_FORCE_TTY" {
			return ""
		}
		return f.Getenv(key)
	}
	// What the steps send goes to the in-process sandbox, which ends with
	// the demo: a signal has nothing to settle there.
	ctx = cmdutil.WithSends(ctx, nil)
	out := f.IO.Out
	fmt.Fprintf(out, "Sandbox running at %s\n", base)
	vars := map[string]string{}
	for i, step := range demoSteps {
		if step.visit != "" {
			target := expandVars(step.visit, vars)
			fmt.Fprintf(out, "\n==> %d/%d %s\n$ (open %s)\n", i+1, len(demoSteps), step.title, target)
			if err := visit(ctx, target); err != nil {
				return exitcode.New(exitcode.Unexpected, "demo step %d (%s): %v", i+1, step.title, err)
			}
			continue
		}
		args := make([]string, len(step.args))
		for j, a := range step.args {
			args[j] = expandVars(a, vars)
		}
		fmt.Fprintf(out, "\n==> %d/%d %s\n$ bokuctl %s\n", i+1, len(demoSteps), step.title, strings.Join(args, " "))
		var stdout, stderr bytes.Buffer
		ios := &output.IOStreams{
			In: strings.NewReader(step.stdin), Out: io.MultiWriter(out, &stdout), ErrOut: io.MultiWriter(f.IO.ErrOut, &stderr),
			OutTTY: f.IO.OutTTY, Color: f.IO.Color,
		}
		if code := run(ctx, ios, getenv, args); code != 0 {
			return exitcode.New(exitcode.Code(code), "demo step %d (%s) failed with exit code %d", i+1, step.title, code)
		}
		if step.wantStderr != "" && !strings.Contains(stderr.String(), step.wantStderr) {
			return exitcode.New(exitcode.Unexpected, "demo step %d (%s): expected %q on stderr", i+1, step.title, step.wantStderr)
		}
		plain := ansiPattern().ReplaceAllString(stdout.String(), "")
		for name, label := range step.capture {
			m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(label) + `:\s+(\S+)\s*$`).FindStringSubmatch(plain)
			if m == nil {
				return exitcode.New(exitcode.Unexpected, "demo step %d (%s): no %q in the output", i+1, step.title, label)
			}
			vars[name] = m[1]
		}
	}
	fmt.Fprintf(out, "\nAll %d steps succeeded against the sandbox at %s.\n", len(demoSteps), base)
	return nil
}

func expandVars(s string, vars map[string]string) string {
	for name, value := range vars {
		s = strings.ReplaceAll(s, "{"+name+"}", value)
	}
	return s
}

// visit opens target as the consumer's browser would, without following
// the issuer's redirect to the merchant's forward URL.
func visit(ctx context.Context, target string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return fmt.Errorf("the issuer page answered %s", resp.Status)
	}
	return nil
}
