package bokuclient

import "context"

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
