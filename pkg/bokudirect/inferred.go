package bokudirect

import (
	"context"
	"encoding/xml"
	"fmt"
	"regexp"
	"sync"
)

// Forex and fund-check are calls Boku publishes by name only (its 2026
// SDK lists one Forex call and ScheduleFundCheck, POST
// /billing/3.0/fund-check). Their shapes here are inferred: they follow
// the 3.0 conventions of the published calls (country, merchant-id,
// merchant-request-id, decimal amounts, OK|ERROR results); docs/boku.md
// marks them so.

// ForexRequest is billing/3.0/forex [inferred shape]. Amount is optional,
// a decimal in FromCurrency.
type ForexRequest struct {
	XMLName           xml.Name `xml:"forex-request"`
	Country           string   `xml:"country"`
	MerchantID        string   `xml:"merchant-id"`
	MerchantRequestID string   `xml:"merchant-request-id"`
	FromCurrency      string   `xml:"from-currency"`
	ToCurrency        string   `xml:"to-currency"`
	Amount            string   `xml:"amount,omitempty"`
}

// ForexResponse carries the rate as an exact decimal string and, with an
// amount, its conversion (a decimal in ToCurrency) [inferred shape].
type ForexResponse struct {
	Result          Result `xml:"result"`
	FromCurrency    string `xml:"from-currency"`
	ToCurrency      string `xml:"to-currency"`
	Rate            string `xml:"rate"`
	ConvertedAmount string `xml:"converted-amount"`
	ValidUntil      string `xml:"valid-until"`
}

// FundCheckRequest is billing/3.0/fund-check [inferred shape]: can an
// opt-in cover an amount?
type FundCheckRequest struct {
	XMLName           xml.Name `xml:"fund-check-request"`
	Country           string   `xml:"country"`
	MerchantID        string   `xml:"merchant-id"`
	MerchantRequestID string   `xml:"merchant-request-id"`
	OptinID           string   `xml:"optin-id"`
	Currency          string   `xml:"currency"`
	TotalAmount       string   `xml:"total-amount"`
}

// FundCheckResponse answers a fund check [inferred shape].
type FundCheckResponse struct {
	Result     Result `xml:"result"`
	Sufficient *bool  `xml:"sufficient"`
	Reason     string `xml:"reason"`
}

// decimalRate checks a rate is a plain decimal, compiled on first use.
var decimalRate = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`) })

// Forex asks for an exchange rate and, with an amount, its conversion.
func (c *Client) Forex(ctx context.Context, req ForexRequest) (*ForexResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &ForexResponse{}
	if err := c.do(ctx, call{family: "billing", name: "forex", mutation: false}, &req, resp, func() *Result { return &resp.Result }); err != nil {
		return resp, err
	}
	if !decimalRate().MatchString(resp.Rate) {
		return resp, &MalformedResponseError{Call: "forex", Err: fmt.Errorf("<rate> %q is not a plain decimal", resp.Rate)}
	}
	if resp.ConvertedAmount != "" {
		if _, err := ParseWireAmount(resp.ConvertedAmount, req.ToCurrency); err != nil {
			return resp, &MalformedResponseError{Call: "forex", Err: fmt.Errorf("<converted-amount>: %v", err)}
		}
	}
	return resp, nil
}

// FundCheck asks whether an opt-in can cover an amount.
func (c *Client) FundCheck(ctx context.Context, req FundCheckRequest) (*FundCheckResponse, error) {
	req.Country, req.MerchantID = c.Country(), c.cfg.MerchantID
	resp := &FundCheckResponse{}
	if err := c.do(ctx, call{family: "billing", name: "fund-check", mutation: false}, &req, resp, func() *Result { return &resp.Result }); err != nil {
		return resp, err
	}
	if resp.Sufficient == nil {
		return resp, &MalformedResponseError{Call: "fund-check", Err: fmt.Errorf("missing <sufficient>")}
	}
	return resp, nil
}
