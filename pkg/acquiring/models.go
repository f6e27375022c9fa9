package acquiring

import "encoding/json"

// AmountData is an amount in minor units with its currency and exponent.
type AmountData struct {
	Amount           int64  `json:"amount"`
	CurrencyCode     string `json:"currencyCode"`
	NumberOfDecimals int32  `json:"numberOfDecimals"`
}

// PlainCardData is the card itself. Never log it unmasked.
type PlainCardData struct {
	CardNumber       string `json:"cardNumber,omitempty"`
	CardSecurityCode string `json:"cardSecurityCode,omitempty"`
	ExpiryDate       string `json:"expiryDate,omitempty"`
}

// CardPaymentData describes how the card is used in a payment.
type CardPaymentData struct {
	AllowPartialApproval         *bool           `json:"allowPartialApproval,omitempty"`
	Brand                        string          `json:"brand,omitempty"`
	CaptureImmediately           *bool           `json:"captureImmediately,omitempty"`
	CardData                     *PlainCardData  `json:"cardData,omitempty"`
	CardEntryMode                string          `json:"cardEntryMode,omitempty"`
	CardOnFileData               *CardOnFileData `json:"cardOnFileData,omitempty"`
	CardholderVerificationMethod string          `json:"cardholderVerificationMethod,omitempty"`
	EcommerceData                *ECommerceData  `json:"ecommerceData,omitempty"`
}

// CardOnFileData marks a card-on-file payment: the initial one, which
// stores the card with the scheme, or a subsequent one, which references
// the initial payment's schemeTransactionId.
type CardOnFileData struct {
	IsInitialTransaction     *bool                     `json:"isInitialTransaction,omitempty"`
	InitialCardOnFileData    *InitialCardOnFileData    `json:"initialCardOnFileData,omitempty"`
	SubsequentCardOnFileData *SubsequentCardOnFileData `json:"subsequentCardOnFileData,omitempty"`
}

// InitialCardOnFileData is InitialCardOnFileData (futureUse and
// transactionType: values not published; bokuctl sends neither).
type InitialCardOnFileData struct {
	FutureUse       string `json:"futureUse,omitempty"`
	TransactionType string `json:"transactionType,omitempty"`
}

// SubsequentCardOnFileData is SubsequentCardOnFileData.
type SubsequentCardOnFileData struct {
	CardOnFileInitiator        string `json:"cardOnFileInitiator,omitempty"`
	InitialSchemeTransactionID string `json:"initialSchemeTransactionId,omitempty"`
	TransactionType            string `json:"transactionType,omitempty"`
}

// ECommerceData is ECommerceData: 3-D Secure results and address data.
type ECommerceData struct {
	AddressVerificationData *AddressVerificationData `json:"addressVerificationData,omitempty"`
	ScaExemptionRequest     string                   `json:"scaExemptionRequest,omitempty"`
	ThreeDSecure            *ThreeDSecure            `json:"threeDSecure,omitempty"`
}

// AddressVerificationData is AddressVerificationData.
type AddressVerificationData struct {
	CardholderAddress    string `json:"cardholderAddress,omitempty"`
	CardholderPostalCode string `json:"cardholderPostalCode,omitempty"`
}

// ThreeDSecure is the result of a 3-D Secure authentication done before
// the payment.
type ThreeDSecure struct {
	AuthenticationValue          string `json:"authenticationValue,omitempty"`
	DirectoryServerTransactionID string `json:"directoryServerTransactionId,omitempty"`
	ECI                          string `json:"eci,omitempty"`
	ThreeDSecureType             string `json:"threeDSecureType,omitempty"`
	Version                      string `json:"version,omitempty"`
}

// ECommerceDataForResponse is the checks' results in a response.
type ECommerceDataForResponse struct {
	AddressVerificationResult string `json:"addressVerificationResult,omitempty"`
	CardSecurityCodeResult    string `json:"cardSecurityCodeResult,omitempty"`
}

// PaymentReferences are the merchant's references.
type PaymentReferences struct {
	DynamicDescriptor        string `json:"dynamicDescriptor,omitempty"`
	MerchantReference        string `json:"merchantReference,omitempty"`
	RetrievalReferenceNumber string `json:"retrievalReferenceNumber,omitempty"`
	SchemeTransactionID      string `json:"schemeTransactionId,omitempty"`
	PaymentAccountReference  string `json:"paymentAccountReference,omitempty"`
}

