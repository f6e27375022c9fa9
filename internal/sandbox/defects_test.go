package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/internal/sandbox/bokuspec"
	"github.com/bokuctl/bokuctl/pkg/atomicfile"
)

// A restored state may hold a refund whose charge it lacks (a hand-edited
// or foreign state file). The fake answered a retried refund-charge or a
// query-refund for it with a nil dereference: the handler panicked and
// the client saw its connection dropped. It answers as Boku does of a
// charge it does not know: reason 133 (and a query finds nothing).
func TestRefundOfMissingCharge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	st := prepopulated(1)
	st.Refunds = []bokuspec.RefundState{{ID: "rf-000009", MerchantID: BokuMerchantID, MerchantRefundID: "mr1", ChargeID: "ch-gone", Currency: "GBP",
		Status: "success", MerchantRequestID: "r1", Amount: 10, ReasonCode: 8, Created: time.Now()}}
	data, err := json.Marshal(persisted{Boku: st})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, sb: newSandbox(t, path)}
	notFound := "<reason-code>133</reason-code>"
	for name, call := range map[string][2]string{
		"refund-charge retried": {"billing/refund-charge", xmlDoc("refund-charge-request", "merchant-request-id", "r1", "merchant-refund-id", "mr1",
			"charge-id", "ch-gone", "reason-code", "8")},
		"refund-charge anew": {"billing/refund-charge", xmlDoc("refund-charge-request", "merchant-request-id", "r2", "merchant-refund-id", "mr2",
			"charge-id", "ch-gone", "reason-code", "8")},
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: the handler panicked: %v", name, r)
				}
			}()
			status, text := c.bokuStatus(call[0], call[1])
			if status != 200 || !strings.Contains(text, notFound) || !strings.Contains(text, "The referenced charge-id does not exist") {
				t.Errorf("%s: %d %s", name, status, text)
			}
		}()
	}
	// Queried, it is not found (bokuspec's reading: a refund is reported
	// in its charge's country, and there is none; the earlier fake
	// reported it with the result of its unknown charge). Either way no
	// panic.
	for name, body := range map[string]string{
		"query-refund by id":                 xmlDoc("query-refund-request", "refund-id", "rf-000009"),
		"query-refund by merchant-refund-id": xmlDoc("query-refund-request", "merchant-refund-id", "mr1"),
	} {
		if text := c.boku("billing/query-refund", body); !strings.Contains(text, "<reason-code>0</reason-code>") || strings.Contains(text, "<refund-id>") {
			t.Errorf("%s: %s", name, text)
		}
	}
}

