package boku

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
