package bokuspec

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Persistence, for `bokuctl sandbox serve --state FILE`: State is what must
// survive a restart, Changes a line of the state log. Both read the files
// the sandbox's earlier Boku fake wrote (the same JSON keys; its opt-in
// countries in lower case, its Response kept as the opt-in's recorded
// answer); fields that fake did not have are added with omitempty. Not
// kept: simulator behaviours, faults, counters.
type State struct {
	Seq     int           `json:"seq"`
	Optins  []OptinState  `json:"optins"`
	Charges []ChargeState `json:"charges"`
	Refunds []RefundState `json:"refunds"`
	// Reversals are the reversals of charges never received, by
	// merchant/merchant-request-id (a charge's own is on the charge).
	Reversals  map[string]string `json:"reversals"`
	FailedOnce map[string]bool   `json:"failed_once"`
	// Requests are the merchant-request-ids' records (call, content
	// fingerprint, recorded answer). A file without them has them rebuilt
	// from its opt-ins, charges and refunds.
	Requests []RequestState `json:"requests,omitempty"`
}

// OptinState is one opt-in.
type OptinState struct {
	RequestID, ID, MerchantID, Country, Kind     string
	ForwardURL, Method, State, MerchantRequestID string
	Approved                                     bool
	// Response is the earlier fake's recorded answer (read, not written).
	Response          json.RawMessage `json:",omitempty"`
	MerchantConsumer  string          `json:",omitempty"`
	Account, UserID   string          `json:",omitempty"`
	Created           time.Time       `json:",omitempty"`
	RedirectCode      int             `json:",omitempty"`
	FailOnValidate    bool            `json:",omitempty"`
	AutoRedirect      bool            `json:",omitempty"`
	AutoRedirectAfter time.Duration   `json:",omitempty"`
}

// ChargeState is one charge.
type ChargeState struct {
	ID, MerchantID, MerchantRequestID, OptinID, Country, Currency string
	Amount, Refunded                                              int64
	Status, Message                                               string
	ReasonCode                                                    int
	Created, ReversedAt                                           time.Time
	ReversalID, MerchantTransactionID, MerchantData, Description  string
	PaymentMethod                                                 string    `json:",omitempty"`
	Single                                                        bool      `json:",omitempty"`
	ForwardURL, NotificationURL                                   string    `json:",omitempty"`
	Reserved                                                      int64     `json:",omitempty"`
	DoneAt                                                        time.Time `json:",omitempty"`
	Final                                                         int       `json:",omitempty"`
	Forever                                                       bool      `json:",omitempty"`
}

// RefundState is one refund (or chargeback).
type RefundState struct {
	ID, MerchantID, MerchantRefundID, ChargeID, Currency, Status string
	MerchantRequestID                                            string
	Amount                                                       int64
	ReasonCode                                                   int
	Created                                                      time.Time
	Kind                                                         string    `json:",omitempty"`
	Code                                                         int       `json:",omitempty"`
	DoneAt                                                       time.Time `json:",omitempty"`
	Final                                                        int       `json:",omitempty"`
	Forever                                                      bool      `json:",omitempty"`
}

// RequestState is what one merchant-request-id was used for.
type RequestState struct {
	MerchantID, MerchantRequestID, Call, Fingerprint string
	Answer                                           []byte `json:",omitempty"`
}

// Changes are the records requests changed since the last TakeChanges,
// each whole as it is now: upserts for an append-only log. Seq, when set,
// is the id counter (it only grows).
type Changes struct {
	Seq        int               `json:"seq,omitempty"`
	Optins     []OptinState      `json:"optins,omitempty"`
	Charges    []ChargeState     `json:"charges,omitempty"`
	Refunds    []RefundState     `json:"refunds,omitempty"`
	Reversals  map[string]string `json:"reversals,omitempty"`
	FailedOnce map[string]bool   `json:"failed_once,omitempty"`
	Requests   []RequestState    `json:"requests,omitempty"`
}

// Empty reports whether c changes nothing.
func (c Changes) Empty() bool {
	return c.Seq == 0 && len(c.Optins) == 0 && len(c.Charges) == 0 && len(c.Refunds) == 0 &&
		len(c.Reversals) == 0 && len(c.FailedOnce) == 0 && len(c.Requests) == 0
}

