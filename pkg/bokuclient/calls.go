package bokuclient

import "context"

// BeginOptin starts an opt-in. The error is *APIError on a FAIL result.
func (c *Client) BeginOptin(ctx context.Context, req OptinRequest) (*OptinResponse, error) {
	req.MerchantID = c.cfg.MerchantID
	var resp OptinResponse
	err := c.do(ctx, call{family: "optin", name: "optin", country: req.Country, mutation: true}, req, &resp)
	return &resp, err
}

// ConfirmOptin completes an opt-in, with the OTP for otp opt-ins.
func (c *Client) ConfirmOptin(ctx context.Context, req ConfirmOptinRequest) (*ConfirmOptinResponse, error) {
	req.MerchantID = c.cfg.MerchantID
	var resp ConfirmOptinResponse
	err := c.do(ctx, call{family: "optin", name: "confirm-optin", mutation: true}, req, &resp)
	return &resp, err
}

// QueryOptin reads an opt-in by optin id or optin request id.
func (c *Client) QueryOptin(ctx context.Context, req QueryOptinRequest) (*QueryOptinResponse, error) {
	req.MerchantID = c.cfg.MerchantID
	var resp QueryOptinResponse
	err := c.do(ctx, call{family: "optin", name: "query-optin"}, req, &resp)
	return &resp, err
}

// CancelOptin cancels an active or pending opt-in.
func (c *Client) CancelOptin(ctx context.Context, req CancelOptinRequest) (*CancelOptinResponse, error) {
	req.MerchantID = c.cfg.MerchantID
	var resp CancelOptinResponse
	err := c.do(ctx, call{family: "optin", name: "cancel-optin", mutation: true}, req, &resp)
	return &resp, err
}

// Charge charges an opted-in payment method. req.MerchantRequestID is the
// idempotency key: sending it again returns the original charge.
func (c *Client) Charge(ctx context.Context, req ChargeRequest) (*ChargeResponse, error) {
	req.MerchantID = c.cfg.MerchantID
	var resp ChargeResponse
	err := c.do(ctx, call{family: "billing", name: "charge", country: req.Country, mutation: true}, req, &resp)
	return &resp, err
}

// QueryCharge reads a charge by charge id or merchant request id.
func (c *Client) QueryCharge(ctx context.Context, req QueryChargeRequest) (*ChargeResponse, error) {
	req.MerchantID = c.cfg.MerchantID
	var resp ChargeResponse
	err := c.do(ctx, call{family: "billing", name: "query-charge"}, req, &resp)
	return &resp, err
}

// ReverseCharge reverses a charge. req.MerchantRequestID is the reversal's
// own idempotency key.
func (c *Client) ReverseCharge(ctx context.Context, req ReverseChargeRequest) (*ChargeResponse, error) {
	req.MerchantID = c.cfg.MerchantID
	var resp ChargeResponse
	err := c.do(ctx, call{family: "billing", name: "reverse-charge", mutation: true}, req, &resp)
	return &resp, err
}
