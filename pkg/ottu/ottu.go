// Package ottu is a client for Ottu's Payment Methods API
// (POST /b/pbl/v2/payment-methods/): which gateways (MIDs) a merchant can
// offer, filtered the way checkout filters them, with a per-filter cache
// as Ottu advises.
package ottu

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// Path is the endpoint under the merchant's host.
const Path = "/b/pbl/v2/payment-methods/"

// Enumerations the API documents.
var (
	Plugins         = []string{"e_commerce", "payment_request"}
	Operations      = []string{"purchase", "authorize"}
	Types           = []string{"sandbox", "production"}
	PaymentServices = []string{"apple_pay", "google_pay", "samsung_pay", "wallet"}
	Tags            = []string{"e_commerce", "crm", "pos", "invoicing", "subscriptions", "marketplace", "mobile_app",
		"ticket_booking", "donations", "government", "education", "healthcare", "insurance", "logistics",
		"hospitality", "real_estate", "retail", "telecom", "utilities", "demo", "test"}
)

// Filters is the request body. Only set filters are sent: nil booleans
// and empty lists are left out, so "unset" never becomes "false".
type Filters struct {
	Plugin          string   `json:"plugin"`
	Currencies      []string `json:"currencies,omitempty"`
	CustomerID      string   `json:"customer_id,omitempty"`
	Operation       string   `json:"operation,omitempty"`
	Tokenizable     *bool    `json:"tokenizable,omitempty"`
	AutoDebit       *bool    `json:"auto_debit,omitempty"`
	PGNames         []string `json:"pg_names,omitempty"`
	Type            string   `json:"type,omitempty"`
	Tags            []string `json:"tags,omitempty"`
	PaymentServices []string `json:"payment_services,omitempty"`
}

// FilterError is an invalid filter, named by its flag.
type FilterError struct{ Field, Reason string }

func (e *FilterError) Error() string { return e.Field + ": " + e.Reason }

// ExitCode: invalid input.
func (e *FilterError) ExitCode() exitcode.Code { return exitcode.Usage }

func oneOf(field, value string, allowed []string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return &FilterError{Field: field, Reason: fmt.Sprintf("%q is not one of %s", value, strings.Join(allowed, ", "))}
}

// Normalize validates the filters and puts them in canonical form: lists
// sorted and without duplicates, currencies upper-case.
func (f Filters) Normalize() (Filters, error) {
	if f.Plugin == "" {
		return f, &FilterError{Field: "plugin", Reason: "is required"}
	}
	if err := oneOf("plugin", f.Plugin, Plugins); err != nil {
		return f, err
	}
	if f.Operation != "" {
		if err := oneOf("operation", f.Operation, Operations); err != nil {
			return f, err
		}
	}
	if f.Type != "" {
		if err := oneOf("type", f.Type, Types); err != nil {
			return f, err
		}
	}
	if len(f.CustomerID) > 64 {
		return f, &FilterError{Field: "customer-id", Reason: "is longer than 64 characters"}
	}
	for i, c := range f.Currencies {
		c = strings.ToUpper(strings.TrimSpace(c))
		if len(c) != 3 || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return f, &FilterError{Field: "currency", Reason: fmt.Sprintf("%q is not a 3-letter ISO 4217 code", f.Currencies[i])}
		}
		f.Currencies[i] = c
	}
	for _, t := range f.Tags {
		if err := oneOf("tag", t, Tags); err != nil {
			return f, err
		}
	}
	for _, s := range f.PaymentServices {
		if err := oneOf("payment-service", s, PaymentServices); err != nil {
			return f, err
		}
	}
	for _, n := range f.PGNames {
		if n == "" || strings.Trim(strings.ToLower(n), "abcdefghijklmnopqrstuvwxyz0123456789_-") != "" {
			return f, &FilterError{Field: "pg-name", Reason: fmt.Sprintf("%q is not a gateway name such as kpay or mpgs", n)}
		}
	}
	f.Currencies, f.PGNames, f.Tags, f.PaymentServices = canonical(f.Currencies), canonical(f.PGNames), canonical(f.Tags), canonical(f.PaymentServices)
	return f, nil
}