// dirty is what changed since the last TakeChanges: ids of opt-ins,
// charges and refunds (unique across merchants), merchant/mrid keys of
// reversals, failed-once markers and requests, and the counter as taken.
type dirty struct {
	optins, charges, refunds, reversals, failedOnce, requests map[string]struct{}
	seq                                                       int
}

func newDirty(seq int) *dirty {
	return &dirty{optins: map[string]struct{}{}, charges: map[string]struct{}{}, refunds: map[string]struct{}{},
		reversals: map[string]struct{}{}, failedOnce: map[string]struct{}{}, requests: map[string]struct{}{}, seq: seq}
}

func key(merchantID, mrid string) string { return merchantID + "/" + mrid }

// The mark functions note a changed record; callers hold s.mu.
func (s *Server) markOptin(id string) {
	if s.dirty != nil {
		s.dirty.optins[id] = struct{}{}
	}
}

func (s *Server) markCharge(id string) {
	if s.dirty != nil {
		s.dirty.charges[id] = struct{}{}
	}
}

func (s *Server) markRefund(id string) {
	if s.dirty != nil {
		s.dirty.refunds[id] = struct{}{}
	}
}

func (s *Server) markReversal(a *account, mrid string) {
	if s.dirty != nil {
		s.dirty.reversals[key(a.merchantID, mrid)] = struct{}{}
	}
}

func (s *Server) markFailedOnce(a *account, mrid string) {
	if s.dirty != nil {
		s.dirty.failedOnce[key(a.merchantID, mrid)] = struct{}{}
	}
}

func (s *Server) markRequest(a *account, mrid string) {
	if s.dirty != nil {
		s.dirty.requests[key(a.merchantID, mrid)] = struct{}{}
	}
}

// adoptLegacy gives a record rebuilt from an earlier state file the
// fingerprint of a re-send whose kept fields match the record's.
func (x *exchange) adoptLegacy(mrid, call, fp string) {
	if rec := x.acct.requests[mrid]; rec != nil && rec.legacy && rec.call == call {
		rec.fingerprint, rec.legacy = fp, false
		x.s.markRequest(x.acct, mrid)
	}
}

// TrackChanges makes the fake remember which records requests change, for
// TakeChanges. Without it nothing is remembered.
func (s *Server) TrackChanges() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dirty == nil {
		s.dirty = newDirty(s.seq)
	}
}

// account returns the merchant's account, creating one for a merchant of
// a state file the fake was not started with.
func (s *Server) account(merchantID string) *account {
	a := s.accounts[merchantID]
	if a == nil {
		a = newAccount()
		a.merchantID = merchantID
		s.accounts[merchantID] = a
	}
	return a
}

func (s *Server) findRefund(id string) (*account, *refund) {
	for _, a := range s.accounts {
		if rf := a.refundByID[id]; rf != nil {
			return a, rf
		}
	}
	return nil, nil
}

// TakeChanges returns the records changed since the last call (as they
// are now) and forgets them. Its cost is proportional to the change.
func (s *Server) TakeChanges() Changes {
	s.mu.Lock()
	defer s.mu.Unlock()
	var c Changes
	d := s.dirty
	if d == nil {
		return c
	}
	if s.seq != d.seq {
		c.Seq, d.seq = s.seq, s.seq
	}
	for id := range d.optins {
		for _, a := range s.accounts {
			if o := a.optins[id]; o != nil {
				c.Optins = append(c.Optins, optinRecord(a, o))
			}
		}
		delete(d.optins, id)
	}
	for id := range d.charges {
		if a, ch := s.findCharge(id); ch != nil {
			c.Charges = append(c.Charges, chargeRecord(a, ch))
		}
		delete(d.charges, id)
	}
	for id := range d.refunds {
		if a, rf := s.findRefund(id); rf != nil {
			c.Refunds = append(c.Refunds, refundRecord(a, rf))
		}
		delete(d.refunds, id)
	}
	for k := range d.reversals {
		mid, mrid, _ := strings.Cut(k, "/")
		if a := s.accounts[mid]; a != nil && a.reversals[mrid] != nil && a.chargeByReq[mrid] == nil {
			if c.Reversals == nil {
				c.Reversals = map[string]string{}
			}
			c.Reversals[k] = a.reversals[mrid].id
		}
		delete(d.reversals, k)
	}
	for k := range d.failedOnce {
		mid, mrid, _ := strings.Cut(k, "/")
		if a := s.accounts[mid]; a != nil && a.failedOnce[mrid] {
			if c.FailedOnce == nil {
				c.FailedOnce = map[string]bool{}
			}
			c.FailedOnce[k] = true
		}
		delete(d.failedOnce, k)
	}
	for k := range d.requests {
		mid, mrid, _ := strings.Cut(k, "/")
		if a := s.accounts[mid]; a != nil && a.requests[mrid] != nil && !a.requests[mrid].legacy {
			c.Requests = append(c.Requests, requestRecord(a, mrid, a.requests[mrid]))
		}
		delete(d.requests, k)
	}
	return c
}

