package bokuspec

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type handler func(x *exchange, f *form) any

// calls are the served calls by family.
var calls = map[string]map[string]handler{
	"optin": {
		"optin":          (*exchange).optin,
		"validate-optin": (*exchange).validateOptin,
		"confirm-optin":  (*exchange).confirmOptin,
		"cancel-optin":   (*exchange).cancelOptin,
		"query-optin":    (*exchange).queryOptin,
	},
	"billing": {
		"charge":              (*exchange).charge,
		"query-charge":        (*exchange).queryCharge,
		"reverse-charge":      (*exchange).reverseCharge,
		"begin-single-charge": (*exchange).beginSingleCharge,
		"refund-charge":       (*exchange).refundCharge,
		"query-refund":        (*exchange).queryRefund,
		"forex":               (*exchange).forex,
		"fund-check":          (*exchange).fundCheck,
	},
}

// exchange is one API request being answered, under the Server's lock.
type exchange struct {
	s           *Server
	r           *http.Request
	m           Merchant
	acct        *account
	now         time.Time
	call        string
	hostCountry string
	// delivery is how the answer goes back (the sandbox's magic amounts).
	delivery delivery
}

// raw is an answer already encoded (an idempotent replay).
type raw []byte

// handle parses the request and runs the call. It returns the response
// body, or status 401 when the body's merchant-id is not the signer's.
func (x *exchange) handle(body []byte, h handler) ([]byte, int) {
	x.s.settleAll(x.acct, x.now)
	root, err := parseXML(body)
	if err != nil || root.name != x.call+"-request" {
		// Inferred: a body that is not the call's request document is
		// an invalid request, with no field to name.
		return encode(x.fail(&form{root: &node{}}, res(rcInvalidRequest))), http.StatusOK
	}
	if mid := root.child("merchant-id"); mid != nil && strings.TrimSpace(mid.text) != x.m.ID {
		return nil, http.StatusUnauthorized
	}
	return encode(h(x, &form{root: root})), http.StatusOK
}

func encode(v any) []byte {
	if b, ok := v.(raw); ok {
		return b
	}
	out, err := xml.MarshalIndent(v, "", "    ")
	if err != nil {
		panic(fmt.Sprintf("bokuspec: encode %T: %v", v, err))
	}
	return append([]byte(xmlHeader), out...)
}

// fail answers with only the result and the identifiers the call's
// response schema has (query responses have none; validate-optin and
// cancel-optin responses have no timestamp).
func (x *exchange) fail(f *form, r result) any {
	resp := &errorResponse{XMLName: xml.Name{Local: x.call + "-response"}, Result: r}
	switch x.call {
	case "query-charge", "query-refund":
		return resp
	case "validate-optin", "cancel-optin":
	default:
		resp.Timestamp = timestamp(x.now)
	}
	resp.MerchantID = x.m.ID
	if n := f.root.child("merchant-request-id"); n != nil {
		resp.MerchantRequestID = strings.TrimSpace(n.text)
	}
	return resp
}

// invalid answers 43 naming the invalid fields, or returns nil when the
// form is valid.
func (x *exchange) invalid(f *form) any {
	if len(f.bad) == 0 {
		return nil
	}
	return x.fail(f, invalid(f.bad))
}

// common reads country (when the call has it), merchant-id and
// merchant-request-id, as required by every call but the queries.
func (x *exchange) country(f *form, required bool) string {
	c := f.pattern("country", required, reCountry())
	if c != "" && x.hostCountry != "" && c != x.hostCountry {
		f.fail("country", "must match the country of the host ("+x.hostCountry+")")
		return ""
	}
	return c
}

func (x *exchange) ids(f *form) string {
	f.str("merchant-id", true, 1, lenMerchantID)
	return f.str("merchant-request-id", true, 1, lenMerchantReqID)
}

// fingerprint identifies a request's fields for its merchant-request-id:
// a resend with the same fingerprint is the same request. It is kept as
// 32 hex digits of their SHA-256 (a record costs the same whatever the
// fields' length).
func fingerprint(call string, parts ...string) string {
	return hashFingerprint(call + "\x00" + strings.Join(parts, "\x00"))
}

func hashFingerprint(fields string) string {
	sum := sha256.Sum256([]byte(fields))
	return hex.EncodeToString(sum[:16])
}

