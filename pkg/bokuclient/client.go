// Package bokuclient is a client for Boku Direct Payments 3.0: XML over
// HTTPS, every request signed and every 200 response's signature checked
// (package sign). It covers consumer opt-in and charging.
//
// Every mutating call carries the caller's merchant-request-id, which Boku
// treats as an idempotency key, so a retry resends the same bytes and can
// never charge twice. When a request was sent but no answer arrived, the
// client returns *UnknownOutcomeError rather than guessing.
package bokuclient

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bokuctl/bokuctl/pkg/outcome"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

// ContentType is what Boku expects and signs.
const ContentType = "text/xml;charset=utf-8"

// maxResponse bounds a response body.
const maxResponse = 1 << 20

// Environments.
const (
	Test       = "test"
	Production = "production"
)

// RetryPolicy says when a request is sent again. Defaults follow Boku's
// SDK: no retries unless configured, backoff factor 2, and these statuses.
type RetryPolicy struct {
	MaxRetries    int
	BackoffFactor time.Duration
	Statuses      []int
	// MaxWait caps any single wait, including one asked for by Retry-After.
	MaxWait time.Duration
}

// DefaultRetryStatuses are the HTTP statuses worth retrying.
var DefaultRetryStatuses = []int{408, 413, 429, 500, 502, 503, 504, 521, 522, 524}

// DefaultRetryPolicy is Boku's SDK default: no retries.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 0, BackoffFactor: 2 * time.Second, Statuses: DefaultRetryStatuses, MaxWait: 60 * time.Second}
}

func (p RetryPolicy) retries(status int) bool {
	for _, s := range p.Statuses {
		if s == status {
			return true
		}
	}
	return false
}

// backoff is the wait before retry number n (1-based): factor × 2^(n-1).
func (p RetryPolicy) backoff(n int) time.Duration {
	return p.BackoffFactor * time.Duration(1<<(n-1))
}

// Config configures a Client.
type Config struct {
	MerchantID string
	KeyID      string
	Key        []byte
	// Country is the API country: it picks the host, and every request
	// that names a country must name this one.
	Country     string
	Environment string
	// BaseURL replaces the Boku host; "{country}" in it is replaced by the
	// country (the sandbox uses http://127.0.0.1:PORT/{country}).
	BaseURL    string
	HTTPClient *http.Client
	Retry      RetryPolicy
	// Skew is the allowed clock difference when verifying response
	// signatures; zero means sign.DefaultSkew.
	Skew time.Duration
	Now  func() time.Time
}

