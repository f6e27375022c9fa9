package cmdutil

import (
	"os/exec"
	"testing"
)

func TestShellQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"POST", "POST"},
		{"https://gb-api4-stage.boku.com/billing/3.0/charge", "https://gb-api4-stage.boku.com/billing/3.0/charge"},
		{"", "''"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{"$HOME", "'$HOME'"},
		{"`id`", "'`id`'"},
		{"a\nb", "'a\nb'"},
		{"!x", "'!x'"},
		{`back\slash`, `'back\slash'`},
		{"~user", "'~user'"},
		{"a*b?", "'a*b?'"},
		{"Content-Type: text/xml;charset=utf-8", "'Content-Type: text/xml;charset=utf-8'"},
	} {
		if got := ShellQuote(tc.in); got != tc.want {
			t.Errorf("ShellQuote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// The quoted word is read back by a real shell as the exact bytes.
func TestShellQuoteRoundTripsThroughSh(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, s := range []string{"plain", "it's a 'test'", "$(echo pwned) `id` $HOME", "line1\nline2\n", "tab\there", `\'\\'`, "<?xml version=\"1.0\"?>\n<charge-request>&amp;</charge-request>", "ünïcødé €"} {
		out, err := exec.Command(sh, "-c", "printf %s "+ShellQuote(s)).Output()
		if err != nil {
			t.Fatalf("sh -c: %v", err)
		}
		if string(out) != s {
			t.Errorf("sh read %q back as %q", s, out)
		}
	}
}
