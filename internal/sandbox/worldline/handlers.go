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

// cardData is PlainCardData; cardSequenceNumber is the newer SDKs'
// (go@2.0.0 PlainCardData.go).
type cardData struct {
	CardNumber         string `json:"cardNumber"`
	CardSecurityCode   string `json:"cardSecurityCode"`
	CardSequenceNumber *int32 `json:"cardSequenceNumber"`
	ExpiryDate         string `json:"expiryDate"`
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
	if !isoTimestamp(c.TransactionTimestamp) {
		x.fail(http.StatusBadRequest, "validation", "transactionTimestamp is required in ISO 8601 format")
		return false
	}
	return true
}

// isoTimestamp reports whether s is an ISO 8601 date and time with an
// offset: with seconds and fractions (RFC 3339), or without seconds, as
// the SDKs' own examples write it ("2023-10-10T08:00+02:00").
func isoTimestamp(s string) bool {
	if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return true
	}
	_, err := time.Parse("2006-01-02T15:04Z07:00", s)
	return err == nil
}

// maxAmount is the largest amount the fake takes, in minor units: twelve
// digits, what card networks' ISO 8583 amount fields carry [inferred]. It
// keeps sums (a breakdown's parts, a pre-authorization's increments) from
// overflowing int64 into negative amounts.
const maxAmount = 999_999_999_999

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
	case a.Amount > maxAmount:
		x.fail(http.StatusBadRequest, "validation", fmt.Sprintf("%s.amount must be at most %d", field, int64(maxAmount)))
	case want != "" && a.CurrencyCode != want:
		x.fail(http.StatusBadRequest, "validation", fmt.Sprintf("%s.currencyCode %s does not match the payment's %s", field, a.CurrencyCode, want))
	default:
		return true
	}
	return false
}

// checkBreakdown validates an amount breakdown: each part is an amount
// "included in the total" (the SDK docstrings), so it is in total's
// currency and decimals [inferred from that inclusion] and the parts sum
// to at most total (as stated).
func (x *exchange) checkBreakdown(field string, total amountData, parts map[string]*amountData) bool {
	var sum int64
	for _, name := range []string{"cashbackAmount", "tipAmount"} {
		a := parts[name]
		if a == nil {
			continue
		}
		if !x.checkAmount(field+"."+name, a, total.CurrencyCode) {
			return false
		}
		sum += a.Amount
	}
	if sum > total.Amount {
		x.fail(http.StatusBadRequest, "validation", fmt.Sprintf("%s is included in the amount: its parts (%s) exceed %s %s", field,
			money.FormatMinor(sum, int(total.NumberOfDecimals)), money.FormatMinor(total.Amount, int(total.NumberOfDecimals)), total.CurrencyCode))
		return false
	}
	return true
}