// Records is the number of records kept, as the sandbox counts them for
// compacting its log: opt-ins, charges, refunds, reversals of charges
// never received, failed-once markers, and the merchant-request-id records
// of calls that made none of these (validate-, confirm- and cancel-optin,
// a barred opt-in); the record of an opt-in, charge or refund counts with
// it.
func (s *Server) Records() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, a := range s.accounts {
		n += len(a.optins) + len(a.charges) + len(a.refunds) + len(a.failedOnce)
		for mrid := range a.reversals {
			if a.chargeByReq[mrid] == nil {
				n++
			}
		}
		for mrid := range a.requests {
			if a.optinByReq[mrid] == nil && a.chargeByReq[mrid] == nil && a.refundByReq[mrid] == nil {
				n++
			}
		}
	}
	return n
}

func optinRecord(a *account, o *optin) OptinState {
	return OptinState{RequestID: o.requestID, ID: o.id, MerchantID: a.merchantID, Country: o.country, Kind: o.optinType,
		ForwardURL: o.forwardURL, Method: o.paymentMethod, State: o.status, MerchantRequestID: o.requestID, Approved: o.redirected,
		MerchantConsumer: o.merchantConsumer, Account: o.account, UserID: o.userID, Created: o.created, RedirectCode: o.redirectCode,
		FailOnValidate: o.failOnValidate, AutoRedirect: o.autoRedirect, AutoRedirectAfter: o.autoRedirectAfter}
}

func chargeRecord(a *account, c *charge) ChargeState {
	st := ChargeState{ID: c.id, MerchantID: a.merchantID, MerchantRequestID: c.requestID, OptinID: c.optinID, Country: c.country,
		Currency: c.currency, Amount: c.amount, Refunded: c.refunded, Status: c.status, Message: c.message, ReasonCode: c.code,
		Created: c.created, MerchantTransactionID: c.transactionID, MerchantData: c.merchantData, Description: c.description,
		PaymentMethod: c.paymentMethod, Single: c.single, ForwardURL: c.forwardURL, NotificationURL: c.notificationURL,
		Reserved: c.reserved, DoneAt: c.doneAt, Final: c.final, Forever: c.forever}
	if c.reversal != nil {
		st.ReversalID, st.ReversedAt = c.reversal.id, c.reversal.at
	}
	return st
}

func refundRecord(a *account, rf *refund) RefundState {
	c := a.chargeByID[rf.chargeID]
	currency := ""
	if c != nil {
		currency = c.currency
	}
	return RefundState{ID: rf.id, MerchantID: a.merchantID, MerchantRefundID: rf.merchantRefundID, ChargeID: rf.chargeID,
		Currency: currency, Status: rf.status, MerchantRequestID: rf.requestID, Amount: rf.amount, ReasonCode: rf.reasonCode,
		Created: rf.created, Kind: rf.kind, Code: rf.code, DoneAt: rf.doneAt, Final: rf.final, Forever: rf.forever}
}

func requestRecord(a *account, mrid string, r *record) RequestState {
	return RequestState{MerchantID: a.merchantID, MerchantRequestID: mrid, Call: r.call, Fingerprint: r.fingerprint, Answer: r.answer}
}

