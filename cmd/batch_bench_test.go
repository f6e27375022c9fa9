//go:build unix

package cmd

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/internal/sandbox"
	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// benchBatch is a sandbox served in-process, a profile pointing at it, an
// active opt-in, and charges to refund from.
type benchBatch struct {
	env     map[string]string
	dir     string
	charges []string
}

func newBenchBatch(b *testing.B) *benchBatch {
	b.Helper()
	sb, err := sandbox.New("")
	if err != nil {
		b.Fatal(err)
	}
	server := httptest.NewServer(sb)
	b.Cleanup(server.Close)
	dir := b.TempDir()
	bb := &benchBatch{dir: dir, env: map[string]string{"HOME": dir, "BOKUCTL_CONFIG": filepath.Join(dir, "config.yaml"),
		"BOKUCTL_JOURNAL": filepath.Join(dir, "journal.db"), "XDG_STATE_HOME": filepath.Join(dir, "state"), "NO_COLOR": "1"}}
	file, err := config.Load(bb.env["BOKUCTL_CONFIG"])
	if err != nil {
		b.Fatal(err)
	}
	if err := file.Update(func(file *config.File) error {
		file.Profiles["sandbox"] = config.Profile(sandbox.Settings(server.URL))
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	url := strings.TrimSpace(bb.run(b, "optin", "begin", "--payment-method", "superwallet", "--forward-url", "https://shop.example/done", "--jq", ".optin_url"))
	noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirects.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	bb.run(b, "optin", "validate", "oi-000001")
	bb.run(b, "optin", "confirm", "oi-000001")
	var charges strings.Builder
	charges.WriteString("optin_id,amount,currency\n")
	for range 20 {
		charges.WriteString("oi-000001,999.99,GBP\n")
	}
	out := bb.run(b, "batch", "charge", bb.write(b, "charges.csv", charges.String()), "--yes", "-o", "json")
	for _, m := range regexp.MustCompile(`"id":"(ch-[0-9]+)"`).FindAllStringSubmatch(out, -1) {
		bb.charges = append(bb.charges, m[1])
	}
	if len(bb.charges) != 20 {
		b.Fatalf("charges: %q", out)
	}
	return bb
}

func (bb *benchBatch) write(b *testing.B, name, content string) string {
	path := filepath.Join(bb.dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

func (bb *benchBatch) run(b *testing.B, args ...string) string {
	b.Helper()
	var out, errOut bytes.Buffer
	ios := &output.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	if code := Run(context.Background(), ios, func(k string) string { return bb.env[k] }, append([]string{"-p", "sandbox"}, args...)); code != 0 {
		b.Fatalf("bokuctl %s: exit %d\n%s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String()
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var u syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// BenchmarkBatchRefund runs `batch refund` of 200 rows against the
// in-process sandbox (one op = one batch; rows/s is reported). With
// -cpuprofile it shows what a row costs besides the wire, signing and the
// journal.
func BenchmarkBatchRefund(b *testing.B) {
	const rows = 200
	bb := newBenchBatch(b)
	var file strings.Builder
	file.WriteString("charge_id,amount,currency,reason\n")
	for i := range rows {
		file.WriteString(bb.charges[i%len(bb.charges)] + ",0.01,GBP,goodwill\n")
	}
	path := bb.write(b, "refunds.csv", file.String())
	for _, c := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("concurrency-%d", c), func(b *testing.B) {
			before := cpuTime()
			for b.Loop() {
				bb.run(b, "batch", "refund", path, "--new", "--yes", "--concurrency", fmt.Sprint(c), "-o", "json")
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
			// CPU time (user and system, this process: batch and the
			// sandbox) is steadier than wall time on a shared machine.
			b.ReportMetric(float64((cpuTime()-before).Microseconds())/float64(rows*b.N), "cpu-µs/row")
		})
	}
}
