package bokuspec

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/sign"
)

// Example identifiers in the spec's examples, replaced by the fake's.
const (
	exampleOptinID  = "D4q4jgAAAABTRwAAAAAAAA"
	exampleChargeID = "72e6xii7srxdbf6ggkwkxwpk"
)

var testMerchant = Merchant{ID: "gatewaymerchant", KeyID: "key-1", Key: []byte("test-key-not-a-secret")}

// harness is a fake behind httptest with an injectable clock.
type harness struct {
	t   *testing.T
	srv *Server
	ts  *httptest.Server
	now time.Time
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, now: time.Date(2021, 4, 6, 15, 0, 0, 0, time.UTC)}
	h.srv = New(testMerchant)
	h.srv.Now = func() time.Time { return h.now }
	h.ts = httptest.NewServer(h.srv)
	t.Cleanup(h.ts.Close)
	return h
}

func (h *harness) advance(d time.Duration) { h.now = h.now.Add(d) }

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// reply is one answer from the fake.
type reply struct {
	status int
	header http.Header
	body   string
	root   *node
}

// sendAs signs body as merchant m (signing Content-Type when signCT) and
// posts it to path.
func (h *harness) sendAs(m Merchant, method, path, body string, signCT bool) reply {
	h.t.Helper()
	req, err := http.NewRequest(method, h.ts.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml;charset=utf-8")
	var signed []string
	if signCT {
		signed = []string{"Content-Type"}
	}
	params, err := sign.Sign(sign.Message{Method: method, Target: req.URL.RequestURI(),
		Headers: []sign.Header{{Name: "Content-Type", Value: "text/xml;charset=utf-8"}}, Body: []byte(body)},
		m.Key, m.ID, m.KeyID, signed, h.now)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", params.String())
	return h.do(req)
}

func (h *harness) do(req *http.Request) reply {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
	if resp.StatusCode == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
		h.checkSigned(r)
		root, err := parseXML(b)
		if err != nil {
			h.t.Fatalf("response is not XML: %v\n%s", err, b)
		}
		r.root = root
	}
	return r
}

// post sends a call of the JP host, signed with Content-Type.
func (h *harness) post(family, call, body string) reply {
	h.t.Helper()
	r := h.sendAs(testMerchant, http.MethodPost, "/jp/"+family+"/3.0/"+call, body, true)
	if r.status != http.StatusOK {
		h.t.Fatalf("%s: HTTP %d: %s", call, r.status, r.body)
	}
	return r
}

// checkSigned verifies X-SignedResponse with pkg/sign.
func (h *harness) checkSigned(r reply) {
	h.t.Helper()
	var headers []sign.Header
	for name, values := range r.header {
		for _, v := range values {
			headers = append(headers, sign.Header{Name: name, Value: v})
		}
	}
	_, err := sign.Verify(sign.Message{Headers: headers, Body: []byte(r.body)}, r.header.Get("X-SignedResponse"),
		func(partnerID, keyID string) ([]byte, error) {
			if partnerID != testMerchant.ID || keyID != testMerchant.KeyID {
				h.t.Errorf("response signed as %s/%s", partnerID, keyID)
			}
			return testMerchant.Key, nil
		}, h.now, time.Minute)
	if err != nil {
		h.t.Errorf("X-SignedResponse does not verify: %v", err)
	}
}

// text is the text of the element at a slash path below the root.
func (r reply) text(path string) string {
	n := r.root.find(path)
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.text)
}

// expect checks the result's status and reason code.
func (r reply) expect(t *testing.T, status, code string) {
	t.Helper()
	if got := r.root.child("result").attrs["status"]; got != status || r.text("result/reason-code") != code {
		t.Fatalf("result %s %s, want %s %s\n%s", got, r.text("result/reason-code"), status, code, r.body)
	}
}