// storedFingerprint is a fingerprint read from a state file: earlier
// versions kept the fields themselves.
func storedFingerprint(fp string) string {
	if len(fp) == 32 && !strings.ContainsFunc(fp, func(r rune) bool { return !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') }) {
		return fp
	}
	return hashFingerprint(fp)
}

// seen looks a merchant-request-id up: conflict when it was used for a
// different request, rec when it was used for this same one.
func (x *exchange) seen(mrid, fp string) (rec *record, conflict bool) {
	rec = x.acct.requests[mrid]
	if rec == nil {
		return nil, false
	}
	if rec.fingerprint != fp {
		return nil, true
	}
	return rec, false
}

func (x *exchange) conflict(f *form) any { return x.fail(f, res(rcConflict)) }

// networkID is the sandbox's one network per country, its documented
// "gb-sandbox" (inferred: the spec's examples pair a network-id such as
// "jp-super" with a payment method, and publish no list).
func networkID(country string) string { return strings.ToLower(country) + "-sandbox" }

// consentURL is the issuer's page of an opt-in or single charge, at the
// root of the host the request reached: the sandbox's documented
// /consent/{id} (inferred: the spec's optin-url and redirect-url are the
// issuer's and have no published form).
func (x *exchange) consentURL(id string) string {
	scheme := "http"
	if x.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + x.r.Host + "/consent/" + id
}

// ---- optin family ----

func (x *exchange) optin(f *form) any {
	country := x.country(f, true)
	mrid := x.ids(f)
	method := f.str("payment-method", true, 1, 1<<16)
	optinType := f.str("optin-type", true, 1, 1<<16)
	forward := ""
	if f.present("hosted", true) {
		forward = f.str("hosted/forward-url", true, 1, lenURL)
		f.boolean("hosted/use-mobile-flow")
	}
	consumer := f.str("merchant-consumer-id", false, 1, lenMerchantConsumer)
	if resp := x.invalid(f); resp != nil {
		return resp
	}
	fp := fingerprint("optin", country, method, optinType, forward, consumer)
	if o := x.acct.optinByReq[mrid]; o != nil && o.country == country && o.paymentMethod == method && o.optinType == optinType && o.forwardURL == forward {
		x.adoptLegacy(mrid, "optin", fp)
	}
	if rec, conflict := x.seen(mrid, fp); conflict {
		return x.conflict(f)
	} else if rec != nil {
		return raw(rec.answer)
	}
	resp := &optinResponse{Timestamp: timestamp(x.now), MerchantID: x.m.ID, MerchantRequestID: mrid,
		PaymentMethod: method, OptinType: optinType}
	if optinType != "hosted" {
		// The spec's only optin-type is hosted; reason 86's own example
		// is "requested opt-in method not supported".
		resp.Result = res(rcFeatureNotSupported)
		return x.remember(mrid, "optin", fp, resp)
	}
	plan, planned := x.acct.optinPlans[mrid]
	if planned && plan.code != rcOK && !plan.failOnValidate {
		resp.Result = res(plan.code)
		return x.remember(mrid, "optin", fp, resp)
	}
	if method == BarredPaymentMethod {
		// The sandbox's barred consumer: no opt-in is made.
		resp.Result = res(rcUserBarred)
		resp.Result.Message = "User barred"
		return x.remember(mrid, "optin", fp, resp)
	}
	o := &optin{id: x.s.newID("oi"), requestID: mrid, country: country, paymentMethod: method, optinType: optinType,
		networkID: networkID(country), forwardURL: forward, merchantConsumer: consumer,
		status: optinPendingValidate, account: defaultAccountIdentifier, userID: defaultIssuerUserID, created: x.now}
	if planned {
		if plan.account != "" {
			o.account = plan.account
		}
		if plan.userID != "" {
			o.userID = plan.userID
		}
		if plan.failOnValidate {
			o.failOnValidate, o.redirectCode = true, plan.code
		}
		if plan.sendRedirection {
			o.autoRedirect, o.autoRedirectAfter = true, plan.sendRedirectionDelay
		}
	}
	x.acct.optins[o.id] = o
	x.acct.optinByReq[mrid] = o
	x.s.markOptin(o.id)
	resp.Result = res(rcOK)
	resp.OptinID = o.id
	resp.OptinState = &optinState{OptinStatus: o.status, Country: o.country, NetworkID: o.networkID}
	resp.Hosted = &hostedOptinURL{OptinURL: x.consentURL(o.id)}
	return x.remember(mrid, "optin", fp, resp)
}

// remember records an opt-in call's answer for idempotent replay.
func (x *exchange) remember(mrid, call, fp string, resp any) any {
	b := encode(resp)
	x.acct.requests[mrid] = &record{call: call, fingerprint: fp, answer: b}
	x.s.markRequest(x.acct, mrid)
	return raw(b)
}

// optinRef reads optin-id or optin-request-id. Inferred: when both are
// absent, optin-id is reported missing.
func (x *exchange) optinRef(f *form) (id, reqID string) {
	id = f.str("optin-id", false, 1, lenOptinID)
	reqID = f.str("optin-request-id", false, 1, lenMerchantReqID)
	if f.root.child("optin-id") == nil && f.root.child("optin-request-id") == nil {
		f.fail("optin-id", reasonNull)
	}
	return id, reqID
}

// lookupOptin finds the referenced opt-in; both references must agree
// (the spec's queries combine criteria with AND; inferred here).
func (x *exchange) lookupOptin(id, reqID, country string) *optin {
	var o *optin
	if id != "" {
		o = x.acct.optins[id]
	} else {
		o = x.acct.optinByReq[reqID]
	}
	if o == nil || (reqID != "" && o.requestID != reqID) || (country != "" && o.country != country) {
		return nil
	}
	return o
}

func (o *optin) state() *optinState {
	st := &optinState{OptinStatus: o.status, Country: o.country, NetworkID: o.networkID}
	if o.status != optinPendingValidate {
		st.AccountIdentifier, st.IssuerUniqueUserID = o.account, o.userID
	}
	return st
}

func (x *exchange) validateOptin(f *form) any {
	country := x.country(f, true)
	mrid := x.ids(f)
	optinType := f.str("optin-type", true, 1, 1<<16)
	id, reqID := x.optinRef(f)
	if resp := x.invalid(f); resp != nil {
		return resp
	}
	fp := fingerprint("validate-optin", country, optinType, id, reqID)
	if rec, conflict := x.seen(mrid, fp); conflict {
		return x.conflict(f)
	} else if rec != nil {
		return raw(rec.answer)
	}
	resp := &validateOptinResponse{MerchantID: x.m.ID, MerchantRequestID: mrid, OptinRequestID: reqID, OptinID: id, OptinType: optinType}
	o := x.lookupOptin(id, reqID, country)
	switch {
	case o == nil:
		resp.Result = res(rcOptinNotFound)
		return resp // inferred: a miss is not recorded, so the merchant may retry with the same id
	case o.optinType != optinType:
		f.fail("optin-type", "must be the optin-type of the opt-in ("+o.optinType+")")
		return x.invalid(f)
	}
	resp.OptinID, resp.PaymentMethod = o.id, o.paymentMethod
	switch o.status {
	case optinPendingValidate:
		switch {
		case o.failOnValidate && o.redirectCode != rcOK:
			resp.Result = res(o.redirectCode)
		case !o.redirected:
			resp.Result = res(rcOptinNotVerified)
		case o.redirectCode != rcOK:
			resp.Result = res(o.redirectCode)
		default:
			o.status = optinPendingConfirm
			x.s.markOptin(o.id)
			resp.Result = res(rcOK)
		}
	case optinPendingConfirm:
		resp.Result = res(rcOK) // inferred: validating again is harmless
	default:
		resp.Result = res(rcOptinConflict) // active or closed: nothing to validate (inferred)
	}
	resp.OptinState = o.state()
	if resp.Result.ReasonCode == rcOptinNotVerified {
		return resp // not recorded: the merchant re-validates once the consumer is back (inferred)
	}
	return x.remember(mrid, "validate-optin", fp, resp)
}

func (x *exchange) confirmOptin(f *form) any {
	country := x.country(f, true)
	mrid := x.ids(f)
	id, reqID := x.optinRef(f)
	if resp := x.invalid(f); resp != nil {
		return resp
	}
	fp := fingerprint("confirm-optin", country, id, reqID)
	if rec, conflict := x.seen(mrid, fp); conflict {
		return x.conflict(f)
	} else if rec != nil {
		return raw(rec.answer)
	}
	resp := &confirmOptinResponse{Timestamp: timestamp(x.now), MerchantID: x.m.ID, MerchantRequestID: mrid, OptinRequestID: reqID, OptinID: id}
	o := x.lookupOptin(id, reqID, country)
	if o == nil {
		resp.Result = res(rcOptinNotFound)
		return resp
	}
	resp.OptinID, resp.PaymentMethod, resp.OptinType = o.id, o.paymentMethod, o.optinType
	switch o.status {
	case optinPendingConfirm:
		o.status = optinActive
		x.s.markOptin(o.id)
		resp.Result = res(rcOK)
	case optinActive:
		resp.Result = res(rcOK) // inferred: already active
	default:
		// closed (the spec's own example of 137) or not yet validated
		// (inferred: 136 is not in confirm-optin's table).
		resp.Result = res(rcOptinConflict)
	}
	resp.OptinState = o.state()
	return x.remember(mrid, "confirm-optin", fp, resp)
}

func (x *exchange) cancelOptin(f *form) any {
	country := x.country(f, true)
	mrid := x.ids(f)
	id := f.str("optin-id", true, 1, lenOptinID)
	if resp := x.invalid(f); resp != nil {
		return resp
	}
	fp := fingerprint("cancel-optin", country, id)
	if rec, conflict := x.seen(mrid, fp); conflict {
		return x.conflict(f)
	} else if rec != nil {
		return raw(rec.answer)
	}
	resp := &cancelOptinResponse{MerchantID: x.m.ID, MerchantRequestID: mrid, OptinID: id}
	o := x.lookupOptin(id, "", country)
	if o == nil {
		resp.Result = res(rcOptinNotFound) // the spec's "125 - Optin Not Found" example
		return resp
	}
	o.status = optinClosed // inferred: cancelling a closed opt-in is OK, it stays closed
	x.s.markOptin(o.id)
	resp.Result = res(rcOK)
	resp.OptinType, resp.OptinState = o.optinType, o.state()
	return x.remember(mrid, "cancel-optin", fp, resp)
}

// queryOptin: query-optin is public only by name (reference §9). Inferred
// shape: query-optin-request {country*, merchant-id*, optin-id |
// optin-request-id}; query-optin-response {result, timestamp, merchant-id,
// optin-request-id, optin-id, optin-state, payment-method, optin-type};
// unknown opt-in: 125 as in the other opt-in calls.
func (x *exchange) queryOptin(f *form) any {
	country := x.country(f, true)
	f.str("merchant-id", true, 1, lenMerchantID)
	id, reqID := x.optinRef(f)
	if resp := x.invalid(f); resp != nil {
		return resp
	}
	resp := &queryOptinResponse{Timestamp: timestamp(x.now), MerchantID: x.m.ID, OptinRequestID: reqID, OptinID: id}
	o := x.lookupOptin(id, reqID, country)
	if o == nil {
		resp.Result = res(rcOptinNotFound)
		return resp
	}
	resp.Result = res(rcOK)
	resp.OptinID, resp.OptinRequestID, resp.OptinState = o.id, o.requestID, o.state()
	resp.PaymentMethod, resp.OptinType = o.paymentMethod, o.optinType
	return resp
}

// ---- billing family ----

// amountField reads a required or optional amount in currency.
func amountField(f *form, path string, required bool, currency string) int64 {
	v := f.str(path, required, 1, 64)
	if v == "" || currency == "" {
		return 0
	}
	minor, ok := parseAmount(v, currency)
	if !ok {
		f.fail(path, "must be a positive decimal amount in major units of "+currency)
	}
	return minor
}

func currencyField(f *form, required bool) string {
	c := f.pattern("currency", required, reCurrency())
	if c == "" {
		return ""
	}
	if _, ok := parseAmount("1", c); !ok {
		f.fail("currency", "unknown ISO 4217 currency")
		return ""
	}
	return c
}

// subscription checks the optional <subscription> container (spec
// Subscription: is-subscription required; period needs unit and count).
func subscription(f *form) {
	if f.root.child("subscription") == nil {
		return
	}
	if f.root.find("subscription/is-subscription") == nil {
		f.fail("subscription/is-subscription", reasonNull)
	} else {
		f.boolean("subscription/is-subscription")
	}
	if p := f.root.find("subscription/period"); p != nil {
		switch p.attrs["unit"] {
		case "day", "week", "month", "year":
		case "":
			f.fail("subscription/period/unit", reasonNull)
		default:
			f.fail("subscription/period/unit", "must be one of day, week, month, year")
		}
		if c, ok := p.attrs["count"]; !ok {
			f.fail("subscription/period/count", reasonNull)
		} else if n, err := strconv.Atoi(strings.TrimSpace(c)); err != nil || n < 1 {
			f.fail("subscription/period/count", "must be a positive integer")
		}
	}
	f.boolean("subscription/renewal")
}

func (x *exchange) chargeAnswer(c *charge, mrid string) *chargeResponse {
	resp := &chargeResponse{Timestamp: timestamp(x.now), MerchantID: x.m.ID, MerchantRequestID: mrid,
		MerchantTransactionID: c.transactionID, MerchantData: c.merchantData, OptinID: c.optinID,
		ChargeID: c.id, ChargeStatus: c.status, Country: c.country, NetworkID: c.networkID}
	resp.Result = c.result()
	return resp
}

func (x *exchange) charge(f *form) any {
	mrid := x.ids(f)
	txid := f.str("merchant-transaction-id", true, 1, lenMerchantReqID)
	desc := f.str("merchant-item-description", true, 1, lenItemDescription)
	data := f.str("merchant-data", false, 0, lenMerchantData)
	optinID := f.str("optin-id", true, 1, lenOptinID)
	currency := currencyField(f, true)
	amount := amountField(f, "total-amount", true, currency)
	timeout := f.timeoutMS()
	f.pattern("consumer-ip-address", false, reIPv4())
	subscription(f)
	if resp := x.invalid(f); resp != nil {
		return resp
	}
	fp := fingerprint("charge", txid, desc, data, optinID, currency, strconv.FormatInt(amount, 10))
	if rec, conflict := x.seen(mrid, fp); conflict {
		return x.conflict(f)
	} else if rec != nil {
		c := x.acct.chargeByReq[mrid]
		resp := x.chargeAnswer(c, mrid)
		switch {
		case c.reversal != nil:
			resp.Result = res(rcAlreadyReversed)
		case c.status == statusFailed:
			// spec, charge: "If the transaction has completed with a
			// billing error, a response code of 107 will be returned".
			resp.Result = res(rcBillingErrorReplay)
		}
		return resp
	}
	resp := &chargeResponse{Timestamp: timestamp(x.now), MerchantID: x.m.ID, MerchantRequestID: mrid,
		MerchantTransactionID: txid, MerchantData: data, OptinID: optinID}
	if rev := x.acct.reversals[mrid]; rev != nil {
		// spec 130: a charge request with a merchant-request-id that has
		// already been reversed.
		resp.Result = res(rcAlreadyReversed)
		return resp
	}
	if amount == amountUnavailableOnce && !x.acct.failedOnce[mrid] {
		// The sandbox's 5.03: the first attempt meets an outage.
		x.acct.failedOnce[mrid] = true
		x.s.markFailedOnce(x.acct, mrid)
		x.delivery = deliverUnavailable
		return resp
	}
	o := x.acct.optins[optinID]
	if o == nil || (x.hostCountry != "" && o.country != x.hostCountry) {
		// Inferred: an opt-in of another country is unknown to this
		// country's host.
		resp.Result = res(rcOptinNotFound)
		return resp
	}
	if reason := currencyForCountry(o.country, currency); reason != "" {
		// A charge has no <country>: its currency must be one of its
		// opt-in's country (43 with the field named).
		f.fail("currency", reason)
		return x.invalid(f)
	}
	if o.status != optinActive {
		resp.Result = res(rcOptinNotActive)
		return resp
	}
	c := &charge{id: x.s.newID("ch"), requestID: mrid, transactionID: txid, optinID: optinID, country: o.country,
		networkID: o.networkID, paymentMethod: o.paymentMethod, currency: currency, amount: amount, description: desc,
		merchantData: data, created: x.now}
	if b, ok := x.acct.chargeBehavior[optinID]; ok {
		c.outcome = start(b, x.now, timeout)
	} else {
		c.outcome = magicOutcome(amount)
	}
	x.delivery = magicDelivery(amount)
	x.acct.charges = append(x.acct.charges, c)
	x.acct.chargeByID[c.id] = c
	x.acct.chargeByReq[mrid] = c
	x.acct.requests[mrid] = &record{call: "charge", fingerprint: fp}
	x.s.markCharge(c.id)
	x.s.markRequest(x.acct, mrid)
	return x.chargeAnswer(c, mrid)
}

func (x *exchange) beginSingleCharge(f *form) any {
	country := x.country(f, true)
	mrid := x.ids(f)
	txid := f.str("merchant-transaction-id", false, 1, lenMerchantReqID)
	data := f.str("merchant-data", false, 0, lenMerchantData)
	desc := f.str("merchant-item-description", true, 1, lenItemDescription)
	consumer := f.str("merchant-consumer-id", false, 1, lenMerchantConsumer)
	currency := currencyField(f, true)
	amount := amountField(f, "total-amount", true, currency)
	f.timeoutMS()
	f.pattern("consumer-ip-address", false, reIPv4())
	method := f.str("payment-method", true, 1, 1<<16)
	if ct := f.root.child("charge-type"); ct != nil && strings.TrimSpace(ct.text) != "hosted" {
		f.fail("charge-type", "must be hosted")
	}
	notify := f.str("notification-url", false, 1, lenNotificationURL)
	forward := ""
	if f.present("hosted", true) {
		forward = f.str("hosted/forward-url", true, 1, lenURL)
	}
	if resp := x.invalid(f); resp != nil {
		return resp
	}
	if currency != "" && country != "" {
		if reason := currencyForCountry(country, currency); reason != "" {
			f.fail("currency", reason)
		}
		if resp := x.invalid(f); resp != nil {
			return resp
		}
	}
	// The notification-url is not part of the request's content: a resend
	// without it (or with another) is the same request, answered as the
	// first (inferred: the spec's 124 is for "differing charge
	// parameters", and where to be notified is not one of them).
	fp := fingerprint("begin-single-charge", country, txid, data, desc, consumer, currency, strconv.FormatInt(amount, 10), method, forward)
	if rec, conflict := x.seen(mrid, fp); conflict {
		return x.conflict(f)
	} else if rec != nil {
		return x.singleAnswer(x.acct.chargeByReq[mrid], mrid)
	}
	if x.acct.reversals[mrid] != nil {
		return &beginSingleChargeResponse{Result: res(rcAlreadyReversed), Timestamp: timestamp(x.now), MerchantID: x.m.ID,
			MerchantRequestID: mrid, MerchantTransactionID: txid, MerchantData: data, Country: country, PaymentMethod: method}
	}
	c := &charge{id: x.s.newID("ch"), requestID: mrid, transactionID: txid, country: country,
		networkID: networkID(country), paymentMethod: method, currency: currency, amount: amount,
		description: desc, merchantData: data, created: x.now, single: true, forwardURL: forward, notificationURL: notify}
	// Inferred: the charge waits for the consumer at redirect-url, so it
	// is in progress (23) until then; the spec's example shows "success"
	// at once, which no consumer could have authorised yet.
	c.outcome = outcome{status: statusInProgress, code: rcInProgress}
	x.acct.charges = append(x.acct.charges, c)
	x.acct.chargeByID[c.id] = c
	x.acct.chargeByReq[mrid] = c
	x.acct.requests[mrid] = &record{call: "begin-single-charge", fingerprint: fp}
	x.s.markCharge(c.id)
	x.s.markRequest(x.acct, mrid)
	return x.singleAnswer(c, mrid)
}

func (x *exchange) singleAnswer(c *charge, mrid string) any {
	resp := &beginSingleChargeResponse{Result: res(c.code), Timestamp: timestamp(x.now), MerchantID: x.m.ID,
		MerchantRequestID: mrid, MerchantTransactionID: c.transactionID, MerchantData: c.merchantData,
		ChargeID: c.id, ChargeStatus: c.status, Country: c.country, PaymentMethod: c.paymentMethod}
	if c.reversal != nil {
		resp.Result = res(rcAlreadyReversed)
	}
	resp.Hosted = &hostedRedirectURL{RedirectURL: x.consentURL(c.id)}
	return resp
}

// queryCharge: criteria combine with AND (spec). Inferred: at least one of
// charge-id, merchant-request-id, merchant-transaction-id is needed (43
// naming chargeId otherwise); only charges of the request's country match;
// merchant-request-id matches only within 24 hours (spec note).
func (x *exchange) queryCharge(f *form) any {
	country := x.country(f, true)
	f.str("merchant-id", true, 1, lenMerchantID)
	id := f.str("charge-id", false, 1, lenChargeID)
	mrid := f.str("merchant-request-id", false, 1, lenMerchantReqID)
	txid := f.str("merchant-transaction-id", false, 1, lenMerchantReqID)
	if len(f.bad) == 0 && id == "" && mrid == "" && txid == "" {
		f.fail("charge-id", "one of chargeId, merchantRequestId, merchantTransactionId is required")
	}
	if resp := x.invalid(f); resp != nil {
		return resp
	}
	resp := &queryChargeResponse{}
	for _, c := range x.acct.charges {
		if c.country != country || (id != "" && c.id != id) || (txid != "" && c.transactionID != txid) {
			continue
		}
		if mrid != "" && (c.requestID != mrid || x.now.Sub(c.created) > 24*time.Hour) {
			continue
		}
		if c.onQuery && c.status == statusInProgress {
			// The sandbox's 7.77: settled by the time it is asked about.
			c.status, c.code = statusSuccess, rcOK
			x.s.markCharge(c.id)
		}
		e := chargeElem{Result: c.result(), ChargeStatus: c.status, ChargeID: c.id, Timestamp: timestamp(c.created),
			MerchantID: x.m.ID, MerchantTransactionID: c.transactionID, Country: c.country, NetworkID: c.networkID,
			Currency: c.currency, TotalAmount: formatAmount(c.amount, c.currency),
			MerchantItemDescription: c.description, MerchantData: c.merchantData}
		if c.reversal != nil {
			e.Reversal = &reversalElem{ReversalID: c.reversal.id, Timestamp: timestamp(c.reversal.at)}
		}
		resp.Charges.Charge = append(resp.Charges.Charge, e)
	}
	resp.Result = res(rcOK)
	resp.Result.Message = fmt.Sprintf("Found %d result(s)", len(resp.Charges.Charge)) // spec examples
	return resp
}

// reverseCharge is keyed by the original charge's merchant-request-id. It
// is OK "in almost all cases, regardless of whether Boku actually received
// the original charge" (spec); refused with 132 when the charge was
// received over an hour ago, and with 131 when it was refunded (spec 131).
// Inferred: reversing again answers the same reversal; a
// merchant-request-id used for something other than a charge is 124.
func (x *exchange) reverseCharge(f *form) any {
	country := x.country(f, true)
	mrid := x.ids(f)
	if resp := x.invalid(f); resp != nil {
		return resp
	}
	resp := &reverseChargeResponse{Timestamp: timestamp(x.now), MerchantID: x.m.ID, MerchantRequestID: mrid, Country: country}
	if rec := x.acct.requests[mrid]; rec != nil && rec.call != "charge" && rec.call != "begin-single-charge" {
		return x.conflict(f)
	}
	c := x.acct.chargeByReq[mrid]
	if c != nil && c.country != country {
		c = nil // inferred: another country's charge is unknown here
	}
	if rev := x.acct.reversals[mrid]; rev != nil {
		resp.Result, resp.ReversalID = res(rcOK), rev.id
		if c != nil {
			resp.ChargeID = c.id
		}
		return resp
	}
	if c != nil {
		resp.ChargeID = c.id
		if x.now.Sub(c.created) > time.Hour {
			resp.Result = res(rcReversalExpired)
			return resp
		}
		if c.refunded > 0 || c.reserved > 0 {
			resp.Result = res(rcAlreadyRefunded)
			return resp
		}
	}
	rev := &reversal{id: x.s.newID("rv"), requestID: mrid, at: x.now}
	x.acct.reversals[mrid] = rev
	x.s.markReversal(x.acct, mrid)
	if c != nil {
		c.reversal = rev
		x.s.markCharge(c.id)
	}
	resp.Result, resp.ReversalID = res(rcOK), rev.id
	return resp
}

// refundReasons are Boku's refund reason codes (spec RefundChargeRequest
// reasonCode enum; reference §5).
var refundReasons = map[int]bool{3: true, 8: true, 19: true, 20: true, 22: true, 33: true}

func (x *exchange) refundAnswer(c *charge, rf *refund, mrid string) *refundChargeResponse {
	return &refundChargeResponse{Result: res(rf.code), Timestamp: timestamp(x.now), MerchantID: x.m.ID, MerchantRequestID: mrid,
		ChargeID: c.id, RefundID: rf.id, RefundStatus: rf.status, Country: c.country, NetworkID: c.networkID}
}

func (x *exchange) refundCharge(f *form) any {
	country := x.country(f, true)
	mrid := x.ids(f)
	refundID := f.str("merchant-refund-id", true, 1, lenMerchantReqID)
	if refundID == mrid {
		refundID = mrid // one copy of the usual key kept, not two
	}
	chargeID := f.str("charge-id", true, 1, lenChargeID)
	reason := 0
	if v := f.str("reason-code", true, 1, 16); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || !refundReasons[n] {
			f.fail("reason-code", "must be one of 3, 8, 19, 20, 22, 33")
		}
		reason = n
	}
	currency := currencyField(f, false)
	amountText := ""
	if n := f.root.child("refund-amount"); n != nil {
		amountText = strings.TrimSpace(n.text)
	}
	timeout := f.timeoutMS()
	f.boolean("skip-retry")
	notify := f.boolAttr("notification", "send")
	if resp := x.invalid(f); resp != nil {
		return resp
	}
	c := x.acct.chargeByID[chargeID]
	// The amount is read in the charge's currency; a currency that is
	// not the charge's is invalid (inferred; the reason's words are the
	// sandbox's, the spec gives none).
	amount := int64(0)
	if c != nil {
		if currency != "" && currency != c.currency {
			f.fail("currency", currency+" does not match the charge's "+c.currency)
		}
		if f.root.child("refund-amount") != nil {
			amount = amountField(f, "refund-amount", false, c.currency)
		}
		if resp := x.invalid(f); resp != nil {
			return resp
		}
	}
	fp := fingerprint("refund-charge", country, refundID, chargeID, strconv.Itoa(reason), currency, amountText)
	if rf := x.acct.refundByReq[mrid]; rf != nil && rf.chargeID == chargeID && rf.merchantRefundID == refundID {
		x.adoptLegacy(mrid, "refund-charge", fp)
	}
	if rec, conflict := x.seen(mrid, fp); conflict {
		return x.conflict(f)
	} else if rec != nil {
		rf := x.acct.refundByReq[mrid]
		if rc := x.acct.chargeByID[rf.chargeID]; rc != nil {
			return x.refundAnswer(rc, rf, mrid)
		}
		// A restored state may hold a refund without its charge: the
		// charge is unknown (inferred, as the sandbox's earlier fake).
		return &refundChargeResponse{Result: res(rcChargeNotFound), Timestamp: timestamp(x.now), MerchantID: x.m.ID,
			MerchantRequestID: mrid, ChargeID: chargeID}
	}
	resp := &refundChargeResponse{Timestamp: timestamp(x.now), MerchantID: x.m.ID, MerchantRequestID: mrid, ChargeID: chargeID}
	if c == nil || c.country != country {
		resp.Result = res(rcChargeNotFound)
		return resp
	}
	resp.Country, resp.NetworkID = c.country, c.networkID
	if amount == 0 {
		amount = c.amount // "Defaults to the original charge request's total-amount"
	}
	remaining := c.amount - c.refunded - c.reserved
	switch {
	case c.reversal != nil:
		resp.Result = res(rcAlreadyReversed) // spec 130: "a refund of a previously reversed transaction"
	case c.status != statusSuccess:
		resp.Result = res(rcChargeNotBilled)
	case remaining <= 0:
		resp.Result = res(rcFullyRefunded)
	case amount > remaining:
		resp.Result = res(rcRefundExceedsBalance)
	}
	if resp.Result.Status != "" {
		return resp
	}
	rf := &refund{id: x.s.newID("rf"), requestID: mrid, merchantRefundID: refundID, chargeID: c.id, reasonCode: reason,
		amount: amount, kind: "refund", created: x.now}
	var b behavior
	if c.optinID != "" {
		b = x.acct.refundBehavior[c.optinID]
	}
	rf.outcome = start(b, x.now, timeout)
	switch rf.status {
	case statusSuccess:
		c.refunded += amount
	case statusInProgress:
		c.reserved += amount // released or refunded by settleRefund
	}
	x.acct.refunds = append(x.acct.refunds, rf)
	x.acct.refundByID[rf.id] = rf
	x.acct.refundByReq[mrid] = rf
	x.acct.requests[mrid] = &record{call: "refund-charge", fingerprint: fp}
	x.s.markCharge(c.id)
	x.s.markRefund(rf.id)
	x.s.markRequest(x.acct, mrid)
	switch {
	case notify && rf.status != statusInProgress:
		x.s.notifyRefund(x.acct, rf, c)
	case notify:
		// "Sent on completion of all accepted refunds" (spec): once it is
		// final, whichever comes first of a request that settles it and
		// the time it is due.
		rf.notify = true
		x.s.settleAt(x.acct, rf.doneAt)
	}
	return x.refundAnswer(c, rf, mrid)
}

