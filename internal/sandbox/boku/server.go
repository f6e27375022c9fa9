// Package boku is a faithful fake of Boku Direct Payments 3.0 for tests and
// `bokuctl sandbox`. It verifies request signatures, key ids, merchant ids
// and timestamps as Boku does, signs its 200 responses, keeps opt-ins and
// charges with their state machines, and treats merchant-request-id as an
// idempotency key. Magic values trigger declines and faults; they are
// listed in docs/sandbox.md.
package boku

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bokuctl/bokuctl/pkg/money"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

// Merchant is an account the fake knows, with its signing key.
type Merchant struct {
	ID    string
	KeyID string
	Key   []byte
}

// Magic values (docs/sandbox.md).
const (
	// BarredPaymentMethod is a payment method whose consumer is barred
	// (reason 4) at the opt-in.
	BarredPaymentMethod = "sandbox-barred"
	// Charge amounts, in minor units.
	AmountInsufficientFunds = 666
	AmountInProgress        = 777
	AmountUnavailableOnce   = 503
	AmountDropConnection    = 1313
	AmountHeldAnswer        = 1414
	AmountBadSignature      = 444
	// (AmountHeldAnswer: recorded, then the answer is held until the
	// client goes away, at most HeldAnswerFor.)
	// AmountLimit is the highest amount a single charge may have.
	AmountLimit = 99999
)

// Reason codes, from Boku's published table (docs/boku.md).
const (
	ReasonInsufficientFunds  = 3   // insufficient credit
	ReasonConsumerBlocked    = 4   // user barred
	ReasonInProgress         = 23  // submitted and in progress (retriable)
	ReasonAmountOverLimit    = 29  // amount not supported
	ReasonInvalidRequest     = 43  // invalid request
	ReasonConflictingID      = 124 // merchant-request-id reused for another request
	ReasonNotSupported       = 86  // feature not supported (a forex pair, an optin-type other than hosted)
	ReasonBillingErrorReplay = 107 // a failed charge re-sent
	ReasonOptinNotFound      = 125 // opt-in not found
	ReasonOptinNotActive     = 126 // opt-in not active
	ReasonAlreadyReversed    = 130 // already reversed
	ReasonAlreadyRefunded    = 131 // a reversal of a refunded charge
	ReasonOptinNotVerified   = 136 // opt-in not yet verified
	ReasonOptinConflict      = 137 // conflicting update to the opt-in
	ReasonReversalExpired    = 132 // reversal window expired
	ReasonChargeNotFound     = 133 // charge not found
	ReasonChargeNotBilled    = 135 // charge not billed
	ReasonFullyRefunded      = 145 // fully refunded
	ReasonRefundExceeds      = 146 // refund exceeds what remains
	ReasonRefundNotFound     = 153 // refund not found
)

// countryCurrencies lists the currencies each supported country accepts.
var countryCurrencies = map[string][]string{
	"gb": {"GBP"}, "us": {"USD"}, "de": {"EUR"}, "fr": {"EUR"}, "es": {"EUR"},
	"it": {"EUR"}, "nl": {"EUR"}, "jp": {"JPY"}, "kw": {"KWD"}, "bh": {"BHD"},
	"ae": {"AED"}, "sa": {"SAR"}, "in": {"INR"}, "id": {"IDR"}, "ph": {"PHP"},
}

// optin is a hosted opt-in: pending-validate until the consumer approved
// at its optin-url and the merchant validated it, then pending-confirm,
// active once confirmed, closed once cancelled.
type optin struct {
	// requestID is the merchant-request-id of the optin call (Boku's
	// optin-request-id).
	requestID, id     string
	merchantID        string
	country           string
	kind              string
	forwardURL        string
	method            string
	state             string
	approved          bool
	merchantRequestID string
	response          optinResponse
	// Set through the simulator: the code validate-optin answers, the
	// account identifier shown, and how charges and refunds end.
	validateCode           int
	accountIdentifier      string
	chargeCode, refundCode *int
}

