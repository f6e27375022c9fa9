package provider

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

func fields(t *testing.T, args ...string) []Field {
	t.Helper()
	var out []Field
	for _, a := range args {
		typed := strings.HasPrefix(a, "F:")
		f, err := ParseField(strings.TrimPrefix(a, "F:"), typed)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

func TestBuildXMLNestsEscapesAndKeepsOrder(t *testing.T) {
	got, err := BuildXML("optin-request", fields(t,
		"merchant-id=m&1", "hosted.forward-url=https://shop.example/?a=1&b=<2>", "country=GB",
		"hosted.use-mobile-flow=true", "timeout.@after=5000", "tag=a", "tag=b", `note="x" y`))
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<optin-request>
  <merchant-id>m&amp;1</merchant-id>
  <hosted>
    <forward-url>https://shop.example/?a=1&amp;b=&lt;2&gt;</forward-url>
    <use-mobile-flow>true</use-mobile-flow>
  </hosted>
  <country>GB</country>
  <timeout after="5000"></timeout>
  <tag>a</tag>
  <tag>b</tag>
  <note>&#34;x&#34; y</note>
</optin-request>
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// What it builds is XML, and reads back the same way.
	root, top, err := XMLTop(got)
	if err != nil || root != "optin-request" || top["merchant-id"] != "m&1" || top["note"] != `"x" y` {
		t.Errorf("XMLTop = %q %v %v", root, top, err)
	}
}

func TestBuildXMLRefusesWhatIsNotAnElement(t *testing.T) {
	for _, args := range [][]string{
		{"a=1", "a.b=2"},     // a value and children
		{"a..b=1"},           // empty part
		{"1a=1"},             // not a name
		{"a b=1"},            // not a name
		{"@x=1"},             // attribute of the request element
		{"a.@x=1", "a.@x=2"}, // twice
		{"a.@x.b=1"},         // attribute not last
		{"xmlns=1"},          // reserved
		{"F:amount=1"},       // typed
	} {
		_, err := BuildXML("r", fields(t, args...))
		if exitcode.Of(err) != exitcode.Usage {
			t.Errorf("BuildXML(%v) = %v, want a usage error", args, err)
		}
	}
}

func TestBuildJSONTypesNestsAndKeepsOrder(t *testing.T) {
	got, err := BuildJSON(fields(t, "operationId=op-1", "F:amount.amount=1234567890123456789", "amount.currencyCode=EUR",
		"F:amount.numberOfDecimals=2", "F:captureImmediately=true", "F:nothing=null", "F:ratio=0.10", "count=7",
		"tags[]=a", "F:tags[]=2", "F:text=not a number"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"operationId":"op-1","amount":{"amount":1234567890123456789,"currencyCode":"EUR","numberOfDecimals":2},"captureImmediately":true,"nothing":null,"ratio":0.10,"count":"7","tags":["a",2],"text":"not a number"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	for _, args := range [][]string{{"a=\xff"}, {"a=1", "a=2"}, {"a=1", "a.b=2"}, {"a=1", "a[]=2"}, {"a[].b=1"}, {"[]=1"}, {".a=1"}} {
		if _, err := BuildJSON(fields(t, args...)); exitcode.Of(err) != exitcode.Usage {
			t.Errorf("BuildJSON(%v) = %v, want a usage error", args, err)
		}
	}
}

func TestParseFieldNeedsNameAndValue(t *testing.T) {
	for _, arg := range []string{"novalue", "=x", ""} {
		if _, err := ParseField(arg, false); exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "-f") {
			t.Errorf("ParseField(%q) = %v", arg, err)
		}
	}
	f, err := ParseField("a=b=c", true)
	if err != nil || f.Name != "a" || f.Value != "b=c" || !f.Typed {
		t.Errorf("ParseField = %+v, %v", f, err)
	}
}

func TestRefuseHeaders(t *testing.T) {
	for _, name := range []string{"Authorization", "authorization", "Proxy-Authorization", "Host", "Content-Length", "Transfer-Encoding", "X-SignedResponse"} {
		h := http.Header{}
		h[name] = []string{"x"}
		err := RefuseHeaders(h, "X-SignedResponse")
		if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "-H "+http.CanonicalHeaderKey(name)) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := RefuseHeaders(http.Header{"X-Request-Note": {"1"}, "Accept-Language": {"en"}}, "X-SignedResponse"); err != nil {
		t.Errorf("ordinary headers refused: %v", err)
	}
}

func TestInsertXMLElementsKeepsTheBody(t *testing.T) {
	body := "<?xml version=\"1.0\"?>\n<query-charge-request>\n  <country>GB</country>\n</query-charge-request>\n"
	got, err := InsertXMLElements([]byte(body), fields(t, "merchant-id=m<1>"))
	if err != nil {
		t.Fatal(err)
	}
	want := "<?xml version=\"1.0\"?>\n<query-charge-request><merchant-id>m&lt;1&gt;</merchant-id>\n  <country>GB</country>\n</query-charge-request>\n"
	if string(got) != want {
		t.Errorf("got %q", got)
	}
	got, err = InsertXMLElements([]byte(`<r a="1" />`), fields(t, "k=v"))
	if err != nil || string(got) != `<r a="1" ><k>v</k></r>` {
		t.Errorf("self-closing: %q %v", got, err)
	}
	if _, _, err := XMLTop([]byte(`<a></a><b></b>`)); err == nil {
		t.Error("two roots accepted")
	}
	if _, _, err := XMLTop([]byte(`{"a":1}`)); err == nil {
		t.Error("JSON accepted as XML")
	}
}

func TestInsertJSONMember(t *testing.T) {
	for body, want := range map[string]string{
		`{"a": 1}`: `{"operationId":"k","a": 1}`,
		` { } `:    ` {"operationId":"k" } `,
		"{\n}":     "{\"operationId\":\"k\"\n}",
	} {
		got := InsertJSONMember([]byte(body), "operationId", "k")
		if string(got) != want || !json.Valid(got) {
			t.Errorf("InsertJSONMember(%q) = %q, want %q", body, got, want)
		}
	}
}

func TestXMLToJSON(t *testing.T) {
	body := `<?xml version="1.0"?>
<query-charge-response>
  <result status="OK"><reason-code>0</reason-code><message>Found 2 result(s)</message></result>
  <charges>
    <charge><charge-id>ch-1</charge-id><total-amount>4.99</total-amount></charge>
    <charge><charge-id>ch-2</charge-id><total-amount>0.10</total-amount><reversal/></charge>
  </charges>
  <timeout after="10">late</timeout>
  <empty/>
</query-charge-response>`
	v, err := XMLToJSON([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(v)
	want := `{"query-charge-response":{"result":{"@status":"OK","reason-code":"0","message":"Found 2 result(s)"},` +
		`"charges":{"charge":[{"charge-id":"ch-1","total-amount":"4.99"},{"charge-id":"ch-2","total-amount":"0.10","reversal":""}]},` +
		`"timeout":{"@after":"10","#text":"late"},"empty":""}}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	three, _ := XMLToJSON([]byte(`<r><a>1</a><b/><a>2</a><a>3</a></r>`))
	if got, _ := json.Marshal(three); string(got) != `{"r":{"a":["1","2","3"],"b":""}}` {
		t.Errorf("repeats: %s", got)
	}
	if _, err := XMLToJSON([]byte(`<r><a></r>`)); err == nil {
		t.Error("broken XML mapped")
	}
}