// ResponseCodes are the outcome fields every action response carries.
type ResponseCodes struct {
	Responder               string `json:"responder,omitempty"`
	ResponseCode            string `json:"responseCode,omitempty"`
	ResponseCodeCategory    string `json:"responseCodeCategory,omitempty"`
	ResponseCodeDescription string `json:"responseCodeDescription,omitempty"`
}

// Approved reports whether the category is APPROVED or PARTIALLY_APPROVED.
func (r ResponseCodes) Approved() bool {
	return r.ResponseCodeCategory == "APPROVED" || r.ResponseCodeCategory == "PARTIALLY_APPROVED"
}

// AdditionalResponseData is the newer SDKs' AdditionalResponseData
// (go@2.0.0: on ApiPaymentResponse, ApiActionResponse, ApiRefundResponse
// and ApiBalanceInquiryResponse): the scheme's merchant advice code.
type AdditionalResponseData struct {
	MerchantAdviceCode            string `json:"merchantAdviceCode,omitempty"`
	MerchantAdviceCodeDescription string `json:"merchantAdviceCodeDescription,omitempty"`
}

// PaymentRequest is ApiPaymentRequest.
type PaymentRequest struct {
	Amount            AmountData      `json:"amount"`
	AuthorizationType string          `json:"authorizationType,omitempty"`
	CardPaymentData   CardPaymentData `json:"cardPaymentData"`
	// DynamicCurrencyConversion is the DCC the cardholder accepted.
	DynamicCurrencyConversion *DccData           `json:"dynamicCurrencyConversion,omitempty"`
	OperationID               string             `json:"operationId"`
	References                *PaymentReferences `json:"references,omitempty"`
	TransactionTimestamp      string             `json:"transactionTimestamp"`
}

// CardResponseData is the card part of a response.
type CardResponseData struct {
	Brand         string                    `json:"brand,omitempty"`
	EcommerceData *ECommerceDataForResponse `json:"ecommerceData,omitempty"`
}

// PaymentResponse is ApiPaymentResponse.
type PaymentResponse struct {
	ResponseCodes
	AdditionalResponseData   *AdditionalResponseData `json:"additionalResponseData,omitempty"`
	CardPaymentData          *CardResponseData       `json:"cardPaymentData,omitempty"`
	InitialAuthorizationCode string                  `json:"initialAuthorizationCode,omitempty"`
	OperationID              string                  `json:"operationId,omitempty"`
	PaymentID                string                  `json:"paymentId,omitempty"`
	References               *PaymentReferences      `json:"references,omitempty"`
	// RetryAfter is SDK 0.1.0's ISO 8601 duration (PT2H; PT0 retry now),
	// dropped by the newer models.
	RetryAfter            string      `json:"retryAfter,omitempty"`
	Status                string      `json:"status,omitempty"`
	StatusTimestamp       string      `json:"statusTimestamp,omitempty"`
	TotalAuthorizedAmount *AmountData `json:"totalAuthorizedAmount,omitempty"`
}

// SubOperation is one operation on a payment or refund.
type SubOperation struct {
	ResponseCodes
	Amount             *AmountData `json:"amount,omitempty"`
	AuthorizationCode  string      `json:"authorizationCode,omitempty"`
	OperationID        string      `json:"operationId,omitempty"`
	OperationTimestamp string      `json:"operationTimestamp,omitempty"`
	OperationType      string      `json:"operationType,omitempty"`
	RetryAfter         string      `json:"retryAfter,omitempty"`
}

// PaymentResource is ApiPaymentResource (GET payment).
type PaymentResource struct {
	CardPaymentData          *CardResponseData  `json:"cardPaymentData,omitempty"`
	InitialAuthorizationCode string             `json:"initialAuthorizationCode,omitempty"`
	Operations               []SubOperation     `json:"operations,omitempty"`
	PaymentID                string             `json:"paymentId,omitempty"`
	References               *PaymentReferences `json:"references,omitempty"`
	RetryAfter               string             `json:"retryAfter,omitempty"`
	Status                   string             `json:"status,omitempty"`
	StatusTimestamp          string             `json:"statusTimestamp,omitempty"`
	TotalAuthorizedAmount    *AmountData        `json:"totalAuthorizedAmount,omitempty"`
}

