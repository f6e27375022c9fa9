package worldline

// State is what must survive a restart of the fake (`bokuctl sandbox
// serve --state FILE`). Tokens are not kept: clients fetch new ones.
type State struct {
	Payments   []PaymentState         `json:"payments"`
	Refunds    []RefundState          `json:"refunds"`
	Operations map[string]StoredReply `json:"operations"`
	Targets    map[string]string      `json:"targets"`
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
}

// RefundState is one refund.
type RefundState struct {
	ID, OperationID, PaymentID, Status, StatusTime, Currency string
	Decimals                                                 int32
	Amount                                                   int64
	Operations                                               []operation
}

// StoredReply is the answer kept for an operationId.
type StoredReply struct {
	Fingerprint string `json:"fingerprint"`
	Status      int    `json:"status"`
	Body        []byte `json:"body"`
}

// Snapshot copies the fake's state.
func (s *Server) Snapshot() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Operations: map[string]StoredReply{}, Targets: map[string]string{}}
	for _, p := range s.payments {
		st.Payments = append(st.Payments, PaymentState{ID: p.id, OperationID: p.operationID, Status: p.status, AuthType: p.authType,
			AuthCode: p.authCode, Currency: p.currency, Decimals: p.decimals, Authorized: p.authorized, Captured: p.captured,
			Refunded: p.refunded, Final: p.final, Brand: p.brand, Code: p.code, Category: p.category, Description: p.description,
			Responder: p.responder, StatusTime: p.statusTime, MerchantReference: p.merchantReference, Operations: p.operations})
	}
	for _, r := range s.refunds {
		st.Refunds = append(st.Refunds, RefundState{ID: r.id, OperationID: r.operationID, PaymentID: r.paymentID, Status: r.status,
			StatusTime: r.statusTime, Currency: r.currency, Decimals: r.decimals, Amount: r.amount, Operations: r.operations})
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
	s.byOp, s.opTarget = map[string]stored{}, map[string]string{}
	for _, p := range st.Payments {
		s.payments[p.ID] = &payment{id: p.ID, operationID: p.OperationID, status: p.Status, authType: p.AuthType, authCode: p.AuthCode,
			currency: p.Currency, decimals: p.Decimals, authorized: p.Authorized, captured: p.Captured, refunded: p.Refunded, final: p.Final,
			brand: p.Brand, code: p.Code, category: p.Category, description: p.Description, responder: p.Responder,
			statusTime: p.StatusTime, merchantReference: p.MerchantReference, operations: p.Operations}
	}
	for _, r := range st.Refunds {
		s.refunds[r.ID] = &refund{id: r.ID, operationID: r.OperationID, paymentID: r.PaymentID, status: r.Status, statusTime: r.StatusTime,
			currency: r.Currency, decimals: r.Decimals, amount: r.Amount, operations: r.Operations}
	}
	for k, v := range st.Operations {
		s.byOp[k] = stored{fingerprint: v.Fingerprint, status: v.Status, body: v.Body}
	}
	for k, v := range st.Targets {
		s.opTarget[k] = v
	}
}
