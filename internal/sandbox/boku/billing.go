package boku

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bokuctl/bokuctl/pkg/money"
)

// SpendLimit is what one opt-in may spend in total, in minor units; fund
// checks answer against what is left of it.
const SpendLimit = 10000

// rates are the fake's exchange rates, as exact decimal strings.
var rates = map[string]string{
	"GBP/EUR": "1.1650", "EUR/GBP": "0.8584", "GBP/USD": "1.2710", "USD/GBP": "0.7868",
	"USD/EUR": "0.9166", "EUR/USD": "1.0910", "USD/JPY": "151.37", "JPY/USD": "0.006606",
	"GBP/JPY": "192.40", "EUR/KWD": "0.33512", "KWD/EUR": "2.98400", "USD/KWD": "0.30710",
}

type refund struct {
	id, merchantID, merchantRefundID, chargeID, currency string
	merchantRequestID                                    string
	amount                                               int64
	status                                               string
	reasonCode                                           int
	created                                              time.Time
}

// refundReasons are the reason codes Boku's refund-charge accepts.
var refundReasons = map[string]bool{"3": true, "8": true, "19": true, "20": true, "22": true, "33": true}

func (s *Server) refundResponse(rf *refund, c *charge) refundChargeResponse {
	return refundChargeResponse{Result: okResult(), Timestamp: bokuTime(s.Now()), MerchantID: rf.merchantID, MerchantRequestID: rf.merchantRequestID,
		ChargeID: rf.chargeID, RefundID: rf.id, RefundStatus: rf.status, Country: strings.ToUpper(c.country), NetworkID: networkID(c.country)}
}

// refundCharge is billing/3.0/refund-charge: every required element of
// Boku's spec is checked; without refund-amount the whole charge (what is
// left of it) is refunded.
func (s *Server) refundCharge(x *exchange) {
	var req refundChargeRequest
	if !x.decode(&req) || !x.checkCountry(req.Country) {
		return
	}
	var bad fieldCheck
	bad.need("merchantRequestId", req.MerchantRequestID, 50)
	bad.need("merchantRefundId", req.MerchantRefundID, 50)
	bad.need("chargeId", req.ChargeID, 24)
	if !refundReasons[req.ReasonCode] {
		bad.refuse("reasonCode", "must be one of 3, 8, 19, 20, 22, 33")
	}
	var amount int64 = -1
	if req.RefundAmount != "" {
		n, err := parseAmount(req.RefundAmount, req.Currency)
		if err != nil {
			bad.refuse("refundAmount", err.Error()+" (currency "+strconv.Quote(req.Currency)+")")
		}
		amount = n
	}
	if x.invalidFields(bad) {
		return
	}
	reason, _ := strconv.Atoi(req.ReasonCode)
	key := mrKey(x.merchant.ID, req.MerchantRequestID)
	answer := func(r result) refundChargeResponse {
		return refundChargeResponse{Result: r, Timestamp: bokuTime(s.Now()), MerchantID: x.merchant.ID, MerchantRequestID: req.MerchantRequestID, ChargeID: req.ChargeID}
	}
	if x.reusedForAnother(key, "refund-charge", req.MerchantRequestID) {
		return
	}
	if prior, ok := s.refundByMRID[key]; ok {
		if prior.chargeID != req.ChargeID || prior.merchantRefundID != req.MerchantRefundID || (amount >= 0 && amount != prior.amount) {
			x.conflict("merchant-request-id " + req.MerchantRequestID + " was already used for a different refund")
			return
		}
		c := s.charges[prior.chargeID]
		if c == nil {
			// A restored state may hold a refund without its charge:
			// the charge is unknown, as Boku says of one.
			x.ok(answer(failResult(ReasonChargeNotFound, "charge "+prior.chargeID+" not found", false)))
			return
		}
		x.ok(s.refundResponse(prior, c))
		return
	}
	c := s.charges[req.ChargeID]
	if c == nil || c.merchantID != x.merchant.ID {
		x.ok(answer(failResult(ReasonChargeNotFound, "charge "+req.ChargeID+" not found", false)))
		return
	}
	if req.Currency != "" && req.Currency != c.currency {
		x.invalidFields(fieldCheck{{Path: "currency", Reason: fmt.Sprintf("%s does not match the charge's %s", req.Currency, c.currency)}})
		return
	}
	switch {
	case c.reversalID != "":
		x.ok(answer(failResult(ReasonAlreadyReversed, "charge "+c.id+" was reversed", false)))
		return
	case c.status != "success":
		x.ok(answer(failResult(ReasonChargeNotBilled, "only successful charges can be refunded; "+c.id+" is "+c.status, false)))
		return
	case c.refunded == c.amount:
		x.ok(answer(failResult(ReasonFullyRefunded, "charge "+c.id+" is fully refunded", false)))
		return
	}
	remaining := c.amount - c.refunded
	if amount < 0 {
		amount = remaining
	}
	if amount > remaining {
		x.ok(answer(failResult(ReasonRefundExceeds, fmt.Sprintf("refund exceeds the refundable amount (%s %s left)", formatMinor(remaining, c.currency), c.currency), false)))
		return
	}
	if o := s.optinsByID[c.optinID]; o != nil && o.refundCode != nil && *o.refundCode != 0 && *o.refundCode != ReasonInProgress {
		x.ok(answer(failResult(*o.refundCode, "Simulated failure", false)))
		return
	}
	c.refunded += amount
	rf := &refund{id: s.nextID("rf"), merchantID: x.merchant.ID, merchantRefundID: req.MerchantRefundID, merchantRequestID: req.MerchantRequestID,
		chargeID: c.id, currency: c.currency, amount: amount, status: "success", reasonCode: reason, created: s.Now()}
	s.refunds[rf.id] = rf
	s.refundByMRID[key] = rf
	s.markCharge(c)
	s.markRefund(rf)
	resp := s.refundResponse(rf, c)
	if o := s.optinsByID[c.optinID]; o != nil && o.refundCode != nil && *o.refundCode == ReasonInProgress {
		// The simulator's 23 keeps the refund in progress for ever.
		rf.status = "in-progress"
		resp.RefundStatus = rf.status
		resp.Result = result{Status: "OK", ReasonCode: ReasonInProgress, Message: "Submitted and in progress", Retriable: true, RetryDelay: 5000}
	}
	x.ok(resp)
	if req.Notification != nil && req.Notification.Send == "true" {
		s.notifyRefund(x.merchant, rf, c, "refund")
	}
}

