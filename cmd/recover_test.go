package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// panicCommand is a test-only command: with --send it announces an
// idempotency key (journalled, as a charge does before it sends), then it
// panics.
func panicCommand(f *cmdutil.Factory) *cobra.Command {
	var send bool
	cmd := &cobra.Command{
		Use:    "test-panic",
		Hidden: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if send {
				if _, err := f.Announce(cmd.Context(), cmdutil.Intent{Key: "pk-1", Flag: "merchant-request-id", Label: "Merchant request ID"}); err != nil {
					return err
				}
			}
			ids := strings.Fields(strings.Join(args, " "))
			return errors.New(ids[0]) // no arguments: index out of range, a bug
		},
	}
	cmd.Flags().BoolVar(&send, "send", false, "")
	return cmd
}

func runPanic(t *testing.T, args ...string) (code int, stderr, journalPath string) {
	t.Helper()
	testCommand = panicCommand
	t.Cleanup(func() { testCommand = nil })
	dir := t.TempDir()
	journalPath = filepath.Join(dir, "journal.db")
	env := map[string]string{"HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, "config"), "XDG_STATE_HOME": filepath.Join(dir, "state"), "BOKUCTL_JOURNAL": journalPath}
	var out, errOut bytes.Buffer
	ios := &output.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code = Run(context.Background(), ios, func(k string) string { return env[k] }, args)
	return code, errOut.String(), journalPath
}

func TestPanicBeforeSendIsExit1(t *testing.T) {
	code, stderr, _ := runPanic(t, "test-panic")
	if code != 1 {
		t.Errorf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "Error: internal error: runtime error: index out of range [0] with length 0; please report it") {
		t.Errorf("stderr lacks the report:\n%s", stderr)
	}
	if strings.Contains(stderr, "goroutine ") {
		t.Errorf("stack shown without --debug:\n%s", stderr)
	}
}

func TestPanicAfterSendIsUnknownOutcome(t *testing.T) {
	code, stderr, path := runPanic(t, "test-panic", "--send", "-o", "json")
	if code != 5 {
		t.Fatalf("exit %d, want 5; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"internal error: runtime error: index out of range [0] with length 0", "idempotency key pk-1 was sent", "bokuctl reconcile"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	var je struct {
		Error struct {
			Code           string `json:"code"`
			IdempotencyKey string `json:"idempotency_key"`
			SettleCommand  string `json:"settle_command"`
		} `json:"error"`
	}
	last := stderr[strings.LastIndex(strings.TrimRight(stderr, "\n"), "\n")+1:]
	if err := json.Unmarshal([]byte(last), &je); err != nil || je.Error.Code != "unknown_outcome" || je.Error.IdempotencyKey != "pk-1" || je.Error.SettleCommand != "bokuctl reconcile" {
		t.Errorf("JSON error %+v (%v) from %q", je.Error, err, last)
	}
	store, err := journal.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	e, err := store.Get(context.Background(), "pk-1")
	if err != nil || e == nil {
		t.Fatalf("journal row pk-1: %v, %v", e, err)
	}
	if e.Status != journal.StatusUnknown || e.ExitCode == nil || *e.ExitCode != 5 {
		t.Errorf("journal row status %q exit %v, want unknown and 5", e.Status, e.ExitCode)
	}
}

func TestPanicWithDebugShowsStack(t *testing.T) {
	code, stderr, _ := runPanic(t, "test-panic", "--debug")
	if code != 1 || !strings.Contains(stderr, "goroutine ") || !strings.Contains(stderr, "recover_test.go") {
		t.Errorf("exit %d, want 1 and a stack naming the panic site:\n%s", code, stderr)
	}
}
