// Package bokudirect is a client for Boku Direct Payments 3.0 as Boku's
// published OpenAPI spec defines it: signed XML over HTTPS, decimal
// major-unit amounts, <result status="OK|ERROR"> with Boku's reason codes,
// query answers wrapped in <charges>/<refunds>, the hosted opt-in flow
// (optin → validate-optin → confirm-optin) and reverse-charge keyed by the
// original charge's merchant-request-id.
//
// Every request is signed and every 200 must carry a valid
// X-SignedResponse (package sign). Every call that changes state carries
// the caller's merchant-request-id, Boku's idempotency key, so resending
// it never charges twice. When a request was written and no usable answer
// came back, the client returns *UnknownOutcomeError rather than guess
// (package outcome). Only HTTP statuses that say "not processed" are
// retried, and only when Config.Retry asks for it (the same bytes, re-signed);
// a retriable Boku answer is returned with its retry-delay for the caller
// to honour.
//
// It replaced package bokuclient, which spoke an earlier, invented dialect.
package bokudirect

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bokuctl/bokuctl/pkg/outcome"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

// ContentType is what Boku's requests and responses carry.
const ContentType = "text/xml;charset=utf-8"

// maxResponse bounds a response body.
const maxResponse = 1 << 20

// Environments: Boku's Merchant Test Environment and production.
const (
	Test       = "test"
	Production = "production"
)

// Config configures a Client.
type Config struct {
	MerchantID string
	KeyID      string
	Key        []byte
	// Country is the consumer's country: it picks the host
	// ({cc}-api4.boku.com) and is sent in every call that has a country.
	Country     string
	Environment string
	// BaseURL replaces Boku's host; "{country}" in it becomes the lower-case
	// country (the sandbox: http://127.0.0.1:PORT/boku/{country}).
	BaseURL    string
	HTTPClient *http.Client
	Retry      RetryPolicy
	// Skew is the allowed clock difference when verifying response
	// signatures; zero means sign.DefaultSkew.
	Skew time.Duration
	Now  func() time.Time
}

// RetryPolicy says when a request is sent again. The zero value never
// retries, as Boku's SDK does by default.
type RetryPolicy struct {
	MaxRetries int
	// BackoffFactor: retry n waits BackoffFactor × 2^(n-1), unless the
	// answer's Retry-After says otherwise.
	BackoffFactor time.Duration
	// Statuses are the HTTP statuses worth retrying (default:
	// DefaultRetryStatuses).
	Statuses []int
	// MaxWait caps any single wait (default 60s); the context caps them all.
	MaxWait time.Duration
}

// DefaultRetryStatuses are the statuses Boku's SDK retries.
var DefaultRetryStatuses = []int{408, 413, 429, 500, 502, 503, 504, 521, 522, 524}

// Client talks to Boku.
type Client struct{ cfg Config }

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.MerchantID == "":
		return nil, errors.New("no merchant id (boku.merchant-id)")
	case cfg.KeyID == "":
		return nil, errors.New("no key id (boku.key-id)")
	case len(cfg.Key) == 0:
		return nil, errors.New("no signing key (secret boku-key)")
	case len(cfg.Country) != 2:
		return nil, errors.New("no country (boku.country or --country)")
	case cfg.Environment != "" && cfg.Environment != Test && cfg.Environment != Production:
		return nil, fmt.Errorf("unknown environment %q: use test or production", cfg.Environment)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	// Never follow a redirect: a 3xx is the answer, and nothing is resent
	// to where it points.
	noRedirects := *cfg.HTTPClient
	noRedirects.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cfg.HTTPClient = &noRedirects
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Skew == 0 {
		cfg.Skew = sign.DefaultSkew
	}
	if cfg.Retry.Statuses == nil {
		cfg.Retry.Statuses = DefaultRetryStatuses
	}
	if cfg.Retry.MaxWait == 0 {
		cfg.Retry.MaxWait = 60 * time.Second
	}
	cfg.Country = strings.ToLower(cfg.Country)
	return &Client{cfg: cfg}, nil
}

// BaseURL is the URL calls are made under: https://{cc}-api4-stage.boku.com
// in the test environment, https://{cc}-api4.boku.com in production.
func (c *Client) BaseURL() string {
	if c.cfg.BaseURL != "" {
		return strings.TrimRight(strings.ReplaceAll(c.cfg.BaseURL, "{country}", c.cfg.Country), "/")
	}
	if c.cfg.Environment == Production {
		return "https://" + c.cfg.Country + "-api4.boku.com"
	}
	return "https://" + c.cfg.Country + "-api4-stage.boku.com"
}