// Negative (and zero) amounts are refused wherever the fakes read one, in
// each provider's own error shape: Boku's result with reason 43, Worldline's
// 400 problem of type validation. Worldline amounts are bounded too, so that
// sums never overflow into a negative amount.
func TestNegativeAmountsRefused(t *testing.T) {
	c := &client{t: t, sb: newSandbox(t, "")}
	oi := c.activeOptin("o1")
	charged := c.charge(oi, "c1", "5.00")
	chargeID := regexp.MustCompile(`<charge-id>([^<]+)</charge-id>`).FindStringSubmatch(charged)[1]
	for _, amount := range []string{"-1.00", "-0.01", "-0", "-1", "0", "0.00"} {
		for name, call := range map[string][2]string{
			"charge": {"billing/charge", chargeXML(oi, "neg"+amount, amount)},
			"begin-single-charge": {"billing/begin-single-charge", xmlDoc("begin-single-charge-request", "merchant-request-id", "bsc"+amount,
				"merchant-item-description", "thing", "currency", "GBP", "total-amount", amount, "payment-method", "superwallet",
				"hosted", "<forward-url>https://shop.example/done</forward-url>")},
			"refund-charge": {"billing/refund-charge", xmlDoc("refund-charge-request", "merchant-request-id", "rf"+amount, "merchant-refund-id", "mrf"+amount,
				"charge-id", chargeID, "reason-code", "8", "currency", "GBP", "refund-amount", amount)},
			"forex": {"billing/forex", xmlDoc("forex-request", "merchant-request-id", "fx"+amount, "from-currency", "GBP", "to-currency", "EUR", "amount", amount)},
			"fund-check": {"billing/fund-check", xmlDoc("fund-check-request", "merchant-request-id", "fc"+amount, "optin-id", oi, "currency", "GBP",
				"total-amount", amount)},
		} {
			status, text := c.bokuStatus(call[0], call[1])
			if status != 200 || !strings.Contains(text, `<result status="ERROR">`) || !strings.Contains(text, "<reason-code>43</reason-code>") {
				t.Errorf("Boku %s of %s: %d %s", name, amount, status, text)
			}
		}
	}
	if text := c.boku("billing/query-charge", xmlDoc("query-charge-request", "charge-id", chargeID)); !strings.Contains(text, "<total-amount>5.00</total-amount>") {
		t.Errorf("the charge changed: %s", text)
	}

	c.worldlineToken()
	now := time.Now().UTC().Format(time.RFC3339)
	preauth := strings.Replace(paymentJSON("pre", 1000), `"cardPaymentData"`, `"authorizationType":"PRE_AUTHORIZATION","cardPaymentData"`, 1)
	pre := worldlinePayment(t, c, preauth)
	sale := worldlinePayment(t, c, strings.Replace(paymentJSON("sale", 1000), `"cardData"`, `"captureImmediately":true,"cardData"`, 1))
	for _, n := range []int64{-100, -1, 0, math.MinInt64, maxWorldlineAmount + 1, math.MaxInt64} {
		amt := fmt.Sprintf(`{"amount":%d,"currencyCode":"EUR","numberOfDecimals":2}`, n)
		op := func(name string) string {
			return fmt.Sprintf(`"operationId":"%s%d","transactionTimestamp":%q`, name, n, now)
		}
		for name, call := range map[string][2]string{
			"payment":         {"/payments", strings.Replace(paymentJSON(fmt.Sprint("p", n), 1), `"amount":1,`, fmt.Sprintf(`"amount":%d,`, n), 1)},
			"capture":         {"/payments/" + pre + "/captures", "{" + op("c") + `,"amount":` + amt + "}"},
			"increment":       {"/payments/" + pre + "/increments", "{" + op("i") + `,"incrementAmount":` + amt + "}"},
			"reversal":        {"/payments/" + pre + "/authorization-reversals", "{" + op("r") + `,"reversalAmount":` + amt + "}"},
			"refund":          {"/payments/" + sale + "/refunds", "{" + op("f") + `,"amount":` + amt + "}"},
			"standalone":      {"/refunds", strings.Replace(paymentJSON(fmt.Sprint("s", n), 1), `"amount":1,`, fmt.Sprintf(`"amount":%d,`, n), 1)},
			"breakdown parts": {"/payments", strings.Replace(paymentJSON(fmt.Sprint("b", n), 1000), `"cardPaymentData"`, `"amountBreakdownData":{"cashbackAmount":`+amt+`,"tipAmount":`+amt+`},"cardPaymentData"`, 1)},
		} {
			status, text := c.worldline("POST", call[0], call[1])
			if status != 400 || !strings.Contains(text, `"type":"https://sandbox.bokuctl.invalid/errors/validation"`) || !strings.Contains(text, "amount must be") {
				t.Errorf("Worldline %s of %d: %d %s", name, n, status, text)
			}
		}
		status, text := c.do("POST", "/services/v1/"+WorldlineAcquirer+"/"+WorldlineMerchant+"/dcc-rates", "application/json",
			fmt.Sprintf(`{"operationId":"d%d","targetCurrency":"USD","transaction":{"amount":%s,"transactionTimestamp":%q}}`, n, amt, now), worldlineHeaders(c))
		if status != 400 || !strings.Contains(text, "transaction.amount.amount must be") {
			t.Errorf("Worldline dcc-rates of %d: %d %s", n, status, text)
		}
	}
	// Increments stop short of overflowing the authorized amount.
	inc := func(id string, n int64) (int, string) {
		return c.worldline("POST", "/payments/"+pre+"/increments", fmt.Sprintf(`{"operationId":%q,"transactionTimestamp":%q,"incrementAmount":{"amount":%d,"currencyCode":"EUR","numberOfDecimals":2}}`, id, now, n))
	}
	if status, text := inc("big", maxWorldlineAmount-1000); status != 201 || !strings.Contains(text, fmt.Sprintf(`"totalAuthorizedAmount":{"amount":%d,`, int64(maxWorldlineAmount))) {
		t.Fatalf("increment to the maximum: %d %s", status, text)
	}
	if status, text := inc("over", 1); status != 400 || !strings.Contains(text, "would take the authorized amount over") {
		t.Errorf("increment over the maximum: %d %s", status, text)
	}
	if _, text := c.worldline("GET", "/payments/"+pre, ""); strings.Contains(text, `"amount":-`) {
		t.Errorf("a negative amount: %s", text)
	}
}

