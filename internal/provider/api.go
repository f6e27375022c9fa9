package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// APIRequest is one `bokuctl api` request as the command parsed it. The
// provider checks it against its own rules before anything is sent.
type APIRequest struct {
	// Method is -X ("" when not given: POST with a body, else GET).
	Method string
	// Path is the PATH argument, as given.
	Path string
	// Input is the body --input gave (HasInput: it was given).
	Input    []byte
	HasInput bool
	// Fields are the -f and -F fields, in order.
	Fields []Field
	// Header holds the -H headers.
	Header http.Header
	// Include is -i: print the status line and headers first.
	Include bool
	// Country is --country (Boku's host).
	Country string
}

// Field is one -f name=value (a string) or -F name=value (typed: true,
// false, null and numbers are JSON's; @file was read by the command).
type Field struct {
	Name, Value string
	Typed       bool
}

// Flag names the field as the user gave it, for messages.
func (f Field) Flag() string {
	if f.Typed {
		return "-F " + f.Name
	}
	return "-f " + f.Name
}

// APICaller is a provider that sends a request `bokuctl api` describes
// with its own signing or token, checks the answer as its client checks
// every answer, journals a request that can change state through
// f.Announce, prints the answer and returns the error that carries the
// exit code.
type APICaller interface {
	API(ctx context.Context, f *cmdutil.Factory, req *APIRequest) error
}

// ParseField reads "name=value" of -f (typed false) or -F (typed true).
func ParseField(arg string, typed bool) (Field, error) {
	flag := "-f"
	if typed {
		flag = "-F"
	}
	name, value, ok := strings.Cut(arg, "=")
	if !ok || name == "" {
		return Field{}, exitcode.New(exitcode.Usage, "%s %s: give name=value", flag, cmdutil.QuoteValue(arg)).
			WithHint("for example %s merchant-request-id=order-1; nested names use dots: %s hosted.forward-url=https://shop.example/done", flag, flag)
	}
	return Field{Name: name, Value: value, Typed: typed}, nil
}

// refusedHeaders are the headers -H never sets: the client owns them.
var refusedHeaders = []string{"Authorization", "Proxy-Authorization", "Host", "Content-Length", "Transfer-Encoding"}

// RefuseHeaders fails, naming the first one, when h sets a header the
// client owns (Authorization, Proxy-Authorization, Host, Content-Length,
// Transfer-Encoding) or one of also (a provider's signed headers).
func RefuseHeaders(h http.Header, also ...string) error {
	refused := append(append([]string(nil), refusedHeaders...), also...)
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, r := range refused {
			if strings.EqualFold(name, r) {
				return exitcode.New(exitcode.Usage, "-H %s: bokuctl sets this header itself (signature, credentials or framing); nothing was sent", http.CanonicalHeaderKey(name)).
					WithHint("drop -H %s; the profile's credentials are used", http.CanonicalHeaderKey(name))
			}
		}
	}
	return nil
}

// segments splits a field name on dots, refusing an empty segment.
func segments(f Field) ([]string, error) {
	segs := strings.Split(f.Name, ".")
	for _, s := range segs {
		if s == "" {
			return nil, exitcode.New(exitcode.Usage, "%s: a name has an empty part", f.Flag()).WithHint("nested names are a.b.c, with no empty part")
		}
	}
	return segs, nil
}

// jsonObject is a JSON object that keeps its members in the order they
// were added.
type jsonObject struct {
	keys   []string
	values map[string]any
}

func newJSONObject() *jsonObject { return &jsonObject{values: map[string]any{}} }

