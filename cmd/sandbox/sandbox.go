// Package sandbox is `bokuctl sandbox`: serve the fakes of internal/sandbox
// on loopback, and the demo that walks every provider's main flow through
// the root's Run, which the root passes in.
package sandbox

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/sandbox"
	"github.com/bokuctl/bokuctl/pkg/atomicfile"
	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

func NewCmd(f *cmdutil.Factory, run RunFunc) *cobra.Command {
	return cmdutil.WithExample(cmdutil.GroupCmd("sandbox", "Run fake Boku, Worldline and Ottu servers locally: try every command with no account",
		newSandboxServeCmd(f),
		newSandboxDemoCmd(f, run),
	), `  bokuctl sandbox demo
  bokuctl sandbox serve --state sandbox.json &     # writes the profile "sandbox"
  bokuctl -p sandbox optin begin --payment-method superwallet --forward-url https://shop.example/optin/done`)
}

// sandboxResult describes a running sandbox.
type sandboxResult struct {
	BaseURL           string `json:"base_url"`
	BokuURL           string `json:"boku_url"`
	WorldlineAPIURL   string `json:"worldline_api_url"`
	WorldlineTokenURL string `json:"worldline_token_url"`
	OttuURL           string `json:"ottu_url"`
	Profile           string `json:"profile"`
	StateFile         string `json:"state_file,omitempty"`
}

func (r sandboxResult) Table() output.Table {
	t := output.Table{Fields: []output.Field{
		{Label: "Boku", Value: output.Text(r.BokuURL)},
		{Label: "Worldline API", Value: output.Text(r.WorldlineAPIURL)},
		{Label: "Worldline token", Value: output.Text(r.WorldlineTokenURL)},
		{Label: "Ottu", Value: output.Text(r.OttuURL)},
		{Label: "Profile", Value: output.Text(r.Profile)},
	}}
	t.Add("State file", r.StateFile)
	return t
}

func newSandboxResult(base, profile, state string) sandboxResult {
	return sandboxResult{BaseURL: base, BokuURL: base + "/boku/{country}", WorldlineAPIURL: base, WorldlineTokenURL: base + "/connect/token",
		OttuURL: base, Profile: profile, StateFile: state}
}

type sandboxServeOptions struct {
	Addr, State, ProfileName, NotifyURL, ReadyFile string
	ListenAny                                      bool
}

func newSandboxServeCmd(f *cmdutil.Factory) *cobra.Command {
	o := &sandboxServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:0] [--state FILE]",
		Short: "Serve the fake providers and point a profile named sandbox at them",
		Long: `Serve fake Boku, Worldline (API and token endpoint) and Ottu on one loopback
address, and write a profile (default "sandbox") whose settings point at it,
whose credentials are the sandbox's public ones, built in: no keyring or
secret is needed. Then, in
another terminal: bokuctl -p sandbox optin begin --payment-method superwallet --forward-url https://shop.example/optin/done.

State is kept in memory; with --state FILE it is loaded from that file and
each request that changes something appends what it changed (a JSON line
after a snapshot, compacted atomically now and then and at a clean stop), so
an opt-in made in one run can be charged in the next, at a cost that does
not grow with the state. Ctrl-C or SIGTERM stops it cleanly. Magic values that trigger
declines and faults are listed in docs/sandbox.md.`,
		Example: `  bokuctl sandbox serve &
  bokuctl -p sandbox optin begin --payment-method superwallet --forward-url https://shop.example/optin/done`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSandboxServe(cmd.Context(), f, o)
		},
	}
	cmd.Flags().StringVar(&o.Addr, "addr", "127.0.0.1:0", "address to listen on (port 0 picks a free one)")
	cmd.Flags().BoolVar(&o.ListenAny, "listen-any", false, "allow a non-loopback address (the sandbox has public credentials)")
	cmd.Flags().StringVar(&o.State, "state", "", "load the fakes' state from this file and append every change to it")
	cmd.Flags().StringVar(&o.ProfileName, "profile-name", sandbox.DefaultProfileName, "profile to write for the sandbox")
	cmd.Flags().StringVar(&o.NotifyURL, "notify-url", "", "send the fake Boku's signed notifications here (e.g. to bokuctl listen)")
	cmd.Flags().StringVar(&o.ReadyFile, "ready-file", "", "write the base URL to this file once serving")
	return cmd
}