// checkCard validates cardPaymentData.cardData (PlainCardData).
func (x *exchange) checkCard(c *cardData, needCVC bool) bool {
	if c == nil {
		x.fail(http.StatusBadRequest, "validation", "cardPaymentData.cardData is required")
		return false
	}
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

// check answers 400 with the first non-empty detail.
func (x *exchange) check(details ...string) bool {
	for _, d := range details {
		if d != "" {
			x.fail(http.StatusBadRequest, "validation", d)
			return false
		}
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

// Declines the fake's rules produce [inferred codes].
var (
	threeDSDeclined   = outcome{"05", "DECLINED", "Do not honor: 3-D Secure authentication failed", "ISSUER"}
	cardOnFileUnknown = outcome{"12", "DECLINED", "Invalid transaction: unknown initialSchemeTransactionId", "ISSUER"}
)

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

func (p *payment) references() map[string]any { return referencesJSON(p.id, p.rrn, p.par) }

func (p *payment) summary() map[string]any {
	return map[string]any{"paymentId": p.id, "status": p.status, "statusTimestamp": p.statusTime, "references": p.references()}
}

func (x *exchange) stamp() string { return x.s.Now().UTC().Format("2006-01-02T15:04:05.000Z") }

func (x *exchange) processPayment() {
	var req struct { // ApiPaymentRequest (amountBreakdownData, terminalData: newer SDKs)
		common
		Amount                    *amountData          `json:"amount"`
		AmountBreakdownData       *amountBreakdownData `json:"amountBreakdownData"`
		AuthorizationType         string               `json:"authorizationType"`
		CardPaymentData           *cardPaymentData     `json:"cardPaymentData"`
		DynamicCurrencyConversion *dccData             `json:"dynamicCurrencyConversion"`
		Merchant                  *merchantData        `json:"merchant"`
		References                *paymentReferences   `json:"references"`
		TerminalData              *terminalData        `json:"terminalData"`
	}
	if !x.decode(&req) || !x.checkCommon(req.common) || !x.checkAmount("amount", req.Amount, "") {
		return
	}
	if req.CardPaymentData == nil {
		x.fail(http.StatusBadRequest, "validation", "cardPaymentData.cardData is required")
		return
	}
	cpd := req.CardPaymentData
	// A payment on a stored card (a subsequent card-on-file payment) has
	// no security code: nobody may store one [inferred from PCI DSS;
	// Worldline publishes no rule].
	subsequent := cpd.CardOnFileData != nil && cpd.CardOnFileData.IsInitialTransaction != nil && !*cpd.CardOnFileData.IsInitialTransaction
	if !x.checkCard(cpd.CardData, !subsequent) {
		return
	}
	if t := req.AuthorizationType; t != "" && t != "PRE_AUTHORIZATION" && t != "FINAL_AUTHORIZATION" {
		x.fail(http.StatusBadRequest, "validation", "authorizationType must be PRE_AUTHORIZATION or FINAL_AUTHORIZATION")
		return
	}
	if !x.check(checkCardExtras(cpd.CardholderVerificationMethod, cpd.WalletID, cpd.NetworkTokenData, cpd.PointOfSaleData),
		checkEcommerce(cpd.EcommerceData), checkCardOnFile(cpd.CardOnFileData), checkMerchant(req.Merchant),
		checkReferences(req.References), checkDCC("dynamicCurrencyConversion", req.DynamicCurrencyConversion),
		checkServiceLocation(cpd.ServiceLocationData), checkTerminal(req.TerminalData)) {
		return
	}
	if b := req.AmountBreakdownData; b != nil && !x.checkBreakdown("amountBreakdownData", *req.Amount, map[string]*amountData{"cashbackAmount": b.CashbackAmount, "tipAmount": b.TipAmount}) {
		return
	}
	switch req.Amount.Amount {
	case AmountUnavailable:
		x.fail(http.StatusServiceUnavailable, "platform", "service temporarily unavailable")
		return
	case AmountServerError:
		x.fail(http.StatusInternalServerError, "platform", "internal error")
		return
	case AmountInProgress:
		x.failInProgress(req.OperationID)
		return
	case AmountSlow:
		time.Sleep(SlowDelay)
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.replay(req.OperationID) {
		return
	}
	var quote *dccQuote
	if d := req.DynamicCurrencyConversion; d != nil {
		if quote = x.s.matchQuote(*req.Amount, d, "PAYMENT"); quote == nil {
			x.fail(http.StatusBadRequest, "validation", "dynamicCurrencyConversion matches no rate quoted by dcc-rates for this amount (currencyCode, amount and conversionRate must be the proposal's)")
			return
		}
	}
	card := cpd.CardData.CardNumber
	par := accountReference(card)
	o := cardOutcome(card)
	cof := cpd.CardOnFileData
	switch {
	case o.category != "APPROVED":
	case threeDSFailed(cpd.EcommerceData):
		o = threeDSDeclined
	case cof != nil && !*cof.IsInitialTransaction && x.s.cardOnFile[cof.SubsequentCardOnFileData.InitialSchemeTransactionID] != par:
		o = cardOnFileUnknown
	}
	p := &payment{
		id: newID(), operationID: req.OperationID, authType: req.AuthorizationType, currency: req.Amount.CurrencyCode,
		decimals: req.Amount.NumberOfDecimals, brand: cpd.Brand, statusTime: x.stamp(),
		code: o.code, category: o.category, description: o.description, responder: o.responder, par: par,
	}
	if p.brand == "" {
		p.brand = "VISA"
	}
	if req.References != nil {
		p.merchantReference, p.rrn = req.References.MerchantReference, req.References.RetrievalReferenceNumber
	}
	if p.rrn == "" {
		p.rrn = retrievalReference(p.id)
	}
	if cpd.PointOfSaleData != nil {
		p.terminalID = cpd.PointOfSaleData.TerminalID
	}
	if quote != nil {
		p.dccCurrency, p.dccDecimals, p.dccRate = quote.To.CurrencyCode, quote.To.NumberOfDecimals, quote.Rate
	}
	op := operation{ID: req.OperationID, Type: "AUTHORIZATION", Timestamp: x.stamp(), Amount: &amountData{req.Amount.Amount, p.currency, p.decimals}, Code: o.code, Category: o.category}
	if o.category != "APPROVED" {
		p.status = "NOT_AUTHORIZED"
	} else {
		p.status, p.authorized, p.authCode = "AUTHORIZED", req.Amount.Amount, authCodeFor(p.id)
		op.AuthCode = p.authCode
		if cpd.CaptureImmediately != nil && *cpd.CaptureImmediately {
			p.status, p.captured, p.final = "CONFIRMED", req.Amount.Amount, true
		}
		if cof != nil && *cof.IsInitialTransaction {
			x.s.cardOnFile[schemeTransactionID(p.id)] = par
			x.s.markCardOnFile(schemeTransactionID(p.id))
		}
	}
	p.operations = append(p.operations, op)
	if p.status == "CONFIRMED" {
		p.operations = append(p.operations, operation{ID: req.OperationID, Type: "CAPTURE", Timestamp: x.stamp(), Amount: op.Amount, Code: o.code, Category: o.category})
	}
	x.s.payments[p.id] = p
	x.s.markPayment(p)
	var results map[string]any
	if o.category == "APPROVED" {
		results = ecommerceResults(cpd.CardData.CardSecurityCode != "", cpd.EcommerceData)
	}
	resp := merge(o.fields(), map[string]any{
		"operationId": req.OperationID, "paymentId": p.id, "status": p.status, "statusTimestamp": p.statusTime,
		"cardPaymentData": cardResponseJSON(p.brand, p.terminalID, results), "references": p.references(),
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
	x.writeOrFault(req.Amount.Amount, http.StatusCreated, data)
}

// writeOrFault writes a recorded answer, except for AmountRecordedServerError,
// which is answered 500 although the operation was recorded.
func (x *exchange) writeOrFault(amount int64, status int, data []byte) {
	if amount == AmountRecordedServerError {
		x.fail(http.StatusInternalServerError, "platform", "internal error")
		return
	}
	x.write(status, data)
}

// matchQuote finds a DCC rate quoted for transactionType kind (PAYMENT
// for a payment, REFUND for a refund [inferred: the model names the
// field; PAYMENT is the only value Worldline's examples show]) for
// converting amount as d says [inferred: 0.1.0's DccData has no
// rateReferenceId, so the quote is matched by original amount, target
// currency, converted amount and rate]. Callers hold s.mu.
func (s *Server) matchQuote(amount amountData, d *dccData, kind string) *dccQuote {
	for i := len(s.quotes) - 1; i >= 0; i-- {
		q := &s.quotes[i]
		if q.Kind == kind && q.From == amount && q.To.CurrencyCode == d.CurrencyCode && q.To.Amount == *d.Amount &&
			q.To.NumberOfDecimals == *d.NumberOfDecimals && sameRate(*d.ConversionRate, q.Rate) {
			return q
		}
	}
	return nil
}

// checkFollowDCC checks a capture's, increment's or authorization
// reversal's dynamicCurrencyConversion against the payment's. The SDKs'
// docstring says it is "Mandatory for DCC transactions": a follow-up of a
// DCC payment without it is refused. With it: same currency and rate, and
// amount the operation's amount converted at that rate [inferred].
// Callers hold s.mu.
func (x *exchange) checkFollowDCC(p *payment, d *dccData, minor int64) bool {
	if d == nil {
		if p.dccCurrency != "" {
			x.fail(http.StatusBadRequest, "validation", fmt.Sprintf("dynamicCurrencyConversion is mandatory: payment %s was made with dynamic currency conversion (%s at %s)", p.id, p.dccCurrency, p.dccRate))
			return false
		}
		return true
	}
	if !x.check(checkDCC("dynamicCurrencyConversion", d)) {
		return false
	}
	switch {
	case p.dccCurrency == "":
		x.fail(http.StatusBadRequest, "validation", "dynamicCurrencyConversion: payment "+p.id+" was not made with dynamic currency conversion")
	case d.CurrencyCode != p.dccCurrency || !sameRate(*d.ConversionRate, p.dccRate):
		x.fail(http.StatusBadRequest, "validation", fmt.Sprintf("dynamicCurrencyConversion must use the payment's %s at %s", p.dccCurrency, p.dccRate))
	case *d.Amount != convert(minor, int(p.decimals), int(p.dccDecimals), p.dccRate):
		x.fail(http.StatusBadRequest, "validation", fmt.Sprintf("dynamicCurrencyConversion.amount must be %d (%d converted at %s)", convert(minor, int(p.decimals), int(p.dccDecimals), p.dccRate), minor, p.dccRate))
	default:
		return true
	}
	return false
}

// failInProgress is Worldline's 409 for a concurrent request (its
// error-handling page: "submitted the same request while the previous one
// is still being processed"); the problem type is the sandbox's
// [inferred: none is published].
func (x *exchange) failInProgress(operationID string) {
	x.fail(http.StatusConflict, "concurrent-request", "a request with operationId "+operationID+" is still being processed")
}

// checkRefundDCC checks a refund's dynamicCurrencyConversion: mandatory
// for a DCC payment, as on every follow-up, and a refund's rate is a
// REFUND quote from dcc-rates (its rateReferenceId "can be used in case
// of refund if you want to use the same rate as the original
// transaction"), in the payment's DCC currency. Callers hold s.mu.
func (x *exchange) checkRefundDCC(p *payment, d *dccData, minor int64) bool {
	switch {
	case d == nil && p.dccCurrency != "":
		x.fail(http.StatusBadRequest, "validation", fmt.Sprintf("dynamicCurrencyConversion is mandatory: payment %s was made with dynamic currency conversion (%s); quote the refund with dcc-rates, transactionType REFUND", p.id, p.dccCurrency))
	case d == nil:
		return true
	case !x.check(checkDCC("dynamicCurrencyConversion", d)):
	case p.dccCurrency == "":
		x.fail(http.StatusBadRequest, "validation", "dynamicCurrencyConversion: payment "+p.id+" was not made with dynamic currency conversion")
	case d.CurrencyCode != p.dccCurrency:
		x.fail(http.StatusBadRequest, "validation", fmt.Sprintf("dynamicCurrencyConversion.currencyCode must be the payment's %s", p.dccCurrency))
	case x.s.matchQuote(p.amount(minor), d, "REFUND") == nil:
		x.fail(http.StatusBadRequest, "validation", "dynamicCurrencyConversion matches no REFUND rate quoted by dcc-rates for this amount (a refund needs a quote with transaction.transactionType REFUND; currencyCode, amount and conversionRate must be the proposal's)")
	default:
		return true
	}
	return false
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

// operationsJSON is []SubOperation (withAuthCode) or
// []SubOperationForRefund, which has no authorizationCode.
func (x *exchange) operationsJSON(ops []operation, withAuthCode bool) []map[string]any {
	out := []map[string]any{}
	for _, op := range ops {
		m := map[string]any{"operationId": op.ID, "operationType": op.Type, "operationTimestamp": op.Timestamp,
			"responseCode": op.Code, "responseCodeCategory": op.Category}
		if op.Amount != nil {
			m["amount"] = op.Amount
		}
		if withAuthCode && op.AuthCode != "" {
			m["authorizationCode"] = op.AuthCode
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
	resp := map[string]any{"paymentId": p.id, "status": p.status, "statusTimestamp": p.statusTime, "references": p.references(),
		"cardPaymentData": cardResponseJSON(p.brand, p.terminalID, nil), "totalAuthorizedAmount": p.amount(p.authorized)}
	if p.authCode != "" {
		resp["initialAuthorizationCode"] = p.authCode
	}
	if x.r.URL.Query().Get("returnOperations") == "true" {
		resp["operations"] = x.operationsJSON(p.operations, true)
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
	var req struct { // ApiCaptureRequest (captureAmountBreakdownData, marketplaceData, references, terminalData: newer SDKs)
		common
		Amount                     *amountData                 `json:"amount"`
		CaptureAmountBreakdownData *captureAmountBreakdownData `json:"captureAmountBreakdownData"`
		CaptureSequenceNumber      *int32                      `json:"captureSequenceNumber"`
		DynamicCurrencyConversion  *dccData                    `json:"dynamicCurrencyConversion"`
		IsFinal                    *bool                       `json:"isFinal"`
		MarketplaceData            *marketplaceData            `json:"marketplaceData"`
		References                 *paymentReferences          `json:"references"`
		TerminalData               *terminalData               `json:"terminalData"`
	}
	p, ok := x.withPayment(&req, func() common { return req.common })
	if !ok {
		return
	}
	defer x.s.mu.Unlock()
	if !x.check(checkMarketplace(req.MarketplaceData), checkReferences(req.References), checkTerminal(req.TerminalData)) {
		return
	}
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
	if amount == AmountInProgress {
		x.failInProgress(req.OperationID)
		return
	}
	if b := req.CaptureAmountBreakdownData; b != nil && !x.checkBreakdown("captureAmountBreakdownData", p.amount(amount), map[string]*amountData{"tipAmount": b.TipAmount}) {
		return
	}
	if req.CaptureSequenceNumber != nil && *req.CaptureSequenceNumber < 1 {
		x.fail(http.StatusBadRequest, "validation", "captureSequenceNumber must be at least 1")
		return
	}
	if !x.checkFollowDCC(p, req.DynamicCurrencyConversion, amount) {
		return
	}
	p.captured += amount
	p.status, p.statusTime = "CONFIRMED", x.stamp()
	x.s.markPayment(p)
	if req.IsFinal != nil && *req.IsFinal {
		p.final = true
	}
	a := p.amount(amount)
	p.operations = append(p.operations, operation{ID: req.OperationID, Type: "CAPTURE", Timestamp: x.stamp(), Amount: &a, Code: "0", Category: "APPROVED"})
	x.writeOrFault(amount, http.StatusCreated, x.answer(req.OperationID, p.id, http.StatusCreated, merge(approved.fields(), map[string]any{"operationId": req.OperationID, "payment": p.summary()})))
}

func (x *exchange) reverseAuthorization() {
	var req struct { // ApiPaymentReversalRequest (terminalData: newer SDKs)
		common
		DynamicCurrencyConversion *dccData      `json:"dynamicCurrencyConversion"`
		ReversalAmount            *amountData   `json:"reversalAmount"`
		TerminalData              *terminalData `json:"terminalData"`
	}
	p, ok := x.withPayment(&req, func() common { return req.common })
	if !ok {
		return
	}
	defer x.s.mu.Unlock()
	if !x.check(checkTerminal(req.TerminalData)) {
		return
	}
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
	if !x.checkFollowDCC(p, req.DynamicCurrencyConversion, amount) {
		return
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
	var req struct { // ApiIncrementRequest (terminalData: newer SDKs)
		common
		DynamicCurrencyConversion *dccData      `json:"dynamicCurrencyConversion"`
		IncrementAmount           *amountData   `json:"incrementAmount"`
		TerminalData              *terminalData `json:"terminalData"`
	}
	p, ok := x.withPayment(&req, func() common { return req.common })
	if !ok {
		return
	}
	defer x.s.mu.Unlock()
	if !x.check(checkTerminal(req.TerminalData)) {
		return
	}
	if !x.checkAmount("incrementAmount", req.IncrementAmount, p.currency) {
		return
	}
	if p.status != "AUTHORIZED" || p.authType != "PRE_AUTHORIZATION" {
		x.fail(http.StatusConflict, "state", fmt.Sprintf("only an uncaptured pre-authorization can be incremented; payment %s is %s", p.id, p.status))
		return
	}
	if p.authorized > maxAmount-req.IncrementAmount.Amount {
		x.fail(http.StatusBadRequest, "validation", fmt.Sprintf("incrementAmount.amount would take the authorized amount over %d", int64(maxAmount)))
		return
	}
	if !x.checkFollowDCC(p, req.DynamicCurrencyConversion, req.IncrementAmount.Amount) {
		return
	}
	p.authorized += req.IncrementAmount.Amount
	x.s.markPayment(p)
	p.statusTime = x.stamp()
	code := authCodeFor(p.id + "/" + req.OperationID)
	p.operations = append(p.operations, operation{ID: req.OperationID, Type: "INCREMENT", Timestamp: x.stamp(), Amount: req.IncrementAmount, Code: "0", Category: "APPROVED", AuthCode: code})
	x.write(http.StatusCreated, x.answer(req.OperationID, p.id, http.StatusCreated, merge(approved.fields(), map[string]any{
		"operationId": req.OperationID, "payment": p.summary(), "authorizationCode": code, "totalAuthorizedAmount": p.amount(p.authorized)})))
}

func (r *refund) references() map[string]any { return referencesJSON(r.id, r.rrn, r.par) }

func (r *refund) summary() map[string]any {
	return map[string]any{"refundId": r.id, "status": r.status, "statusTimestamp": r.statusTime, "references": r.references()}
}

func (x *exchange) refundPayment() {
	var req struct { // ApiPaymentRefundRequest (terminalData: newer SDKs)
		common
		Amount                    *amountData        `json:"amount"`
		CaptureImmediately        *bool              `json:"captureImmediately"`
		DynamicCurrencyConversion *dccData           `json:"dynamicCurrencyConversion"`
		References                *paymentReferences `json:"references"`
		TerminalData              *terminalData      `json:"terminalData"`
	}
	p, ok := x.withPayment(&req, func() common { return req.common })
	if !ok {
		return
	}
	defer x.s.mu.Unlock()
	if !x.check(checkReferences(req.References), checkTerminal(req.TerminalData)) {
		return
	}
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
	if !x.checkRefundDCC(p, req.DynamicCurrencyConversion, amount) {
		return
	}
	p.refunded += amount
	x.s.markPayment(p)
	rf := x.newRefund(req.OperationID, p.id, p.currency, p.decimals, amount, req.CaptureImmediately != nil && *req.CaptureImmediately)
	rf.brand, rf.par, rf.terminalID = p.brand, p.par, p.terminalID
	if req.References != nil {
		rf.rrn = req.References.RetrievalReferenceNumber
	}
	x.writeOrFault(amount, http.StatusCreated, x.answer(req.OperationID, rf.id, http.StatusCreated, merge(approved.fields(), map[string]any{"operationId": req.OperationID, "refund": rf.summary()})))
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
	var req struct { // ApiRefundRequest (terminalData: newer SDKs)
		common
		Amount                    *amountData               `json:"amount"`
		CardPaymentData           *cardPaymentDataForRefund `json:"cardPaymentData"`
		DynamicCurrencyConversion *dccData                  `json:"dynamicCurrencyConversion"`
		Merchant                  *merchantData             `json:"merchant"`
		References                *paymentReferences        `json:"references"`
		TerminalData              *terminalData             `json:"terminalData"`
	}
	if !x.decode(&req) || !x.checkCommon(req.common) || !x.checkAmount("amount", req.Amount, "") {
		return
	}
	cpd := req.CardPaymentData
	if cpd == nil {
		x.fail(http.StatusBadRequest, "validation", "cardPaymentData.cardData is required")
		return
	}
	if !x.checkCard(cpd.CardData, false) || !x.check(checkCardExtras(cpd.CardholderVerificationMethod, cpd.WalletID, cpd.NetworkTokenData, cpd.PointOfSaleData),
		checkMerchant(req.Merchant), checkReferences(req.References), checkDCC("dynamicCurrencyConversion", req.DynamicCurrencyConversion), checkTerminal(req.TerminalData)) {
		return
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.replay(req.OperationID) {
		return
	}
	if d := req.DynamicCurrencyConversion; d != nil && x.s.matchQuote(*req.Amount, d, "REFUND") == nil {
		x.fail(http.StatusBadRequest, "validation", "dynamicCurrencyConversion matches no REFUND rate quoted by dcc-rates for this amount (a refund needs a quote with transaction.transactionType REFUND; currencyCode, amount and conversionRate must be the proposal's)")
		return
	}
	capture := cpd.CaptureImmediately != nil && *cpd.CaptureImmediately
	rf := x.newRefund(req.OperationID, "", req.Amount.CurrencyCode, req.Amount.NumberOfDecimals, req.Amount.Amount, capture)
	rf.brand, rf.par = cpd.Brand, accountReference(cpd.CardData.CardNumber)
	if rf.brand == "" {
		rf.brand = "VISA"
	}
	if cpd.PointOfSaleData != nil {
		rf.terminalID = cpd.PointOfSaleData.TerminalID
	}
	if req.References != nil {
		rf.rrn = req.References.RetrievalReferenceNumber
	}
	x.writeOrFault(rf.amount, http.StatusCreated, x.answer(req.OperationID, rf.id, http.StatusCreated, merge(approved.fields(), map[string]any{
		"operationId": req.OperationID, "refundId": rf.id, "status": rf.status, "statusTimestamp": rf.statusTime,
		"authorizationCode": authCodeFor(rf.id), "totalAuthorizedAmount": amountData{rf.amount, rf.currency, rf.decimals},
		"cardPaymentData": cardResponseJSON(rf.brand, rf.terminalID, nil), "references": rf.references()})))
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
		"totalAuthorizedAmount": amountData{rf.amount, rf.currency, rf.decimals}, "references": rf.references(),
		"initialAuthorizationCode": authCodeFor(rf.id)}
	if rf.brand != "" {
		resp["cardPaymentData"] = cardResponseJSON(rf.brand, rf.terminalID, nil)
	}
	if rf.paymentID != "" {
		resp["referencedPaymentId"] = rf.paymentID
	}
	if x.r.URL.Query().Get("returnOperations") == "true" {
		resp["operations"] = x.operationsJSON(rf.operations, false)
	}
	writeJSON(x.w, http.StatusOK, resp)
}

// withRefund is withPayment for refunds.
// body is a refundCaptureRequest or a refundReversalRequest.
func (x *exchange) withRefund(body any) (*refund, common, bool) {
	var req common
	if !x.decode(body) {
		return nil, req, false
	}
	switch b := body.(type) {
	case *refundCaptureRequest:
		req = b.common
	case *refundReversalRequest:
		req = b.common
	}
	if !x.checkCommon(req) {
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

// refundCaptureRequest is ApiCaptureRequestForRefund: 0.1.0's operationId
// and transactionTimestamp, and the newer SDKs' references and
// terminalData (their capturePointOfSaleData is not modelled).
type refundCaptureRequest struct {
	common
	References   *paymentReferences `json:"references"`
	TerminalData *terminalData      `json:"terminalData"`
}

func (x *exchange) captureRefund() {
	var body refundCaptureRequest
	rf, req, ok := x.withRefund(&body)
	if !ok {
		return
	}
	defer x.s.mu.Unlock()
	if !x.check(checkReferences(body.References), checkTerminal(body.TerminalData)) {
		return
	}
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

// refundReversalRequest is SDK 0.1.0's ApiPaymentReversalRequest, which
// ReverseRefundAuthorization takes, with the terminalData of the newer
// SDKs' ApiRefundReversalRequest (Java SDK; which has neither
// reversalAmount nor dynamicCurrencyConversion, still accepted for 0.1.0).
type refundReversalRequest struct {
	common
	DynamicCurrencyConversion *dccData      `json:"dynamicCurrencyConversion"`
	ReversalAmount            *amountData   `json:"reversalAmount"`
	TerminalData              *terminalData `json:"terminalData"`
}

func (x *exchange) reverseRefund() {
	var body refundReversalRequest
	rf, req, ok := x.withRefund(&body)
	if !ok {
		return
	}
	defer x.s.mu.Unlock()
	// A refund authorization is reversed whole: a reversalAmount must be
	// the refund's amount [inferred]; a dynamicCurrencyConversion is
	// checked for its own fields only.
	if a := body.ReversalAmount; a != nil && (!x.checkAmount("reversalAmount", a, rf.currency) ||
		!x.check(when(a.Amount != rf.amount, fmt.Sprintf("reversalAmount must be the refund's whole %s %s", money.FormatMinor(rf.amount, int(rf.decimals)), rf.currency)))) {
		return
	}
	if !x.check(checkDCC("dynamicCurrencyConversion", body.DynamicCurrencyConversion), checkTerminal(body.TerminalData)) {
		return
	}
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
	var req struct { // ApiAccountVerificationRequest (terminalData: newer SDKs)
		common
		CardPaymentData *cardPaymentDataForVerification `json:"cardPaymentData"`
		Merchant        *merchantData                   `json:"merchant"`
		References      *paymentReferences              `json:"references"`
		TerminalData    *terminalData                   `json:"terminalData"`
	}
	if !x.decode(&req) || !x.checkCommon(req.common) {
		return
	}
	cpd := req.CardPaymentData
	if cpd == nil {
		x.fail(http.StatusBadRequest, "validation", "cardPaymentData.cardData is required")
		return
	}
	if !x.checkCard(cpd.CardData, false) || !x.check(checkCardExtras(cpd.CardholderVerificationMethod, cpd.WalletID, cpd.NetworkTokenData, cpd.PointOfSaleData),
		checkEcommerce(cpd.EcommerceData.full()), checkCardOnFile(cpd.CardOnFileData), checkMerchant(req.Merchant), checkReferences(req.References), checkTerminal(req.TerminalData)) {
		return
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.replay(req.OperationID) {
		return
	}
	card := cpd.CardData.CardNumber
	par := accountReference(card)
	o := cardOutcome(card)
	cof := cpd.CardOnFileData
	switch {
	case o.category != "APPROVED":
	case threeDSFailed(cpd.EcommerceData.full()):
		o = threeDSDeclined
	case cof != nil && !*cof.IsInitialTransaction && x.s.cardOnFile[cof.SubsequentCardOnFileData.InitialSchemeTransactionID] != par:
		o = cardOnFileUnknown
	}
	brand := cpd.Brand
	if brand == "" {
		brand = "VISA"
	}
	// An account verification has no id of its own: its references derive
	// from the operationId.
	rrn := ""
	if req.References != nil {
		rrn = req.References.RetrievalReferenceNumber
	}
	refs := referencesJSON("av/"+req.OperationID, rrn, par)
	resp := merge(o.fields(), map[string]any{"operationId": req.OperationID, "cardPaymentData": cardResponseJSON(brand, "", nil), "references": refs})
	if o.category == "APPROVED" {
		resp["authorizationCode"] = authCodeFor("av/" + req.OperationID)
		resp["cardPaymentData"] = cardResponseJSON(brand, "", ecommerceResults(cpd.CardData.CardSecurityCode != "", cpd.EcommerceData.full()))
		if cof != nil && *cof.IsInitialTransaction {
			stid := refs["schemeTransactionId"].(string)
			x.s.cardOnFile[stid] = par
			x.s.markCardOnFile(stid)
		}
	}
	x.write(http.StatusCreated, x.answer(req.OperationID, "", http.StatusCreated, resp))
}

func (x *exchange) technicalReversal() {
	var req struct { // ApiTechnicalReversalRequest (terminalData: newer SDKs)
		common
		Reason       string        `json:"reason"`
		TerminalData *terminalData `json:"terminalData"`
	}
	if !x.decode(&req) || !x.checkCommon(req.common) || !x.check(checkTerminal(req.TerminalData)) {
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
	// The reference shows only two answers: code 0, and 7204 for an
	// operation Worldline does not know. Beyond those [inferred]: the
	// operation that created a payment or a refund is undone (CANCELLED,
	// a refund's amount is refundable again); reversing it again, or
	// reversing an account verification, is approved and changes
	// nothing; the fake does not undo a capture, increment, reversal or
	// refund capture by technical reversal and answers those 409.
	reversed := x.args[1]
	_, known := x.s.byOp[reversed]
	target := x.s.opTarget[reversed]
	resp := map[string]any{"operationId": req.OperationID, "responder": "WORLDLINE", "responseCodeCategory": "APPROVED",
		"responseCode": "0", "responseCodeDescription": approved.description}
	undo := operation{ID: req.OperationID, Type: "TECHNICAL_REVERSAL", Timestamp: x.stamp(), Code: "0", Category: "APPROVED"}
	p, rf := x.s.payments[target], x.s.refunds[target]
	switch {
	case !known && target == "":
		resp["responseCode"], resp["responseCodeDescription"] = "7204", "Message stored, not forwarded: referencing unknown trx"
	case p != nil && p.operationID == reversed:
		if p.status != "CANCELLED" {
			p.status, p.statusTime = "CANCELLED", x.stamp()
			p.operations = append(p.operations, undo)
			x.s.markPayment(p)
		}
	case rf != nil && rf.operationID == reversed:
		if rf.status != "CANCELLED" {
			if from := x.s.payments[rf.paymentID]; from != nil && rf.status != "REVERSED" {
				from.refunded -= rf.amount
				x.s.markPayment(from)
			}
			rf.status, rf.statusTime = "CANCELLED", x.stamp()
			rf.operations = append(rf.operations, undo)
			x.s.markRefund(rf)
		}
	case target != "":
		x.fail(http.StatusConflict, "state", "operation "+reversed+" is not the one that created "+target+": the sandbox undoes only a payment's or a refund's creating operation by technical reversal")
		return
	}
	x.write(http.StatusCreated, x.answer(req.OperationID, "", http.StatusCreated, resp))
}

// BalanceCurrency and Balance are what every approved card holds.
const (
	BalanceCurrency = "EUR"
	Balance         = 100000
)

func (x *exchange) balanceInquiry() {
	var req struct { // ApiBalanceInquiryRequest (not in SDK 0.1.0; the newer SDKs')
		common
		CardPaymentData *cardPaymentDataForBalanceInquiry `json:"cardPaymentData"`
		Merchant        *merchantData                     `json:"merchant"`
		References      *paymentReferences                `json:"references"`
		TerminalData    *terminalData                     `json:"terminalData"`
	}
	if !x.decode(&req) || !x.checkCommon(req.common) {
		return
	}
	cpd := req.CardPaymentData
	if cpd == nil {
		x.fail(http.StatusBadRequest, "validation", "cardPaymentData.cardData is required")
		return
	}
	if !x.checkCard(cpd.CardData, false) || !x.check(checkCardExtras(cpd.CardholderVerificationMethod, cpd.WalletID, nil, cpd.PointOfSaleData),
		checkEcommerce(cpd.EcommerceData), checkMerchant(req.Merchant), checkReferences(req.References), checkTerminal(req.TerminalData)) {
		return
	}
	card := cpd.CardData.CardNumber
	o := cardOutcome(card)
	available := int64(Balance)
	if card == CardInsufficient {
		available, o = 0, approved
	}
	brand := cpd.Brand
	if brand == "" {
		brand = "VISA"
	}
	rrn := ""
	if req.References != nil {
		rrn = req.References.RetrievalReferenceNumber
	}
	terminal := ""
	if cpd.PointOfSaleData != nil {
		terminal = cpd.PointOfSaleData.TerminalID
	}
	resp := merge(o.fields(), map[string]any{"operationId": req.OperationID, "cardPaymentData": cardResponseJSON(brand, terminal, nil),
		"references": referencesJSON("bi/"+req.OperationID, rrn, accountReference(card))})
	if o.category == "APPROVED" {
		resp["availableAmount"] = amountData{available, BalanceCurrency, 2}
		resp["authorizationCode"] = authCodeFor("bi/" + req.OperationID)
	}
	writeJSON(x.w, http.StatusOK, resp)
}

// maxQuotes is how many DCC quotes the fake remembers.
const maxQuotes = 1000

// dccRates are the fake's conversion rates, exact decimals.
var dccRates = map[string]string{
	"EUR/USD": "1.0910", "EUR/GBP": "0.8584", "EUR/JPY": "165.12", "GBP/EUR": "1.1650",
	"GBP/USD": "1.2710", "USD/EUR": "0.9166", "USD/GBP": "0.7868", "EUR/KWD": "0.33512",
}

func (x *exchange) dccRate() {
	var req struct { // GetDCCRateRequest
		OperationID     string    `json:"operationId"`
		TargetCurrency  string    `json:"targetCurrency"`
		RateReferenceID string    `json:"rateReferenceId"`
		CardPaymentData *struct { // CardDataForDcc (cardEntryMode: newer SDKs)
			Bin             string `json:"bin"`
			Brand           string `json:"brand"`
			CardCountryCode string `json:"cardCountryCode"`
			CardEntryMode   string `json:"cardEntryMode"`
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
	if c := req.CardPaymentData; c != nil && !x.check(
		when(c.Bin != "" && !binPattern().MatchString(c.Bin), "cardPaymentData.bin must be 6 to 12 digits"),
		when(c.CardCountryCode != "" && !countryPattern().MatchString(c.CardCountryCode), "cardPaymentData.cardCountryCode must be an ISO 3166 country code")) {
		return
	}
	if ps := req.PointOfSaleData; ps != nil && !x.check(
		when(ps.TerminalCountryCode != "" && !countryPattern().MatchString(ps.TerminalCountryCode), "pointOfSaleData.terminalCountryCode must be an ISO 3166 country code"),
		when(len(ps.TerminalID) > 8, "pointOfSaleData.terminalId must be at most 8 characters")) {
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
	x.s.mu.Lock()
	x.s.quotes = append(x.s.quotes, dccQuote{Kind: req.Transaction.TransactionType, From: *from, To: amountData{resulting, target.Code, int32(target.Exponent)}, Rate: rate})
	if len(x.s.quotes) > maxQuotes {
		x.s.quotes = x.s.quotes[len(x.s.quotes)-maxQuotes:]
	}
	x.s.mu.Unlock()
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
