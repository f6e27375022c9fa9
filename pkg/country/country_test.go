package country

import "testing"

func TestCodes(t *testing.T) {
	if n := Count(); n != 249 {
		t.Fatalf("%d codes, want the 249 assigned ISO 3166-1 alpha-2 codes", n)
	}
	for _, ok := range []string{"gb", "GB", "de", "Us", "kw", "zw", "ad"} {
		if !Valid(ok) {
			t.Errorf("%s should be valid", ok)
		}
	}
	for _, bad := range []string{"uk", "UK", "eu", "xx", "g", "gbr", "", "g b", " gb"} {
		if Valid(bad) {
			t.Errorf("%q should not be valid", bad)
		}
	}
	if Hint("UK") != "the United Kingdom's ISO 3166-1 code is gb" {
		t.Error("no hint for uk")
	}
}
