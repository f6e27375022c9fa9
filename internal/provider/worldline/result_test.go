package worldline

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bokuctl/bokuctl/pkg/acquiring"
)

// A payment's answer shows its statusTimestamp, SDK 0.1.0's retryAfter
// and the newer SDKs' merchant advice code, in JSON and in the table.
func TestResultShowsRetryAfterStatusTimestampAndAdvice(t *testing.T) {
	var resp acquiring.PaymentResponse
	if err := json.Unmarshal([]byte(`{"paymentId":"pay:ch:etu:x","status":"NOT_AUTHORIZED","statusTimestamp":"2024-10-14T09:01:27.392Z",
 "retryAfter":"PT2H","responseCode":"51","responseCodeCategory":"DECLINED",
 "additionalResponseData":{"merchantAdviceCode":"03","merchantAdviceCodeDescription":"Do not try again"}}`), &resp); err != nil {
		t.Fatal(err)
	}
	r := paymentResult(PaymentOutcome{Response: &resp}, paymentRequest("op", 1000), "0104")
	data, _ := json.Marshal(r)
	for _, want := range []string{`"status_timestamp":"2024-10-14T09:01:27.392Z"`, `"retry_after":"PT2H"`, `"merchant_advice_code":"03"`, `"merchant_advice_code_description":"Do not try again"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("JSON lacks %s: %s", want, data)
		}
	}
	table := map[string]string{}
	for _, f := range r.Table().Fields {
		table[f.Label] = f.Value.Text
	}
	if table["Retry after"] != "PT2H" || table["Status time"] != "2024-10-14T09:01:27.392Z" || table["Merchant advice"] != "03 Do not try again" {
		t.Errorf("table: %v", table)
	}
	var capture acquiring.ActionResponse
	json.Unmarshal([]byte(`{"payment":{"paymentId":"p","status":"CONFIRMED","statusTimestamp":"2024-10-14T10:00:00.000Z","retryAfter":"PT0"},"additionalResponseData":{"merchantAdviceCode":"01"}}`), &capture)
	var c result
	c.setPaymentSummary(capture.Payment)
	c.setAdvice(capture.AdditionalResponseData)
	if c.Status != "CONFIRMED" || c.StatusTimestamp != "2024-10-14T10:00:00.000Z" || c.RetryAfter != "PT0" || c.MerchantAdviceCode != "01" {
		t.Errorf("capture: %+v", c)
	}
}
