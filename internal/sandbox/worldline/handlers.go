package worldline

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/bokuctl/bokuctl/pkg/money"
)

// The fake's own request shapes, written from the reference rather than
// shared with the client.
type amountData struct {
	Amount           int64  `json:"amount"`
	CurrencyCode     string `json:"currencyCode"`
	NumberOfDecimals int32  `json:"numberOfDecimals"`
}

type cardData struct {
	CardNumber       string `json:"cardNumber"`
	CardSecurityCode string `json:"cardSecurityCode"`
	ExpiryDate       string `json:"expiryDate"`
}

type cardPaymentData struct {
	AllowPartialApproval         *bool     `json:"allowPartialApproval"`
	Brand                        string    `json:"brand"`
	CaptureImmediately           *bool     `json:"captureImmediately"`
	CardData                     *cardData `json:"cardData"`
	CardEntryMode                string    `json:"cardEntryMode"`
	CardholderVerificationMethod string    `json:"cardholderVerificationMethod"`
}

type references struct {
	DynamicDescriptor string `json:"dynamicDescriptor"`
	MerchantReference string `json:"merchantReference"`
}

type common struct {
	OperationID          string `json:"operationId"`
	TransactionTimestamp string `json:"transactionTimestamp"`
}

// The card patterns compile on first use rather than when bokuctl starts.
var (
	expiryPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(0[1-9]|1[0-2])(20[0-9]{2})$`) })
	cvcPattern    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{3,4}$`) })
)

// checkCommon enforces operationId and transactionTimestamp.
func (x *exchange) checkCommon(c common) bool {
	if strings.TrimSpace(c.OperationID) == "" || len(c.OperationID) > 64 {
		x.fail(http.StatusBadRequest, "validation", "operationId is required (at most 64 characters)")
		return false
	}
	if _, err := time.Parse(time.RFC3339Nano, c.TransactionTimestamp); err != nil {
		x.fail(http.StatusBadRequest, "validation", "transactionTimestamp is required in ISO 8601 format")
		return false
	}
	return true
}

// checkAmount validates an amount, and its currency against want if set.
func (x *exchange) checkAmount(field string, a *amountData, want string) bool {
	if a == nil {
		x.fail(http.StatusBadRequest, "validation", field+" is required")
		return false
	}
	cur, err := money.LookupCurrency(a.CurrencyCode)
	switch {
	case err != nil || cur.Code != a.CurrencyCode:
		x.fail(http.StatusBadRequest, "validation", field+".currencyCode "+fmt.Sprintf("%q", a.CurrencyCode)+" is not an ISO 4217 code")
	case int(a.NumberOfDecimals) != cur.Exponent:
		x.fail(http.StatusBadRequest, "validation", fmt.Sprintf("%s.numberOfDecimals must be %d for %s", field, cur.Exponent, cur.Code))
	case a.Amount <= 0:
		x.fail(http.StatusBadRequest, "validation", field+".amount must be positive")
	case want != "" && a.CurrencyCode != want:
		x.fail(http.StatusBadRequest, "validation", fmt.Sprintf("%s.currencyCode %s does not match the payment's %s", field, a.CurrencyCode, want))
	default:
		return true
	}
	return false
}

// checkCard validates card data.
func (x *exchange) checkCard(cpd *cardPaymentData, needCVC bool) bool {
	if cpd == nil || cpd.CardData == nil {
		x.fail(http.StatusBadRequest, "validation", "cardPaymentData.cardData is required")
		return false
	}
	c := cpd.CardData
	if len(c.CardNumber) < 12 || len(c.CardNumber) > 19 || strings.Trim(c.CardNumber, "0123456789") != "" || !luhn(c.CardNumber) {
		x.fail(http.StatusBadRequest, "validation", "cardPaymentData.cardData.cardNumber is invalid")
		return false
	}
	m := expiryPattern().FindStringSubmatch(c.ExpiryDate)
	if m == nil {
		x.fail(http.StatusBadRequest, "validation", "cardPaymentData.cardData.expiryDate must be MMYYYY")
		return false
	}
	var month, year int
	fmt.Sscanf(m[1]+" "+m[2], "%d %d", &month, &year)
	now := x.s.Now()
	if year < now.Year() || (year == now.Year() && month < int(now.Month())) {
		x.fail(http.StatusBadRequest, "validation", "cardPaymentData.cardData.expiryDate is in the past")
		return false
	}
	if (needCVC || c.CardSecurityCode != "") && !cvcPattern().MatchString(c.CardSecurityCode) {
		x.fail(http.StatusBadRequest, "validation", "cardPaymentData.cardData.cardSecurityCode must be 3 or 4 digits")
		return false
	}
	return true
}

