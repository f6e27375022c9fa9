package bokuspec

import (
	"encoding/xml"
	"fmt"
)

// Response documents, element for element from the spec's schemas
// (components/schemas/*Response, Charge, Refund, Result, OptinState), in
// the schemas' property order. Optional elements are omitted when empty.

// result is the spec's Result: status is an attribute, OK or ERROR.
type result struct {
	Status        string         `xml:"status,attr"`
	ReasonCode    int            `xml:"reason-code"`
	Message       string         `xml:"message"`
	Retriable     bool           `xml:"retriable"`
	RetryDelay    int            `xml:"retry-delay,omitempty"`
	InvalidFields *invalidFields `xml:"invalid-request-fields,omitempty"`
}

type invalidFields struct {
	Fields []invalidField `xml:"field"`
}

// invalidField is the spec's InvalidRequestField: path and reason are
// attributes.
type invalidField struct {
	Path   string `xml:"path,attr"`
	Reason string `xml:"reason,attr"`
}

type optinState struct {
	OptinStatus        string `xml:"optin-status"`
	Country            string `xml:"country"`
	NetworkID          string `xml:"network-id,omitempty"`
	AccountIdentifier  string `xml:"account-identifier,omitempty"`
	IssuerUniqueUserID string `xml:"issuer-unique-user-id,omitempty"`
}

type hostedOptinURL struct {
	OptinURL string `xml:"optin-url"`
}

type hostedRedirectURL struct {
	RedirectURL string `xml:"redirect-url"`
}

type optinResponse struct {
	XMLName           xml.Name        `xml:"optin-response"`
	Result            result          `xml:"result"`
	Timestamp         string          `xml:"timestamp,omitempty"`
	MerchantID        string          `xml:"merchant-id"`
	MerchantRequestID string          `xml:"merchant-request-id"`
	OptinID           string          `xml:"optin-id,omitempty"`
	OptinState        *optinState     `xml:"optin-state,omitempty"`
	PaymentMethod     string          `xml:"payment-method,omitempty"`
	OptinType         string          `xml:"optin-type,omitempty"`
	Hosted            *hostedOptinURL `xml:"hosted,omitempty"`
}

// validate-optin-response and cancel-optin-response have no timestamp in
// the spec's schemas; confirm-optin-response has one.
type validateOptinResponse struct {
	XMLName           xml.Name    `xml:"validate-optin-response"`
	Result            result      `xml:"result"`
	MerchantID        string      `xml:"merchant-id"`
	MerchantRequestID string      `xml:"merchant-request-id"`
	OptinRequestID    string      `xml:"optin-request-id,omitempty"`
	OptinID           string      `xml:"optin-id,omitempty"`
	OptinState        *optinState `xml:"optin-state,omitempty"`
	PaymentMethod     string      `xml:"payment-method,omitempty"`
	OptinType         string      `xml:"optin-type,omitempty"`
}

type confirmOptinResponse struct {
	XMLName           xml.Name    `xml:"confirm-optin-response"`
	Result            result      `xml:"result"`
	Timestamp         string      `xml:"timestamp,omitempty"`
	MerchantID        string      `xml:"merchant-id"`
	MerchantRequestID string      `xml:"merchant-request-id"`
	OptinRequestID    string      `xml:"optin-request-id,omitempty"`
	OptinID           string      `xml:"optin-id,omitempty"`
	OptinState        *optinState `xml:"optin-state,omitempty"`
	PaymentMethod     string      `xml:"payment-method,omitempty"`
	OptinType         string      `xml:"optin-type,omitempty"`
}

type cancelOptinResponse struct {
	XMLName           xml.Name    `xml:"cancel-optin-response"`
	Result            result      `xml:"result"`
	MerchantID        string      `xml:"merchant-id"`
	MerchantRequestID string      `xml:"merchant-request-id"`
	OptinID           string      `xml:"optin-id,omitempty"`
	OptinType         string      `xml:"optin-type,omitempty"`
	OptinState        *optinState `xml:"optin-state,omitempty"`
}

// queryOptinResponse: query-optin is public only by name (reference §9);
// this shape is inferred from the other opt-in responses.
type queryOptinResponse struct {
	XMLName        xml.Name    `xml:"query-optin-response"`
	Result         result      `xml:"result"`
	Timestamp      string      `xml:"timestamp,omitempty"`
	MerchantID     string      `xml:"merchant-id"`
	OptinRequestID string      `xml:"optin-request-id,omitempty"`
	OptinID        string      `xml:"optin-id,omitempty"`
	OptinState     *optinState `xml:"optin-state,omitempty"`
	PaymentMethod  string      `xml:"payment-method,omitempty"`
	OptinType      string      `xml:"optin-type,omitempty"`
}