// CaptureRequest is ApiCaptureRequest; a nil Amount captures everything.
type CaptureRequest struct {
	Amount                *AmountData `json:"amount,omitempty"`
	CaptureSequenceNumber *int32      `json:"captureSequenceNumber,omitempty"`
	// DynamicCurrencyConversion is "mandatory for DCC transactions" (the
	// SDKs' docstring): the payment's DCC, for this operation's amount.
	DynamicCurrencyConversion *DccData `json:"dynamicCurrencyConversion,omitempty"`
	IsFinal                   *bool    `json:"isFinal,omitempty"`
	OperationID               string   `json:"operationId"`
	TransactionTimestamp      string   `json:"transactionTimestamp"`
}

// PaymentSummary is ApiPaymentSummaryForResponse.
type PaymentSummary struct {
	PaymentID       string `json:"paymentId,omitempty"`
	RetryAfter      string `json:"retryAfter,omitempty"`
	Status          string `json:"status,omitempty"`
	StatusTimestamp string `json:"statusTimestamp,omitempty"`
}

// ActionResponse is ApiActionResponse (capture).
type ActionResponse struct {
	ResponseCodes
	AdditionalResponseData *AdditionalResponseData `json:"additionalResponseData,omitempty"`
	OperationID            string                  `json:"operationId,omitempty"`
	Payment                *PaymentSummary         `json:"payment,omitempty"`
}

// PaymentReversalRequest is ApiPaymentReversalRequest; a nil amount
// reverses everything.
type PaymentReversalRequest struct {
	// DynamicCurrencyConversion is "mandatory for DCC transactions" (the
	// SDKs' docstring): the payment's DCC, for this operation's amount.
	DynamicCurrencyConversion *DccData    `json:"dynamicCurrencyConversion,omitempty"`
	OperationID               string      `json:"operationId"`
	ReversalAmount            *AmountData `json:"reversalAmount,omitempty"`
	TransactionTimestamp      string      `json:"transactionTimestamp"`
}

// ReversalResponse is ApiReversalResponse.
type ReversalResponse struct {
	ResponseCodes
	OperationID           string          `json:"operationId,omitempty"`
	Payment               *PaymentSummary `json:"payment,omitempty"`
	TotalAuthorizedAmount *AmountData     `json:"totalAuthorizedAmount,omitempty"`
}

// IncrementRequest is ApiIncrementRequest.
type IncrementRequest struct {
	// DynamicCurrencyConversion is "mandatory for DCC transactions" (the
	// SDKs' docstring): the payment's DCC, for this operation's amount.
	DynamicCurrencyConversion *DccData   `json:"dynamicCurrencyConversion,omitempty"`
	IncrementAmount           AmountData `json:"incrementAmount"`
	OperationID               string     `json:"operationId"`
	TransactionTimestamp      string     `json:"transactionTimestamp"`
}

// IncrementResponse is ApiIncrementResponse.
type IncrementResponse struct {
	ResponseCodes
	AuthorizationCode     string          `json:"authorizationCode,omitempty"`
	OperationID           string          `json:"operationId,omitempty"`
	Payment               *PaymentSummary `json:"payment,omitempty"`
	TotalAuthorizedAmount *AmountData     `json:"totalAuthorizedAmount,omitempty"`
}

// PaymentRefundRequest is ApiPaymentRefundRequest; a nil amount refunds
// everything captured.
type PaymentRefundRequest struct {
	Amount             *AmountData `json:"amount,omitempty"`
	CaptureImmediately *bool       `json:"captureImmediately,omitempty"`
	// DynamicCurrencyConversion is mandatory for a DCC payment's refund:
	// a REFUND quote's rate and converted amount.
	DynamicCurrencyConversion *DccData           `json:"dynamicCurrencyConversion,omitempty"`
	OperationID               string             `json:"operationId"`
	References                *PaymentReferences `json:"references,omitempty"`
	TransactionTimestamp      string             `json:"transactionTimestamp"`
}

// RefundSummary is ApiRefundSummaryForResponse.
type RefundSummary struct {
	RefundID        string `json:"refundId,omitempty"`
	RetryAfter      string `json:"retryAfter,omitempty"`
	Status          string `json:"status,omitempty"`
	StatusTimestamp string `json:"statusTimestamp,omitempty"`
}

