// Package httplog is an http.RoundTripper that writes each request and
// response to a debug log, with secrets masked by rules the caller gives.
package httplog

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Transport logs every exchange to Out and passes it to Base.
type Transport struct {
	Base http.RoundTripper
	Out  io.Writer
	// MaskHeader returns the value to log for a header.
	MaskHeader func(name, value string) string
	// MaskBody returns the body to log.
	MaskBody func(body []byte) []byte
	// Now is the clock, for durations.
	Now func() time.Time
	// MaxBody is the most of a body that is logged (and held for the
	// log); 0 is DefaultMaxBody. A longer body is logged as its first
	// MaxBody bytes and its size; the reader still gets all of it.
	MaxBody int
}

// DefaultMaxBody is the most of each body logged unless MaxBody says
// otherwise: 64 KiB.
const DefaultMaxBody = 64 << 10

func (t *Transport) maxBody() int {
	if t.MaxBody > 0 {
		return t.MaxBody
	}
	return DefaultMaxBody
}

// RoundTrip logs the request, sends it, and logs the response.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var (
		reqBody  []byte
		reqTotal int64 = -1
	)
	if req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			reqBody, _ = io.ReadAll(io.LimitReader(body, int64(t.maxBody())+1))
			if len(reqBody) > t.maxBody() {
				reqTotal = req.ContentLength
			}
			body.Close()
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", req.Method, req.URL.Redacted())
	t.headers(&b, ">", req.Header)
	t.body(&b, ">", reqBody, reqTotal)
	io.WriteString(t.Out, b.String())

	start := t.Now()
	resp, err := t.Base.RoundTrip(req)
	// Always whole milliseconds: "0ms" for a fast loopback answer, never "0s".
	elapsed := fmt.Sprintf("%dms", t.Now().Sub(start).Milliseconds())
	b.Reset()
	if err != nil {
		fmt.Fprintf(&b, "< error after %s: %v\n\n", elapsed, err)
		io.WriteString(t.Out, b.String())
		return nil, err
	}
	// Hold at most MaxBody+1 bytes (decompressed, when the transport
	// unzips): a longer body is logged as a prefix, and the caller reads
	// the prefix and then the rest from the connection.
	respBody, readErr := io.ReadAll(io.LimitReader(resp.Body, int64(t.maxBody())+1))
	var respTotal int64 = -1
	switch {
	case readErr != nil:
		resp.Body.Close()
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(respBody), errReader{readErr}))
	case len(respBody) > t.maxBody():
		respTotal = resp.ContentLength
		resp.Body = prefixedBody{io.MultiReader(bytes.NewReader(respBody), resp.Body), resp.Body}
	default:
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(respBody))
	}
	fmt.Fprintf(&b, "< %s (%s)\n", resp.Status, elapsed)
	t.headers(&b, "<", resp.Header)
	t.body(&b, "<", respBody, respTotal)
	if readErr != nil {
		fmt.Fprintf(&b, "< body read error: %v\n", readErr)
	}
	b.WriteString("\n")
	io.WriteString(t.Out, b.String())
	return resp, nil
}

type errReader struct{ err error }

// prefixedBody is a body whose first bytes were read for the log.
type prefixedBody struct {
	io.Reader
	io.Closer
}

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func (t *Transport) headers(b *strings.Builder, dir string, h http.Header) {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range h[name] {
			if t.MaskHeader != nil {
				v = t.MaskHeader(name, v)
			}
			fmt.Fprintf(b, "%s %s: %s\n", dir, name, v)
		}
	}
}

// body logs body. A body longer than MaxBody (body holds MaxBody+1 bytes
// of it) is logged as its first MaxBody bytes and its size, total when
// known (-1 when not); with MaskBody it is not shown at all, since a
// prefix cannot be masked reliably (a cut JSON document does not parse).
func (t *Transport) body(b *strings.Builder, dir string, body []byte, total int64) {
	if len(body) == 0 {
		return
	}
	if limit := t.maxBody(); len(body) > limit {
		size := fmt.Sprintf("more than %d bytes", limit)
		if total >= 0 {
			size = fmt.Sprintf("%d bytes", total)
		}
		if t.MaskBody != nil {
			fmt.Fprintf(b, "%s [body of %s not logged: over the %d-byte debug limit, and only a whole body can be masked]\n", dir, size, limit)
			return
		}
		body = body[:limit]
		defer fmt.Fprintf(b, "%s [body truncated: first %d of %s logged]\n", dir, limit, size)
	}
	if t.MaskBody != nil {
		body = t.MaskBody(body)
	}
	for _, line := range strings.Split(strings.TrimRight(string(body), "\n"), "\n") {
		fmt.Fprintf(b, "%s %s\n", dir, line)
	}
}
