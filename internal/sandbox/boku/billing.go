package boku

import (
	"encoding/xml"
	"fmt"
	"math/big"
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
	amount                                               int64
	status                                               string
}

func (s *Server) refundResponse(root string, rf *refund, c *charge) refundResponse {
	remaining := c.amount - c.refunded
	return refundResponse{
		XMLName: xml.Name{Local: root}, Result: okResult(), RefundID: rf.id, MerchantRefundID: rf.merchantRefundID,
		ChargeID: rf.chargeID, RefundStatus: rf.status, RefundAmount: wireAmount(rf.amount, rf.currency), Currency: rf.currency, Remaining: wireAmount(remaining, c.currency),
	}
}

func (s *Server) refundCharge(x *exchange) {
	var req refundChargeRequest
	if !x.decode(&req) {
		return
	}
	if req.ChargeID == "" || req.MerchantRefundID == "" {
		x.invalid("refund-charge needs <charge-id> and <merchant-refund-id>")
		return
	}
	var amount int64 = -1
	if req.RefundAmount != "" {
		n, err := parseAmount(req.RefundAmount, req.Currency)
		if err != nil {
			x.invalid("refund-amount (with its currency): " + err.Error())
			return
		}
		amount = n
	}
	c := s.charges[req.ChargeID]
	if c == nil || c.merchantID != x.merchant.ID {
		x.ok(refundResponse{XMLName: xml.Name{Local: "refund-charge-response"}, Result: failResult(ReasonChargeNotFound, "charge "+req.ChargeID+" not found", false)})
		return
	}
	key := mrKey(x.merchant.ID, req.MerchantRefundID)
	if prior, ok := s.refundByMRID[key]; ok {
		if prior.chargeID != req.ChargeID || (amount >= 0 && amount != prior.amount) {
			x.conflict("merchant-refund-id " + req.MerchantRefundID + " was already used for a different refund")
			return
		}
		x.ok(s.refundResponse("refund-charge-response", prior, c))
		return
	}
	if req.Currency != "" && req.Currency != c.currency {
		x.invalid(fmt.Sprintf("currency %s does not match the charge's %s", req.Currency, c.currency))
		return
	}
	if c.reversalID != "" {
		x.ok(refundResponse{XMLName: xml.Name{Local: "refund-charge-response"}, Result: failResult(ReasonAlreadyReversed, "charge "+c.id+" was reversed", false)})
		return
	}
	if c.status != "success" {
		x.ok(refundResponse{XMLName: xml.Name{Local: "refund-charge-response"}, Result: failResult(ReasonChargeNotBilled, "only successful charges can be refunded; "+c.id+" is "+c.status, false)})
		return
	}
	remaining := c.amount - c.refunded
	if amount < 0 {
		amount = remaining
	}
	if amount == 0 || amount > remaining {
		left := remaining
		x.ok(refundResponse{
			XMLName: xml.Name{Local: "refund-charge-response"}, ChargeID: c.id, Currency: c.currency, Remaining: wireAmount(left, c.currency),
			Result: failResult(ReasonRefundExceeds, fmt.Sprintf("refund exceeds the refundable amount (%s %s left)", formatMinor(left, c.currency), c.currency), false),
		})
		return
	}
	c.refunded += amount
	rf := &refund{id: s.nextID("rf"), merchantID: x.merchant.ID, merchantRefundID: req.MerchantRefundID, chargeID: c.id, currency: c.currency, amount: amount, status: "success"}
	s.refunds[rf.id] = rf
	s.refundByMRID[key] = rf
	x.ok(s.refundResponse("refund-charge-response", rf, c))
	s.notify(x.merchant, notification{EventType: "refund.completed", ChargeID: c.id, MerchantRequestID: c.merchantRequestID,
		RefundID: rf.id, MerchantRefundID: rf.merchantRefundID, Status: rf.status, Country: strings.ToUpper(c.country), Currency: rf.currency, Amount: rf.amount})
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

func (s *Server) queryRefund(x *exchange) {
	var req queryRefundRequest
	if !x.decode(&req) {
		return
	}
	var rf *refund
	switch {
	case req.RefundID != "":
		rf = s.refunds[req.RefundID]
	case req.MerchantRefundID != "":
		rf = s.refundByMRID[mrKey(x.merchant.ID, req.MerchantRefundID)]
	default:
		x.invalid("query-refund needs <refund-id> or <merchant-refund-id>")
		return
	}
	if rf == nil || rf.merchantID != x.merchant.ID {
		x.ok(refundResponse{XMLName: xml.Name{Local: "query-refund-response"}, Result: failResult(ReasonRefundNotFound, "refund not found", false)})
		return
	}
	x.ok(s.refundResponse("query-refund-response", rf, s.charges[rf.chargeID]))
}

func (s *Server) forex(x *exchange) {
	var req forexRequest
	if !x.decode(&req) || !x.checkCountry(req.Country) {
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
