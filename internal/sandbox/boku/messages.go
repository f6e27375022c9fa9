package boku

import "encoding/xml"

// The fake decodes requests with its own structs, written from the
// documented message shapes rather than shared with the client, so a
// client that sends a wrong element name fails against the fake.

type result struct {
	Status        string         `xml:"status,attr"`
	ReasonCode    int            `xml:"reason-code"`
	Message       string         `xml:"message"`
	Retriable     bool           `xml:"retriable"`
	RetryDelay    int64          `xml:"retry-delay,omitempty"`
	InvalidFields []invalidField `xml:"invalid-request-fields>field,omitempty"`
}

// invalidField names a refused field: its camel-case path and why.
type invalidField struct {
	Path   string `xml:"path,attr"`
	Reason string `xml:"reason,attr"`
}

type optinRequest struct {
	Country            string `xml:"country"`
	MerchantID         string `xml:"merchant-id"`
	MerchantRequestID  string `xml:"merchant-request-id"`
	MerchantConsumerID string `xml:"merchant-consumer-id"`
	PaymentMethod      string `xml:"payment-method"`
	OptinType          string `xml:"optin-type"`
	Hosted             *struct {
		ForwardURL    string `xml:"forward-url"`
		UseMobileFlow string `xml:"use-mobile-flow"`
	} `xml:"hosted"`
}

// optinStateElem is Boku's <optin-state> container.
type optinStateElem struct {
	OptinStatus        string `xml:"optin-status"`
	Country            string `xml:"country"`
	NetworkID          string `xml:"network-id,omitempty"`
	AccountIdentifier  string `xml:"account-identifier,omitempty"`
	IssuerUniqueUserID string `xml:"issuer-unique-user-id,omitempty"`
}

// optinResponse is the answer to every opt-in call; XMLName is set per call.
type optinResponse struct {
	XMLName           xml.Name
	Result            result          `xml:"result"`
	Timestamp         string          `xml:"timestamp,omitempty"`
	MerchantID        string          `xml:"merchant-id"`
	MerchantRequestID string          `xml:"merchant-request-id"`
	OptinRequestID    string          `xml:"optin-request-id,omitempty"`
	OptinID           string          `xml:"optin-id,omitempty"`
	OptinState        *optinStateElem `xml:"optin-state,omitempty"`
	PaymentMethod     string          `xml:"payment-method,omitempty"`
	OptinType         string          `xml:"optin-type,omitempty"`
	OptinURL          string          `xml:"hosted>optin-url,omitempty"`
}

// optinRef is validate-optin, confirm-optin, cancel-optin and (shape
// inferred) query-optin: the opt-in by optin-id or optin-request-id.
type optinRef struct {
	Country           string `xml:"country"`
	MerchantID        string `xml:"merchant-id"`
	MerchantRequestID string `xml:"merchant-request-id"`
	OptinID           string `xml:"optin-id"`
	OptinRequestID    string `xml:"optin-request-id"`
	OptinType         string `xml:"optin-type"`
}

// chargeRequest is billing/3.0/charge as Boku's spec has it: no country
// element (the host routes it).
type chargeRequest struct {
	MerchantID              string `xml:"merchant-id"`
	MerchantRequestID       string `xml:"merchant-request-id"`
	MerchantTransactionID   string `xml:"merchant-transaction-id"`
	MerchantData            string `xml:"merchant-data"`
	MerchantItemDescription string `xml:"merchant-item-description"`
	OptinID                 string `xml:"optin-id"`
	Currency                string `xml:"currency"`
	TotalAmount             string `xml:"total-amount"`
	Timeout                 *struct {
		After string `xml:"after,attr"`
	} `xml:"timeout"`
	ConsumerIPAddress string `xml:"consumer-ip-address"`
}