// parseAmount reads a wire amount as Boku's spec writes it: a decimal in
// major units ("4.99", "548" or "548.00" JPY, "1.250" KWD), at most three
// decimals, more than the currency has only as trailing zeros. It returns
// minor units.
func parseAmount(text, currency string) (int64, error) {
	cur, err := money.LookupCurrency(currency)
	if err != nil {
		return 0, err
	}
	whole, frac, hasPoint := strings.Cut(text, ".")
	if whole == "" || !allDigits(whole) || (hasPoint && (frac == "" || !allDigits(frac) || len(frac) > 3)) {
		return 0, fmt.Errorf("%q is not a decimal amount such as 4.99", text)
	}
	for len(frac) > cur.Exponent {
		if frac[len(frac)-1] != '0' {
			return 0, fmt.Errorf("%q has more decimals than %s allows", text, cur.Code)
		}
		frac = frac[:len(frac)-1]
	}
	a, err := money.Parse(strings.TrimSuffix(whole+"."+frac, "."), cur.Code)
	if err != nil {
		return 0, err
	}
	if a.MinorUnits <= 0 {
		return 0, fmt.Errorf("%q is not positive", text)
	}
	return a.MinorUnits, nil
}

// wireAmount renders minor units as the decimal Boku sends.
func wireAmount(minor int64, currency string) *string {
	s := formatMinor(minor, currency)
	return &s
}

func formatMinor(minor int64, currency string) string {
	cur, err := money.LookupCurrency(currency)
	if err != nil {
		return strconv.FormatInt(minor, 10)
	}
	return money.FormatMinor(minor, cur.Exponent)
}

// queryRefund is billing/3.0/query-refund: by refund-id, or every refund
// with a merchant-refund-id, in the <refunds> wrapper.
func (s *Server) queryRefund(x *exchange) {
	var req queryRefundRequest
	if !x.decode(&req) || !x.checkCountry(req.Country) {
		return
	}
	var found []*refund
	switch {
	case req.RefundID != "":
		if rf := s.refunds[req.RefundID]; rf != nil {
			found = append(found, rf)
		}
	case req.MerchantRefundID != "":
		for _, rf := range s.refunds {
			if rf.merchantRefundID == req.MerchantRefundID {
				found = append(found, rf)
			}
		}
		sort.Slice(found, func(i, j int) bool { return found[i].id < found[j].id })
	default:
		x.invalidFields(fieldCheck{{Path: "refundId", Reason: "one of refundId or merchantRefundId is required"}})
		return
	}
	resp := queryRefundResponse{}
	for _, rf := range found {
		if rf.merchantID != x.merchant.ID {
			continue
		}
		c := s.charges[rf.chargeID]
		if c == nil {
			// A refund without its charge (a restored state): the
			// refund as kept, its result Boku's for an unknown charge.
			resp.Refunds = append(resp.Refunds, refundElem{Result: failResult(ReasonChargeNotFound, "charge "+rf.chargeID+" not found", false),
				RefundStatus: rf.status, RefundID: rf.id, Timestamp: bokuTime(rf.created), MerchantID: rf.merchantID, MerchantRefundID: rf.merchantRefundID,
				ChargeID: rf.chargeID, ReasonCode: rf.reasonCode, Currency: rf.currency, RefundAmount: formatMinor(rf.amount, rf.currency), Type: "refund"})
			continue
		}
		resp.Refunds = append(resp.Refunds, refundElem{Result: okResult(), RefundStatus: rf.status, RefundID: rf.id, Timestamp: bokuTime(rf.created),
			MerchantID: rf.merchantID, MerchantRefundID: rf.merchantRefundID, ChargeID: rf.chargeID, ReasonCode: rf.reasonCode,
			Country: strings.ToUpper(c.country), NetworkID: networkID(c.country), Currency: rf.currency, RefundAmount: formatMinor(rf.amount, rf.currency),
			Type: "refund", MerchantTransactionID: c.merchantTransactionID})
	}
	resp.Result = result{Status: "OK", Message: fmt.Sprintf("Found %d result(s)", len(resp.Refunds))}
	x.ok(resp)
}