// Snapshot copies the fake's state, in a stable order.
func (s *Server) Snapshot() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Seq: s.seq, Reversals: map[string]string{}, FailedOnce: map[string]bool{}}
	for _, a := range s.accounts {
		for _, o := range a.optins {
			st.Optins = append(st.Optins, optinRecord(a, o))
		}
		for _, c := range a.charges {
			st.Charges = append(st.Charges, chargeRecord(a, c))
		}
		for _, rf := range a.refunds {
			st.Refunds = append(st.Refunds, refundRecord(a, rf))
		}
		for mrid, rev := range a.reversals {
			if a.chargeByReq[mrid] == nil {
				st.Reversals[key(a.merchantID, mrid)] = rev.id
			}
		}
		for mrid := range a.failedOnce {
			st.FailedOnce[key(a.merchantID, mrid)] = true
		}
		for mrid, r := range a.requests {
			if !r.legacy {
				st.Requests = append(st.Requests, requestRecord(a, mrid, r))
			}
		}
	}
	// Ordered by id, then merchant: a hand-edited or foreign state may
	// give two merchants a record of the same id, and the export must not
	// depend on the order the accounts are walked in.
	sort.Slice(st.Optins, func(i, j int) bool {
		return key(st.Optins[i].ID, st.Optins[i].MerchantID) < key(st.Optins[j].ID, st.Optins[j].MerchantID)
	})
	sort.Slice(st.Charges, func(i, j int) bool {
		return key(st.Charges[i].ID, st.Charges[i].MerchantID) < key(st.Charges[j].ID, st.Charges[j].MerchantID)
	})
	sort.Slice(st.Refunds, func(i, j int) bool {
		return key(st.Refunds[i].ID, st.Refunds[i].MerchantID) < key(st.Refunds[j].ID, st.Refunds[j].MerchantID)
	})
	sort.Slice(st.Requests, func(i, j int) bool {
		return key(st.Requests[i].MerchantID, st.Requests[i].MerchantRequestID) < key(st.Requests[j].MerchantID, st.Requests[j].MerchantRequestID)
	})
	return st
}

// Restore replaces the fake's state (simulator behaviours included).
func (s *Server) Restore(st State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq = 0
	for id, a := range s.accounts {
		fresh := newAccount()
		fresh.merchantID = a.merchantID
		s.accounts[id] = fresh
	}
	s.apply(Changes(st))
	if s.dirty != nil {
		s.dirty = newDirty(s.seq)
	}
}

// Apply upserts changes (a line of the state log) into the fake's state:
// whole records replace those with the same id, and the id counter never
// goes back. Applied changes are not themselves marked as changed.
func (s *Server) Apply(c Changes) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apply(c)
	if s.dirty != nil {
		s.dirty.seq = s.seq
	}
}

// earlierResponse is what is read of the earlier fake's recorded opt-in
// answer.
type earlierResponse struct {
	Result struct {
		Status     string
		ReasonCode int
		Message    string
	}
	Timestamp string
	OptinURL  string
}

