package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
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
	// AcceptUnsignedFrom are the networks whose unsigned notifications are
	// taken; AcceptUnsignedPublic allows ranges that are not loopback or
	// private.
	AcceptUnsignedFrom   []string
	AcceptUnsignedPublic bool
	// SeenFile records the notifications taken, across restarts.
	SeenFile string
}

// Server limits: a slow or idle client is dropped, so that many of them
// cannot exhaust the listener's file descriptors, and a body is bounded.
// Variables only so that the tests can shorten them.
var (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 60 * time.Second
)

const (
	maxHeaderBytes = 64 << 10
	maxBodyBytes   = 1 << 20
)

// bodies holds buffers that request bodies are read into, reused: nothing
// of a body is kept once it is answered (the event's fields are copies).
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody bounds the buffers kept for reuse.
const maxPooledBody = 64 << 10

// newServer is the listener's HTTP server with its limits.
func newServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
		WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes}
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
a notification seen before is acknowledged again but printed once.

A refused notification is also answered 200 with a <notification-response>,
an ERROR result, reason 43, and logged on stderr. retriable follows the
cause: true for a missing or failing signature (wrong key, key id or
clock: fix the profile and Boku's retries, for 24 hours, get through),
false for a body that is not a valid notification or is for another
merchant (the same bytes would fail again). Ctrl-C stops it cleanly.

Inferred: that Boku signs notifications like a request (Authorization,
2/HMAC_SHA256) is not published; Boku's own Postman collection sends them
unsigned. For a setup that needs it, --accept-unsigned-from CIDR takes
unsigned Boku 3.0 notifications from those addresses only (the peer
address of the connection; no proxy header is trusted). Loopback and
private ranges are allowed; any other range also needs
--accept-unsigned-public. Either is announced on stderr at start.

Slow clients are dropped (10 s for headers, 30 s for the request) and a
body is at most 1 MiB. The notifications taken are recorded in
listen-seen.json beside the journal (--seen-file), kept 25 hours (legacy
billingresult, which has no timestamp: 30 days), so a replay after a
restart is acknowledged, not forwarded again.

The legacy billingresult sig check is inferred too: solitude never checked
it (docs/boku.md).

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
	cmd.Flags().StringSliceVar(&opts.AcceptUnsignedFrom, "accept-unsigned-from", nil, "accept UNSIGNED Boku 3.0 notifications from this CIDR or address (repeatable; loopback or private unless --accept-unsigned-public)")
	cmd.Flags().StringVar(&opts.SeenFile, "seen-file", "", "file recording the notifications taken, so a replay after a restart is not forwarded again (default: listen-seen.json beside the journal; off: memory only)")
	cmd.Flags().BoolVar(&opts.AcceptUnsignedPublic, "accept-unsigned-public", false, "allow --accept-unsigned-from ranges that are not loopback or private")
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
	trusted, err := unsignedNetworks(opts.AcceptUnsignedFrom, opts.AcceptUnsignedPublic)
	if err != nil {
		return err
	}
	keys, err := boku.NotifyKeys(ctx, f)
	if err != nil {
		return err
	}
	seenPath := opts.SeenFile
	if seenPath == "" {
		journalPath, err := f.JournalPath()
		if err != nil {
			return err
		}
		if journalPath != "off" {
			dir, _ := f.JournalDir() // a team journal's: the local state folder
			seenPath = filepath.Join(dir, "listen-seen.json")
		}
	}
	if seenPath == "off" {
		seenPath = ""
	}
	seen, err := openSeen(seenPath, time.Now())
	if err != nil {
		return exitcode.New(exitcode.Usage, "listen record: %v", err)
	}
	defer seen.close()
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
	r := newReceiver(f, keys, opts.ForwardTo, f.HTTPClient(bokudirect.MaskHeader, nil), trusted, seen)
	server := newServer(r)
	f.Printer.Notice("Ready: receiving Boku notifications at %s (Ctrl-C to stop)", base)
	if opts.ForwardTo != "" {
		f.Printer.Notice("Forwarding verified notifications to %s", opts.ForwardTo)
	}
	for _, n := range trusted {
		f.Printer.Notice("WARNING: accepting UNSIGNED notifications from %s: anyone who can connect from there can forge one", n)
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
	// unsignedFrom are the networks whose unsigned notifications are taken.
	unsignedFrom []netip.Prefix
	// mu keeps output lines whole when requests arrive together; it
	// guards line, the buffer a JSON line is written from.
	mu   sync.Mutex
	line []byte
	// seenMu guards seen, the notifications already taken (persisted), so
	// a redelivery or a replay, even after a restart, is acknowledged
	// without printing it twice or forwarding it again once delivered.
	seenMu sync.Mutex
	seen   *seenStore
	// ack and retry are the acknowledgements, OK and retriable.
	ack, retry signedAnswer
}

// signedAnswer is a fixed answer body and its X-SignedResponse value. A
// signature covers the body and its timestamp, in whole seconds, so it is
// kept for the second it was made in and made again in the next.
type signedAnswer struct {
	body   []byte
	signed atomic.Pointer[answerSignature]
}

type answerSignature struct {
	unix   int64
	header string
	ok     bool
}

func newReceiver(f *cmdutil.Factory, keys bokunotify.Keys, forwardTo string, client *http.Client, unsignedFrom []netip.Prefix, seen *seenStore) *receiver {
	keys.Keyed = sign.NewKeyed(keys.Key)
	recv := &receiver{f: f, keys: keys, forwardTo: forwardTo, client: client, unsignedFrom: unsignedFrom, seen: seen}
	recv.ack.body, recv.retry.body = bokunotify.Ack(false), bokunotify.Ack(true)
	return recv
}

func (recv *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	buf := bodies.Get().(*bytes.Buffer)
	buf.Reset()
	// A forward's client may still read the body after it answers: then
	// the buffer is left to the garbage collector, not reused.
	if recv.forwardTo == "" {
		defer func() {
			if buf.Cap() <= maxPooledBody {
				bodies.Put(buf)
			}
		}()
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	body := buf.Bytes()
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			recv.log("Rejected a notification from %s (reason 43, retriable false): body larger than %d bytes", r.RemoteAddr, maxBodyBytes)
			recv.answer(w, bokunotify.Rejection{ReasonCode: bokunotify.ReasonInvalid, Message: "Invalid request: body too large", Retriable: false}.Body())
			return
		}
		recv.log("Dropped a request from %s: cannot read its body: %v", r.RemoteAddr, err)
		return
	}
	req := bokunotify.FromHTTP(r, body)
	keys := recv.keys
	keys.Now = time.Now()
	event, err := bokunotify.Verify(req, keys)
	var unsigned *bokunotify.UnsignedError
	if errors.As(err, &unsigned) && recv.trusted(r.RemoteAddr) {
		event, err = bokunotify.ParseUnsigned(req, keys)
	}
	if err != nil {
		rejection := bokunotify.Reject(err)
		recv.log("Rejected a notification from %s (reason %d, retriable %t): %v", r.RemoteAddr, rejection.ReasonCode, rejection.Retriable, err)
		recv.answer(w, rejection.Body())
		return
	}
	key := strings.Join([]string{event.EventType, event.ChargeID, event.RefundID, event.TransactionID, event.Status}, "\x00")
	recv.seenMu.Lock()
	entry, known := recv.seen.get(key)
	if !known {
		// With nothing to forward, taking it is delivering it: one record.
		entry = seenEntry{At: time.Now().Unix(), Legacy: event.Scheme == "legacy-md5-sig", Delivered: recv.forwardTo == ""}
		recv.record(key, entry)
	}
	recv.seenMu.Unlock()
	if !known {
		recv.print(event)
	}
	if known && entry.Delivered {
		recv.log("Acknowledged %s again: already delivered", eventName(event))
		recv.acknowledge(w, false)
		return
	}
	delivered := true
	if recv.forwardTo != "" {
		delivered = recv.forward(r, body, event)
	}
	if delivered && !entry.Delivered {
		recv.seenMu.Lock()
		entry.Delivered = true
		recv.record(key, entry)
		recv.seenMu.Unlock()
	}
	recv.acknowledge(w, !delivered)
}

