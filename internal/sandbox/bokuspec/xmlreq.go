package bokuspec

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// node is one element of a request document. Requests are read into this
// generic tree rather than into fixed structs so that unknown elements are
// ignored (as Boku does, reference §3) and a missing required element can be
// told apart from an empty one.
type node struct {
	name  string
	attrs map[string]string
	text  string
	kids  []*node
}

// Parser limits: a request is a shallow document of a few dozen elements.
const (
	maxDepth    = 16
	maxElements = 1000
)

var errNotXML = errors.New("request body is not an XML document")

// parseXML reads body as one XML document and returns its root element. It
// never panics, whatever the input (see FuzzParseXML).
func parseXML(body []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	d.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		if strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "utf8") {
			return input, nil
		}
		return nil, fmt.Errorf("unsupported charset %q", charset)
	}
	var root *node
	var stack []*node
	count := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errNotXML, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if count > maxElements || len(stack) >= maxDepth {
				return nil, fmt.Errorf("%w: too many or too deeply nested elements", errNotXML)
			}
			n := &node{name: t.Name.Local, attrs: map[string]string{}}
			for _, a := range t.Attr {
				if _, dup := n.attrs[a.Name.Local]; !dup {
					n.attrs[a.Name.Local] = a.Value
				}
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("%w: more than one root element", errNotXML)
				}
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.kids = append(parent.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, fmt.Errorf("%w: text outside the root element", errNotXML)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%w: no root element", errNotXML)
	}
	return root, nil
}

// child returns the first child element with the given name, or nil.
// Inferred: when an element is repeated, the first occurrence is used.
func (n *node) child(name string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// find follows a slash-separated element path, e.g. "hosted/forward-url".
func (n *node) find(path string) *node {
	for _, part := range strings.Split(path, "/") {
		n = n.child(part)
		if n == nil {
			return nil
		}
	}
	return n
}

// camelPath turns an element path such as "hosted/forward-url" into the
// property path Boku reports in invalid-request-fields: camel case, nested
// objects delimited by "." (spec, InvalidRequestField.path).
func camelPath(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		words := strings.Split(p, "-")
		for j := 1; j < len(words); j++ {
			if words[j] != "" {
				words[j] = strings.ToUpper(words[j][:1]) + words[j][1:]
			}
		}
		parts[i] = strings.Join(words, "")
	}
	return strings.Join(parts, ".")
}

// form reads the fields of one request and collects the invalid ones.
type form struct {
	root *node
	bad  []invalidField
}

// The reasons given in invalid-request-fields. "may not be null" is the
// spec's own example (InvalidRequestField.reason); the others follow its
// style (inferred).
const (
	reasonNull = "may not be null"
)

func reasonSize(min, max int) string { return fmt.Sprintf("size must be between %d and %d", min, max) }

func reasonPattern(p string) string { return fmt.Sprintf("must match %q", p) }

func (f *form) fail(path, reason string) {
	f.bad = append(f.bad, invalidField{Path: camelPath(path), Reason: reason})
}

// str reads a string element. A required element that is absent is
// reported "may not be null"; any present element is checked against the
// spec's length limits (min 1 unless minLen is 0).
func (f *form) str(path string, required bool, minLen, maxLen int) string {
	n := f.root.find(path)
	if n == nil {
		if required {
			f.fail(path, reasonNull)
		}
		return ""
	}
	v := strings.TrimSpace(n.text)
	if l := utf8.RuneCountInString(v); l < minLen || l > maxLen {
		f.fail(path, reasonSize(minLen, maxLen))
		return ""
	}
	return v
}

// pattern reads a string element that must match re (spec patterns).
func (f *form) pattern(path string, required bool, re *regexp.Regexp) string {
	n := f.root.find(path)
	if n == nil {
		if required {
			f.fail(path, reasonNull)
		}
		return ""
	}
	v := strings.TrimSpace(n.text)
	if !re.MatchString(v) {
		f.fail(path, reasonPattern(re.String()))
		return ""
	}
	return v
}

// present reports whether the element exists; a required container that is
// absent is reported.
func (f *form) present(path string, required bool) bool {
	if f.root.find(path) == nil {
		if required {
			f.fail(path, reasonNull)
		}
		return false
	}
	return true
}

// boolean reads an optional xs:boolean element.
func (f *form) boolean(path string) bool {
	n := f.root.find(path)
	if n == nil {
		return false
	}
	switch strings.TrimSpace(n.text) {
	case "true", "1":
		return true
	case "false", "0":
		return false
	}
	f.fail(path, "must be true or false")
	return false
}

// boolAttr reads an optional boolean attribute of an element.
func (f *form) boolAttr(path, attr string) bool {
	n := f.root.find(path)
	if n == nil {
		return false
	}
	v, ok := n.attrs[attr]
	if !ok {
		return false
	}
	switch strings.TrimSpace(v) {
	case "true", "1":
		return true
	case "false", "0":
		return false
	}
	f.fail(path+"/"+attr, "must be true or false")
	return false
}

// timeoutMS reads the optional <timeout after="ms"/> element: after is
// required when timeout is present, 0–60000 (spec, Timeout). It returns 0
// when absent ("0 means do not block").
func (f *form) timeoutMS() int64 {
	n := f.root.child("timeout")
	if n == nil {
		return 0
	}
	v, ok := n.attrs["after"]
	if !ok {
		f.fail("timeout/after", reasonNull)
		return 0
	}
	ms, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || ms < 0 || ms > 60000 {
		f.fail("timeout/after", "must be between 0 and 60000")
		return 0
	}
	return ms
}

// Spec patterns, compiled on first use rather than when bokuctl starts.
var (
	reCountry  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z]{2}$`) })
	reCurrency = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z]{3}$`) })
	reIPv4     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$`) })
)

// Spec lengths.
const (
	lenMerchantID       = 50
	lenMerchantReqID    = 50 // also merchant-transaction-id, merchant-refund-id, optin-request-id
	lenOptinID          = 24
	lenChargeID         = 24
	lenRefundID         = 24
	lenURL              = 2048
	lenNotificationURL  = 255
	lenMerchantData     = 255
	lenItemDescription  = 255
	lenMerchantConsumer = 64
)
