package cmdutil

import (
	"errors"
	"strings"
	"testing"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
)

func TestValidKey(t *testing.T) {
	for key, want := range map[string]bool{
		"order-1234": true, "a.b_c:d-e": true, strings.Repeat("k", 64): true,
		"": false, strings.Repeat("k", 65): false, "has space": false, "naïve": false, "a/b": false, "x\n": false,
	} {
		if got := ValidKey(key); got != want {
			t.Errorf("ValidKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestCheckID(t *testing.T) {
	for id, ok := range map[string]bool{
		"ch-000003": true, "pay:ch:etu:1.2_3": true, strings.Repeat("i", 128): true,
		"": false, strings.Repeat("i", 129): false, "a b": false, "id\n": false, "<x>": false,
	} {
		err := CheckID("CHARGE_ID", id)
		if (err == nil) != ok {
			t.Errorf("CheckID(%q) = %v, want ok=%v", id, err, ok)
		}
		if err != nil && (exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "CHARGE_ID")) {
			t.Errorf("CheckID(%q): %v (exit %d) should be a usage error naming the argument", id, err, exitcode.Of(err))
		}
	}
}

func TestCheckCountry(t *testing.T) {
	for country, ok := range map[string]bool{"gb": true, "GB": true, "Us": true, "": false, "g": false, "gbr": false, "g1": false, "é": false} {
		if err := CheckCountry(country); (err == nil) != ok {
			t.Errorf("CheckCountry(%q) = %v, want ok=%v", country, err, ok)
		}
	}
}

func TestIDOrKey(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		key    string
		wantID string
		fails  string
	}{
		{[]string{"ch-1"}, "", "ch-1", ""},
		{nil, "order-1", "", ""},
		{[]string{"ch-1"}, "order-1", "", "not both"},
		{nil, "", "", "which charge?"},
		{nil, "bad key", "", "--merchant-request-id"},
		{[]string{"bad id"}, "", "", "CHARGE_ID"},
	} {
		id, err := IDOrKey(tc.args, tc.key, "CHARGE_ID", "merchant-request-id", "charge")
		switch {
		case tc.fails == "" && (err != nil || id != tc.wantID):
			t.Errorf("IDOrKey(%q, %q) = %q, %v; want %q", tc.args, tc.key, id, err, tc.wantID)
		case tc.fails != "" && (err == nil || !strings.Contains(err.Error(), tc.fails) || exitcode.Of(err) != exitcode.Usage):
			t.Errorf("IDOrKey(%q, %q) = %v; want a usage error containing %q", tc.args, tc.key, err, tc.fails)
		}
	}
}

func TestParseAmountIsExact(t *testing.T) {
	a, err := ParseAmount("1.250", "KWD")
	if err != nil || a.MinorUnits != 1250 {
		t.Fatalf("ParseAmount(1.250 KWD) = %v, %v", a, err)
	}
	if _, err := ParseAmount("1.005", "EUR"); exitcode.Of(err) != exitcode.Usage {
		t.Errorf("too many decimals: %v", err)
	}
}

func TestAmountErrorsShareOneMessageAndHint(t *testing.T) {
	for _, tc := range []struct{ amount, currency, message, hint string }{
		{"4.999", "GBP", `--amount/--currency: amount "4.999" has 3 decimal places, but GBP allows at most 2`, "e.g. --amount 4.99 --currency GBP"},
		{"4.5", "JPY", `--amount/--currency: amount "4.5" has decimals, but JPY has no minor unit`, "e.g. --amount 500 --currency JPY"},
		{"1.2345", "KWD", "KWD allows at most 3", "e.g. --amount 4.990 --currency KWD"},
		{"0", "EUR", "greater than zero", "e.g. --amount 4.99 --currency EUR"},
		{"1", "GBX", `unknown currency "GBX"`, "e.g. --amount 4.99 --currency GBP"},
	} {
		_, err := ParseAmount(tc.amount, tc.currency)
		var e *exitcode.Error
		if !errors.As(err, &e) || e.Code != exitcode.Usage {
			t.Fatalf("ParseAmount(%q, %q) = %v, want a usage error", tc.amount, tc.currency, err)
		}
		if !strings.Contains(e.Error(), tc.message) || !strings.Contains(e.Hint, tc.hint) {
			t.Errorf("ParseAmount(%q, %q): %q / hint %q; want %q / %q", tc.amount, tc.currency, e.Error(), e.Hint, tc.message, tc.hint)
		}
	}
	jpy, _ := money.LookupCurrency("JPY")
	_, err := ParseAmountIn("1.5", jpy)
	var e *exitcode.Error
	if !errors.As(err, &e) || !strings.HasPrefix(e.Error(), "--amount: ") || !strings.Contains(e.Hint, "--amount 500") {
		t.Errorf("ParseAmountIn: %v", err)
	}
}