// ActionResponseForRefund is ApiActionResponseForRefund.
type ActionResponseForRefund struct {
	ResponseCodes
	OperationID string         `json:"operationId,omitempty"`
	Refund      *RefundSummary `json:"refund,omitempty"`
}

// RefundRequest is ApiRefundRequest (standalone refund).
type RefundRequest struct {
	Amount               AmountData         `json:"amount"`
	CardPaymentData      CardPaymentData    `json:"cardPaymentData"`
	OperationID          string             `json:"operationId"`
	References           *PaymentReferences `json:"references,omitempty"`
	TransactionTimestamp string             `json:"transactionTimestamp"`
}

// RefundResponse is ApiRefundResponse.
type RefundResponse struct {
	ResponseCodes
	AdditionalResponseData *AdditionalResponseData `json:"additionalResponseData,omitempty"`
	RetryAfter             string                  `json:"retryAfter,omitempty"`
	AuthorizationCode      string                  `json:"authorizationCode,omitempty"`
	CardPaymentData        *CardResponseData       `json:"cardPaymentData,omitempty"`
	OperationID            string                  `json:"operationId,omitempty"`
	ReferencedPaymentID    string                  `json:"referencedPaymentId,omitempty"`
	References             *PaymentReferences      `json:"references,omitempty"`
	RefundID               string                  `json:"refundId,omitempty"`
	Status                 string                  `json:"status,omitempty"`
	StatusTimestamp        string                  `json:"statusTimestamp,omitempty"`
	TotalAuthorizedAmount  *AmountData             `json:"totalAuthorizedAmount,omitempty"`
}

// RefundResource is ApiRefundResource (GET refund).
type RefundResource struct {
	CardPaymentData       *CardResponseData  `json:"cardPaymentData,omitempty"`
	Operations            []SubOperation     `json:"operations,omitempty"`
	ReferencedPaymentID   string             `json:"referencedPaymentId,omitempty"`
	References            *PaymentReferences `json:"references,omitempty"`
	RefundID              string             `json:"refundId,omitempty"`
	RetryAfter            string             `json:"retryAfter,omitempty"`
	Status                string             `json:"status,omitempty"`
	StatusTimestamp       string             `json:"statusTimestamp,omitempty"`
	TotalAuthorizedAmount *AmountData        `json:"totalAuthorizedAmount,omitempty"`
}

// OperationRequest is the body of calls that carry only the operation
// (capture refund, reverse refund authorization).
type OperationRequest struct {
	OperationID          string `json:"operationId"`
	TransactionTimestamp string `json:"transactionTimestamp"`
}

// AccountVerificationRequest is ApiAccountVerificationRequest.
type AccountVerificationRequest struct {
	CardPaymentData      CardPaymentData    `json:"cardPaymentData"`
	OperationID          string             `json:"operationId"`
	References           *PaymentReferences `json:"references,omitempty"`
	TransactionTimestamp string             `json:"transactionTimestamp"`
}

// AccountVerificationResponse is ApiAccountVerificationResponse.
type AccountVerificationResponse struct {
	ResponseCodes
	AuthorizationCode string             `json:"authorizationCode,omitempty"`
	CardPaymentData   *CardResponseData  `json:"cardPaymentData,omitempty"`
	OperationID       string             `json:"operationId,omitempty"`
	References        *PaymentReferences `json:"references,omitempty"`
}

// TechnicalReversalRequest is ApiTechnicalReversalRequest; the operation
// to undo is in the path.
type TechnicalReversalRequest struct {
	OperationID          string `json:"operationId"`
	Reason               string `json:"reason"`
	TransactionTimestamp string `json:"transactionTimestamp"`
}

// TechnicalReversalResponse is ApiTechnicalReversalResponse.
type TechnicalReversalResponse struct {
	ResponseCodes
	OperationID string `json:"operationId,omitempty"`
}

// ResponseCodeUnknownTransaction is Worldline's answer to a technical
// reversal of an operation it does not know: "Message stored, not
// forwarded: referencing unknown trx", category APPROVED.
const ResponseCodeUnknownTransaction = "7204"