func luhn(number string) bool {
	sum, double := 0, false
	for i := len(number) - 1; i >= 0; i-- {
		d := int(number[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// outcome is the issuer's answer for a card.
type outcome struct {
	code, category, description, responder string
}

var approved = outcome{"0", "APPROVED", "Accepted or completed successfully", "WORLDLINE"}

func cardOutcome(number string) outcome {
	switch number {
	case CardDeclined:
		return outcome{"05", "DECLINED", "Do not honor", "ISSUER"}
	case CardInsufficient:
		return outcome{"51", "DECLINED", "Insufficient funds", "ISSUER"}
	}
	return approved
}

func (o outcome) fields() map[string]any {
	return map[string]any{"responseCode": o.code, "responseCodeCategory": o.category, "responseCodeDescription": o.description, "responder": o.responder}
}

func merge(maps ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func (p *payment) amount(v int64) amountData {
	return amountData{Amount: v, CurrencyCode: p.currency, NumberOfDecimals: p.decimals}
}

func (p *payment) summary() map[string]any {
	return map[string]any{"paymentId": p.id, "status": p.status, "statusTimestamp": p.statusTime}
}

func (x *exchange) stamp() string { return x.s.Now().UTC().Format("2006-01-02T15:04:05.000Z") }

func (x *exchange) processPayment() {
	var req struct {
		common
		Amount            *amountData      `json:"amount"`
		AuthorizationType string           `json:"authorizationType"`
		CardPaymentData   *cardPaymentData `json:"cardPaymentData"`
		References        *references      `json:"references"`
	}
	if !x.decode(&req) || !x.checkCommon(req.common) || !x.checkAmount("amount", req.Amount, "") || !x.checkCard(req.CardPaymentData, true) {
		return
	}
	if t := req.AuthorizationType; t != "" && t != "PRE_AUTHORIZATION" && t != "FINAL_AUTHORIZATION" {
		x.fail(http.StatusBadRequest, "validation", "authorizationType must be PRE_AUTHORIZATION or FINAL_AUTHORIZATION")
		return
	}
	switch req.Amount.Amount {
	case AmountUnavailable:
		x.fail(http.StatusServiceUnavailable, "platform", "service temporarily unavailable")
		return
	case AmountServerError:
		x.fail(http.StatusInternalServerError, "platform", "internal error")
		return
	case AmountSlow:
		time.Sleep(SlowDelay)
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.replay(req.OperationID) {
		return
	}
	o := cardOutcome(req.CardPaymentData.CardData.CardNumber)
	p := &payment{
		id: newID(), operationID: req.OperationID, authType: req.AuthorizationType, currency: req.Amount.CurrencyCode,
		decimals: req.Amount.NumberOfDecimals, brand: req.CardPaymentData.Brand, statusTime: x.stamp(),
		code: o.code, category: o.category, description: o.description, responder: o.responder,
	}
	if p.brand == "" {
		p.brand = "VISA"
	}
	if req.References != nil {
		p.merchantReference = req.References.MerchantReference
	}
	op := operation{ID: req.OperationID, Type: "AUTHORIZATION", Timestamp: x.stamp(), Amount: &amountData{req.Amount.Amount, p.currency, p.decimals}, Code: o.code, Category: o.category}
	if o.category != "APPROVED" {
		p.status = "NOT_AUTHORIZED"
	} else {
		p.status, p.authorized, p.authCode = "AUTHORIZED", req.Amount.Amount, authCode()
		if req.CardPaymentData.CaptureImmediately != nil && *req.CardPaymentData.CaptureImmediately {
			p.status, p.captured, p.final = "CONFIRMED", req.Amount.Amount, true
		}
	}
	p.operations = append(p.operations, op)
	if p.status == "CONFIRMED" {
		p.operations = append(p.operations, operation{ID: req.OperationID, Type: "CAPTURE", Timestamp: x.stamp(), Amount: op.Amount, Code: o.code, Category: o.category})
	}
	x.s.payments[p.id] = p
	x.s.markPayment(p)
	resp := merge(o.fields(), map[string]any{
		"operationId": req.OperationID, "paymentId": p.id, "status": p.status, "statusTimestamp": p.statusTime,
		"cardPaymentData": map[string]any{"brand": p.brand},
	})
	if p.authorized > 0 {
		resp["initialAuthorizationCode"] = p.authCode
		resp["totalAuthorizedAmount"] = p.amount(p.authorized)
	}
	data := x.answer(req.OperationID, p.id, http.StatusCreated, resp)
	if req.Amount.Amount == AmountDropConnection {
		dropConnection(x.w)
		return
	}
	x.write(http.StatusCreated, data)
}

func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

func (x *exchange) operationsJSON(ops []operation) []map[string]any {
	out := []map[string]any{}
	for _, op := range ops {
		m := map[string]any{"operationId": op.ID, "operationType": op.Type, "operationTimestamp": op.Timestamp,
			"responseCode": op.Code, "responseCodeCategory": op.Category}
		if op.Amount != nil {
			m["amount"] = op.Amount
		}
		if op.Code == "0" {
			m["responseCodeDescription"] = approved.description
		}
		out = append(out, m)
	}
	return out
}

func (x *exchange) getPayment() {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	p := x.s.payments[x.args[1]]
	if p == nil {
		x.fail(http.StatusNotFound, "not-found", "payment "+x.args[1]+" not found")
		return
	}
	resp := map[string]any{"paymentId": p.id, "status": p.status, "statusTimestamp": p.statusTime,
		"cardPaymentData": map[string]any{"brand": p.brand}, "totalAuthorizedAmount": p.amount(p.authorized)}
	if p.authCode != "" {
		resp["initialAuthorizationCode"] = p.authCode
	}
	if x.r.URL.Query().Get("returnOperations") == "true" {
		resp["operations"] = x.operationsJSON(p.operations)
	}
	writeJSON(x.w, http.StatusOK, resp)
}

// withPayment decodes the body, checks the common fields, replays a
// repeated operationId and finds the payment; callers get s.mu held.
func (x *exchange) withPayment(req any, c func() common) (*payment, bool) {
	if !x.decode(req) || !x.checkCommon(c()) {
		return nil, false
	}
	x.s.mu.Lock()
	if x.replay(c().OperationID) {
		x.s.mu.Unlock()
		return nil, false
	}
	p := x.s.payments[x.args[1]]
	if p == nil {
		x.s.mu.Unlock()
		x.fail(http.StatusNotFound, "not-found", "payment "+x.args[1]+" not found")
		return nil, false
	}
	return p, true
}

func (x *exchange) capture() {
	var req struct {
		common
		Amount                *amountData `json:"amount"`
		CaptureSequenceNumber *int32      `json:"captureSequenceNumber"`
		IsFinal               *bool       `json:"isFinal"`
	}
	p, ok := x.withPayment(&req, func() common { return req.common })
	if !ok {
		return
	}
	defer x.s.mu.Unlock()
	remaining := p.authorized - p.captured
	if (p.status != "AUTHORIZED" && p.status != "CONFIRMED") || p.final || remaining <= 0 {
		x.fail(http.StatusConflict, "state", fmt.Sprintf("payment %s cannot be captured: it is %s with nothing left to capture", p.id, p.status))
		return
	}
	amount := remaining
	if req.Amount != nil {
		if !x.checkAmount("amount", req.Amount, p.currency) {
			return
		}
		if req.Amount.Amount > remaining {
			x.fail(http.StatusConflict, "state", fmt.Sprintf("capture of %s exceeds the %s %s still authorized", money.FormatMinor(req.Amount.Amount, int(p.decimals)), money.FormatMinor(remaining, int(p.decimals)), p.currency))
			return
		}
		amount = req.Amount.Amount
	}
	p.captured += amount
	p.status, p.statusTime = "CONFIRMED", x.stamp()
	x.s.markPayment(p)
	if req.IsFinal != nil && *req.IsFinal {
		p.final = true
	}
	a := p.amount(amount)
	p.operations = append(p.operations, operation{ID: req.OperationID, Type: "CAPTURE", Timestamp: x.stamp(), Amount: &a, Code: "0", Category: "APPROVED"})
	x.write(http.StatusCreated, x.answer(req.OperationID, p.id, http.StatusCreated, merge(approved.fields(), map[string]any{"operationId": req.OperationID, "payment": p.summary()})))
}

func (x *exchange) reverseAuthorization() {
	var req struct {
		common
		ReversalAmount *amountData `json:"reversalAmount"`
	}
	p, ok := x.withPayment(&req, func() common { return req.common })
	if !ok {
		return
	}
	defer x.s.mu.Unlock()
	if p.status != "AUTHORIZED" {
		x.fail(http.StatusConflict, "state", fmt.Sprintf("only an authorization can be reversed; payment %s is %s", p.id, p.status))
		return
	}
	amount := p.authorized
	if req.ReversalAmount != nil {
		if !x.checkAmount("reversalAmount", req.ReversalAmount, p.currency) {
			return
		}
		if req.ReversalAmount.Amount > p.authorized {
			x.fail(http.StatusConflict, "state", "reversal exceeds the authorized amount")
			return
		}
		amount = req.ReversalAmount.Amount
	}
	p.authorized -= amount
	x.s.markPayment(p)
	if p.authorized == 0 {
		p.status = "REVERSED"
	}
	p.statusTime = x.stamp()
	a := p.amount(amount)
	p.operations = append(p.operations, operation{ID: req.OperationID, Type: "AUTHORIZATION_REVERSAL", Timestamp: x.stamp(), Amount: &a, Code: "0", Category: "APPROVED"})
	x.write(http.StatusCreated, x.answer(req.OperationID, p.id, http.StatusCreated, merge(approved.fields(), map[string]any{
		"operationId": req.OperationID, "payment": p.summary(), "totalAuthorizedAmount": p.amount(p.authorized)})))
}

func (x *exchange) increment() {
	var req struct {
		common
		IncrementAmount *amountData `json:"incrementAmount"`
	}
	p, ok := x.withPayment(&req, func() common { return req.common })
	if !ok {
		return
	}
	defer x.s.mu.Unlock()
	if !x.checkAmount("incrementAmount", req.IncrementAmount, p.currency) {
		return
	}
	if p.status != "AUTHORIZED" || p.authType != "PRE_AUTHORIZATION" {
		x.fail(http.StatusConflict, "state", fmt.Sprintf("only an uncaptured pre-authorization can be incremented; payment %s is %s", p.id, p.status))
		return
	}
	p.authorized += req.IncrementAmount.Amount
	x.s.markPayment(p)
	p.statusTime = x.stamp()
	p.operations = append(p.operations, operation{ID: req.OperationID, Type: "INCREMENT", Timestamp: x.stamp(), Amount: req.IncrementAmount, Code: "0", Category: "APPROVED"})
	x.write(http.StatusCreated, x.answer(req.OperationID, p.id, http.StatusCreated, merge(approved.fields(), map[string]any{
		"operationId": req.OperationID, "payment": p.summary(), "authorizationCode": authCode(), "totalAuthorizedAmount": p.amount(p.authorized)})))
}

func (r *refund) summary() map[string]any {
	return map[string]any{"refundId": r.id, "status": r.status, "statusTimestamp": r.statusTime}
}

func (x *exchange) refundPayment() {
	var req struct {
		common
		Amount             *amountData `json:"amount"`
		CaptureImmediately *bool       `json:"captureImmediately"`
		References         *references `json:"references"`
	}
	p, ok := x.withPayment(&req, func() common { return req.common })
	if !ok {
		return
	}
	defer x.s.mu.Unlock()
	available := p.captured - p.refunded
	if p.status != "CONFIRMED" || available <= 0 {
		x.fail(http.StatusConflict, "state", fmt.Sprintf("payment %s has nothing captured left to refund (status %s)", p.id, p.status))
		return
	}
	amount := available
	if req.Amount != nil {
		if !x.checkAmount("amount", req.Amount, p.currency) {
			return
		}
		if req.Amount.Amount > available {
			x.fail(http.StatusConflict, "state", fmt.Sprintf("refund of %s exceeds the %s %s captured and not yet refunded", money.FormatMinor(req.Amount.Amount, int(p.decimals)), money.FormatMinor(available, int(p.decimals)), p.currency))
			return
		}
		amount = req.Amount.Amount
	}
	p.refunded += amount
	x.s.markPayment(p)
	rf := x.newRefund(req.OperationID, p.id, p.currency, p.decimals, amount, req.CaptureImmediately != nil && *req.CaptureImmediately)
	x.write(http.StatusCreated, x.answer(req.OperationID, rf.id, http.StatusCreated, merge(approved.fields(), map[string]any{"operationId": req.OperationID, "refund": rf.summary()})))
}

func (x *exchange) newRefund(operationID, paymentID, currency string, decimals int32, amount int64, capture bool) *refund {
	rf := &refund{id: newID(), operationID: operationID, paymentID: paymentID, currency: currency, decimals: decimals, amount: amount, status: "AUTHORIZED", statusTime: x.stamp()}
	a := amountData{amount, currency, decimals}
	rf.operations = append(rf.operations, operation{ID: operationID, Type: "AUTHORIZATION", Timestamp: x.stamp(), Amount: &a, Code: "0", Category: "APPROVED"})
	if capture {
		rf.status = "CONFIRMED"
		rf.operations = append(rf.operations, operation{ID: operationID, Type: "CAPTURE", Timestamp: x.stamp(), Amount: &a, Code: "0", Category: "APPROVED"})
	}
	x.s.refunds[rf.id] = rf
	x.s.markRefund(rf)
	return rf
}

func (x *exchange) standaloneRefund() {
	var req struct {
		common
		Amount          *amountData      `json:"amount"`
		CardPaymentData *cardPaymentData `json:"cardPaymentData"`
		References      *references      `json:"references"`
	}
	if !x.decode(&req) || !x.checkCommon(req.common) || !x.checkAmount("amount", req.Amount, "") || !x.checkCard(req.CardPaymentData, false) {
		return
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.replay(req.OperationID) {
		return
	}
	capture := req.CardPaymentData.CaptureImmediately != nil && *req.CardPaymentData.CaptureImmediately
	rf := x.newRefund(req.OperationID, "", req.Amount.CurrencyCode, req.Amount.NumberOfDecimals, req.Amount.Amount, capture)
	x.write(http.StatusCreated, x.answer(req.OperationID, rf.id, http.StatusCreated, merge(approved.fields(), map[string]any{
		"operationId": req.OperationID, "refundId": rf.id, "status": rf.status, "statusTimestamp": rf.statusTime,
		"authorizationCode": authCode(), "totalAuthorizedAmount": amountData{rf.amount, rf.currency, rf.decimals}})))
}

func (x *exchange) getRefund() {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	rf := x.s.refunds[x.args[1]]
	if rf == nil {
		x.fail(http.StatusNotFound, "not-found", "refund "+x.args[1]+" not found")
		return
	}
	resp := map[string]any{"refundId": rf.id, "status": rf.status, "statusTimestamp": rf.statusTime,
		"totalAuthorizedAmount": amountData{rf.amount, rf.currency, rf.decimals}}
	if rf.paymentID != "" {
		resp["referencedPaymentId"] = rf.paymentID
	}
	if x.r.URL.Query().Get("returnOperations") == "true" {
		resp["operations"] = x.operationsJSON(rf.operations)
	}
	writeJSON(x.w, http.StatusOK, resp)
}

// withRefund is withPayment for refunds.
func (x *exchange) withRefund() (*refund, common, bool) {
	var req common
	if !x.decode(&req) || !x.checkCommon(req) {
		return nil, req, false
	}
	x.s.mu.Lock()
	if x.replay(req.OperationID) {
		x.s.mu.Unlock()
		return nil, req, false
	}
	rf := x.s.refunds[x.args[1]]
	if rf == nil {
		x.s.mu.Unlock()
		x.fail(http.StatusNotFound, "not-found", "refund "+x.args[1]+" not found")
		return nil, req, false
	}
	return rf, req, true
}

func (x *exchange) captureRefund() {
	rf, req, ok := x.withRefund()
	if !ok {
		return
	}
	defer x.s.mu.Unlock()
	if rf.status != "AUTHORIZED" {
		x.fail(http.StatusConflict, "state", "refund "+rf.id+" is "+rf.status+"; only an authorized refund can be captured")
		return
	}
	rf.status, rf.statusTime = "CONFIRMED", x.stamp()
	x.s.markRefund(rf)
	a := amountData{rf.amount, rf.currency, rf.decimals}
	rf.operations = append(rf.operations, operation{ID: req.OperationID, Type: "CAPTURE", Timestamp: x.stamp(), Amount: &a, Code: "0", Category: "APPROVED"})
	x.write(http.StatusCreated, x.answer(req.OperationID, rf.id, http.StatusCreated, merge(approved.fields(), map[string]any{"operationId": req.OperationID, "refund": rf.summary()})))
}

func (x *exchange) reverseRefund() {
	rf, req, ok := x.withRefund()
	if !ok {
		return
	}
	defer x.s.mu.Unlock()
	if rf.status != "AUTHORIZED" {
		x.fail(http.StatusConflict, "state", "refund "+rf.id+" is "+rf.status+"; only an authorized refund can be reversed")
		return
	}
	rf.status, rf.statusTime = "REVERSED", x.stamp()
	x.s.markRefund(rf)
	if p := x.s.payments[rf.paymentID]; p != nil {
		p.refunded -= rf.amount
		x.s.markPayment(p)
	}
	rf.operations = append(rf.operations, operation{ID: req.OperationID, Type: "AUTHORIZATION_REVERSAL", Timestamp: x.stamp(), Code: "0", Category: "APPROVED"})
	x.write(http.StatusCreated, x.answer(req.OperationID, rf.id, http.StatusCreated, merge(approved.fields(), map[string]any{"operationId": req.OperationID, "refund": rf.summary()})))
}

func (x *exchange) verifyAccount() {
	var req struct {
		common
		CardPaymentData *cardPaymentData `json:"cardPaymentData"`
		References      *references      `json:"references"`
	}
	if !x.decode(&req) || !x.checkCommon(req.common) || !x.checkCard(req.CardPaymentData, false) {
		return
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.replay(req.OperationID) {
		return
	}
	o := cardOutcome(req.CardPaymentData.CardData.CardNumber)
	resp := merge(o.fields(), map[string]any{"operationId": req.OperationID, "cardPaymentData": map[string]any{"brand": "VISA"}})
	if o.category == "APPROVED" {
		resp["authorizationCode"] = authCode()
		if req.CardPaymentData.CardData.CardSecurityCode != "" {
			resp["cardPaymentData"] = map[string]any{"brand": "VISA", "ecommerceData": map[string]any{"cardSecurityCodeResult": "MATCH"}}
		}
	}
	x.write(http.StatusCreated, x.answer(req.OperationID, "", http.StatusCreated, resp))
}

func (x *exchange) technicalReversal() {
	var req struct {
		common
		Reason string `json:"reason"`
	}
	if !x.decode(&req) || !x.checkCommon(req.common) {
		return
	}
	switch req.Reason {
	case "SUSPECTED_MALFUNCTION", "INVALID_RESPONSE", "TIMEOUT_WAITING_RESPONSE", "SUSPECTED_FRAUD":
	default:
		x.fail(http.StatusBadRequest, "validation", "reason must be SUSPECTED_MALFUNCTION, INVALID_RESPONSE, TIMEOUT_WAITING_RESPONSE or SUSPECTED_FRAUD")
		return
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.replay(req.OperationID) {
		return
	}
	target := x.s.opTarget[x.args[1]]
	resp := map[string]any{"operationId": req.OperationID, "responder": "WORLDLINE", "responseCodeCategory": "APPROVED"}
	if p := x.s.payments[target]; p != nil && p.operationID == x.args[1] && p.status != "CANCELLED" {
		p.status, p.statusTime = "CANCELLED", x.stamp()
		x.s.markPayment(p)
		p.operations = append(p.operations, operation{ID: req.OperationID, Type: "TECHNICAL_REVERSAL", Timestamp: x.stamp(), Code: "0", Category: "APPROVED"})
		resp["responseCode"], resp["responseCodeDescription"] = "0", approved.description
	} else {
		resp["responseCode"], resp["responseCodeDescription"] = "7204", "Message stored, not forwarded: referencing unknown trx"
	}
	x.write(http.StatusCreated, x.answer(req.OperationID, "", http.StatusCreated, resp))
}

// BalanceCurrency and Balance are what every approved card holds.
const (
	BalanceCurrency = "EUR"
	Balance         = 100000
)

func (x *exchange) balanceInquiry() {
	var req struct {
		common
		CardPaymentData *cardPaymentData `json:"cardPaymentData"`
	}
	if !x.decode(&req) || !x.checkCommon(req.common) || !x.checkCard(req.CardPaymentData, false) {
		return
	}
	o := cardOutcome(req.CardPaymentData.CardData.CardNumber)
	available := int64(Balance)
	if req.CardPaymentData.CardData.CardNumber == CardInsufficient {
		available, o = 0, approved
	}
	resp := merge(o.fields(), map[string]any{"operationId": req.OperationID})
	if o.category == "APPROVED" {
		resp["availableAmount"] = amountData{available, BalanceCurrency, 2}
		resp["authorizationCode"] = authCode()
	}
	writeJSON(x.w, http.StatusOK, resp)
}

// dccRates are the fake's conversion rates, exact decimals.
var dccRates = map[string]string{
	"EUR/USD": "1.0910", "EUR/GBP": "0.8584", "EUR/JPY": "165.12", "GBP/EUR": "1.1650",
	"GBP/USD": "1.2710", "USD/EUR": "0.9166", "USD/GBP": "0.7868", "EUR/KWD": "0.33512",
}

func (x *exchange) dccRate() {
	var req struct {
		OperationID     string `json:"operationId"`
		TargetCurrency  string `json:"targetCurrency"`
		RateReferenceID string `json:"rateReferenceId"`
		CardPaymentData *struct {
			Bin             string `json:"bin"`
			Brand           string `json:"brand"`
			CardCountryCode string `json:"cardCountryCode"`
		} `json:"cardPaymentData"`
		PointOfSaleData *struct {
			TerminalCountryCode string `json:"terminalCountryCode"`
			TerminalID          string `json:"terminalId"`
		} `json:"pointOfSaleData"`
		Transaction *struct {
			Amount               *amountData `json:"amount"`
			TransactionTimestamp string      `json:"transactionTimestamp"`
			TransactionType      string      `json:"transactionType"`
		} `json:"transaction"`
	}
	if !x.decode(&req) {
		return
	}
	if req.Transaction == nil {
		x.fail(http.StatusBadRequest, "validation", "transaction is required")
		return
	}
	if !x.checkCommon(common{OperationID: req.OperationID, TransactionTimestamp: req.Transaction.TransactionTimestamp}) || !x.checkAmount("transaction.amount", req.Transaction.Amount, "") {
		return
	}
	target, err := money.LookupCurrency(req.TargetCurrency)
	if err != nil || target.Code != req.TargetCurrency {
		x.fail(http.StatusBadRequest, "validation", "targetCurrency must be an ISO 4217 code")
		return
	}
	from := req.Transaction.Amount
	rate, ok := dccRates[from.CurrencyCode+"/"+target.Code]
	if !ok {
		x.fail(http.StatusBadRequest, "validation", fmt.Sprintf("no DCC rate for %s to %s", from.CurrencyCode, target.Code))
		return
	}
	resulting := convert(from.Amount, int(from.NumberOfDecimals), target.Exponent, rate)
	inverted := new(big.Rat).Inv(mustRat(rate)).FloatString(6)
	resp := map[string]any{
		"result": "OFFER",
		"proposal": map[string]any{
			"originalAmount":  from,
			"resultingAmount": amountData{resulting, target.Code, int32(target.Exponent)},
			"rateReferenceId": "rate-" + strings.TrimPrefix(newID(), "pay:ch:etu:")[:12],
			"rate": map[string]any{
				"exchangeRate": json.Number(rate), "invertedExchangeRate": json.Number(inverted),
				"markUp": json.Number("3.5"), "markUpBasis": "PERCENTAGE", "quotationDateTime": x.stamp(),
			},
		},
		"disclaimerDisplay": "Conversion includes a 3.5% mark-up over the reference rate.",
	}
	writeJSON(x.w, http.StatusOK, resp)
}

func mustRat(s string) *big.Rat {
	r, _ := new(big.Rat).SetString(s)
	return r
}

// convert applies rate, rounding half up into the target exponent.
func convert(minor int64, fromExp, toExp int, rate string) int64 {
	v := new(big.Rat).Mul(new(big.Rat).SetInt64(minor), mustRat(rate))
	diff := toExp - fromExp
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(diff, -diff))), nil))
	if diff >= 0 {
		v.Mul(v, scale)
	} else {
		v.Quo(v, scale)
	}
	v.Add(v, big.NewRat(1, 2))
	return new(big.Int).Quo(v.Num(), v.Denom()).Int64()
}
