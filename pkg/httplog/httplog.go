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
}

// RoundTrip logs the request, sends it, and logs the response.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			reqBody, _ = io.ReadAll(body)
			body.Close()
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", req.Method, req.URL.Redacted())
	t.headers(&b, ">", req.Header)
	t.body(&b, ">", reqBody)
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
	respBody, readErr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	fmt.Fprintf(&b, "< %s (%s)\n", resp.Status, elapsed)
	t.headers(&b, "<", resp.Header)
	t.body(&b, "<", respBody)
	if readErr != nil {
		fmt.Fprintf(&b, "< body read error: %v\n", readErr)
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(respBody), errReader{readErr}))
	}
	b.WriteString("\n")
	io.WriteString(t.Out, b.String())
	return resp, nil
}

type errReader struct{ err error }

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

func (t *Transport) body(b *strings.Builder, dir string, body []byte) {
	if len(body) == 0 {
		return
	}
	if t.MaskBody != nil {
		body = t.MaskBody(body)
	}
	for _, line := range strings.Split(strings.TrimRight(string(body), "\n"), "\n") {
		fmt.Fprintf(b, "%s %s\n", dir, line)
	}
}
