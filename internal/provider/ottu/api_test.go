package ottu

import "testing"

func TestCheckPath(t *testing.T) {
	for raw, want := range map[string]string{
		"/b/pbl/v2/payment-methods/":    "/b/pbl/v2/payment-methods/",
		"b/pbl/v2/card/":                "/b/pbl/v2/card/",
		"/b/checkout/v1/pymt-txn/x?y=1": "/b/checkout/v1/pymt-txn/x?y=1",
	} {
		if got, err := CheckPath(raw); err != nil || got != want {
			t.Errorf("CheckPath(%q) = %q, %v", raw, got, err)
		}
	}
	for _, raw := range []string{"https://evil.example/b/", "//evil.example/b/", "/b/../x", "/b//x", "/", "/b/%2e%2e/", "/a b", "/b#x"} {
		if got, err := CheckPath(raw); err == nil {
			t.Errorf("CheckPath(%q) = %q, want an error", raw, got)
		}
	}
}
