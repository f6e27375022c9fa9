package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestKeyOrderFollowsTheDocument(t *testing.T) {
	rank := keyOrder([]byte(`{"zeta":1,"alpha":{"mid":[{"inner":2,"b":3}],"a":4},"omega":[1,"zeta"]}`))
	want := []string{"zeta", "alpha", "mid", "inner", "b", "a", "omega"}
	for i, k := range want {
		if rank[k] != i {
			t.Errorf("rank[%s] = %d, want %d (rank %v)", k, rank[k], i, rank)
		}
	}
	if len(rank) != len(want) {
		t.Errorf("rank has %d keys, want %d: a string value was taken for a key", len(rank), len(want))
	}
	var buf bytes.Buffer
	encodeOrdered(&buf, map[string]any{"a": 4, "zeta": 1, "new": true, "alpha": map[string]any{"a": nil, "mid": []any{}}}, rank)
	if got := buf.String(); got != `{"zeta":1,"alpha":{"mid":[],"a":null},"a":4,"new":true}` {
		t.Errorf("encodeOrdered = %s", got)
	}
}

func TestSelectFields(t *testing.T) {
	doc := []byte(`{"id":"ch-1","status":"succeeded","amount":"4.99","url":"https://x/?a=1&b=2"}`)
	got, err := selectFields(doc, []string{"url", "id"})
	if err != nil || string(got) != "{\n  \"url\": \"https://x/?a=1&b=2\",\n  \"id\": \"ch-1\"\n}\n" {
		t.Fatalf("selectFields = %q, %v", got, err)
	}
	_, err = selectFields(doc, []string{"id", "colour"})
	if err == nil || !strings.Contains(err.Error(), `no field "colour"; it has id, status, amount, url`) {
		t.Fatalf("unknown field: %v", err)
	}
}

func FuzzKeyOrder(f *testing.F) {
	f.Add(`{"a":{"b":[1,{"c":"d"}]},"e":"f"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		rank := keyOrder([]byte(doc))
		seen := map[int]bool{}
		for _, r := range rank {
			if seen[r] || r < 0 || r >= len(rank) {
				t.Fatalf("ranks are not 0..n-1: %v", rank)
			}
			seen[r] = true
		}
	})
}

// objectMembersByTokens is ObjectMembers as json.Decoder reads it: the
// reference the one-pass cut must agree with.
func objectMembersByTokens(doc []byte) ([]Member, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
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
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if rest := bytes.TrimLeft(doc[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, fmt.Errorf("trailing data")
	}
	return members, nil
}

func TestObjectMembers(t *testing.T) {
	for _, doc := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a":"x,}","b":{"c":[1,{"d":"]"}]},"e":null,"f":true,"g":-1.5e3}`,
		"{\n  \"a\\\"b\" : [ 1 , 2 ] ,\n  \"\\u00e9\": \"\\\\\"\n}", `{"a":{},"b":[],"c":""}`,
	} {
		checkObjectMembers(t, []byte(doc))
	}
	for _, bad := range []string{``, `[]`, `{"a":}`, `{"a":1`, `"x"`, `{"a":1}x`} {
		if _, err := ObjectMembers([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func checkObjectMembers(t *testing.T, doc []byte) {
	t.Helper()
	want, wantErr := objectMembersByTokens(doc)
	got, err := ObjectMembers(doc)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q: error %v, the decoder's %v", doc, err, wantErr)
	}
	if err != nil {
		return
	}
	if len(got) != len(want) {
		t.Fatalf("%q: %d members, the decoder's %d", doc, len(got), len(want))
	}
	for i := range got {
		if got[i].Key != want[i].Key || !bytes.Equal(got[i].Raw, want[i].Raw) {
			t.Fatalf("%q: member %d %q=%s, the decoder's %q=%s", doc, i, got[i].Key, got[i].Raw, want[i].Key, want[i].Raw)
		}
	}
}

func FuzzObjectMembers(f *testing.F) {
	f.Add([]byte(`{"a":"x,}","b":{"c":[1,{"d":"]"}]},"e":null}`))
	f.Add([]byte(`{"\u00e9" : "\\" , "k":[ ]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkObjectMembers(t, doc)
	})
}

func BenchmarkObjectMembers(b *testing.B) {
	doc := []byte(`{"refund_id":"rf-000001","merchant_refund_id":"bt-abc-000002","charge_id":"ch-000001","status":"success","amount":"0.01","amount_minor_units":1,"currency":"GBP","refund_reason":"goodwill","refund_reason_code":8,"country":"gb","network_id":"sandbox","reason_code":0}`)
	b.Run("cut", func(b *testing.B) {
		for b.Loop() {
			ObjectMembers(doc)
		}
	})
	b.Run("tokens", func(b *testing.B) {
		for b.Loop() {
			objectMembersByTokens(doc)
		}
	})
}
