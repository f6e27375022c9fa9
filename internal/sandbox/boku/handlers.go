package boku

import (
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

var handlers = map[string]func(*Server, *exchange){
	"optin":               (*Server).beginOptin,
	"validate-optin":      (*Server).validateOptin,
	"confirm-optin":       (*Server).confirmOptin,
	"query-optin":         (*Server).queryOptin,
	"cancel-optin":        (*Server).cancelOptin,
	"charge":              (*Server).charge,
	"begin-single-charge": (*Server).beginSingleCharge,
	"query-charge":        (*Server).queryCharge,
	"reverse-charge":      (*Server).reverseCharge,
	"refund-charge":       (*Server).refundCharge,
	"query-refund":        (*Server).queryRefund,
	"forex":               (*Server).forex,
	"fund-check":          (*Server).fundCheck,
}

func mrKey(merchant, merchantRequestID string) string { return merchant + "/" + merchantRequestID }

// usedFor is the call a merchant/merchant-request-id key was used for, ""
// when it is unused. The spec's merchant-request-ids are one namespace per
// merchant: one reused for another kind of call is 124, as a reuse with
// other content is. The calls that keep their id are optin, charge,
// begin-single-charge and refund-charge.
func (s *Server) usedFor(key string) string {
	if _, ok := s.optinByMRID[key]; ok {
		return "optin"
	}
	if c, ok := s.chargeByMRID[key]; ok {
		if c.forwardURL != "" {
			return "begin-single-charge"
		}
		return "charge"
	}
	if _, ok := s.refundByMRID[key]; ok {
		return "refund-charge"
	}
	return ""
}

// reusedForAnother answers 124 when key was used for a call other than
// call, and reports whether it did.
func (x *exchange) reusedForAnother(key, call, merchantRequestID string) bool {
	if used := x.s.usedFor(key); used != "" && used != call {
		x.conflict("merchant-request-id " + merchantRequestID + " was already used for " + used)
		return true
	}
	return false
}

// beginOptin is optin/3.0/optin (hosted): the consumer approves at the
// optin-url the answer carries, and is sent back to the forward-url.
func (s *Server) beginOptin(x *exchange) {
	var req optinRequest
	if !x.decode(&req) || !x.checkCountry(req.Country) {
		return
	}
	var bad fieldCheck
	bad.need("merchantRequestId", req.MerchantRequestID, 50)
	if req.PaymentMethod == "" {
		bad.refuse("paymentMethod", "must not be empty")
	}
	if req.OptinType == "" {
		bad.refuse("optinType", "must not be empty")
	}
	if req.Hosted == nil || req.Hosted.ForwardURL == "" {
		bad.refuse("hosted.forwardUrl", "must not be empty")
	} else if u, err := url.Parse(req.Hosted.ForwardURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad.refuse("hosted.forwardUrl", "must be an http(s) URL")
	}
	bad.atMost("merchantConsumerId", req.MerchantConsumerID, 64)
	if x.invalidFields(bad) {
		return
	}
	if req.OptinType != "hosted" {
		// The spec's only optin-type is hosted; reason 86's own example
		// is "requested opt-in method not supported". Nothing is kept.
		x.ok(optinResponse{XMLName: xml.Name{Local: "optin-response"}, Result: failResult(ReasonNotSupported, "Requested opt-in method not supported: "+req.OptinType, false),
			Timestamp: bokuTime(s.Now()), MerchantID: x.merchant.ID, MerchantRequestID: req.MerchantRequestID, PaymentMethod: req.PaymentMethod, OptinType: req.OptinType})
		return
	}
	key := mrKey(x.merchant.ID, req.MerchantRequestID)
	if x.reusedForAnother(key, "optin", req.MerchantRequestID) {
		return
	}
	if prior, ok := s.optinByMRID[key]; ok {
		x.ok(prior.response)
		return
	}
	o := &optin{
		requestID: req.MerchantRequestID, id: s.nextID("oi"), merchantID: x.merchant.ID, country: strings.ToLower(req.Country),
		kind: "hosted", forwardURL: req.Hosted.ForwardURL, method: req.PaymentMethod, state: "pending-validate", merchantRequestID: req.MerchantRequestID,
	}
	resp := s.optinAnswer("optin-response", o, req.MerchantRequestID)
	resp.OptinRequestID = ""
	if b, ok := s.optinBehaviors[key]; ok {
		// Set through the simulator before this optin call.
		code := atoi(b.ResponseCode)
		o.accountIdentifier = b.AccountIdentifier
		o.approved = b.SendRedirection == "true"
		if b.FailOnValidate == "true" {
			o.validateCode = code
		} else if code != 0 {
			resp = optinResponse{XMLName: xml.Name{Local: "optin-response"}, Result: failResult(code, "Simulated failure", false),
				MerchantID: x.merchant.ID, MerchantRequestID: req.MerchantRequestID}
			o.state = "closed"
			o.response = resp
			s.optinByMRID[key] = o
			x.ok(resp)
			return
		}
	}
	if req.PaymentMethod == BarredPaymentMethod {
		o.state = "closed"
		resp = optinResponse{XMLName: xml.Name{Local: "optin-response"}, Result: failResult(ReasonConsumerBlocked, "User barred", false),
			MerchantID: x.merchant.ID, MerchantRequestID: req.MerchantRequestID}
	} else {
		resp.OptinURL = "http://" + x.r.Host + "/consent/" + o.id
	}
	o.response = resp
	s.optins[o.id] = o
	s.optinsByID[o.id] = o
	s.optinByMRID[key] = o
	s.markOptin(o)
	x.ok(resp)
}

// optinAnswer is an OK answer about o.
func (s *Server) optinAnswer(root string, o *optin, merchantRequestID string) optinResponse {
	state := &optinStateElem{OptinStatus: o.state, Country: strings.ToUpper(o.country), NetworkID: networkID(o.country)}
	if o.state != "pending-validate" {
		state.AccountIdentifier, state.IssuerUniqueUserID = "sa****er@"+o.method+".example", "u"+strings.TrimPrefix(o.id, "oi-")
		if o.accountIdentifier != "" {
			state.AccountIdentifier = o.accountIdentifier
		}
	}
	return optinResponse{XMLName: xml.Name{Local: root}, Result: okResult(), Timestamp: bokuTime(s.Now()), MerchantID: o.merchantID,
		MerchantRequestID: merchantRequestID, OptinRequestID: o.requestID, OptinID: o.id, OptinState: state, PaymentMethod: o.method, OptinType: o.kind}
}

// consent is the issuer's page of a hosted opt-in: visiting it approves
// the opt-in and redirects the consumer to the merchant's forward-url.
func (s *Server) consent(w http.ResponseWriter, r *http.Request, optinID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.charges[optinID]; ok && c.forwardURL != "" && c.status == "in-progress" {
		s.authorizeSingleCharge(w, r, c)
		return
	}
	o, ok := s.optins[optinID]
	if !ok || o.state != "pending-validate" {
		http.Error(w, "no such opt-in awaiting consent", http.StatusNotFound)
		return
	}
	o.approved = true
	s.markOptin(o)
	http.Redirect(w, r, o.forwardURL, http.StatusFound)
}

// findOptin resolves an optin-id or optin-request-id of x's merchant.
func (s *Server) findOptin(x *exchange, req optinRef) *optin {
	var o *optin
	if req.OptinID != "" {
		o = s.optinsByID[req.OptinID]
	} else if req.OptinRequestID != "" {
		o = s.optinByMRID[mrKey(x.merchant.ID, req.OptinRequestID)]
	}
	if o == nil || o.merchantID != x.merchant.ID {
		return nil
	}
	return o
}

// optinCall decodes and checks an optin-id/optin-request-id call and
// answers "not found" itself.
func (s *Server) optinCall(x *exchange, root string, needType bool) (*optin, optinRef, bool) {
	var req optinRef
	if !x.decode(&req) || !x.checkCountry(req.Country) {
		return nil, req, false
	}
	var bad fieldCheck
	if req.MerchantRequestID == "" {
		bad.refuse("merchantRequestId", "must not be empty")
	}
	if req.OptinID == "" && req.OptinRequestID == "" {
		bad.refuse("optinId", "one of optinId or optinRequestId is required")
	}
	if needType && req.OptinType != "hosted" {
		bad.refuse("optinType", "must be hosted")
	}
	if x.invalidFields(bad) {
		return nil, req, false
	}
	o := s.findOptin(x, req)
	if o == nil {
		x.ok(optinResponse{XMLName: xml.Name{Local: root}, Result: failResult(ReasonOptinNotFound, "Optin Not Found", false),
			MerchantID: x.merchant.ID, MerchantRequestID: req.MerchantRequestID, OptinID: req.OptinID})
		return nil, req, false
	}
	return o, req, true
}

// validateOptin is optin/3.0/validate-optin: after the consumer approved,
// the opt-in becomes pending-confirm. Before they have, the answer is
// ERROR 136 "not yet verified", the code the spec lists for
// validate-optin (with the opt-in's state, still pending-validate).
func (s *Server) validateOptin(x *exchange) {
	o, req, ok := s.optinCall(x, "validate-optin-response", true)
	if !ok {
		return
	}
	switch {
	case o.state == "pending-validate" && !o.approved:
		resp := s.optinAnswer("validate-optin-response", o, req.MerchantRequestID)
		resp.Result = failResult(ReasonOptinNotVerified, "The consumer has not finished the opt-in yet: not yet verified", false)
		x.ok(resp)
		return
	case o.state == "pending-validate" && o.validateCode != 0:
		x.ok(optinResponse{XMLName: xml.Name{Local: "validate-optin-response"}, Result: failResult(o.validateCode, "Simulated failure", false),
			MerchantID: x.merchant.ID, MerchantRequestID: req.MerchantRequestID, OptinID: o.id})
		return
	case o.state == "pending-validate":
		o.state = "pending-confirm"
		s.markOptin(o)
	case o.state == "closed":
		// 137, as the spec's own example: a conflicting update to a
		// closed opt-in.
		resp := s.optinAnswer("validate-optin-response", o, req.MerchantRequestID)
		resp.Result = failResult(ReasonOptinConflict, "Conflicting update: opt-in "+o.id+" is closed", false)
		x.ok(resp)
		return
	}
	x.ok(s.optinAnswer("validate-optin-response", o, req.MerchantRequestID))
}

// confirmOptin is optin/3.0/confirm-optin: a validated opt-in becomes
// active; one not validated yet is 137, a conflicting update (the spec's
// confirm-optin table has 137 and no 136), with the opt-in's state.
func (s *Server) confirmOptin(x *exchange) {
	o, req, ok := s.optinCall(x, "confirm-optin-response", false)
	if !ok {
		return
	}
	switch o.state {
	case "pending-validate":
		resp := s.optinAnswer("confirm-optin-response", o, req.MerchantRequestID)
		resp.Result = failResult(ReasonOptinConflict, "Conflicting update: the opt-in is pending-validate", false)
		x.ok(resp)
		return
	case "closed":
		// 137, as the spec's own example: a conflicting update to a
		// closed opt-in.
		resp := s.optinAnswer("confirm-optin-response", o, req.MerchantRequestID)
		resp.Result = failResult(ReasonOptinConflict, "Conflicting update: opt-in "+o.id+" is closed", false)
		x.ok(resp)
		return
	}
	o.state = "active"
	s.markOptin(o)
	x.ok(s.optinAnswer("confirm-optin-response", o, req.MerchantRequestID))
}

// queryOptin answers query-optin, a call Boku publishes by name only: its
// shape is inferred from the other opt-in calls (docs/boku.md).
func (s *Server) queryOptin(x *exchange) {
	o, req, ok := s.optinCall(x, "query-optin-response", false)
	if !ok {
		return
	}
	x.ok(s.optinAnswer("query-optin-response", o, req.MerchantRequestID))
}

// cancelOptin is optin/3.0/cancel-optin: the opt-in is closed (it stays
// refundable).
func (s *Server) cancelOptin(x *exchange) {
	o, req, ok := s.optinCall(x, "cancel-optin-response", false)
	if !ok {
		return
	}
	o.state = "closed"
	s.markOptin(o)
	x.ok(s.optinAnswer("cancel-optin-response", o, req.MerchantRequestID))
}

// chargeResult is a charge's own result: OK, 23 while in progress (with
// Boku's retriable and retry-delay), or the ERROR it failed with.
func chargeResult(c *charge) result {
	switch c.status {
	case "failed":
		return failResult(c.reasonCode, c.message, false)
	case "in-progress":
		return result{Status: "OK", ReasonCode: ReasonInProgress, Message: "Submitted and in progress", Retriable: true, RetryDelay: 5000}
	}
	return okResult()
}

func (s *Server) chargeResponse(c *charge) chargeResponse {
	return chargeResponse{
		Result: chargeResult(c), Timestamp: bokuTime(s.Now()), MerchantID: c.merchantID, MerchantRequestID: c.merchantRequestID,
		MerchantTransactionID: c.merchantTransactionID, MerchantData: c.merchantData, OptinID: c.optinID, ChargeID: c.id,
		ChargeStatus: c.status, Country: strings.ToUpper(c.country), NetworkID: networkID(c.country),
	}
}

// networkID is the sandbox's one network per country.
func networkID(country string) string { return strings.ToLower(country) + "-sandbox" }

// charge is billing/3.0/charge: every required element of Boku's spec is
// checked and a bad one is named in invalid-request-fields.
func (s *Server) charge(x *exchange) {
	var req chargeRequest
	if !x.decode(&req) {
		return
	}
	country := strings.ToLower(x.urlCountry)
	var bad fieldCheck
	bad.need("merchantRequestId", req.MerchantRequestID, 50)
	bad.need("merchantTransactionId", req.MerchantTransactionID, 50)
	bad.need("merchantItemDescription", req.MerchantItemDescription, 255)
	bad.need("optinId", req.OptinID, 24)
	bad.need("currency", req.Currency, 3)
	bad.need("totalAmount", req.TotalAmount, 32)
	bad.atMost("merchantData", req.MerchantData, 255)
	if req.ConsumerIPAddress != "" && !isIPv4(req.ConsumerIPAddress) {
		bad.refuse("consumerIpAddress", "must be an IPv4 address")
	}
	if req.Timeout != nil {
		if ms, err := strconv.Atoi(req.Timeout.After); err != nil || ms < 0 || ms > 60000 {
			bad.refuse("timeout.after", "must be 0 to 60000 milliseconds")
		}
	}
	var amount int64
	if req.TotalAmount != "" && req.Currency != "" {
		var err error
		if amount, err = parseAmount(req.TotalAmount, req.Currency); err != nil {
			bad.refuse("totalAmount", err.Error())
		} else if err := currencyFor(country, req.Currency); err != nil {
			bad.refuse("currency", err.Error())
		}
	}
	if x.invalidFields(bad) {
		return
	}
	key := mrKey(x.merchant.ID, req.MerchantRequestID)
	if x.reusedForAnother(key, "charge", req.MerchantRequestID) {
		return
	}
	if prior, ok := s.chargeByMRID[key]; ok {
		if prior.amount != amount || prior.currency != req.Currency || prior.optinID != req.OptinID {
			x.conflict("merchant-request-id " + req.MerchantRequestID + " was already used for a different charge")
			return
		}
		resp := s.chargeResponse(prior)
		switch {
		case prior.reversalID != "":
			// Spec, charge 130: "a charge request is received with a
			// merchant-request-id that has already been reversed".
			resp.Result = failResult(ReasonAlreadyReversed, "merchant-request-id "+req.MerchantRequestID+" has already been reversed", false)
		case prior.status == "failed":
			// Spec, charge: "If the transaction has completed with a
			// billing error, a response code of 107 will be returned".
			resp.Result = failResult(ReasonBillingErrorReplay, "Transaction has completed with a billing error", false)
		}
		x.ok(resp)
		return
	}
	if _, reversed := s.reversals[key]; reversed {
		// Reversed before it arrived: the spec's 130, and nothing is
		// charged.
		x.ok(chargeResponse{Result: failResult(ReasonAlreadyReversed, "merchant-request-id "+req.MerchantRequestID+" has already been reversed", false),
			Timestamp: bokuTime(s.Now()), MerchantID: x.merchant.ID, MerchantRequestID: req.MerchantRequestID,
			MerchantTransactionID: req.MerchantTransactionID, MerchantData: req.MerchantData, OptinID: req.OptinID})
		return
	}
	if amount == AmountUnavailableOnce && !s.failedOnce[key] {
		s.failedOnce[key] = true
		s.markFailedOnce(key)
		x.w.Header().Set("Retry-After", "1")
		http.Error(x.w, "service temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	o := s.optinsByID[req.OptinID]
	if o == nil || o.merchantID != x.merchant.ID || o.state != "active" {
		reason, message := ReasonOptinNotFound, "opt-in "+req.OptinID+" not found"
		if o != nil && o.merchantID == x.merchant.ID {
			reason, message = ReasonOptinNotActive, "opt-in "+req.OptinID+" is not active ("+o.state+")"
		}
		x.ok(chargeResponse{Result: failResult(reason, message, false), Timestamp: bokuTime(s.Now()), MerchantID: x.merchant.ID,
			MerchantRequestID: req.MerchantRequestID, OptinID: req.OptinID})
		return
	}
	if o.country != country {
		x.invalidFields(fieldCheck{{Path: "optinId", Reason: "opt-in " + o.id + " belongs to country " + strings.ToUpper(o.country) + ", not " + strings.ToUpper(country)}})
		return
	}
	c := &charge{
		id: s.nextID("ch"), merchantID: x.merchant.ID, merchantRequestID: req.MerchantRequestID,
		merchantTransactionID: req.MerchantTransactionID, merchantData: req.MerchantData, description: req.MerchantItemDescription,
		optinID: req.OptinID, country: o.country, currency: req.Currency, amount: amount, status: "success", created: s.Now(),
	}
	switch {
	case o.chargeCode != nil && *o.chargeCode == 0:
	case o.chargeCode != nil && *o.chargeCode == ReasonInProgress:
		c.status, c.held = "in-progress", true
	case o.chargeCode != nil:
		c.status, c.reasonCode, c.message = "failed", *o.chargeCode, "Simulated failure"
	case amount == AmountInsufficientFunds:
		c.status, c.reasonCode, c.message = "failed", ReasonInsufficientFunds, "Failed - Insufficient funds"
	case amount > AmountLimit:
		c.status, c.reasonCode, c.message = "failed", ReasonAmountOverLimit, "amount over the per-charge limit"
	case amount == AmountInProgress:
		c.status = "in-progress"
	}
	s.charges[c.id] = c
	s.chargeByMRID[key] = c
	s.markCharge(c)
	resp := s.chargeResponse(c)
	switch amount {
	case AmountDropConnection:
		// The charge is recorded; the answer is lost on the way back.
		dropConnection(x.w)
	case AmountHeldAnswer:
		// The charge is recorded; the answer waits until the client
		// gives up (or is killed), then goes nowhere.
		s.mu.Unlock()
		select {
		case <-x.r.Context().Done():
		case <-time.After(HeldAnswerFor):
		}
		s.mu.Lock()
		dropConnection(x.w)
	case AmountBadSignature:
		writeSigned(x.w, x.merchant, resp, s.Now(), true)
	default:
		x.ok(resp)
	}
}

// beginSingleCharge is billing/3.0/begin-single-charge: a one-off hosted
// charge without an opt-in. It is in progress until the consumer
// authorizes it at the redirect-url [inferred: the spec's example answers
// success at once]; then Boku posts a <charge-notification> to the
// notification-url and sends the consumer to the forward-url.
func (s *Server) beginSingleCharge(x *exchange) {
	var req beginSingleChargeRequest
	if !x.decode(&req) || !x.checkCountry(req.Country) {
		return
	}
	country := strings.ToLower(req.Country)
	var bad fieldCheck
	bad.need("merchantRequestId", req.MerchantRequestID, 50)
	bad.need("merchantItemDescription", req.MerchantItemDescription, 255)
	bad.need("currency", req.Currency, 3)
	bad.need("totalAmount", req.TotalAmount, 32)
	bad.need("paymentMethod", req.PaymentMethod, 64)
	if req.Hosted == nil || !isHTTPURL(req.Hosted.ForwardURL) {
		bad.refuse("hosted.forwardUrl", "must be an http(s) URL")
	}
	if req.ChargeType != "" && req.ChargeType != "hosted" {
		bad.refuse("chargeType", "must be hosted")
	}
	if req.NotificationURL != "" && (!isHTTPURL(req.NotificationURL) || len(req.NotificationURL) > 255) {
		bad.refuse("notificationUrl", "must be an http(s) URL of at most 255 characters")
	}
	var amount int64
	if req.TotalAmount != "" && req.Currency != "" {
		var err error
		if amount, err = parseAmount(req.TotalAmount, req.Currency); err != nil {
			bad.refuse("totalAmount", err.Error())
		} else if err := currencyFor(country, req.Currency); err != nil {
			bad.refuse("currency", err.Error())
		}
	}
	if x.invalidFields(bad) {
		return
	}
	key := mrKey(x.merchant.ID, req.MerchantRequestID)
	if x.reusedForAnother(key, "begin-single-charge", req.MerchantRequestID) {
		return
	}
	if prior, ok := s.chargeByMRID[key]; ok {
		if prior.amount != amount || prior.currency != req.Currency || prior.forwardURL == "" {
			x.conflict("merchant-request-id " + req.MerchantRequestID + " was already used for a different charge")
			return
		}
		x.ok(s.singleChargeResponse(x, prior))
		return
	}
	c := &charge{
		id: s.nextID("ch"), merchantID: x.merchant.ID, merchantRequestID: req.MerchantRequestID,
		merchantTransactionID: req.MerchantTransactionID, merchantData: req.MerchantData, description: req.MerchantItemDescription,
		country: country, currency: req.Currency, amount: amount, status: "in-progress", created: s.Now(),
		forwardURL: req.Hosted.ForwardURL, notificationURL: req.NotificationURL, paymentMethod: req.PaymentMethod,
	}
	s.charges[c.id] = c
	s.chargeByMRID[key] = c
	s.markCharge(c)
	x.ok(s.singleChargeResponse(x, c))
}

func (s *Server) singleChargeResponse(x *exchange, c *charge) beginSingleChargeResponse {
	resp := beginSingleChargeResponse{Result: okResult(), Timestamp: bokuTime(s.Now()), MerchantID: c.merchantID, MerchantRequestID: c.merchantRequestID,
		MerchantTransactionID: c.merchantTransactionID, MerchantData: c.merchantData, ChargeID: c.id, ChargeStatus: c.status,
		Country: strings.ToUpper(c.country), PaymentMethod: c.paymentMethod}
	if c.status == "in-progress" {
		resp.RedirectURL = "http://" + x.r.Host + "/consent/" + c.id
	}
	return resp
}

// authorizeSingleCharge is the consumer authorizing a hosted charge at the
// issuer: it succeeds (or fails for the insufficient-funds amount), the
// notification-url gets a <charge-notification>, and the consumer goes
// back to the forward-url. Callers hold s.mu.
func (s *Server) authorizeSingleCharge(w http.ResponseWriter, r *http.Request, c *charge) {
	c.status = "success"
	if c.amount == AmountInsufficientFunds {
		c.status, c.reasonCode, c.message = "failed", ReasonInsufficientFunds, "Failed - Insufficient funds"
	}
	s.markCharge(c)
	if c.notificationURL != "" {
		m := s.merchants[c.merchantID]
		n := chargeNotification{Charge: chargeElem{Result: chargeResult(c), ChargeStatus: c.status, ChargeID: c.id, Timestamp: bokuTime(s.Now()),
			MerchantID: c.merchantID, MerchantTransactionID: c.merchantTransactionID, Country: strings.ToUpper(c.country), NetworkID: networkID(c.country),
			Currency: c.currency, TotalAmount: formatMinor(c.amount, c.currency), MerchantItemDescription: c.description, MerchantData: c.merchantData}}
		s.send(m, c.notificationURL, "charge", encode(n))
	}
	http.Redirect(w, r, c.forwardURL, http.StatusFound)
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(s) <= 2048
}

// isIPv4 reports whether s is a dotted-quad IPv4 address, as the spec's
// pattern wants.
func isIPv4(s string) bool {
	ip := net.ParseIP(s)
	return ip != nil && ip.To4() != nil && strings.Count(s, ".") == 3
}

func dropConnection(w http.ResponseWriter) {
	hijacker, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hijacker.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// queryCharge is billing/3.0/query-charge: the answer's own result says
// how many charges matched ("Found 0 result(s)" is OK), each charge has
// its own result.
func (s *Server) queryCharge(x *exchange) {
	var req queryChargeRequest
	if !x.decode(&req) || !x.checkCountry(req.Country) {
		return
	}
	var found []*charge
	switch {
	case req.ChargeID != "":
		if c := s.charges[req.ChargeID]; c != nil {
			found = append(found, c)
		}
	case req.MerchantRequestID != "":
		// Spec: a query by merchant-request-id finds a charge made in
		// the last 24 hours only.
		if c := s.chargeByMRID[mrKey(x.merchant.ID, req.MerchantRequestID)]; c != nil && s.Now().Sub(c.created) <= 24*time.Hour {
			found = append(found, c)
		}
	case req.MerchantTransactionID != "":
		for _, c := range s.charges {
			if c.merchantTransactionID == req.MerchantTransactionID {
				found = append(found, c)
			}
		}
		sort.Slice(found, func(i, j int) bool { return found[i].id < found[j].id })
	default:
		x.invalidFields(fieldCheck{{Path: "chargeId", Reason: "one of chargeId, merchantRequestId or merchantTransactionId is required"}})
		return
	}
	resp := queryChargeResponse{}
	for _, c := range found {
		if c.merchantID != x.merchant.ID {
			continue
		}
		if c.status == "in-progress" && c.forwardURL == "" && !c.held {
			// The sandbox settles an in-progress charge by the time it is
			// asked about; a hosted one waits for the consumer.
			c.status = "success"
			s.markCharge(c)
		}
		e := chargeElem{Result: chargeResult(c), ChargeStatus: c.status, ChargeID: c.id, Timestamp: bokuTime(c.created), MerchantID: c.merchantID,
			MerchantTransactionID: c.merchantTransactionID, Country: strings.ToUpper(c.country), NetworkID: networkID(c.country),
			Currency: c.currency, TotalAmount: formatMinor(c.amount, c.currency), MerchantItemDescription: c.description, MerchantData: c.merchantData}
		if c.reversalID != "" {
			e.Reversal = &reversal{ReversalID: c.reversalID, Timestamp: bokuTime(c.reversedAt)}
		}
		resp.Charges = append(resp.Charges, e)
	}
	resp.Result = result{Status: "OK", Message: fmt.Sprintf("Found %d result(s)", len(resp.Charges))}
	x.ok(resp)
}

func (s *Server) reverseCharge(x *exchange) {
	var req reverseChargeRequest
	if !x.decode(&req) || !x.checkCountry(req.Country) {
		return
	}
	if req.MerchantRequestID == "" {
		x.invalid("missing <merchant-request-id> (the original charge's)")
		return
	}
	key := mrKey(x.merchant.ID, req.MerchantRequestID)
	if used := s.usedFor(key); used == "optin" || used == "refund-charge" {
		// The original request was not a charge: the id is another
		// call's (one namespace), 124.
		x.conflict("merchant-request-id " + req.MerchantRequestID + " was used for " + used + ", not a charge")
		return
	}
	resp := reverseChargeResponse{Result: okResult(), Timestamp: bokuTime(s.Now()), MerchantID: x.merchant.ID,
		MerchantRequestID: req.MerchantRequestID, Country: strings.ToUpper(req.Country)}
	if c := s.chargeByMRID[key]; c != nil {
		if c.reversalID == "" && s.Now().Sub(c.created) > time.Hour {
			resp.Result = failResult(ReasonReversalExpired, "charge "+c.id+" is more than an hour old: the reversal window has expired", false)
			resp.ChargeID = c.id
			x.ok(resp)
			return
		}
		if c.reversalID == "" && c.refunded > 0 {
			// Spec 131: a reversal of a charge already refunded, fully
			// or partially, is refused.
			resp.Result = failResult(ReasonAlreadyRefunded, "charge "+c.id+" has already been refunded", false)
			resp.ChargeID = c.id
			x.ok(resp)
			return
		}
		if c.reversalID == "" {
			c.reversalID, c.reversedAt = s.nextID("rv"), s.Now()
			s.markCharge(c)
		}
		resp.ChargeID, resp.ReversalID = c.id, c.reversalID
		x.ok(resp)
		return
	}
	// Boku answers OK even when it never received the charge, so a
	// reversal settles an unknown outcome either way.
	id, ok := s.reversals[key]
	if !ok {
		id = s.nextID("rv")
		s.reversals[key] = id
		s.markReversal(key)
	}
	resp.ReversalID = id
	x.ok(resp)
}

// bokuTime is Boku's timestamp format, UTC.
func bokuTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
