package cmdutil

import (
	"strings"

	"github.com/google/uuid"

	"github.com/bokuctl/bokuctl/pkg/config"
	isocountry "github.com/bokuctl/bokuctl/pkg/country"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
)

// QuoteValue quotes a user's value for an error message: %q of at most
// its first 80 bytes, then …(N bytes) for a longer one. Use it wherever a
// bad value is quoted back; config.ShortenValue shortens a message that
// already quotes a whole value.
func QuoteValue(v string) string { return config.QuoteValue(v) }

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
		return exitcode.New(exitcode.Usage, "%s %s is not a valid id: use up to 128 letters, digits or . _ : -", what, QuoteValue(id))
	}
	return nil
}

// CheckCountry refuses a --country that is not two letters.
func CheckCountry(country string) error {
	if len(country) != 2 || !isLetter(country[0]) || !isLetter(country[1]) {
		return exitcode.New(exitcode.Usage, "--country %s is not a two-letter ISO 3166-1 country code", QuoteValue(country)).WithHint("for example --country gb")
	}
	if !isocountry.Valid(country) {
		return exitcode.New(exitcode.Usage, "--country %s is not an ISO 3166-1 country code", QuoteValue(country)).WithHint("%s", isocountry.Hint(country))
	}
	return nil
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// ParseAmount reads --amount and --currency into an exact, positive
// amount. Every command with those two flags uses it, so one mistake gets
// one message and one hint whichever command or provider it was.
func ParseAmount(amount, currency string) (money.Amount, error) {
	a, err := money.ParsePositive(amount, currency)
	if err != nil {
		example := "--amount 4.99 --currency GBP"
		if cur, lookupErr := money.LookupCurrency(currency); lookupErr == nil {
			example = "--amount " + sampleAmount(cur) + " --currency " + cur.Code
		}
		return money.Amount{}, exitcode.New(exitcode.Usage, "--amount/--currency: %v", err).
			WithHint("write the amount as a decimal in the currency's unit, e.g. %s", example)
	}
	return a, nil
}

// ParseAmountIn reads --amount in a currency that another flag named
// (forex's --from-currency), with the same rules and hint as ParseAmount.
func ParseAmountIn(amount string, currency money.Currency) (money.Amount, error) {
	a, err := money.ParsePositive(amount, currency.Code)
	if err != nil {
		return money.Amount{}, exitcode.New(exitcode.Usage, "--amount: %v", err).
			WithHint("write the amount as a decimal in %s's unit, e.g. --amount %s", currency.Code, sampleAmount(currency))
	}
	return a, nil
}

// sampleAmount is an example amount with as many decimals as the
// currency has: 500 JPY, 4.99 GBP, 4.990 KWD.
func sampleAmount(cur money.Currency) string {
	if cur.Exponent == 0 {
		return "500"
	}
	return "4." + (strings.Repeat("9", min(cur.Exponent, 2)) + strings.Repeat("0", cur.Exponent))[:cur.Exponent]
}

// IdempotencyKey returns the given key (checked) or a new UUID, and prints
// it on stderr before anything is sent, so a lost answer can be followed
// up and a retry can reuse it. flag names the flag that sets the key and
// label how the notice calls it.
func IdempotencyKey(f *Factory, given, flag, label string) (string, error) {
	if given != "" {
		if !ValidKey(given) {
			return "", exitcode.New(exitcode.Usage, "--%s %s: use 1 to 64 letters, digits or . _ : -", flag, QuoteValue(given))
		}
	} else if f.DefaultKey != "" {
		given = f.DefaultKey
	} else {
		given = uuid.NewString()
	}
	if f.validateOnly {
		f.validatedKey = given
		return "", ErrValidated
	}
	if err := f.confirmSend(); err != nil {
		return "", err
	}
	f.Printer.Notice("%s: %s (reuse it with --%s to retry safely)", label, given, flag)
	f.Printer.IdempotencyKey = given
	if err := f.recordIntent(given); err != nil {
		return "", err
	}
	f.markSent(given)
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
			return "", exitcode.New(exitcode.Usage, "--%s %s: use 1 to 64 letters, digits or . _ : -", keyFlag, QuoteValue(key))
		}
		return "", nil
	}
	return "", exitcode.New(exitcode.Usage, "which %s? give %s or --%s ID", what, idName, keyFlag)
}