type charge struct {
	id, merchantID, merchantRequestID string
	merchantTransactionID             string
	merchantData, description         string
	optinID, country, currency        string
	amount                            int64
	status                            string
	reasonCode                        int
	message                           string
	refunded                          int64
	created                           time.Time
	// forwardURL and notificationURL belong to a hosted one-off charge
	// (begin-single-charge): it is in progress until the consumer
	// authorizes it at its redirect-url.
	forwardURL, notificationURL string
	// held keeps a charge in progress for ever (the simulator's 23).
	held          bool
	paymentMethod string
	// reversalID is set once the charge is reversed, at reversedAt.
	reversalID string
	reversedAt time.Time
}

// Server is the fake. Create it with New; it is an http.Handler.
type Server struct {
	// Now is the fake's clock; tests may replace it.
	Now func() time.Time
	// RetryBase scales Boku's notification retry schedule (default one
	// minute: 1 min, ×1.5, capped at 60, for 24 hours).
	RetryBase time.Duration
	Skew      time.Duration

	mu           sync.Mutex
	merchants    map[string]Merchant
	optins       map[string]*optin // by optin-id
	optinsByID   map[string]*optin
	optinByMRID  map[string]*optin // merchant/merchant-request-id
	charges      map[string]*charge
	chargeByMRID map[string]*charge
	reversals    map[string]string // merchant/merchant-request-id → reversal id of a charge never seen
	failedOnce   map[string]bool
	refunds      map[string]*refund
	refundByMRID map[string]*refund
	callbacks    map[string]string // merchant id → notification URL
	// optinBehaviors are simulator behaviours set before an optin call,
	// by merchant/merchant-request-id.
	optinBehaviors map[string]optinBehavior
	deliveries     []Delivery
	seq            int
	requests       int
	// faults are outages set by tests (SetFault), by call.
	faults map[string]Fault
	// dirty, once TrackChanges is called, notes what requests changed
	// (for `sandbox serve --state`'s log).
	dirty *dirty
}

// New returns a fake that knows the given merchants.
func New(merchants ...Merchant) *Server {
	s := &Server{
		Now:            time.Now,
		RetryBase:      defaultRetryBase,
		Skew:           sign.DefaultSkew,
		merchants:      map[string]Merchant{},
		optins:         map[string]*optin{},
		optinsByID:     map[string]*optin{},
		optinByMRID:    map[string]*optin{},
		charges:        map[string]*charge{},
		chargeByMRID:   map[string]*charge{},
		reversals:      map[string]string{},
		failedOnce:     map[string]bool{},
		refunds:        map[string]*refund{},
		refundByMRID:   map[string]*refund{},
		callbacks:      map[string]string{},
		optinBehaviors: map[string]optinBehavior{},
	}
	for _, m := range merchants {
		s.merchants[m.ID] = m
	}
	return s
}

// Fault is an outage a test sets on one call.
type Fault string

// The faults.
const (
	FaultNone Fault = ""
	// FaultUnavailable answers 503 with no Retry-After, processing nothing.
	FaultUnavailable Fault = "unavailable"
	// FaultDrop closes the connection without processing or answering:
	// a request that never reached Boku, as the client sees it.
	FaultDrop Fault = "drop"
	// FaultLoseAnswer processes the request, then closes the connection
	// without the answer.
	FaultLoseAnswer Fault = "lose-answer"
)

// discardWriter is where a lost answer goes.
type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}

// SetFault makes call (charge, query-charge, refund-charge, …) fail with
// fault until it is set to FaultNone. It is a test tool, not Boku
// behaviour.
func (s *Server) SetFault(call string, fault Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults == nil {
		s.faults = map[string]Fault{}
	}
	s.faults[call] = fault
}

// RefundCount is the number of refunds recorded.
func (s *Server) RefundCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.refunds)
}

// ChargeCount is the number of charges recorded, for tests that prove a
// retry did not charge twice.
func (s *Server) ChargeCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.charges)
}

// HeldAnswerFor bounds how long a 14.14 charge's answer is held.
var HeldAnswerFor = time.Minute

// HasCharge reports whether the merchant has a charge with this merchant
// request id, for tests that act while its answer is held back.
func (s *Server) HasCharge(merchantID, merchantRequestID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.chargeByMRID[mrKey(merchantID, merchantRequestID)]
	return ok
}

// RequestCount is the number of API requests received, for tests that
// prove a command sent nothing.
func (s *Server) RequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func (s *Server) nextID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s-%06d", prefix, s.seq)
}

