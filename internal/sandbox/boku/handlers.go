package boku

import (
	"fmt"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

var handlers = map[string]func(*Server, *exchange){
	"optin":          (*Server).beginOptin,
	"confirm-optin":  (*Server).confirmOptin,
	"query-optin":    (*Server).queryOptin,
	"cancel-optin":   (*Server).cancelOptin,
	"charge":         (*Server).charge,
	"query-charge":   (*Server).queryCharge,
	"reverse-charge": (*Server).reverseCharge,
	"refund-charge":  (*Server).refundCharge,
	"query-refund":   (*Server).queryRefund,
	"forex":          (*Server).forex,
	"fund-check":     (*Server).fundCheck,
}

func mrKey(merchant, merchantRequestID string) string { return merchant + "/" + merchantRequestID }

func (s *Server) beginOptin(x *exchange) {
	var req optinRequest
	if !x.decode(&req) || !x.checkCountry(req.Country) {
		return
	}
	if req.MerchantRequestID == "" {
		x.invalid("missing <merchant-request-id>")
		return
	}
	if prior, ok := s.optinByMRID[mrKey(x.merchant.ID, req.MerchantRequestID)]; ok {
		x.ok(prior.response)
		return
	}
	switch req.OptinType {
	case "otp":
		if req.MSISDN == "" {
			x.invalid("optin-type otp needs <msisdn>")
			return
		}
	case "redirect", "hosted":
		if req.MSISDN == "" && req.PaymentMethod == "" {
			x.invalid("optin-type " + req.OptinType + " needs <msisdn> or <payment-method>")
			return
		}
	default:
		x.invalid("optin-type must be otp, redirect or hosted, got " + strconv.Quote(req.OptinType))
		return
	}
	if req.MSISDN != "" && !allDigits(req.MSISDN) {
		x.invalid("msisdn must be digits in international format")
		return
	}
	o := &optin{
		requestID:         s.nextID("oir"),
		merchantID:        x.merchant.ID,
		country:           strings.ToLower(req.Country),
		kind:              req.OptinType,
		msisdn:            req.MSISDN,
		method:            req.PaymentMethod,
		state:             "pending",
		merchantRequestID: req.MerchantRequestID,
	}
	resp := optinResponse{Result: okResult(), OptinRequestID: o.requestID, OptinState: o.state}
	if req.MSISDN == BlockedMSISDN {
		o.state = "cancelled"
		resp = optinResponse{Result: failResult(ReasonConsumerBlocked, "consumer is blocked from carrier billing", false)}
	} else if req.OptinType == "otp" {
		resp.OTPSent = true
	} else {
		resp.HostedURL = "http://" + x.r.Host + "/consent/" + o.requestID
	}
	o.response = resp
	s.optins[o.requestID] = o
	s.optinByMRID[mrKey(x.merchant.ID, req.MerchantRequestID)] = o
	x.ok(resp)
}

// consent is the page a consumer visits for redirect and hosted opt-ins:
// visiting it approves the opt-in.
func (s *Server) consent(w http.ResponseWriter, requestID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.optins[requestID]
	if !ok || o.kind == "otp" {
		http.Error(w, "no such opt-in awaiting consent", http.StatusNotFound)
		return
	}
	o.approved = true
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("Boku sandbox: payment method approved for opt-in " + requestID + ". You can close this page.\n"))
}

func (s *Server) confirmOptin(x *exchange) {
	var req confirmOptinRequest
	if !x.decode(&req) {
		return
	}
	o, ok := s.optins[req.OptinRequestID]
	if !ok || o.merchantID != x.merchant.ID {
		x.ok(confirmOptinResponse{Result: failResult(ReasonOptinNotFound, "optin-request-id "+req.OptinRequestID+" not found", false)})
		return
	}
	switch o.state {
	case "active":
		// Confirming again is harmless: the same opt-in comes back.
		x.ok(confirmOptinResponse{Result: okResult(), OptinID: o.id, OptinState: o.state})
		return
	case "cancelled", "expired":
		x.ok(confirmOptinResponse{Result: failResult(ReasonOptinNotActive, "opt-in is "+o.state, false), OptinState: o.state})
		return
	}
	if o.kind == "otp" {
		if req.VerificationCode == "" {
			x.invalid("otp opt-ins need <verification-code>")
			return
		}
		if req.VerificationCode != OTPCode {
			x.ok(confirmOptinResponse{Result: failResult(ReasonVerificationFailed, "verification code is wrong", false), OptinState: o.state})
			return
		}
	} else if !o.approved {
		x.ok(confirmOptinResponse{Result: failResult(ReasonInProgress, "the consumer has not approved yet; confirm again after they visit the URL", true), OptinState: o.state})
		return
	}
	o.state = "active"
	o.id = s.nextID("oi")
	s.optinsByID[o.id] = o
	x.ok(confirmOptinResponse{Result: okResult(), OptinID: o.id, OptinState: o.state})
}

func (s *Server) queryOptin(x *exchange) {
	var req queryOptinRequest
	if !x.decode(&req) {
		return
	}
	o := s.optinsByID[req.OptinID]
	if req.OptinID == "" {
		o = s.optins[req.OptinRequestID]
	}
	if o == nil || o.merchantID != x.merchant.ID {
		x.ok(queryOptinResponse{Result: failResult(ReasonOptinNotFound, "opt-in not found", false)})
		return
	}
	method := o.method
	if method == "" {
		method = "carrier"
	}
	x.ok(queryOptinResponse{Result: okResult(), OptinID: o.id, OptinRequestID: o.requestID, OptinState: o.state, PaymentMethod: method, Country: strings.ToUpper(o.country)})
}

