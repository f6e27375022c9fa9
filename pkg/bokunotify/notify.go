// Package bokunotify reads and verifies Boku's server-to-server
// notifications: Boku Direct Payments 3.0's <charge-notification> and
// <refund-notification> (refunds and chargebacks), XML signed with an
// Authorization header in the request scheme of package sign (inferred:
// Boku's guide says its keys authenticate both directions), and the legacy
// "billingresult"
// callbacks, form parameters with an MD5 "sig" and the amount in minor
// units. It accepts a notification as a live *http.Request, a raw HTTP
// request dump, or a JSON description, and builds the acknowledgement Boku
// expects (Ack).
package bokunotify

import (
	"bufio"
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/bokulegacy"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

// maxBody bounds a notification body.
const maxBody = 1 << 20

// Request is a notification as received: the request line, the headers in
// message order, and the raw body.
type Request struct {
	Method  string
	Target  string
	Headers []sign.Header
	Body    []byte
}

// Get returns the first value of a header, case-insensitively.
func (r *Request) Get(name string) string {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// FromHTTP captures a live request whose body has been read.
func FromHTTP(r *http.Request, body []byte) *Request {
	req := &Request{Method: r.Method, Target: r.RequestURI, Body: body}
	var array [16]string
	names, values := array[:0], 1
	for name, v := range r.Header {
		names = append(names, name)
		values += len(v)
	}
	slices.Sort(names)
	req.Headers = make([]sign.Header, 0, values)
	for _, name := range names {
		for _, v := range r.Header[name] {
			req.Headers = append(req.Headers, sign.Header{Name: name, Value: v})
		}
	}
	if r.Host != "" {
		req.Headers = append(req.Headers, sign.Header{Name: "Host", Value: r.Host})
	}
	return req
}

// MalformedError means the input is not a notification at all.
type MalformedError struct{ Reason string }

func (e *MalformedError) Error() string { return "malformed notification: " + e.Reason }

// ExitCode: bad input.
func (e *MalformedError) ExitCode() exitcode.Code { return exitcode.Usage }

// InvalidError means the notification's signature does not verify.
type InvalidError struct {
	Scheme string
	Reason string
	// Permanent marks a rejection that no redelivery can cure (a validly
	// signed notification for another merchant).
	Permanent bool
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("notification signature is not valid (%s): %s", e.Scheme, e.Reason)
}

// ExitCode: the check answered no.
func (e *InvalidError) ExitCode() exitcode.Code { return exitcode.Declined }

// UnsignedError means the notification carries no signature at all: no
// Authorization header and no legacy sig parameter.
type UnsignedError struct{}

func (e *UnsignedError) Error() string {
	return "unsigned notification: no Authorization header and no sig parameter: nothing to verify"
}

// ExitCode: bad input, as for a malformed notification.
func (e *UnsignedError) ExitCode() exitcode.Code { return exitcode.Usage }

func malformed(format string, args ...any) error {
	return &MalformedError{Reason: fmt.Sprintf(format, args...)}
}

// Parse reads a notification from text: a JSON object
// {"method","path","headers","body"} (headers as an object of strings or
// string arrays, or an array of [name, value] pairs), or a raw HTTP request
// (request line, headers, blank line, body; Content-Length, if present,
// bounds the body, otherwise the rest of the input is the body).
func Parse(data []byte) (*Request, error) {
	if len(data) > maxBody+64<<10 {
		return nil, malformed("input is larger than %d bytes", maxBody)
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, malformed("input is empty")
	}
	if trimmed[0] == '{' {
		return parseJSON(trimmed)
	}
	return parseDump(trimmed)
}

type jsonRequest struct {
	Method  string          `json:"method"`
	Path    string          `json:"path"`
	Headers json.RawMessage `json:"headers"`
	Body    *string         `json:"body"`
}

func parseJSON(data []byte) (*Request, error) {
	var in jsonRequest
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&in); err != nil {
		return nil, malformed("invalid JSON: %v", err)
	}
	req := &Request{Method: strings.ToUpper(in.Method), Target: in.Path}
	if in.Method == "" {
		req.Method = http.MethodPost
	}
	if in.Body != nil {
		req.Body = []byte(*in.Body)
	}
	if len(in.Headers) > 0 && string(in.Headers) != "null" {
		var pairs [][]string
		var object map[string]json.RawMessage
		switch {
		case json.Unmarshal(in.Headers, &pairs) == nil:
			for _, p := range pairs {
				if len(p) != 2 {
					return nil, malformed("each header pair must be [name, value]")
				}
				req.Headers = append(req.Headers, sign.Header{Name: p[0], Value: p[1]})
			}
		case json.Unmarshal(in.Headers, &object) == nil:
			names := make([]string, 0, len(object))
			for name := range object {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				var one string
				var many []string
				switch {
				case json.Unmarshal(object[name], &one) == nil:
					req.Headers = append(req.Headers, sign.Header{Name: name, Value: one})
				case json.Unmarshal(object[name], &many) == nil:
					for _, v := range many {
						req.Headers = append(req.Headers, sign.Header{Name: name, Value: v})
					}
				default:
					return nil, malformed("header %q must be a string or an array of strings", name)
				}
			}
		default:
			return nil, malformed(`"headers" must be an object or an array of [name, value] pairs`)
		}
	}
	if req.Target == "" {
		req.Target = "/"
	}
	return req, nil
}

func parseDump(data []byte) (*Request, error) {
	reader := textproto.NewReader(bufio.NewReader(bytes.NewReader(data)))
	line, err := reader.ReadLine()
	if err != nil {
		return nil, malformed("no request line")
	}
	parts := strings.Fields(line)
	if len(parts) != 3 || !strings.HasPrefix(parts[2], "HTTP/") {
		return nil, malformed("first line %q is not an HTTP request line such as POST /path HTTP/1.1", truncate(line))
	}
	req := &Request{Method: parts[0], Target: parts[1]}
	contentLength := -1
	for {
		line, err := reader.ReadLine()
		if err != nil {
			return nil, malformed("headers do not end with a blank line")
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "" || strings.ContainsAny(name, " \t") {
			return nil, malformed("header line %q is not Name: value", truncate(line))
		}
		req.Headers = append(req.Headers, sign.Header{Name: name, Value: strings.TrimSpace(value)})
		if strings.EqualFold(name, "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < 0 {
				return nil, malformed("Content-Length %q is not a number", value)
			}
			contentLength = n
		}
	}
	var body bytes.Buffer
	if _, err := body.ReadFrom(reader.R); err != nil {
		return nil, malformed("reading body: %v", err)
	}
	req.Body = body.Bytes()
	if contentLength >= 0 {
		if contentLength > len(req.Body) {
			return nil, malformed("Content-Length is %d but the body has %d bytes", contentLength, len(req.Body))
		}
		req.Body = req.Body[:contentLength]
	}
	return req, nil
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// Event is a verified notification.
type Event struct {
	// Scheme is which check passed: "hmac-sha256" or "legacy-md5-sig".
	Scheme            string `json:"scheme"`
	EventType         string `json:"event_type"`
	MerchantID        string `json:"merchant_id,omitempty"`
	ChargeID          string `json:"charge_id,omitempty"`
	MerchantRequestID string `json:"merchant_request_id,omitempty"`
	RefundID          string `json:"refund_id,omitempty"`
	MerchantRefundID  string `json:"merchant_refund_id,omitempty"`
	TransactionID     string `json:"transaction_id,omitempty"`
	Status            string `json:"status,omitempty"`
	Country           string `json:"country,omitempty"`
	Amount            string `json:"amount,omitempty"`
	AmountMinorUnits  *int64 `json:"amount_minor_units,omitempty"`
	Currency          string `json:"currency,omitempty"`
	// ReasonCode and Message are Boku's result of the charge or refund.
	ReasonCode            *int              `json:"reason_code,omitempty"`
	Message               string            `json:"message,omitempty"`
	MerchantTransactionID string            `json:"merchant_transaction_id,omitempty"`
	NetworkID             string            `json:"network_id,omitempty"`
	CreatedAt             string            `json:"created_at,omitempty"`
	Params                map[string]string `json:"params,omitempty"`
}

// Keys are the merchant's identity and key, used to check signatures.
type Keys struct {
	MerchantID string
	KeyID      string
	Key        []byte
	Skew       time.Duration
	Now        time.Time
	// Keyed, if set, is Key's reusable HMAC states, for a receiver that
	// checks many notifications (sign.NewKeyed(Key)).
	Keyed *sign.Keyed
}

// Verify checks a notification's signature and parses it. A request with
// an Authorization header is checked in the HMAC scheme; one with a "sig"
// parameter and action=billingresult in the legacy MD5 scheme.
func Verify(req *Request, keys Keys) (*Event, error) {
	if auth := req.Get("Authorization"); auth != "" {
		return verifyHMAC(req, auth, keys)
	}
	params, err := formParams(req)
	if err != nil {
		return nil, err
	}
	if params.Get("sig") != "" {
		return verifyLegacy(params, keys)
	}
	return nil, &UnsignedError{}
}

// ParseUnsigned reads a Boku 3.0 notification without checking any
// signature, for a receiver that trusts the network it came from (Boku's
// own Postman collection sends notifications unsigned). The notification
// must still be for keys.MerchantID. Its Scheme is "unsigned".
func ParseUnsigned(req *Request, keys Keys) (*Event, error) {
	ev, err := parseDirect(req.Body, "body")
	if err != nil {
		return nil, err
	}
	ev.Scheme = "unsigned"
	if ev.MerchantID != keys.MerchantID {
		return nil, &InvalidError{Scheme: "unsigned", Reason: fmt.Sprintf("notification is for merchant %q", ev.MerchantID), Permanent: true}
	}
	return ev, nil
}

func verifyHMAC(req *Request, auth string, keys Keys) (*Event, error) {
	if req.Method == "" || !strings.HasPrefix(req.Target, "/") {
		return nil, malformed("the method and path are needed to check the signature")
	}
	verify := sign.Verify
	if keys.Keyed != nil {
		verify = keys.Keyed.Verify
	}
	_, err := verify(sign.Message{Method: req.Method, Target: req.Target, Headers: req.Headers, Body: req.Body}, auth,
		func(partnerID, keyID string) ([]byte, error) {
			if partnerID != keys.MerchantID || keyID != keys.KeyID {
				return nil, fmt.Errorf("signed by %s/%s, expected %s/%s", partnerID, keyID, keys.MerchantID, keys.KeyID)
			}
			return keys.Key, nil
		}, keys.Now, keys.Skew)
	if err != nil {
		var verr *sign.VerifyError
		if errors.As(err, &verr) {
			return nil, &InvalidError{Scheme: "hmac-sha256", Reason: verr.Reason}
		}
		return nil, &InvalidError{Scheme: "hmac-sha256", Reason: err.Error()}
	}
	ev, err := parseDirect(req.Body, "signed body")
	if err != nil {
		return nil, err
	}
	if ev.MerchantID != keys.MerchantID {
		return nil, &InvalidError{Scheme: "hmac-sha256", Reason: fmt.Sprintf("notification is for merchant %q", ev.MerchantID), Permanent: true}
	}
	return ev, nil
}

// directNotification is Boku 3.0's <charge-notification><charge> or
// <refund-notification><refund>.
type directNotification struct {
	XMLName xml.Name
	Charge  *bokudirect.Charge `xml:"charge"`
	Refund  *bokudirect.Refund `xml:"refund"`
}

// parseDirect reads a Boku 3.0 notification body (what names it in
// errors: "signed body") in one pass: verification used to read it once for
// its root element, then again for its fields.
//
// A body in the plain form Boku sends is read by scanDirect; any other is
// decoded by encoding/xml, which says what is wrong with it.
func parseDirect(body []byte, what string) (*Event, error) {
	n, ok := scanDirect(body)
	if !ok {
		var err error
		if n, err = decodeDirect(body, what); err != nil {
			return nil, err
		}
	}
	return directEvent(&n)
}

// decodeDirect decodes a notification body with encoding/xml.
func decodeDirect(body []byte, what string) (directNotification, error) {
	var n directNotification
	err := xml.Unmarshal(body, &n)
	var syntax *xml.SyntaxError
	if err != nil && (n.XMLName.Local == "" || errors.As(err, &syntax)) {
		return n, malformed("%s is not XML: %v", what, err)
	}
	root := n.XMLName.Local
	switch root {
	case "charge-notification", "refund-notification":
	default:
		return n, malformed("%s is a <%s>, not a <charge-notification> or <refund-notification>", what, root)
	}
	if err != nil {
		return n, malformed("<%s>: %v", root, err)
	}
	return n, nil
}

// directEvent is the event of a decoded notification, or why it is not
// one.
func directEvent(n *directNotification) (*Event, error) {
	root := n.XMLName.Local
	ev := &Event{Scheme: "hmac-sha256"}
	var result bokudirect.Result
	var amount string
	switch {
	case root == "charge-notification" && n.Charge != nil:
		c := n.Charge
		result, amount = c.Result, c.TotalAmount
		ev.EventType, ev.ChargeID, ev.Status, ev.MerchantID = "charge", c.ChargeID, c.ChargeStatus, c.MerchantID
		ev.MerchantTransactionID, ev.Country, ev.NetworkID, ev.Currency, ev.CreatedAt = c.MerchantTransactionID, c.Country, c.NetworkID, c.Currency, c.Timestamp
		if ev.ChargeID == "" {
			return nil, malformed("<charge-notification> has no <charge-id>")
		}
	case root == "refund-notification" && n.Refund != nil:
		r := n.Refund
		result, amount = r.Result, r.RefundAmount
		ev.EventType = "refund"
		if r.Type == "chargeback" {
			ev.EventType = "chargeback"
		}
		ev.RefundID, ev.MerchantRefundID, ev.ChargeID, ev.Status, ev.MerchantID = r.RefundID, r.MerchantRefundID, r.ChargeID, r.RefundStatus, r.MerchantID
		ev.MerchantTransactionID, ev.Country, ev.NetworkID, ev.Currency, ev.CreatedAt = r.MerchantTransactionID, r.Country, r.NetworkID, r.Currency, r.Timestamp
		if ev.RefundID == "" {
			return nil, malformed("<refund-notification> has no <refund-id>")
		}
	default:
		return nil, malformed("<%s> has no <%s>", root, strings.TrimSuffix(root, "-notification"))
	}
	if result.Status != "OK" && result.Status != "ERROR" {
		return nil, malformed("<%s> has no <result status=\"OK|ERROR\">", root)
	}
	code := result.ReasonCode
	ev.ReasonCode, ev.Message, ev.Country = &code, result.Message, strings.ToLower(ev.Country)
	if amount != "" {
		a, err := bokudirect.ParseWireAmount(amount, ev.Currency)
		if err != nil {
			return nil, malformed("amount: %v", err)
		}
		minor := a.MinorUnits
		ev.Amount, ev.AmountMinorUnits = a.Decimal(), &minor
	}
	return ev, nil
}

// Ack is the body of the answer Boku expects to a notification:
// <notification-response> with an OK result. With retriable, the result
// is ERROR and retriable, so Boku sends the notification again later
// (after 1 minute, then ×1.5, up to 60 minutes apart, for 24 hours).
func Ack(retriable bool) []byte {
	result := `<result status="OK"><reason-code>0</reason-code><message>Ack</message><retriable>false</retriable></result>`
	if retriable {
		return Rejection{ReasonCode: ReasonInternal, Message: "Not delivered yet, try again", Retriable: true}.Body()
	}
	return []byte(xml.Header + "<notification-response>" + result + "</notification-response>\n")
}

// Reason codes of a <notification-response>, from Boku's spec: 35 an
// internal error in the merchant's system, 43 an invalid request.
const (
	ReasonInternal = 35
	ReasonInvalid  = 43
)

// Rejection is the <notification-response> answering a notification that
// was not accepted, and whether Boku should send it again.
type Rejection struct {
	ReasonCode int
	Message    string
	Retriable  bool
}

// Body is the answer Boku reads: <notification-response> with an ERROR
// result.
func (r Rejection) Body() []byte {
	var msg bytes.Buffer
	xml.EscapeText(&msg, []byte(r.Message))
	return []byte(xml.Header + "<notification-response><result status=\"ERROR\"><reason-code>" + strconv.Itoa(r.ReasonCode) +
		"</reason-code><message>" + msg.String() + "</message><retriable>" + strconv.FormatBool(r.Retriable) + "</retriable></result></notification-response>\n")
}

// Reject chooses the answer to a notification Verify refused. Boku's
// spec: retriable=true means the notification can be sent again, and
// Boku then retries for 24 hours. So:
//   - a missing or failing signature (unsigned, wrong key, stale
//     timestamp) is reason 43, retriable: Boku signs every notification
//     (inferred), so from Boku this means the receiver's key, key id or
//     clock is wrong, which the operator can fix while Boku retries; a
//     forger gains nothing from being told to retry;
//   - a validly signed notification for another merchant, and a body that
//     is not a notification (malformed XML, missing ids, a bad amount),
//     are reason 43, not retriable: the same bytes would fail again.
func Reject(err error) Rejection {
	var invalid *InvalidError
	var unsigned *UnsignedError
	switch {
	case errors.As(err, &invalid) && invalid.Permanent:
		return Rejection{ReasonCode: ReasonInvalid, Message: "Invalid request: " + invalid.Reason, Retriable: false}
	case errors.As(err, &invalid):
		return Rejection{ReasonCode: ReasonInvalid, Message: "Signature not valid", Retriable: true}
	case errors.As(err, &unsigned):
		return Rejection{ReasonCode: ReasonInvalid, Message: "Notification not signed", Retriable: true}
	}
	var bad *MalformedError
	if errors.As(err, &bad) {
		return Rejection{ReasonCode: ReasonInvalid, Message: "Invalid request: " + bad.Reason, Retriable: false}
	}
	return Rejection{ReasonCode: ReasonInternal, Message: "Internal error", Retriable: true}
}

// formParams collects form parameters from the query and, for a form body,
// the body.
func formParams(req *Request) (url.Values, error) {
	params := url.Values{}
	if _, query, ok := strings.Cut(req.Target, "?"); ok {
		q, err := url.ParseQuery(query)
		if err != nil {
			return nil, malformed("query string: %v", err)
		}
		for k, v := range q {
			params[k] = append(params[k], v...)
		}
	}
	ct := strings.ToLower(req.Get("Content-Type"))
	if len(req.Body) > 0 && (ct == "" || strings.HasPrefix(ct, "application/x-www-form-urlencoded")) {
		body, err := url.ParseQuery(string(req.Body))
		if err != nil && strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			return nil, malformed("form body: %v", err)
		}
		for k, v := range body {
			params[k] = append(params[k], v...)
		}
	}
	return params, nil
}

func verifyLegacy(params url.Values, keys Keys) (*Event, error) {
	if len(params["sig"]) != 1 {
		return nil, malformed("sig appears %d times", len(params["sig"]))
	}
	if params.Get("action") != "billingresult" {
		return nil, malformed("legacy notifications need action=billingresult, got %q", params.Get("action"))
	}
	for _, required := range []string{"trx-id", "param", "currency", "amount"} {
		if params.Get(required) == "" {
			return nil, malformed("billingresult lacks %s", required)
		}
	}
	want := bokulegacy.Signature(params, keys.Key)
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(params.Get("sig")))) != 1 {
		return nil, &InvalidError{Scheme: "legacy-md5-sig", Reason: "sig does not match"}
	}
	// The legacy API counts in minor units: amount=100 is 1.00.
	minorUnits, err := strconv.ParseInt(params.Get("amount"), 10, 64)
	if err != nil || minorUnits < 0 {
		return nil, malformed("amount %q is not a whole number of minor units (the legacy API sends 100 for 1.00)", params.Get("amount"))
	}
	amount, err := money.FromMinor(minorUnits, params.Get("currency"))
	if err != nil {
		return nil, malformed("amount: %v", err)
	}
	minor := amount.MinorUnits
	ev := &Event{Scheme: "legacy-md5-sig", EventType: "billingresult", TransactionID: params.Get("trx-id"),
		MerchantRequestID: params.Get("param"), Currency: amount.Currency.Code, Amount: amount.Decimal(), AmountMinorUnits: &minor,
		Params: map[string]string{}}
	for name := range params {
		if name != "sig" {
			ev.Params[name] = params.Get(name)
		}
	}
	return ev, nil
}
