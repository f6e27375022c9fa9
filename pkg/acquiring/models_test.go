package acquiring

import (
	"encoding/json"
	"strings"
	"testing"
)

// The request carries card-on-file, 3-D Secure and DCC under the names
// and nesting of the SDK's 0.1.0 models (CardPaymentData.cardOnFileData,
// .ecommerceData.threeDSecure, ApiPaymentRequest.dynamicCurrencyConversion);
// the JSON below is written by hand from those model definitions.
func TestPaymentRequestFollowsTheModels(t *testing.T) {
	initial := false
	req := PaymentRequest{
		Amount: AmountData{Amount: 1000, CurrencyCode: "EUR", NumberOfDecimals: 2},
		CardPaymentData: CardPaymentData{
			CardData:                     &PlainCardData{CardNumber: "4176669999000104", ExpiryDate: "122031"},
			CardEntryMode:                "ECOMMERCE",
			CardOnFileData:               &CardOnFileData{IsInitialTransaction: &initial, SubsequentCardOnFileData: &SubsequentCardOnFileData{CardOnFileInitiator: "MERCHANT", InitialSchemeTransactionID: "123456789012345"}},
			CardholderVerificationMethod: "THREE_DS",
			EcommerceData:                &ECommerceData{ThreeDSecure: &ThreeDSecure{AuthenticationValue: "AAAB", DirectoryServerTransactionID: "ds-1", ECI: "05", ThreeDSecureType: "THREE_DS", Version: "2.2.0"}},
		},
		DynamicCurrencyConversion: &DccData{Amount: 1091, ConversionRate: json.Number("1.0910"), CurrencyCode: "USD", NumberOfDecimals: 2},
		OperationID:               "op-1",
		TransactionTimestamp:      "2026-11-23T10:00:00.000Z",
	}
	got, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"amount":{"amount":1000,"currencyCode":"EUR","numberOfDecimals":2},` +
		`"cardPaymentData":{"cardData":{"cardNumber":"4176669999000104","expiryDate":"122031"},"cardEntryMode":"ECOMMERCE",` +
		`"cardOnFileData":{"isInitialTransaction":false,"subsequentCardOnFileData":{"cardOnFileInitiator":"MERCHANT","initialSchemeTransactionId":"123456789012345"}},` +
		`"cardholderVerificationMethod":"THREE_DS",` +
		`"ecommerceData":{"threeDSecure":{"authenticationValue":"AAAB","directoryServerTransactionId":"ds-1","eci":"05","threeDSecureType":"THREE_DS","version":"2.2.0"}}},` +
		`"dynamicCurrencyConversion":{"amount":1091,"conversionRate":1.0910,"currencyCode":"USD","numberOfDecimals":2},` +
		`"operationId":"op-1","transactionTimestamp":"2026-11-23T10:00:00.000Z"}`
	if string(got) != want {
		t.Errorf("request\n got %s\nwant %s", got, want)
	}
}

// A response written from ApiPaymentResponse, ApiReferencesForResponses,
// CardPaymentDataForResponse and ECommerceDataForResponse decodes into
// the fields bokuctl shows.
func TestPaymentResponseFollowsTheModels(t *testing.T) {
	body := `{"paymentId":"pay:ch:etu:x","status":"AUTHORIZED","initialAuthorizationCode":"123456",
		"responseCode":"0","responseCodeCategory":"APPROVED","responseCodeDescription":"ok","responder":"WORLDLINE",
		"references":{"schemeTransactionId":"123456789012345","retrievalReferenceNumber":"000000000001","paymentAccountReference":"V0010013818234567890123456789"},
		"cardPaymentData":{"brand":"VISA","ecommerceData":{"addressVerificationResult":"MATCH","cardSecurityCodeResult":"MATCH"}},
		"totalAuthorizedAmount":{"amount":1000,"currencyCode":"EUR","numberOfDecimals":2}}`
	var resp PaymentResponse
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.References == nil || resp.References.SchemeTransactionID != "123456789012345" || resp.References.RetrievalReferenceNumber != "000000000001" ||
		resp.References.PaymentAccountReference == "" {
		t.Errorf("references: %+v", resp.References)
	}
	if resp.CardPaymentData == nil || resp.CardPaymentData.Brand != "VISA" || resp.CardPaymentData.EcommerceData == nil ||
		resp.CardPaymentData.EcommerceData.CardSecurityCodeResult != "MATCH" || resp.CardPaymentData.EcommerceData.AddressVerificationResult != "MATCH" {
		t.Errorf("card data: %+v", resp.CardPaymentData)
	}
	var op SubOperation
	if err := json.Unmarshal([]byte(`{"operationId":"o","operationType":"AUTHORIZATION","authorizationCode":"654321"}`), &op); err != nil || op.AuthorizationCode != "654321" {
		t.Errorf("operation: %+v %v", op, err)
	}
}

// --debug masks the 3-D Secure cryptogram as the SDK's obfuscation does.
func TestMaskBodyHidesTheAuthenticationValue(t *testing.T) {
	masked := string(MaskBody([]byte(`{"cardPaymentData":{"ecommerceData":{"threeDSecure":{"authenticationValue":"AAABBEg0VhI0VniQEjRWAAAAAAA="}}}}`)))
	if strings.Contains(masked, "VhI0VniQEjRW") {
		t.Fatalf("the cryptogram is in the debug log: %s", masked)
	}
}
