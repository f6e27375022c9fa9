package bokuspec

import (
	"strings"

	"github.com/bokuctl/bokuctl/pkg/money"
)

// parseAmount reads a wire amount ("4.99" GBP, "548" or "548.00" JPY,
// "1.250" KWD: decimal major units, '.' separator, no grouping; spec Amount,
// reference §4) as exact minor units. Decimals beyond the currency's
// exponent are accepted only when they are zeros ("548.00" JPY is 548), as
// the spec's own JPY examples write them. Inferred: a non-zero digit beyond
// the exponent ("5.001" GBP) is an invalid request (43) rather than reason
// 29. The amount must be positive (spec minimum 0.0001).
// maxMinor bounds amounts so that rendering never overflows (inferred).
const maxMinor = 1_000_000_000_000_000

func parseAmount(value, currency string) (int64, bool) {
	cur, err := money.LookupCurrency(currency)
	if err != nil {
		return 0, false
	}
	whole, frac, hasPoint := strings.Cut(value, ".")
	if hasPoint && len(frac) > cur.Exponent {
		extra := frac[cur.Exponent:]
		if strings.Trim(extra, "0") != "" {
			return 0, false
		}
		frac = frac[:cur.Exponent]
		value = whole
		if frac != "" {
			value += "." + frac
		}
	}
	a, err := money.ParsePositive(value, cur.Code)
	if err != nil || a.MinorUnits > maxMinor {
		return 0, false
	}
	return a.MinorUnits, true
}

// formatAmount renders minor units as Boku's responses do. Inferred from the
// spec's examples, which write JPY (exponent 0) as "548.00" and SGD as
// "5.00": at least two decimals, more where the currency's exponent needs
// them ("1.250" KWD, reference §4).
func formatAmount(minor int64, currency string) string {
	cur, err := money.LookupCurrency(currency)
	if err != nil {
		return ""
	}
	if cur.Exponent >= 2 {
		return money.FormatMinor(minor, cur.Exponent)
	}
	for i := cur.Exponent; i < 2; i++ {
		minor *= 10
	}
	return money.FormatMinor(minor, 2)
}
