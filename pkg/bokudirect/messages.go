package bokudirect

import "encoding/xml"

// The XML of Boku Direct Payments 3.0, element for element as Boku's
// OpenAPI spec ("Boku Direct – Local Payment Methods") defines it. Every
// response decoder ignores elements it does not know: Boku adds optional
// ones within a version.

// Result is the <result> element of every response.
type Result struct {
	Status     string `xml:"status,attr"` // OK or ERROR
	ReasonCode int    `xml:"reason-code"`
	Message    string `xml:"message"`
	Retriable  bool   `xml:"retriable"`
	// RetryDelay is the minimum wait before retrying, in milliseconds.
	RetryDelay    *int64         `xml:"retry-delay"`
	InvalidFields []InvalidField `xml:"invalid-request-fields>field"`
	// hasReasonCode is whether the answer carried <reason-code>, which
	// the spec requires in every result: a result without one is
	// malformed, never reason 0.
	hasReasonCode bool
}

// UnmarshalXML reads a <result>, remembering whether it had a
// <reason-code>.
func (r *Result) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var w struct {
		Status        string         `xml:"status,attr"`
		ReasonCode    *int           `xml:"reason-code"`
		Message       string         `xml:"message"`
		Retriable     bool           `xml:"retriable"`
		RetryDelay    *int64         `xml:"retry-delay"`
		InvalidFields []InvalidField `xml:"invalid-request-fields>field"`
	}
	if err := d.DecodeElement(&w, &start); err != nil {
		return err
	}
	*r = Result{Status: w.Status, Message: w.Message, Retriable: w.Retriable, RetryDelay: w.RetryDelay, InvalidFields: w.InvalidFields}
	if w.ReasonCode != nil {
		r.ReasonCode, r.hasReasonCode = *w.ReasonCode, true
	}
	return nil
}

// HasReasonCode reports whether the decoded result carried its required
// <reason-code>.
func (r Result) HasReasonCode() bool { return r.hasReasonCode }

// Statuses are the charge-status and refund-status words of Boku's spec
// (its enum; null, an absent element, means nothing was created).
var Statuses = []string{StatusSuccess, StatusFailed, StatusInProgress}

// The charge-status and refund-status words.
const (
	StatusSuccess    = "success"
	StatusFailed     = "failed"
	StatusInProgress = "in-progress"
)

// KnownStatus reports whether s is one of Statuses.
func KnownStatus(s string) bool {
	return s == StatusSuccess || s == StatusFailed || s == StatusInProgress
}

// InvalidField names one field Boku refused (reason code 43).
type InvalidField struct {
	Path   string `xml:"path,attr"`
	Reason string `xml:"reason,attr"`
}

// OK reports whether Boku processed the request.
func (r Result) OK() bool { return r.Status == "OK" }

// Hosted is the request's <hosted> container of a hosted opt-in or charge.
type Hosted struct {
	ForwardURL    string `xml:"forward-url"`
	UseMobileFlow *bool  `xml:"use-mobile-flow,omitempty"`
}

// Timeout is <timeout after="ms"/>: how long Boku may block (0–60000).
type Timeout struct {
	After int64 `xml:"after,attr"`
}

// OptinState is the <optin-state> container.
type OptinState struct {
	Status             string `xml:"optin-status"`
	Country            string `xml:"country"`
	NetworkID          string `xml:"network-id"`
	AccountIdentifier  string `xml:"account-identifier"`
	IssuerUniqueUserID string `xml:"issuer-unique-user-id"`
}

// OptinRequest is optin/3.0/optin.
type OptinRequest struct {
	XMLName            xml.Name `xml:"optin-request"`
	Country            string   `xml:"country"`
	MerchantID         string   `xml:"merchant-id"`
	MerchantRequestID  string   `xml:"merchant-request-id"`
	MerchantConsumerID string   `xml:"merchant-consumer-id,omitempty"`
	PaymentMethod      string   `xml:"payment-method"`
	OptinType          string   `xml:"optin-type"`
	Hosted             Hosted   `xml:"hosted"`
}

// OptinResponse answers optin, validate-optin, confirm-optin and
// cancel-optin (their responses share these elements).
type OptinResponse struct {
	Result            Result      `xml:"result"`
	Timestamp         string      `xml:"timestamp"`
	MerchantID        string      `xml:"merchant-id"`
	MerchantRequestID string      `xml:"merchant-request-id"`
	OptinRequestID    string      `xml:"optin-request-id"`
	OptinID           string      `xml:"optin-id"`
	OptinState        *OptinState `xml:"optin-state"`
	PaymentMethod     string      `xml:"payment-method"`
	OptinType         string      `xml:"optin-type"`
	OptinURL          string      `xml:"hosted>optin-url"`
}

// ValidateOptinRequest is optin/3.0/validate-optin: after the consumer
// came back to the forward URL. One of OptinID and OptinRequestID.
type ValidateOptinRequest struct {
	XMLName           xml.Name `xml:"validate-optin-request"`
	Country           string   `xml:"country"`
	MerchantID        string   `xml:"merchant-id"`
	MerchantRequestID string   `xml:"merchant-request-id"`
	OptinID           string   `xml:"optin-id,omitempty"`
	OptinRequestID    string   `xml:"optin-request-id,omitempty"`
	OptinType         string   `xml:"optin-type"`
}

