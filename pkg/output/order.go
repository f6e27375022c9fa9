package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/itchyny/gojq"
)

// keyOrder ranks every object key of a JSON document by where it first
// appears, so that --jq output lists an object's members in the order
// -o json does, instead of gojq's alphabetical order.
func keyOrder(doc []byte) map[string]int {
	rank := map[string]int{}
	dec := json.NewDecoder(bytes.NewReader(doc))
	// In an object, tokens alternate key, value; a nested object or array
	// is its own frame.
	type frame struct {
		object bool
		expect bool // true when the next token is a key
	}
	var stack []frame
	for {
		t, err := dec.Token()
		if err != nil {
			return rank
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].object && stack[top].expect {
			if key, ok := t.(string); ok {
				if _, seen := rank[key]; !seen {
					rank[key] = len(rank)
				}
				stack[top].expect = false
				continue
			}
		}
		switch t {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, expect: true})
			continue
		case json.Delim('['):
			stack = append(stack, frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended: the enclosing object expects a key next.
		if top = len(stack) - 1; top >= 0 && stack[top].object {
			stack[top].expect = true
		}
	}
}

// encodeOrdered writes a gojq value as compact JSON with object members
// in rank order (members not in rank follow, alphabetically).
func encodeOrdered(buf *bytes.Buffer, v any, rank map[string]int) error {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			ri, iok := rank[keys[i]]
			rj, jok := rank[keys[j]]
			switch {
			case iok && jok:
				return ri < rj
			case iok != jok:
				return iok
			}
			return keys[i] < keys[j]
		})
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			name, _ := json.Marshal(k)
			buf.Write(name)
			buf.WriteByte(':')
			if err := encodeOrdered(buf, x[k], rank); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encodeOrdered(buf, e, rank); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	default:
		scalar, err := gojq.Marshal(x)
		if err != nil {
			return err
		}
		buf.Write(scalar)
	}
	return nil
}

// Member is one member of a JSON object, as written.
type Member struct {
	Key string
	Raw json.RawMessage
}

// ObjectMembers reads a JSON object's members in order. It checks the
// document with json.Valid and then cuts it at its top-level members in
// one pass (each result a row of a batch goes through here: json.Decoder's
// tokens cost several times more).
func ObjectMembers(doc []byte) ([]Member, error) {
	if !json.Valid(doc) {
		return nil, fmt.Errorf("the result is not a JSON object")
	}
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return nil, fmt.Errorf("the result is not a JSON object")
	}
	var members []Member
	i = skipSpace(doc, i+1)
	for i < len(doc) && doc[i] != '}' {
		end := skipString(doc, i)
		key := string(doc[i+1 : end-1])
		if bytes.IndexByte(doc[i:end], '\\') >= 0 || !utf8.Valid(doc[i:end]) {
			if err := json.Unmarshal(doc[i:end], &key); err != nil {
				return nil, err
			}
		}
		i = skipSpace(doc, end)
		i = skipSpace(doc, i+1) // the colon
		end = skipValue(doc, i)
		members = append(members, Member{Key: key, Raw: json.RawMessage(doc[i:end])})
		i = skipSpace(doc, end)
		if i < len(doc) && doc[i] == ',' {
			i = skipSpace(doc, i+1)
		}
	}
	return members, nil
}

// skipSpace, skipString and skipValue walk a document json.Valid
// accepted: each returns the index just past what it skips.
func skipSpace(doc []byte, i int) int {
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\n' || doc[i] == '\r') {
		i++
	}
	return i
}

func skipString(doc []byte, i int) int {
	for i++; i < len(doc); i++ {
		switch doc[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

func skipValue(doc []byte, i int) int {
	if i >= len(doc) {
		return i
	}
	switch doc[i] {
	case '"':
		return skipString(doc, i)
	case '{', '[':
		depth := 0
		for i < len(doc) {
			switch doc[i] {
			case '"':
				i = skipString(doc, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(doc) && doc[i] != ',' && doc[i] != '}' && doc[i] != ']' && doc[i] != ' ' && doc[i] != '\t' && doc[i] != '\n' && doc[i] != '\r' {
		i++
	}
	return i
}

// selectFields keeps the top-level fields named, in the order named, and
// returns the document indented as -o json prints it. An unknown name is
// an error that lists the fields there are.
func selectFields(doc []byte, fields []string) ([]byte, error) {
	members, err := ObjectMembers(doc)
	if err != nil {
		return nil, err
	}
	byKey := map[string]json.RawMessage{}
	var names []string
	for _, m := range members {
		byKey[m.Key] = m.Raw
		names = append(names, m.Key)
	}
	var out bytes.Buffer
	out.WriteByte('{')
	for i, f := range fields {
		raw, ok := byKey[f]
		if !ok {
			return nil, &FieldsError{Unknown: f, Available: names}
		}
		if i > 0 {
			out.WriteByte(',')
		}
		name, _ := json.Marshal(f)
		out.Write(name)
		out.WriteByte(':')
		out.Write(raw)
	}
	out.WriteByte('}')
	var indented bytes.Buffer
	if err := json.Indent(&indented, out.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	indented.WriteByte('\n')
	return indented.Bytes(), nil
}

// FieldsError is a --json field the result does not have.
type FieldsError struct {
	Unknown   string
	Available []string
}

func (e *FieldsError) Error() string {
	if e.Unknown == "" {
		return "--json needs field names: " + strings.Join(e.Available, ", ")
	}
	return fmt.Sprintf("--json: the result has no field %q; it has %s", e.Unknown, strings.Join(e.Available, ", "))
}
