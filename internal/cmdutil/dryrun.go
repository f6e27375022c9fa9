package cmdutil

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// A dry run (--dry-run) builds and signs a command's request exactly as it
// would be sent, with the same client, signer and clock, and then does not
// send it: the last transport of the client chain captures the request,
// the run prints it (secrets masked as --debug masks them), and the
// command ends with exit 0. Announce still checks the idempotency key and
// makes one, but writes no journal row and marks nothing sent.
//
// The first request a command would send is the one shown, and nothing at
// all leaves the machine: not even a read that would come before it.
// OAuth clients that support it (Worldline) fetch no token in a dry run
// and carry a placeholder, shown masked.

// ErrDryRun is what the dry-run transport answers in place of the
// provider: the command stops there, and the run prints what it captured.
var ErrDryRun = errors.New("dry run: the request was built and not sent")

// DryRunPlaceholderToken is the bearer token a client puts in a dry run's
// request in place of one it would fetch: no token request is sent.
const DryRunPlaceholderToken = "dry-run-placeholder-token"

// DryRunView is how a provider's requests are shown in a dry run, besides
// the masking its --debug log uses (see ClientOption).
type DryRunView struct {
	// Provider names the provider in the dry run's output.
	Provider string
	// Check, for a header the mask hides, returns a value that lets
	// someone holding the key check what was hidden without being able
	// to replay it (Boku: the SHA-256 of the signature), under a field
	// name such as "signature_sha256"; ok is false for none.
	Check func(name, value string) (field, check string, ok bool)
	// Curl, for a header the mask hides, returns the shell word that
	// stands for its value in --curl output, e.g. a double-quoted
	// "Authorization: Bearer $WORLDLINE_TOKEN" or a command substitution
	// that recomputes a signature; body is the request's body. ok false
	// falls back to an environment variable named after the header.
	Curl func(req *http.Request, body []byte, name, value string) (word string, ok bool)
}

// ClientOption adds to the HTTP client a provider builds (HTTPClient,
// HTTPClientWith).
type ClientOption func(*clientOptions)

type clientOptions struct {
	view DryRunView
}

// WithDryRunView says how the client's requests are shown in a dry run.
func WithDryRunView(v DryRunView) ClientOption {
	return func(o *clientOptions) { o.view = v }
}

// DryRunRequest is one request a dry run built and did not send, as
// printed: masked like --debug, plus the check values of what is masked.
type DryRunRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	// Headers are the request's headers, masked; a header sent more than
	// once has its values joined with ", ".
	Headers map[string]string `json:"headers"`
	// Checks are the check values of masked headers (signature_sha256).
	Checks map[string]string `json:"checks,omitempty"`
	// Body is the body, masked (empty for none).
	Body string `json:"body"`
	// BodyMasked says the mask changed the body (card data): the body
	// shown, and the one in Curl, is not the one that would be sent.
	BodyMasked bool `json:"body_masked,omitempty"`
	// Curl is the request as a curl command (only with --curl).
	Curl string `json:"curl,omitempty"`

	headerOrder []string
}

// DryRunResult is the output of a dry run: what would have been sent.
type DryRunResult struct {
	DryRun     bool   `json:"dry_run"`
	Provider   string `json:"provider"`
	Profile    string `json:"profile"`
	Production bool   `json:"production"`
	// IdempotencyKey is the key the request carries ("" for a read).
	IdempotencyKey string          `json:"idempotency_key,omitempty"`
	Requests       []DryRunRequest `json:"requests"`
}

// dryRunLog is what a dry run captured; every Factory of the process
// shares it.
type dryRunLog struct {
	mu       sync.Mutex
	provider string
	key      string
	requests []DryRunRequest
}

// dryRunTransport captures the first request and sends none.
type dryRunTransport struct {
	log        *dryRunLog
	curl       bool
	maskHeader func(name, value string) string
	maskBody   func([]byte) []byte
	view       DryRunView
}

