package worldline

import (
	"strings"
	"testing"
)

func TestParseThreeDSecure(t *testing.T) {
	good := `{"authenticationValue":"AAABBEg0VhI0VniQEjRWAAAAAAA=","directoryServerTransactionId":"f25084f0-5b16-4c0a-ae5d-b24808a95e4b","eci":"05","version":"2.2.0"}`
	got, err := ParseThreeDSecure([]byte(good))
	if err != nil || got.ECI != "05" || got.ThreeDSecureType != "THREE_DS" || got.Version != "2.2.0" {
		t.Fatalf("ParseThreeDSecure = %+v, %v", got, err)
	}
	for in, want := range map[string]string{
		`{"eci":"05","version":"2.2.0"}`:                                  "authenticationValue is missing",
		`{"authenticationValue":"x","eci":"5","version":"2.2.0"}`:         `eci "5" is not two digits`,
		`{"authenticationValue":"x","eci":"05","version":"two"}`:          `version "two" is not like 2.2.0`,
		`{"authenticationValue":"x","eci":05,"version":"2.2.0"}`:          "not JSON",
		`{"authenticationValue":"x","eci":"05","version":"2.2","cavv":1}`: "unknown field",
		`{"authenticationValue":7,"eci":"05","version":"2.2.0"}`:          `"authenticationValue" must be a string`,
		`not json`: "not JSON",
	} {
		_, err := ParseThreeDSecure([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "AAAB") {
			t.Errorf("the error quotes the authentication value: %v", err)
		}
	}
}

func FuzzParseThreeDSecure(f *testing.F) {
	f.Add(`{"authenticationValue":"AAAB","eci":"05","version":"2.2.0"}`)
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseThreeDSecure([]byte(in))
		if err != nil {
			if got != nil {
				t.Fatal("a result with an error")
			}
			return
		}
		if got.AuthenticationValue == "" || len(got.ECI) != 2 {
			t.Fatalf("accepted %+v", got)
		}
	})
}
