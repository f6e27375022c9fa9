package worldline

// State is what must survive a restart of the fake (`bokuctl sandbox
// serve --state FILE`). Tokens are not kept: clients fetch new ones.
type State struct {
	Payments   []PaymentState         `json:"payments"`
	Refunds    []RefundState          `json:"refunds"`
	Operations map[string]StoredReply `json:"operations"`
	Targets    map[string]string      `json:"targets"`
	// CardOnFile maps initial card-on-file schemeTransactionIds to PARs.
	CardOnFile map[string]string `json:"cardOnFile,omitempty"`
}

// PaymentState is one payment.
type PaymentState struct {
	ID, OperationID, Status, AuthType, AuthCode, Currency string
	Decimals                                              int32
	Authorized, Captured, Refunded                        int64
	Final                                                 bool
	Brand, Code, Category, Description, Responder         string
	StatusTime, MerchantReference                         string
	Operations                                            []operation
	RRN, PAR, TerminalID                                  string `json:",omitempty"`
	DCCCurrency                                           string `json:",omitempty"`
	DCCDecimals                                           int32  `json:",omitempty"`
	DCCRate                                               string `json:",omitempty"`
}

// RefundState is one refund.
type RefundState struct {
	ID, OperationID, PaymentID, Status, StatusTime, Currency string
	Decimals                                                 int32
	Amount                                                   int64
	Operations                                               []operation
	Brand, RRN, PAR, TerminalID                              string `json:",omitempty"`
}

// StoredReply is the answer kept for an operationId.
type StoredReply struct {
	Fingerprint string `json:"fingerprint"`
	Status      int    `json:"status"`
	Body        []byte `json:"body"`
}

// Changes are the records that requests changed since the last
// TakeChanges, each whole as it is now: upserts for an append-only log.
type Changes struct {
	Payments   []PaymentState         `json:"payments,omitempty"`
	Refunds    []RefundState          `json:"refunds,omitempty"`
	Operations map[string]StoredReply `json:"operations,omitempty"`
	Targets    map[string]string      `json:"targets,omitempty"`
	CardOnFile map[string]string      `json:"cardOnFile,omitempty"`
}

// Empty reports whether c changes nothing.
func (c Changes) Empty() bool {
	return len(c.Payments) == 0 && len(c.Refunds) == 0 && len(c.Operations) == 0 && len(c.Targets) == 0 && len(c.CardOnFile) == 0
}

// dirty is what changed since the last TakeChanges: payment and refund
// ids, and operation ids whose stored answer (and target) were set.
type dirty struct {
	payments, refunds, operations, cardOnFile map[string]struct{}
}

func newDirty() *dirty {
	return &dirty{payments: map[string]struct{}{}, refunds: map[string]struct{}{}, operations: map[string]struct{}{}, cardOnFile: map[string]struct{}{}}
}

// TrackChanges makes the fake remember which records requests change,
// for TakeChanges. Without it nothing is remembered.
func (s *Server) TrackChanges() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dirty == nil {
		s.dirty = newDirty()
	}
}

// The mark functions note a changed record; callers hold s.mu.
func (s *Server) markPayment(p *payment) {
	if s.dirty != nil {
		s.dirty.payments[p.id] = struct{}{}
	}
}

func (s *Server) markRefund(rf *refund) {
	if s.dirty != nil {
		s.dirty.refunds[rf.id] = struct{}{}
	}
}

func (s *Server) markOperation(operationID string) {
	if s.dirty != nil {
		s.dirty.operations[operationID] = struct{}{}
	}
}

func (s *Server) markCardOnFile(stid string) {
	if s.dirty != nil {
		s.dirty.cardOnFile[stid] = struct{}{}
	}
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
	for id := range d.payments {
		if p := s.payments[id]; p != nil {
			c.Payments = append(c.Payments, paymentState(p))
		}
		delete(d.payments, id)
	}
	for id := range d.refunds {
		if r := s.refunds[id]; r != nil {
			c.Refunds = append(c.Refunds, refundState(r))
		}
		delete(d.refunds, id)
	}
	for op := range d.operations {
		if v, ok := s.byOp[op]; ok {
			if c.Operations == nil {
				c.Operations = map[string]StoredReply{}
			}
			c.Operations[op] = StoredReply{Fingerprint: v.fingerprint, Status: v.status, Body: v.body}
		}
		if t, ok := s.opTarget[op]; ok {
			if c.Targets == nil {
				c.Targets = map[string]string{}
			}
			c.Targets[op] = t
		}
		delete(d.operations, op)
	}
	for stid := range d.cardOnFile {
		if c.CardOnFile == nil {
			c.CardOnFile = map[string]string{}
		}
		c.CardOnFile[stid] = s.cardOnFile[stid]
		delete(d.cardOnFile, stid)
	}
	return c
}