// record saves an entry of the seen store; a failure to save is logged,
// the notification is still handled (the record is a guard, not the
// event's only copy).
func (recv *receiver) record(key string, entry seenEntry) {
	if err := recv.seen.put(key, entry, time.Now()); err != nil {
		recv.log("Could not save the listen record: %v", err)
	}
}

// acknowledge answers 200 with Boku's <notification-response>, signed as
// Boku's own responses are (X-SignedResponse).
func (recv *receiver) acknowledge(w http.ResponseWriter, retriable bool) {
	a := &recv.ack
	if retriable {
		a = &recv.retry
	}
	now := time.Now()
	sig := a.signed.Load()
	if sig == nil || sig.unix != now.Unix() {
		sig = &answerSignature{unix: now.Unix()}
		sig.header, sig.ok = recv.signAnswer(a.body, now)
		a.signed.Store(sig)
	}
	writeAnswer(w, a.body, sig.header, sig.ok)
}

// answer sends a <notification-response>, signed, with HTTP 200: Boku
// reads the result inside, and the spec documents no other status.
func (recv *receiver) answer(w http.ResponseWriter, body []byte) {
	header, ok := recv.signAnswer(body, time.Now())
	writeAnswer(w, body, header, ok)
}

// signAnswer is the X-SignedResponse value of an answer body sent at t.
func (recv *receiver) signAnswer(body []byte, t time.Time) (string, bool) {
	params, err := sign.Sign(sign.Message{Headers: []sign.Header{{Name: "Content-Type", Value: bokudirect.ContentType}}, Body: body},
		recv.keys.Key, recv.keys.MerchantID, recv.keys.KeyID, []string{"Content-Type"}, t)
	if err != nil {
		return "", false
	}
	return params.String(), true
}

