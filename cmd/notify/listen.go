package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/pkg/atomicfile"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/bokunotify"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

type listenOptions struct {
	Addr, ForwardTo, URLFile string
}

func NewListenCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &listenOptions{}
	cmd := &cobra.Command{
		Use:   "listen [--addr 127.0.0.1:PORT] [--forward-to URL]",
		Short: "Receive Boku notifications, verify them, print and forward them",
		Long: `Run a receiver for Boku's notifications. Each request's signature is
checked with the profile's boku-key. A valid one is printed on stdout (a line
per event, or a JSON line with -o json) and, with --forward-to, POSTed on to
that URL with its original headers and body; then it is answered 200 with
the signed <notification-response> acknowledgement Boku expects. If the
forward fails, the acknowledgement says retriable, so Boku sends it again
later instead of the event being lost. Boku redelivers until acknowledged:
a notification seen before is acknowledged again but printed once. An
invalid one is answered 401 (400 if it is not a notification at all) and
logged on stderr. Ctrl-C stops it cleanly.

The signature covers the request path: give --forward-to the same path
Boku calls, so the application behind it can verify the signature too.`,
		Example: `  bokuctl listen --addr 127.0.0.1:8089 --forward-to http://127.0.0.1:3000/
  bokuctl listen -o json | jq .event_type`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runListen(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:8089", "address to listen on (port 0 picks a free one)")
	cmd.Flags().StringVar(&opts.ForwardTo, "forward-to", "", "URL to POST each verified notification to")
	cmd.Flags().StringVar(&opts.URLFile, "url-file", "", "write the listener's URL to this file once it accepts connections")
	return cmd
}

func runListen(ctx context.Context, f *cmdutil.Factory, opts *listenOptions) error {
	if _, _, err := net.SplitHostPort(opts.Addr); err != nil {
		return exitcode.New(exitcode.Usage, "--addr %q is not host:port", opts.Addr).WithHint("for example --addr 127.0.0.1:8089")
	}
	if opts.ForwardTo != "" {
		if u, err := url.Parse(opts.ForwardTo); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return exitcode.New(exitcode.Usage, "--forward-to %q is not an http(s) URL", opts.ForwardTo)
		}
	}
	keys, err := boku.NotifyKeys(ctx, f)
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return exitcode.New(exitcode.Usage, "cannot listen on %s: %v", opts.Addr, err)
	}
	base := "http://" + listener.Addr().String() + "/"
	if opts.URLFile != "" {
		if err := atomicfile.Write(opts.URLFile, []byte(base+"\n"), 0o644); err != nil {
			listener.Close()
			return err
		}
	}
	r := &receiver{f: f, keys: keys, forwardTo: opts.ForwardTo, client: f.HTTPClient(bokudirect.MaskHeader, nil)}
	server := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	f.Printer.Notice("Ready: receiving Boku notifications at %s (Ctrl-C to stop)", base)
	if opts.ForwardTo != "" {
		f.Printer.Notice("Forwarding verified notifications to %s", opts.ForwardTo)
	}
	done := make(chan error, 1)
	go func() { done <- server.Serve(listener) }()
	select {
	case err := <-done:
		return fmt.Errorf("listener stopped: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("stop listener: %w", err)
	}
	f.Printer.Notice("Stopped.")
	return nil
}

// receiver verifies, prints and forwards notifications.
type receiver struct {
	f         *cmdutil.Factory
	keys      bokunotify.Keys
	forwardTo string
	client    *http.Client
	// mu keeps output lines whole when requests arrive together, and
	// guards seen.
	mu sync.Mutex
	// seen holds the notifications already printed, so a redelivery is
	// acknowledged without printing it twice.
	seen map[string]bool
}

func (recv *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	req := bokunotify.FromHTTP(r, body)
	keys := recv.keys
	keys.Now = time.Now()
	event, err := bokunotify.Verify(req, keys)
	if err != nil {
		status := http.StatusBadRequest
		var invalid *bokunotify.InvalidError
		if errors.As(err, &invalid) {
			status = http.StatusUnauthorized
		}
		recv.log("Rejected a notification from %s (%d): %v", r.RemoteAddr, status, err)
		http.Error(w, err.Error(), status)
		return
	}
	if recv.firstTime(event) {
		recv.print(event)
	}
	delivered := true
	if recv.forwardTo != "" {
		delivered = recv.forward(r, body, event)
	}
	recv.acknowledge(w, !delivered)
}

// firstTime reports whether event has not been seen before (Boku
// redelivers a notification until it is acknowledged).
func (recv *receiver) firstTime(event *bokunotify.Event) bool {
	key := strings.Join([]string{event.EventType, event.ChargeID, event.RefundID, event.TransactionID, event.Status}, "\x00")
	recv.mu.Lock()
	defer recv.mu.Unlock()
	if recv.seen[key] {
		return false
	}
	if recv.seen == nil {
		recv.seen = map[string]bool{}
	}
	recv.seen[key] = true
	return true
}

// acknowledge answers 200 with Boku's <notification-response>, signed as
// Boku's own responses are (X-SignedResponse).
func (recv *receiver) acknowledge(w http.ResponseWriter, retriable bool) {
	body := bokunotify.Ack(retriable)
	params, err := sign.Sign(sign.Message{Headers: []sign.Header{{Name: "Content-Type", Value: bokudirect.ContentType}}, Body: body},
		recv.keys.Key, recv.keys.MerchantID, recv.keys.KeyID, []string{"Content-Type"}, time.Now())
	if err == nil {
		w.Header().Set("X-SignedResponse", params.String())
	}
	w.Header().Set("Content-Type", bokudirect.ContentType)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

func (recv *receiver) log(format string, args ...any) {
	recv.mu.Lock()
	defer recv.mu.Unlock()
	recv.f.Printer.Notice(format, args...)
}

func (recv *receiver) print(event *bokunotify.Event) {
	recv.mu.Lock()
	defer recv.mu.Unlock()
	if recv.f.Printer.JSON() {
		line, _ := json.Marshal(notifyResult{Valid: true, Event: event})
		fmt.Fprintf(recv.f.IO.Out, "%s\n", line)
		return
	}
	fmt.Fprintln(recv.f.IO.Out, eventLine(event))
}

// forward POSTs the original body with the original headers (less the
// hop-by-hop ones) to --forward-to, and reports whether the application
// took it (a 2xx answer).
func (recv *receiver) forward(r *http.Request, body []byte, event *bokunotify.Event) bool {
	req, err := http.NewRequest(http.MethodPost, recv.forwardTo, bytes.NewReader(body))
	if err != nil {
		recv.log("Could not forward %s: %v", eventName(event), err)
		return false
	}
	for name, values := range r.Header {
		switch strings.ToLower(name) {
		case "connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-authorization", "content-length":
			continue
		}
		req.Header[name] = append([]string(nil), values...)
	}
	resp, err := recv.client.Do(req)
	if err != nil {
		recv.log("Could not forward %s to %s: %v; asked Boku to retry", eventName(event), recv.forwardTo, err)
		return false
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		recv.log("Forwarded %s to %s: %s; asked Boku to retry", eventName(event), recv.forwardTo, resp.Status)
		return false
	}
	recv.log("Forwarded %s to %s: %s", eventName(event), recv.forwardTo, resp.Status)
	return true
}

// eventName is the id a log line names an event by.
func eventName(e *bokunotify.Event) string {
	for _, id := range []string{e.RefundID, e.ChargeID, e.TransactionID} {
		if id != "" {
			return id
		}
	}
	return "-"
}
