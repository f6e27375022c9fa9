package bokuspec

import "testing"

// The spec's request bodies are application/xml; Boku's signing examples
// send text/xml: both are XML bodies, anything else is refused.
func TestXMLMediaType(t *testing.T) {
	for ct, want := range map[string]bool{
		"application/xml":                true,
		"application/xml; charset=UTF-8": true,
		"text/xml;charset=utf-8":         true,
		"TEXT/XML":                       true,
		"text/xmlx":                      false,
		"application/json":               false,
		"text/plain":                     false,
		"":                               false,
	} {
		if got := xmlMediaType(ct); got != want {
			t.Errorf("xmlMediaType(%q) = %v, want %v", ct, got, want)
		}
	}
}
