package bokudirect

import (
	"fmt"
	"strings"

	"github.com/bokuctl/bokuctl/pkg/money"
)

// WireAmount renders an exact amount as Boku sends amounts: a decimal in
// major units with the currency's exponent ("4.99" GBP, "548" JPY, "1.250"
// KWD). Boku never receives minor units.
func WireAmount(a money.Amount) string { return a.Decimal() }

// ParseWireAmount reads an amount Boku sent ("4.99", "548.00", "1.250")
// into exact minor units of currency. Boku may write more decimals than
// the currency has ("548.00" JPY); they must be zeros, or the amount
// cannot be represented and is refused rather than rounded.
func ParseWireAmount(value, currency string) (money.Amount, error) {
	cur, err := money.LookupCurrency(currency)
	if err != nil {
		return money.Amount{}, err
	}
	whole, frac, hasPoint := strings.Cut(strings.TrimSpace(value), ".")
	if hasPoint && frac == "" {
		return money.Amount{}, fmt.Errorf("amount %q is not a plain decimal number", value)
	}
	if hasPoint && len(frac) > cur.Exponent {
		extra := frac[cur.Exponent:]
		if strings.Trim(extra, "0") != "" {
			return money.Amount{}, fmt.Errorf("amount %q has more decimals than %s allows", value, cur.Code)
		}
		frac = frac[:cur.Exponent]
	}
	normalised := whole
	if frac != "" {
		normalised += "." + frac
	}
	return money.Parse(normalised, cur.Code)
}