// UnknownOperation reports the 7204 answer: Worldline never received the
// operation the reversal references, so nothing was charged and nothing
// was reversed. The category is APPROVED all the same.
func (r *TechnicalReversalResponse) UnknownOperation() bool {
	return r != nil && r.ResponseCode == ResponseCodeUnknownTransaction
}

// Reversed reports an approved technical reversal of an operation
// Worldline knew: the operation was undone.
func (r *TechnicalReversalResponse) Reversed() bool {
	return r != nil && r.Approved() && !r.UnknownOperation()
}

// BalanceInquiryRequest is ApiBalanceInquiryRequest.
type BalanceInquiryRequest struct {
	CardPaymentData      CardPaymentData `json:"cardPaymentData"`
	OperationID          string          `json:"operationId"`
	TransactionTimestamp string          `json:"transactionTimestamp"`
}

// BalanceInquiryResponse is ApiBalanceInquiryResponse.
type BalanceInquiryResponse struct {
	ResponseCodes
	AuthorizationCode string      `json:"authorizationCode,omitempty"`
	AvailableAmount   *AmountData `json:"availableAmount,omitempty"`
	OperationID       string      `json:"operationId,omitempty"`
}

// CardDataForDCC identifies the card for a DCC quote without the number.
type CardDataForDCC struct {
	Bin             string `json:"bin,omitempty"`
	Brand           string `json:"brand,omitempty"`
	CardCountryCode string `json:"cardCountryCode,omitempty"`
}

// TransactionDataForDCC is the transaction a DCC quote is for.
type TransactionDataForDCC struct {
	Amount               AmountData `json:"amount"`
	TransactionTimestamp string     `json:"transactionTimestamp"`
	TransactionType      string     `json:"transactionType"`
}

// DCCRateRequest is GetDCCRateRequest.
type DCCRateRequest struct {
	CardPaymentData *CardDataForDCC       `json:"cardPaymentData,omitempty"`
	OperationID     string                `json:"operationId"`
	RateReferenceID string                `json:"rateReferenceId,omitempty"`
	TargetCurrency  string                `json:"targetCurrency"`
	Transaction     TransactionDataForDCC `json:"transaction"`
}

// DccData is the converted amount of a payment with DCC: the amount in
// the cardholder's currency and the rate, as the DCC quote gave them. The
// rate is a JSON number kept exactly as quoted (json.Number).
type DccData struct {
	Amount           int64       `json:"amount"`
	ConversionRate   json.Number `json:"conversionRate"`
	CurrencyCode     string      `json:"currencyCode"`
	NumberOfDecimals int32       `json:"numberOfDecimals"`
}

// RateData holds the rate. Rates are JSON numbers; json.Number keeps them
// exactly as sent instead of rounding them through float64.
type RateData struct {
	ExchangeRate         json.Number `json:"exchangeRate,omitempty"`
	InvertedExchangeRate json.Number `json:"invertedExchangeRate,omitempty"`
	MarkUp               json.Number `json:"markUp,omitempty"`
	MarkUpBasis          string      `json:"markUpBasis,omitempty"`
	QuotationDateTime    string      `json:"quotationDateTime,omitempty"`
}

// DCCProposal is the offered conversion.
type DCCProposal struct {
	OriginalAmount  *AmountData `json:"originalAmount,omitempty"`
	Rate            *RateData   `json:"rate,omitempty"`
	RateReferenceID string      `json:"rateReferenceId,omitempty"`
	ResultingAmount *AmountData `json:"resultingAmount,omitempty"`
}

// DCCRateResponse is GetDccRateResponse.
type DCCRateResponse struct {
	DisclaimerDisplay string       `json:"disclaimerDisplay,omitempty"`
	DisclaimerReceipt string       `json:"disclaimerReceipt,omitempty"`
	Proposal          *DCCProposal `json:"proposal,omitempty"`
	Result            string       `json:"result,omitempty"`
}

// ErrorResponse is ApiPaymentErrorResponse, the body of every error.
type ErrorResponse struct {
	Type     string `json:"type,omitempty"`
	Title    string `json:"title,omitempty"`
	Status   int    `json:"status,omitempty"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// RequestID is Worldline's id of the request this error answers, for
	// its support.
	RequestID string `json:"requestId,omitempty"`
}
