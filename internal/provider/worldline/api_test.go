package worldline

import (
	"testing"

	"github.com/bokuctl/bokuctl/pkg/journal"
)

func TestExpandPath(t *testing.T) {
	for raw, want := range map[string]string{
		"/processing/v1/{acquirerId}/{merchantId}/payments/pay:ch:1": "/processing/v1/100812/5200/payments/pay:ch:1",
		"/services/v1/ping": "/services/v1/ping",
		"/services/v1/{acquirerId}/{merchantId}/dcc-rates": "/services/v1/100812/5200/dcc-rates",
		"payments":                           "/processing/v1/100812/5200/payments",
		"/payments/p-1/captures":             "/processing/v1/100812/5200/payments/p-1/captures",
		"payments/p-1?returnOperations=true": "/processing/v1/100812/5200/payments/p-1?returnOperations=true",
		"refunds/{merchantId}-r":             "/processing/v1/100812/5200/refunds/5200-r",
	} {
		got, err := ExpandPath(raw, "100812", "5200")
		if err != nil || got != want {
			t.Errorf("ExpandPath(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	for _, raw := range []string{
		"https://evil.example/services/v1/ping", "//evil.example/x", "payments/../../x", "payments//x", "./payments",
		"payments/{paymentId}", "payments/a b", "payments\\x", "payments#f", "payments/%2e%2e", "", "/",
	} {
		if got, err := ExpandPath(raw, "100812", "5200"); err == nil {
			t.Errorf("ExpandPath(%q) = %q, want an error", raw, got)
		}
	}
}

func TestAPIEntry(t *testing.T) {
	for op, want := range map[string]string{
		"api POST payments":                             "charge",
		"api POST payments/p-1/captures":                "charge capture",
		"api POST payments/p-1/increments":              "charge increment",
		"api POST payments/p-1/authorization-reversals": "charge reverse",
		"charge capture":                                "charge capture",
	} {
		e, ok := apiEntry(journal.Entry{Operation: op, Targets: map[string]string{"args": "p-1"}})
		if !ok || e.Operation != want || e.Targets["args"] != "p-1" {
			t.Errorf("apiEntry(%q) = %q %v %v", op, e.Operation, e.Targets, ok)
		}
	}
	for _, op := range []string{"api POST refunds", "api DELETE payments/p-1", "api POST /services/v1/ping", "api POST payments/p-1/refunds"} {
		if _, ok := apiEntry(journal.Entry{Operation: op}); ok {
			t.Errorf("apiEntry(%q) is known", op)
		}
	}
}
