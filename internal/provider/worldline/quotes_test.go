package worldline

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

func TestQuotesAreKeptAndExpire(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"BOKUCTL_JOURNAL": filepath.Join(dir, "journal.db")}
	f := cmdutil.NewFactory(nil, func(k string) string { return env[k] })
	fresh := quote{RateReferenceID: "rate-1", FromCurrency: "EUR", ToCurrency: "USD", AmountMinor: 1000, ConvertedMinor: 1091, ConvertedDigits: 2, Rate: "1.0910", QuotedAt: time.Now()}
	stale := fresh
	stale.RateReferenceID, stale.QuotedAt = "rate-old", time.Now().Add(-QuoteLifetime-time.Minute)
	for _, q := range []quote{stale, fresh} {
		if err := saveQuote(f, q); err != nil {
			t.Fatal(err)
		}
	}
	got, err := findQuote(f, "rate-1")
	if err != nil || got.Rate != "1.0910" || got.ConvertedMinor != 1091 {
		t.Fatalf("findQuote = %+v, %v", got, err)
	}
	for id, want := range map[string]string{"rate-old": "no DCC quote with that reference", "rate-9": "no DCC quote with that reference"} {
		// rate-old was dropped when rate-1 was saved: past its lifetime.
		if _, err := findQuote(f, id); exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), want) {
			t.Errorf("findQuote(%s) = %v", id, err)
		}
	}
	// A quote that aged after it was saved is refused as stale.
	old := fresh
	old.RateReferenceID, old.QuotedAt = "rate-2", time.Now().Add(-QuoteLifetime+time.Millisecond)
	saveQuote(f, old)
	time.Sleep(5 * time.Millisecond)
	if _, err := findQuote(f, "rate-2"); err == nil || !strings.Contains(err.Error(), "old; quotes are used for 30m0s at most") {
		t.Errorf("stale quote: %v", err)
	}
}
