package bokuspec

import (
	"net/http"
	"time"
)

// The sandbox's magic values (docs/sandbox.md, "Boku magic values"): test
// behaviour the sandbox documents, not Boku's. Amounts are matched on their
// minor-unit value in the currency's exponent (6.66 GBP and 666 JPY alike).
// A simulator charge-behavior set on the opt-in takes the place of the
// outcome amounts (6.66, over AmountLimit, 7.77); the delivery amounts
// (5.03, 13.13, 14.14, 4.44) act either way.
const (
	// BarredPaymentMethod is a payment method whose consumer is barred
	// (reason 4) at the opt-in.
	BarredPaymentMethod = "sandbox-barred"
	// AmountLimit is the highest amount, in minor units, a single charge
	// may have: over it the charge fails with 29.
	AmountLimit = 99999

	// amountInProgress (7.77) is recorded in progress and settles to
	// success when query-charge asks about it.
	amountInProgress = 777
	// amountUnavailableOnce (5.03): the first attempt for a
	// merchant-request-id answers 503 with Retry-After: 1 and records
	// nothing.
	amountUnavailableOnce = 503
	// amountDropConnection (13.13) is recorded, then the connection is
	// closed without the answer.
	amountDropConnection = 1313
	// amountHeldAnswer (14.14) is recorded, then the answer is held until
	// the client goes away (at most HeldAnswerFor) and the connection is
	// closed without it.
	amountHeldAnswer = 1414
	// amountBadSignature (4.44) is recorded and answered with a corrupt
	// X-SignedResponse; a re-send gets a correctly signed answer.
	amountBadSignature = 444
)

// HeldAnswerFor bounds how long a 14.14 charge's answer is held.
var HeldAnswerFor = time.Minute

// delivery is how an answer reaches (or fails to reach) the client.
type delivery int

const (
	deliverSigned      delivery = iota
	deliverUnavailable          // 503, Retry-After: 1, nothing processed
	deliverDrop                 // processed; the connection is closed
	deliverHold                 // processed; held, then the connection is closed
	deliverCorrupt              // processed; the signature is spoiled
)

// magicOutcome is the outcome a charge of amount (minor units) has when no
// simulator charge-behavior is set.
func magicOutcome(amount int64) outcome {
	switch {
	case amount == amountInsufficientFunds:
		return outcome{status: statusFailed, code: rcInsufficientCredit}
	case amount > AmountLimit:
		return outcome{status: statusFailed, code: rcAmountNotSupported, message: "amount over the per-charge limit"}
	case amount == amountInProgress:
		return outcome{status: statusInProgress, code: rcInProgress, onQuery: true}
	}
	return outcome{status: statusSuccess, code: rcOK}
}

// magicDelivery is how the answer to a new charge of amount is delivered.
func magicDelivery(amount int64) delivery {
	switch amount {
	case amountDropConnection:
		return deliverDrop
	case amountHeldAnswer:
		return deliverHold
	case amountBadSignature:
		return deliverCorrupt
	}
	return deliverSigned
}

// deliver writes body to w as d says; the Server's lock is not held.
func (s *Server) deliver(w http.ResponseWriter, r *http.Request, m Merchant, body []byte, d delivery) {
	switch d {
	case deliverUnavailable:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "service temporarily unavailable", http.StatusServiceUnavailable)
	case deliverDrop:
		dropConnection(w)
	case deliverHold:
		select {
		case <-r.Context().Done():
		case <-time.After(HeldAnswerFor):
		}
		dropConnection(w)
	default:
		s.writeSigned(w, m, body, d == deliverCorrupt)
	}
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	hijacker, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hijacker.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// Fault is an outage a test sets on one call (SetFault). It is a test
// tool, not Boku behaviour.
type Fault string

// The faults.
const (
	FaultNone Fault = ""
	// FaultUnavailable answers 503 with no Retry-After, processing nothing.
	FaultUnavailable Fault = "unavailable"
	// FaultDrop closes the connection without processing or answering:
	// a request that never reached Boku, as the client sees it.
	FaultDrop Fault = "drop"
	// FaultLoseAnswer processes the request, then closes the connection
	// without the answer.
	FaultLoseAnswer Fault = "lose-answer"
)

// SetFault makes call (charge, query-charge, refund-charge, …) fail with
// fault until it is set to FaultNone.
func (s *Server) SetFault(call string, fault Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults == nil {
		s.faults = map[string]Fault{}
	}
	s.faults[call] = fault
}

// ChargeCount is the number of charges recorded (of every merchant), for
// tests that prove a retry did not charge twice.
func (s *Server) ChargeCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, a := range s.accounts {
		n += len(a.charges)
	}
	return n
}

// RefundCount is the number of refunds recorded (of every merchant,
// chargebacks included).
func (s *Server) RefundCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, a := range s.accounts {
		n += len(a.refunds)
	}
	return n
}

// HasCharge reports whether the merchant has a charge with this
// merchant-request-id, for tests that act while its answer is held back.
func (s *Server) HasCharge(merchantID, merchantRequestID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[merchantID]
	return a != nil && a.chargeByReq[merchantRequestID] != nil
}
