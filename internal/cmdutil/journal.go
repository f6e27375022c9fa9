package cmdutil

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
)

// journalRun is what one run knows about the operation it journals.
type journalRun struct {
	store  journal.Store
	key    string // the intent's idempotency key ("" before one)
	result []byte // the last result printed, as JSON
}

// JournalPath is where the journal lives: the profile's journal setting
// or BOKUCTL_JOURNAL, else $XDG_STATE_HOME/bokuctl/journal.db (or
// ~/.local/state/bokuctl/journal.db); "off" turns it off.
func (f *Factory) JournalPath() (string, error) {
	if path := f.Getenv("BOKUCTL_JOURNAL"); path != "" {
		return path, nil
	}
	if settings, err := f.Settings(); err == nil {
		if path := settings.Get("journal"); path != "" {
			return path, nil
		}
	}
	state := f.Getenv("XDG_STATE_HOME")
	if state == "" {
		home := f.Getenv("HOME")
		if home == "" {
			var err error
			if home, err = os.UserHomeDir(); err != nil {
				return "", exitcode.New(exitcode.Auth, "no journal location: %v", err).WithHint("set BOKUCTL_JOURNAL to a file, or to off")
			}
		}
		state = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(state, "bokuctl", "journal.db"), nil
}

// OpenJournal opens the journal of this run (nil when it is off). Only
// commands that read or write it call it: others never touch the file.
func (f *Factory) OpenJournal(ctx context.Context) (journal.Store, error) {
	if f.journal != nil && f.journal.store != nil {
		return f.journal.store, nil
	}
	if f.NoJournal {
		return nil, nil
	}
	path, err := f.JournalPath()
	if err != nil || strings.EqualFold(path, "off") {
		return nil, err
	}
	store, err := journal.Open(ctx, path)
	if err != nil {
		return nil, exitcode.New(exitcode.Auth, "%v", err).
			WithHint("nothing was sent. Move the file aside (mv %s %s.broken) to start a new journal, set BOKUCTL_JOURNAL elsewhere, or pass --no-journal to send without a record", path, path)
	}
	if f.journal == nil {
		f.journal = &journalRun{}
	}
	f.journal.store = store
	return store, nil
}

// RecordIntent is recordIntent for a request whose idempotency key the
// command did not announce itself (a Boku reversal carries the original
// charge's key; its row is keyed "reverse:" + that key).
func (f *Factory) RecordIntent(key string) error {
	if f.validateOnly {
		f.validatedKey = key
		return ErrValidated
	}
	if err := f.confirmSend(); err != nil {
		return err
	}
	if err := f.recordIntent(key); err != nil {
		return err
	}
	f.markSent(key)
	return nil
}

// recordIntent writes the journal row of the request about to be sent
// with key, from the running command: its path, its arguments and flags
// (ids, amounts: never a secret or card, which bokuctl takes only from
// stdin, files and the secret store). A journal that cannot record stops
// the request.
func (f *Factory) recordIntent(key string) error {
	if f.Command == nil {
		return nil
	}
	ctx := f.Command.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	store, err := f.OpenJournal(ctx)
	if err != nil || store == nil {
		return err
	}
	cmd := f.Command
	e := journal.Entry{Key: key, Time: time.Now(), Operation: strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" "),
		Targets: map[string]string{}, Provider: f.providerOf(cmd)}
	e.Profile, _, _ = f.ProfileName()
	if len(cmd.Flags().Args()) > 0 {
		e.Targets["args"] = strings.Join(cmd.Flags().Args(), " ")
	}
	inherited := cmd.InheritedFlags()
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if inherited.Lookup(fl.Name) != nil {
			return // a global option, not a target
		}
		switch fl.Name {
		case "amount":
			e.Amount = fl.Value.String()
		case "currency":
			e.Currency = fl.Value.String()
		default:
			e.Targets[fl.Name] = fl.Value.String()
		}
	})
	if u, err := user.Current(); err == nil {
		e.User = u.Username
	}
	e.Host, _ = os.Hostname()
	e.Batch, e.Line = f.Batch, f.BatchLine
	if err := store.Begin(ctx, e); err != nil {
		return exitcode.New(exitcode.Auth, "%v", err).WithHint("nothing was sent; pass --no-journal to send without a record")
	}
	f.journal.key = key
	return nil
}

// providerOf is whose request it is: the group of a provider's own
// command, else the selected provider.
func (f *Factory) providerOf(cmd *cobra.Command) string {
	for c := cmd; c != nil && c.HasParent(); c = c.Parent() {
		if c.GroupID == "boku" || c.GroupID == "worldline" {
			return c.GroupID
		}
	}
	if f.Provider != "" {
		return f.Provider
	}
	if settings, err := f.Settings(); err == nil {
		return settings.Get("provider")
	}
	return ""
}

// RecordResult keeps the last printed result for the journal row.
func (f *Factory) RecordResult(result []byte) {
	if f.journal != nil && f.journal.key != "" {
		var compact bytes.Buffer
		if json.Compact(&compact, result) == nil {
			result = compact.Bytes()
		}
		f.journal.result = append([]byte(nil), result...)
	}
}

// Sent reports whether this run announced an idempotency key: a request
// that changes state was (about to be) sent.
func (f *Factory) Sent() bool { return f.sent }

// markSent notes that a request is about to leave: from now on the
// outcome decides the exit code, not an output error.
func (f *Factory) markSent(key string) {
	f.Sends.note(key, f.shared != nil, f.journal != nil && f.journal.key == key)
	f.sent = true
	if f.Printer != nil {
		f.Printer.Sent = true
	}
}

// FinishJournal records the run's outcome on its journal row, from the
// exit code and error the run ends with, and closes the journal.
func (f *Factory) FinishJournal(err error) {
	if f.journal == nil || f.journal.store == nil {
		return
	}
	defer f.journal.store.Close()
	if f.journal.key == "" {
		return
	}
	o := outcomeOf(err)
	o.Result = string(f.journal.result)
	if ferr := f.journal.store.Finish(context.Background(), f.journal.key, o); ferr != nil && f.Printer != nil {
		f.Printer.Notice("Warning: the outcome could not be written to the journal: %v", ferr)
	}
}

// outcomeOf is the journal outcome of a run that ended with err.
func outcomeOf(err error) journal.Outcome {
	code := exitcode.Of(err)
	o := journal.Outcome{ExitCode: int(code)}
	switch code {
	case exitcode.OK:
		o.Status = journal.StatusOK
	case exitcode.Pending:
		o.Status = journal.StatusPending
	case exitcode.UnknownOutcome, exitcode.Unexpected:
		o.Status = journal.StatusUnknown
	default:
		o.Status = journal.StatusFailed
	}
	if err != nil {
		o.Reason = err.Error()
		if code == exitcode.UnknownOutcome || code == exitcode.Pending {
			o.SettleCmd = exitcode.HintOf(err)
		}
	}
	return o
}
