package worldline

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// sdkScopes is the fixed scope string SDK 0.1.0 sends, spaces unencoded.
const sdkScopes = "processing_payment processing_refund processing_credittransfer processing_accountverification processing_operation_reverse processing_dcc_rate services_ping"

// setupAll is a fake whose client has every scope, with a token for the
// SDK 0.1.0 scope set plus processing_balanceinquiry.
func setupAll(t *testing.T) (base, token string) {
	t.Helper()
	var scopes []string
	for sc := range knownScopes {
		scopes = append(scopes, sc)
	}
	server := httptest.NewServer(New("1", "2", Client{ID: "c", Secret: "s", Scopes: scopes}))
	t.Cleanup(server.Close)
	status, body := form(t, server.URL, "grant_type=client_credentials&client_id=c&client_secret=s&scope="+sdkScopes+" processing_balanceinquiry")
	if status != 200 {
		t.Fatalf("token: %d %s", status, body)
	}
	return server.URL + "/", decode(t, body)["access_token"].(string)
}

func form(t *testing.T, base, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(strings.TrimSuffix(base, "/")+"/connect/token", "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func decode(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber() // numbers as written: amounts never become float64
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("not JSON: %s", body)
	}
	return m
}

// path follows dotted keys (and numeric indexes) through decoded JSON.
func path(v any, keys string) any {
	for _, k := range strings.Split(keys, ".") {
		switch c := v.(type) {
		case map[string]any:
			v = c[k]
		case []any:
			i := int(k[0] - '0')
			if i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("X-WL-ServerMetaInfo", "eyJpbnRlZ3JhdG9yIjoidCJ9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// fullPayment is an ApiPaymentRequest with every 0.1.0 field but
// dynamicCurrencyConversion and subsequentCardOnFileData.
const fullPayment = `{
 "amount": {"amount": 10000, "currencyCode": "EUR", "numberOfDecimals": 2},
 "authorizationType": "PRE_AUTHORIZATION",
 "cardPaymentData": {
  "allowPartialApproval": false, "brand": "VISA", "captureImmediately": false,
  "cardData": {"cardNumber": "4176669999000104", "cardSecurityCode": "012", "expiryDate": "122031"},
  "cardEntryMode": "ECOMMERCE",
  "cardOnFileData": {"isInitialTransaction": true, "initialCardOnFileData": {"futureUse": "CARDHOLDER_INITIATED", "transactionType": "UNSCHEDULED"}},
  "cardholderVerificationMethod": "THREE_DS",
  "ecommerceData": {
   "addressVerificationData": {"cardholderAddress": "1 Rue de Rivoli", "cardholderPostalCode": "75001"},
   "scaExemptionRequest": "LOW_VALUE_PAYMENT",
   "threeDSecure": {"authenticationValue": "AAABBEg0VhI0VniQEjRWAAAAAAA=", "directoryServerTransactionId": "f25084f0-5b16-4c0a-ae5d-b24808a95e4b", "eci": "05", "threeDSecureType": "THREE_DS", "version": "2.2.0"}
  },
  "networkTokenData": {"cryptogram": "AgAAAAAABk4DWZ4C28yUQAAAAAA=", "eci": "05"},
  "pointOfSaleData": {"terminalId": "12345678"},
  "walletId": "103"
 },
 "merchant": {"address": "1 Main St", "city": "Brussels", "countryCode": "BE", "merchantCategoryCode": 5411, "name": "Shop", "postalCode": "1000", "stateCode": "BRU"},
 "operationId": "OP-FULL",
 "references": {"dynamicDescriptor": "SHOP*ORDER1", "merchantReference": "order-1", "retrievalReferenceNumber": "ABC123456789"},
 "transactionTimestamp": "2026-11-22T10:00:00.000Z"
}`

func TestPaymentAcceptsEveryModelFieldAndAnswersTheResponseModel(t *testing.T) {
	base, token := setupAll(t)
	status, body := post(t, base+"processing/v1/1/2/payments", token, fullPayment, nil)
	if status != 201 {
		t.Fatalf("full ApiPaymentRequest: %d %s", status, body)
	}
	resp := decode(t, body)
	id := resp["paymentId"].(string)
	for key, want := range map[string]any{
		"status":                                                  "AUTHORIZED",
		"references.schemeTransactionId":                          schemeTransactionID(id),
		"references.retrievalReferenceNumber":                     "ABC123456789",
		"references.paymentAccountReference":                      accountReference("4176669999000104"),
		"cardPaymentData.brand":                                   "VISA",
		"cardPaymentData.ecommerceData.cardSecurityCodeResult":    "MATCH",
		"cardPaymentData.ecommerceData.addressVerificationResult": "MATCH",
		"cardPaymentData.pointOfSaleData.terminalId":              "12345678",
		"initialAuthorizationCode":                                authCodeFor(id),
	} {
		if got := path(resp, key); got != want {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	if !regexp.MustCompile(`^[0-9]{15}$`).MatchString(schemeTransactionID(id)) || len(accountReference("4176669999000104")) != 29 {
		t.Errorf("reference formats: %s %s", schemeTransactionID(id), accountReference("4176669999000104"))
	}
	// GET (ApiPaymentResource): the same references, and the AUTHORIZATION
	// SubOperation carries the authorizationCode.
	status, body = get(t, base+"processing/v1/1/2/payments/"+id+"?returnOperations=true", token)
	res := decode(t, body)
	if status != 200 || path(res, "references.schemeTransactionId") != schemeTransactionID(id) ||
		path(res, "operations.0.authorizationCode") != authCodeFor(id) || path(res, "cardPaymentData.pointOfSaleData.terminalId") != "12345678" {
		t.Errorf("GET payment: %d %s", status, body)
	}
	// An increment's code is on the response and on its INCREMENT operation.
	status, body = post(t, base+"processing/v1/1/2/payments/"+id+"/increments", token,
		`{"operationId":"INC","transactionTimestamp":"2026-11-22T10:01:00Z","incrementAmount":{"amount":500,"currencyCode":"EUR","numberOfDecimals":2}}`, nil)
	inc := decode(t, body)
	if status != 201 || inc["authorizationCode"] == nil || path(inc, "payment.references.schemeTransactionId") != schemeTransactionID(id) {
		t.Fatalf("increment: %d %s", status, body)
	}
	_, body = get(t, base+"processing/v1/1/2/payments/"+id+"?returnOperations=true", token)
	if got := path(decode(t, body), "operations.1.authorizationCode"); got != inc["authorizationCode"] {
		t.Errorf("INCREMENT operation's authorizationCode = %v, want %v", got, inc["authorizationCode"])
	}
}

func TestModelValidation(t *testing.T) {
	base, token := setupAll(t)
	swap := func(old, new string) string {
		if !strings.Contains(fullPayment, old) {
			t.Fatalf("fixture lacks %s", old)
		}
		return strings.Replace(fullPayment, old, new, 1)
	}
	for _, c := range []struct{ name, body, text string }{
		{"unknown nested field", swap(`"eci": "05", "threeDSecureType"`, `"eci": "05", "colour": "red", "threeDSecureType"`), `unknown field \"colour\"`},
		{"field of another model (rateReferenceId is not DccData's)", swap(`"operationId": "OP-FULL"`, `"operationId": "OP-FULL", "dynamicCurrencyConversion": {"rateReferenceId": "r"}`), `unknown field \"rateReferenceId\"`},
		{"wrong type: merchantCategoryCode is int32", swap(`"merchantCategoryCode": 5411`, `"merchantCategoryCode": "5411"`), "merchantCategoryCode"},
		{"wrong type: isInitialTransaction is bool", swap(`"isInitialTransaction": true`, `"isInitialTransaction": "true"`), "isInitialTransaction"},
		{"wrong type: amount is int64", swap(`"amount": 10000`, `"amount": 100.5`), "amount"},
		{"wrong type: walletId is a string", swap(`"walletId": "103"`, `"walletId": 103`), "walletId"},
		{"cardholderVerificationMethod enum", swap(`"cardholderVerificationMethod": "THREE_DS"`, `"cardholderVerificationMethod": "PIN"`), `cardholderVerificationMethod \"PIN\" is not one of`},
		{"scaExemptionRequest enum", swap(`"LOW_VALUE_PAYMENT"`, `"LOW_VALUE"`), "scaExemptionRequest"},
		{"authorizationType enum", swap(`"PRE_AUTHORIZATION"`, `"PREAUTH"`), "authorizationType"},
		{"retrievalReferenceNumber length", swap(`"ABC123456789"`, `"ABC1234567890"`), "retrievalReferenceNumber"},
		{"walletId format", swap(`"walletId": "103"`, `"walletId": "ApplePay"`), "walletId"},
		{"terminalId length", swap(`"12345678"`, `"123456789"`), "terminalId"},
		{"merchant countryCode", swap(`"countryCode": "BE"`, `"countryCode": "Belgium"`), "countryCode"},
		{"3DS without authenticationValue", swap(`"authenticationValue": "AAABBEg0VhI0VniQEjRWAAAAAAA=", `, ``), "authenticationValue is required"},
		{"3DS eci", swap(`"eci": "05", "threeDSecureType"`, `"eci": "5", "threeDSecureType"`), "threeDSecure.eci"},
		{"networkTokenData without cryptogram", swap(`"cryptogram": "AgAAAAAABk4DWZ4C28yUQAAAAAA=", `, ``), "cryptogram"},
		{"card on file without isInitialTransaction", swap(`"isInitialTransaction": true, `, ``), "isInitialTransaction is required"},
		{"subsequent card on file without its id", swap(`"isInitialTransaction": true, "initialCardOnFileData": {"futureUse": "CARDHOLDER_INITIATED", "transactionType": "UNSCHEDULED"}`, `"isInitialTransaction": false, "subsequentCardOnFileData": {"cardOnFileInitiator": "MERCHANT"}`), "initialSchemeTransactionId is required"},
		{"DccData incomplete", swap(`"operationId": "OP-FULL"`, `"operationId": "OP-FULL", "dynamicCurrencyConversion": {"amount": 10910, "currencyCode": "USD", "numberOfDecimals": 2}`), "needs amount, conversionRate"},
		{"DccData wrong type", swap(`"operationId": "OP-FULL"`, `"operationId": "OP-FULL", "dynamicCurrencyConversion": {"amount": 10910, "conversionRate": "1.091", "currencyCode": "USD", "numberOfDecimals": 2}`), "conversionRate"},
	} {
		status, body := post(t, base+"processing/v1/1/2/payments", token, c.body, nil)
		if status != 400 || !strings.Contains(body, c.text) {
			t.Errorf("%s: %d %s", c.name, status, body)
			continue
		}
		e := decode(t, body)
		if e["type"] == nil || e["title"] != "Bad Request" || e["status"] != json.Number("400") || e["instance"] != "/processing/v1/1/2/payments" {
			t.Errorf("%s: not Worldline's error shape: %s", c.name, body)
		}
	}
	// The variants are their own models: a standalone refund's
	// CardPaymentDataForRefund has no cardOnFileData, an account
	// verification's ECommerceDataForAccountVerification no
	// scaExemptionRequest, a capture's CaptureAmountBreakdownData no
	// cashbackAmount.
	card := `"cardData":{"cardNumber":"4176669999000104","expiryDate":"122031"}`
	for _, c := range []struct{ url, body, field string }{
		{"refunds", `{"operationId":"R1","transactionTimestamp":"2026-11-22T10:00:00Z","amount":{"amount":100,"currencyCode":"EUR","numberOfDecimals":2},"cardPaymentData":{` + card + `,"cardOnFileData":{"isInitialTransaction":true}}}`, "cardOnFileData"},
		{"account-verifications", `{"operationId":"A1","transactionTimestamp":"2026-11-22T10:00:00Z","cardPaymentData":{` + card + `,"ecommerceData":{"scaExemptionRequest":"LOW_VALUE_PAYMENT"}}}`, "scaExemptionRequest"},
		{"payments/x/captures", `{"operationId":"C1","transactionTimestamp":"2026-11-22T10:00:00Z","captureAmountBreakdownData":{"cashbackAmount":{}}}`, "cashbackAmount"},
	} {
		if status, body := post(t, base+"processing/v1/1/2/"+c.url, token, c.body, nil); status != 400 || !strings.Contains(body, `unknown field \"`+c.field) {
			t.Errorf("%s with %s: %d %s", c.url, c.field, status, body)
		}
	}
}

func TestFailedThreeDSecureIsDeclined(t *testing.T) {
	base, token := setupAll(t)
	for _, eci := range []string{"07", "00"} {
		body := strings.Replace(strings.Replace(fullPayment, `"eci": "05", "threeDSecureType"`, `"eci": "`+eci+`", "threeDSecureType"`, 1), "OP-FULL", "OP-"+eci, 1)
		status, text := post(t, base+"processing/v1/1/2/payments", token, body, nil)
		resp := decode(t, text)
		if status != 201 || resp["status"] != "NOT_AUTHORIZED" || resp["responseCodeCategory"] != "DECLINED" || resp["responseCode"] != "05" || resp["initialAuthorizationCode"] != nil {
			t.Errorf("eci %s: %d %s", eci, status, text)
		}
	}
}

func TestCardOnFileNeedsAnInitialSchemeTransactionId(t *testing.T) {
	base, token := setupAll(t)
	status, body := post(t, base+"processing/v1/1/2/payments", token, fullPayment, nil)
	if status != 201 {
		t.Fatalf("initial: %d %s", status, body)
	}
	stid := path(decode(t, body), "references.schemeTransactionId").(string)
	subsequent := func(op, card, id string) map[string]any {
		t.Helper()
		status, body := post(t, base+"processing/v1/1/2/payments", token, `{"operationId":"`+op+`","transactionTimestamp":"2026-11-22T11:00:00Z",
 "amount":{"amount":2500,"currencyCode":"EUR","numberOfDecimals":2},
 "cardPaymentData":{"cardData":{"cardNumber":"`+card+`","expiryDate":"122031","cardSecurityCode":"123"},"cardEntryMode":"ECOMMERCE",
  "cardOnFileData":{"isInitialTransaction":false,"subsequentCardOnFileData":{"cardOnFileInitiator":"MERCHANT","initialSchemeTransactionId":"`+id+`","transactionType":"UNSCHEDULED"}}}}`, nil)
		if status != 201 {
			t.Fatalf("%s: %d %s", op, status, body)
		}
		return decode(t, body)
	}
	if r := subsequent("S1", "4176669999000104", stid); r["status"] != "AUTHORIZED" {
		t.Errorf("subsequent with the initial's schemeTransactionId: %v", r)
	}
	if r := subsequent("S2", "4176669999000104", "999999999999999"); r["status"] != "NOT_AUTHORIZED" || r["responseCode"] != "12" {
		t.Errorf("unknown initialSchemeTransactionId: %v", r)
	}
	if r := subsequent("S3", "4111111111111111", stid); r["status"] != "NOT_AUTHORIZED" {
		t.Errorf("another card's schemeTransactionId: %v", r)
	}
	// A subsequent payment's own schemeTransactionId is not an initial one.
	s1 := subsequent("S1", "4176669999000104", stid)
	if r := subsequent("S4", "4176669999000104", path(s1, "references.schemeTransactionId").(string)); r["status"] != "NOT_AUTHORIZED" {
		t.Errorf("a subsequent payment's schemeTransactionId: %v", r)
	}
	// An approved initial account verification starts a series too.
	status, body = post(t, base+"processing/v1/1/2/account-verifications", token, `{"operationId":"AV","transactionTimestamp":"2026-11-22T10:00:00Z",
 "cardPaymentData":{"brand":"VISA","cardData":{"cardNumber":"4111111111111111","expiryDate":"122031","cardSecurityCode":"123"},"cardEntryMode":"ECOMMERCE",
  "cardOnFileData":{"isInitialTransaction":true},"cardholderVerificationMethod":"CARD_SECURITY_CODE","walletId":"216",
  "ecommerceData":{"addressVerificationData":{"cardholderPostalCode":"1000"}}},
 "merchant":{"name":"Shop"},"references":{"merchantReference":"m"}}`, nil)
	av := decode(t, body)
	if status != 201 || av["authorizationCode"] == nil || path(av, "cardPaymentData.ecommerceData.cardSecurityCodeResult") != "MATCH" ||
		path(av, "cardPaymentData.ecommerceData.addressVerificationResult") != "MATCH" || path(av, "references.paymentAccountReference") != accountReference("4111111111111111") {
		t.Fatalf("account verification: %d %s", status, body)
	}
	if r := subsequent("S5", "4111111111111111", path(av, "references.schemeTransactionId").(string)); r["status"] != "AUTHORIZED" {
		t.Errorf("subsequent to an account verification: %v", r)
	}
}

func TestDynamicCurrencyConversionMatchesAQuote(t *testing.T) {
	base, token := setupAll(t)
	status, body := post(t, base+"services/v1/1/2/dcc-rates", token, `{"operationId":"Q1","targetCurrency":"USD","rateReferenceId":"x",
 "cardPaymentData":{"bin":"41766699","brand":"VISA","cardCountryCode":"US"},"pointOfSaleData":{"terminalCountryCode":"BE","terminalId":"12345678"},
 "transaction":{"amount":{"amount":10000,"currencyCode":"EUR","numberOfDecimals":2},"transactionTimestamp":"2026-11-22T10:00:00Z","transactionType":"PAYMENT"}}`, nil)
	if status != 200 || path(decode(t, body), "proposal.resultingAmount.amount") != json.Number("10910") {
		t.Fatalf("quote: %d %s", status, body)
	}
	pay := func(op, dcc string) (int, map[string]any) {
		status, body := post(t, base+"processing/v1/1/2/payments", token, `{"operationId":"`+op+`","transactionTimestamp":"2026-11-22T10:00:00Z",
 "amount":{"amount":10000,"currencyCode":"EUR","numberOfDecimals":2},"authorizationType":"PRE_AUTHORIZATION",
 "cardPaymentData":{"cardData":{"cardNumber":"4176669999000104","expiryDate":"122031","cardSecurityCode":"012"}},
 "dynamicCurrencyConversion":`+dcc+`}`, nil)
		return status, decode(t, body)
	}
	for _, bad := range []string{
		`{"amount":10910,"conversionRate":1.2,"currencyCode":"USD","numberOfDecimals":2}`,
		`{"amount":10911,"conversionRate":1.091,"currencyCode":"USD","numberOfDecimals":2}`,
		`{"amount":8584,"conversionRate":0.8584,"currencyCode":"GBP","numberOfDecimals":2}`,
	} {
		if status, resp := pay("BAD", bad); status != 400 || !strings.Contains(resp["detail"].(string), "matches no rate quoted") {
			t.Errorf("%s: %d %v", bad, status, resp)
		}
	}
	status, resp := pay("DCC", `{"amount":10910,"conversionRate":1.091,"currencyCode":"USD","numberOfDecimals":2}`)
	if status != 201 || resp["status"] != "AUTHORIZED" {
		t.Fatalf("DCC payment: %d %v", status, resp)
	}
	id := resp["paymentId"].(string)
	// "Mandatory for DCC transactions": an increment or reversal of the
	// authorization without it is refused.
	for _, c := range []struct{ name, url, body string }{
		{"increment", "/increments", `"incrementAmount":{"amount":1000,"currencyCode":"EUR","numberOfDecimals":2}`},
		{"authorization reversal", "/authorization-reversals", `"reversalAmount":{"amount":1000,"currencyCode":"EUR","numberOfDecimals":2}`},
	} {
		status, body := post(t, base+"processing/v1/1/2/payments/"+id+c.url, token, `{"operationId":"NO-DCC-`+c.name+`","transactionTimestamp":"2026-11-22T10:05:00Z",`+c.body+`}`, nil)
		if status != 400 || !strings.Contains(body, "dynamicCurrencyConversion is mandatory") {
			t.Errorf("%s of a DCC payment without its DCC: %d %s", c.name, status, body)
		}
	}
	capture := func(op, dcc string) (int, string) {
		return post(t, base+"processing/v1/1/2/payments/"+id+"/captures", token, `{"operationId":"`+op+`","transactionTimestamp":"2026-11-22T10:05:00Z",
 "amount":{"amount":4000,"currencyCode":"EUR","numberOfDecimals":2},"captureSequenceNumber":1,"isFinal":false,"dynamicCurrencyConversion":`+dcc+`}`, nil)
	}
	if status, body := capture("C-BAD", `{"amount":4000,"conversionRate":1.091,"currencyCode":"USD","numberOfDecimals":2}`); status != 400 || !strings.Contains(body, "must be 4364") {
		t.Errorf("capture with an unconverted amount: %d %s", status, body)
	}
	if status, body := capture("C1", `{"amount":4364,"conversionRate":1.091,"currencyCode":"USD","numberOfDecimals":2}`); status != 201 {
		t.Errorf("capture converted at the payment's rate: %d %s", status, body)
	}
	// The same for a capture and a refund.
	for _, c := range []struct{ name, url, body string }{
		{"capture", "/captures", `"amount":{"amount":1000,"currencyCode":"EUR","numberOfDecimals":2}`},
		{"refund", "/refunds", `"amount":{"amount":1000,"currencyCode":"EUR","numberOfDecimals":2}`},
	} {
		status, body := post(t, base+"processing/v1/1/2/payments/"+id+c.url, token, `{"operationId":"NO-DCC-`+c.name+`","transactionTimestamp":"2026-11-22T10:05:00Z",`+c.body+`}`, nil)
		if status != 400 || !strings.Contains(body, "dynamicCurrencyConversion is mandatory") {
			t.Errorf("%s of a DCC payment without its DCC: %d %s", c.name, status, body)
		}
	}
	// A refund needs a REFUND quote: the payment's rate alone, or a
	// PAYMENT quote, is refused.
	refund := func(op, dcc string) (int, string) {
		return post(t, base+"processing/v1/1/2/payments/"+id+"/refunds", token, `{"operationId":"`+op+`","transactionTimestamp":"2026-11-22T10:06:00Z",
 "amount":{"amount":2000,"currencyCode":"EUR","numberOfDecimals":2},"captureImmediately":true,"dynamicCurrencyConversion":`+dcc+`}`, nil)
	}
	quote := func(op, kind string) {
		if status, body := post(t, base+"services/v1/1/2/dcc-rates", token, `{"operationId":"`+op+`","targetCurrency":"USD","transaction":{"amount":{"amount":2000,"currencyCode":"EUR","numberOfDecimals":2},"transactionTimestamp":"2026-11-22T10:06:00Z","transactionType":"`+kind+`"}}`, nil); status != 200 {
			t.Fatalf("quote: %d %s", status, body)
		}
	}
	const converted = `{"amount":2182,"conversionRate":1.091,"currencyCode":"USD","numberOfDecimals":2}`
	quote("Q-PAY", "PAYMENT")
	if status, body := refund("F-PAYQ", converted); status != 400 || !strings.Contains(body, "no REFUND rate") {
		t.Errorf("refund with a PAYMENT quote: %d %s", status, body)
	}
	quote("Q-REF", "REFUND")
	if status, body := refund("F-REFQ", converted); status != 201 {
		t.Errorf("refund with a REFUND quote: %d %s", status, body)
	}
}

func TestRefundAndVerificationResponses(t *testing.T) {
	base, token := setupAll(t)
	status, body := post(t, base+"processing/v1/1/2/refunds", token, `{"operationId":"SR","transactionTimestamp":"2026-11-22T10:00:00Z",
 "amount":{"amount":2100,"currencyCode":"EUR","numberOfDecimals":2},
 "cardPaymentData":{"brand":"VISA","captureImmediately":true,"cardData":{"cardNumber":"4176669999000104","expiryDate":"122031","cardSecurityCode":"012"},
  "cardEntryMode":"ECOMMERCE","networkTokenData":{"cryptogram":"AgAA","eci":"07"},"pointOfSaleData":{"terminalId":"T1"},"walletId":"103"},
 "merchant":{"countryCode":"056","merchantCategoryCode":5411},"references":{"merchantReference":"r","retrievalReferenceNumber":"000000000042"}}`, nil)
	rf := decode(t, body)
	if status != 201 || path(rf, "cardPaymentData.brand") != "VISA" || path(rf, "cardPaymentData.pointOfSaleData.terminalId") != "T1" ||
		path(rf, "references.retrievalReferenceNumber") != "000000000042" || rf["authorizationCode"] == nil {
		t.Fatalf("standalone refund (ApiRefundResponse): %d %s", status, body)
	}
	status, body = get(t, base+"processing/v1/1/2/refunds/"+rf["refundId"].(string)+"?returnOperations=true", token)
	res := decode(t, body)
	if status != 200 || res["initialAuthorizationCode"] != rf["authorizationCode"] || path(res, "references.schemeTransactionId") != path(rf, "references.schemeTransactionId") ||
		path(res, "operations.0.authorizationCode") != nil {
		t.Errorf("GET refund (ApiRefundResource; SubOperationForRefund has no authorizationCode): %d %s", status, body)
	}
	status, body = post(t, base+"processing/v1/1/2/balance-inquiries", token, `{"operationId":"BI","transactionTimestamp":"2026-11-22T10:00:00Z",
 "cardPaymentData":{"cardData":{"cardNumber":"4176669999000104","expiryDate":"122031"},"brandSelector":"MERCHANT","pointOfSaleData":{"terminalId":"T1"}}}`, nil)
	if bi := decode(t, body); status != 200 || bi["availableAmount"] == nil || path(bi, "references.schemeTransactionId") == nil {
		t.Errorf("balance inquiry: %d %s", status, body)
	}
}

func TestScopes(t *testing.T) {
	base, _ := setupAll(t)
	for _, c := range []struct {
		scope  string
		status int
		text   string
	}{
		{sdkScopes, 200, "access_token"},
		{"processing_balanceinquiry", 200, "access_token"},
		{"processing_payment disputes_manage", 400, `"error":"invalid_scope"`},
		{"processing_anything", 400, "does not exist"},
	} {
		status, body := form(t, base, "grant_type=client_credentials&client_id=c&client_secret=s&scope="+c.scope)
		if status != c.status || !strings.Contains(body, c.text) || (status == 400 && !strings.Contains(body, "error_description")) {
			t.Errorf("%s: %d %s", c.scope, status, body)
		}
	}
}

func TestRefundReversalTakesThePaymentReversalModel(t *testing.T) {
	base, token := setupAll(t)
	status, body := post(t, base+"processing/v1/1/2/refunds", token, `{"operationId":"SR2","transactionTimestamp":"2026-11-22T10:00:00Z",
 "amount":{"amount":2100,"currencyCode":"EUR","numberOfDecimals":2},"cardPaymentData":{"cardData":{"cardNumber":"4176669999000104","expiryDate":"122031"}}}`, nil)
	if status != 201 {
		t.Fatalf("refund: %d %s", status, body)
	}
	url := base + "processing/v1/1/2/refunds/" + decode(t, body)["refundId"].(string) + "/authorization-reversals"
	reverse := func(op, amount string) (int, string) {
		return post(t, url, token, `{"operationId":"`+op+`","transactionTimestamp":"2026-11-22T10:01:00Z","reversalAmount":{"amount":`+amount+`,"currencyCode":"EUR","numberOfDecimals":2}}`, nil)
	}
	if status, body := reverse("RV1", "1000"); status != 400 || !strings.Contains(body, "whole 21.00 EUR") {
		t.Errorf("partial refund reversal: %d %s", status, body)
	}
	if status, body := reverse("RV2", "2100"); status != 201 || !strings.Contains(body, `"status":"REVERSED"`) {
		t.Errorf("whole refund reversal: %d %s", status, body)
	}
}

// newerPayment is an ApiPaymentRequest using the fields the newer SDKs
// add (Python SDK's api_payment_request.py, card_payment_data.py,
// terminal_data.py, amount_breakdown_data.py, merchant_data.py,
// point_of_sale_data.py; ServiceLocationData from the Java SDK).
const newerPayment = `{
 "operationId": "OP-NEW", "transactionTimestamp": "2026-11-22T10:00:00.000Z",
 "amount": {"amount": 10000, "currencyCode": "EUR", "numberOfDecimals": 2},
 "amountBreakdownData": {"cashbackAmount": {"amount": 2000, "currencyCode": "EUR", "numberOfDecimals": 2}, "tipAmount": {"amount": 500, "currencyCode": "EUR", "numberOfDecimals": 2}},
 "cardPaymentData": {
  "brand": "VISA", "brandSelector": "CARDHOLDER", "cardEntryMode": "CONTACTLESS", "cardholderVerificationMethod": "ONLINE_PIN",
  "cardData": {"cardNumber": "4176669999000104", "cardSecurityCode": "012", "expiryDate": "122031"},
  "pointOfSaleData": {"emvData": [{"tag": "9F26", "value": "q83vEjRWeJA="}], "isResponseToPinRequest": false, "isRetryWithTheSameOperationId": false, "track2Data": "4176669999000104D3112201"},
  "serviceLocationData": {"address": {"city": "Brussels", "countryCode": "BE", "countrySubdivisionCode": "BRU", "postalCode": "1000"}}
 },
 "merchant": {"name": "Shop", "customerServiceData": {"customerServiceEmail": "help@shop.example", "customerServicePhoneNumber": "+3225550100", "customerServiceUrl": "https://shop.example/help"},
  "paymentFacilitatorId": "PF1", "subMerchantId": "SUB1", "taxId": "BE0123456789"},
 "references": {"dynamicDescriptor": "SHOP*NEW", "merchantReference": "order-new"},
 "terminalData": {"allowSingleTap": true, "cardReadingCapabilities": ["CONTACTLESS", "CHIP"], "cardholderActivatedTerminalLevel": "CAT_LEVEL_1",
  "isAttendedTerminal": true, "isOfflineApproved": false, "mposDevice": "COMMERCIAL_OFF_THE_SHELF", "offlineAuthorizationResponseCode": "Y1",
  "pinEntryCapability": "PRESENT", "terminalId": "T0000001", "terminalLocation": "Till 3"}
}`

func TestNewerSDKFields(t *testing.T) {
	base, token := setupAll(t)
	url := base + "processing/v1/1/2/"
	status, body := post(t, url+"payments", token, newerPayment, nil)
	if status != 201 {
		t.Fatalf("payment with the newer fields: %d %s", status, body)
	}
	id := decode(t, body)["paymentId"].(string)
	geo := strings.Replace(strings.Replace(newerPayment, `"address": {"city": "Brussels", "countryCode": "BE", "countrySubdivisionCode": "BRU", "postalCode": "1000"}`, `"geoCoordinates": {"latitude": 50.8467, "longitude": 4.3525}`, 1), "OP-NEW", "OP-GEO", 1)
	if status, body := post(t, url+"payments", token, geo, nil); status != 201 {
		t.Errorf("serviceLocationData.geoCoordinates: %d %s", status, body)
	}
	swap := func(old, new string) string {
		if !strings.Contains(newerPayment, old) {
			t.Fatalf("fixture lacks %s", old)
		}
		return strings.Replace(strings.Replace(newerPayment, old, new, 1), "OP-NEW", "OP-BAD", 1)
	}
	for _, c := range []struct{ name, url, body, text string }{
		{"terminalData wrong type", "payments", swap(`"allowSingleTap": true`, `"allowSingleTap": "yes"`), "allowSingleTap"},
		{"terminalData list wrong type", "payments", swap(`["CONTACTLESS", "CHIP"]`, `"CONTACTLESS"`), "cardReadingCapabilities"},
		{"terminalData unknown field", "payments", swap(`"terminalLocation": "Till 3"`, `"terminalLocation": "Till 3", "terminalType": "POS"`), `unknown field \"terminalType\"`},
		{"terminalData mposDevice enum", "payments", swap(`"COMMERCIAL_OFF_THE_SHELF"`, `"COTS"`), "mposDevice"},
		{"terminalData pinEntryCapability enum", "payments", swap(`"pinEntryCapability": "PRESENT"`, `"pinEntryCapability": "YES"`), "pinEntryCapability"},
		{"amountBreakdownData wrong type", "payments", swap(`"tipAmount": {"amount": 500,`, `"tipAmount": {"amount": "5.00",`), "amount"},
		{"amountBreakdownData unknown field", "payments", swap(`"tipAmount": {`, `"serviceCharge": {}, "tipAmount": {`), `unknown field \"serviceCharge\"`},
		{"amountBreakdownData in another currency", "payments", swap(`"tipAmount": {"amount": 500, "currencyCode": "EUR"`, `"tipAmount": {"amount": 500, "currencyCode": "USD"`), "does not match the payment's EUR"},
		{"amountBreakdownData exceeding the amount", "payments", swap(`"cashbackAmount": {"amount": 2000`, `"cashbackAmount": {"amount": 9600`), "exceed 100.00 EUR"},
		{"brandSelector wrong type", "payments", swap(`"brandSelector": "CARDHOLDER"`, `"brandSelector": 1`), "brandSelector"},
		{"serviceLocationData wrong type", "payments", swap(`"postalCode": "1000"}}`, `"postalCode": 1000}}`), "postalCode"},
		{"serviceLocationData unknown field", "payments", swap(`"countrySubdivisionCode": "BRU"`, `"countrySubdivisionCode": "BRU", "street": "Rue"`), `unknown field \"street\"`},
		{"serviceLocationData with neither", "payments", swap(`{"address": {"city": "Brussels", "countryCode": "BE", "countrySubdivisionCode": "BRU", "postalCode": "1000"}}`, `{}`), "either address or geoCoordinates"},
		{"serviceLocationData countryCode", "payments", swap(`"countryCode": "BE", "countrySubdivisionCode"`, `"countryCode": "Belgium", "countrySubdivisionCode"`), "serviceLocationData.address.countryCode"},
		{"emvData wrong type", "payments", swap(`[{"tag": "9F26", "value": "q83vEjRWeJA="}]`, `{"tag": "9F26"}`), "emvData"},
		{"emvData value not base64", "payments", swap(`"q83vEjRWeJA="`, `"not base64!"`), "base64"},
		{"pointOfSaleData unknown field", "payments", swap(`"track2Data"`, `"onlinePin": {}, "track2Data"`), `unknown field \"onlinePin\"`},
		{"isResponseToPinRequest wrong type", "payments", swap(`"isResponseToPinRequest": false`, `"isResponseToPinRequest": 0`), "isResponseToPinRequest"},
		{"customerServiceData wrong type", "payments", swap(`"customerServiceEmail": "help@shop.example"`, `"customerServiceEmail": ["help@shop.example"]`), "customerServiceEmail"},
		{"customerServiceData unknown field", "payments", swap(`"customerServiceUrl"`, `"customerServiceFax": "x", "customerServiceUrl"`), `unknown field \"customerServiceFax\"`},
		{"subMerchantId wrong type", "payments", swap(`"subMerchantId": "SUB1"`, `"subMerchantId": 1`), "subMerchantId"},
	} {
		status, body := post(t, url+c.url, token, c.body, nil)
		if status != 400 || !strings.Contains(body, c.text) {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
	}
	// ApiCaptureRequest: captureAmountBreakdownData, marketplaceData,
	// references, terminalData.
	capture := func(op, extra string) (int, string) {
		return post(t, url+"payments/"+id+"/captures", token, `{"operationId":"`+op+`","transactionTimestamp":"2026-11-22T10:05:00Z",
 "amount":{"amount":4000,"currencyCode":"EUR","numberOfDecimals":2},"captureSequenceNumber":1,"isFinal":false`+extra+`}`, nil)
	}
	for _, c := range []struct {
		name, extra string
		status      int
		text        string
	}{
		{"tip wrong type", `,"captureAmountBreakdownData":{"tipAmount":{"amount":true,"currencyCode":"EUR","numberOfDecimals":2}}`, 400, "amount"},
		{"tip over the capture", `,"captureAmountBreakdownData":{"tipAmount":{"amount":4001,"currencyCode":"EUR","numberOfDecimals":2}}`, 400, "exceed 40.00 EUR"},
		{"tip in another currency", `,"captureAmountBreakdownData":{"tipAmount":{"amount":100,"currencyCode":"GBP","numberOfDecimals":2}}`, 400, "does not match"},
		{"marketplaceData unknown field", `,"marketplaceData":{"retailerName":"Seller","retailerId":"1"}`, 400, `unknown field \"retailerId\"`},
		{"marketplaceData countryCode", `,"marketplaceData":{"retailerCountryCode":"France"}`, 400, "retailerCountryCode"},
		{"marketplaceData wrong type", `,"marketplaceData":{"retailerName":7}`, 400, "retailerName"},
		{"terminalData terminalId length", `,"terminalData":{"terminalId":"123456789"}`, 400, "terminalData.terminalId"},
		{"every new capture field", `,"captureAmountBreakdownData":{"tipAmount":{"amount":500,"currencyCode":"EUR","numberOfDecimals":2}},
 "marketplaceData":{"retailerCountryCode":"FR","retailerName":"Seller"},"references":{"dynamicDescriptor":"SHOP*CAP","merchantReference":"cap-1"},
 "terminalData":{"terminalId":"T0000001","isAttendedTerminal":true}`, 201, `"status":"CONFIRMED"`},
	} {
		if status, body := capture("CAP-"+strings.ReplaceAll(c.name, " ", "-"), c.extra); status != c.status || !strings.Contains(body, c.text) {
			t.Errorf("capture, %s: %d %s", c.name, status, body)
		}
	}
	// The variants: brandSelector and cardholderVerificationMethod on a
	// standalone refund, brandSelector and pointOfSaleData on an account
	// verification, terminalData and ECommerceData (scaExemptionRequest)
	// on a balance inquiry; terminalData and references on refund capture,
	// terminalData on refund reversal.
	card := `"cardData":{"cardNumber":"4176669999000104","expiryDate":"122031"}`
	for _, c := range []struct {
		name, url, body string
		status          int
		text            string
	}{
		{"standalone refund", "refunds", `{"operationId":"NR1","transactionTimestamp":"2026-11-22T10:00:00Z","amount":{"amount":100,"currencyCode":"EUR","numberOfDecimals":2},
 "cardPaymentData":{` + card + `,"brandSelector":"MERCHANT","cardholderVerificationMethod":"NONE","pointOfSaleData":{"track2Data":"4176669999000104D3112201"}}}`, 201, "refundId"},
		{"standalone refund, cvm enum", "refunds", `{"operationId":"NR2","transactionTimestamp":"2026-11-22T10:00:00Z","amount":{"amount":100,"currencyCode":"EUR","numberOfDecimals":2},
 "cardPaymentData":{` + card + `,"cardholderVerificationMethod":"PIN"}}`, 400, "cardholderVerificationMethod"},
		{"account verification", "account-verifications", `{"operationId":"NA1","transactionTimestamp":"2026-11-22T10:00:00Z",
 "cardPaymentData":{` + card + `,"brandSelector":"CARDHOLDER","pointOfSaleData":{"emvData":[{"tag":"9F02","value":"AAAAAAEAAA=="}]}}}`, 201, "authorizationCode"},
		{"account verification, pointOfSaleData unknown field", "account-verifications", `{"operationId":"NA2","transactionTimestamp":"2026-11-22T10:00:00Z",
 "cardPaymentData":{` + card + `,"pointOfSaleData":{"pin":"1234"}}}`, 400, `unknown field \"pin\"`},
		{"balance inquiry", "balance-inquiries", `{"operationId":"NB1","transactionTimestamp":"2026-11-22T10:00:00Z",
 "cardPaymentData":{` + card + `,"ecommerceData":{"scaExemptionRequest":"LOW_VALUE_PAYMENT"}},"terminalData":{"pinEntryCapability":"ABSENT","terminalId":"T1"}}`, 200, "availableAmount"},
		{"balance inquiry, terminalData wrong type", "balance-inquiries", `{"operationId":"NB2","transactionTimestamp":"2026-11-22T10:00:00Z",
 "cardPaymentData":{` + card + `},"terminalData":{"isOfflineApproved":"no"}}`, 400, "isOfflineApproved"},
	} {
		if status, body := post(t, url+c.url, token, c.body, nil); status != c.status || !strings.Contains(body, c.text) {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
	}
	status, body = post(t, url+"refunds", token, `{"operationId":"NR3","transactionTimestamp":"2026-11-22T10:00:00Z","amount":{"amount":100,"currencyCode":"EUR","numberOfDecimals":2},"cardPaymentData":{`+card+`}}`, nil)
	if status != 201 {
		t.Fatalf("refund: %d %s", status, body)
	}
	rf := url + "refunds/" + decode(t, body)["refundId"].(string)
	if status, body := post(t, rf+"/captures", token, `{"operationId":"NC1","transactionTimestamp":"2026-11-22T10:01:00Z","terminalData":{"terminalId":"T1","extra":1}}`, nil); status != 400 || !strings.Contains(body, `unknown field \"extra\"`) {
		t.Errorf("refund capture, terminalData unknown field: %d %s", status, body)
	}
	if status, body := post(t, rf+"/authorization-reversals", token, `{"operationId":"NV1","transactionTimestamp":"2026-11-22T10:01:00Z","terminalData":{"mposDevice":"PHONE"}}`, nil); status != 400 || !strings.Contains(body, "mposDevice") {
		t.Errorf("refund reversal, mposDevice enum: %d %s", status, body)
	}
	if status, body := post(t, rf+"/captures", token, `{"operationId":"NC2","transactionTimestamp":"2026-11-22T10:01:00Z","references":{"merchantReference":"rc-1"},"terminalData":{"terminalId":"T1"}}`, nil); status != 201 {
		t.Errorf("refund capture with references and terminalData: %d %s", status, body)
	}
}

// conversionRate is a number, compared exactly: a quoted rate is refused.
func TestConversionRateIsANumber(t *testing.T) {
	var d dccData
	if err := json.Unmarshal([]byte(`{"amount":1091,"conversionRate":"1.0910","currencyCode":"USD","numberOfDecimals":2}`), &d); err == nil {
		t.Fatal("a quoted conversionRate was accepted")
	}
	if err := json.Unmarshal([]byte(`{"amount":1091,"conversionRate":1.0910,"currencyCode":"USD","numberOfDecimals":2}`), &d); err != nil {
		t.Fatal(err)
	}
	if !sameRate(*d.ConversionRate, "1.091") || sameRate(*d.ConversionRate, "1.0910000001") {
		t.Error("rates are not compared exactly")
	}
}

// TestNewerSDKFieldsAccepted: what go@2.0.0's models define is accepted
// on each endpoint (terminalData on the follow-ups, standalone refund,
// account verification and technical reversal; cardSequenceNumber,
// encryptedPinBlock/pinMasterKeyReference, initialSchemeTransactionLinkId;
// cardEntryMode on a DCC rate), and a field no model defines still is not.
func TestNewerSDKFieldsAccepted(t *testing.T) {
	base, token := setupAll(t)
	const ts = `"transactionTimestamp":"2026-11-22T10:00:00Z"`
	const terminal = `"terminalData":{"terminalId":"T1","pinEntryCapability":"PRESENT","isAttendedTerminal":true}`
	card := `"cardData":{"cardNumber":"4176669999000104","expiryDate":"122031","cardSecurityCode":"012","cardSequenceNumber":1}`
	pay := func(op string) string {
		status, body := post(t, base+"processing/v1/1/2/payments", token, `{"operationId":"`+op+`",`+ts+`,
 "amount":{"amount":10000,"currencyCode":"EUR","numberOfDecimals":2},"authorizationType":"PRE_AUTHORIZATION",
 "cardPaymentData":{`+card+`,"pointOfSaleData":{"encryptedPinBlock":"0123456789ABCDEF","pinMasterKeyReference":"K1"}}}`, nil)
		if status != 201 {
			t.Fatalf("payment with cardSequenceNumber and encrypted PIN: %d %s", status, body)
		}
		return decode(t, body)["paymentId"].(string)
	}
	id := pay("P1")
	for _, c := range []struct{ name, url, body string }{
		{"increment", "processing/v1/1/2/payments/" + id + "/increments", `{"operationId":"I1",` + ts + `,"incrementAmount":{"amount":100,"currencyCode":"EUR","numberOfDecimals":2},` + terminal + `}`},
		{"authorization reversal", "processing/v1/1/2/payments/" + id + "/authorization-reversals", `{"operationId":"R1",` + ts + `,"reversalAmount":{"amount":100,"currencyCode":"EUR","numberOfDecimals":2},` + terminal + `}`},
		{"capture", "processing/v1/1/2/payments/" + id + "/captures", `{"operationId":"C1",` + ts + `,` + terminal + `}`},
		{"refund of a payment", "processing/v1/1/2/payments/" + id + "/refunds", `{"operationId":"F1",` + ts + `,"amount":{"amount":100,"currencyCode":"EUR","numberOfDecimals":2},"captureImmediately":true,` + terminal + `}`},
		{"standalone refund", "processing/v1/1/2/refunds", `{"operationId":"S1",` + ts + `,"amount":{"amount":100,"currencyCode":"EUR","numberOfDecimals":2},"cardPaymentData":{` + card + `,"captureImmediately":true},` + terminal + `}`},
		{"account verification", "processing/v1/1/2/account-verifications", `{"operationId":"V1",` + ts + `,"cardPaymentData":{` + card + `,"cardOnFileData":{"isInitialTransaction":false,"subsequentCardOnFileData":{"initialSchemeTransactionId":"123456789012345","initialSchemeTransactionLinkId":"L1","cardOnFileInitiator":"MERCHANT"}}},` + terminal + `}`},
		{"technical reversal", "processing/v1/1/2/operations/nobody/reverse", `{"operationId":"T1",` + ts + `,"reason":"TIMEOUT_WAITING_RESPONSE",` + terminal + `}`},
		{"DCC rate", "services/v1/1/2/dcc-rates", `{"operationId":"Q1","targetCurrency":"USD","cardPaymentData":{"bin":"41766699","cardEntryMode":"ECOMMERCE"},"transaction":{"amount":{"amount":100,"currencyCode":"EUR","numberOfDecimals":2},` + ts + `,"transactionType":"PAYMENT"}}`},
	} {
		status, body := post(t, base+c.url, token, c.body, nil)
		if status != 200 && status != 201 {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
		unknown := strings.Replace(c.body, `"operationId"`, `"notAField":1,"operationId"`, 1)
		if status, body := post(t, base+c.url, token, unknown, nil); status != 400 || !strings.Contains(body, `unknown field \"notAField\"`) {
			t.Errorf("%s with an unknown field: %d %s", c.name, status, body)
		}
	}
}