func canonical(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, v := range list {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// PaymentService is a wallet or service a gateway offers. The API
// documents objects; some examples show bare strings: both decode.
type PaymentService struct {
	Code   string `json:"code"`
	Name   string `json:"name,omitempty"`
	NameAr string `json:"name_ar,omitempty"`
}

// UnmarshalJSON accepts "apple_pay" or {"code":"apple_pay",…}.
func (p *PaymentService) UnmarshalJSON(data []byte) error {
	var code string
	if json.Unmarshal(data, &code) == nil {
		*p = PaymentService{Code: code}
		return nil
	}
	type plain PaymentService
	var obj plain
	if err := json.Unmarshal(data, &obj); err != nil {
		return fmt.Errorf("payment_services item: %w", err)
	}
	*p = PaymentService(obj)
	return nil
}

// PaymentMethod is one gateway/MID (PGPaymentMethods). Type is not in
// that schema: the docs say a method with type "wallet" appears when the
// customer has a positive wallet balance, without saying its shape.
type PaymentMethod struct {
	Code               string           `json:"code"`
	Type               string           `json:"type,omitempty"`
	Name               string           `json:"name"`
	PG                 string           `json:"pg,omitempty"`
	IsSandbox          bool             `json:"is_sandbox"`
	Logo               string           `json:"logo,omitempty"`
	Wallets            []string         `json:"wallets"`
	PaymentServices    []PaymentService `json:"payment_services"`
	DefaultCurrency    string           `json:"default_currency"`
	AcceptedCurrencies []string         `json:"accepted_currencies"`
	Operation          string           `json:"operation"`
	Operations         []string         `json:"operations"`
	IsTokenizable      bool             `json:"is_tokenizable"`
	AutoDebitEnabled   bool             `json:"auto_debit_enabled"`
	Tags               []string         `json:"tags"`
}

// Response is the API's answer.
type Response struct {
	// CustomerPaymentMethods are untyped in the API (strings in practice).
	CustomerPaymentMethods []json.RawMessage `json:"customer_payment_methods"`
	PaymentMethods         []PaymentMethod   `json:"payment_methods"`
	// WithoutCode are the payment_methods entries that have no code, set
	// aside by Parse: the customer's wallet entry (type "wallet") is one.
	// They have no pg_code to pass to checkout.
	WithoutCode []PaymentMethod `json:"-"`
}

// Parse decodes a 200 body leniently: unknown fields are ignored and
// optional ones may be missing, but the body must be an object with a
// payment_methods list (an empty list is "no methods"; an empty body,
// {}, null or a missing list is no answer at all). An entry without a
// code does not fail the list: PGPaymentMethods requires code, but the
// docs also show a customer's wallet as a method of type "wallet" whose
// shape they do not give, so such entries are set aside in WithoutCode.
func Parse(body []byte) (*Response, error) {
	var doc map[string]json.RawMessage
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return nil, errors.New("the answer is empty")
	case bytes.Equal(trimmed, []byte("null")):
		return nil, errors.New("the answer is null")
	case json.Unmarshal(trimmed, &doc) != nil:
		// Decoded below for the error's text.
	case doc["payment_methods"] == nil || bytes.Equal(bytes.TrimSpace(doc["payment_methods"]), []byte("null")):
		return nil, errors.New("the answer has no payment_methods list")
	}
	var r Response
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("not a payment-methods response: %v", err)
	}
	coded := r.PaymentMethods[:0:0]
	for _, m := range r.PaymentMethods {
		if m.Code == "" {
			r.WithoutCode = append(r.WithoutCode, m)
			continue
		}
		coded = append(coded, m)
	}
	r.PaymentMethods = coded
	return &r, nil
}

// Auth is how requests authenticate. Secrets stay in memory only.
type Auth struct {
	Scheme   string // "api-key" or "basic"
	APIKey   string
	Username string
	Password string
}

func (a Auth) header() string {
	if a.Scheme == "basic" {
		return "Basic " + basicToken(a.Username, a.Password)
	}
	return "Api-Key " + a.APIKey
}

// Identity names who is asking without revealing a secret: the scheme,
// the user, and a hash of the secret (so a new key is a new cache entry).
func (a Auth) Identity() string {
	secret, who := a.APIKey, "api-key"
	if a.Scheme == "basic" {
		secret, who = a.Password, "basic:"+a.Username
	}
	sum := sha256.Sum256([]byte("bokuctl-ottu-identity\x00" + secret))
	return who + ":" + hex.EncodeToString(sum[:8])
}

// Client calls the Payment Methods API.
type Client struct {
	// BaseURL is https://<host> or an override.
	BaseURL    string
	Auth       Auth
	HTTPClient *http.Client
}

// List asks for the payment methods matching filters (already
// normalized). It returns the raw body too, for the cache.
func (c *Client) List(ctx context.Context, filters Filters) (*Response, []byte, error) {
	body, _ := json.Marshal(filters)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.BaseURL, "/")+Path, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", c.Auth.header())
	client := http.DefaultClient
	if c.HTTPClient != nil {
		client = c.HTTPClient
	}
	// Never follow a redirect: the request and its Authorization are not
	// resent to where it points.
	noRedirects := *client
	noRedirects.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noRedirects.Do(req)
	if err != nil {
		// A read-only call: a lost answer is simply "unavailable".
		return nil, nil, &UnavailableError{Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, nil, &UnavailableError{Err: err}
	}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		return nil, nil, &RedirectError{Status: resp.StatusCode, Location: resp.Header.Get("Location")}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, newAPIError(resp.StatusCode, resp.Header.Get("Retry-After"), data)
	}
	if mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mediaType != "application/json" {
		return nil, nil, &MalformedError{Err: fmt.Errorf("the answer is %q, not JSON", resp.Header.Get("Content-Type"))}
	}
	parsed, err := Parse(data)
	if err != nil {
		return nil, nil, &MalformedError{Err: err}
	}
	return parsed, data, nil
}

