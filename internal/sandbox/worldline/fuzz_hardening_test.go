package worldline

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fuzzPaths are the fake's POST endpoints under the merchant; {p} is a
// payment and {r} a refund the fake holds.
var fuzzPaths = []string{"/processing/v1/1/2/payments", "/processing/v1/1/2/payments/{p}/captures",
	"/processing/v1/1/2/payments/{p}/authorization-reversals", "/processing/v1/1/2/payments/{p}/increments",
	"/processing/v1/1/2/payments/{p}/refunds", "/processing/v1/1/2/refunds", "/processing/v1/1/2/refunds/{r}/captures",
	"/processing/v1/1/2/refunds/{r}/authorization-reversals", "/processing/v1/1/2/account-verifications",
	"/processing/v1/1/2/operations/op-1/reverse", "/processing/v1/1/2/balance-inquiries", "/services/v1/1/2/dcc-rates"}

// FuzzHandlerBodies posts any body to every endpoint of a fake holding a
// pre-authorization and a refund. The handler never panics (but for
// http.ErrAbortHandler, the magic amount that drops the connection),
// never answers 5xx but for the fault amounts, and every answer is JSON: an
// error a problem with its status.
func FuzzHandlerBodies(f *testing.F) {
	ts := time.Now().UTC().Format(time.RFC3339)
	card := `"cardPaymentData":{"cardData":{"cardNumber":"4176669999000104","cardSecurityCode":"012","expiryDate":"122031"}}`
	for i, body := range map[uint8]string{
		0:  `{"amount":{"amount":1000,"currencyCode":"EUR","numberOfDecimals":2},"authorizationType":"PRE_AUTHORIZATION",` + card + `,"operationId":"a","transactionTimestamp":"` + ts + `"}`,
		1:  `{"amount":{"amount":-5,"currencyCode":"EUR","numberOfDecimals":2},"operationId":"b","transactionTimestamp":"` + ts + `"}`,
		3:  `{"incrementAmount":{"amount":9223372036854775807,"currencyCode":"EUR","numberOfDecimals":2},"operationId":"c","transactionTimestamp":"` + ts + `"}`,
		5:  `{"amount":{"amount":100,"currencyCode":"EUR","numberOfDecimals":2},` + card + `,"operationId":"d","transactionTimestamp":"` + ts + `"}`,
		7:  `{"reversalAmount":{"amount":100,"currencyCode":"EUR","numberOfDecimals":2},"operationId":"e","transactionTimestamp":"` + ts + `"}`,
		11: `{"operationId":"f","targetCurrency":"USD","transaction":{"amount":{"amount":100,"currencyCode":"EUR","numberOfDecimals":2},"transactionTimestamp":"` + ts + `"}}`,
		2:  `null`, 4: `[]`, 6: ``, 8: `{"operationId":{}}`,
	} {
		f.Add(i, []byte(body))
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		fake := New("1", "2", Client{ID: "c", Secret: "s", Scopes: []string{"processing_payment", "processing_refund", "processing_accountverification",
			"processing_operation_reverse", "processing_dcc_rate", "processing_balanceinquiry"}})
		fake.Restore(State{
			Payments: []PaymentState{{ID: "pay1", OperationID: "op-1", Status: "AUTHORIZED", AuthType: "PRE_AUTHORIZATION", Currency: "EUR", Decimals: 2,
				Authorized: 1000, Brand: "VISA", Code: "0", Category: "APPROVED", StatusTime: "2026-01-15T12:00:00.000Z"}},
			Refunds: []RefundState{{ID: "ref1", OperationID: "op-2", PaymentID: "pay1", Status: "AUTHORIZED", Currency: "EUR", Decimals: 2, Amount: 10}},
		})
		serve := func(req *http.Request) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			defer func() {
				if r := recover(); r != nil {
					if err, ok := r.(error); ok && errors.Is(err, http.ErrAbortHandler) {
						return
					}
					t.Fatalf("%s %s with %q panicked: %v", req.Method, req.URL.Path, body, r)
				}
			}()
			fake.ServeHTTP(rec, req)
			return rec
		}
		tok := serve(httptest.NewRequest("POST", "/connect/token", strings.NewReader("grant_type=client_credentials&client_id=c&client_secret=s")))
		var token struct {
			AccessToken string `json:"access_token"`
		}
		if json.Unmarshal(tok.Body.Bytes(), &token) != nil || token.AccessToken == "" {
			t.Fatalf("token: %d %s", tok.Code, tok.Body)
		}
		path := strings.NewReplacer("{p}", "pay1", "{r}", "ref1").Replace(fuzzPaths[int(which)%len(fuzzPaths)])
		req := httptest.NewRequest("POST", path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		req.Header.Set("X-WL-ServerMetaInfo", base64.StdEncoding.EncodeToString([]byte(`{"integrator":"t"}`)))
		rec := serve(req)
		if rec.Code == 0 || rec.Body.Len() == 0 && rec.Code == 200 {
			return // the connection was dropped
		}
		// The fault amounts 5.00 and 5.03 (AmountServerError,
		// AmountUnavailable) ask for a 500 and a 503; nothing else may.
		if rec.Code >= 500 && !(rec.Code == 500 && bytes.Contains(body, []byte("500")) || rec.Code == 503 && bytes.Contains(body, []byte("503"))) {
			t.Fatalf("%s with %q: %d %s", path, body, rec.Code, rec.Body)
		}
		var doc map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatalf("%s with %q: %d answer is not a JSON object: %v\n%s", path, body, rec.Code, err, rec.Body)
		}
		if rec.Code >= 400 {
			if status, _ := doc["status"].(float64); int(status) != rec.Code {
				t.Fatalf("%s with %q: %d problem says status %v\n%s", path, body, rec.Code, doc["status"], rec.Body)
			}
		}
	})
}