// chargeResponse answers a charge: no amount or currency in it.
type chargeResponse struct {
	XMLName               xml.Name `xml:"charge-response"`
	Result                result   `xml:"result"`
	Timestamp             string   `xml:"timestamp"`
	MerchantID            string   `xml:"merchant-id"`
	MerchantRequestID     string   `xml:"merchant-request-id"`
	MerchantTransactionID string   `xml:"merchant-transaction-id,omitempty"`
	MerchantData          string   `xml:"merchant-data,omitempty"`
	OptinID               string   `xml:"optin-id"`
	ChargeID              string   `xml:"charge-id,omitempty"`
	ChargeStatus          string   `xml:"charge-status,omitempty"`
	Country               string   `xml:"country,omitempty"`
	NetworkID             string   `xml:"network-id,omitempty"`
}

// chargeElem is one <charge> of a query-charge answer.
type chargeElem struct {
	Result                  result    `xml:"result"`
	ChargeStatus            string    `xml:"charge-status"`
	ChargeID                string    `xml:"charge-id"`
	Timestamp               string    `xml:"timestamp"`
	MerchantID              string    `xml:"merchant-id"`
	MerchantTransactionID   string    `xml:"merchant-transaction-id,omitempty"`
	Country                 string    `xml:"country"`
	NetworkID               string    `xml:"network-id"`
	Currency                string    `xml:"currency"`
	TotalAmount             string    `xml:"total-amount"`
	MerchantItemDescription string    `xml:"merchant-item-description"`
	MerchantData            string    `xml:"merchant-data,omitempty"`
	Reversal                *reversal `xml:"reversal,omitempty"`
}

type queryChargeResponse struct {
	XMLName xml.Name     `xml:"query-charge-response"`
	Result  result       `xml:"result"`
	Charges []chargeElem `xml:"charges>charge"`
}

type queryChargeRequest struct {
	Country               string `xml:"country"`
	MerchantID            string `xml:"merchant-id"`
	ChargeID              string `xml:"charge-id"`
	MerchantRequestID     string `xml:"merchant-request-id"`
	MerchantTransactionID string `xml:"merchant-transaction-id"`
}

// reverseChargeRequest names the ORIGINAL charge's merchant-request-id;
// Boku's spec has no charge-id in it.
type reverseChargeRequest struct {
	MerchantID        string `xml:"merchant-id"`
	MerchantRequestID string `xml:"merchant-request-id"`
	Country           string `xml:"country"`
}

type reverseChargeResponse struct {
	XMLName           xml.Name `xml:"reverse-charge-response"`
	Result            result   `xml:"result"`
	Timestamp         string   `xml:"timestamp"`
	MerchantID        string   `xml:"merchant-id"`
	MerchantRequestID string   `xml:"merchant-request-id"`
	ReversalID        string   `xml:"reversal-id,omitempty"`
	Country           string   `xml:"country"`
	ChargeID          string   `xml:"charge-id,omitempty"`
}

// reversal is the <reversal> a queried charge carries once reversed.
type reversal struct {
	ReversalID string `xml:"reversal-id"`
	Timestamp  string `xml:"timestamp"`
}

// merchantOf reads just the merchant-id of any request.
type merchantOf struct {
	MerchantID string `xml:"merchant-id"`
}

// refundChargeRequest is billing/3.0/refund-charge as Boku's spec has it.
type refundChargeRequest struct {
	Country           string `xml:"country"`
	MerchantID        string `xml:"merchant-id"`
	MerchantRequestID string `xml:"merchant-request-id"`
	MerchantRefundID  string `xml:"merchant-refund-id"`
	ChargeID          string `xml:"charge-id"`
	ReasonCode        string `xml:"reason-code"`
	Currency          string `xml:"currency"`
	RefundAmount      string `xml:"refund-amount"`
	Notification      *struct {
		Send string `xml:"send,attr"`
	} `xml:"notification"`
}

// refundChargeResponse answers refund-charge: no amount in it.
type refundChargeResponse struct {
	XMLName           xml.Name `xml:"refund-charge-response"`
	Result            result   `xml:"result"`
	Timestamp         string   `xml:"timestamp"`
	MerchantID        string   `xml:"merchant-id"`
	MerchantRequestID string   `xml:"merchant-request-id"`
	ChargeID          string   `xml:"charge-id"`
	RefundID          string   `xml:"refund-id,omitempty"`
	RefundStatus      string   `xml:"refund-status,omitempty"`
	Country           string   `xml:"country,omitempty"`
	NetworkID         string   `xml:"network-id,omitempty"`
}

