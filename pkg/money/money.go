// Package money turns decimal amount strings into exact integer minor units
// and back, using each currency's ISO 4217 exponent.
//
// Amounts never pass through floating point: "4.99" GBP is 499 minor units,
// "500" JPY is 500, "1.234" KWD is 1234. Input is strict on purpose: a
// payment tool must refuse "4.999 GBP" or "1e3" rather than guess.
package money

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// maxDigits bounds the digits of a minor-unit amount so it always fits in an
// int64 (whose maximum has 19 digits).
const maxDigits = 18

// Currency is an ISO 4217 alphabetic code with its minor-unit exponent.
type Currency struct {
	Code     string
	Exponent int
}

// LookupCurrency returns the currency for an ISO 4217 code, case-insensitive.
func LookupCurrency(code string) (Currency, error) {
	upper := strings.ToUpper(code)
	exp, ok := exponents[upper]
	if !ok {
		if len(code) != 3 {
			return Currency{}, fmt.Errorf("currency %q is not a 3-letter ISO 4217 code", code)
		}
		return Currency{}, fmt.Errorf("unknown currency %q: not an active ISO 4217 code", code)
	}
	return Currency{Code: upper, Exponent: exp}, nil
}

// Currencies lists every supported currency code, sorted.
func Currencies() []string {
	codes := make([]string, 0, len(exponents))
	for code := range exponents {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	return codes
}

// Amount is an exact, non-negative amount of one currency, in minor units.
type Amount struct {
	MinorUnits int64
	Currency   Currency
}

// Parse reads a decimal string such as "4.99" as an amount of the currency
// with the given ISO 4217 code. It accepts digits with at most one decimal
// point and no more decimals than the currency allows; it rejects signs,
// exponents, separators, spaces and empty parts ("5.", ".5"). Zero is
// accepted; use ParsePositive where zero makes no sense.
func Parse(value, currencyCode string) (Amount, error) {
	cur, err := LookupCurrency(currencyCode)
	if err != nil {
		return Amount{}, err
	}
	minor, err := parseMinor(value, cur)
	if err != nil {
		return Amount{}, err
	}
	return Amount{MinorUnits: minor, Currency: cur}, nil
}

// ParsePositive is Parse that also rejects zero.
func ParsePositive(value, currencyCode string) (Amount, error) {
	amount, err := Parse(value, currencyCode)
	if err != nil {
		return Amount{}, err
	}
	if amount.MinorUnits == 0 {
		return Amount{}, fmt.Errorf("amount %q must be greater than zero", value)
	}
	return amount, nil
}

func parseMinor(value string, cur Currency) (int64, error) {
	if value == "" {
		return 0, fmt.Errorf("amount is empty")
	}
	if strings.HasPrefix(value, "-") {
		return 0, fmt.Errorf("amount %q is negative", value)
	}
	whole, frac, hasPoint := strings.Cut(value, ".")
	if !allDigits(whole) || !allDigits(frac) || whole == "" || (hasPoint && frac == "") {
		return 0, fmt.Errorf("amount %q is not a plain decimal number (write it like 4.99)", value)
	}
	if len(frac) > cur.Exponent {
		if cur.Exponent == 0 {
			return 0, fmt.Errorf("amount %q has decimals, but %s has no minor unit", value, cur.Code)
		}
		return 0, fmt.Errorf("amount %q has %d decimal places, but %s allows at most %d", value, len(frac), cur.Code, cur.Exponent)
	}
	digits := strings.TrimLeft(whole, "0") + frac + strings.Repeat("0", cur.Exponent-len(frac))
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return 0, nil
	}
	if len(digits) > maxDigits {
		return 0, fmt.Errorf("amount %q is too large", value)
	}
	minor, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q is too large", value)
	}
	return minor, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FromMinor builds an amount from minor units, checking the currency code.
func FromMinor(minor int64, currencyCode string) (Amount, error) {
	cur, err := LookupCurrency(currencyCode)
	if err != nil {
		return Amount{}, err
	}
	if minor < 0 {
		return Amount{}, fmt.Errorf("amount %d is negative", minor)
	}
	return Amount{MinorUnits: minor, Currency: cur}, nil
}

// FormatMinor writes minor units as a decimal string with exactly exponent
// decimal places: FormatMinor(499, 2) is "4.99", FormatMinor(5, 3) "0.005".
func FormatMinor(minor int64, exponent int) string {
	sign := ""
	if minor < 0 {
		sign = "-"
	}
	digits := strconv.FormatUint(absUint(minor), 10)
	if exponent <= 0 {
		return sign + digits
	}
	if len(digits) <= exponent {
		digits = strings.Repeat("0", exponent-len(digits)+1) + digits
	}
	point := len(digits) - exponent
	return sign + digits[:point] + "." + digits[point:]
}

func absUint(n int64) uint64 {
	if n < 0 {
		return uint64(-(n + 1)) + 1
	}
	return uint64(n)
}

// Decimal is the amount as a decimal string in the currency's exponent.
func (a Amount) Decimal() string { return FormatMinor(a.MinorUnits, a.Currency.Exponent) }

// String is the amount followed by its currency code, e.g. "4.99 GBP".
func (a Amount) String() string { return a.Decimal() + " " + a.Currency.Code }
