package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bokuctl/bokuctl/pkg/atomicfile"
)

// benchSandbox is a sandbox whose fake Boku already holds n charges (and
// the active opt-in oi-000001), saved to a state file when persistent.
func benchSandbox(b *testing.B, n int, persistent bool) *Sandbox {
	b.Helper()
	path := ""
	if persistent {
		path = filepath.Join(b.TempDir(), "state.json")
	}
	sb, err := New(path)
	if err != nil {
		b.Fatal(err)
	}
	sb.Boku.Restore(prepopulated(n))
	if err := sb.Save(); err != nil {
		b.Fatal(err)
	}
	return sb
}

var benchSizes = []int{100, 50000}

// BenchmarkStatePersist is what `sandbox serve --state` adds to a request
// that makes one charge: taking the change from the fakes and appending
// it to the state file (compactions included, as they come). The charge
// itself is made with the timer stopped.
func BenchmarkStatePersist(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("charges=%d", n), func(b *testing.B) {
			sb := benchSandbox(b, n, true)
			c := &client{t: b, sb: sb}
			i := 0
			for b.Loop() {
				b.StopTimer()
				i++
				req := c.signedBoku("billing/charge", chargeXML("oi-000001", fmt.Sprint("bench-", i), "1.00"))
				rec := httptest.NewRecorder()
				sb.mux.ServeHTTP(rec, req) // the fakes only, no persistence
				if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<charge-status>success</charge-status>") {
					b.Fatalf("charge: %d %s", rec.Code, rec.Body.String())
				}
				b.StartTimer()
				if err := sb.persist(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if got := sb.Boku.ChargeCount(); got != n+i {
				b.Fatalf("%d charges, want %d", got, n+i)
			}
		})
	}
}

// BenchmarkStateRequest is a whole charge request through the sandbox
// (signature, XML, the fake, and with state=file its persistence).
func BenchmarkStateRequest(b *testing.B) {
	for _, n := range benchSizes {
		for _, persistent := range []bool{false, true} {
			mode := "memory"
			if persistent {
				mode = "file"
			}
			b.Run(fmt.Sprintf("charges=%d/state=%s", n, mode), func(b *testing.B) {
				sb := benchSandbox(b, n, persistent)
				c := &client{t: b, sb: sb}
				i := 0
				for b.Loop() {
					i++
					c.charge("oi-000001", fmt.Sprint("bench-", i), "1.00")
				}
			})
		}
	}
}

// BenchmarkStateFullRewrite is what every request cost before: the whole
// state marshalled and written atomically, for comparison.
func BenchmarkStateFullRewrite(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("charges=%d", n), func(b *testing.B) {
			sb := benchSandbox(b, n, false)
			path := filepath.Join(b.TempDir(), "state.json")
			for b.Loop() {
				data, err := json.MarshalIndent(persisted{Boku: sb.Boku.Snapshot(), Worldline: sb.Worldline.Snapshot()}, "", "  ")
				if err != nil {
					b.Fatal(err)
				}
				if err := atomicfile.Write(path, data, 0o600); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStateCompact is one compaction (the whole state rewritten). It
// comes after at least twice as many changed lines as there are records,
// so its cost per request is at most this divided by 2×charges.
func BenchmarkStateCompact(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("charges=%d", n), func(b *testing.B) {
			sb := benchSandbox(b, n, true)
			for b.Loop() {
				sb.saveMu.Lock()
				err := sb.compactLocked()
				sb.saveMu.Unlock()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(2*(n+1)), "ns/change-amortized")
		})
	}
}