// shape lists the element and attribute paths of a document, sorted and
// without duplicates: two documents with the same shape use the same
// element names in the same places.
func shape(n *node) []string {
	set := map[string]bool{}
	var walk func(n *node, prefix string)
	walk = func(n *node, prefix string) {
		p := prefix + "/" + n.name
		set[p] = true
		for a := range n.attrs {
			set[p+"@"+a] = true
		}
		for _, k := range n.kids {
			walk(k, p)
		}
	}
	walk(n, "")
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sameShape checks that a response has exactly the shape of the spec's
// example response in testdata.
func sameShape(t *testing.T, r reply, example string) {
	t.Helper()
	want, err := parseXML([]byte(fixture(t, example)))
	if err != nil {
		t.Fatal(err)
	}
	got, w := strings.Join(shape(r.root), "\n"), strings.Join(shape(want), "\n")
	if got != w {
		t.Errorf("response shape differs from %s\ngot:\n%s\nwant:\n%s\nbody:\n%s", example, got, w, r.body)
	}
}

// invalidFieldsOf lists path=reason of a 43 answer.
func invalidFieldsOf(r reply) []string {
	var out []string
	if f := r.root.find("result/invalid-request-fields"); f != nil {
		for _, k := range f.kids {
			out = append(out, k.attrs["path"]+"="+k.attrs["reason"])
		}
	}
	return out
}

// without removes the first element named name (with its content) from an
// XML fixture.
func without(doc, name string) string {
	re := regexp.MustCompile(`(?s)\s*<` + regexp.QuoteMeta(name) + `(\s[^>]*)?(/>|>.*?</` + regexp.QuoteMeta(name) + `>)`)
	loc := re.FindStringIndex(doc)
	if loc == nil {
		panic("no element " + name)
	}
	return doc[:loc[0]] + doc[loc[1]:]
}

// replaceElem sets the text of the first element named name.
func replaceElem(doc, name, value string) string {
	re := regexp.MustCompile(`<` + regexp.QuoteMeta(name) + `>[^<]*</` + regexp.QuoteMeta(name) + `>`)
	done := false
	return re.ReplaceAllStringFunc(doc, func(s string) string {
		if done {
			return s
		}
		done = true
		return "<" + name + ">" + value + "</" + name + ">"
	})
}

// activeOptin runs the spec's opt-in examples to an active opt-in and
// returns its id.
func (h *harness) activeOptin() string {
	h.t.Helper()
	r := h.post("optin", "optin", fixture(h.t, "optin_request.xml"))
	r.expect(h.t, "OK", "0")
	id := r.text("optin-id")
	if err := h.srv.ApproveOptin(id); err != nil {
		h.t.Fatal(err)
	}
	h.post("optin", "validate-optin", strings.ReplaceAll(fixture(h.t, "validate_optin_request.xml"), exampleOptinID, id)).expect(h.t, "OK", "0")
	h.post("optin", "confirm-optin", strings.ReplaceAll(fixture(h.t, "confirm_optin_request.xml"), exampleOptinID, id)).expect(h.t, "OK", "0")
	return id
}

// chargeDoc is the spec's sync charge example for optin id, with a
// merchant-request-id and amount.
func chargeDoc(t *testing.T, optinID, mrid, amount string) string {
	doc := strings.ReplaceAll(fixture(t, "charge_request_sync.xml"), exampleOptinID, optinID)
	doc = replaceElem(doc, "merchant-request-id", mrid)
	return replaceElem(doc, "total-amount", amount)
}

// postIn is post to the host of another country (lower case).
func (h *harness) postIn(country, family, call, body string) reply {
	h.t.Helper()
	r := h.sendAs(testMerchant, http.MethodPost, "/"+country+"/"+family+"/3.0/"+call, body, true)
	if r.status != http.StatusOK {
		h.t.Fatalf("%s: HTTP %d: %s", call, r.status, r.body)
	}
	return r
}

// inCountry rewrites a spec example's <country> (JP) to country.
func inCountry(doc, country string) string {
	return strings.ReplaceAll(doc, "<country>JP</country>", "<country>"+strings.ToUpper(country)+"</country>")
}

// activeOptinIn is activeOptin in another country: a charge's currency
// must be one of its opt-in's country.
func (h *harness) activeOptinIn(country string) string {
	h.t.Helper()
	if country == "jp" {
		return h.activeOptin()
	}
	r := h.postIn(country, "optin", "optin", replaceElem(inCountry(fixture(h.t, "optin_request.xml"), country), "merchant-request-id", "optin-"+country))
	r.expect(h.t, "OK", "0")
	id := r.text("optin-id")
	if err := h.srv.ApproveOptin(id); err != nil {
		h.t.Fatal(err)
	}
	h.postIn(country, "optin", "validate-optin", replaceElem(inCountry(strings.ReplaceAll(fixture(h.t, "validate_optin_request.xml"), exampleOptinID, id), country), "merchant-request-id", "validate-"+country)).expect(h.t, "OK", "0")
	h.postIn(country, "optin", "confirm-optin", replaceElem(inCountry(strings.ReplaceAll(fixture(h.t, "confirm_optin_request.xml"), exampleOptinID, id), country), "merchant-request-id", "confirm-"+country)).expect(h.t, "OK", "0")
	return id
}
