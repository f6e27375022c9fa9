package worldline

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/money"
)

// ExpandPath is the path (with its query) a `bokuctl api` PATH names:
// {acquirerId} and {merchantId} become the profile's ids; a path under
// one of the API's services (/processing/v1/…, /services/v1/…) is kept,
// any other is taken as under the merchant's resources
// (/processing/v1/{acquirerId}/{merchantId}/). A URL with a host, or a
// path with an empty, . or .. segment, a backslash, a fragment or a
// space, is refused: the request cannot leave the profile's host.
func ExpandPath(raw, acquirerID, merchantID string) (string, error) {
	if strings.Contains(raw, "://") || strings.HasPrefix(raw, "//") {
		return "", errors.New("give a path, not a URL: the host is the profile's worldline.api-url")
	}
	raw = strings.NewReplacer("{acquirerId}", acquirerID, "{merchantId}", merchantID).Replace(raw)
	path, query, _ := strings.Cut(raw, "?")
	if strings.ContainsAny(path, "#\\%") || strings.ContainsAny(query, "#") {
		return "", errors.New("the path has a fragment, escape or backslash")
	}
	for _, r := range raw {
		if r <= ' ' || r == 0x7f {
			return "", errors.New("the path has a space or control character")
		}
	}
	path = strings.TrimPrefix(path, "/")
	if path == "" {
		return "", errors.New("the path is empty")
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", errors.New("the path has an empty, . or .. segment")
		}
	}
	if strings.Contains(path, "{") || strings.Contains(path, "}") {
		return "", errors.New("the path has a placeholder other than {acquirerId} and {merchantId}")
	}
	path = "/" + path
	if !servicePath().MatchString(path) {
		path = "/processing/v1/" + acquirerID + "/" + merchantID + path
	}
	if query != "" {
		path += "?" + query
	}
	return path, nil
}

// servicePath matches a path under one of the API's services and
// versions: /processing/v1/…, /services/v1/….
func servicePath() *regexp.Regexp { return regexp.MustCompile(`^/[a-z][a-z-]*/v[0-9]+(/|$)`) }

// readOnlyPost reports a POST that reads, as the client sends it: balance
// inquiries and DCC rate quotes change nothing.
func readOnlyPost(path string) bool {
	path, _, _ = strings.Cut(path, "?")
	return strings.HasSuffix(path, "/balance-inquiries") || strings.HasSuffix(path, "/dcc-rates")
}

