package bokudirect

import (
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

// FuzzDecode feeds correctly signed bodies of any shape to the decoder of
// every response type: no panic, and every failure carries an exit code of
// the contract (never 0).
func FuzzDecode(f *testing.F) {
	entries, _ := os.ReadDir("testdata")
	for _, e := range entries {
		if data, err := os.ReadFile("testdata/" + e.Name()); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`<charge-response><result status="FAIL"/></charge-response>`))
	c, err := New(Config{MerchantID: testMerchant, KeyID: testKeyID, Key: testKey, Country: "jp"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := sign.Sign(sign.Message{Headers: []sign.Header{{Name: "Content-Type", Value: ContentType}}, Body: body},
			testKey, testMerchant, testKeyID, []string{"Content-Type"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		header := http.Header{"Content-Type": {ContentType}, "X-Signedresponse": {p.String()}}
		charge, query, refunds, optin := &ChargeResponse{}, &QueryChargeResponse{}, &QueryRefundResponse{}, &OptinResponse{}
		for _, target := range []struct {
			response any
			result   func() *Result
		}{
			{charge, func() *Result { return &charge.Result }},
			{query, func() *Result { return &query.Result }},
			{refunds, func() *Result { return &refunds.Result }},
			{optin, func() *Result { return &optin.Result }},
		} {
			err := c.decode(call{family: "billing", name: "charge", mutation: true}, 200, header, body, target.response, target.result)
			if err != nil && exitcode.Of(err) == exitcode.OK {
				t.Fatalf("error %v has exit code 0", err)
			}
		}
	})
}
