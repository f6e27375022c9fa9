package notify

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/bokuctl/bokuctl/pkg/bokunotify"
)

// randomText is a short string of plain characters and, now and then, one
// that JSON escapes.
func randomText(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return ""
	}
	const chars = "abcXYZ019 -_.:/+=~`{}[]|!@#$%^*()'?,;\"\\<>&\x00\x01\x1f\x7f\u00e9\u2028\ufffd\xff"
	runes := []rune(chars)
	b := make([]rune, 1+r.IntN(12))
	for i := range b {
		if r.IntN(8) == 0 {
			b[i] = runes[r.IntN(len(runes))]
		} else {
			b[i] = runes[r.IntN(20)]
		}
	}
	s := string(b)
	if r.IntN(20) == 0 {
		s += "\xff" // not UTF-8
	}
	return s
}

func TestEventJSONIsJSONMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	plain := 0
	for i := range 20000 {
		e := &bokunotify.Event{Scheme: randomText(r), EventType: randomText(r), MerchantID: randomText(r), ChargeID: randomText(r),
			MerchantRequestID: randomText(r), RefundID: randomText(r), MerchantRefundID: randomText(r), TransactionID: randomText(r),
			Status: randomText(r), Country: randomText(r), Amount: randomText(r), Currency: randomText(r), Message: randomText(r),
			MerchantTransactionID: randomText(r), NetworkID: randomText(r), CreatedAt: randomText(r)}
		if r.IntN(2) == 0 {
			n := r.Int64N(1<<40) - 1<<20
			e.AmountMinorUnits = &n
		}
		if r.IntN(2) == 0 {
			n := r.IntN(2000) - 1000
			e.ReasonCode = &n
		}
		if i%50 == 0 {
			e.Params = map[string]string{"b": randomText(r), "a": randomText(r)}
		}
		if i%7 == 0 {
			e.Params = map[string]string{}
		}
		want, err := json.Marshal(notifyResult{Valid: true, Event: e})
		if err != nil {
			t.Fatal(err)
		}
		if got := appendEventJSON(nil, e); string(got) != string(want) {
			t.Fatalf("event %+v:\n got %s\nwant %s", e, got, want)
		}
		if plainJSON(e.Message) && plainJSON(e.ChargeID) {
			plain++
		}
	}
	if plain == 0 {
		t.Fatal("no event took the plain path")
	}
}

func TestSeenLineIsJSONMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		key := randomText(r) + "\x00" + randomText(r) + "\x00" + randomText(r)
		e := seenEntry{At: r.Int64N(1 << 34), Legacy: r.IntN(2) == 0, Delivered: r.IntN(2) == 0}
		want, err := json.Marshal(seenLine{Key: key, seenEntry: e})
		if err != nil {
			t.Fatal(err)
		}
		if got := appendSeenLine(nil, key, e); string(got) != string(want) {
			t.Fatalf("key %q:\n got %s\nwant %s", key, got, want)
		}
	}
}
