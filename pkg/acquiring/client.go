// Package acquiring is a client for the Worldline Acquiring API: card
// payments, captures, increments, reversals, refunds, account
// verification, technical reversals, balance inquiries and DCC rates.
//
// It authenticates with OAuth2 client credentials (one token per client,
// reused until it expires; a 401 from the API refreshes it once and resends
// the same request), sends the headers Worldline's own SDKs send, and maps
// error bodies {type,title,status,detail,instance} to typed errors.
// Idempotency is the operationId in each request body: a resend carries
// the same one.
package acquiring

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/bokuctl/bokuctl/pkg/outcome"
)

// DefaultAPIURL is Worldline's pre-production API.
const DefaultAPIURL = "https://api.preprod.acquiring.worldline-solutions.com"

// DefaultTokenURL is the pre-production token endpoint.
const DefaultTokenURL = "https://auth-test-eu-west-1.aws.bambora.com/connect/token"

// DefaultScopes cover every operation this client calls.
var DefaultScopes = []string{
	"processing_payment", "processing_refund", "processing_accountverification",
	"processing_operation_reverse", "processing_dcc_rate", "processing_balanceinquiry", "services_ping",
}

// maxResponse bounds a response body.
const maxResponse = 1 << 20

// Config configures a Client.
type Config struct {
	APIURL       string
	AcquirerID   string
	MerchantID   string
	ClientID     string
	ClientSecret string
	TokenURL     string
	Scopes       []string
	Integrator   string
	// SDKIdentifier goes into X-WL-ServerMetaInfo, e.g. bokuctl/v1.2.3.
	SDKIdentifier string
	// HTTPClient is used for the API and the token endpoint.
	HTTPClient *http.Client
	Now        func() time.Time
	// PlaceholderToken, when set, is the access token of every request,
	// and no token is fetched: a dry run shows the request it would send
	// without asking the token endpoint for anything.
	PlaceholderToken string
}

// Client calls the Acquiring API.
type Client struct {
	cfg    Config
	oauth  clientcredentials.Config
	mu     sync.Mutex
	token  *oauth2.Token
	tokens int
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.AcquirerID == "":
		return nil, errors.New("no acquirer id (worldline.acquirer-id)")
	case cfg.MerchantID == "":
		return nil, errors.New("no merchant id (worldline.merchant-id)")
	case cfg.ClientID == "":
		return nil, errors.New("no OAuth2 client id (worldline.client-id)")
	case cfg.ClientSecret == "":
		return nil, errors.New("no OAuth2 client secret (secret worldline-client-secret)")
	case strings.TrimSpace(cfg.Integrator) == "":
		return nil, errors.New("no integrator name (worldline.integrator): Worldline requires one")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if cfg.TokenURL == "" {
		cfg.TokenURL = DefaultTokenURL
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = DefaultScopes
	}
	cfg.HTTPClient = NoRedirects(cfg.HTTPClient)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SDKIdentifier == "" {
		cfg.SDKIdentifier = "bokuctl/dev"
	}
	return &Client{cfg: cfg, oauth: clientcredentials.Config{
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: cfg.TokenURL,
		Scopes: cfg.Scopes, AuthStyle: oauth2.AuthStyleInParams,
	}}, nil
}

// TokensFetched is how many access tokens this client has requested.
func (c *Client) TokensFetched() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tokens
}

