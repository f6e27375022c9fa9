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

// Forex asks for an exchange rate and, with an amount, its conversion.
func (c *Client) Forex(ctx context.Context, req ForexRequest) (*ForexResponse, error) {
	req.MerchantID = c.cfg.MerchantID
	var resp ForexResponse
	err := c.do(ctx, call{family: "billing", name: "forex", country: req.Country}, req, &resp)
	return &resp, err
}

// FundCheck asks whether an opted-in payment method can cover an amount.
func (c *Client) FundCheck(ctx context.Context, req FundCheckRequest) (*FundCheckResponse, error) {
	req.MerchantID = c.cfg.MerchantID
	var resp FundCheckResponse
	err := c.do(ctx, call{family: "billing", name: "fund-check", country: req.Country}, req, &resp)
	return &resp, err
}