// refundElem is one <refund> of a query-refund answer.
type refundElem struct {
	Result                result `xml:"result"`
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
	Type                  string `xml:"type"`
	MerchantTransactionID string `xml:"merchant-transaction-id"`
}

type queryRefundResponse struct {
	XMLName xml.Name     `xml:"query-refund-response"`
	Result  result       `xml:"result"`
	Refunds []refundElem `xml:"refunds>refund"`
}

type queryRefundRequest struct {
	Country          string `xml:"country"`
	MerchantID       string `xml:"merchant-id"`
	RefundID         string `xml:"refund-id"`
	MerchantRefundID string `xml:"merchant-refund-id"`
}

// forexRequest and fundCheckRequest: calls Boku names but does not
// describe; the sandbox checks the 3.0 conventions [inferred].
type forexRequest struct {
	MerchantID        string `xml:"merchant-id"`
	MerchantRequestID string `xml:"merchant-request-id"`
	Country           string `xml:"country"`
	FromCurrency      string `xml:"from-currency"`
	ToCurrency        string `xml:"to-currency"`
	Amount            string `xml:"amount"`
}

type forexResponse struct {
	XMLName         xml.Name `xml:"forex-response"`
	Result          result   `xml:"result"`
	FromCurrency    string   `xml:"from-currency,omitempty"`
	ToCurrency      string   `xml:"to-currency,omitempty"`
	Rate            string   `xml:"rate,omitempty"`
	ConvertedAmount *string  `xml:"converted-amount,omitempty"`
	ValidUntil      string   `xml:"valid-until,omitempty"`
}

type fundCheckRequest struct {
	MerchantID        string `xml:"merchant-id"`
	MerchantRequestID string `xml:"merchant-request-id"`
	Country           string `xml:"country"`
	OptinID           string `xml:"optin-id"`
	Currency          string `xml:"currency"`
	TotalAmount       string `xml:"total-amount"`
}

type fundCheckResponse struct {
	XMLName    xml.Name `xml:"fund-check-response"`
	Result     result   `xml:"result"`
	Sufficient *bool    `xml:"sufficient,omitempty"`
	Reason     string   `xml:"reason,omitempty"`
}

// beginSingleChargeRequest is billing/3.0/begin-single-charge.
type beginSingleChargeRequest struct {
	Country                 string `xml:"country"`
	MerchantID              string `xml:"merchant-id"`
	MerchantRequestID       string `xml:"merchant-request-id"`
	MerchantTransactionID   string `xml:"merchant-transaction-id"`
	MerchantData            string `xml:"merchant-data"`
	MerchantItemDescription string `xml:"merchant-item-description"`
	MerchantConsumerID      string `xml:"merchant-consumer-id"`
	Currency                string `xml:"currency"`
	TotalAmount             string `xml:"total-amount"`
	PaymentMethod           string `xml:"payment-method"`
	ChargeType              string `xml:"charge-type"`
	NotificationURL         string `xml:"notification-url"`
	Hosted                  *struct {
		ForwardURL string `xml:"forward-url"`
	} `xml:"hosted"`
}

type beginSingleChargeResponse struct {
	XMLName               xml.Name `xml:"begin-single-charge-response"`
	Result                result   `xml:"result"`
	Timestamp             string   `xml:"timestamp"`
	MerchantID            string   `xml:"merchant-id"`
	MerchantRequestID     string   `xml:"merchant-request-id"`
	MerchantTransactionID string   `xml:"merchant-transaction-id,omitempty"`
	MerchantData          string   `xml:"merchant-data,omitempty"`
	ChargeID              string   `xml:"charge-id,omitempty"`
	ChargeStatus          string   `xml:"charge-status,omitempty"`
	Country               string   `xml:"country"`
	PaymentMethod         string   `xml:"payment-method"`
	RedirectURL           string   `xml:"hosted>redirect-url,omitempty"`
}

// chargeNotification is Boku's <charge-notification> for a hosted charge.
type chargeNotification struct {
	XMLName xml.Name   `xml:"charge-notification"`
	Charge  chargeElem `xml:"charge"`
}