var calls = map[string]map[string]bool{
	"optin": {"optin": true, "validate-optin": true, "confirm-optin": true, "query-optin": true, "cancel-optin": true},
	"billing": {"charge": true, "begin-single-charge": true, "query-charge": true, "reverse-charge": true, "refund-charge": true,
		"query-refund": true, "forex": true, "fund-check": true},
}

// ServeHTTP routes /{country}/{family}/3.0/{call} and /consent/{id}.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, rest, ok := strings.Cut(r.URL.Path, "/merchant-api/"); ok {
		s.simulate(w, r, rest)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) == 2 && parts[0] == "consent" {
		s.consent(w, r, parts[1])
		return
	}
	if len(parts) != 4 || len(parts[0]) != 2 || parts[2] != "3.0" || !calls[parts[1]][parts[3]] {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	urlCountry, call := parts[0], parts[3]
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "bad request body", http.StatusBadRequest)
		return
	}
	merchant, err := s.authenticate(r, body)
	if err != nil {
		// Boku answers authentication failures with unsigned plain text.
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
		writeXML(w, http.StatusBadRequest, failure(call, ReasonInvalidRequest, "Content-Type must be text/xml, got "+ct))
		return
	}
	var who merchantOf
	if err := xml.Unmarshal(body, &who); err != nil {
		writeXML(w, http.StatusBadRequest, failure(call, ReasonInvalidRequest, "malformed XML: "+err.Error()))
		return
	}
	if who.MerchantID != merchant.ID {
		http.Error(w, fmt.Sprintf("merchant-id %q does not match the signing partner %q", who.MerchantID, merchant.ID), http.StatusUnauthorized)
		return
	}
	h := handlers[call]
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.faults[call] {
	case FaultUnavailable:
		// What an outage in front of Boku looks like: nothing processed.
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	case FaultDrop:
		// The request is lost on its way: nothing processed, no answer.
		dropConnection(w)
		return
	case FaultLoseAnswer:
		// Processed, and the answer is lost on its way back.
		h(s, &exchange{s: s, w: discardWriter{header: http.Header{}}, r: r, body: body, merchant: merchant, urlCountry: urlCountry, call: call})
		dropConnection(w)
		return
	}
	h(s, &exchange{s: s, w: w, r: r, body: body, merchant: merchant, urlCountry: urlCountry, call: call})
}

// authenticate verifies the Authorization header.
func (s *Server) authenticate(r *http.Request, body []byte) (Merchant, error) {
	var headers []sign.Header
	for name, values := range r.Header {
		for _, v := range values {
			headers = append(headers, sign.Header{Name: name, Value: v})
		}
	}
	var merchant Merchant
	_, err := sign.Verify(sign.Message{Method: r.Method, Target: r.RequestURI, Headers: headers, Body: body},
		r.Header.Get("Authorization"),
		func(partnerID, keyID string) ([]byte, error) {
			m, ok := s.merchants[partnerID]
			if !ok {
				return nil, fmt.Errorf("unknown partner-id %q", partnerID)
			}
			if m.KeyID != keyID {
				return nil, fmt.Errorf("unknown key-id %q for partner %q", keyID, partnerID)
			}
			merchant = m
			return m.Key, nil
		}, s.Now(), s.Skew)
	if err != nil {
		return Merchant{}, err
	}
	// Signing Content-Type is recommended, not required: Boku's own
	// Postman signer signs no headers, and its test server only warns.
	return merchant, nil
}

// exchange is one request being answered.
type exchange struct {
	s          *Server
	w          http.ResponseWriter
	r          *http.Request
	body       []byte
	merchant   Merchant
	urlCountry string
	call       string
}

func (x *exchange) decode(v any) bool {
	if err := xml.Unmarshal(x.body, v); err != nil {
		x.invalid("malformed XML: " + err.Error())
		return false
	}
	return true
}