// URL is the full URL of a call: <base>/<family>/3.0/<call>.
func (c *Client) URL(family, call string) string {
	return c.BaseURL() + "/" + family + "/3.0/" + call
}

// MerchantID is the configured merchant.
func (c *Client) MerchantID() string { return c.cfg.MerchantID }

// Country is the consumer's country as Boku writes it in bodies (upper
// case).
func (c *Client) Country() string { return strings.ToUpper(c.cfg.Country) }

// call describes one API call.
type call struct {
	family, name string
	// mutation marks calls whose outcome matters if the answer is lost.
	mutation bool
	// path, when set, is the call's path under the base URL (a Raw
	// call); header holds the extra headers it sends, unsigned.
	path   string
	header http.Header
}

// url is where cl is sent.
func (c *Client) url(cl call) string {
	if cl.path != "" {
		return c.BaseURL() + cl.path
	}
	return c.URL(cl.family, cl.name)
}

// do signs and sends request and decodes a verified 200 into response.
// It returns the decoded Result's error, if any, as *APIError.
func (c *Client) do(ctx context.Context, cl call, request, response any, result func() *Result) error {
	body, err := xml.MarshalIndent(request, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s request: %w", cl.name, err)
	}
	body = append([]byte(xml.Header), body...)
	status, header, respBody, after, err := c.exchange(ctx, cl, body)
	if err != nil {
		return err
	}
	err = c.decode(cl, status, header, respBody, response, result)
	var down *UnavailableError
	if after >= 0 && errors.As(err, &down) {
		down.RetryAfter = after
	}
	return err
}

