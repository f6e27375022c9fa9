package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

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

// ObjectMembers reads a JSON object's members in order.
func ObjectMembers(doc []byte) ([]Member, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("the result is not a JSON object")
	}
	var members []Member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		members = append(members, Member{key, raw})
	}
	return members, nil
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