// checkCountry enforces URL country == body country, and a known country.
func (x *exchange) checkCountry(bodyCountry string) bool {
	if bodyCountry == "" {
		x.invalid("missing <country>")
		return false
	}
	if !strings.EqualFold(bodyCountry, x.urlCountry) {
		x.invalid(fmt.Sprintf("country %s in the request does not match %s in the URL", bodyCountry, x.urlCountry))
		return false
	}
	if _, ok := countryCurrencies[strings.ToLower(bodyCountry)]; !ok {
		x.invalid("country " + bodyCountry + " is not supported")
		return false
	}
	return true
}

// invalid answers an invalid request as Boku's spec does: a signed 200
// with ERROR 43.
func (x *exchange) invalid(message string) {
	x.ok(failure(x.call, ReasonInvalidRequest, message))
}

// fieldCheck gathers the refused fields of one request.
type fieldCheck []invalidField

// refuse records one refused field.
func (c *fieldCheck) refuse(path, reason string) {
	*c = append(*c, invalidField{Path: path, Reason: reason})
}

// need refuses an empty value or one longer than max characters.
func (c *fieldCheck) need(path, value string, max int) {
	if value == "" {
		c.refuse(path, "must not be empty")
		return
	}
	c.atMost(path, value, max)
}

// atMost refuses a value longer than max characters.
func (c *fieldCheck) atMost(path, value string, max int) {
	if len(value) > max {
		c.refuse(path, fmt.Sprintf("must be at most %d characters", max))
	}
}

// invalidFields answers 43 naming each refused field, as Boku's spec does,
// and reports whether there were any.
func (x *exchange) invalidFields(fields fieldCheck) bool {
	if len(fields) == 0 {
		return false
	}
	r := failResult(ReasonInvalidRequest, "Invalid request", false)
	r.InvalidFields = fields
	x.ok(struct {
		XMLName xml.Name
		Result  result `xml:"result"`
	}{XMLName: xml.Name{Local: x.call + "-response"}, Result: r})
	return true
}

// conflict answers a merchant-request-id (or merchant-refund-id) reused
// for a different request: a signed 200 with ERROR 124, as Boku's spec has.
func (x *exchange) conflict(message string) {
	x.ok(failure(x.call, ReasonConflictingID, message))
}

// ok writes a signed 200 answer.
func (x *exchange) ok(v any) { writeSigned(x.w, x.merchant, v, x.s.Now(), false) }

// failure is a minimal ERROR document for any call.
func failure(call string, reason int, message string) any {
	return struct {
		XMLName xml.Name
		Result  result `xml:"result"`
	}{XMLName: xml.Name{Local: call + "-response"}, Result: result{Status: "ERROR", ReasonCode: reason, Message: message}}
}

func okResult() result { return result{Status: "OK", ReasonCode: 0, Message: "success"} }

func failResult(reason int, message string, retriable bool) result {
	return result{Status: "ERROR", ReasonCode: reason, Message: message, Retriable: retriable}
}

const contentType = "text/xml;charset=utf-8"

func encode(v any) []byte {
	encoded, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("sandbox: encode %T: %v", v, err))
	}
	return append([]byte(xml.Header), encoded...)
}

// writeXML writes an unsigned answer: Boku signs only its 200s.
func writeXML(w http.ResponseWriter, status int, v any) {
	body := encode(v)
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// writeSigned writes a 200 with X-SignedResponse; corrupt spoils the
// signature, to test that clients check it.
func writeSigned(w http.ResponseWriter, m Merchant, v any, now time.Time, corrupt bool) {
	body := encode(v)
	params, err := sign.Sign(sign.Message{Headers: []sign.Header{{Name: "Content-Type", Value: contentType}}, Body: body},
		m.Key, m.ID, m.KeyID, []string{"Content-Type"}, now)
	if err != nil {
		panic(fmt.Sprintf("sandbox: sign response: %v", err))
	}
	if corrupt {
		params.Signature = strings.Repeat("0", 64)
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-SignedResponse", params.String())
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// currencyFor checks that currency is valid for country.
func currencyFor(country, currency string) error {
	if _, err := money.LookupCurrency(currency); err != nil {
		return err
	}
	for _, c := range countryCurrencies[strings.ToLower(country)] {
		if c == currency {
			return nil
		}
	}
	return fmt.Errorf("currency %s is not valid for country %s (expected %s)", currency, strings.ToUpper(country), strings.Join(countryCurrencies[strings.ToLower(country)], ", "))
}