// ConfirmOptinRequest is optin/3.0/confirm-optin: makes a validated
// opt-in active. One of OptinID and OptinRequestID.
type ConfirmOptinRequest struct {
	XMLName           xml.Name `xml:"confirm-optin-request"`
	Country           string   `xml:"country"`
	MerchantID        string   `xml:"merchant-id"`
	MerchantRequestID string   `xml:"merchant-request-id"`
	OptinID           string   `xml:"optin-id,omitempty"`
	OptinRequestID    string   `xml:"optin-request-id,omitempty"`
}

// CancelOptinRequest is optin/3.0/cancel-optin.
type CancelOptinRequest struct {
	XMLName           xml.Name `xml:"cancel-optin-request"`
	Country           string   `xml:"country"`
	MerchantID        string   `xml:"merchant-id"`
	MerchantRequestID string   `xml:"merchant-request-id"`
	OptinID           string   `xml:"optin-id"`
}

// ChargeRequest is billing/3.0/charge. It has no country element: the
// host routes it.
type ChargeRequest struct {
	XMLName                 xml.Name `xml:"charge-request"`
	MerchantID              string   `xml:"merchant-id"`
	MerchantRequestID       string   `xml:"merchant-request-id"`
	MerchantTransactionID   string   `xml:"merchant-transaction-id"`
	MerchantData            string   `xml:"merchant-data,omitempty"`
	MerchantItemDescription string   `xml:"merchant-item-description"`
	OptinID                 string   `xml:"optin-id"`
	Currency                string   `xml:"currency"`
	TotalAmount             string   `xml:"total-amount"`
	Timeout                 *Timeout `xml:"timeout,omitempty"`
	ConsumerIPAddress       string   `xml:"consumer-ip-address,omitempty"`
}

// ChargeResponse answers charge. It carries no amount or currency.
type ChargeResponse struct {
	Result                Result `xml:"result"`
	Timestamp             string `xml:"timestamp"`
	MerchantID            string `xml:"merchant-id"`
	MerchantRequestID     string `xml:"merchant-request-id"`
	MerchantTransactionID string `xml:"merchant-transaction-id"`
	MerchantData          string `xml:"merchant-data"`
	OptinID               string `xml:"optin-id"`
	ChargeID              string `xml:"charge-id"`
	ChargeStatus          string `xml:"charge-status"`
	Country               string `xml:"country"`
	NetworkID             string `xml:"network-id"`
}

// BeginSingleChargeRequest is billing/3.0/begin-single-charge: a one-off
// hosted charge without a stored opt-in.
type BeginSingleChargeRequest struct {
	XMLName                 xml.Name `xml:"begin-single-charge-request"`
	Country                 string   `xml:"country"`
	MerchantID              string   `xml:"merchant-id"`
	MerchantRequestID       string   `xml:"merchant-request-id"`
	MerchantTransactionID   string   `xml:"merchant-transaction-id,omitempty"`
	MerchantData            string   `xml:"merchant-data,omitempty"`
	MerchantItemDescription string   `xml:"merchant-item-description"`
	MerchantConsumerID      string   `xml:"merchant-consumer-id,omitempty"`
	Currency                string   `xml:"currency"`
	TotalAmount             string   `xml:"total-amount"`
	Timeout                 *Timeout `xml:"timeout,omitempty"`
	ConsumerIPAddress       string   `xml:"consumer-ip-address,omitempty"`
	PaymentMethod           string   `xml:"payment-method"`
	ChargeType              string   `xml:"charge-type,omitempty"`
	NotificationURL         string   `xml:"notification-url,omitempty"`
	Hosted                  Hosted   `xml:"hosted"`
}

// BeginSingleChargeResponse answers begin-single-charge.
type BeginSingleChargeResponse struct {
	Result                Result `xml:"result"`
	Timestamp             string `xml:"timestamp"`
	MerchantID            string `xml:"merchant-id"`
	MerchantRequestID     string `xml:"merchant-request-id"`
	MerchantTransactionID string `xml:"merchant-transaction-id"`
	ChargeID              string `xml:"charge-id"`
	ChargeStatus          string `xml:"charge-status"`
	Country               string `xml:"country"`
	PaymentMethod         string `xml:"payment-method"`
	RedirectURL           string `xml:"hosted>redirect-url"`
}

// QueryChargeRequest is billing/3.0/query-charge, by one of ChargeID,
// MerchantRequestID (within 24 hours) or MerchantTransactionID.
type QueryChargeRequest struct {
	XMLName               xml.Name `xml:"query-charge-request"`
	Country               string   `xml:"country"`
	MerchantID            string   `xml:"merchant-id"`
	ChargeID              string   `xml:"charge-id,omitempty"`
	MerchantRequestID     string   `xml:"merchant-request-id,omitempty"`
	MerchantTransactionID string   `xml:"merchant-transaction-id,omitempty"`
}