func runSandboxServe(ctx context.Context, f *cmdutil.Factory, o *sandboxServeOptions) error {
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return exitcode.New(exitcode.Usage, "--addr %q is not host:port", o.Addr)
	}
	if !o.ListenAny && !config.LoopbackHost(host) {
		return exitcode.New(exitcode.Usage, "--addr %s is not a loopback address", o.Addr).
			WithHint("the sandbox has public credentials; use 127.0.0.1, or pass --listen-any if you really mean it")
	}
	if err := config.ValidateProfileName(o.ProfileName); err != nil {
		return err
	}
	sb, err := sandbox.New(o.State)
	if err != nil {
		return exitcode.New(exitcode.Usage, "%v", err)
	}
	listener, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return exitcode.New(exitcode.Usage, "cannot listen on %s: %v", o.Addr, err)
	}
	base := "http://" + listener.Addr().String()
	if o.NotifyURL != "" {
		sb.Boku.SetCallbackURL(sandbox.BokuMerchantID, o.NotifyURL)
	}
	if err := installSandboxProfile(ctx, f, o.ProfileName, base); err != nil {
		listener.Close()
		return err
	}
	server := &http.Server{Handler: logRequests(f, sb), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- server.Serve(listener) }()
	if err := f.Printer.Print(newSandboxResult(base, o.ProfileName, o.State)); err != nil {
		return err
	}
	if o.ReadyFile != "" {
		if err := atomicfile.Write(o.ReadyFile, []byte(base+"\n"), 0o644); err != nil {
			return err
		}
	}
	f.Printer.Notice("Sandbox ready at %s. Try: bokuctl -p %s optin begin --payment-method superwallet --forward-url https://shop.example/optin/done (Ctrl-C to stop)", base, o.ProfileName)
	select {
	case err := <-done:
		return fmt.Errorf("sandbox stopped: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cut := false
	if err := server.Shutdown(shutdown); errors.Is(err, context.DeadlineExceeded) {
		// A request still held after the grace period (charge amount
		// 14.14 holds its answer) is cut off: its client sees no
		// answer, as from a provider that went away mid-call.
		cut = true
		server.Close()
	} else if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("stop sandbox: %w", err)
	}
	if err := sb.Save(); err != nil {
		return err
	}
	if cut {
		f.Printer.Notice("Sandbox stopped; the requests still in flight after 5 s were cut off (their clients got no answer).")
		return nil
	}
	f.Printer.Notice("Sandbox stopped.")
	return nil
}

// logRequests writes one stderr line per request.
func logRequests(f *cmdutil.Factory, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r)
		f.Printer.Notice("sandbox: %s %s %d (%s)", r.Method, r.URL.Path, rec.status, time.Since(start).Round(time.Millisecond))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(status int) {
	s.status = status
	s.ResponseWriter.WriteHeader(status)
}

// Hijack lets the fakes drop connections through the recorder.
func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hijack not supported")
	}
	return hj.Hijack()
}

// installSandboxProfile writes (or overwrites) the sandbox profile. Its
// credentials are public and built in (setting sandbox=true): no secret
// store is needed, so it works on a machine without a keyring.
func installSandboxProfile(ctx context.Context, f *cmdutil.Factory, name, base string) error {
	file, err := f.Config()
	if err != nil {
		return err
	}
	if err := file.Update(func(file *config.File) error {
		file.Profiles[name] = config.Profile(sandbox.Settings(base))
		if file.CurrentProfile == "" {
			file.CurrentProfile = name
		}
		return nil
	}); err != nil {
		return err
	}
	f.Printer.Notice("Wrote profile %q to %s; its credentials are the sandbox's public ones, built in: no secret store is needed.", name, file.Path)
	return nil
}