// queryRefund: criteria combine with AND (spec). Inferred: at least one of
// merchant-refund-id, refund-id is needed; only refunds of the request's
// country match. The top result's message is "Operation Successful", as in
// all three of the spec's query-refund examples (query-charge's say
// "Found n result(s)").
func (x *exchange) queryRefund(f *form) any {
	country := x.country(f, true)
	f.str("merchant-id", true, 1, lenMerchantID)
	mref := f.str("merchant-refund-id", false, 1, lenMerchantReqID)
	id := f.str("refund-id", false, 1, lenRefundID)
	if len(f.bad) == 0 && mref == "" && id == "" {
		f.fail("merchant-refund-id", "one of merchantRefundId, refundId is required")
	}
	if resp := x.invalid(f); resp != nil {
		return resp
	}
	resp := &queryRefundResponse{Result: res(rcOK)}
	for _, rf := range x.acct.refunds {
		c := x.acct.chargeByID[rf.chargeID]
		if c == nil || c.country != country || (id != "" && rf.id != id) || (mref != "" && rf.merchantRefundID != mref) {
			continue
		}
		txid := c.transactionID
		if txid == "" {
			txid = c.requestID // spec Refund.merchantTransactionId
		}
		resp.Refunds.Refund = append(resp.Refunds.Refund, refundElem{Result: res(rf.code), RefundStatus: rf.status,
			RefundID: rf.id, Timestamp: timestamp(rf.created), MerchantID: x.m.ID, MerchantRefundID: rf.merchantRefundID,
			ChargeID: c.id, ReasonCode: rf.reasonCode, Country: c.country, NetworkID: c.networkID, Currency: c.currency,
			RefundAmount: formatAmount(rf.amount, c.currency), Type: rf.kind, MerchantTransactionID: txid})
	}
	return resp
}
