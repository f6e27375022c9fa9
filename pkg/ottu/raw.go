package ottu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/outcome"
)

// RawResponse is Ottu's answer to a Raw call.
type RawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// UnknownOutcomeError is a request that can change state which was
// written, with no usable answer: it may or may not have been processed.
type UnknownOutcomeError struct {
	Path   string
	Status int
	Err    error
}

func (e *UnknownOutcomeError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("ottu %s: the request was sent but no answer came back (%v); it may or may not have been processed", e.Path, e.Err)
	}
	return fmt.Sprintf("ottu %s: the request was sent but the answer was HTTP %d; it may or may not have been processed", e.Path, e.Status)
}

func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// ExitCode is 5.
func (e *UnknownOutcomeError) ExitCode() exitcode.Code { return exitcode.UnknownOutcome }

// Raw sends body (JSON, or nil) with method to path (with its query)
// under the base URL, with the client's Authorization and the extra
// headers header, never following a redirect. mutation says whether a
// lost answer, a 5xx or a 2xx that is not JSON leaves the outcome
// unknown (*UnknownOutcomeError); otherwise the errors are List's. The
// response comes back whenever Ottu answered, also with an error.
func (c *Client) Raw(ctx context.Context, method, path string, body []byte, header http.Header, mutation bool) (*RawResponse, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, reader)
	if err != nil {
		return nil, err
	}
	for name, values := range header {
		req.Header[http.CanonicalHeaderKey(name)] = append([]string(nil), values...)
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", c.Auth.header())
	client := http.DefaultClient
	if c.HTTPClient != nil {
		client = c.HTTPClient
	}
	noRedirects := *client
	noRedirects.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	tracked, sent := outcome.Track(ctx)
	httpResp, err := noRedirects.Do(req.WithContext(tracked))
	if err != nil {
		if outcome.Unknown(sent.Written(), mutation, err) {
			return nil, &UnknownOutcomeError{Path: path, Err: err}
		}
		return nil, &UnavailableError{Err: err}
	}
	defer httpResp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(httpResp.Body, 4<<20))
	if err != nil {
		if mutation {
			return nil, &UnknownOutcomeError{Path: path, Err: err}
		}
		return nil, &UnavailableError{Err: err}
	}
	resp := &RawResponse{Status: httpResp.StatusCode, Header: httpResp.Header, Body: data}
	status := httpResp.StatusCode
	switch {
	case status >= 300 && status <= 399:
		return resp, &RedirectError{Status: status, Location: httpResp.Header.Get("Location")}
	case mutation && status >= 500:
		return resp, &UnknownOutcomeError{Path: path, Status: status}
	case status < 200 || status > 299:
		e := newAPIError(status, httpResp.Header.Get("Retry-After"), data).(*APIError)
		e.Path = path
		return resp, e
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return resp, nil
	}
	var bad error
	if mediaType, _, _ := mime.ParseMediaType(httpResp.Header.Get("Content-Type")); mediaType != "application/json" {
		bad = fmt.Errorf("the answer is %q, not JSON", httpResp.Header.Get("Content-Type"))
	} else if !json.Valid(data) {
		bad = errors.New("the answer is not valid JSON")
	}
	switch {
	case bad != nil && mutation:
		return resp, &UnknownOutcomeError{Path: path, Err: bad}
	case bad != nil:
		return resp, &MalformedError{Err: bad}
	}
	return resp, nil
}
