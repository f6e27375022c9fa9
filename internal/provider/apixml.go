package provider

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// xmlNode is an element built from fields.
type xmlNode struct {
	name     string
	attrs    [][2]string
	children []*xmlNode
	text     string
	hasText  bool
}

// validXMLName reports whether s is a plain XML element or attribute
// name: a letter or _, then letters, digits, - and _ (no namespace
// prefix, no dot: dots nest).
func validXMLName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
		case i > 0 && (r >= '0' && r <= '9' || r == '-'):
		default:
			return false
		}
	}
	return !strings.HasPrefix(strings.ToLower(s), "xml")
}

// BuildXML builds the request element root from fields, in their order:
// name=v is <name>v</name>; a.b=v nests (<a><b>v</b></a>, and a later
// a.c=w joins the same <a>); a.@x=v is the attribute x of <a>; a name
// given twice repeats the element. Text and attribute values are
// escaped.
func BuildXML(root string, fields []Field) ([]byte, error) {
	top := &xmlNode{name: root}
	for _, f := range fields {
		if f.Typed {
			return nil, exitcode.New(exitcode.Usage, "%s: Boku's bodies are XML text, with no types", f.Flag()).WithHint("use -f %s=…", f.Name)
		}
		segs, err := segments(f)
		if err != nil {
			return nil, err
		}
		if !xmlText(f.Value) {
			return nil, exitcode.New(exitcode.Usage, "%s: the value has a character XML cannot carry (a control character or invalid UTF-8)", f.Flag())
		}
		cur := top
		for i, s := range segs {
			last := i == len(segs)-1
			if attr, ok := strings.CutPrefix(s, "@"); ok {
				if !last || i == 0 {
					return nil, exitcode.New(exitcode.Usage, "%s: an attribute (@name) only ends a name, after its element", f.Flag()).WithHint("for example -f timeout.@after=5000")
				}
				if !validXMLName(attr) {
					return nil, exitcode.New(exitcode.Usage, "%s: %q is not an XML attribute name", f.Flag(), attr)
				}
				for _, a := range cur.attrs {
					if a[0] == attr {
						return nil, exitcode.New(exitcode.Usage, "%s is given twice", f.Flag())
					}
				}
				cur.attrs = append(cur.attrs, [2]string{attr, f.Value})
				break
			}
			if !validXMLName(s) {
				return nil, exitcode.New(exitcode.Usage, "%s: %q is not an XML element name", f.Flag(), s).
					WithHint("use letters, digits, - and _, starting with a letter; dots nest elements")
			}
			if cur.hasText {
				return nil, exitcode.New(exitcode.Usage, "%s: %s has a value, so it cannot also have elements", f.Flag(), strings.Join(segs[:i], "."))
			}
			if last {
				cur.children = append(cur.children, &xmlNode{name: s, text: f.Value, hasText: true})
				break
			}
			var next *xmlNode
			for j := len(cur.children) - 1; j >= 0; j-- {
				if cur.children[j].name == s {
					next = cur.children[j]
					break
				}
			}
			if next == nil {
				next = &xmlNode{name: s}
				cur.children = append(cur.children, next)
			}
			cur = next
		}
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	top.write(&buf, "")
	return buf.Bytes(), nil
}

// xmlText reports whether s is UTF-8 of characters XML 1.0 can carry.
func xmlText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return false
		}
	}
	return true
}

func (n *xmlNode) write(buf *bytes.Buffer, indent string) {
	buf.WriteString(indent + "<" + n.name)
	for _, a := range n.attrs {
		buf.WriteString(" " + a[0] + `="`)
		xml.EscapeText(buf, []byte(a[1]))
		buf.WriteString(`"`)
	}
	buf.WriteString(">")
	switch {
	case n.hasText:
		xml.EscapeText(buf, []byte(n.text))
	case len(n.children) > 0:
		buf.WriteString("\n")
		for _, c := range n.children {
			c.write(buf, indent+"  ")
		}
		buf.WriteString(indent)
	}
	buf.WriteString("</" + n.name + ">\n")
}

