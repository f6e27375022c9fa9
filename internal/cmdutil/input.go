package cmdutil

import (
	"github.com/google/uuid"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
)

// idChars reports whether s is 1 to max letters, digits or . _ : -, the
// characters every provider accepts in ids and idempotency keys.
func idChars(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// ValidKey reports whether key can be an idempotency key (a merchant
// request id, merchant refund id or operation id): 1 to 64 letters,
// digits or . _ : -.
func ValidKey(key string) bool { return idChars(key, 64) }

// CheckID refuses an id that no provider would accept; what names the
// argument or flag in the message.
func CheckID(what, id string) error {
	if !idChars(id, 128) {
		return exitcode.New(exitcode.Usage, "%s %q is not a valid id: use up to 128 letters, digits or . _ : -", what, id)
	}
	return nil
}

// CheckCountry refuses a --country that is not two letters.
func CheckCountry(country string) error {
	if len(country) != 2 || !isLetter(country[0]) || !isLetter(country[1]) {
		return exitcode.New(exitcode.Usage, "--country %q is not a two-letter ISO 3166-1 country code", country).WithHint("for example --country gb")
	}
	return nil
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// ParseAmount reads --amount/--currency into an exact, positive amount.
func ParseAmount(amount, currency string) (money.Amount, error) {
	a, err := money.ParsePositive(amount, currency)
	if err != nil {
		return money.Amount{}, exitcode.New(exitcode.Usage, "--amount/--currency: %v", err).
			WithHint("write the amount as a decimal in the currency's unit, e.g. --amount 12.34 --currency EUR")
	}
	return a, nil
}

// IdempotencyKey returns the given key (checked) or a new UUID, and prints
// it on stderr before anything is sent, so a lost answer can be followed
// up and a retry can reuse it. flag names the flag that sets the key and
// label how the notice calls it.
func IdempotencyKey(f *Factory, given, flag, label string) (string, error) {
	if given != "" {
		if !ValidKey(given) {
			return "", exitcode.New(exitcode.Usage, "--%s %q: use 1 to 64 letters, digits or . _ : -", flag, given)
		}
	} else {
		given = uuid.NewString()
	}
	f.Printer.Notice("%s: %s (reuse it with --%s to retry safely)", label, given, flag)
	return given, nil
}

// IDOrKey checks a lookup by id (the one argument) or by idempotency key
// (--keyFlag), exactly one of them, and returns the id ("" for a key).
func IDOrKey(args []string, key, idName, keyFlag, what string) (string, error) {
	switch {
	case len(args) == 1 && key != "":
		return "", exitcode.New(exitcode.Usage, "give either %s or --%s, not both", idName, keyFlag)
	case len(args) == 1:
		return args[0], CheckID(idName, args[0])
	case key != "":
		if !ValidKey(key) {
			return "", exitcode.New(exitcode.Usage, "--%s %q: use 1 to 64 letters, digits or . _ : -", keyFlag, key)
		}
		return "", nil
	}
	return "", exitcode.New(exitcode.Usage, "which %s? give %s or --%s ID", what, idName, keyFlag)
}