// Records is the number of records kept: payments, refunds, stored
// answers and operation targets.
func (s *Server) Records() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.payments) + len(s.refunds) + len(s.byOp) + len(s.opTarget) + len(s.cardOnFile)
}

// paymentState and refundState copy a record; operations are only ever
// appended to, so the copy may share the slice's prefix.
func paymentState(p *payment) PaymentState {
	return PaymentState{ID: p.id, OperationID: p.operationID, Status: p.status, AuthType: p.authType,
		AuthCode: p.authCode, Currency: p.currency, Decimals: p.decimals, Authorized: p.authorized, Captured: p.captured,
		Refunded: p.refunded, Final: p.final, Brand: p.brand, Code: p.code, Category: p.category, Description: p.description,
		Responder: p.responder, StatusTime: p.statusTime, MerchantReference: p.merchantReference, Operations: p.operations,
		RRN: p.rrn, PAR: p.par, TerminalID: p.terminalID, DCCCurrency: p.dccCurrency, DCCDecimals: p.dccDecimals, DCCRate: p.dccRate}
}

func refundState(r *refund) RefundState {
	return RefundState{ID: r.id, OperationID: r.operationID, PaymentID: r.paymentID, Status: r.status,
		StatusTime: r.statusTime, Currency: r.currency, Decimals: r.decimals, Amount: r.amount, Operations: r.operations,
		Brand: r.brand, RRN: r.rrn, PAR: r.par, TerminalID: r.terminalID}
}

// Snapshot copies the fake's state.
func (s *Server) Snapshot() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Operations: map[string]StoredReply{}, Targets: map[string]string{}, CardOnFile: map[string]string{}}
	for k, v := range s.cardOnFile {
		st.CardOnFile[k] = v
	}
	for _, p := range s.payments {
		st.Payments = append(st.Payments, paymentState(p))
	}
	for _, r := range s.refunds {
		st.Refunds = append(st.Refunds, refundState(r))
	}
	for k, v := range s.byOp {
		st.Operations[k] = StoredReply{Fingerprint: v.fingerprint, Status: v.status, Body: v.body}
	}
	for k, v := range s.opTarget {
		st.Targets[k] = v
	}
	return st
}

// Restore replaces the fake's state.
func (s *Server) Restore(st State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.payments, s.refunds = map[string]*payment{}, map[string]*refund{}
	s.byOp, s.opTarget, s.cardOnFile = map[string]stored{}, map[string]string{}, map[string]string{}
	s.apply(Changes(st))
	if s.dirty != nil {
		s.dirty = newDirty()
	}
}

// Apply upserts changes (a line of the state log) into the fake's state:
// whole records replace those with the same id. Applied changes are not
// themselves marked as changed.
func (s *Server) Apply(c Changes) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apply(c)
}

func (s *Server) apply(c Changes) {
	for _, p := range c.Payments {
		s.payments[p.ID] = &payment{id: p.ID, operationID: p.OperationID, status: p.Status, authType: p.AuthType, authCode: p.AuthCode,
			currency: p.Currency, decimals: p.Decimals, authorized: p.Authorized, captured: p.Captured, refunded: p.Refunded, final: p.Final,
			brand: p.Brand, code: p.Code, category: p.Category, description: p.Description, responder: p.Responder,
			statusTime: p.StatusTime, merchantReference: p.MerchantReference, operations: p.Operations,
			rrn: p.RRN, par: p.PAR, terminalID: p.TerminalID, dccCurrency: p.DCCCurrency, dccDecimals: p.DCCDecimals, dccRate: p.DCCRate}
	}
	for _, r := range c.Refunds {
		s.refunds[r.ID] = &refund{id: r.ID, operationID: r.OperationID, paymentID: r.PaymentID, status: r.Status, statusTime: r.StatusTime,
			currency: r.Currency, decimals: r.Decimals, amount: r.Amount, operations: r.Operations,
			brand: r.Brand, rrn: r.RRN, par: r.PAR, terminalID: r.TerminalID}
	}
	for k, v := range c.Operations {
		s.byOp[k] = stored{fingerprint: v.Fingerprint, status: v.Status, body: v.Body}
	}
	for k, v := range c.Targets {
		s.opTarget[k] = v
	}
	for k, v := range c.CardOnFile {
		s.cardOnFile[k] = v
	}
}