func (s *Server) forex(x *exchange) {
	var req forexRequest
	if !x.decode(&req) || !x.checkCountry(req.Country) {
		return
	}
	if req.MerchantRequestID == "" {
		x.invalidFields(fieldCheck{{Path: "merchantRequestId", Reason: "must not be empty"}})
		return
	}
	from, errFrom := money.LookupCurrency(req.FromCurrency)
	to, errTo := money.LookupCurrency(req.ToCurrency)
	if errFrom != nil || errTo != nil || from.Code != req.FromCurrency || to.Code != req.ToCurrency {
		x.invalid("from-currency and to-currency must be ISO 4217 codes in upper case")
		return
	}
	rate := "1"
	if from.Code != to.Code {
		var ok bool
		if rate, ok = rates[from.Code+"/"+to.Code]; !ok {
			x.ok(forexResponse{Result: failResult(ReasonNotSupported, "currency pair "+from.Code+"/"+to.Code+" is not supported", false)})
			return
		}
	}
	resp := forexResponse{Result: okResult(), FromCurrency: from.Code, ToCurrency: to.Code, Rate: rate,
		ValidUntil: s.Now().Add(15 * time.Minute).UTC().Format(time.RFC3339)}
	if req.Amount != "" {
		amount, err := parseAmount(req.Amount, from.Code)
		if err != nil {
			x.invalid("amount: " + err.Error())
			return
		}
		resp.ConvertedAmount = wireAmount(convert(amount, from.Exponent, to.Exponent, rate), to.Code)
	}
	x.ok(resp)
}

// convert applies rate to minor units of one exponent and returns minor
// units of another, rounding half up, with exact rational arithmetic.
func convert(minor int64, fromExp, toExp int, rate string) int64 {
	r, _ := new(big.Rat).SetString(rate)
	v := new(big.Rat).Mul(new(big.Rat).SetInt64(minor), r)
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(toExp-fromExp))), nil))
	if toExp >= fromExp {
		v.Mul(v, scale)
	} else {
		v.Quo(v, scale)
	}
	// Round half up: floor(v + 1/2).
	v.Add(v, big.NewRat(1, 2))
	return new(big.Int).Quo(v.Num(), v.Denom()).Int64()
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func (s *Server) fundCheck(x *exchange) {
	var req fundCheckRequest
	if !x.decode(&req) || !x.checkCountry(req.Country) {
		return
	}
	if req.MerchantRequestID == "" {
		x.invalidFields(fieldCheck{{Path: "merchantRequestId", Reason: "must not be empty"}})
		return
	}
	if err := currencyFor(req.Country, req.Currency); err != nil {
		x.invalid(err.Error())
		return
	}
	amount, err := parseAmount(req.TotalAmount, req.Currency)
	if err != nil {
		x.invalid("total-amount: " + err.Error())
		return
	}
	o := s.optinsByID[req.OptinID]
	if o == nil || o.merchantID != x.merchant.ID || o.state != "active" {
		x.ok(fundCheckResponse{Result: failResult(ReasonOptinNotActive, "opt-in "+req.OptinID+" is not active", false)})
		return
	}
	if o.country != strings.ToLower(req.Country) {
		x.invalid("opt-in " + o.id + " belongs to country " + strings.ToUpper(o.country))
		return
	}
	var spent int64
	for _, c := range s.charges {
		if c.optinID == o.id && c.reversalID == "" && (c.status == "success" || c.status == "in-progress") {
			spent += c.amount - c.refunded
		}
	}
	available := SpendLimit - spent
	sufficient := amount <= available && amount != AmountInsufficientFunds
	resp := fundCheckResponse{Result: okResult(), Sufficient: &sufficient}
	switch {
	case amount == AmountInsufficientFunds:
		resp.Reason = "insufficient funds on the consumer's account"
	case !sufficient:
		resp.Reason = fmt.Sprintf("over the spend limit: %s %s left", formatMinor(max(available, 0), req.Currency), req.Currency)
	}
	x.ok(resp)
}
