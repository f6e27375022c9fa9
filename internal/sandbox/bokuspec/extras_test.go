package bokuspec

import (
	"strings"
	"testing"
)

func forexDoc(from, to, amount string) string {
	d := `<forex-request><merchant-id>gatewaymerchant</merchant-id><merchant-request-id>fx-1</merchant-request-id><country>JP</country>` +
		`<from-currency>` + from + `</from-currency><to-currency>` + to + `</to-currency>`
	if amount != "" {
		d += `<amount>` + amount + `</amount>`
	}
	return d + `</forex-request>`
}

func TestForex(t *testing.T) {
	h := newHarness(t)
	r := h.post("billing", "forex", forexDoc("GBP", "EUR", "10.00"))
	r.expect(t, "OK", "0")
	if r.text("rate") != "1.1650" || r.text("converted-amount") != "11.65" || r.text("valid-until") != "2021-04-06T15:15:00Z" {
		t.Errorf("GBP/EUR: %s", r.body)
	}
	// Half up to the target's exponent: 1.00 USD is 151.37 JPY, 151 yen.
	if r := h.post("billing", "forex", forexDoc("USD", "JPY", "1.00")); r.text("converted-amount") != "151.00" {
		t.Errorf("USD/JPY: %s", r.body)
	}
	if r := h.post("billing", "forex", forexDoc("JPY", "JPY", "")); r.text("rate") != "1" || r.text("converted-amount") != "" {
		t.Errorf("JPY/JPY: %s", r.body)
	}
	h.post("billing", "forex", forexDoc("GBP", "KWD", "1.00")).expect(t, "ERROR", "86")
	h.post("billing", "forex", forexDoc("gbp", "EUR", "")).expect(t, "ERROR", "43")
	h.post("billing", "forex", forexDoc("XXY", "EUR", "")).expect(t, "ERROR", "43")
	h.post("billing", "forex", forexDoc("GBP", "EUR", "1.001")).expect(t, "ERROR", "43")
}

func fundCheckDoc(optinID, amount string) string {
	return `<fund-check-request><merchant-id>gatewaymerchant</merchant-id><merchant-request-id>fc-` + amount + `</merchant-request-id><country>JP</country>` +
		`<optin-id>` + optinID + `</optin-id><currency>JPY</currency><total-amount>` + amount + `</total-amount></fund-check-request>`
}

func TestFundCheck(t *testing.T) {
	h := newHarness(t)
	id := h.activeOptin()
	r := h.post("billing", "fund-check", fundCheckDoc(id, "10000"))
	r.expect(t, "OK", "0")
	if r.text("sufficient") != "true" {
		t.Errorf("within the limit: %s", r.body)
	}
	if r := h.post("billing", "fund-check", fundCheckDoc(id, "666")); r.text("sufficient") != "false" || !strings.Contains(r.text("reason"), "insufficient") {
		t.Errorf("6.66: %s", r.body)
	}
	h.post("billing", "charge", chargeDoc(t, id, "c-1", "9000")).expect(t, "OK", "0")
	if r := h.post("billing", "fund-check", fundCheckDoc(id, "1001")); r.text("sufficient") != "false" || r.text("reason") != "over the spend limit: 1000.00 JPY left" {
		t.Errorf("over what is left: %s", r.body)
	}
	if r := h.post("billing", "fund-check", fundCheckDoc(id, "1000")); r.text("sufficient") != "true" {
		t.Errorf("exactly what is left: %s", r.body)
	}
	h.post("billing", "fund-check", fundCheckDoc("nosuchoptin", "1")).expect(t, "ERROR", "126")
	// A fund check changes nothing: its merchant-request-id is not spent.
	if r := h.post("billing", "fund-check", fundCheckDoc(id, "1000")); r.text("sufficient") != "true" {
		t.Errorf("repeated: %s", r.body)
	}
}

// A fingerprint read from an earlier state file (the fields themselves)
// matches the same request's fingerprint as kept now (hashed).
func TestStoredFingerprint(t *testing.T) {
	raw := "refund-charge\x00GB\x00rf-1\x00ch-1\x0033\x00GBP\x000.01"
	now := fingerprint("refund-charge", "GB", "rf-1", "ch-1", "33", "GBP", "0.01")
	if len(now) != 32 || storedFingerprint(raw) != now || storedFingerprint(now) != now {
		t.Errorf("fingerprint %q, stored %q, stored again %q", now, storedFingerprint(raw), storedFingerprint(now))
	}
	if fingerprint("refund-charge", "GB", "rf-1", "ch-1", "33", "GBP", "0.02") == now {
		t.Error("two requests got one fingerprint")
	}
}
