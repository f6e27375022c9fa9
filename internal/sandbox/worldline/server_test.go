package worldline

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func setup(t *testing.T) (*Server, string, string) {
	t.Helper()
	fake := New("1", "2", Client{ID: "c", Secret: "s", Scopes: []string{"processing_payment"}})
	server := httptest.NewServer(fake)
	t.Cleanup(server.Close)
	// The SDKs send the scope with literal spaces; the fake accepts that.
	resp, err := http.Post(server.URL+"/connect/token", "application/x-www-form-urlencoded",
		strings.NewReader("grant_type=client_credentials&client_id=c&client_secret=s&scope=processing_payment"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := strings.Split(strings.Split(string(body), `"access_token":"`)[1], `"`)[0]
	return fake, server.URL, token
}

func post(t *testing.T, url, token, body string, header map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("X-WL-ServerMetaInfo", base64.StdEncoding.EncodeToString([]byte(`{"integrator":"t"}`)))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

const paymentBody = `{"amount":{"amount":100,"currencyCode":"EUR","numberOfDecimals":2},"cardPaymentData":{"cardData":{"cardNumber":"4176669999000104","cardSecurityCode":"012","expiryDate":"122031"}},"operationId":"OP","transactionTimestamp":"2026-11-22T10:00:00.000Z"}`

func TestFakeRules(t *testing.T) {
	fake, base, token := setup(t)
	url := base + "/processing/v1/1/2/payments"
	if status, body := post(t, url, token, paymentBody, nil); status != 201 || !strings.Contains(body, `"status":"AUTHORIZED"`) {
		t.Fatalf("valid payment: %d %s", status, body)
	}
	cases := []struct {
		name, body string
		header     map[string]string
		status     int
		text       string
	}{
		{"same operationId, same request", paymentBody, nil, 201, "AUTHORIZED"},
		{"same operationId, other amount", strings.Replace(paymentBody, `"amount":100`, `"amount":200`, 1), nil, 409, "already used"},
		{"no operationId", strings.Replace(paymentBody, `"operationId":"OP",`, "", 1), nil, 400, "operationId is required"},
		{"no timestamp", strings.Replace(paymentBody, `"transactionTimestamp":"2026-11-22T10:00:00.000Z"`, `"transactionTimestamp":"yesterday"`, 1), nil, 400, "transactionTimestamp"},
		{"unknown field", strings.Replace(paymentBody, `{"amount"`, `{"colour":"red","amount"`, 1), nil, 400, "unknown field"},
		{"wrong decimals", strings.Replace(paymentBody, `"numberOfDecimals":2`, `"numberOfDecimals":3`, 1), nil, 400, "numberOfDecimals must be 2"},
		{"bad expiry", strings.Replace(paymentBody, `122031`, `1231`, 1), nil, 400, "MMYYYY"},
		{"no meta info", paymentBody, map[string]string{"X-WL-ServerMetaInfo": ""}, 400, "X-WL-ServerMetaInfo"},
		{"not JSON", paymentBody, map[string]string{"Content-Type": "text/plain"}, 400, "application/json"},
		{"no token", paymentBody, map[string]string{"Authorization": ""}, 401, "access token"},
	}
	for _, c := range cases {
		status, body := post(t, url, token, c.body, c.header)
		if status != c.status || !strings.Contains(body, c.text) {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
		if status >= 400 && !strings.Contains(body, `"instance":"/processing/v1/1/2/payments"`) {
			t.Errorf("%s: error body lacks the documented shape: %s", c.name, body)
		}
	}
	if status, body := post(t, base+"/processing/v1/1/2/refunds", token, paymentBody, nil); status != 403 || !strings.Contains(body, "lacks scope processing_refund") {
		t.Errorf("missing scope: %d %s", status, body)
	}
	if fake.PaymentCount() != 1 {
		t.Errorf("payments = %d, want 1", fake.PaymentCount())
	}
	fake.ExpireTokens()
	if status, _ := post(t, url, token, paymentBody, nil); status != 401 {
		t.Errorf("expired token: %d", status)
	}
}

func TestTokenEndpoint(t *testing.T) {
	_, base, _ := setup(t)
	for _, tt := range []struct {
		form   string
		status int
		text   string
	}{
		{"grant_type=client_credentials&client_id=c&client_secret=bad", 401, "unauthorized_client"},
		{"grant_type=password&client_id=c&client_secret=s", 400, "unsupported_grant_type"},
		{"grant_type=client_credentials&client_id=c&client_secret=s&scope=processing_payment processing_refund", 400, "invalid_scope"},
		{"grant_type=client_credentials&client_id=c&client_secret=s&scope=" + url.QueryEscape("processing_payment"), 200, "expires_in"},
	} {
		resp, err := http.Post(base+"/connect/token", "application/x-www-form-urlencoded", strings.NewReader(tt.form))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.text) {
			t.Errorf("%s: %d %s", tt.form, resp.StatusCode, body)
		}
	}
}
