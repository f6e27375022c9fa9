package bokudirect

import (
	"context"
	"encoding/xml"
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
	return resp, c.do(ctx, call{"optin", "optin", true}, &req, resp, func() *Result { return &resp.Result })
}

// ValidateOptin validates an opt-in after the consumer returned to the
// forward URL (optin-type defaults to hosted).
func (c *Client) ValidateOptin(ctx context.Context, req ValidateOptinRequest) (*OptinResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	if req.OptinType == "" {
		req.OptinType = "hosted"
	}
	resp := &OptinResponse{}
	return resp, c.do(ctx, call{"optin", "validate-optin", true}, &req, resp, func() *Result { return &resp.Result })
}

// ConfirmOptin makes a validated opt-in active.
func (c *Client) ConfirmOptin(ctx context.Context, req ConfirmOptinRequest) (*OptinResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &OptinResponse{}
	return resp, c.do(ctx, call{"optin", "confirm-optin", true}, &req, resp, func() *Result { return &resp.Result })
}

// CancelOptin closes an opt-in (it stays refundable).
func (c *Client) CancelOptin(ctx context.Context, req CancelOptinRequest) (*OptinResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &OptinResponse{}
	return resp, c.do(ctx, call{"optin", "cancel-optin", true}, &req, resp, func() *Result { return &resp.Result })
}

// Charge charges an active opt-in. An in-progress answer (23) comes back
// as *APIError with the response: re-issue the same request, or query it.
func (c *Client) Charge(ctx context.Context, req ChargeRequest) (*ChargeResponse, error) {
	req.MerchantID = c.cfg.MerchantID
	resp := &ChargeResponse{}
	return resp, c.do(ctx, call{"billing", "charge", true}, &req, resp, func() *Result { return &resp.Result })
}

// BeginSingleCharge starts a one-off hosted charge; the consumer approves
// it at the response's RedirectURL.
func (c *Client) BeginSingleCharge(ctx context.Context, req BeginSingleChargeRequest) (*BeginSingleChargeResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &BeginSingleChargeResponse{}
	return resp, c.do(ctx, call{"billing", "begin-single-charge", true}, &req, resp, func() *Result { return &resp.Result })
}

// QueryCharge looks charges up. "Found 0 result(s)" is an OK answer with
// no charges.
func (c *Client) QueryCharge(ctx context.Context, req QueryChargeRequest) (*QueryChargeResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &QueryChargeResponse{}
	return resp, c.do(ctx, call{"billing", "query-charge", false}, &req, resp, func() *Result { return &resp.Result })
}

// ReverseCharge reverses the charge made with the given ORIGINAL
// merchant-request-id (within an hour of it).
func (c *Client) ReverseCharge(ctx context.Context, req ReverseChargeRequest) (*ReverseChargeResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &ReverseChargeResponse{}
	return resp, c.do(ctx, call{"billing", "reverse-charge", true}, &req, resp, func() *Result { return &resp.Result })
}

// RefundCharge refunds all (no RefundAmount) or part of a charge.
func (c *Client) RefundCharge(ctx context.Context, req RefundChargeRequest) (*RefundChargeResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &RefundChargeResponse{}
	return resp, c.do(ctx, call{"billing", "refund-charge", true}, &req, resp, func() *Result { return &resp.Result })
}

// QueryRefund looks refunds (and chargebacks) up.
func (c *Client) QueryRefund(ctx context.Context, req QueryRefundRequest) (*QueryRefundResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &QueryRefundResponse{}
	return resp, c.do(ctx, call{"billing", "query-refund", false}, &req, resp, func() *Result { return &resp.Result })
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
	return resp, c.do(ctx, call{"optin", "query-optin", false}, &req, resp, func() *Result { return &resp.Result })
}