// exchange sends body, retrying as the retry policy says, and returns the
// last answer with its Retry-After (-1 when it had none).
func (c *Client) exchange(ctx context.Context, cl call, body []byte) (int, http.Header, []byte, time.Duration, error) {
	// The HTTP client's timeout (--timeout) is the budget of the whole
	// call: every attempt and every wait between them.
	if budget := c.cfg.HTTPClient.Timeout; budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, budget)
		defer cancel()
	}
	for attempt := 0; ; attempt++ {
		status, header, respBody, err := c.send(ctx, cl, body)
		if err != nil {
			return 0, nil, nil, -1, err
		}
		after, asked := retryAfter(header.Get("Retry-After"), c.cfg.Now())
		if attempt < c.cfg.Retry.MaxRetries && slices.Contains(c.cfg.Retry.Statuses, status) {
			wait := c.cfg.Retry.BackoffFactor * time.Duration(1<<attempt)
			if asked {
				wait = after
			}
			wait = min(wait, c.cfg.Retry.MaxWait)
			deadline, bounded := ctx.Deadline()
			if !bounded || time.Until(deadline) > wait {
				select {
				case <-time.After(wait):
					continue
				case <-ctx.Done():
				}
			}
			// The wait does not fit in what is left of the budget (or
			// the run was cancelled): stop now with this answer.
		}
		if !asked {
			after = -1
		}
		return status, header, respBody, after, nil
	}
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(value string, now time.Time) (time.Duration, bool) {
	if value == "" {
		return 0, false
	}
	// Waits are bounded to a day: a larger number (or one that would
	// overflow a Duration) asks for more than any command will wait.
	const longest = 24 * time.Hour
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil && secs >= 0 {
		if secs > int64(longest/time.Second) {
			return longest, true
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(value); err == nil {
		return min(max(t.Sub(now), 0), longest), true
	}
	return 0, false
}

// decode turns Boku's answer into response, or into the error that says
// what the answer means.
func (c *Client) decode(cl call, status int, header http.Header, respBody []byte, response any, result func() *Result) error {
	switch {
	case status == http.StatusUnauthorized:
		return &AuthError{Call: cl.name, Message: strings.TrimSpace(string(respBody))}
	case status == http.StatusOK:
	case status > 200 && status <= 299:
		// Boku answers 200 or an error: another 2xx has no result to trust.
		return &MalformedResponseError{Call: cl.name, Mutation: cl.mutation, Err: fmt.Errorf("HTTP %d instead of Boku's 200", status)}
	case status >= 300 && status <= 399:
		// Never followed: Boku documents no redirect, so the URL is not
		// Boku's API (or something in between answered).
		return &RedirectError{Call: cl.name, Status: status, Location: header.Get("Location"), Mutation: cl.mutation}
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		// Boku documents no 404: the URL is not Boku's API. Nothing was
		// processed.
		return &NotFoundError{Call: cl.name, Status: status, URL: c.url(cl)}
	case status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests || !cl.mutation || status < 500:
		// 503 and 429 say "not processed"; a read-only call is safe to
		// retry whatever happened; Boku documents no 4xx besides 401, so
		// another 4xx comes from a proxy in front of it.
		return &UnavailableError{Call: cl.name, Status: status}
	default:
		// 500, 502, 504… after a state-changing request was written: a
		// gateway may have passed it on before failing.
		return &UnknownOutcomeError{Call: cl.name, Status: status}
	}
	if err := c.verify(header, respBody); err != nil {
		return &SignatureError{Call: cl.name, Mutation: cl.mutation, Err: err}
	}
	if err := checkXML(header, respBody); err != nil {
		return &MalformedResponseError{Call: cl.name, Mutation: cl.mutation, Err: err}
	}
	if err := xml.Unmarshal(respBody, response); err != nil {
		return &MalformedResponseError{Call: cl.name, Mutation: cl.mutation, Err: err}
	}
	r := result()
	if r.Status != "OK" && r.Status != "ERROR" {
		return &MalformedResponseError{Call: cl.name, Mutation: cl.mutation, Err: fmt.Errorf("result status %q is neither OK nor ERROR", r.Status)}
	}
	if !r.HasReasonCode() {
		return &MalformedResponseError{Call: cl.name, Mutation: cl.mutation, Err: errors.New("the result has no reason-code")}
	}
	if !r.OK() || r.ReasonCode == ReasonInProgress {
		return &APIError{Call: cl.name, Result: *r}
	}
	return nil
}

// checkXML refuses a 200 that is empty or not XML before it is decoded.
func checkXML(header http.Header, body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errors.New("the answer is empty")
	}
	mediaType, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if mediaType != "text/xml" && mediaType != "application/xml" {
		return fmt.Errorf("the answer is %q, not XML", header.Get("Content-Type"))
	}
	return nil
}

// send signs body and posts it once.
func (c *Client) send(ctx context.Context, cl call, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(cl), bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("boku %s: %w", cl.name, err)
	}
	for name, values := range cl.header {
		req.Header[http.CanonicalHeaderKey(name)] = append([]string(nil), values...)
	}
	req.Header.Set("Content-Type", ContentType)
	params, err := sign.Sign(sign.Message{
		Method:  req.Method,
		Target:  req.URL.RequestURI(),
		Headers: []sign.Header{{Name: "Content-Type", Value: ContentType}},
		Body:    body,
	}, c.cfg.Key, c.cfg.MerchantID, c.cfg.KeyID, []string{"Content-Type"}, c.cfg.Now())
	if err != nil {
		return 0, nil, nil, fmt.Errorf("sign %s request: %w", cl.name, err)
	}
	req.Header.Set("Authorization", params.String())
	tracked, sent := outcome.Track(ctx)
	resp, err := c.cfg.HTTPClient.Do(req.WithContext(tracked))
	if err != nil {
		return 0, nil, nil, c.transportError(cl, sent.Written(), err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return 0, nil, nil, c.transportError(cl, true, err)
	}
	return resp.StatusCode, resp.Header, respBody, nil
}

func (c *Client) transportError(cl call, written bool, err error) error {
	if outcome.Unknown(written, cl.mutation, err) {
		return &UnknownOutcomeError{Call: cl.name, Err: err}
	}
	return &UnavailableError{Call: cl.name, Err: err}
}

// verify checks X-SignedResponse: Boku signs every 200 it sends.
func (c *Client) verify(header http.Header, body []byte) error {
	var headers []sign.Header
	for name, values := range header {
		for _, v := range values {
			headers = append(headers, sign.Header{Name: name, Value: v})
		}
	}
	_, err := sign.Verify(sign.Message{Headers: headers, Body: body}, header.Get("X-SignedResponse"),
		func(partnerID, keyID string) ([]byte, error) {
			if partnerID != c.cfg.MerchantID || keyID != c.cfg.KeyID {
				return nil, fmt.Errorf("response signed for %s/%s, expected %s/%s", partnerID, keyID, c.cfg.MerchantID, c.cfg.KeyID)
			}
			return c.cfg.Key, nil
		}, c.cfg.Now(), c.cfg.Skew)
	return err
}