// RoundTrip records req (the first one only) and answers ErrDryRun.
func (t *dryRunTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		data, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("dry run: read the request body: %w", err)
		}
		body = data
	}
	t.log.mu.Lock()
	defer t.log.mu.Unlock()
	if len(t.log.requests) > 0 {
		return nil, ErrDryRun
	}
	if t.log.provider == "" {
		t.log.provider = t.view.Provider
	}
	t.log.requests = append(t.log.requests, t.capture(req, body))
	return nil, ErrDryRun
}

func (t *dryRunTransport) capture(req *http.Request, body []byte) DryRunRequest {
	r := DryRunRequest{Method: req.Method, URL: req.URL.Redacted(), Headers: map[string]string{}}
	names := make([]string, 0, len(req.Header))
	for name := range req.Header {
		names = append(names, name)
	}
	sort.Strings(names)
	var curlHeaders []string
	for _, name := range names {
		var shown []string
		for _, value := range req.Header[name] {
			masked := value
			if t.maskHeader != nil {
				masked = t.maskHeader(name, value)
			}
			shown = append(shown, masked)
			if masked == value {
				curlHeaders = append(curlHeaders, ShellQuote(name+": "+value))
				continue
			}
			if t.view.Check != nil {
				if field, check, ok := t.view.Check(name, value); ok {
					if r.Checks == nil {
						r.Checks = map[string]string{}
					}
					r.Checks[field] = check
				}
			}
			curlHeaders = append(curlHeaders, t.curlSecret(req, body, name, value))
		}
		r.Headers[name] = strings.Join(shown, ", ")
		r.headerOrder = append(r.headerOrder, name)
	}
	shownBody := body
	if t.maskBody != nil && len(body) > 0 {
		if masked := t.maskBody(body); !sameJSON(masked, body) {
			shownBody, r.BodyMasked = masked, true
		}
	}
	r.Body = string(shownBody)
	if t.curl {
		r.Curl = curlCommand(req.Method, r.URL, curlHeaders, shownBody)
	}
	return r
}

// sameJSON reports whether masked is body itself, or body's JSON
// re-indented with sorted keys as a mask writes it: nothing was hidden, so
// the exact bytes can be shown.
func sameJSON(masked, body []byte) bool {
	if bytes.Equal(masked, body) {
		return true
	}
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.UseNumber()
	var doc any
	if decoder.Decode(&doc) != nil {
		return false
	}
	for _, indent := range []string{"    ", "  "} {
		if again, err := json.MarshalIndent(doc, "", indent); err == nil && bytes.Equal(bytes.TrimSpace(again), bytes.TrimSpace(masked)) {
			return true
		}
	}
	return false
}

// curlSecret is the shell word of a masked header in --curl output: the
// provider's, else "Name: $BOKUCTL_NAME" with the scheme kept
// ("Authorization: Bearer $BOKUCTL_AUTHORIZATION").
func (t *dryRunTransport) curlSecret(req *http.Request, body []byte, name, value string) string {
	if t.view.Curl != nil {
		if word, ok := t.view.Curl(req, body, name, value); ok {
			return word
		}
	}
	env := "BOKUCTL_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	scheme := ""
	if s, _, ok := strings.Cut(value, " "); ok && isToken(s) {
		scheme = s + " "
	}
	return `"` + name + ": " + scheme + "$" + env + `"`
}