// accessToken returns the cached token, fetching one when there is none,
// it has expired, or refresh is set.
func (c *Client) accessToken(ctx context.Context, refresh bool) (string, error) {
	if c.cfg.PlaceholderToken != "" {
		return c.cfg.PlaceholderToken, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !refresh && c.token != nil && c.token.Valid() {
		return c.token.AccessToken, nil
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.cfg.HTTPClient)
	token, err := c.oauth.Token(ctx)
	if err != nil {
		return "", tokenError(err)
	}
	c.token = token
	c.tokens++
	return token.AccessToken, nil
}

// serverMetaInfo is X-WL-ServerMetaInfo: base64 of compact JSON.
func (c *Client) serverMetaInfo() string {
	meta := struct {
		PlatformIdentifier string `json:"platformIdentifier"`
		SDKIdentifier      string `json:"sdkIdentifier"`
		SDKCreator         string `json:"sdkCreator"`
		Integrator         string `json:"integrator"`
	}{
		PlatformIdentifier: runtime.GOOS + " " + runtime.Version() + "(" + runtime.GOARCH + ")",
		SDKIdentifier:      c.cfg.SDKIdentifier,
		SDKCreator:         "bokuctl",
		Integrator:         c.cfg.Integrator,
	}
	data, _ := json.Marshal(meta)
	return base64.StdEncoding.EncodeToString(data)
}

// traceID is 16 random bytes as upper-case 8-4-4-4-12 hex, as the Go SDK
// formats it.
func traceID() string {
	var b [16]byte
	rand.Read(b[:])
	return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// request is one API call.
type request struct {
	method string
	path   string // under the API URL, with ids substituted
	body   any    // nil for GET
	// mutation marks calls whose lost answer leaves the outcome unknown.
	mutation bool
	// operationID is the body's operationId, for errors to name.
	operationID string
	// header holds extra headers (a Raw call's).
	header http.Header
}

// do sends req and decodes a 2xx body into out. A 401 refreshes the token
// and resends the same bytes exactly once.
func (c *Client) do(ctx context.Context, req request, out any) error {
	var body []byte
	if req.body != nil {
		var err error
		if body, err = json.Marshal(req.body); err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
	}
	token, err := c.accessToken(ctx, false)
	if err != nil {
		return err
	}
	status, respBody, header, err := c.send(ctx, req, body, token)
	if err == nil && status == http.StatusUnauthorized {
		if token, err = c.accessToken(ctx, true); err != nil {
			return err
		}
		status, respBody, header, err = c.send(ctx, req, body, token)
	}
	if err != nil {
		return err
	}
	if status >= 300 && status <= 399 {
		// Never followed (CheckRedirect): nothing is resent elsewhere.
		return &RedirectError{Path: req.path, Status: status, Location: header.Get("Location"), Mutation: req.mutation}
	}
	if status < 200 || status > 299 {
		return apiError(req, status, header, respBody)
	}
	if out == nil {
		return nil
	}
	if err := checkAnswer(header, respBody); err != nil {
		return &MalformedResponseError{Path: req.path, Status: status, Mutation: req.mutation, Err: err}
	}
	if err := json.Unmarshal(respBody, out); err != nil {
		return &MalformedResponseError{Path: req.path, Status: status, Mutation: req.mutation, Err: err}
	}
	if err := checkFields(out); err != nil {
		return &MalformedResponseError{Path: req.path, Status: status, Mutation: req.mutation, Err: err}
	}
	return nil
}

func (c *Client) send(ctx context.Context, req request, body []byte, token string) (int, []byte, http.Header, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	httpReq, err := http.NewRequestWithContext(ctx, req.method, c.cfg.APIURL+req.path, reader)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("build request: %w", err)
	}
	for name, values := range req.header {
		httpReq.Header[http.CanonicalHeaderKey(name)] = append([]string(nil), values...)
	}
	if body != nil && httpReq.Header.Get("Content-Type") == "" {
		httpReq.Header["Content-Type"] = []string{"application/json"}
	}
	httpReq.Header["X-WL-ServerMetaInfo"] = []string{c.serverMetaInfo()}
	httpReq.Header["Date"] = []string{c.cfg.Now().UTC().Format(http.TimeFormat)}
	httpReq.Header["Authorization"] = []string{"Bearer " + token}
	httpReq.Header["Trace-Id"] = []string{traceID()}

	traced, sent := outcome.Track(ctx)
	resp, err := c.cfg.HTTPClient.Do(httpReq.WithContext(traced))
	if err != nil {
		return 0, nil, nil, transportError(req, sent.Written(), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		// The answer started arriving, so the request was written.
		return 0, nil, nil, transportError(req, true, err)
	}
	return resp.StatusCode, data, resp.Header, nil
}

// transportError classifies a failure without an answer by the shared
// rule in package outcome.
func transportError(req request, written bool, err error) error {
	if outcome.Unknown(written, req.mutation, err) {
		return &UnknownOutcomeError{Path: req.path, Err: err}
	}
	return &UnavailableError{Path: req.path, Err: err}
}

// NoRedirects returns a copy of client (http.DefaultClient when nil)
// that never follows a redirect: a 3xx comes back as the answer, so no
// body, card number, client secret or Authorization header is resent to
// where it points.
func NoRedirects(client *http.Client) *http.Client {
	if client == nil {
		client = http.DefaultClient
	}
	copied := *client
	copied.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &copied
}

// Timestamp formats t as transactionTimestamp (ISO 8601, milliseconds).
func Timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }
