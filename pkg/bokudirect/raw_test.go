package bokudirect

import "testing"

func TestCheckPath(t *testing.T) {
	for _, ok := range []string{"/billing/3.0/query-charge", "/optin/3.0/optin-info/m-1", "/account/3.0/x"} {
		if err := CheckPath(ok); err != nil {
			t.Errorf("CheckPath(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"billing/3.0/charge", "https://evil.example/billing", "//evil.example/x", "/billing/../x",
		"/billing//charge", "/billing/3.0/charge?x=1", "/billing/3.0/charge#x", "/billing/%2e%2e", "/a b", "/a\\b", "/", "/billing/"} {
		if err := CheckPath(bad); err == nil {
			t.Errorf("CheckPath(%q) accepted", bad)
		}
	}
	if CallName("/billing/3.0/query-charge") != "query-charge" {
		t.Error("CallName")
	}
}
