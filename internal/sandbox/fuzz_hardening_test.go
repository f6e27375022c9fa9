package sandbox

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzStateLoad loads any bytes as a state file (snapshot and log). New
// never panics, and a state it accepts re-saves (Save compacts it) to a
// file that loads to the same state, which re-saves to the same state
// again.
func FuzzStateLoad(f *testing.F) {
	f.Add([]byte(`{"boku":{"seq":3,"optins":[{"RequestID":"r","ID":"oi-000001","MerchantID":"sandbox-merchant","Country":"gb","State":"active"}],` +
		`"charges":[{"ID":"ch-000002","MerchantID":"sandbox-merchant","MerchantRequestID":"c1","OptinID":"oi-000001","Currency":"GBP","Amount":100,"Status":"success","Created":"2025-01-02T03:04:05Z"}],` +
		`"refunds":[{"ID":"rf-000003","ChargeID":"ch-gone","Amount":5}],"reversals":{"m/x":"rv-000004"},"failed_once":{"m/y":true}},` +
		`"worldline":{"payments":[{"ID":"p1","Status":"AUTHORIZED","Currency":"EUR","Decimals":2,"Authorized":100,"Operations":[{"ID":"o","Type":"AUTHORIZATION"}]}],` +
		`"refunds":[{"ID":"r1","PaymentID":"p1","Amount":5}],"operations":{"o":{"fingerprint":"f","status":201,"body":"e30="}},"targets":{"o":"p1"}}}` + "\n" +
		`{"boku":{"seq":9,"charges":[{"ID":"ch-000002","Amount":50}]}}` + "\n" + `{"worldline":{"cardOnFile":{"s":"par"}}}` + "\n"))
	f.Add([]byte("{}\n{\"boku\":{}}\n{\"boku\":"))
	f.Add([]byte(`{"boku":null,"worldline":null}`))
	f.Add([]byte("null"))
	f.Add([]byte(`{"boku":{"charges":[{"ID":"a","Created":"9999-12-31T23:59:59+23:59"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "state.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		sb, err := New(path)
		if err != nil {
			return
		}
		loaded := canonical(t, sb)
		if err := sb.Save(); err != nil {
			t.Fatalf("a loaded state does not save: %v", err)
		}
		again, err := New(path)
		if err != nil {
			t.Fatalf("a loaded state saved to a file New refuses: %v", err)
		}
		if got := canonical(t, again); got != loaded {
			t.Fatalf("re-saved state differs:\n%s\nwas\n%s", got, loaded)
		}
		if err := again.Save(); err != nil {
			t.Fatal(err)
		}
		if got := canonical(t, newSandbox(t, path)); got != loaded {
			t.Fatalf("saved twice, the state differs:\n%s\nwas\n%s", got, loaded)
		}
	})
}
