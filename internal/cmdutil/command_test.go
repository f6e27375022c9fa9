package cmdutil

import (
	"errors"
	"testing"
)

func TestFlagErrorNamesTheFlagAndTheFix(t *testing.T) {
	for in, want := range map[string]string{
		`invalid argument "maybe" for "--notify" flag: strconv.ParseBool: parsing "maybe": invalid syntax`:    `--notify "maybe": give true or false`,
		`invalid argument "x" for "--concurrency" flag: strconv.ParseInt: parsing "x": invalid syntax`:        `--concurrency "x": give a whole number`,
		`invalid argument "3" for "--timeout" flag: time: missing unit in duration "3"`:                       `--timeout "3": give a duration such as 30s, 2m or 1h`,
		`invalid argument "x" for "-c, --count" flag: strconv.ParseUint: parsing "x": invalid syntax`:         `--count "x": give a whole number`,
		`if any flags in the group [amount currency] are set they must all be set; missing [currency]`:        `--amount and --currency go together: --currency is missing`,
		`if any flags in the group [a b c] are set they must all be set; missing [b c]`:                       `--a and --b and --c go together: --b and --c are missing`,
		`if any flags in the group [resume new] are set none of the others can be; [new resume] were all set`: `--resume and --new cannot be used together`,
		`at least one of the flags in the group [file stdin] is required`:                                     `give one of --file, --stdin`,
		`required flag(s) "path" not set`:   `--path is required`,
		`required flag(s) "a", "b" not set`: `--a and --b are required`,
		`unknown flag: --x`:                 `unknown flag: --x`,
	} {
		if got := FlagError(errors.New(in)).Error(); got != want {
			t.Errorf("FlagError(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

func TestLevenshtein(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"amout", "amount", 1}, {"", "abc", 3}, {"reason", "reason", 0}, {"outptu", "output", 2}} {
		if got := levenshtein(c.a, c.b); got != c.d {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}
