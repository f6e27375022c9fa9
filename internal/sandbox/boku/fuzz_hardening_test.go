package boku

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/sign"
)

// fuzzCalls are the fake's calls, as family/name.
var fuzzCalls = []string{"optin/optin", "optin/validate-optin", "optin/confirm-optin", "optin/cancel-optin", "optin/query-optin",
	"billing/charge", "billing/begin-single-charge", "billing/query-charge", "billing/reverse-charge", "billing/refund-charge",
	"billing/query-refund", "billing/forex", "billing/fund-check"}

// FuzzHandlerBodies posts any body, correctly signed, to every call of a
// fake holding an active opt-in, a charge and a refund. The handler never
// panics (but for http.ErrAbortHandler, the magic amounts that drop the
// connection), never answers 5xx but the magic 503, and a 200 is
// well-formed XML with a <result>.
func FuzzHandlerBodies(f *testing.F) {
	for i, body := range map[uint8]string{
		5:  `<charge-request><merchant-id>m1</merchant-id><merchant-request-id>c2</merchant-request-id><merchant-transaction-id>t</merchant-transaction-id><merchant-item-description>d</merchant-item-description><optin-id>oi-000001</optin-id><currency>GBP</currency><total-amount>1.00</total-amount></charge-request>`,
		9:  `<refund-charge-request><country>GB</country><merchant-id>m1</merchant-id><merchant-request-id>r2</merchant-request-id><merchant-refund-id>mr2</merchant-refund-id><charge-id>ch-000002</charge-id><reason-code>8</reason-code><refund-amount>-1.00</refund-amount><currency>GBP</currency></refund-charge-request>`,
		10: `<query-refund-request><country>GB</country><merchant-id>m1</merchant-id><refund-id>rf-000003</refund-id></query-refund-request>`,
		11: `<forex-request><country>GB</country><merchant-id>m1</merchant-id><merchant-request-id>f</merchant-request-id><from-currency>GBP</from-currency><to-currency>JPY</to-currency><amount>99999999999999.99</amount></forex-request>`,
		12: `<fund-check-request><country>GB</country><merchant-id>m1</merchant-id><merchant-request-id>f</merchant-request-id><optin-id>oi-000001</optin-id><currency>GBP</currency><total-amount>0.01</total-amount></fund-check-request>`,
		0:  `<optin-request><country>GB</country><merchant-id>m1</merchant-id><merchant-request-id>o2</merchant-request-id><payment-method>superwallet</payment-method><optin-type>hosted</optin-type><hosted><forward-url>https://shop.example/done</forward-url></hosted></optin-request>`,
		3:  `<<<`, 7: ``,
	} {
		f.Add(i, []byte(body))
	}
	defer func(d time.Duration) { HeldAnswerFor = d }(HeldAnswerFor)
	HeldAnswerFor = time.Millisecond
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		fake := New(merchant)
		now := time.Now()
		fake.Restore(State{Seq: 3,
			Optins: []OptinState{{RequestID: "o1", ID: "oi-000001", MerchantID: "m1", Country: "gb", Kind: "hosted", ForwardURL: "https://shop.example/done",
				Method: "superwallet", State: "active", MerchantRequestID: "o1", Approved: true}},
			Charges: []ChargeState{{ID: "ch-000002", MerchantID: "m1", MerchantRequestID: "c1", OptinID: "oi-000001", Country: "gb", Currency: "GBP",
				Amount: 500, Status: "success", Created: now, MerchantTransactionID: "t1", Description: "d"}},
			Refunds: []RefundState{{ID: "rf-000003", MerchantID: "m1", MerchantRefundID: "mr1", ChargeID: "ch-000002", Currency: "GBP", Status: "success",
				MerchantRequestID: "r1", Amount: 100, ReasonCode: 8, Created: now}}})
		call := fuzzCalls[int(which)%len(fuzzCalls)]
		family, name, _ := bytes.Cut([]byte(call), []byte("/"))
		target := "/gb/" + string(family) + "/3.0/" + string(name)
		const ct = "text/xml;charset=utf-8"
		p, err := sign.Sign(sign.Message{Method: "POST", Target: target, Headers: []sign.Header{{Name: "Content-Type", Value: ct}}, Body: body},
			merchant.Key, merchant.ID, merchant.KeyID, []string{"Content-Type"}, now)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", target, bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", p.String())
		rec := httptest.NewRecorder()
		func() {
			defer func() {
				if r := recover(); r != nil {
					if err, ok := r.(error); ok && errors.Is(err, http.ErrAbortHandler) {
						return
					}
					t.Fatalf("%s with %q panicked: %v", call, body, r)
				}
			}()
			fake.ServeHTTP(rec, req)
		}()
		if rec.Code >= 500 && !(rec.Code == 503 && call == "billing/charge") {
			t.Fatalf("%s with %q: %d %s", call, body, rec.Code, rec.Body)
		}
		if rec.Code == 200 {
			dec := xml.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
			results := 0
			for {
				tok, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s with %q: a 200 that is not XML: %v\n%s", call, body, err, rec.Body)
				}
				if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "result" {
					results++
				}
			}
			if results == 0 {
				t.Fatalf("%s with %q: a 200 without <result>:\n%s", call, body, rec.Body)
			}
		}
	})
}
