package bokuspec

import (
	"encoding/xml"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/bokuctl/bokuctl/pkg/money"
)

// forex and fund-check are calls Boku names but does not describe (they
// are not in the spec): their request and response shapes, rates, the
// spend limit and the reason codes are the sandbox's documented behaviour
// (docs/sandbox.md, "Boku magic values"), all inferred. Neither records
// its merchant-request-id: like the queries, they change nothing.

// SpendLimit is what one opt-in may spend in total, in minor units; fund
// checks answer against what is left of it.
const SpendLimit = 10000

// amountInsufficientFunds (6.66, in minor units) is always insufficient.
const amountInsufficientFunds = 666

// rates are the fake's exchange rates, as exact decimal strings.
var rates = map[string]string{
	"GBP/EUR": "1.1650", "EUR/GBP": "0.8584", "GBP/USD": "1.2710", "USD/GBP": "0.7868",
	"USD/EUR": "0.9166", "EUR/USD": "1.0910", "USD/JPY": "151.37", "JPY/USD": "0.006606",
	"GBP/JPY": "192.40", "EUR/KWD": "0.33512", "KWD/EUR": "2.98400", "USD/KWD": "0.30710",
}

type forexResponse struct {
	XMLName         xml.Name `xml:"forex-response"`
	Result          result   `xml:"result"`
	FromCurrency    string   `xml:"from-currency,omitempty"`
	ToCurrency      string   `xml:"to-currency,omitempty"`
	Rate            string   `xml:"rate,omitempty"`
	ConvertedAmount string   `xml:"converted-amount,omitempty"`
	ValidUntil      string   `xml:"valid-until,omitempty"`
}

type fundCheckResponse struct {
	XMLName    xml.Name `xml:"fund-check-response"`
	Result     result   `xml:"result"`
	Sufficient *bool    `xml:"sufficient,omitempty"`
	Reason     string   `xml:"reason,omitempty"`
}

// forex quotes a rate, and converts amount when one is given: exact
// rational arithmetic, rounded half up to the target currency's exponent.
// An unknown pair is 86; codes that are not ISO 4217 are 43.
func (x *exchange) forex(f *form) any {
	x.country(f, true)
	x.ids(f)
	from := f.pattern("from-currency", true, reCurrency())
	to := f.pattern("to-currency", true, reCurrency())
	fromCur, errFrom := money.LookupCurrency(from)
	toCur, errTo := money.LookupCurrency(to)
	if from != "" && errFrom != nil {
		f.fail("from-currency", "unknown ISO 4217 currency")
	}
	if to != "" && errTo != nil {
		f.fail("to-currency", "unknown ISO 4217 currency")
	}
	var amount int64
	if f.root.child("amount") != nil && errFrom == nil && from != "" {
		amount = amountField(f, "amount", false, from)
	}
	if resp := x.invalid(f); resp != nil {
		return resp
	}
	rate := "1"
	if from != to {
		var ok bool
		if rate, ok = rates[from+"/"+to]; !ok {
			r := res(rcFeatureNotSupported)
			r.Message = "currency pair " + from + "/" + to + " is not supported"
			return &forexResponse{Result: r}
		}
	}
	resp := &forexResponse{Result: res(rcOK), FromCurrency: from, ToCurrency: to, Rate: rate,
		ValidUntil: x.now.Add(15 * time.Minute).Format(time.RFC3339)}
	if amount > 0 {
		resp.ConvertedAmount = formatAmount(convert(amount, fromCur.Exponent, toCur.Exponent, rate), to)
	}
	return resp
}

// convert applies rate to minor units of one exponent and returns minor
// units of another, rounding half up, with exact rational arithmetic.
func convert(minor int64, fromExp, toExp int, rate string) int64 {
	r, _ := new(big.Rat).SetString(rate)
	v := new(big.Rat).Mul(new(big.Rat).SetInt64(minor), r)
	diff := toExp - fromExp
	if diff < 0 {
		diff = -diff
	}
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(diff)), nil))
	if toExp >= fromExp {
		v.Mul(v, scale)
	} else {
		v.Quo(v, scale)
	}
	v.Add(v, big.NewRat(1, 2)) // half up: floor(v + 1/2)
	return new(big.Int).Quo(v.Num(), v.Denom()).Int64()
}

// fundCheck answers whether an active opt-in of the host's country can
// spend total-amount: each may spend SpendLimit in total (successful and
// in-progress charges, not reversed, less what was refunded); 6.66 is
// always insufficient. An opt-in that is unknown or not active is 126.
func (x *exchange) fundCheck(f *form) any {
	country := x.country(f, true)
	x.ids(f)
	optinID := f.str("optin-id", true, 1, lenOptinID)
	currency := currencyField(f, true)
	amount := amountField(f, "total-amount", true, currency)
	if currency != "" && country != "" {
		if reason := currencyForCountry(country, currency); reason != "" {
			f.fail("currency", reason)
		}
	}
	if resp := x.invalid(f); resp != nil {
		return resp
	}
	o := x.acct.optins[optinID]
	if o == nil || o.status != optinActive || o.country != country {
		r := res(rcOptinNotActive)
		r.Message = "opt-in " + optinID + " is not active"
		return &fundCheckResponse{Result: r}
	}
	var spent int64
	for _, c := range x.acct.charges {
		if c.optinID == o.id && c.reversal == nil && (c.status == statusSuccess || c.status == statusInProgress) {
			spent += c.amount - c.refunded
		}
	}
	available := SpendLimit - spent
	sufficient := amount <= available && amount != amountInsufficientFunds
	resp := &fundCheckResponse{Result: res(rcOK), Sufficient: &sufficient}
	switch {
	case amount == amountInsufficientFunds:
		resp.Reason = "insufficient funds on the consumer's account"
	case !sufficient:
		resp.Reason = fmt.Sprintf("over the spend limit: %s %s left", formatAmount(max(available, 0), currency), currency)
	}
	return resp
}

// countryCurrencies lists the currencies each country of the sandbox
// accepts. The spec names no reason code of its own for a currency the
// country does not take: it is refused as an invalid request (43), the
// currency field named, as the sandbox always has.
var countryCurrencies = map[string][]string{
	"GB": {"GBP"}, "US": {"USD"}, "DE": {"EUR"}, "FR": {"EUR"}, "ES": {"EUR"},
	"IT": {"EUR"}, "NL": {"EUR"}, "JP": {"JPY"}, "KW": {"KWD"}, "BH": {"BHD"},
	"AE": {"AED"}, "SA": {"SAR"}, "IN": {"INR"}, "ID": {"IDR"}, "PH": {"PHP"},
}

// currencyForCountry returns why currency is not valid for country, or ""
// when it is (or the country is not one the sandbox lists).
func currencyForCountry(country, currency string) string {
	country = strings.ToUpper(country)
	want, ok := countryCurrencies[country]
	if !ok {
		return ""
	}
	for _, c := range want {
		if c == currency {
			return ""
		}
	}
	return fmt.Sprintf("currency %s is not valid for country %s (expected %s)", currency, country, strings.Join(want, ", "))
}