func (s *Server) apply(c Changes) {
	s.seq = max(s.seq, c.Seq)
	for _, st := range c.Optins {
		a := s.account(st.MerchantID)
		country := strings.ToUpper(st.Country)
		o := &optin{id: st.ID, requestID: st.RequestID, country: country, paymentMethod: st.Method, optinType: st.Kind,
			networkID: networkID(country), forwardURL: st.ForwardURL, merchantConsumer: st.MerchantConsumer, status: st.State,
			account: st.Account, userID: st.UserID, created: st.Created, redirected: st.Approved, redirectCode: st.RedirectCode,
			failOnValidate: st.FailOnValidate, autoRedirect: st.AutoRedirect, autoRedirectAfter: st.AutoRedirectAfter}
		if o.account == "" {
			o.account = defaultAccountIdentifier
		}
		if o.userID == "" {
			o.userID = defaultIssuerUserID
		}
		if o.requestID == "" {
			o.requestID = st.MerchantRequestID
		}
		a.optins[o.id] = o
		a.optinByReq[o.requestID] = o
		if a.requests[o.requestID] == nil && len(st.Response) > 0 {
			// An earlier file: rebuild the optin call's record.
			var old earlierResponse
			if json.Unmarshal(st.Response, &old) == nil {
				resp := &optinResponse{Timestamp: old.Timestamp, MerchantID: a.merchantID, MerchantRequestID: o.requestID,
					PaymentMethod: o.paymentMethod, OptinType: o.optinType}
				if old.Result.Status == "ERROR" {
					resp.Result = res(old.Result.ReasonCode)
					resp.Result.Message = old.Result.Message
				} else {
					resp.Result = res(rcOK)
					resp.OptinID = o.id
					resp.OptinState = &optinState{OptinStatus: optinPendingValidate, Country: o.country, NetworkID: o.networkID}
					resp.Hosted = &hostedOptinURL{OptinURL: old.OptinURL}
				}
				a.requests[o.requestID] = &record{call: "optin", answer: encode(resp), legacy: true}
			}
		}
	}
	for _, st := range c.Charges {
		a := s.account(st.MerchantID)
		country := strings.ToUpper(st.Country)
		ch := &charge{id: st.ID, requestID: st.MerchantRequestID, transactionID: st.MerchantTransactionID, optinID: st.OptinID,
			country: country, networkID: networkID(country), paymentMethod: st.PaymentMethod, currency: st.Currency, amount: st.Amount,
			description: st.Description, merchantData: st.MerchantData, created: st.Created, single: st.Single,
			forwardURL: st.ForwardURL, notificationURL: st.NotificationURL, refunded: st.Refunded, reserved: st.Reserved,
			outcome: outcome{status: st.Status, code: st.ReasonCode, message: st.Message, doneAt: st.DoneAt, final: st.Final, forever: st.Forever}}
		if ch.status == statusInProgress {
			ch.code = rcInProgress
			// In progress with no end set: the earlier fake's (and this
			// one's) 7.77, settled when queried.
			ch.onQuery = !ch.single && !ch.forever && ch.doneAt.IsZero()
		}
		if ch.paymentMethod == "" {
			if o := a.optins[ch.optinID]; o != nil {
				ch.paymentMethod = o.paymentMethod
			}
		}
		if st.ReversalID != "" {
			ch.reversal = &reversal{id: st.ReversalID, requestID: ch.requestID, at: st.ReversedAt}
			a.reversals[ch.requestID] = ch.reversal
		}
		if old := a.chargeByID[ch.id]; old != nil {
			for i, x := range a.charges {
				if x == old {
					a.charges[i] = ch
				}
			}
			a.rescan()
		} else {
			a.charges = append(a.charges, ch)
		}
		a.chargeByID[ch.id] = ch
		a.chargeByReq[ch.requestID] = ch
		if a.requests[ch.requestID] == nil && !ch.single {
			a.requests[ch.requestID] = &record{call: "charge", fingerprint: fingerprint("charge", ch.transactionID, ch.description,
				ch.merchantData, ch.optinID, ch.currency, strconv.FormatInt(ch.amount, 10)), legacy: true}
		}
	}
	for _, st := range c.Refunds {
		a := s.account(st.MerchantID)
		kind := st.Kind
		if kind == "" {
			kind = "refund"
		}
		rf := &refund{id: st.ID, requestID: st.MerchantRequestID, merchantRefundID: st.MerchantRefundID, chargeID: st.ChargeID,
			reasonCode: st.ReasonCode, amount: st.Amount, kind: kind, created: st.Created,
			outcome: outcome{status: st.Status, code: st.Code, doneAt: st.DoneAt, final: st.Final, forever: st.Forever}}
		if rf.status == statusInProgress {
			rf.code = rcInProgress
			// The earlier fake's in-progress refunds stayed so for ever.
			rf.forever = rf.forever || rf.doneAt.IsZero()
		}
		if old := a.refundByID[rf.id]; old != nil {
			for i, x := range a.refunds {
				if x == old {
					a.refunds[i] = rf
				}
			}
			a.rescan()
		} else {
			a.refunds = append(a.refunds, rf)
		}
		a.refundByID[rf.id] = rf
		if rf.requestID != "" {
			a.refundByReq[rf.requestID] = rf
			if a.requests[rf.requestID] == nil {
				a.requests[rf.requestID] = &record{call: "refund-charge", legacy: true}
			}
		}
	}
	for k, id := range c.Reversals {
		mid, mrid, _ := strings.Cut(k, "/")
		s.account(mid).reversals[mrid] = &reversal{id: id, requestID: mrid}
	}
	for k, v := range c.FailedOnce {
		if v {
			mid, mrid, _ := strings.Cut(k, "/")
			s.account(mid).failedOnce[mrid] = true
		}
	}
	for _, r := range c.Requests {
		s.account(r.MerchantID).requests[r.MerchantRequestID] = &record{call: r.Call, fingerprint: storedFingerprint(r.Fingerprint), answer: r.Answer}
	}
}
