// Package worldline is a faithful fake of the Worldline Acquiring API and
// its OAuth2 token endpoint, for tests and `bokuctl sandbox`. It checks
// tokens and scopes, validates requests (operationId, transactionTimestamp,
// card data, currencies, unknown fields), keeps payments and refunds in
// their state machines with the real status names, replays the stored
// answer for a repeated operationId, and has documented test cards and
// fault-triggering amounts (docs/sandbox.md).
package worldline

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Client is an OAuth2 client the fake knows.
type Client struct {
	ID     string
	Secret string
	Scopes []string
}

// Test cards and fault amounts (docs/sandbox.md).
const (
	CardApproved     = "4176669999000104"
	CardDeclined     = "4176669999030002"
	CardInsufficient = "4176669999030051"

	AmountUnavailable = 503 // 5.03: 503, nothing recorded
	AmountServerError = 500 // 5.00: 500, nothing recorded
	// AmountRecordedServerError (5.01) makes a payment, capture, refund or
	// standalone refund happen, then answers 500: the acquirer processed
	// it but the answer says nothing. A repeated operationId gets the
	// answer that was kept.
	AmountRecordedServerError = 501
	AmountDropConnection      = 1313 // 13.13: recorded, then the connection drops
	AmountSlow                = 999  // 9.99: answered after SlowDelay (recorded)
	// AmountInProgress (4.09) makes a payment or capture answer 409 with
	// problem type …/concurrent-request, as if an earlier request with its
	// operationId were still being processed; nothing is recorded.
	AmountInProgress = 409
)

// SlowDelay is how long AmountSlow waits before answering.
const SlowDelay = 3 * time.Second

type token struct {
	clientID string
	scopes   map[string]bool
	expires  time.Time
}

type operation struct {
	ID, Type, Timestamp string
	Amount              *amountData
	Code, Category      string
	// AuthCode is SubOperation.authorizationCode (payments only).
	AuthCode string `json:",omitempty"`
}

type payment struct {
	id, operationID                string
	status, authType, authCode     string
	currency                       string
	decimals                       int32
	authorized, captured, refunded int64
	final                          bool
	brand                          string
	code, category, description    string
	responder, statusTime          string
	operations                     []operation
	merchantReference              string
	// rrn is the retrievalReferenceNumber (the request's, or derived from
	// the id), par the card's paymentAccountReference, terminalID the
	// request's pointOfSaleData.terminalId.
	rrn, par, terminalID string
	// dccCurrency, dccDecimals and dccRate are the dynamicCurrencyConversion
	// the payment was made with, if any.
	dccCurrency string
	dccDecimals int32
	dccRate     string
}

type refund struct {
	id, operationID, paymentID  string
	status, statusTime          string
	currency                    string
	decimals                    int32
	amount                      int64
	operations                  []operation
	brand, rrn, par, terminalID string
}

type stored struct {
	fingerprint string
	status      int
	body        []byte
}

// Server is the fake; it is an http.Handler.
type Server struct {
	// Now is the fake's clock.
	Now func() time.Time
	// TokenTTL is the lifetime of issued access tokens.
	TokenTTL time.Duration

	acquirerID, merchantID string

	mu       sync.Mutex
	clients  map[string]Client
	tokens   map[string]*token
	payments map[string]*payment
	refunds  map[string]*refund
	byOp     map[string]stored
	opTarget map[string]string // operationId → payment or refund id
	// cardOnFile maps the schemeTransactionId of each approved initial
	// card-on-file payment or account verification to its card's PAR.
	cardOnFile map[string]string
	// quotes are the DCC rates quoted, matched by payments' and standalone
	// refunds' dynamicCurrencyConversion (kept in memory only).
	quotes   []dccQuote
	requests int
	issued   int
	stale    int
	// dirty, once TrackChanges is called, notes what requests changed
	// (for `sandbox serve --state`'s log).
	dirty *dirty
}

