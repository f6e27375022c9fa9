package bokudirect

import (
	"testing"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
)

func TestWireAmounts(t *testing.T) {
	for _, tc := range []struct{ currency, typed, wire string }{
		{"GBP", "4.99", "4.99"}, {"JPY", "548", "548"}, {"KWD", "1.25", "1.250"}, {"GBP", "10", "10.00"},
	} {
		a, err := money.ParsePositive(tc.typed, tc.currency)
		if err != nil {
			t.Fatal(err)
		}
		if got := WireAmount(a); got != tc.wire {
			t.Errorf("%s %s on the wire: %s, want %s", tc.typed, tc.currency, got, tc.wire)
		}
	}
}

func TestParseWireAmount(t *testing.T) {
	for _, tc := range []struct {
		value, currency string
		minor           int64
		ok              bool
	}{
		{"548.00", "JPY", 548, true}, {"548", "JPY", 548, true}, {"4.99", "GBP", 499, true}, {"4.990", "GBP", 499, true},
		{"1.250", "KWD", 1250, true}, {"0.5", "GBP", 50, true},
		{"548.50", "JPY", 0, false}, {"4.999", "GBP", 0, false}, {"-1", "GBP", 0, false}, {"1e3", "GBP", 0, false},
		{"", "GBP", 0, false}, {"4.99", "XXX", 0, false}, {".5", "GBP", 0, false}, {"5.", "JPY", 0, false},
	} {
		a, err := ParseWireAmount(tc.value, tc.currency)
		if (err == nil) != tc.ok || (tc.ok && a.MinorUnits != tc.minor) {
			t.Errorf("ParseWireAmount(%q, %s) = %d, %v", tc.value, tc.currency, a.MinorUnits, err)
		}
	}
}

func FuzzParseWireAmount(f *testing.F) {
	for _, s := range []string{"548.00", "4.99", "1.250", "0", "x", "1.", "99999999999999999999"} {
		f.Add(s, "KWD")
		f.Add(s, "JPY")
	}
	f.Fuzz(func(t *testing.T, value, currency string) {
		a, err := ParseWireAmount(value, currency)
		if err != nil {
			return
		}
		// What parses renders back to a value that parses to the same amount.
		back, err := ParseWireAmount(WireAmount(a), currency)
		if err != nil || back.MinorUnits != a.MinorUnits {
			t.Fatalf("%q %s: %d does not round-trip (%v)", value, currency, a.MinorUnits, err)
		}
	})
}

func TestReasonTable(t *testing.T) {
	ok := func(code int) Result { return Result{Status: "OK", ReasonCode: code} }
	errr := func(code int) Result { return Result{Status: "ERROR", ReasonCode: code} }
	for _, tc := range []struct {
		r    Result
		want exitcode.Code
	}{
		{ok(0), exitcode.OK},
		{Result{Status: "OK", ReasonCode: 23, Retriable: true}, exitcode.Pending},
		{errr(43), exitcode.Usage}, {errr(124), exitcode.Usage}, {errr(125), exitcode.Usage}, {errr(133), exitcode.Usage}, {errr(153), exitcode.Usage},
		{errr(14), exitcode.Auth}, {errr(51), exitcode.Auth},
		{errr(15), exitcode.Unavailable}, {errr(17), exitcode.Unavailable}, {errr(35), exitcode.Unavailable}, {errr(900), exitcode.Unavailable},
		{Result{Status: "ERROR", ReasonCode: 7, Retriable: true}, exitcode.Unavailable},
		{errr(3), exitcode.Declined}, {errr(4), exitcode.Declined}, {errr(29), exitcode.Declined}, {errr(132), exitcode.Declined},
		{errr(146), exitcode.Declined}, {errr(906), exitcode.Declined}, {errr(4242), exitcode.Declined},
	} {
		if got := ExitCode(tc.r); got != tc.want {
			t.Errorf("%s %d (retriable %v): exit %d, want %d", tc.r.Status, tc.r.ReasonCode, tc.r.Retriable, got, tc.want)
		}
	}
}

func TestRefundReasons(t *testing.T) {
	want := map[string]int{"unauthorized-minor": 3, "non-fulfillment": 8, "unauthorized-known": 19, "fraud": 20, "unauthorized-unknown": 22, "goodwill": 33}
	for _, name := range RefundReasonNames() {
		code, ok := RefundReason(name)
		if !ok || code != want[name] {
			t.Errorf("%s: %d", name, code)
		}
		delete(want, name)
	}
	if len(want) != 0 {
		t.Errorf("missing %v", want)
	}
	if _, ok := RefundReason("customer-request"); ok {
		t.Error("an invented reason is accepted")
	}
}
