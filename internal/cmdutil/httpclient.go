package cmdutil

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bokuctl/bokuctl/pkg/httplog"
)

// connectTimeout bounds TCP connection set-up; --timeout bounds the rest.
const connectTimeout = 5 * time.Second

// NewTransport is the HTTP transport of a run: proxy from the environment
// and a connect timeout. A batch shares one, keeping enough idle
// connections for its workers.
func NewTransport() *http.Transport {
	return NewTransportWith(TransportOptions{ConnectTimeout: connectTimeout})
}

// TransportOptions are a provider's own transport settings (Worldline's
// connect and socket timeouts, connection limit and proxy).
type TransportOptions struct {
	// ConnectTimeout bounds TCP connection set-up; 0 is none.
	ConnectTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for the answer's headers
	// once the request is written; 0 is none (--timeout still applies).
	ResponseHeaderTimeout time.Duration
	// MaxConnsPerHost limits the connections to one host, open and
	// idle; 0 keeps the default (no limit, 64 idle).
	MaxConnsPerHost int
	// Proxy, when set, carries every request (user info in it becomes
	// Proxy-Authorization), except to hosts NoProxy matches. When nil,
	// HTTPS_PROXY, HTTP_PROXY and NO_PROXY decide.
	Proxy   *url.URL
	NoProxy string
}

// NewTransportWith is NewTransport with a provider's own settings.
func NewTransportWith(o TransportOptions) *http.Transport {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = http.ProxyFromEnvironment
	if o.Proxy != nil {
		proxy, noProxy := o.Proxy, o.NoProxy
		transport.Proxy = func(r *http.Request) (*url.URL, error) {
			if MatchNoProxy(noProxy, r.URL) {
				return nil, nil
			}
			return proxy, nil
		}
	}
	transport.DialContext = (&net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext
	// TLS 1.2 at least with every provider, whatever Go's default becomes.
	transport.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	transport.ResponseHeaderTimeout = o.ResponseHeaderTimeout
	transport.MaxIdleConnsPerHost = 64
	if o.MaxConnsPerHost > 0 {
		transport.MaxConnsPerHost = o.MaxConnsPerHost
		transport.MaxIdleConnsPerHost = o.MaxConnsPerHost
	}
	return transport
}

// MatchNoProxy reports whether NO_PROXY (comma- or space-separated) exempts
// u from the proxy: "*" exempts every host; an IP address or CIDR range
// its addresses; a name ("example.com" or ".example.com") the host and its
// subdomains; an entry with ":port" only that port. Unlike Go's
// ProxyFromEnvironment, loopback is not exempt by itself: a proxy set in
// the profile was asked for.
func MatchNoProxy(noProxy string, u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	ip := net.ParseIP(host)
	for _, entry := range strings.FieldsFunc(strings.ToLower(noProxy), func(r rune) bool { return r == ',' || r == ' ' }) {
		if entry == "*" {
			return true
		}
		if _, cidr, err := net.ParseCIDR(entry); err == nil {
			if ip != nil && cidr.Contains(ip) {
				return true
			}
			continue
		}
		entryHost, entryPort := entry, ""
		if h, p, err := net.SplitHostPort(entry); err == nil {
			entryHost, entryPort = h, p
		}
		if entryPort != "" && entryPort != port {
			continue
		}
		entryHost = strings.Trim(entryHost, "[]")
		if entryIP := net.ParseIP(entryHost); entryIP != nil {
			if ip != nil && entryIP.Equal(ip) {
				return true
			}
			continue
		}
		entryHost = strings.TrimPrefix(strings.TrimPrefix(entryHost, "*"), ".")
		if entryHost != "" && (host == entryHost || strings.HasSuffix(host, "."+entryHost)) {
			return true
		}
	}
	return false
}

// HTTPClient is the client every provider uses: proxy from the
// environment, a connect timeout, --timeout for the whole exchange, and the
// masked debug log with --debug. In a dry run its last transport captures
// the request instead of sending it (dryrun.go); opts say how it is shown.
func (f *Factory) HTTPClient(maskHeader func(name, value string) string, maskBody func([]byte) []byte, opts ...ClientOption) *http.Client {
	var transport http.RoundTripper
	if dry, ok := f.dryRunClient(maskHeader, maskBody, opts); ok {
		transport = dry
	} else if f.shared != nil && f.shared.transport != nil {
		transport = f.shared.transport
	} else {
		transport = NewTransport()
	}
	rt := transport
	if f.Debug {
		rt = &httplog.Transport{Base: transport, Out: f.debugOut(), MaskHeader: maskHeader, MaskBody: maskBody, Now: time.Now}
	}
	return &http.Client{Transport: rt, Timeout: f.Timeout, CheckRedirect: noRedirects}
}

// HTTPClientWith is HTTPClient over a transport of its own, built with
// opts. A caller in a batch builds it once per batch (see Memo); a
// validation pass keeps its refusing transport.
func (f *Factory) HTTPClientWith(opts TransportOptions, maskHeader func(name, value string) string, maskBody func([]byte) []byte, clientOpts ...ClientOption) *http.Client {
	var transport http.RoundTripper = NewTransportWith(opts)
	if dry, ok := f.dryRunClient(maskHeader, maskBody, clientOpts); ok {
		transport = dry
	} else if f.shared != nil {
		if refusing, ok := f.shared.transport.(RefusingTransport); ok {
			transport = refusing
		}
	}
	rt := transport
	if f.Debug {
		rt = &httplog.Transport{Base: transport, Out: f.debugOut(), MaskHeader: maskHeader, MaskBody: maskBody, Now: time.Now}
	}
	return &http.Client{Transport: rt, Timeout: f.Timeout, CheckRedirect: noRedirects}
}

// noRedirects is every provider client's CheckRedirect: a 3xx is the
// answer, never followed, so no body, card number, secret or
// Authorization header is resent to where it points.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// debugOut is where --debug logs go: DebugOut when set (a batch's stderr,
// shared by its rows), else this run's stderr.
func (f *Factory) debugOut() io.Writer {
	if f.DebugOut != nil {
		return f.DebugOut
	}
	return f.IO.ErrOut
}

// SyncWriter serializes writes to W, for a log many goroutines share.
type SyncWriter struct {
	mu sync.Mutex
	W  io.Writer
}

func (s *SyncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.W.Write(b)
}
