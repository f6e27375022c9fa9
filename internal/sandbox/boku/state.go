package boku

import "time"

// State is everything the fake knows that must survive a restart, for
// `bokuctl sandbox serve --state FILE`. Callback URLs and counters are not
// kept.
type State struct {
	Seq        int               `json:"seq"`
	Optins     []OptinState      `json:"optins"`
	Charges    []ChargeState     `json:"charges"`
	Refunds    []RefundState     `json:"refunds"`
	Reversals  map[string]string `json:"reversals"`
	FailedOnce map[string]bool   `json:"failed_once"`
}

// OptinState is one opt-in.
type OptinState struct {
	RequestID, ID, MerchantID, Country, Kind     string
	ForwardURL, Method, State, MerchantRequestID string
	Approved                                     bool
	Response                                     optinResponse
}

// ChargeState is one charge.
type ChargeState struct {
	ID, MerchantID, MerchantRequestID, OptinID, Country, Currency string
	Amount, Refunded                                              int64
	Status, Message                                               string
	ReasonCode                                                    int
	Created, ReversedAt                                           time.Time
	ReversalID, MerchantTransactionID, MerchantData, Description  string
}

// RefundState is one refund.
type RefundState struct {
	ID, MerchantID, MerchantRefundID, ChargeID, Currency, Status string
	MerchantRequestID                                            string
	Amount                                                       int64
	ReasonCode                                                   int
	Created                                                      time.Time
}

// Changes are the records that requests changed since the last
// TakeChanges, each whole as it is now: upserts for an append-only log.
// Seq, when set, is the id counter (it only grows).
type Changes struct {
	Seq        int               `json:"seq,omitempty"`
	Optins     []OptinState      `json:"optins,omitempty"`
	Charges    []ChargeState     `json:"charges,omitempty"`
	Refunds    []RefundState     `json:"refunds,omitempty"`
	Reversals  map[string]string `json:"reversals,omitempty"`
	FailedOnce map[string]bool   `json:"failed_once,omitempty"`
}

// Empty reports whether c changes nothing.
func (c Changes) Empty() bool {
	return c.Seq == 0 && len(c.Optins) == 0 && len(c.Charges) == 0 && len(c.Refunds) == 0 && len(c.Reversals) == 0 && len(c.FailedOnce) == 0
}

// dirty is what changed since the last TakeChanges: ids of opt-ins,
// charges and refunds, keys of reversals and failed-once markers, and the
// id counter as last taken.
type dirty struct {
	optins, charges, refunds, reversals, failedOnce map[string]struct{}
	seq                                             int
}

func newDirty(seq int) *dirty {
	return &dirty{optins: map[string]struct{}{}, charges: map[string]struct{}{}, refunds: map[string]struct{}{},
		reversals: map[string]struct{}{}, failedOnce: map[string]struct{}{}, seq: seq}
}

// TrackChanges makes the fake remember which records requests change,
// for TakeChanges. Without it nothing is remembered.
func (s *Server) TrackChanges() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dirty == nil {
		s.dirty = newDirty(s.seq)
	}
}

// The mark functions note a changed record; callers hold s.mu.
func (s *Server) markOptin(o *optin) {
	if s.dirty != nil {
		s.dirty.optins[o.id] = struct{}{}
	}
}

func (s *Server) markCharge(c *charge) {
	if s.dirty != nil {
		s.dirty.charges[c.id] = struct{}{}
	}
}

func (s *Server) markRefund(rf *refund) {
	if s.dirty != nil {
		s.dirty.refunds[rf.id] = struct{}{}
	}
}

func (s *Server) markReversal(key string) {
	if s.dirty != nil {
		s.dirty.reversals[key] = struct{}{}
	}
}

func (s *Server) markFailedOnce(key string) {
	if s.dirty != nil {
		s.dirty.failedOnce[key] = struct{}{}
	}
}

// TakeChanges returns the records changed since the last call (as they
// are now) and forgets them. Its cost is proportional to the change, not
// to the state. Only kept records are returned: what Snapshot has.
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
		if o := s.optins[id]; o != nil {
			c.Optins = append(c.Optins, optinState(o))
		}
		delete(d.optins, id)
	}
	for id := range d.charges {
		if ch := s.charges[id]; ch != nil {
			c.Charges = append(c.Charges, chargeState(ch))
		}
		delete(d.charges, id)
	}
	for id := range d.refunds {
		if rf := s.refunds[id]; rf != nil {
			c.Refunds = append(c.Refunds, refundState(rf))
		}
		delete(d.refunds, id)
	}
	for k := range d.reversals {
		if v, ok := s.reversals[k]; ok {
			if c.Reversals == nil {
				c.Reversals = map[string]string{}
			}
			c.Reversals[k] = v
		}
		delete(d.reversals, k)
	}
	for k := range d.failedOnce {
		if v, ok := s.failedOnce[k]; ok {
			if c.FailedOnce == nil {
				c.FailedOnce = map[string]bool{}
			}
			c.FailedOnce[k] = v
		}
		delete(d.failedOnce, k)
	}
	return c
}

