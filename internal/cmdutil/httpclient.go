package cmdutil

import (
	"net"
	"net/http"
	"time"

	"github.com/bokuctl/bokuctl/pkg/httplog"
)

// connectTimeout bounds TCP connection set-up; --timeout bounds the rest.
const connectTimeout = 5 * time.Second

// NewTransport is the HTTP transport of a run: proxy from the environment
// and a connect timeout. A batch shares one, keeping enough idle
// connections for its workers.
func NewTransport() *http.Transport {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = http.ProxyFromEnvironment
	transport.DialContext = (&net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}).DialContext
	transport.MaxIdleConnsPerHost = 64
	return transport
}

// HTTPClient is the client every provider uses: proxy from the
// environment, a connect timeout, --timeout for the whole exchange, and the
// masked debug log with --debug.
func (f *Factory) HTTPClient(maskHeader func(name, value string) string, maskBody func([]byte) []byte) *http.Client {
	var transport http.RoundTripper
	if f.shared != nil && f.shared.transport != nil {
		transport = f.shared.transport
	} else {
		transport = NewTransport()
	}
	rt := transport
	if f.Debug {
		rt = &httplog.Transport{Base: transport, Out: f.IO.ErrOut, MaskHeader: maskHeader, MaskBody: maskBody, Now: time.Now}
	}
	return &http.Client{Transport: rt, Timeout: f.Timeout}
}
