package ottu

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzCacheEntry corrupts a cached entry (replaced whole, one byte
// changed, or cut short) and checks that Get never panics and that what
// it serves, and methods then uses (ottu.Parse of the response, as
// cmd/methods.go does), is a well-formed entry for the key asked: its own
// key, fetched not in the future and within max-age, a payment-methods
// answer.
func FuzzCacheEntry(f *testing.F) {
	f.Add([]byte(nil), uint8(1), uint(10), uint8(0x01))
	f.Add([]byte(nil), uint8(1), uint(60), uint8(0x08))
	f.Add([]byte(nil), uint8(2), uint(120), uint8(0))
	f.Add([]byte(`{"key":"k","fetched_at":"2026-01-15T11:59:00Z","response":{"payment_methods":[]}}`), uint8(0), uint(0), uint8(0))
	f.Add([]byte(`{"key":"k","fetched_at":"9999-01-15T11:59:00Z","response":{"payment_methods":[{"code":"x"}]}}`), uint8(0), uint(0), uint8(0))
	f.Fuzz(func(t *testing.T, replacement []byte, how uint8, pos uint, flip uint8) {
		now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
		maxAge := 10 * time.Minute
		c := Cache{Dir: t.TempDir(), Now: func() time.Time { return now }}
		auth := Auth{Scheme: "api-key", APIKey: "k"}
		filters := Filters{Plugin: "e_commerce", Currencies: []string{"KWD"}}
		key := Key("https://ottu.example", auth, filters)
		good := Entry{Key: key, BaseURL: "https://ottu.example", Identity: auth.Identity(), Filters: filters, FetchedAt: now.Add(-time.Minute),
			Response: json.RawMessage(`{"payment_methods":[{"code":"kpay","name":"KNET"}],"customer_payment_methods":[]}`)}
		if err := c.Put(good); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(c.Dir, key+".json")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		switch how % 3 {
		case 0:
			data = bytes.ReplaceAll(replacement, []byte(`"k"`), []byte(`"`+key+`"`))
		case 1:
			if flip == 0 {
				flip = 1
			}
			data[pos%uint(len(data))] ^= flip
		case 2:
			data = data[:pos%uint(len(data))]
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		e, ok := c.Get(key, maxAge)
		if !ok {
			return
		}
		if _, err := Parse(e.Response); err != nil {
			return // methods fetches again: not served
		}
		if !json.Valid(data) {
			t.Fatalf("an entry that is not JSON was served: %q", data)
		}
		if e.Key != key {
			t.Fatalf("the entry for %s was served for %s", e.Key, key)
		}
		if age := now.Sub(e.FetchedAt); age > maxAge {
			t.Fatalf("an entry %s old was served (max-age %s)", age, maxAge)
		}
		if e.FetchedAt.After(now.Add(time.Minute)) {
			t.Fatalf("an entry fetched at %s (after now) was served", e.FetchedAt)
		}
	})
}
