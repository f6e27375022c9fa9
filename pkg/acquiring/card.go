package acquiring

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/bokuctl/bokuctl/pkg/money"
)

// Amount converts an exact amount to Worldline's AmountData.
func Amount(a money.Amount) AmountData {
	return AmountData{Amount: a.MinorUnits, CurrencyCode: a.Currency.Code, NumberOfDecimals: int32(a.Currency.Exponent)}
}

// Decimal renders AmountData as a decimal string using its own
// numberOfDecimals, e.g. {2100, EUR, 2} → "21.00".
func (a AmountData) Decimal() string { return money.FormatMinor(a.Amount, int(a.NumberOfDecimals)) }

// CardInput is how a card is given to bokuctl: JSON on stdin or in a file,
// never on the command line.
type CardInput struct {
	Number string `json:"number"`
	Expiry string `json:"expiry"`
	CVC    string `json:"cvc"`
}

// The patterns compile on first use rather than when bokuctl starts.
var (
	expiryPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(0[1-9]|1[0-2])(20[0-9]{2})$`) })
	cvcPattern    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{3,4}$`) })
)

// CardError is invalid card input. Its text never contains the card data.
type CardError struct {
	// Field is the card JSON's field at fault ("number", "expiry", "cvc",
	// or an unknown one's name), "" when the JSON as a whole is.
	Field  string
	Reason string
}

func (e *CardError) Error() string {
	if e.Field == "" {
		return "card: " + e.Reason
	}
	return fmt.Sprintf("card field %q: %s", e.Field, e.Reason)
}

// unknownField is the name in encoding/json's "unknown field" error.
var unknownField = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^json: unknown field "([A-Za-z_][A-Za-z0-9_]{0,31})"$`)
})

// ParseCard reads and checks card JSON {"number","expiry","cvc"}: the
// number 12–19 digits passing the Luhn check (spaces allowed), expiry
// MMYYYY and not in the past, cvc 3–4 digits. cvc may be omitted where a
// caller allows it.
func ParseCard(data []byte, now time.Time) (PlainCardData, error) {
	var in CardInput
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			// Not Go's "cannot unmarshal number into Go struct field
			// CardInput.number": say which field and what it should be.
			return PlainCardData{}, &CardError{Field: typeErr.Field, Reason: `must be a string in quotes, e.g. {"number":"…","expiry":"MMYYYY","cvc":"…"}`}
		}
		// A field name is not card data; a name made of anything but
		// letters, digits and _ (a number pasted as a key) is not quoted.
		if m := unknownField().FindStringSubmatch(err.Error()); m != nil {
			field := m[1]
			if digitRun(field) >= 7 {
				// Not quoted: a name holding a run of digits could be
				// part of a card number ("A4176669999000104").
				field = "(a name with digits)"
			}
			return PlainCardData{}, &CardError{Field: field, Reason: `is not a card field: use only "number", "expiry" and "cvc"`}
		}
		return PlainCardData{}, &CardError{Reason: `expected JSON {"number":"…","expiry":"MMYYYY","cvc":"…"}: ` + scrub(err.Error())}
	}
	number := strings.ReplaceAll(in.Number, " ", "")
	switch {
	case number == "":
		return PlainCardData{}, &CardError{Field: "number", Reason: "is missing"}
	case len(number) < 12 || len(number) > 19 || strings.Trim(number, "0123456789") != "":
		return PlainCardData{}, &CardError{Field: "number", Reason: "must be 12 to 19 digits"}
	case !luhn(number):
		return PlainCardData{}, &CardError{Field: "number", Reason: "fails the Luhn check (a typo?)"}
	}
	m := expiryPattern().FindStringSubmatch(in.Expiry)
	if m == nil {
		return PlainCardData{}, &CardError{Field: "expiry", Reason: "must be MMYYYY, e.g. 122031"}
	}
	var month, year int
	fmt.Sscanf(m[1]+" "+m[2], "%d %d", &month, &year)
	if year < now.Year() || (year == now.Year() && month < int(now.Month())) {
		return PlainCardData{}, &CardError{Field: "expiry", Reason: "the card has expired"}
	}
	if in.CVC != "" && !cvcPattern().MatchString(in.CVC) {
		return PlainCardData{}, &CardError{Field: "cvc", Reason: "must be 3 or 4 digits"}
	}
	return PlainCardData{CardNumber: number, ExpiryDate: in.Expiry, CardSecurityCode: in.CVC}, nil
}

// scrub keeps decoder errors from quoting input (which may be a card
// number) by dropping anything after the first quote.
func scrub(s string) string {
	if i := strings.IndexAny(s, `"'`); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}

func luhn(number string) bool {
	sum := 0
	double := false
	for i := len(number) - 1; i >= 0; i-- {
		d := int(number[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// Last4 is the last four digits, for display.
func (p PlainCardData) Last4() string {
	if len(p.CardNumber) < 4 {
		return ""
	}
	return p.CardNumber[len(p.CardNumber)-4:]
}

// digitRun is the length of the longest run of ASCII digits in s.
func digitRun(s string) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
