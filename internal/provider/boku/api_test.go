package boku

import (
	"testing"

	"github.com/bokuctl/bokuctl/pkg/journal"
)

func TestAPIOperation(t *testing.T) {
	for op, want := range map[string]string{
		"api /billing/3.0/charge":              "charge",
		"api /billing/3.0/begin-single-charge": "charge hosted",
		"api /billing/3.0/reverse-charge":      "charge reverse",
		"api /optin/3.0/optin":                 "optin begin",
		"api /optin/3.0/cancel-optin":          "optin cancel",
		"charge":                               "charge",
	} {
		e, ok := apiOperation(journal.Entry{Key: "k", Operation: op})
		if !ok || e.Operation != want || e.Key != "k" {
			t.Errorf("apiOperation(%q) = %q %q %v", op, e.Operation, e.Key, ok)
		}
	}
	// A refund is asked about by its merchant refund id.
	e, ok := apiOperation(journal.Entry{Key: "k", Operation: "api /billing/3.0/refund-charge", Targets: map[string]string{"merchant-refund-id": "r-1"}})
	if !ok || e.Operation != "refund" || e.Key != "r-1" {
		t.Errorf("refund: %+v %v", e, ok)
	}
	if _, ok := apiOperation(journal.Entry{Operation: "api /account/3.0/update-config"}); ok {
		t.Error("an unknown call is known")
	}
	for _, call := range []string{"query-charge", "query-refund", "forex", "fund-check"} {
		if !readOnlyCalls[call] {
			t.Errorf("%s is not read-only", call)
		}
	}
	for _, call := range []string{"charge", "refund-charge", "optin", "update-config"} {
		if readOnlyCalls[call] {
			t.Errorf("%s is read-only", call)
		}
	}
}