// New returns a fake for one acquirer and merchant.
func New(acquirerID, merchantID string, clients ...Client) *Server {
	s := &Server{
		Now: time.Now, TokenTTL: 5 * time.Minute, acquirerID: acquirerID, merchantID: merchantID,
		clients: map[string]Client{}, tokens: map[string]*token{}, payments: map[string]*payment{},
		refunds: map[string]*refund{}, byOp: map[string]stored{}, opTarget: map[string]string{}, cardOnFile: map[string]string{},
	}
	for _, c := range clients {
		s.clients[c.ID] = c
	}
	return s
}

// ExpireTokens makes every issued token expire now.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.expires = s.Now().Add(-time.Second)
	}
}

// StaleNextTokens makes the next n tokens issued already expired on the
// server while claiming a normal lifetime, as when a token is revoked or a
// clock drifts: the client's first API call with one gets a 401.
func (s *Server) StaleNextTokens(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stale = n
}

// PaymentCount is the number of payments recorded.
func (s *Server) PaymentCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.payments)
}

// RequestCount is the number of API requests received (not token requests).
func (s *Server) RequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// TokensIssued is the number of access tokens handed out.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return "pay:ch:etu:" + base64.RawURLEncoding.EncodeToString(b[:])
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(data)
}

type errorBody struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
	// RequestID is "the unique Worldline identifier for the request that
	// resulted in this response" (ApiPaymentErrorResponse in the SDKs'
	// releases after 0.1.0).
	RequestID string `json:"requestId"`
}

func problem(w http.ResponseWriter, r *http.Request, status int, kind, detail string) {
	writeJSON(w, status, errorBody{
		Type: "https://sandbox.bokuctl.invalid/errors/" + kind, Title: http.StatusText(status),
		Status: status, Detail: detail, Instance: r.URL.Path, RequestID: newRequestID(),
	})
}

// newRequestID is an error's requestId: 32 random hex digits in the
// 8-4-4-4-12 form [inferred: its format is not published].
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ServeHTTP routes token and API requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/connect/token" {
		s.token(w, r)
		return
	}
	if r.URL.Path == "/services/v1/ping" && r.Method == http.MethodGet {
		if _, ok := s.authorize(w, r, "services_ping"); ok {
			writeJSON(w, http.StatusOK, map[string]any{})
		}
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 5 || (parts[0] != "processing" && parts[0] != "services") || parts[1] != "v1" {
		problem(w, r, http.StatusNotFound, "not-found", "no such endpoint")
		return
	}
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	route, scope, ok := match(r.Method, parts[0], parts[4:])
	if !ok {
		problem(w, r, http.StatusNotFound, "not-found", "no such endpoint")
		return
	}
	if _, ok := s.authorize(w, r, scope); !ok {
		return
	}
	if parts[2] != s.acquirerID || parts[3] != s.merchantID {
		problem(w, r, http.StatusForbidden, "authorization", fmt.Sprintf("not authorized for acquirer %s merchant %s", parts[2], parts[3]))
		return
	}
	if err := checkHeaders(r); err != "" {
		problem(w, r, http.StatusBadRequest, "validation", err)
		return
	}
	x := &exchange{s: s, w: w, r: r, args: parts[4:]}
	if r.Method == http.MethodPost {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			problem(w, r, http.StatusBadRequest, "validation", "cannot read body")
			return
		}
		x.body = body
	}
	route(x)
}

