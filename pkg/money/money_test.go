package money

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		value, currency string
		want            int64
		wantErr         string
	}{
		{"4.99", "GBP", 499, ""},
		{"4.9", "GBP", 490, ""},
		{"4", "GBP", 400, ""},
		{"0004.10", "gbp", 410, ""},
		{"500", "JPY", 500, ""},
		{"1.234", "KWD", 1234, ""},
		{"0.001", "BHD", 1, ""},
		{"1.2345", "CLF", 12345, ""},
		{"0", "USD", 0, ""},
		{"0.00", "USD", 0, ""},
		{"92233720368547758.07", "USD", 0, "too large"},
		{"999999999999999999", "JPY", 999999999999999999, ""},
		{"9999999999999999999", "JPY", 0, "too large"},
		{"4.999", "GBP", 0, "at most 2"},
		{"1.5", "JPY", 0, "no minor unit"},
		{"1.2345", "KWD", 0, "at most 3"},
		{"-1", "GBP", 0, "negative"},
		{"+1", "GBP", 0, "plain decimal"},
		{"1e3", "GBP", 0, "plain decimal"},
		{"1,000", "GBP", 0, "plain decimal"},
		{" 1", "GBP", 0, "plain decimal"},
		{".5", "GBP", 0, "plain decimal"},
		{"5.", "GBP", 0, "plain decimal"},
		{"1.2.3", "GBP", 0, "plain decimal"},
		{"", "GBP", 0, "empty"},
		{"٣", "GBP", 0, "plain decimal"},
		{"NaN", "GBP", 0, "plain decimal"},
		{"1", "XXX", 0, "unknown currency"},
		{"1", "XAU", 0, "unknown currency"},
		{"1", "GB", 0, "3-letter"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.value, tt.currency)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%q, %q) error = %v, want containing %q", tt.value, tt.currency, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q, %q) unexpected error: %v", tt.value, tt.currency, err)
			continue
		}
		if got.MinorUnits != tt.want {
			t.Errorf("Parse(%q, %q) = %d, want %d", tt.value, tt.currency, got.MinorUnits, tt.want)
		}
	}
}

func TestParsePositiveRejectsZero(t *testing.T) {
	if _, err := ParsePositive("0.00", "EUR"); err == nil || !strings.Contains(err.Error(), "greater than zero") {
		t.Fatalf("ParsePositive(0.00) error = %v", err)
	}
	if a, err := ParsePositive("0.01", "EUR"); err != nil || a.MinorUnits != 1 {
		t.Fatalf("ParsePositive(0.01) = %v, %v", a, err)
	}
}

func TestFormatMinor(t *testing.T) {
	tests := []struct {
		minor    int64
		exponent int
		want     string
	}{
		{499, 2, "4.99"},
		{5, 2, "0.05"},
		{0, 2, "0.00"},
		{500, 0, "500"},
		{1234, 3, "1.234"},
		{5, 3, "0.005"},
		{12345, 4, "1.2345"},
		{-499, 2, "-4.99"},
		{-9223372036854775808, 2, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := FormatMinor(tt.minor, tt.exponent); got != tt.want {
			t.Errorf("FormatMinor(%d, %d) = %q, want %q", tt.minor, tt.exponent, got, tt.want)
		}
	}
}

func TestAmountString(t *testing.T) {
	a, err := Parse("1.5", "KWD")
	if err != nil {
		t.Fatal(err)
	}
	if got := a.String(); got != "1.500 KWD" {
		t.Fatalf("String() = %q", got)
	}
}

func TestCurrencyTable(t *testing.T) {
	for _, code := range Currencies() {
		if len(code) != 3 || strings.ToUpper(code) != code {
			t.Errorf("bad code %q", code)
		}
		if e := exponents[code]; e < 0 || e > 4 {
			t.Errorf("%s exponent %d out of range", code, e)
		}
	}
	if n := len(Currencies()); n < 150 {
		t.Errorf("only %d currencies; the ISO 4217 active list has over 150", n)
	}
}

// FuzzRoundTrip checks parse(format(x)) == x for every currency exponent.
func FuzzRoundTrip(f *testing.F) {
	f.Add(int64(499), uint8(0))
	f.Add(int64(0), uint8(3))
	f.Add(int64(999999999999999999), uint8(7))
	codes := Currencies()
	f.Fuzz(func(t *testing.T, minor int64, pick uint8) {
		if minor < 0 {
			minor = -(minor + 1)
		}
		if minor > 999999999999999999 {
			minor %= 1000000000000000000
		}
		code := codes[int(pick)%len(codes)]
		cur, _ := LookupCurrency(code)
		text := FormatMinor(minor, cur.Exponent)
		got, err := Parse(text, code)
		if err != nil {
			t.Fatalf("Parse(FormatMinor(%d)) = %q: %v", minor, text, err)
		}
		if got.MinorUnits != minor {
			t.Fatalf("round trip %d -> %q -> %d", minor, text, got.MinorUnits)
		}
	})
}

// FuzzParse feeds arbitrary text: no panics, and anything accepted formats
// back to a string that parses to the same value.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"4.99", "1e3", "", "-0", "00.10", "1.", ".1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s, "KWD")
		if err != nil {
			return
		}
		b, err := Parse(a.Decimal(), "KWD")
		if err != nil || b.MinorUnits != a.MinorUnits {
			t.Fatalf("%q -> %d -> %q -> %v, %v", s, a.MinorUnits, a.Decimal(), b.MinorUnits, err)
		}
	})
}
