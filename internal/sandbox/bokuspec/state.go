package bokuspec

import "time"

// Opt-in statuses (spec OptinStatus).
const (
	optinPendingValidate = "pending-validate"
	optinPendingConfirm  = "pending-confirm"
	optinActive          = "active"
	optinClosed          = "closed"
)

// Charge and refund statuses (spec ChargeStatus, RefundStatus).
const (
	statusSuccess    = "success"
	statusFailed     = "failed"
	statusInProgress = "in-progress"
)

// Default consumer details reported once an opt-in is validated, when the
// simulator did not set others: the spec's own example values.
const (
	defaultAccountIdentifier = "te****st@boku.com"
	defaultIssuerUserID      = "cc1c4f3"
)

type optin struct {
	id, requestID     string
	country           string
	paymentMethod     string
	optinType         string
	networkID         string
	forwardURL        string
	merchantConsumer  string
	status            string
	account, userID   string
	created           time.Time
	redirected        bool // the consumer came back from the hosted page
	redirectCode      int  // the response-code of that step
	failOnValidate    bool // simulator: answer redirectCode at validate-optin
	autoRedirectAfter time.Duration
	autoRedirect      bool
}

// behavior is a simulator charge-behavior or refund-behavior.
type behavior struct {
	code    int
	latency time.Duration
}

// outcome is the progress of a charge or refund towards its final state.
type outcome struct {
	status  string
	code    int
	doneAt  time.Time // when an in-progress operation reaches final
	final   int       // its final code
	forever bool      // error-code 23: in progress forever
	onQuery bool      // the sandbox's 7.77: settles to success when queried
	message string    // a message other than the code's (the sandbox's)
}

// result is the outcome's result.
func (o *outcome) result() result {
	r := res(o.code)
	if o.message != "" {
		r.Message = o.message
	}
	return r
}

// settle moves an in-progress outcome to its final state once now has
// passed doneAt.
func (o *outcome) settle(now time.Time) bool {
	if o.status != statusInProgress || o.forever || o.doneAt.IsZero() || now.Before(o.doneAt) {
		return false
	}
	o.code = o.final
	if o.final == rcOK {
		o.status = statusSuccess
	} else {
		o.status = statusFailed
	}
	return true
}

// start begins an operation with behaviour b, answering after timeoutMS.
func start(b behavior, now time.Time, timeoutMS int64) outcome {
	if b.code == rcInProgress {
		return outcome{status: statusInProgress, code: rcInProgress, forever: true}
	}
	o := outcome{status: statusInProgress, code: rcInProgress, doneAt: now.Add(b.latency), final: b.code}
	if b.latency <= time.Duration(timeoutMS)*time.Millisecond {
		o.settle(o.doneAt)
	}
	return o
}

type charge struct {
	id, requestID   string
	transactionID   string
	optinID         string
	country         string
	networkID       string
	paymentMethod   string
	currency        string
	amount          int64
	description     string
	merchantData    string
	created         time.Time
	single          bool // begin-single-charge
	forwardURL      string
	notificationURL string
	outcome
	reversal *reversal
	refunded int64 // by successful refunds and chargebacks
	reserved int64 // by refunds in progress
}

type refund struct {
	id, requestID    string
	merchantRefundID string
	chargeID         string
	reasonCode       int
	amount           int64
	kind             string // refund or chargeback
	created          time.Time
	// notify is a notification asked for (<notification send="true"/>)
	// and not sent yet: the spec sends it "on completion", so an
	// in-progress refund's waits until it is final (settleAll). Kept in
	// memory only: a sandbox restarted meanwhile does not send it.
	notify bool
	outcome
}

type reversal struct {
	id        string
	requestID string // the original charge's merchant-request-id
	at        time.Time
}

// record is what a merchant-request-id was used for.
type record struct {
	call        string
	fingerprint string
	answer      []byte // opt-in calls: the original answer, replayed verbatim
	// legacy marks a record rebuilt from a state file that did not keep
	// it: its fingerprint is adopted from the first re-send whose kept
	// fields match (see adoptLegacy).
	legacy bool
}

