package cmdutil

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/bokuctl/bokuctl/pkg/output"
)

func dryRunFactory(t *testing.T, curl bool) (*Factory, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := NewFactory(&output.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, func(string) string { return "" })
	f.DryRun, f.Curl = true, curl
	f.ProfileFlag = "shop"
	printer, err := output.NewPrinter(f.IO, output.FormatTable, "")
	if err != nil {
		t.Fatal(err)
	}
	f.Printer = printer
	return f, &out, &errOut
}

func maskAuth(name, value string) string {
	if strings.EqualFold(name, "Authorization") {
		return "Bearer ****"
	}
	return value
}

// The dry run's client captures the first request, masked, answers
// ErrDryRun to it and to every later one, and sends nothing.
func TestDryRunCapturesTheFirstRequestOnly(t *testing.T) {
	f, out, _ := dryRunFactory(t, false)
	client := f.HTTPClient(maskAuth, nil, WithDryRunView(DryRunView{Provider: "test"}))
	for i, body := range []string{`{"first":true}`, `{"second":true}`} {
		req, _ := http.NewRequest(http.MethodPost, "https://api.example/pay", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer secret-token-123")
		req.Header.Set("Content-Type", "application/json")
		_, err := client.Do(req)
		if !errors.Is(err, ErrDryRun) {
			t.Fatalf("request %d: err = %v, want ErrDryRun", i, err)
		}
	}
	if err := f.EndDryRun(errors.New("wrapped by the client")); err != nil {
		t.Fatalf("EndDryRun = %v, want nil once a request was captured", err)
	}
	got := out.String()
	want := "POST https://api.example/pay\nAuthorization: Bearer ****\nContent-Type: application/json\n\n{\"first\":true}\n"
	if got != want {
		t.Fatalf("printed\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(got, "secret-token-123") || strings.Contains(got, "second") {
		t.Fatal("the secret or the second request was printed")
	}
}

// Without a captured request the run's own error stands (bad input), and
// a command that sent nothing says so.
func TestEndDryRunWithoutARequest(t *testing.T) {
	f, out, errOut := dryRunFactory(t, false)
	bad := errors.New("bad input")
	if err := f.EndDryRun(bad); err != bad {
		t.Fatalf("EndDryRun = %v, want the run's error", err)
	}
	if err := f.EndDryRun(nil); err != nil || out.Len() != 0 || !strings.Contains(errOut.String(), "sent no request") {
		t.Fatalf("err %v, stdout %q, stderr %q", err, out, errOut)
	}
}

// --curl: a masked header becomes the provider's word, or an environment
// variable named after it with the scheme kept; the rest is quoted.
func TestDryRunCurl(t *testing.T) {
	for _, tc := range []struct {
		name string
		view DryRunView
		want string
	}{
		{"fallback", DryRunView{}, `-H "Authorization: Bearer $BOKUCTL_AUTHORIZATION"`},
		{"provider", DryRunView{Curl: func(_ *http.Request, _ []byte, name, _ string) (string, bool) {
			return `"` + name + `: Bearer $WORLDLINE_TOKEN"`, true
		}}, `-H "Authorization: Bearer $WORLDLINE_TOKEN"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, out, _ := dryRunFactory(t, true)
			client := f.HTTPClient(maskAuth, nil, WithDryRunView(tc.view))
			req, _ := http.NewRequest(http.MethodPost, "https://api.example/pay", strings.NewReader(`{"note":"it's $x"}`))
			req.Header.Set("Authorization", "Bearer secret-token-123")
			client.Do(req)
			if err := f.EndDryRun(ErrDryRun); err != nil {
				t.Fatal(err)
			}
			got := out.String()
			for _, want := range []string{"curl -sS -X POST https://api.example/pay \\\n", tc.want, `--data-binary '{"note":"it'\''s $x"}'`} {
				if !strings.Contains(got, want) {
					t.Errorf("curl output lacks %s:\n%s", want, got)
				}
			}
			if strings.Contains(got, "secret-token-123") {
				t.Errorf("the token leaked:\n%s", got)
			}
		})
	}
}

// A check value is added for a masked header; a masked body is flagged,
// and a body the mask only re-indents is shown as sent.
func TestDryRunChecksAndBodies(t *testing.T) {
	reindent := func(b []byte) []byte {
		if bytes.Contains(b, []byte("card")) {
			return []byte(`{"card": "****"}`)
		}
		return []byte("{\n    \"a\": 1\n}")
	}
	for _, tc := range []struct {
		body       string
		wantBody   string
		wantMasked bool
	}{
		{`{"a":1}`, `{"a":1}`, false},
		{`{"card":"4111111111111111"}`, `{"card": "****"}`, true},
	} {
		f, _, _ := dryRunFactory(t, false)
		client := f.HTTPClient(maskAuth, reindent, WithDryRunView(DryRunView{Check: func(name, value string) (string, string, bool) {
			return "token_len", "23", name == "Authorization"
		}}))
		req, _ := http.NewRequest(http.MethodPost, "https://api.example/pay", strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer secret-token-123")
		client.Do(req)
		r := f.dryRunLog().requests[0]
		if r.Body != tc.wantBody || r.BodyMasked != tc.wantMasked || r.Checks["token_len"] != "23" {
			t.Errorf("body %q: shown %q masked %v checks %v", tc.body, r.Body, r.BodyMasked, r.Checks)
		}
	}
}

// Outside a dry run the client is the ordinary one.
func TestNoDryRunTransportOutsideADryRun(t *testing.T) {
	f, _, _ := dryRunFactory(t, false)
	f.DryRun = false
	if _, ok := f.HTTPClient(nil, nil).Transport.(*dryRunTransport); ok {
		t.Fatal("a dry-run transport outside a dry run")
	}
}