func writeAnswer(w http.ResponseWriter, body []byte, signature string, signed bool) {
	if signed {
		w.Header().Set("X-SignedResponse", signature)
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
		recv.line = append(appendEventJSON(recv.line[:0], event), '\n')
		recv.f.IO.Out.Write(recv.line)
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

// trusted reports whether remoteAddr is in an --accept-unsigned-from network.
func (recv *receiver) trusted(remoteAddr string) bool {
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return false
	}
	addr := ap.Addr().Unmap()
	for _, n := range recv.unsignedFrom {
		if n.Contains(addr) {
			return true
		}
	}
	return false
}

// unsignedNetworks parses --accept-unsigned-from: CIDRs or single
// addresses, refusing a range that is not wholly loopback or private
// unless public is set.
func unsignedNetworks(values []string, public bool) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range values {
		v = strings.TrimSpace(v)
		prefix, err := netip.ParsePrefix(v)
		if err != nil {
			addr, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return nil, exitcode.New(exitcode.Usage, "--accept-unsigned-from %q is not a CIDR or an IP address", v).WithHint("for example --accept-unsigned-from 10.0.0.0/8")
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		prefix = netip.PrefixFrom(prefix.Addr().Unmap(), prefix.Bits()-unmapBits(prefix)).Masked()
		if !public && !privateRange(prefix) {
			return nil, exitcode.New(exitcode.Usage, "--accept-unsigned-from %s is not a loopback or private range: anyone there could forge notifications", prefix).
				WithHint("give --accept-unsigned-public as well if this network is trusted")
		}
		out = append(out, prefix)
	}
	return out, nil
}

// unmapBits is how many bits an IPv4-mapped IPv6 prefix loses when unmapped.
func unmapBits(p netip.Prefix) int {
	if p.Addr().Is4In6() {
		return 96
	}
	return 0
}

// privateRange reports whether every address of p is loopback or private
// (RFC 1918, RFC 4193).
func privateRange(p netip.Prefix) bool {
	first := p.Masked().Addr()
	if !first.IsLoopback() && !first.IsPrivate() {
		return false
	}
	for _, r := range []string{"127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7"} {
		n := netip.MustParsePrefix(r)
		if n.Bits() <= p.Bits() && n.Contains(first) {
			return true
		}
	}
	return false
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
