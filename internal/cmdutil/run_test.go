package cmdutil

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// Every Factory field is either a dependency a batch row or a follow-up
// inherits, or replaced by WithRun. A field added without saying which
// fails here: the defect where the old hand-copied row Factory forgot the sandbox secret and
// --debug cannot come back.
func TestWithRunClassifiesEveryField(t *testing.T) {
	inherited := map[string]bool{
		"Getenv": true, "DebugOut": true, "ProfileFlag": true, "ConfigFlag": true, "Debug": true, "Timeout": true,
		"ProviderFlag": true, "NoJournal": true, "Command": true, "SandboxSecret": true, "Sends": true,
		"DryRun": true, "Curl": true, "AllowProductionOverride": true, "ProcessEnds": true, "dryRun": true, "production": true,
		"config": true, "settings": true, "journal": true, "store": true, "shared": true,
	}
	perRun := map[string]bool{"IO": true, "Output": true, "JQ": true, "JSONFields": true, "Template": true, "NoColor": true, "Printer": true, "Run": true}
	typ := reflect.TypeOf(Factory{})
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if inherited[name] == perRun[name] {
			t.Errorf("Factory.%s: say in this test whether a row inherits it or gets its own (and make WithRun do so)", name)
		}
	}

	dir := t.TempDir()
	env := map[string]string{"HOME": dir, "BOKUCTL_CONFIG": filepath.Join(dir, "config.yaml")}
	parent := NewFactory(&output.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(k string) string { return env[k] })
	parent.Debug, parent.ProfileFlag = true, ""
	parent.SandboxSecret = func(string) (string, bool) { return "public", true }
	parent.Printer, _ = output.NewPrinter(parent.IO, output.FormatTable, "")
	parent.Run.Provider, parent.Run.sent = "boku", true
	row, err := parent.WithRun(NewRun(), &output.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	if !row.Debug || row.SandboxSecret == nil || row.settings != parent.settings {
		t.Error("a row lost a dependency of its parent")
	}
	if row.Run == parent.Run || row.Sent() || row.Provider != "" || row.Printer == parent.Printer || !row.Printer.JSON() {
		t.Error("a row shares its parent's run state or printer")
	}
}

// recordingStore is a journal that records the order of events.
type recordingStore struct {
	journal.Store
	events *[]string
	fail   error
}

func (s recordingStore) Begin(_ context.Context, e journal.Entry) (int, error) {
	*s.events = append(*s.events, "journal "+e.Key)
	return 1, s.fail
}

// Announce: the validation stop comes before the question, the question
// before the key notice and the journal, the journal before "sent".
func TestAnnounceOrder(t *testing.T) {
	newF := func(events *[]string, fail error) (*Factory, *bytes.Buffer) {
		errOut := &bytes.Buffer{}
		f := NewFactory(&output.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: errOut}, func(string) string { return "" })
		f.Printer, _ = output.NewPrinter(f.IO, output.FormatTable, "")
		f.SetJournal(recordingStore{events: events, fail: fail})
		return f, errOut
	}
	in := Intent{Provider: "p", Key: "k-1", Flag: "merchant-request-id", Label: "Merchant request ID"}

	var events []string
	f, errOut := newF(&events, nil)
	f.validateOnly = true
	f.ConfirmBeforeSending(false, "a test", "Send?")
	if _, err := f.Announce(t.Context(), in); !errors.Is(err, ErrValidated) || f.ValidatedKey() != "k-1" {
		t.Fatalf("a validation run = %v, key %q; want ErrValidated at k-1 without asking", err, f.ValidatedKey())
	}
	if len(events) > 0 || errOut.Len() > 0 || f.Sent() {
		t.Fatalf("a validation run journaled %v, printed %q or was marked sent", events, errOut)
	}

	f, errOut = newF(&events, nil)
	f.ConfirmBeforeSending(false, "a test", "Send?")
	if _, err := f.Announce(t.Context(), in); exitcode.Of(err) != exitcode.Usage {
		t.Fatalf("without confirmation = %v, want a usage error", err)
	}
	if len(events) > 0 || strings.Contains(errOut.String(), "k-1") || f.Sent() {
		t.Fatalf("refused confirmation still journaled %v, announced %q or was marked sent", events, errOut)
	}

	f, _ = newF(&events, errors.New("disk full"))
	if _, err := f.Announce(t.Context(), in); exitcode.Of(err) != exitcode.Auth || f.Sent() {
		t.Fatalf("a journal that cannot record = %v, sent %v; want exit 4 and not sent", err, f.Sent())
	}

	events = nil
	f, errOut = newF(&events, nil)
	f.ConfirmBeforeSending(true, "a test", "Send?")
	key, err := f.Announce(t.Context(), in)
	if err != nil || key != "k-1" || !f.Sent() || f.Key() != "k-1" || len(events) != 1 || !strings.Contains(errOut.String(), "Merchant request ID: k-1") {
		t.Fatalf("Announce = %q, %v; sent %v, events %v, stderr %q", key, err, f.Sent(), events, errOut)
	}

	if _, err := f.Announce(t.Context(), Intent{Key: "no spaces", Flag: "operation-id"}); exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "--operation-id") {
		t.Fatalf("a bad key = %v, want a usage error naming the flag", err)
	}
}
