package bokudirect

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
)

// Every call fills in merchant-id and, where the call has one, country
// from the client's configuration. Each returns the decoded response
// whenever Boku answered with a signed, well-formed body, also together
// with an *APIError, so a caller can show a definite ERROR answer.

// Optin starts a hosted opt-in (optin-type defaults to hosted). The
// response's OptinURL is where the consumer approves.
func (c *Client) Optin(ctx context.Context, req OptinRequest) (*OptinResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	if req.OptinType == "" {
		req.OptinType = "hosted"
	}
	resp := &OptinResponse{}
	return resp, c.do(ctx, call{family: "optin", name: "optin", mutation: true}, &req, resp, func() *Result { return &resp.Result })
}

// ValidateOptin validates an opt-in after the consumer returned to the
// forward URL (optin-type defaults to hosted).
func (c *Client) ValidateOptin(ctx context.Context, req ValidateOptinRequest) (*OptinResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	if req.OptinType == "" {
		req.OptinType = "hosted"
	}
	resp := &OptinResponse{}
	return resp, c.do(ctx, call{family: "optin", name: "validate-optin", mutation: true}, &req, resp, func() *Result { return &resp.Result })
}

// ConfirmOptin makes a validated opt-in active.
func (c *Client) ConfirmOptin(ctx context.Context, req ConfirmOptinRequest) (*OptinResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &OptinResponse{}
	return resp, c.do(ctx, call{family: "optin", name: "confirm-optin", mutation: true}, &req, resp, func() *Result { return &resp.Result })
}

// CancelOptin closes an opt-in (it stays refundable).
func (c *Client) CancelOptin(ctx context.Context, req CancelOptinRequest) (*OptinResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &OptinResponse{}
	return resp, c.do(ctx, call{family: "optin", name: "cancel-optin", mutation: true}, &req, resp, func() *Result { return &resp.Result })
}

// Charge charges an active opt-in. An in-progress answer (23) comes back
// as *APIError with the response: re-issue the same request, or query it.
func (c *Client) Charge(ctx context.Context, req ChargeRequest) (*ChargeResponse, error) {
	req.MerchantID = c.cfg.MerchantID
	resp := &ChargeResponse{}
	cl := call{family: "billing", name: "charge", mutation: true}
	err := c.do(ctx, cl, &req, resp, func() *Result { return &resp.Result })
	return resp, names(cl, err, resp.Result, "charge", resp.ChargeID, resp.ChargeStatus)
}

// BeginSingleCharge starts a one-off hosted charge; the consumer approves
// it at the response's RedirectURL.
func (c *Client) BeginSingleCharge(ctx context.Context, req BeginSingleChargeRequest) (*BeginSingleChargeResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &BeginSingleChargeResponse{}
	cl := call{family: "billing", name: "begin-single-charge", mutation: true}
	err := c.do(ctx, cl, &req, resp, func() *Result { return &resp.Result })
	return resp, names(cl, err, resp.Result, "charge", resp.ChargeID, resp.ChargeStatus)
}

// QueryCharge looks charges up. "Found 0 result(s)" is an OK answer with
// no charges.
func (c *Client) QueryCharge(ctx context.Context, req QueryChargeRequest) (*QueryChargeResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &QueryChargeResponse{}
	cl := call{family: "billing", name: "query-charge", mutation: false}
	err := c.do(ctx, cl, &req, resp, func() *Result { return &resp.Result })
	if err == nil {
		for _, ch := range resp.Charges {
			if !ch.Result.HasReasonCode() {
				return resp, &MalformedResponseError{Call: cl.name, Err: fmt.Errorf("charge %q: its result has no reason-code", ch.ChargeID)}
			}
		}
	}
	return resp, err
}

// ReverseCharge reverses the charge made with the given ORIGINAL
// merchant-request-id (within an hour of it).
func (c *Client) ReverseCharge(ctx context.Context, req ReverseChargeRequest) (*ReverseChargeResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &ReverseChargeResponse{}
	return resp, c.do(ctx, call{family: "billing", name: "reverse-charge", mutation: true}, &req, resp, func() *Result { return &resp.Result })
}