// APIError is a non-200 answer, with the messages from whichever error
// shape Ottu used.
type APIError struct {
	// Path is the path of a Raw call ("" for payment-methods).
	Path       string
	Status     int
	RetryAfter string
	Messages   []string
}

func (e *APIError) Error() string {
	msg := strings.Join(e.Messages, "; ")
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	what := "payment-methods"
	if e.Path != "" {
		what = e.Path
	}
	s := fmt.Sprintf("ottu %s (HTTP %d): %s", what, e.Status, msg)
	if e.RetryAfter != "" {
		s += " (Retry-After: " + e.RetryAfter + ")"
	}
	return s
}

// ExitCode: 400 invalid; 401/403 auth; 429/5xx unavailable.
func (e *APIError) ExitCode() exitcode.Code {
	switch {
	case e.Status == 400 || e.Status == 404 || e.Status == 405 || e.Status == 415:
		return exitcode.Usage
	case e.Status == 401 || e.Status == 403:
		return exitcode.Auth
	case e.Status == 429 || e.Status >= 500:
		return exitcode.Unavailable
	}
	return exitcode.Unexpected
}

// RetryAfterDuration reads Retry-After as seconds, if it is that.
func (e *APIError) RetryAfterDuration() (time.Duration, bool) {
	if n, err := strconv.Atoi(e.RetryAfter); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	return 0, false
}

// newAPIError reads the three error shapes: {"field": ["msg"]},
// {"detail": "msg"} and {"error": {"code","message","field"}}.
func newAPIError(status int, retryAfter string, body []byte) error {
	e := &APIError{Status: status, RetryAfter: retryAfter}
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		if text := strings.TrimSpace(string(body)); text != "" {
			if len(text) > 200 {
				text = text[:200] + "…"
			}
			e.Messages = append(e.Messages, text)
		}
		return e
	}
	if raw, ok := doc["error"]; ok {
		var env struct{ Type, Code, Message, Field string }
		if json.Unmarshal(raw, &env) == nil && env.Message != "" {
			msg := env.Message
			if env.Field != "" {
				msg = env.Field + ": " + msg
			}
			e.Messages = append(e.Messages, msg)
			return e
		}
	}
	if raw, ok := doc["detail"]; ok {
		var detail string
		if json.Unmarshal(raw, &detail) == nil {
			e.Messages = append(e.Messages, detail)
			return e
		}
	}
	fields := make([]string, 0, len(doc))
	for field := range doc {
		fields = append(fields, field)
	}
	sort.Strings(fields)
	for _, field := range fields {
		var list []string
		var one string
		switch {
		case json.Unmarshal(doc[field], &list) == nil:
			e.Messages = append(e.Messages, field+": "+strings.Join(list, " "))
		case json.Unmarshal(doc[field], &one) == nil:
			e.Messages = append(e.Messages, field+": "+one)
		}
	}
	return e
}

// UnavailableError is a network failure.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string { return "ottu: cannot reach Ottu: " + e.Err.Error() }
func (e *UnavailableError) Unwrap() error { return e.Err }

// ExitCode: retry later.
func (e *UnavailableError) ExitCode() exitcode.Code { return exitcode.Unavailable }

// MalformedError is a 200 whose body is not the documented JSON.
type MalformedError struct{ Err error }

func (e *MalformedError) Error() string { return "ottu: malformed response: " + e.Err.Error() }
func (e *MalformedError) Unwrap() error { return e.Err }

// ExitCode: a payment-methods query changes nothing, so an answer that
// cannot be used is 6 (retry later), as for every provider's query
// (docs/exit-codes.md); it is never cached.
func (e *MalformedError) ExitCode() exitcode.Code { return exitcode.Unavailable }

// HintText says what the broken answer means.
func (e *MalformedError) HintText() string {
	return "Ottu's answer is not a payment-methods list, so it says nothing about which methods exist; nothing was cached; try again, or check ottu.base-url (or ottu.host)"
}

// RedirectError is a 3xx: never followed, nothing is resent to where it
// points.
type RedirectError struct {
	Status   int
	Location string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("ottu payment-methods: answered a redirect (HTTP %d) to %s; not followed, nothing was resent", e.Status, e.Location)
}

// ExitCode: the configured URL is not the API (configuration).
func (e *RedirectError) ExitCode() exitcode.Code { return exitcode.Auth }

// HintText names the settings to check.
func (e *RedirectError) HintText() string {
	return "Ottu answered a redirect to " + e.Location + "; check ottu.base-url (or ottu.host) with `bokuctl profile show`"
}

func basicToken(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}