// maxWorldlineAmount is the Worldline fake's largest amount.
const maxWorldlineAmount = 999_999_999_999

func worldlineHeaders(c *client) map[string]string {
	return map[string]string{
		"Authorization":       "Bearer " + c.token,
		"Date":                time.Now().UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT"),
		"X-WL-ServerMetaInfo": base64.StdEncoding.EncodeToString([]byte(`{"integrator":"test"}`)),
	}
}

// worldlinePayment makes a payment and returns its id.
func worldlinePayment(t *testing.T, c *client, body string) string {
	t.Helper()
	status, text := c.worldline("POST", "/payments", body)
	var p struct{ PaymentID string }
	if status != 201 || json.Unmarshal([]byte(text), &p) != nil || p.PaymentID == "" {
		t.Fatalf("payment: %d %s", status, text)
	}
	return p.PaymentID
}

// A "null" state file is refused, naming the file (TestStateNotAnObject
// covers the other kinds of JSON); so is a log line of null.
func TestStateNull(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"null": "null", "null with spaces": " null\n", "null log line": "{}\nnull\n{}\n"} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := New(path)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "is not a bokuctl sandbox state file") {
			t.Errorf("%s: %v", name, err)
		}
		if name != "null log line" && !strings.Contains(fmt.Sprint(err), "it holds null, not a JSON object") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A sandbox killed (kill -9) while compacting its state leaves the
// temporary file of that write. The next start removes such files, and
// only those: the state file's own, in its folder.
func TestStateLeftoverTempFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	sb := newSandbox(t, path)
	(&client{t: t, sb: sb}).activeOptin("o1")
	if err := sb.Save(); err != nil {
		t.Fatal(err)
	}
	want := canonical(t, sb)
	// Temporary files as atomicfile.Write makes them, never renamed.
	var leftovers []string
	for i := 0; i < 3; i++ {
		f, err := os.CreateTemp(dir, atomicfile.TempPattern(path))
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(`{"boku":{"seq":99`) // half written
		f.Close()
		leftovers = append(leftovers, filepath.Base(f.Name()))
	}
	kept := []string{".state.json.tmp-", ".state.json.tmp-12x", "state.json.tmp-123", ".other.json.tmp-123", ".state.json.tmp-123.bak", "notes.txt"}
	for _, name := range kept {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("keep"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".state.json.tmp-77"), 0o700); err != nil {
		t.Fatal(err)
	}
	kept = append(kept, ".state.json.tmp-77")
	other := filepath.Join(dir, "sub")
	os.Mkdir(other, 0o700)
	os.WriteFile(filepath.Join(other, ".state.json.tmp-5"), []byte("keep"), 0o600)

	if got := canonical(t, newSandbox(t, path)); got != want {
		t.Fatalf("state after the restart:\n%s\nwant\n%s", got, want)
	}
	for _, name := range leftovers {
		if _, err := os.Lstat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("leftover %s still there: %v", name, err)
		}
	}
	for _, name := range append(kept, "state.json", "sub/.state.json.tmp-5") {
		if _, err := os.Lstat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was removed: %v", name, err)
		}
	}
	// A state file in a folder that does not exist yet is not an error.
	if _, err := New(filepath.Join(dir, "missing", "state.json")); err != nil {
		t.Errorf("missing folder: %v", err)
	}
}