func (s *Server) cancelOptin(x *exchange) {
	var req cancelOptinRequest
	if !x.decode(&req) {
		return
	}
	o := s.optinsByID[req.OptinID]
	if o == nil || o.merchantID != x.merchant.ID {
		x.ok(cancelOptinResponse{Result: failResult(ReasonOptinNotFound, "optin-id "+req.OptinID+" not found", false)})
		return
	}
	o.state = "cancelled"
	x.ok(cancelOptinResponse{Result: okResult(), OptinID: o.id, OptinState: o.state})
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
	var bad []invalidField
	need := func(path, value string, max int) {
		switch {
		case value == "":
			bad = append(bad, invalidField{Path: path, Reason: "must not be empty"})
		case len(value) > max:
			bad = append(bad, invalidField{Path: path, Reason: fmt.Sprintf("must be at most %d characters", max)})
		}
	}
	need("merchantRequestId", req.MerchantRequestID, 50)
	need("merchantTransactionId", req.MerchantTransactionID, 50)
	need("merchantItemDescription", req.MerchantItemDescription, 255)
	need("optinId", req.OptinID, 24)
	need("currency", req.Currency, 3)
	need("totalAmount", req.TotalAmount, 32)
	if len(req.MerchantData) > 255 {
		bad = append(bad, invalidField{Path: "merchantData", Reason: "must be at most 255 characters"})
	}
	if req.ConsumerIPAddress != "" && !isIPv4(req.ConsumerIPAddress) {
		bad = append(bad, invalidField{Path: "consumerIpAddress", Reason: "must be an IPv4 address"})
	}
	if req.Timeout != nil {
		if ms, err := strconv.Atoi(req.Timeout.After); err != nil || ms < 0 || ms > 60000 {
			bad = append(bad, invalidField{Path: "timeout.after", Reason: "must be 0 to 60000 milliseconds"})
		}
	}
	var amount int64
	if req.TotalAmount != "" && req.Currency != "" {
		var err error
		if amount, err = parseAmount(req.TotalAmount, req.Currency); err != nil {
			bad = append(bad, invalidField{Path: "totalAmount", Reason: err.Error()})
		} else if err := currencyFor(country, req.Currency); err != nil {
			bad = append(bad, invalidField{Path: "currency", Reason: err.Error()})
		}
	}
	if len(bad) > 0 {
		x.invalidFields(bad)
		return
	}
	key := mrKey(x.merchant.ID, req.MerchantRequestID)
	if prior, ok := s.chargeByMRID[key]; ok {
		if prior.amount != amount || prior.currency != req.Currency || prior.optinID != req.OptinID {
			x.conflict("merchant-request-id " + req.MerchantRequestID + " was already used for a different charge")
			return
		}
		x.ok(s.chargeResponse(prior))
		return
	}
	if amount == AmountUnavailableOnce && !s.failedOnce[key] {
		s.failedOnce[key] = true
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
		x.invalidFields([]invalidField{{Path: "optinId", Reason: "opt-in " + o.id + " belongs to country " + strings.ToUpper(o.country) + ", not " + strings.ToUpper(country)}})
		return
	}
	c := &charge{
		id: s.nextID("ch"), merchantID: x.merchant.ID, merchantRequestID: req.MerchantRequestID,
		merchantTransactionID: req.MerchantTransactionID, merchantData: req.MerchantData, description: req.MerchantItemDescription,
		optinID: req.OptinID, country: o.country, currency: req.Currency, amount: amount, status: "success", created: s.Now(),
	}
	if id, reversed := s.reversals[key]; reversed {
		// Reversed before it arrived [inferred]: it is recorded reversed.
		c.reversalID, c.reversedAt = id, s.Now()
	}
	switch {
	case amount == AmountInsufficientFunds:
		c.status, c.reasonCode, c.message = "failed", ReasonInsufficientFunds, "Failed - Insufficient funds"
	case amount > AmountLimit:
		c.status, c.reasonCode, c.message = "failed", ReasonAmountOverLimit, "amount over the per-charge limit"
	case amount == AmountInProgress:
		c.status = "in-progress"
	}
	s.charges[c.id] = c
	s.chargeByMRID[key] = c
	resp := s.chargeResponse(c)
	if c.status == "success" {
		s.notifyCharge(x.merchant, c)
	}
	switch amount {
	case AmountDropConnection:
		// The charge is recorded; the answer is lost on the way back.
		dropConnection(x.w)
	case AmountBadSignature:
		writeSigned(x.w, x.merchant, resp, s.Now(), true)
	default:
		x.ok(resp)
	}
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
		if c := s.chargeByMRID[mrKey(x.merchant.ID, req.MerchantRequestID)]; c != nil {
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
		x.invalidFields([]invalidField{{Path: "chargeId", Reason: "one of chargeId, merchantRequestId or merchantTransactionId is required"}})
		return
	}
	resp := queryChargeResponse{}
	for _, c := range found {
		if c.merchantID != x.merchant.ID {
			continue
		}
		if c.status == "in-progress" {
			// The sandbox settles an in-progress charge by the time it is asked about.
			c.status = "success"
			s.notifyCharge(x.merchant, c)
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
	resp := reverseChargeResponse{Result: okResult(), Timestamp: bokuTime(s.Now()), MerchantID: x.merchant.ID,
		MerchantRequestID: req.MerchantRequestID, Country: strings.ToUpper(req.Country)}
	if c := s.chargeByMRID[key]; c != nil {
		if c.reversalID == "" && s.Now().Sub(c.created) > time.Hour {
			resp.Result = failResult(ReasonReversalExpired, "charge "+c.id+" is more than an hour old: the reversal window has expired", false)
			resp.ChargeID = c.id
			x.ok(resp)
			return
		}
		if c.reversalID == "" {
			c.reversalID, c.reversedAt = s.nextID("rv"), s.Now()
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
