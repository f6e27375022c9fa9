package acquiring

import (
	"context"
	"strconv"
)

// The path helpers substitute ids without escaping, as the SDKs do: real
// ids contain colons, which are legal in a path segment.
func (c *Client) merchantPath(service, rest string) string {
	return "/" + service + "/v1/" + c.cfg.AcquirerID + "/" + c.cfg.MerchantID + rest
}

// ProcessPayment authorizes (and with captureImmediately, captures) a card
// payment. POST /processing/v1/{acq}/{mid}/payments
func (c *Client) ProcessPayment(ctx context.Context, req PaymentRequest) (*PaymentResponse, error) {
	var out PaymentResponse
	err := c.do(ctx, request{method: "POST", path: c.merchantPath("processing", "/payments"), body: req, mutation: true, operationID: req.OperationID}, &out)
	return &out, err
}

// GetPayment reads a payment, with its operations when asked.
func (c *Client) GetPayment(ctx context.Context, paymentID string, returnOperations bool) (*PaymentResource, error) {
	var out PaymentResource
	path := c.merchantPath("processing", "/payments/"+paymentID) + "?returnOperations=" + strconv.FormatBool(returnOperations)
	err := c.do(ctx, request{method: "GET", path: path}, &out)
	return &out, err
}

// CapturePayment captures all or part of an authorization.
func (c *Client) CapturePayment(ctx context.Context, paymentID string, req CaptureRequest) (*ActionResponse, error) {
	var out ActionResponse
	err := c.do(ctx, request{method: "POST", path: c.merchantPath("processing", "/payments/"+paymentID+"/captures"), body: req, mutation: true, operationID: req.OperationID}, &out)
	return &out, err
}

// ReverseAuthorization releases all or part of an authorization.
func (c *Client) ReverseAuthorization(ctx context.Context, paymentID string, req PaymentReversalRequest) (*ReversalResponse, error) {
	var out ReversalResponse
	err := c.do(ctx, request{method: "POST", path: c.merchantPath("processing", "/payments/"+paymentID+"/authorization-reversals"), body: req, mutation: true, operationID: req.OperationID}, &out)
	return &out, err
}

// IncrementPayment raises a pre-authorization.
func (c *Client) IncrementPayment(ctx context.Context, paymentID string, req IncrementRequest) (*IncrementResponse, error) {
	var out IncrementResponse
	err := c.do(ctx, request{method: "POST", path: c.merchantPath("processing", "/payments/"+paymentID+"/increments"), body: req, mutation: true, operationID: req.OperationID}, &out)
	return &out, err
}

// RefundPayment refunds all or part of a captured payment.
func (c *Client) RefundPayment(ctx context.Context, paymentID string, req PaymentRefundRequest) (*ActionResponseForRefund, error) {
	var out ActionResponseForRefund
	err := c.do(ctx, request{method: "POST", path: c.merchantPath("processing", "/payments/"+paymentID+"/refunds"), body: req, mutation: true, operationID: req.OperationID}, &out)
	return &out, err
}

// StandaloneRefund refunds to a card without a referenced payment.
func (c *Client) StandaloneRefund(ctx context.Context, req RefundRequest) (*RefundResponse, error) {
	var out RefundResponse
	err := c.do(ctx, request{method: "POST", path: c.merchantPath("processing", "/refunds"), body: req, mutation: true, operationID: req.OperationID}, &out)
	return &out, err
}

// GetRefund reads a refund, with its operations when asked.
func (c *Client) GetRefund(ctx context.Context, refundID string, returnOperations bool) (*RefundResource, error) {
	var out RefundResource
	path := c.merchantPath("processing", "/refunds/"+refundID) + "?returnOperations=" + strconv.FormatBool(returnOperations)
	err := c.do(ctx, request{method: "GET", path: path}, &out)
	return &out, err
}

// CaptureRefund captures an authorized refund.
func (c *Client) CaptureRefund(ctx context.Context, refundID string, req OperationRequest) (*ActionResponseForRefund, error) {
	var out ActionResponseForRefund
	err := c.do(ctx, request{method: "POST", path: c.merchantPath("processing", "/refunds/"+refundID+"/captures"), body: req, mutation: true, operationID: req.OperationID}, &out)
	return &out, err
}

// ReverseRefund reverses an authorized, not yet captured refund.
func (c *Client) ReverseRefund(ctx context.Context, refundID string, req OperationRequest) (*ActionResponseForRefund, error) {
	var out ActionResponseForRefund
	err := c.do(ctx, request{method: "POST", path: c.merchantPath("processing", "/refunds/"+refundID+"/authorization-reversals"), body: req, mutation: true, operationID: req.OperationID}, &out)
	return &out, err
}

// VerifyAccount checks a card without moving money.
func (c *Client) VerifyAccount(ctx context.Context, req AccountVerificationRequest) (*AccountVerificationResponse, error) {
	var out AccountVerificationResponse
	err := c.do(ctx, request{method: "POST", path: c.merchantPath("processing", "/account-verifications"), body: req, mutation: true, operationID: req.OperationID}, &out)
	return &out, err
}

// TechnicalReversal undoes the operation with the given operationId, for
// when its answer was lost.
func (c *Client) TechnicalReversal(ctx context.Context, operationID string, req TechnicalReversalRequest) (*TechnicalReversalResponse, error) {
	var out TechnicalReversalResponse
	err := c.do(ctx, request{method: "POST", path: c.merchantPath("processing", "/operations/"+operationID+"/reverse"), body: req, mutation: true, operationID: req.OperationID}, &out)
	return &out, err
}

// BalanceInquiry asks for a card's available balance.
func (c *Client) BalanceInquiry(ctx context.Context, req BalanceInquiryRequest) (*BalanceInquiryResponse, error) {
	var out BalanceInquiryResponse
	err := c.do(ctx, request{method: "POST", path: c.merchantPath("processing", "/balance-inquiries"), body: req}, &out)
	return &out, err
}

// DCCRate asks for a dynamic currency conversion quote.
func (c *Client) DCCRate(ctx context.Context, req DCCRateRequest) (*DCCRateResponse, error) {
	var out DCCRateResponse
	err := c.do(ctx, request{method: "POST", path: c.merchantPath("services", "/dcc-rates"), body: req}, &out)
	return &out, err
}

// Ping checks that the API answers and the credentials work.
func (c *Client) Ping(ctx context.Context) error {
	return c.do(ctx, request{method: "GET", path: "/services/v1/ping"}, nil)
}