// Client talks to Boku.
type Client struct {
	cfg Config
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.MerchantID == "":
		return nil, errors.New("no merchant id (boku.merchant-id)")
	case cfg.KeyID == "":
		return nil, errors.New("no key id (boku.key-id)")
	case len(cfg.Key) == 0:
		return nil, errors.New("no signing key (secret boku-key)")
	case cfg.Country == "":
		return nil, errors.New("no country (boku.country or --country)")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
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

// BaseURL is the URL that calls are made under.
func (c *Client) BaseURL() string {
	if c.cfg.BaseURL != "" {
		return strings.TrimRight(strings.ReplaceAll(c.cfg.BaseURL, "{country}", c.cfg.Country), "/")
	}
	if c.cfg.Environment == Production {
		return "https://" + c.cfg.Country + "-api4.boku.com"
	}
	// Boku's Merchant Test Environment (its spec's sandbox server).
	return "https://" + c.cfg.Country + "-api4-stage.boku.com"
}

// URL is the full URL of a call: <base>/<family>/3.0/<call>.
func (c *Client) URL(family, call string) string {
	return c.BaseURL() + "/" + family + "/3.0/" + call
}

// MerchantID is the configured merchant.
func (c *Client) MerchantID() string { return c.cfg.MerchantID }

// call describes one API call.
type call struct {
	family, name string
	// country is the request's country element, "" if it has none.
	country string
	// mutation marks calls whose outcome matters if the answer is lost.
	mutation bool
}

// do signs and sends request, verifies and decodes the answer into
// response, retrying per the policy with the very same body.
func (c *Client) do(ctx context.Context, cl call, request any, response response) error {
	if cl.country != "" && !strings.EqualFold(cl.country, c.cfg.Country) {
		return &CountryMismatchError{URLCountry: c.cfg.Country, BodyCountry: strings.ToLower(cl.country)}
	}
	encoded, err := xml.MarshalIndent(request, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s request: %w", cl.name, err)
	}
	body := append([]byte(xml.Header), encoded...)
	url := c.URL(cl.family, cl.name)

	for attempt := 0; ; attempt++ {
		status, header, respBody, err := c.send(ctx, cl, url, body)
		if err != nil {
			return err
		}
		if attempt < c.cfg.Retry.MaxRetries && c.cfg.Retry.retries(status) {
			wait := c.cfg.Retry.backoff(attempt + 1)
			if after, ok := retryAfter(header.Get("Retry-After"), c.cfg.Now()); ok {
				wait = after
			}
			wait = min(wait, c.cfg.Retry.MaxWait)
			select {
			case <-time.After(wait):
				continue
			case <-ctx.Done():
				return &UnavailableError{Call: cl.name, Status: status, Err: ctx.Err()}
			}
		}
		return c.decode(cl, status, header, respBody, response)
	}
}

// send makes one attempt. A transport error after the request was written
// is an UnknownOutcomeError; one before is an UnavailableError.
func (c *Client) send(ctx context.Context, cl call, url string, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("build %s request: %w", cl.name, err)
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

	traced, sent := outcome.Track(ctx)
	resp, err := c.cfg.HTTPClient.Do(req.WithContext(traced))
	if err != nil {
		return 0, nil, nil, transportError(cl, sent.Written(), err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		// The answer started arriving, so the request was written.
		return 0, nil, nil, transportError(cl, true, err)
	}
	return resp.StatusCode, resp.Header, respBody, nil
}

// transportError classifies a failure without an answer by the shared
// rule in package outcome.
func transportError(cl call, written bool, err error) error {
	if outcome.Unknown(written, cl.mutation, err) {
		return &UnknownOutcomeError{Call: cl.name, Err: err}
	}
	return &UnavailableError{Call: cl.name, Err: err}
}

// decode checks the status and signature and fills response.
func (c *Client) decode(cl call, status int, header http.Header, body []byte, response response) error {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return &AuthError{Call: cl.name, Status: status, Message: strings.TrimSpace(string(body))}
	case status == http.StatusOK:
		if err := c.verify(header, body); err != nil {
			return &SignatureError{Call: cl.name, Mutation: cl.mutation, Err: err}
		}
	case status == http.StatusTooManyRequests || status >= 500:
		// A Boku error document may still explain it.
		if xml.Unmarshal(body, response) == nil && response.result() != nil {
			return &APIError{Call: cl.name, Status: status, Result: *response.result()}
		}
		return &UnavailableError{Call: cl.name, Status: status}
	}
	if err := parseResponse(cl.name, body, response); err != nil {
		return c.malformed(cl, status, err)
	}
	if !response.result().OK() {
		return &APIError{Call: cl.name, Status: status, Result: *response.result()}
	}
	if status != http.StatusOK {
		return c.malformed(cl, status, fmt.Errorf("HTTP %d with result OK", status))
	}
	return nil
}

// parseResponse decodes body into response and checks that the elements a
// caller relies on are present. Unknown elements are ignored, as Boku may
// add optional ones within a version.
func parseResponse(call string, body []byte, response response) error {
	if err := xml.Unmarshal(body, response); err != nil {
		return fmt.Errorf("not a %s response: %v", call, err)
	}
	if err := checkResult(response.result()); err != nil {
		return err
	}
	return response.check()
}

func (c *Client) malformed(cl call, status int, err error) error {
	return &MalformedResponseError{Call: cl.name, Status: status, Mutation: cl.mutation, Err: err}
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

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(value string, now time.Time) (time.Duration, bool) {
	if value == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(value); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(value); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// Country is the API country (lower case).
func (c *Client) Country() string { return c.cfg.Country }