// isToken reports whether s is a plain word (an auth scheme).
func isToken(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// curlCommand is one runnable curl command line.
func curlCommand(method, url string, headers []string, body []byte) string {
	var b strings.Builder
	b.WriteString("curl -sS -X " + ShellQuote(method) + " " + ShellQuote(url))
	for _, h := range headers {
		b.WriteString(" \\\n  -H " + h)
	}
	if len(body) > 0 {
		b.WriteString(" \\\n  --data-binary " + ShellQuote(string(body)))
	}
	return b.String()
}

// dryRunClient returns the transport of a dry run's client, when this is
// one.
func (f *Factory) dryRunClient(maskHeader func(name, value string) string, maskBody func([]byte) []byte, opts []ClientOption) (http.RoundTripper, bool) {
	if !f.DryRun {
		return nil, false
	}
	var o clientOptions
	for _, opt := range opts {
		opt(&o)
	}
	return &dryRunTransport{log: f.dryRunLog(), curl: f.Curl, maskHeader: maskHeader, maskBody: maskBody, view: o.view}, true
}

func (f *Factory) dryRunLog() *dryRunLog {
	if f.dryRun == nil {
		f.dryRun = &dryRunLog{}
	}
	return f.dryRun
}

// EndDryRun ends a dry run that ended with err: when a request was
// captured, it prints it and returns nil (exit 0); otherwise err stands
// (an input the command refused before building the request) or, for a
// command that sent nothing, a notice says so.
func (f *Factory) EndDryRun(err error) error {
	if !f.DryRun {
		return err
	}
	log := f.dryRunLog()
	log.mu.Lock()
	requests := append([]DryRunRequest(nil), log.requests...)
	result := DryRunResult{DryRun: true, Provider: log.provider, IdempotencyKey: log.key, Requests: requests}
	log.mu.Unlock()
	if len(requests) == 0 {
		if err == nil && f.Printer != nil {
			f.Printer.Notice("Dry run: this command sent no request to a provider.")
		}
		return err
	}
	if result.Provider == "" {
		result.Provider = f.Run.Provider
	}
	result.Profile, _, _ = f.ProfileName()
	result.Production = f.production != nil && f.production.marked
	if f.Printer == nil {
		return err
	}
	f.Printer.Notice("Dry run: nothing was sent, and the journal has no row for it.")
	if requests[0].BodyMasked {
		f.Printer.Notice("Dry run: the body is masked as --debug masks it (card data): replace the masked values before sending it yourself.")
	}
	if f.Printer.JSON() {
		return f.Printer.Print(result)
	}
	_, werr := io.WriteString(f.IO.Out, result.Text())
	return werr
}

// Text is the human form of a dry run: each request as an HTTP message
// (or its curl command with --curl), check values as # comments.
func (r DryRunResult) Text() string {
	var b strings.Builder
	for i, req := range r.Requests {
		if i > 0 {
			b.WriteString("\n")
		}
		if req.Curl != "" {
			b.WriteString(req.Curl + "\n")
			continue
		}
		fmt.Fprintf(&b, "%s %s\n", req.Method, req.URL)
		for _, name := range req.headerNames() {
			fmt.Fprintf(&b, "%s: %s\n", name, req.Headers[name])
		}
		checks := make([]string, 0, len(req.Checks))
		for field := range req.Checks {
			checks = append(checks, field)
		}
		sort.Strings(checks)
		for _, field := range checks {
			fmt.Fprintf(&b, "# %s: %s\n", field, req.Checks[field])
		}
		if req.Body != "" {
			b.WriteString("\n" + strings.TrimRight(req.Body, "\n") + "\n")
		}
	}
	return b.String()
}

func (r DryRunRequest) headerNames() []string {
	if len(r.headerOrder) == len(r.Headers) {
		return r.headerOrder
	}
	names := make([]string, 0, len(r.Headers))
	for name := range r.Headers {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// sendsAnnotation marks a command whose requests go to a provider.
const sendsAnnotation = "bokuctl/sends"

// MarkSends marks cmd, and the commands beneath it, as sending requests to
// a provider: --dry-run applies to them.
func MarkSends(cmd *cobra.Command) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[sendsAnnotation] = "true"
}

// CheckDryRun refuses --curl without --dry-run, and --dry-run on a command
// that sends nothing to a provider (it would do its work for real).
func CheckDryRun(f *Factory, cmd *cobra.Command) error {
	if f.Curl && !f.DryRun {
		return exitcode.New(exitcode.Usage, "--curl needs --dry-run").WithHint("run %s --dry-run --curl", cmd.CommandPath())
	}
	if !f.DryRun {
		return nil
	}
	for c := cmd; c != nil; c = c.Parent() {
		if c.Annotations[sendsAnnotation] != "" {
			return nil
		}
	}
	return exitcode.New(exitcode.Usage, "--dry-run does not apply to %s: it sends no request to a provider", cmd.CommandPath()).
		WithHint("--dry-run applies to the commands that send (charge, refund, forex, fund-check, optin, operation, methods, …); batch has its own --dry-run")
}
