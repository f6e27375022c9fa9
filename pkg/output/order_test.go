package output

import (
	"bytes"
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