// QueryChargeResponse answers query-charge: its Result is the query's,
// each charge has its own.
type QueryChargeResponse struct {
	Result  Result   `xml:"result"`
	Charges []Charge `xml:"charges>charge"`
}

// Charge is one charge in a query answer.
type Charge struct {
	Result                  Result    `xml:"result"`
	ChargeStatus            string    `xml:"charge-status"`
	ChargeID                string    `xml:"charge-id"`
	Timestamp               string    `xml:"timestamp"`
	MerchantID              string    `xml:"merchant-id"`
	MerchantTransactionID   string    `xml:"merchant-transaction-id"`
	Country                 string    `xml:"country"`
	NetworkID               string    `xml:"network-id"`
	Currency                string    `xml:"currency"`
	TotalAmount             string    `xml:"total-amount"`
	MerchantItemDescription string    `xml:"merchant-item-description"`
	MerchantData            string    `xml:"merchant-data"`
	Reversal                *Reversal `xml:"reversal"`
}

// Reversal says a charge was reversed.
type Reversal struct {
	ReversalID string `xml:"reversal-id"`
	Timestamp  string `xml:"timestamp"`
}

// ReverseChargeRequest is billing/3.0/reverse-charge. It names the
// ORIGINAL charge's merchant-request-id: there is no charge-id.
type ReverseChargeRequest struct {
	XMLName           xml.Name `xml:"reverse-charge-request"`
	MerchantID        string   `xml:"merchant-id"`
	MerchantRequestID string   `xml:"merchant-request-id"`
	Country           string   `xml:"country"`
}

// ReverseChargeResponse answers reverse-charge.
type ReverseChargeResponse struct {
	Result            Result `xml:"result"`
	Timestamp         string `xml:"timestamp"`
	MerchantID        string `xml:"merchant-id"`
	MerchantRequestID string `xml:"merchant-request-id"`
	ReversalID        string `xml:"reversal-id"`
	Country           string `xml:"country"`
	ChargeID          string `xml:"charge-id"`
}

// Notification is <notification send="true"/>.
type Notification struct {
	Send bool `xml:"send,attr"`
}

// RefundChargeRequest is billing/3.0/refund-charge. Without RefundAmount
// the whole charge is refunded.
type RefundChargeRequest struct {
	XMLName           xml.Name      `xml:"refund-charge-request"`
	Country           string        `xml:"country"`
	MerchantID        string        `xml:"merchant-id"`
	MerchantRequestID string        `xml:"merchant-request-id"`
	MerchantRefundID  string        `xml:"merchant-refund-id"`
	ChargeID          string        `xml:"charge-id"`
	ReasonCode        int           `xml:"reason-code"`
	Currency          string        `xml:"currency,omitempty"`
	RefundAmount      string        `xml:"refund-amount,omitempty"`
	Timeout           *Timeout      `xml:"timeout,omitempty"`
	SkipRetry         *bool         `xml:"skip-retry,omitempty"`
	Notification      *Notification `xml:"notification,omitempty"`
}

// RefundChargeResponse answers refund-charge. It carries no amount.
type RefundChargeResponse struct {
	Result            Result `xml:"result"`
	Timestamp         string `xml:"timestamp"`
	MerchantID        string `xml:"merchant-id"`
	MerchantRequestID string `xml:"merchant-request-id"`
	ChargeID          string `xml:"charge-id"`
	RefundID          string `xml:"refund-id"`
	RefundStatus      string `xml:"refund-status"`
	Country           string `xml:"country"`
	NetworkID         string `xml:"network-id"`
}

// QueryRefundRequest is billing/3.0/query-refund, by RefundID or
// MerchantRefundID.
type QueryRefundRequest struct {
	XMLName          xml.Name `xml:"query-refund-request"`
	Country          string   `xml:"country"`
	MerchantID       string   `xml:"merchant-id"`
	MerchantRefundID string   `xml:"merchant-refund-id,omitempty"`
	RefundID         string   `xml:"refund-id,omitempty"`
}

// QueryRefundResponse answers query-refund.
type QueryRefundResponse struct {
	Result  Result   `xml:"result"`
	Refunds []Refund `xml:"refunds>refund"`
}

// Refund is one refund in a query answer or a refund notification.
type Refund struct {
	Result                Result `xml:"result"`
	RefundStatus          string `xml:"refund-status"`
	RefundID              string `xml:"refund-id"`
	Timestamp             string `xml:"timestamp"`
	MerchantID            string `xml:"merchant-id"`
	MerchantRefundID      string `xml:"merchant-refund-id"`
	ChargeID              string `xml:"charge-id"`
	ReasonCode            int    `xml:"reason-code"`
	Country               string `xml:"country"`
	NetworkID             string `xml:"network-id"`
	Currency              string `xml:"currency"`
	RefundAmount          string `xml:"refund-amount"`
	Type                  string `xml:"type"` // refund or chargeback
	MerchantTransactionID string `xml:"merchant-transaction-id"`
}