type chargeResponse struct {
	XMLName               xml.Name `xml:"charge-response"`
	Result                result   `xml:"result"`
	Timestamp             string   `xml:"timestamp,omitempty"`
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

type beginSingleChargeResponse struct {
	XMLName               xml.Name           `xml:"begin-single-charge-response"`
	Result                result             `xml:"result"`
	Timestamp             string             `xml:"timestamp,omitempty"`
	MerchantID            string             `xml:"merchant-id"`
	MerchantRequestID     string             `xml:"merchant-request-id"`
	MerchantTransactionID string             `xml:"merchant-transaction-id,omitempty"`
	MerchantData          string             `xml:"merchant-data,omitempty"`
	ChargeID              string             `xml:"charge-id,omitempty"`
	ChargeStatus          string             `xml:"charge-status,omitempty"`
	Country               string             `xml:"country"`
	PaymentMethod         string             `xml:"payment-method"`
	Hosted                *hostedRedirectURL `xml:"hosted,omitempty"`
}

type reversalElem struct {
	ReversalID string `xml:"reversal-id"`
	Timestamp  string `xml:"timestamp"`
}

// chargeElem is the spec's Charge, an entry of query-charge's <charges>.
type chargeElem struct {
	Result                  result        `xml:"result"`
	ChargeStatus            string        `xml:"charge-status,omitempty"`
	ChargeID                string        `xml:"charge-id,omitempty"`
	Timestamp               string        `xml:"timestamp,omitempty"`
	MerchantID              string        `xml:"merchant-id,omitempty"`
	MerchantTransactionID   string        `xml:"merchant-transaction-id,omitempty"`
	Country                 string        `xml:"country,omitempty"`
	NetworkID               string        `xml:"network-id,omitempty"`
	Currency                string        `xml:"currency,omitempty"`
	TotalAmount             string        `xml:"total-amount,omitempty"`
	MerchantItemDescription string        `xml:"merchant-item-description,omitempty"`
	Reversal                *reversalElem `xml:"reversal,omitempty"`
	MerchantData            string        `xml:"merchant-data,omitempty"`
}

// queryChargeResponse: <charges> is always written, empty when nothing
// matched (spec example "0 - No results").
type queryChargeResponse struct {
	XMLName xml.Name   `xml:"query-charge-response"`
	Result  result     `xml:"result"`
	Charges chargeList `xml:"charges"`
}

type chargeList struct {
	Charge []chargeElem `xml:"charge"`
}

type reverseChargeResponse struct {
	XMLName           xml.Name `xml:"reverse-charge-response"`
	Result            result   `xml:"result"`
	Timestamp         string   `xml:"timestamp,omitempty"`
	MerchantID        string   `xml:"merchant-id"`
	MerchantRequestID string   `xml:"merchant-request-id"`
	ReversalID        string   `xml:"reversal-id,omitempty"`
	Country           string   `xml:"country"`
	ChargeID          string   `xml:"charge-id,omitempty"`
}

type refundChargeResponse struct {
	XMLName           xml.Name `xml:"refund-charge-response"`
	Result            result   `xml:"result"`
	Timestamp         string   `xml:"timestamp,omitempty"`
	MerchantID        string   `xml:"merchant-id"`
	MerchantRequestID string   `xml:"merchant-request-id"`
	ChargeID          string   `xml:"charge-id"`
	RefundID          string   `xml:"refund-id,omitempty"`
	RefundStatus      string   `xml:"refund-status,omitempty"`
	Country           string   `xml:"country,omitempty"`
	NetworkID         string   `xml:"network-id,omitempty"`
}

// refundElem is the spec's Refund, an entry of query-refund's <refunds>.
// The refund type is written <type>: the spec's schema names it
// refund-type, but every XML example the spec gives (the refund
// notifications, the Postman collection) writes <type>, and so does the
// reference (§5).
type refundElem struct {
	Result                result `xml:"result"`
	RefundStatus          string `xml:"refund-status,omitempty"`
	RefundID              string `xml:"refund-id,omitempty"`
	Timestamp             string `xml:"timestamp,omitempty"`
	MerchantID            string `xml:"merchant-id,omitempty"`
	MerchantRefundID      string `xml:"merchant-refund-id,omitempty"`
	ChargeID              string `xml:"charge-id,omitempty"`
	ReasonCode            int    `xml:"reason-code"`
	Country               string `xml:"country,omitempty"`
	NetworkID             string `xml:"network-id,omitempty"`
	Currency              string `xml:"currency,omitempty"`
	RefundAmount          string `xml:"refund-amount,omitempty"`
	Type                  string `xml:"type,omitempty"`
	MerchantTransactionID string `xml:"merchant-transaction-id,omitempty"`
}

type queryRefundResponse struct {
	XMLName xml.Name   `xml:"query-refund-response"`
	Result  result     `xml:"result"`
	Refunds refundList `xml:"refunds"`
}

type refundList struct {
	Refund []refundElem `xml:"refund"`
}

// errorResponse answers a request that could not be read far enough to
// build its call's full response: the call's response element with the
// result and the identifiers that could be read.
type errorResponse struct {
	XMLName           xml.Name
	Result            result `xml:"result"`
	Timestamp         string `xml:"timestamp,omitempty"`
	MerchantID        string `xml:"merchant-id,omitempty"`
	MerchantRequestID string `xml:"merchant-request-id,omitempty"`
}

// Reason codes, all from the spec's per-call tables (and reference §6).
const (
	rcOK                   = 0
	rcInsufficientCredit   = 3
	rcUserBarred           = 4  // the sandbox's sandbox-barred payment method
	rcAmountNotSupported   = 29 // the sandbox's amounts over AmountLimit
	rcInProgress           = 23
	rcInternal             = 35
	rcInvalidRequest       = 43
	rcFeatureNotSupported  = 86
	rcBillingErrorReplay   = 107 // spec, charge description: a completed, failed charge re-sent
	rcConflict             = 124
	rcOptinNotFound        = 125
	rcOptinNotActive       = 126
	rcAlreadyReversed      = 130
	rcAlreadyRefunded      = 131
	rcReversalExpired      = 132
	rcChargeNotFound       = 133
	rcChargeNotBilled      = 135
	rcOptinNotVerified     = 136
	rcOptinConflict        = 137
	rcFullyRefunded        = 145
	rcRefundExceedsBalance = 146
)

// messages are the result messages. Where the spec gives an example
// response for a code, its message is used ("Operation Successful",
// "Submitted and in progress", "Optin Not Found", "Failed - Insufficient
// funds", "Internal operator Error"); otherwise the description from the
// spec's reason-code tables, shortened.
var messages = map[int]string{
	0:   "Operation Successful",
	3:   "Failed - Insufficient funds",
	4:   "The issuer system has barred this user from transacting",
	5:   "Catch-all billing failure due to an error received from the issuer",
	6:   "Transaction has closed as failed and non-billed",
	7:   "Transaction was rejected because the user or merchant hit a boku transaction velocity limit",
	14:  "The merchant account has been suspended by Boku",
	15:  "Network is temporarily unavailable",
	17:  "Network is temporarily unavailable because it is in a scheduled downtime",
	23:  "Submitted and in progress",
	29:  "The charge amount is not supported by the issuer",
	35:  "Internal Boku error",
	43:  "Invalid Request",
	51:  "Network not enabled on merchant",
	86:  "Network does not support the requested feature",
	93:  "Requested network is not supported by the Boku platform",
	94:  "The account is not enabled for issuer billing permanently",
	96:  "The issuer rejected the charge because the user is not eligible for issuer billing",
	107: "Transaction has completed with a billing error",
	120: "Cannot determine network for the local payment method",
	124: "The given merchant-request-id has previously been used for a conflicting request",
	125: "Optin Not Found",
	126: "The requested operation requires that the opt-in is in active state, but it is not",
	130: "The merchant-request-id has already been reversed",
	131: "The referenced transaction has already been refunded",
	132: "The reversal validity period has expired",
	133: "The referenced charge-id does not exist",
	135: "The transaction referenced by the given charge-id was not billed",
	136: "The consumer and therefore the referenced opt-in record is not yet verified",
	137: "A conflicting update has already been made to the given opt-in",
	140: "The transaction has already been refunded via another source",
	142: "The transaction is too old to be refunded",
	144: "Refund rejected by the issuer",
	145: "The full amount of this transaction has already been refunded",
	146: "The refund amount given exceeds the remaining balance of this transaction",
	154: "The user has a self-imposed bar on the account",
	155: "The user is barred for non-payment",
	156: "The user has reached a regulatory spend limit",
	157: "The user has reached a self-imposed spend limit",
	158: "The user has reached an issuer imposed spend limit",
	159: "The user has reached an issuer imposed maximum spend limit",
	505: "Charge was rejected by the issuer due to the consumer reaching a spend limit",
	700: "Billing failed due to a handset related error",
	803: "General user-related errors",
	900: "Internal operator Error",
	901: "Issuer rejected the charge because the user no longer exists on their network",
	902: "The user has exceeded their rate limit as managed by their network",
	905: "User has not completed kyc verification with the issuer",
	906: "The maximum number of active optins has been reached for this user",
}

// retryDelayInProgress is the retry-delay of the spec's "23 - Submitted and
// in progress" example.
const retryDelayInProgress = 5000

// res builds a result for a reason code. Status is OK for 0 and for 23
// (the spec's in-progress example is status OK, retriable, retry-delay
// 5000), ERROR otherwise. Inferred: retriable is true for 23 and for the
// codes whose description is temporary (15, 17, 902); false otherwise.
func res(code int) result {
	msg, ok := messages[code]
	if !ok {
		msg = fmt.Sprintf("Reason code %d", code)
	}
	r := result{Status: "ERROR", ReasonCode: code, Message: msg}
	switch code {
	case rcOK:
		r.Status = "OK"
	case rcInProgress:
		r.Status, r.Retriable, r.RetryDelay = "OK", true, retryDelayInProgress
	case 15, 17, 902:
		r.Retriable = true
	}
	return r
}

func invalid(fields []invalidField) result {
	r := res(rcInvalidRequest)
	if len(fields) > 0 {
		r.InvalidFields = &invalidFields{Fields: fields}
	}
	return r
}
