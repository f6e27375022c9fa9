package output

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

func runTemplate(t *testing.T, text, doc string, color bool) (string, error) {
	t.Helper()
	tmpl, err := ParseTemplate(text, color)
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	err = executeTemplate(&out, tmpl, []byte(doc))
	return out.String(), err
}

func TestTemplateFunctions(t *testing.T) {
	doc := `{"status":"succeeded","amount":"4.99","amount_minor_units":499,"currency":"GBP","big":12345678901234567890,
		"time":"2026-11-23T08:01:27.392Z","tags":["a","b"],"rows":[{"id":"ch-1","amount":"1.00"},{"id":"ch-22","amount":"10.50"}],
		"long":"abcdefghij","none":null}`
	for _, c := range []struct{ name, template, want string }{
		{"fields and a newline added", `{{.status}} {{.amount}} {{.currency}}`, "succeeded 4.99 GBP\n"},
		{"numbers exactly as written", `{{.amount_minor_units}} {{.big}}`, "499 12345678901234567890\n"},
		{"no second newline", "{{.status}}\n", "succeeded\n"},
		{"timefmt", `{{timefmt "2006-01-02 15:04" .time}}`, "2026-11-23 08:01\n"},
		{"join", `{{join ", " .tags}}`, "a, b\n"},
		{"pluck and join", `{{join " " (pluck "id" .rows)}}`, "ch-1 ch-22\n"},
		{"truncate", `{{truncate 5 .long}}|{{truncate 20 .long}}`, "abcd…|abcdefghij\n"},
		{"tablerow aligns", `{{range .rows}}{{tablerow .id .amount}}{{end}}`, "ch-1   1.00\nch-22  10.50\n"},
		{"tablerender mid-way", `{{range .rows}}{{tablerow .id}}{{end}}{{tablerender}}total`, "ch-1\nch-22\ntotal\n"},
		{"color off", `{{color "green" .status}}`, "succeeded\n"},
		{"null joins as nothing", `[{{join "," .none}}]`, "[]\n"},
		{"empty output stays empty", `{{if .none}}x{{end}}`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := runTemplate(t, c.template, doc, false)
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
	if got, _ := runTemplate(t, `{{color "red" .status}}`, doc, true); got != "\x1b[31msucceeded\x1b[0m\n" {
		t.Fatalf("color on: %q", got)
	}
}

func TestTemplateErrors(t *testing.T) {
	// A bad template is a usage error, found before anything is sent.
	if _, err := ParseTemplate(`{{.status`, false); exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "--template") {
		t.Fatalf("parse error: %v (exit %d)", err, exitcode.Of(err))
	}
	if _, err := ParseTemplate(`{{nosuchfunc .x}}`, false); exitcode.Of(err) != exitcode.Usage {
		t.Fatalf("unknown function: %v", err)
	}
	for _, c := range []struct{ template, want string }{
		{`{{timefmt "15:04" .status}}`, `"x" is not an RFC 3339 time`},
		{`{{join "," .status}}`, "not a list"},
		{`{{color "purple" .status}}`, `unknown style "purple"`},
	} {
		if _, err := runTemplate(t, c.template, `{"status":"x"}`, false); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.template, err, c.want)
		}
	}
}

// A template that fails on a result prints the result unformatted: a
// request may have been sent, and its answer must not be lost.
func TestTemplateFailureKeepsTheResult(t *testing.T) {
	var out, errOut bytes.Buffer
	p := &Printer{IO: &IOStreams{Out: &out, ErrOut: &errOut}, Format: FormatJSON}
	var err error
	if p.Template, err = ParseTemplate(`{{timefmt "15:04" .id}}`, false); err != nil {
		t.Fatal(err)
	}
	if err := p.Print(map[string]string{"id": "ch-1"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"id": "ch-1"`) || p.FilterErr == nil || !strings.Contains(errOut.String(), "printing the result unformatted") {
		t.Fatalf("out %q, stderr %q, FilterErr %v", out.String(), errOut.String(), p.FilterErr)
	}
}

func TestAgo(t *testing.T) {
	for d, want := range map[time.Duration]string{
		10 * time.Second: "just now", 3 * time.Minute: "3 minutes ago", time.Hour: "1 hour ago",
		-14 * time.Minute: "in 14 minutes", 49 * time.Hour: "2 days ago",
	} {
		if got := ago(d); got != want {
			t.Errorf("ago(%v) = %q, want %q", d, got, want)
		}
	}
}