// RefundCharge refunds all (no RefundAmount) or part of a charge.
func (c *Client) RefundCharge(ctx context.Context, req RefundChargeRequest) (*RefundChargeResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &RefundChargeResponse{}
	cl := call{family: "billing", name: "refund-charge", mutation: true}
	err := c.do(ctx, cl, &req, resp, func() *Result { return &resp.Result })
	return resp, names(cl, err, resp.Result, "refund", resp.RefundID, resp.RefundStatus)
}

// QueryRefund looks refunds (and chargebacks) up.
func (c *Client) QueryRefund(ctx context.Context, req QueryRefundRequest) (*QueryRefundResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &QueryRefundResponse{}
	cl := call{family: "billing", name: "query-refund", mutation: false}
	err := c.do(ctx, cl, &req, resp, func() *Result { return &resp.Result })
	if err == nil {
		for _, rf := range resp.Refunds {
			if !rf.Result.HasReasonCode() {
				return resp, &MalformedResponseError{Call: cl.name, Err: fmt.Errorf("refund %q: its result has no reason-code", rf.RefundID)}
			}
		}
	}
	return resp, err
}

// refundReasons are Boku's six refund reason codes, by the names bokuctl
// uses, in the spec's order.
var refundReasons = [...]struct {
	name string
	code int
}{
	{"unauthorized-minor", 3}, {"non-fulfillment", 8}, {"unauthorized-known", 19},
	{"fraud", 20}, {"unauthorized-unknown", 22}, {"goodwill", 33},
}

// RefundReason is the reason code Boku's refund-charge takes for name.
func RefundReason(name string) (int, bool) {
	for _, r := range refundReasons {
		if r.name == name {
			return r.code, true
		}
	}
	return 0, false
}

// RefundReasonNames lists the names RefundReason accepts.
func RefundReasonNames() []string {
	names := make([]string, len(refundReasons))
	for i, r := range refundReasons {
		names[i] = r.name
	}
	return names
}

// QueryOptinRequest is optin/3.0/query-optin, a call Boku publishes by
// name only (its 2026 SDK): the shape is inferred from the other opt-in
// calls. One of OptinID and OptinRequestID.
type QueryOptinRequest struct {
	XMLName           xml.Name `xml:"query-optin-request"`
	Country           string   `xml:"country"`
	MerchantID        string   `xml:"merchant-id"`
	MerchantRequestID string   `xml:"merchant-request-id"`
	OptinID           string   `xml:"optin-id,omitempty"`
	OptinRequestID    string   `xml:"optin-request-id,omitempty"`
}

// QueryOptin reads an opt-in's state [inferred shape].
func (c *Client) QueryOptin(ctx context.Context, req QueryOptinRequest) (*OptinResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &OptinResponse{}
	return resp, c.do(ctx, call{family: "optin", name: "query-optin", mutation: false}, &req, resp, func() *Result { return &resp.Result })
}

// names checks the answer to a call that creates a charge or a refund
// (what): an OK answer (also 23, in progress) must name it, with its id
// and a status, because the spec's null id and status mean "nothing was
// created", which an OK cannot say; and a status must be one of the
// spec's words. Either way the answer is unusable: the request may or may
// not have been processed, so it is a malformed answer to a mutation (exit
// 5). A definite answer (err nil or *APIError) is the only one checked.
func names(cl call, err error, r Result, what, id, status string) error {
	var api *APIError
	if err != nil && !errors.As(err, &api) {
		return err
	}
	switch {
	case status != "" && !KnownStatus(status):
		return &MalformedResponseError{Call: cl.name, Mutation: cl.mutation, Err: fmt.Errorf("%s-status %q is not a status Boku's spec defines", what, status)}
	case r.OK() && id == "":
		return &MalformedResponseError{Call: cl.name, Mutation: cl.mutation, Err: fmt.Errorf("an OK answer that names no %s (no %s-id)", what, what)}
	case r.OK() && status == "":
		return &MalformedResponseError{Call: cl.name, Mutation: cl.mutation, Err: fmt.Errorf("an OK answer without a %s-status for %s %s", what, what, id)}
	}
	return err
}
