package ottu

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

func TestNormalizeAndBody(t *testing.T) {
	yes := true
	f, err := Filters{Plugin: "e_commerce", Currencies: []string{"usd", "KWD", "USD"}, Tokenizable: &yes, Tags: []string{"pos", "demo"}}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(f)
	if string(body) != `{"plugin":"e_commerce","currencies":["KWD","USD"],"tokenizable":true,"tags":["demo","pos"]}` {
		t.Fatalf("body %s", body)
	}
	// Unset booleans are not sent at all.
	body, _ = json.Marshal(Filters{Plugin: "e_commerce"})
	if string(body) != `{"plugin":"e_commerce"}` {
		t.Fatalf("minimal body %s", body)
	}
	for _, bad := range []Filters{{}, {Plugin: "x"}, {Plugin: "e_commerce", Operation: "refund"}, {Plugin: "e_commerce", Tags: []string{"fun"}},
		{Plugin: "e_commerce", PaymentServices: []string{"paypal"}}, {Plugin: "e_commerce", Currencies: []string{"KD"}}, {Plugin: "e_commerce", Type: "dev"}} {
		if _, err := bad.Normalize(); exitcode.Of(err) != exitcode.Usage {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestParseLenient(t *testing.T) {
	body := `{"customer_payment_methods":["auto-debit"],"payment_methods":[
	  {"code":"a","name":"kpay","payment_services":["wallet"],"brand_new":1},
	  {"code":"b","name":"mpgs","pg":"Mastercard","payment_services":[{"code":"apple_pay","name":"Apple Pay","name_ar":"x"}]}],
	 "random_field_1":"x"}`
	r, err := Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if r.PaymentMethods[0].PaymentServices[0].Code != "wallet" || r.PaymentMethods[1].PaymentServices[0].Name != "Apple Pay" || r.PaymentMethods[1].PG != "Mastercard" {
		t.Fatalf("%+v", r)
	}
	// An entry without a code (a customer's wallet) is set aside, not an
	// error: the rest of the list stands.
	r, err = Parse([]byte(`{"payment_methods":[{"code":"a","name":"kpay"},{"type":"wallet"}]}`))
	if err != nil || len(r.PaymentMethods) != 1 || r.PaymentMethods[0].Code != "a" || len(r.WithoutCode) != 1 || r.WithoutCode[0].Type != "wallet" {
		t.Fatalf("an entry without code: %v %+v", err, r)
	}
}

func TestErrorShapes(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   string
		code   exitcode.Code
	}{
		{400, `{"plugin":["This field is required."],"currencies":["Expected a list of items."]}`, "currencies: Expected a list of items.; plugin: This field is required.", exitcode.Usage},
		{403, `{"detail":"You do not have permission to perform this action."}`, "You do not have permission", exitcode.Auth},
		{401, `{"error":{"type":"authentication_error","code":"bad_key","message":"Invalid key","field":"Authorization"}}`, "Authorization: Invalid key", exitcode.Auth},
		{429, `{"detail":"Request was throttled."}`, "throttled. (Retry-After: 7)", exitcode.Unavailable},
		{502, `<html>bad gateway</html>`, "<html>bad gateway</html>", exitcode.Unavailable},
		{500, ``, "Internal Server Error", exitcode.Unavailable},
	}
	for _, tt := range tests {
		err := newAPIError(tt.status, map[bool]string{true: "7", false: ""}[tt.status == 429], []byte(tt.body))
		if !strings.Contains(err.Error(), tt.want) || exitcode.Of(err) != tt.code {
			t.Errorf("%d: %v (exit %d)", tt.status, err, exitcode.Of(err))
		}
	}
}

func TestIdentityAndKey(t *testing.T) {
	a := Auth{Scheme: "api-key", APIKey: "super-secret-key"}
	if strings.Contains(a.Identity(), "super-secret") {
		t.Fatal("identity leaks the key")
	}
	f := Filters{Plugin: "e_commerce"}
	if Key("https://h", a, f) != Key("https://h/", a, f) {
		t.Error("trailing slash changes the key")
	}
	if Key("https://h", a, f) == Key("https://h", Auth{Scheme: "api-key", APIKey: "other"}, f) {
		t.Error("another key must be another entry")
	}
	if Key("https://h", a, f) == Key("https://h", a, Filters{Plugin: "payment_request"}) {
		t.Error("other filters must be another entry")
	}
}

func TestCache(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	c := Cache{Dir: filepath.Join(t.TempDir(), "m"), Now: func() time.Time { return now }}
	a := Auth{Scheme: "api-key", APIKey: "k"}
	e := Entry{Key: Key("https://h", a, Filters{Plugin: "e_commerce"}), BaseURL: "https://h", Identity: a.Identity(), FetchedAt: now.Add(-time.Hour), Response: json.RawMessage(`{}`)}
	if err := c.Put(e); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(filepath.Join(c.Dir, e.Key+".json"))
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", info.Mode().Perm())
	}
	if _, ok := c.Get(e.Key, 2*time.Hour); !ok {
		t.Error("fresh entry missed")
	}
	if _, ok := c.Get(e.Key, 30*time.Minute); ok {
		t.Error("stale entry served")
	}
	if n, _ := c.Clear(false, "https://other", a); n != 0 {
		t.Error("cleared another host's entries")
	}
	if n, _ := c.Clear(false, "https://h", a); n != 1 {
		t.Error("did not clear own entry")
	}
}

// FuzzParse: arbitrary bodies never panic the parser.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"payment_methods":[{"code":"a","payment_services":["x",{"code":"y"}]}]}`))
	f.Add([]byte(`{"customer_payment_methods":[1,{"a":2}],"payment_methods":null}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := Parse(body)
		if err == nil {
			for _, m := range r.PaymentMethods {
				if m.Code == "" {
					t.Fatal("method without code accepted")
				}
			}
		}
		newAPIError(400, "", body)
	})
}