// account is one merchant's state.
type account struct {
	merchantID     string
	optins         map[string]*optin
	optinByReq     map[string]*optin
	charges        []*charge
	chargeByID     map[string]*charge
	chargeByReq    map[string]*charge
	refunds        []*refund
	refundByID     map[string]*refund
	refundByReq    map[string]*refund
	reversals      map[string]*reversal // by the charge's merchant-request-id
	failedOnce     map[string]bool      // the sandbox's 5.03: merchant-request-ids answered 503 once
	requests       map[string]*record
	optinPlans     map[string]optinPlan // simulator, by the optin's merchant-request-id
	chargeBehavior map[string]behavior  // simulator, by optin-id
	refundBehavior map[string]behavior

	// The operations settleAll looks at: those of charges[:chargesSeen]
	// and refunds[:refundsSeen] that were in progress when last looked at.
	// An outcome is only ever set in progress when its operation is made
	// (appended), so every other one is final and is not looked at again:
	// a request costs the same after a million refunds as after one.
	pendingCharges []*charge
	pendingRefunds []*refund
	chargesSeen    int
	refundsSeen    int
}

// optinPlan is a hosted-optin-behavior set before the optin call.
type optinPlan struct {
	code                 int
	account, userID      string
	failOnValidate       bool
	sendRedirection      bool
	sendRedirectionDelay time.Duration
}

func newAccount() *account {
	return &account{
		optins: map[string]*optin{}, optinByReq: map[string]*optin{},
		chargeByID: map[string]*charge{}, chargeByReq: map[string]*charge{},
		refundByID: map[string]*refund{}, refundByReq: map[string]*refund{},
		reversals: map[string]*reversal{}, failedOnce: map[string]bool{}, requests: map[string]*record{},
		optinPlans: map[string]optinPlan{}, chargeBehavior: map[string]behavior{}, refundBehavior: map[string]behavior{},
	}
}

// settleRefund applies a refund's final state to its charge's balances,
// and reports whether it changed.
func settleRefund(c *charge, rf *refund, now time.Time) bool {
	if rf.settle(now) {
		c.reserved -= rf.amount
		if rf.status == statusSuccess {
			c.refunded += rf.amount
		}
		return true
	}
	return false
}

// settleAll brings every in-progress operation of the account up to now,
// noting what changed (for TakeChanges).
func (s *Server) settleAll(a *account, now time.Time) {
	for _, c := range a.charges[a.chargesSeen:] {
		if c.status == statusInProgress {
			a.pendingCharges = append(a.pendingCharges, c)
		}
	}
	a.chargesSeen = len(a.charges)
	for _, rf := range a.refunds[a.refundsSeen:] {
		if rf.status == statusInProgress {
			a.pendingRefunds = append(a.pendingRefunds, rf)
		}
	}
	a.refundsSeen = len(a.refunds)
	pending := a.pendingCharges[:0]
	for _, c := range a.pendingCharges {
		if !c.single && c.settle(now) {
			s.markCharge(c.id)
		}
		if c.status == statusInProgress {
			pending = append(pending, c)
		}
	}
	clear(a.pendingCharges[len(pending):])
	a.pendingCharges = pending
	still := a.pendingRefunds[:0]
	for _, rf := range a.pendingRefunds {
		if c := a.chargeByID[rf.chargeID]; c != nil && settleRefund(c, rf, now) {
			s.markCharge(c.id)
			s.markRefund(rf.id)
			if rf.notify && rf.status != statusInProgress {
				rf.notify = false
				s.notifyRefund(a, rf, c)
			}
		}
		if rf.status == statusInProgress {
			still = append(still, rf)
		}
	}
	clear(a.pendingRefunds[len(still):])
	a.pendingRefunds = still
	for _, o := range a.optins {
		if o.autoRedirect && !o.redirected && !now.Before(o.created.Add(o.autoRedirectAfter)) {
			o.redirected = true
			s.markOptin(o.id)
		}
	}
}

// rescan makes settleAll look at every operation again (after a state
// file replaced records in place).
func (a *account) rescan() {
	a.pendingCharges, a.pendingRefunds, a.chargesSeen, a.refundsSeen = nil, nil, 0, 0
}