// Records is the number of records kept: opt-ins, charges, refunds,
// reversals and failed-once markers.
func (s *Server) Records() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.optins) + len(s.charges) + len(s.refunds) + len(s.reversals) + len(s.failedOnce)
}

func optinState(o *optin) OptinState {
	return OptinState{RequestID: o.requestID, ID: o.id, MerchantID: o.merchantID, Country: o.country, Kind: o.kind,
		ForwardURL: o.forwardURL, Method: o.method, State: o.state, MerchantRequestID: o.merchantRequestID, Approved: o.approved, Response: o.response}
}

func chargeState(c *charge) ChargeState {
	return ChargeState{ID: c.id, MerchantID: c.merchantID, MerchantRequestID: c.merchantRequestID, OptinID: c.optinID,
		Country: c.country, Currency: c.currency, Amount: c.amount, Refunded: c.refunded, Status: c.status, Message: c.message, ReasonCode: c.reasonCode,
		Created: c.created, ReversalID: c.reversalID, ReversedAt: c.reversedAt,
		MerchantTransactionID: c.merchantTransactionID, MerchantData: c.merchantData, Description: c.description}
}

func refundState(r *refund) RefundState {
	return RefundState{ID: r.id, MerchantID: r.merchantID, MerchantRefundID: r.merchantRefundID, ChargeID: r.chargeID,
		Currency: r.currency, Status: r.status, Amount: r.amount, MerchantRequestID: r.merchantRequestID, ReasonCode: r.reasonCode, Created: r.created}
}

// Snapshot copies the fake's state.
func (s *Server) Snapshot() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Seq: s.seq, Reversals: map[string]string{}, FailedOnce: map[string]bool{}}
	for _, o := range s.optins {
		st.Optins = append(st.Optins, optinState(o))
	}
	for _, c := range s.charges {
		st.Charges = append(st.Charges, chargeState(c))
	}
	for _, r := range s.refunds {
		st.Refunds = append(st.Refunds, refundState(r))
	}
	for k, v := range s.reversals {
		st.Reversals[k] = v
	}
	for k, v := range s.failedOnce {
		st.FailedOnce[k] = v
	}
	return st
}

// Restore replaces the fake's state, rebuilding the indexes.
func (s *Server) Restore(st State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq = 0
	s.optins, s.optinsByID, s.optinByMRID = map[string]*optin{}, map[string]*optin{}, map[string]*optin{}
	s.charges, s.chargeByMRID = map[string]*charge{}, map[string]*charge{}
	s.refunds, s.refundByMRID = map[string]*refund{}, map[string]*refund{}
	s.reversals, s.failedOnce = map[string]string{}, map[string]bool{}
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

func (s *Server) apply(c Changes) {
	s.seq = max(s.seq, c.Seq)
	for _, o := range c.Optins {
		op := &optin{requestID: o.RequestID, id: o.ID, merchantID: o.MerchantID, country: o.Country, kind: o.Kind, forwardURL: o.ForwardURL,
			method: o.Method, state: o.State, merchantRequestID: o.MerchantRequestID, approved: o.Approved, response: o.Response}
		s.optins[op.id] = op
		s.optinsByID[op.id] = op
		s.optinByMRID[mrKey(op.merchantID, op.merchantRequestID)] = op
	}
	for _, c := range c.Charges {
		ch := &charge{id: c.ID, merchantID: c.MerchantID, merchantRequestID: c.MerchantRequestID, optinID: c.OptinID, country: c.Country,
			currency: c.Currency, amount: c.Amount, refunded: c.Refunded, status: c.Status, message: c.Message, reasonCode: c.ReasonCode,
			created: c.Created, reversalID: c.ReversalID, reversedAt: c.ReversedAt,
			merchantTransactionID: c.MerchantTransactionID, merchantData: c.MerchantData, description: c.Description}
		s.charges[ch.id] = ch
		s.chargeByMRID[mrKey(ch.merchantID, ch.merchantRequestID)] = ch
	}
	for _, r := range c.Refunds {
		rf := &refund{id: r.ID, merchantID: r.MerchantID, merchantRefundID: r.MerchantRefundID, chargeID: r.ChargeID, currency: r.Currency, status: r.Status, amount: r.Amount,
			merchantRequestID: r.MerchantRequestID, reasonCode: r.ReasonCode, created: r.Created}
		s.refunds[rf.id] = rf
		s.refundByMRID[mrKey(rf.merchantID, rf.merchantRequestID)] = rf
	}
	for k, v := range c.Reversals {
		s.reversals[k] = v
	}
	for k, v := range c.FailedOnce {
		s.failedOnce[k] = v
	}
}
