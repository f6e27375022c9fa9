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

// Snapshot copies the fake's state.
func (s *Server) Snapshot() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Seq: s.seq, Reversals: map[string]string{}, FailedOnce: map[string]bool{}}
	for _, o := range s.optins {
		st.Optins = append(st.Optins, OptinState{RequestID: o.requestID, ID: o.id, MerchantID: o.merchantID, Country: o.country, Kind: o.kind,
			ForwardURL: o.forwardURL, Method: o.method, State: o.state, MerchantRequestID: o.merchantRequestID, Approved: o.approved, Response: o.response})
	}
	for _, c := range s.charges {
		st.Charges = append(st.Charges, ChargeState{ID: c.id, MerchantID: c.merchantID, MerchantRequestID: c.merchantRequestID, OptinID: c.optinID,
			Country: c.country, Currency: c.currency, Amount: c.amount, Refunded: c.refunded, Status: c.status, Message: c.message, ReasonCode: c.reasonCode,
			Created: c.created, ReversalID: c.reversalID, ReversedAt: c.reversedAt,
			MerchantTransactionID: c.merchantTransactionID, MerchantData: c.merchantData, Description: c.description})
	}
	for _, r := range s.refunds {
		st.Refunds = append(st.Refunds, RefundState{ID: r.id, MerchantID: r.merchantID, MerchantRefundID: r.merchantRefundID, ChargeID: r.chargeID,
			Currency: r.currency, Status: r.status, Amount: r.amount, MerchantRequestID: r.merchantRequestID, ReasonCode: r.reasonCode, Created: r.created})
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
	s.seq = st.Seq
	s.optins, s.optinsByID, s.optinByMRID = map[string]*optin{}, map[string]*optin{}, map[string]*optin{}
	s.charges, s.chargeByMRID = map[string]*charge{}, map[string]*charge{}
	s.refunds, s.refundByMRID = map[string]*refund{}, map[string]*refund{}
	s.reversals, s.failedOnce = map[string]string{}, map[string]bool{}
	for _, o := range st.Optins {
		op := &optin{requestID: o.RequestID, id: o.ID, merchantID: o.MerchantID, country: o.Country, kind: o.Kind, forwardURL: o.ForwardURL,
			method: o.Method, state: o.State, merchantRequestID: o.MerchantRequestID, approved: o.Approved, response: o.Response}
		s.optins[op.id] = op
		s.optinsByID[op.id] = op
		s.optinByMRID[mrKey(op.merchantID, op.merchantRequestID)] = op
	}
	for _, c := range st.Charges {
		ch := &charge{id: c.ID, merchantID: c.MerchantID, merchantRequestID: c.MerchantRequestID, optinID: c.OptinID, country: c.Country,
			currency: c.Currency, amount: c.Amount, refunded: c.Refunded, status: c.Status, message: c.Message, reasonCode: c.ReasonCode,
			created: c.Created, reversalID: c.ReversalID, reversedAt: c.ReversedAt,
			merchantTransactionID: c.MerchantTransactionID, merchantData: c.MerchantData, description: c.Description}
		s.charges[ch.id] = ch
		s.chargeByMRID[mrKey(ch.merchantID, ch.merchantRequestID)] = ch
	}
	for _, r := range st.Refunds {
		rf := &refund{id: r.ID, merchantID: r.MerchantID, merchantRefundID: r.MerchantRefundID, chargeID: r.ChargeID, currency: r.Currency, status: r.Status, amount: r.Amount,
			merchantRequestID: r.MerchantRequestID, reasonCode: r.ReasonCode, created: r.Created}
		s.refunds[rf.id] = rf
		s.refundByMRID[mrKey(rf.merchantID, rf.merchantRequestID)] = rf
	}
	for k, v := range st.Reversals {
		s.reversals[k] = v
	}
	for k, v := range st.FailedOnce {
		s.failedOnce[k] = v
	}
}