// match finds the handler and scope for a method and the path after
// /{service}/v1/{acq}/{mid}.
func match(method, service string, rest []string) (func(*exchange), string, bool) {
	n := len(rest)
	switch {
	case service == "services" && method == "POST" && n == 1 && rest[0] == "dcc-rates":
		return (*exchange).dccRate, "processing_dcc_rate", true
	case service != "processing":
		return nil, "", false
	case method == "POST" && n == 1 && rest[0] == "payments":
		return (*exchange).processPayment, "processing_payment", true
	case method == "GET" && n == 2 && rest[0] == "payments":
		return (*exchange).getPayment, "processing_payment", true
	case method == "POST" && n == 3 && rest[0] == "payments" && rest[2] == "captures":
		return (*exchange).capture, "processing_payment", true
	case method == "POST" && n == 3 && rest[0] == "payments" && rest[2] == "authorization-reversals":
		return (*exchange).reverseAuthorization, "processing_payment", true
	case method == "POST" && n == 3 && rest[0] == "payments" && rest[2] == "increments":
		return (*exchange).increment, "processing_payment", true
	case method == "POST" && n == 3 && rest[0] == "payments" && rest[2] == "refunds":
		return (*exchange).refundPayment, "processing_refund", true
	case method == "POST" && n == 1 && rest[0] == "refunds":
		return (*exchange).standaloneRefund, "processing_refund", true
	case method == "GET" && n == 2 && rest[0] == "refunds":
		return (*exchange).getRefund, "processing_refund", true
	case method == "POST" && n == 3 && rest[0] == "refunds" && rest[2] == "captures":
		return (*exchange).captureRefund, "processing_refund", true
	case method == "POST" && n == 3 && rest[0] == "refunds" && rest[2] == "authorization-reversals":
		return (*exchange).reverseRefund, "processing_refund", true
	case method == "POST" && n == 1 && rest[0] == "account-verifications":
		return (*exchange).verifyAccount, "processing_accountverification", true
	case method == "POST" && n == 3 && rest[0] == "operations" && rest[2] == "reverse":
		return (*exchange).technicalReversal, "processing_operation_reverse", true
	case method == "POST" && n == 1 && rest[0] == "balance-inquiries":
		return (*exchange).balanceInquiry, "processing_balanceinquiry", true
	}
	return nil, "", false
}

// checkHeaders enforces the headers Worldline's SDKs always send.
func checkHeaders(r *http.Request) string {
	if _, err := http.ParseTime(r.Header.Get("Date")); err != nil {
		return "missing or invalid Date header (RFC 1123, GMT)"
	}
	meta, err := base64.StdEncoding.DecodeString(r.Header.Get("X-WL-ServerMetaInfo"))
	var info struct {
		Integrator string `json:"integrator"`
	}
	if err != nil || json.Unmarshal(meta, &info) != nil || strings.TrimSpace(info.Integrator) == "" {
		return "missing or invalid X-WL-ServerMetaInfo (base64 JSON with an integrator)"
	}
	if r.Method == http.MethodPost && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return "Content-Type must be application/json"
	}
	return ""
}

// knownScopes are the scopes Worldline's token endpoint knows: the fixed
// set SDK 0.1.0 requests, processing_balanceinquiry (SDK 1.3.0's
// Scopes.go) and nothing else. The fake serves no credit-transfer
// operation, but grants processing_credittransfer so that the 0.1.0 SDK
// gets a token.
var knownScopes = map[string]bool{
	"processing_payment": true, "processing_refund": true, "processing_credittransfer": true,
	"processing_accountverification": true, "processing_operation_reverse": true,
	"processing_dcc_rate": true, "processing_balanceinquiry": true, "services_ping": true,
}

