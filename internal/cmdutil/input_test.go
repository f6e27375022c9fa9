package cmdutil

import (
	"strings"
	"testing"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
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