func (o *jsonObject) set(key string, v any) {
	if _, ok := o.values[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.values[key] = v
}

// MarshalJSON writes the members in order.
func (o *jsonObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		key, _ := json.Marshal(k)
		buf.Write(key)
		buf.WriteByte(':')
		v, err := marshalNoEscape(o.values[k])
		if err != nil {
			return nil, err
		}
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// typedValue is -F's value: true, false and null as JSON's, a JSON
// number kept exact (never a float), anything else a string.
func typedValue(s string) any {
	switch s {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	var n json.Number
	if json.Unmarshal([]byte(s), &n) == nil && s != "" && strings.TrimSpace(s) == s {
		return n
	}
	return s
}

// BuildJSON builds a JSON object from fields, in their order: a.b=v
// nests objects, a name ending in [] appends to an array (tags[]=x),
// -f values are strings and -F values typed (typedValue).
func BuildJSON(fields []Field) ([]byte, error) {
	root := newJSONObject()
	for _, f := range fields {
		segs, err := segments(f)
		if err != nil {
			return nil, err
		}
		if !utf8.ValidString(f.Value) {
			return nil, exitcode.New(exitcode.Usage, "%s: the value is not UTF-8", f.Flag())
		}
		var v any = f.Value
		if f.Typed {
			v = typedValue(f.Value)
		}
		cur := root
		for i, s := range segs {
			last := i == len(segs)-1
			if strings.HasSuffix(s, "[]") {
				if !last || s == "[]" {
					return nil, exitcode.New(exitcode.Usage, "%s: [] appends to an array and only ends a name", f.Flag()).WithHint("for example -f tags[]=a -f tags[]=b")
				}
				s = strings.TrimSuffix(s, "[]")
				existing, had := cur.values[s]
				list, isList := existing.([]any)
				if had && !isList {
					return nil, exitcode.New(exitcode.Usage, "%s: %s already has a value that is not an array", f.Flag(), s)
				}
				cur.set(s, append(list, v))
				break
			}
			if last {
				if _, had := cur.values[s]; had {
					return nil, exitcode.New(exitcode.Usage, "%s is given twice", f.Flag()).WithHint("give each name once; append to an array with name[]=value")
				}
				cur.set(s, v)
				break
			}
			next, had := cur.values[s]
			obj, isObj := next.(*jsonObject)
			switch {
			case had && !isObj:
				return nil, exitcode.New(exitcode.Usage, "%s: %s already has a value that is not an object", f.Flag(), strings.Join(segs[:i+1], "."))
			case !had:
				obj = newJSONObject()
				cur.set(s, obj)
			}
			cur = obj
		}
	}
	return root.MarshalJSON()
}

// Query is fields as a URL query, for a GET (as gh api sends them).
func Query(fields []Field) string {
	q := url.Values{}
	var order []string
	for _, f := range fields {
		if _, ok := q[f.Name]; !ok {
			order = append(order, f.Name)
		}
		q.Add(f.Name, f.Value)
	}
	var parts []string
	for _, name := range order {
		for _, v := range q[name] {
			parts = append(parts, url.QueryEscape(name)+"="+url.QueryEscape(v))
		}
	}
	return strings.Join(parts, "&")
}

// JSONTop checks that body is one JSON object and returns its top-level
// string members (what an idempotency key is read from).
func JSONTop(body []byte) (map[string]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(body)
	if !json.Valid(trimmed) {
		var v any
		err := json.Unmarshal(trimmed, &v)
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	var top map[string]json.RawMessage
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &top) != nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	return top, nil
}

// InsertJSONMember adds "name": value (a string) as the first member of
// the JSON object body, leaving every other byte as it was.
func InsertJSONMember(body []byte, name, value string) []byte {
	i := bytes.IndexByte(body, '{')
	member, _ := json.Marshal(name)
	v, _ := json.Marshal(value)
	member = append(append(member, ':'), v...)
	rest := bytes.TrimSpace(body[i+1:])
	if !bytes.HasPrefix(rest, []byte("}")) {
		member = append(member, ',')
	}
	out := append([]byte(nil), body[:i+1]...)
	out = append(out, member...)
	return append(out, body[i+1:]...)
}

// APIAnswer is what a provider received, for PrintAPI.
type APIAnswer struct {
	Status int
	Header http.Header
	Body   []byte
	// Doc is the answer as JSON for -o json, --jq and the journal (nil:
	// no body); Journal, when set, is what the journal keeps instead
	// (the answer masked).
	Doc, Journal any
	// ID is what the answer names (a charge, refund, payment id).
	ID string
	// MaskHeader masks -i's headers as --debug masks them.
	MaskHeader func(name, value string) string
	Include    bool
}

// apiResult is an answer as a result: its JSON, and the id it names.
type apiResult struct {
	doc any
	id  string
}

func (r apiResult) MarshalJSON() ([]byte, error) { return marshalNoEscape(r.doc) }

// Made is the id the answer names.
func (r apiResult) Made() (id, amount, currency string) { return r.id, "", "" }

// PrintAPI prints an answer on stdout: with -i the status line and the
// headers (masked as --debug masks them) first, then the body as the
// provider sent it, or its JSON with -o json, --json or --jq. The
// journal keeps the JSON (masked when the provider says so).
func PrintAPI(f *cmdutil.Factory, a APIAnswer) error {
	out := f.IO.Out
	var head bytes.Buffer
	if a.Include {
		fmt.Fprintf(&head, "HTTP %d %s\n", a.Status, http.StatusText(a.Status))
		names := make([]string, 0, len(a.Header))
		for name := range a.Header {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			for _, v := range a.Header[name] {
				if a.MaskHeader != nil {
					v = a.MaskHeader(name, v)
				}
				fmt.Fprintf(&head, "%s: %s\n", name, v)
			}
		}
		head.WriteString("\n")
	}
	if _, err := out.Write(head.Bytes()); err != nil && !f.Sent() {
		return err
	}
	if a.Doc != nil {
		journal := a.Journal
		if journal == nil {
			journal = a.Doc
		}
		if data, err := marshalNoEscape(journal); err == nil {
			f.RecordResult(apiResult{doc: journal, id: a.ID}, data)
		}
	}
	if f.Printer.JSON() {
		if a.Doc == nil {
			return nil
		}
		recorder := f.Printer.Recorder
		f.Printer.Recorder = nil
		defer func() { f.Printer.Recorder = recorder }()
		return f.Printer.Print(apiResult{doc: a.Doc, id: a.ID})
	}
	body := a.Body
	if len(body) > 0 && body[len(body)-1] != '\n' {
		body = append(append([]byte(nil), body...), '\n')
	}
	if _, err := out.Write(body); err != nil {
		if f.Sent() {
			f.Printer.Notice("Warning: the answer could not be written to stdout (%v); the exit code is the request's outcome", err)
			return nil
		}
		return err
	}
	return nil
}
