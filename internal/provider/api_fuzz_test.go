package provider

import (
	"encoding/json"
	"strings"
	"testing"
)

// An answer from a provider is outside input: mapping it never panics,
// and what it maps is valid JSON.
func FuzzXMLToJSON(f *testing.F) {
	for _, seed := range []string{
		`<r><a>1</a><a>2</a><b x="y">t</b></r>`,
		`<?xml version="1.0"?><query-charge-response><charges/></query-charge-response>`,
		`<r><a><b/></a>text<a/></r>`, `<r`, ``, `<a></b>`, `<r>&amp;&#0;</r>`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		v, err := XMLToJSON([]byte(body))
		if err != nil {
			return
		}
		data, err := json.Marshal(v)
		if err != nil || !json.Valid(data) {
			t.Fatalf("XMLToJSON(%q) gave invalid JSON %q: %v", body, data, err)
		}
	})
}

// Whatever fields are given, BuildXML either refuses them or builds XML
// whose values read back as given.
func FuzzBuildXML(f *testing.F) {
	f.Add("merchant-id", "m&<>\"'1")
	f.Add("a.b", "v")
	f.Add("a.@x", "1")
	f.Fuzz(func(t *testing.T, name, value string) {
		body, err := BuildXML("r", []Field{{Name: name, Value: value}})
		if err != nil {
			return
		}
		root, top, err := XMLTop(body)
		if err != nil || root != "r" {
			t.Fatalf("BuildXML(%q=%q) = %q, not XML: %v", name, value, body, err)
		}
		// XML reads \r\n and \r back as \n; every other value as given.
		if got, ok := top[name]; ok && got != value && !strings.Contains(value, "\r") {
			t.Fatalf("BuildXML(%q=%q): reads back %q", name, value, got)
		}
	})
}
