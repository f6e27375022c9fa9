package ottu

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/ottu"
)

// readOnlyPosts are the POSTs that read: the payment methods list and
// the user cards list (POST /b/pbl/v2/card/).
var readOnlyPosts = []string{ottu.Path, "/b/pbl/v2/card/"}

// CheckPath is a `bokuctl api` PATH for Ottu, with a leading /: a path
// under the merchant's host with an optional query, never a URL, and
// with no empty, . or .. segment (but the trailing / Ottu's paths have).
func CheckPath(raw string) (string, error) {
	if strings.Contains(raw, "://") || strings.HasPrefix(raw, "//") {
		return "", errors.New("give a path, not a URL: the host is the profile's ottu.host (or ottu.base-url)")
	}
	path, _, _ := strings.Cut(raw, "?")
	if strings.ContainsAny(raw, "#\\") || strings.Contains(path, "%") {
		return "", errors.New("the path has a fragment, escape or backslash")
	}
	for _, r := range raw {
		if r <= ' ' || r == 0x7f {
			return "", errors.New("the path has a space or control character")
		}
	}
	trimmed := strings.TrimSuffix(strings.TrimPrefix(path, "/"), "/")
	if trimmed == "" {
		return "", errors.New("the path is empty")
	}
	for _, seg := range strings.Split(trimmed, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", errors.New("the path has an empty, . or .. segment")
		}
	}
	if !strings.HasPrefix(raw, "/") {
		raw = "/" + raw
	}
	return raw, nil
}

// API sends one `bokuctl api` request to Ottu with the profile's
// Authorization (API key or basic). Ottu documents no idempotency key:
// a request that can change state (any method but GET and HEAD, except
// the POSTs that list) is journalled under a key of bokuctl's own, which
// Ottu never sees, so a retry is not made safe by it.
func (Provider) API(ctx context.Context, f *cmdutil.Factory, req *provider.APIRequest) error {
	if err := provider.RefuseHeaders(req.Header); err != nil {
		return err
	}
	if req.Country != "" {
		return exitcode.New(exitcode.Usage, "--country does not apply to the ottu provider: it picks Boku's host").WithHint("drop --country")
	}
	path, err := CheckPath(req.Path)
	if err != nil {
		return exitcode.New(exitcode.Usage, "PATH %s: %v", cmdutil.QuoteValue(req.Path), err).WithHint("for example %s", ottu.Path)
	}
	method := strings.ToUpper(req.Method)
	hasBody := req.HasInput || len(req.Fields) > 0
	if method == "" {
		method = "GET"
		if hasBody {
			method = "POST"
		}
	}
	var body []byte
	switch {
	case req.HasInput:
		if !json.Valid(req.Input) {
			return exitcode.New(exitcode.Usage, "--input: not JSON").WithHint("Ottu's bodies are JSON")
		}
		body = req.Input
	case len(req.Fields) > 0 && (method == "GET" || method == "HEAD"):
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + provider.Query(req.Fields)
	case len(req.Fields) > 0:
		if body, err = provider.BuildJSON(req.Fields); err != nil {
			return err
		}
	}
	if body != nil && (method == "GET" || method == "HEAD") {
		return exitcode.New(exitcode.Usage, "-X %s sends no body: drop --input, or use -X POST", method)
	}
	session, err := NewSession(ctx, f, true)
	if err != nil {
		return err
	}
	plain, _, _ := strings.Cut(path, "?")
	mutation := method != "GET" && method != "HEAD" && !(method == "POST" && contains(readOnlyPosts, plain))
	if mutation {
		f.Run.Operation = "api " + method + " " + plain
		key, err := f.Announce(ctx, cmdutil.Intent{Provider: "ottu", Flag: "field", Label: "Journal key", Reuses: true,
			Targets: map[string]string{"method": method, "path": path}})
		if err != nil {
			return err
		}
		f.Printer.Notice("Journal key: %s (Ottu documents no idempotency key: check the outcome before sending this again)", key)
	}
	resp, err := session.Client.Raw(ctx, method, path, body, req.Header, mutation)
	var apiErr *ottu.APIError
	if resp == nil || (err != nil && !errors.As(err, &apiErr)) {
		return explainRaw(err)
	}
	answer := provider.APIAnswer{Status: resp.Status, Header: resp.Header, Body: resp.Body, MaskHeader: maskHeader, Include: req.Include}
	if len(strings.TrimSpace(string(resp.Body))) > 0 && json.Valid(resp.Body) {
		answer.Doc = json.RawMessage(resp.Body)
	}
	if perr := provider.PrintAPI(f, answer); perr != nil {
		return perr
	}
	if err != nil {
		return Failure(err)
	}
	return nil
}

// explainRaw adds hints to the errors a Raw call has besides Failure's.
func explainRaw(err error) error {
	var unknown *ottu.UnknownOutcomeError
	if errors.As(err, &unknown) {
		return &exitcode.Error{Code: exitcode.UnknownOutcome, Err: err,
			Hint: "check what became of it at Ottu before sending it again; then record it with `bokuctl journal settle`"}
	}
	return Failure(err)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