// token is the OAuth2 client-credentials endpoint.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	oauthError := func(status int, code, description string) {
		writeJSON(w, status, map[string]string{"error": code, "error_description": description})
	}
	if r.Method != http.MethodPost {
		oauthError(http.StatusMethodNotAllowed, "invalid_request", "POST only")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	// The official SDKs send unencoded spaces in the scope; accept them
	// as well as + and %20.
	form, err := url.ParseQuery(strings.ReplaceAll(string(body), " ", "%20"))
	if err != nil || form.Get("grant_type") != "client_credentials" {
		oauthError(http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[form.Get("client_id")]
	if !ok || c.Secret != form.Get("client_secret") || form.Get("client_secret") == "" {
		oauthError(http.StatusUnauthorized, "unauthorized_client", "INVALID_CREDENTIALS: Invalid client credentials")
		return
	}
	granted := map[string]bool{}
	for _, sc := range c.Scopes {
		granted[sc] = true
	}
	scopes := map[string]bool{}
	for _, sc := range strings.Fields(form.Get("scope")) {
		if !knownScopes[sc] {
			oauthError(http.StatusBadRequest, "invalid_scope", "scope "+sc+" does not exist")
			return
		}
		if !granted[sc] {
			oauthError(http.StatusBadRequest, "invalid_scope", "scope "+sc+" is not granted to this client")
			return
		}
		scopes[sc] = true
	}
	if len(scopes) == 0 {
		scopes = granted
	}
	var b [24]byte
	rand.Read(b[:])
	access := "sbx_" + base64.RawURLEncoding.EncodeToString(b[:])
	expires := s.Now().Add(s.TokenTTL)
	if s.stale > 0 {
		s.stale--
		expires = s.Now().Add(-time.Second)
	}
	s.tokens[access] = &token{clientID: c.ID, scopes: scopes, expires: expires}
	s.issued++
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "expires_in": int(s.TokenTTL / time.Second), "token_type": "Bearer"})
}

// authorize checks the bearer token and the operation's scope.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, scope string) (*token, bool) {
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	t := s.tokens[bearer]
	valid := ok && t != nil && s.Now().Before(t.expires)
	s.mu.Unlock()
	if !valid {
		problem(w, r, http.StatusUnauthorized, "authentication", "missing, unknown or expired access token")
		return nil, false
	}
	if !t.scopes[scope] {
		problem(w, r, http.StatusForbidden, "authorization", "the access token lacks scope "+scope)
		return nil, false
	}
	return t, true
}

// exchange is one API request being answered.
type exchange struct {
	s    *Server
	w    http.ResponseWriter
	r    *http.Request
	args []string
	body []byte
}

func (x *exchange) fail(status int, kind, detail string) { problem(x.w, x.r, status, kind, detail) }

// decode reads the body strictly: unknown fields are an error, as in
// Worldline's schemas (additionalProperties: false).
func (x *exchange) decode(v any) bool {
	dec := json.NewDecoder(bytes.NewReader(x.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		x.fail(http.StatusBadRequest, "validation", "invalid request body: "+err.Error())
		return false
	}
	return true
}

// fingerprint identifies a request for idempotency, ignoring the
// transactionTimestamp a retry may renew.
func (x *exchange) fingerprint() string {
	var doc map[string]any
	json.Unmarshal(x.body, &doc)
	delete(doc, "transactionTimestamp")
	data, _ := json.Marshal(doc)
	return x.r.Method + " " + x.r.URL.Path + " " + string(data)
}

// replay answers a repeated operationId with the stored response. Callers
// hold s.mu.
func (x *exchange) replay(operationID string) bool {
	prior, ok := x.s.byOp[operationID]
	if !ok {
		return false
	}
	if prior.fingerprint != x.fingerprint() {
		x.fail(http.StatusConflict, "idempotence", "operationId "+operationID+" was already used for a different request")
		return true
	}
	x.w.Header().Set("Content-Type", "application/json")
	x.w.WriteHeader(prior.status)
	x.w.Write(prior.body)
	return true
}

// answer stores and writes a successful response for operationID.
func (x *exchange) answer(operationID, target string, status int, v any) []byte {
	data, _ := json.Marshal(v)
	if operationID != "" {
		x.s.byOp[operationID] = stored{fingerprint: x.fingerprint(), status: status, body: data}
		x.s.markOperation(operationID)
		if target != "" {
			x.s.opTarget[operationID] = target
		}
	}
	return data
}

func (x *exchange) write(status int, data []byte) {
	x.w.Header().Set("Content-Type", "application/json")
	x.w.WriteHeader(status)
	x.w.Write(data)
}
