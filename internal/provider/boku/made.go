package boku

import "github.com/bokuctl/bokuctl/internal/provider"

// What each Boku result names, for batch output and the journal: the id
// of what the request made (a refund's refund id, even when empty: no
// refund was made; never the charge it refunds), and the amount and
// currency the answer shows.

// Made is the charge id, amount and currency.
func (r chargeResult) Made() (id, amount, currency string) { return r.ChargeID, r.Amount, r.Currency }

// Made is the charge id, amount and currency.
func (r hostedChargeResult) Made() (id, amount, currency string) {
	return r.ChargeID, r.Amount, r.Currency
}

// Made is the refund id, amount and currency.
func (r refundResult) Made() (id, amount, currency string) { return r.RefundID, r.Amount, r.Currency }

// Made is the reversal id; a reversal names no amount.
func (r reversalResult) Made() (id, amount, currency string) { return r.ReversalID, "", "" }

// Made is the refund that succeeded under the merchant refund id, else
// one in progress; "" when none did (no refund was made).
func (l refundList) Made() (id, amount, currency string) {
	for _, want := range []string{provider.StatusSucceeded, provider.StatusPending} {
		for _, r := range l.Refunds {
			if r.common() == want {
				return r.Made()
			}
		}
	}
	return "", "", ""
}
