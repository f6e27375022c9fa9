package worldline

import (
	"strings"

	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/journal"
)

// Made is what a Worldline result names, for batch output and the
// journal: the refund id of a refund, else the payment id, else the
// operation id; and the amount and currency the answer shows, or for an
// authorization reversal the amount it released (none when it released
// the whole authorization, which the answer does not price), not what
// stays authorized.
func (r result) Made() (id, amount, currency string) {
	switch {
	case r.RefundID != "":
		id = r.RefundID
	case r.PaymentID != "":
		id = r.PaymentID
	default:
		id = r.OperationID
	}
	if r.reversal {
		if r.ReleasedAmount == "" {
			return id, "", ""
		}
		return id, r.ReleasedAmount, r.Currency
	}
	return id, r.Amount, r.Currency
}

// FollowUpStatus is what the row a technical reversal follows becomes
// when the reversal succeeds: failed (never processed) when Worldline
// says the operation was unknown to it, else the intent's (reversed).
func (r result) FollowUpStatus() string {
	// 7204, "Message stored, not forwarded: referencing unknown trx"
	// (category APPROVED): Worldline never received the operation.
	if r.Reversed != nil && !*r.Reversed && r.ResponseCode == acquiring.ResponseCodeUnknownTransaction {
		return journal.StatusFailed
	}
	return ""
}

// ids is embedded in the handlers that take a payment or refund id: it
// makes them a provider.IDOwner. Worldline's ids have colons
// (pay:ch:etu:…); Boku's never do [inferred from the published formats].
type ids struct{}

// OwnsID reports whether id is Worldline's.
func (ids) OwnsID(id string) (string, bool) { return "a Worldline id", strings.Contains(id, ":") }
