package reconcile

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/internal/cmdutil/cmdutiltest"
	"github.com/bokuctl/bokuctl/internal/provider/all"
	fake "github.com/bokuctl/bokuctl/internal/sandbox/bokuspec"
	"github.com/bokuctl/bokuctl/pkg/journal"
)

const testKey = "reconcile-test-key-0123456789abcdef"

// The flags reach the options as given.
func TestFlagsBecomeOptions(t *testing.T) {
	f, _ := cmdutiltest.Factory(t, nil)
	var got *Options
	cmd := NewCmd(f, all.Registry(), func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--since", "36h", "--dry-run", "--reverse-unknown", "--yes"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || !got.DryRun || !got.ReverseUnknown || !got.Yes || time.Duration(got.Since) != 36*time.Hour {
		t.Fatalf("options %+v", got)
	}
}

// --dry-run asks the provider and prints what it would record, but the
// journal row stays as it was; without it, the answer is recorded.
func TestDryRunRecordsNothing(t *testing.T) {
	server := httptest.NewServer(fake.New(fake.Merchant{ID: "m-1", KeyID: "k-1", Key: []byte(testKey)}))
	t.Cleanup(server.Close)
	f, store := cmdutiltest.Factory(t, map[string]string{
		"BOKUCTL_BOKU_MERCHANT_ID": "m-1", "BOKUCTL_BOKU_KEY_ID": "k-1", "BOKUCTL_BOKU_COUNTRY": "gb",
		"BOKUCTL_BOKU_BASE_URL": server.URL + "/{country}", "BOKUCTL_BOKU_KEY": testKey, "BOKUCTL_PROVIDER": "boku",
	})
	ctx := t.Context()
	// A charge sent two days ago that Boku never saw.
	if _, err := store.Begin(ctx, journal.Entry{Key: "rc-1", Time: time.Now().Add(-48 * time.Hour), Profile: "default",
		Provider: "boku", Operation: "charge"}); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		out := f.IO.Out.(*bytes.Buffer)
		out.Reset()
		cmd := NewCmd(f, all.Registry(), nil)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		cmd.SetArgs(append([]string{"--since", "0"}, args...))
		_ = cmd.ExecuteContext(ctx)
		return out.String()
	}
	status := func() (string, int) {
		t.Helper()
		e, err := store.Get(ctx, "rc-1")
		if err != nil {
			t.Fatal(err)
		}
		return e.Status, len(e.History)
	}
	before, events := status()

	printed := run("--dry-run")
	if !strings.Contains(printed, `"idempotency_key": "rc-1"`) {
		t.Fatalf("dry run printed %q", printed)
	}
	if got, n := status(); got != before || n != events {
		t.Fatalf("after --dry-run the row is %s with %d events, want %s with %d", got, n, before, events)
	}
	if strings.Contains(printed, `"after": "`+before+`"`) {
		t.Fatalf("the provider's answer changes nothing, so the test shows nothing: %q", printed)
	}

	run()
	if got, _ := status(); got == before {
		t.Fatalf("without --dry-run the row stayed %s", got)
	}
}
