package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/internal/sandbox/bokuspec"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

// client sends requests straight to a Sandbox's ServeHTTP, as the HTTP
// server would, signed or with a token as the real clients do.
type client struct {
	t     testing.TB
	sb    *Sandbox
	token string
}

func (c *client) do(method, target, contentType, body string, header map[string]string) (int, string) {
	c.t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	c.sb.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// boku posts body to the fake Boku's call (e.g. "billing/charge") in GB,
// signed with the sandbox merchant's key, and wants a 200.
func (c *client) boku(call, body string) string {
	c.t.Helper()
	status, text := c.bokuStatus(call, body)
	if status != 200 {
		c.t.Fatalf("%s: %d %s", call, status, text)
	}
	return text
}

// bokuStatus is boku for any answer.
func (c *client) bokuStatus(call, body string) (int, string) {
	c.t.Helper()
	rec := httptest.NewRecorder()
	c.sb.ServeHTTP(rec, c.signedBoku(call, body))
	return rec.Code, rec.Body.String()
}

// signedBoku is a request for the fake Boku's call, signed.
func (c *client) signedBoku(call, body string) *http.Request {
	c.t.Helper()
	family, name, _ := strings.Cut(call, "/")
	target := "/boku/gb/" + family + "/3.0/" + name
	const ct = "text/xml;charset=utf-8"
	params, err := sign.Sign(sign.Message{Method: "POST", Target: target, Headers: []sign.Header{{Name: "Content-Type", Value: ct}}, Body: []byte(body)},
		[]byte(BokuKey), BokuMerchantID, BokuKeyID, []string{"Content-Type"}, time.Now())
	if err != nil {
		c.t.Fatal(err)
	}
	req := httptest.NewRequest("POST", target, strings.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", params.String())
	return req
}

func xmlDoc(root string, fields ...string) string {
	var b strings.Builder
	b.WriteString("<" + root + "><merchant-id>" + BokuMerchantID + "</merchant-id><country>GB</country>")
	for i := 0; i+1 < len(fields); i += 2 {
		fmt.Fprintf(&b, "<%s>%s</%[1]s>", fields[i], fields[i+1])
	}
	b.WriteString("</" + root + ">")
	return b.String()
}

var optinIDPattern = regexp.MustCompile(`<optin-id>([^<]+)</optin-id>`)

// activeOptin makes an active opt-in the hosted way and returns its id.
func (c *client) activeOptin(mrid string) string {
	c.t.Helper()
	text := c.boku("optin/optin", xmlDoc("optin-request", "merchant-request-id", mrid, "payment-method", "superwallet", "optin-type", "hosted",
		"hosted", "<forward-url>https://shop.example/done</forward-url>"))
	m := optinIDPattern.FindStringSubmatch(text)
	if m == nil {
		c.t.Fatalf("optin: %s", text)
	}
	id := m[1]
	if status, text := c.do("GET", "/consent/"+id, "", "", nil); status != http.StatusFound {
		c.t.Fatalf("consent: %d %s", status, text)
	}
	c.boku("optin/validate-optin", xmlDoc("validate-optin-request", "merchant-request-id", mrid+"-v", "optin-id", id, "optin-type", "hosted"))
	c.boku("optin/confirm-optin", xmlDoc("confirm-optin-request", "merchant-request-id", mrid+"-c", "optin-id", id))
	return id
}

func (c *client) charge(optinID, mrid, amount string) string {
	c.t.Helper()
	return c.boku("billing/charge", chargeXML(optinID, mrid, amount))
}

func chargeXML(optinID, mrid, amount string) string {
	return xmlDoc("charge-request", "merchant-request-id", mrid, "merchant-transaction-id", "tx-"+mrid,
		"merchant-item-description", "thing", "optin-id", optinID, "currency", "GBP", "total-amount", amount)
}

// worldlineToken fetches a token for the sandbox client.
func (c *client) worldlineToken() {
	c.t.Helper()
	status, text := c.do("POST", "/connect/token", "application/x-www-form-urlencoded",
		"grant_type=client_credentials&client_id="+WorldlineClientID+"&client_secret="+WorldlineSecret, nil)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if status != 200 || json.Unmarshal([]byte(text), &tok) != nil {
		c.t.Fatalf("token: %d %s", status, text)
	}
	c.token = tok.AccessToken
}

// worldline calls the fake Worldline's API at path (after the merchant).
func (c *client) worldline(method, path, body string) (int, string) {
	c.t.Helper()
	return c.do(method, "/processing/v1/"+WorldlineAcquirer+"/"+WorldlineMerchant+path, "application/json", body, map[string]string{
		"Authorization":       "Bearer " + c.token,
		"Date":                time.Now().UTC().Format(http.TimeFormat),
		"X-WL-ServerMetaInfo": base64.StdEncoding.EncodeToString([]byte(`{"integrator":"test"}`)),
	})
}

func paymentJSON(operationID string, minor int) string {
	return fmt.Sprintf(`{"amount":{"amount":%d,"currencyCode":"EUR","numberOfDecimals":2},"cardPaymentData":{"cardData":{"cardNumber":"4176669999000104","cardSecurityCode":"012","expiryDate":"122031"}},"operationId":%q,"transactionTimestamp":%q}`,
		minor, operationID, time.Now().UTC().Format(time.RFC3339))
}

func opJSON(operationID string) string {
	return fmt.Sprintf(`{"operationId":%q,"transactionTimestamp":%q}`, operationID, time.Now().UTC().Format(time.RFC3339))
}

// canonical is a sandbox's state as JSON with every list sorted, so two
// states compare as strings.
func canonical(t testing.TB, sb *Sandbox) string {
	t.Helper()
	b, w := sb.Boku.Snapshot(), sb.Worldline.Snapshot()
	sort.Slice(b.Optins, func(i, j int) bool { return b.Optins[i].ID < b.Optins[j].ID })
	sort.Slice(b.Charges, func(i, j int) bool { return b.Charges[i].ID < b.Charges[j].ID })
	sort.Slice(b.Refunds, func(i, j int) bool { return b.Refunds[i].ID < b.Refunds[j].ID })
	sort.Slice(w.Payments, func(i, j int) bool { return w.Payments[i].ID < w.Payments[j].ID })
	sort.Slice(w.Refunds, func(i, j int) bool { return w.Refunds[i].ID < w.Refunds[j].ID })
	data, err := json.Marshal(persisted{Boku: b, Worldline: w})
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// prepopulated is a Boku state with one active opt-in (oi-000001) and n
// successful charges on it.
func prepopulated(n int) bokuspec.State {
	now := time.Now()
	st := bokuspec.State{Seq: n + 1, Optins: []bokuspec.OptinState{{RequestID: "seed", ID: "oi-000001", MerchantID: BokuMerchantID, Country: "gb",
		Kind: "hosted", ForwardURL: "https://shop.example/done", Method: "superwallet", State: "active", MerchantRequestID: "seed", Approved: true}}}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("seed-%d", i)
		st.Charges = append(st.Charges, bokuspec.ChargeState{ID: fmt.Sprintf("ch-%06d", i+2), MerchantID: BokuMerchantID, MerchantRequestID: id,
			OptinID: "oi-000001", Country: "gb", Currency: "GBP", Amount: 100, Status: "success", Created: now,
			MerchantTransactionID: "tx-" + id, Description: "thing"})
	}
	return st
}