// XMLTop checks that body is one well-formed XML element and returns its
// name and the text of each of its child elements that holds only text
// (the first of a name), where the merchant id and idempotency key are.
func XMLTop(body []byte) (root string, top map[string]string, err error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	depth := 0
	top = map[string]string{}
	var child string
	var text strings.Builder
	simple := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", nil, fmt.Errorf("not XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch depth {
			case 1:
				if root != "" {
					return "", nil, errors.New("not XML: more than one root element")
				}
				root = t.Name.Local
			case 2:
				child, simple = t.Name.Local, true
				text.Reset()
			default:
				simple = false
			}
		case xml.EndElement:
			if depth == 2 && simple {
				if _, had := top[child]; !had {
					top[child] = text.String()
				}
			}
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return "", nil, errors.New("not XML: text outside the root element")
			}
			if depth == 2 {
				text.Write(t)
			}
		}
	}
	if root == "" {
		return "", nil, errors.New("not XML: no element")
	}
	return root, top, nil
}

// InsertXMLElements adds <name>value</name> for each field (plain
// names) as the first children of body's root element, leaving every
// other byte as it was. body passed XMLTop.
func InsertXMLElements(body []byte, fields []Field) ([]byte, error) {
	if len(fields) == 0 {
		return body, nil
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, fmt.Errorf("not XML: %v", err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		end := int(d.InputOffset())
		var elems bytes.Buffer
		for _, f := range fields {
			elems.WriteString("<" + f.Name + ">")
			xml.EscapeText(&elems, []byte(f.Value))
			elems.WriteString("</" + f.Name + ">")
		}
		out := append([]byte(nil), body[:end]...)
		if bytes.HasSuffix(bytes.TrimRight(out[:len(out)-1], " \t\r\n"), []byte("/")) {
			// <root/>: open it, add the elements, close it.
			trimmed := bytes.TrimRight(out[:len(out)-1], " \t\r\n")
			out = append(trimmed[:len(trimmed)-1:len(trimmed)-1], '>')
			elems.WriteString("</" + start.Name.Local + ">")
		}
		out = append(out, elems.Bytes()...)
		return append(out, body[end:]...), nil
	}
}

// XMLToJSON maps an XML document to JSON, generically and losslessly for
// Boku's answers: the root element becomes {"name": value}; an element
// with only text is its text as a string (numbers and amounts stay
// strings, exact); an element with attributes or child elements is an
// object whose members are "@attribute" first, then the children by
// name, in document order, a name that repeats becoming an array of its
// elements; text beside child elements or attributes is "#text";
// whitespace between elements is dropped. Namespace prefixes are not
// kept (Boku uses none).
func XMLToJSON(body []byte) (any, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	type frame struct {
		name   string
		obj    *jsonObject
		text   strings.Builder
		counts map[string]int
	}
	var stack []*frame
	var result *jsonObject
	value := func(fr *frame) any {
		text := fr.text.String()
		if len(fr.obj.keys) == 0 {
			return text
		}
		if t := strings.TrimSpace(text); t != "" {
			fr.obj.set("#text", text)
		}
		return fr.obj
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			fr := &frame{name: t.Name.Local, obj: newJSONObject(), counts: map[string]int{}}
			for _, a := range t.Attr {
				fr.obj.set("@"+a.Name.Local, a.Value)
			}
			stack = append(stack, fr)
		case xml.EndElement:
			fr := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			v := value(fr)
			if len(stack) == 0 {
				result = newJSONObject()
				result.set(fr.name, v)
				continue
			}
			parent := stack[len(stack)-1]
			parent.counts[fr.name]++
			switch n := parent.counts[fr.name]; {
			case n == 1:
				parent.obj.set(fr.name, v)
			case n == 2:
				parent.obj.set(fr.name, []any{parent.obj.values[fr.name], v})
			default:
				parent.obj.set(fr.name, append(parent.obj.values[fr.name].([]any), v))
			}
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
	if result == nil {
		return nil, errors.New("not XML: no element")
	}
	return result, nil
}