// API sends one `bokuctl api` request to Worldline with the OAuth token
// the client gets, Worldline's headers and the masking of --debug. A
// request that can change state (any method but GET and HEAD, except the
// read-only POSTs) is journalled under the body's operationId, filled in
// when absent.
func (Provider) API(ctx context.Context, f *cmdutil.Factory, req *provider.APIRequest) error {
	if err := provider.RefuseHeaders(req.Header); err != nil {
		return err
	}
	if req.Country != "" {
		return exitcode.New(exitcode.Usage, "--country does not apply to the worldline provider: it picks Boku's host").WithHint("drop --country")
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
	var top map[string]json.RawMessage
	var err error
	query := ""
	switch {
	case req.HasInput:
		if top, err = provider.JSONTop(req.Input); err != nil {
			return exitcode.New(exitcode.Usage, "--input: %v", err).WithHint("Worldline's bodies are JSON objects")
		}
		body = req.Input
	case len(req.Fields) > 0 && (method == "GET" || method == "HEAD"):
		query = provider.Query(req.Fields)
	case len(req.Fields) > 0:
		if body, err = provider.BuildJSON(req.Fields); err != nil {
			return err
		}
		top, _ = provider.JSONTop(body)
	}
	if body != nil && (method == "GET" || method == "HEAD") {
		return exitcode.New(exitcode.Usage, "-X %s sends no body: drop --input, or use -X POST", method)
	}
	session, err := NewSession(ctx, f)
	if err != nil {
		return err
	}
	path, err := ExpandPath(req.Path, session.Client.AcquirerID(), session.Client.MerchantID())
	if err != nil {
		return exitcode.New(exitcode.Usage, "PATH %s: %v", cmdutil.QuoteValue(req.Path), err).
			WithHint("for example /processing/v1/{acquirerId}/{merchantId}/payments/PAYMENT_ID, or payments/PAYMENT_ID")
	}
	if query != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + query
	}
	mutation := method != "GET" && method != "HEAD" && !readOnlyPost(path)
	key := ""
	if raw, ok := top["operationId"]; ok {
		if json.Unmarshal(raw, &key) != nil || !cmdutil.ValidKey(key) {
			return exitcode.New(exitcode.Usage, "operationId %s: use a string of 1 to 64 letters, digits or . _ : -", string(raw))
		}
	}
	statusCmd := ""
	if mutation {
		if body == nil {
			body = []byte("{}")
		}
		f.Run.Operation = "api " + method + " " + strings.TrimPrefix(path, session.Client.MerchantPrefix()+"/")
		given := key
		// Reuses: the key notice is this command's own (below), which
		// says how to send the key again with -f or in the body.
		in := cmdutil.Intent{Provider: string(provider.Worldline), Key: key, Flag: "field operationId",
			Label: "Operation ID", Reuses: true, Targets: map[string]string{"method": method, "path": path}}
		in.Amount = bodyAmount(top)
		if key, err = f.Announce(ctx, in); err != nil {
			return err
		}
		how := "send the same body again"
		if given == "" {
			body = provider.InsertJSONMember(body, "operationId", key)
			how = "filled in; send it again with -f operationId=" + key + " (or in the body)"
		}
		f.Printer.Notice("Operation ID: %s (%s to retry safely)", key, how)
		statusCmd = "bokuctl reconcile" + session.ProfileArg + " (Worldline has no lookup by operation id; `bokuctl operation reverse " + key + "` undoes it)"
	}
	resp, err := session.Client.Raw(ctx, method, path, body, req.Header, key, mutation)
	var apiErr *acquiring.APIError
	if resp == nil || (err != nil && !errors.As(err, &apiErr)) {
		return Explain(err, statusCmd)
	}
	answer := provider.APIAnswer{Status: resp.Status, Header: resp.Header, Body: resp.Body, MaskHeader: acquiring.MaskHeader, Include: req.Include}
	var fields struct {
		PaymentID, RefundID  string
		ResponseCodeCategory string `json:"responseCodeCategory"`
	}
	if len(strings.TrimSpace(string(resp.Body))) > 0 && json.Valid(resp.Body) {
		answer.Doc = json.RawMessage(resp.Body)
		answer.Journal = json.RawMessage(acquiring.MaskBody(resp.Body))
		json.Unmarshal(resp.Body, &fields)
		answer.ID = fields.PaymentID + fields.RefundID
	}
	if perr := provider.PrintAPI(f, answer); perr != nil {
		return perr
	}
	if err != nil {
		return Explain(err, statusCmd)
	}
	if mutation && fields.ResponseCodeCategory == "DECLINED" {
		return exitcode.New(exitcode.Declined, "worldline: declined (responseCodeCategory DECLINED)")
	}
	return nil
}

// bodyAmount is the body's amount {amount, currencyCode,
// numberOfDecimals} when it is whole minor units in the currency's own
// exponent, for the journal's amount column (nil otherwise).
func bodyAmount(top map[string]json.RawMessage) *money.Amount {
	var a struct {
		Amount           *int64 `json:"amount"`
		CurrencyCode     string `json:"currencyCode"`
		NumberOfDecimals *int   `json:"numberOfDecimals"`
	}
	if raw, ok := top["amount"]; !ok || json.Unmarshal(raw, &a) != nil || a.Amount == nil || a.NumberOfDecimals == nil {
		return nil
	}
	amount, err := money.FromMinor(*a.Amount, a.CurrencyCode)
	if err != nil || amount.Currency.Exponent != *a.NumberOfDecimals {
		return nil
	}
	return &amount
}

// apiEntry is the entry an `api` row of Worldline settles as: a payment
// (POST …/payments) as a charge, an operation on one (captures,
// increments, authorization-reversals) as that charge verb on its
// payment; false for any other row of `api`.
func apiEntry(e journal.Entry) (journal.Entry, bool) {
	rest, ok := strings.CutPrefix(e.Operation, "api POST ")
	if !ok {
		return e, !strings.HasPrefix(e.Operation, "api ")
	}
	rest, _, _ = strings.Cut(rest, "?")
	segs := strings.Split(rest, "/")
	switch {
	case len(segs) == 1 && segs[0] == "payments":
		e.Operation = "charge"
		return e, true
	case len(segs) == 3 && segs[0] == "payments":
		verb := map[string]string{"captures": "charge capture", "increments": "charge increment", "authorization-reversals": "charge reverse"}[segs[2]]
		if verb == "" {
			return e, false
		}
		e.Operation = verb
		e.Targets = map[string]string{"args": segs[1]}
		return e, true
	}
	return e, false
}
