package cmdutil

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/money"
)

// JournalWindow is how far back journal list, reconcile and status look
// by default (--since): one window, so that what list shows is what
// reconcile settles.
const JournalWindow = 7 * 24 * time.Hour

// JournalPath is where the journal lives: the profile's journal setting
// or BOKUCTL_JOURNAL (a file, or a postgres:// address for a team
// journal), else $XDG_STATE_HOME/bokuctl/journal.db (or
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
	dir, err := f.stateDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "journal.db"), nil
}

// stateDir is $XDG_STATE_HOME/bokuctl, or ~/.local/state/bokuctl.
func (f *Factory) stateDir() (string, error) {
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
	return filepath.Join(state, "bokuctl"), nil
}

// JournalDir is the folder of what the journal keeps on this machine
// (batch files' copies, batch locks): the journal file's folder, or, for
// a team journal on PostgreSQL, the local state folder.
func (f *Factory) JournalDir() (string, error) {
	path, err := f.JournalPath()
	if err != nil {
		return "", err
	}
	if journal.IsPostgres(path) {
		return f.stateDir()
	}
	return filepath.Dir(path), nil
}

// OpenJournal opens the journal of this run (nil when it is off). Only
// commands that read or write it call it: others never touch the file.
func (f *Factory) OpenJournal(ctx context.Context) (journal.Store, error) {
	if f.journal != nil {
		return f.journal, nil
	}
	if f.NoJournal {
		return nil, nil
	}
	path, err := f.JournalPath()
	if err != nil || strings.EqualFold(path, "off") {
		return nil, err
	}
	var store journal.Store
	if journal.IsPostgres(path) {
		// The password: the secret store's journal-password (or
		// BOKUCTL_JOURNAL_PASSWORD), else what pgx finds itself
		// (PGPASSWORD, ~/.pgpass).
		var password string
		if resolved, err := f.ResolveSecret(ctx, "journal-password"); err == nil {
			password = resolved.Value
		}
		store, err = journal.OpenPostgres(ctx, path, password)
		if err != nil {
			return nil, exitcode.New(exitcode.Auth, "%v", err).
				WithHint("nothing was sent. Check the server and the address (journal setting or BOKUCTL_JOURNAL), the password (bokuctl secret set journal-password, or PGPASSWORD), or pass --no-journal to send without a record")
		}
	} else {
		store, err = journal.Open(ctx, path)
		if err != nil {
			return nil, exitcode.New(exitcode.Auth, "%v", err).
				WithHint("nothing was sent. Move the file aside with its WAL (mv %s %s.broken; mv %s-wal %s.broken-wal, if it exists) to start a new journal, set BOKUCTL_JOURNAL elsewhere, or pass --no-journal to send without a record", path, path, path, path)
		}
	}
	f.journal = store
	return store, nil
}

type processEndsKey struct{}

// WithProcessEnd marks ctx as the context of a run after which the
// process exits (the Factory's ProcessEnds).
func WithProcessEnd(ctx context.Context) context.Context {
	return context.WithValue(ctx, processEndsKey{}, true)
}

// ProcessEnds reports whether ctx was marked by WithProcessEnd.
func ProcessEnds(ctx context.Context) bool {
	ends, _ := ctx.Value(processEndsKey{}).(bool)
	return ends
}

// SetJournal makes store this run's journal (a batch's journal.Group).
func (f *Factory) SetJournal(store journal.Store) { f.journal = store }

// recordIntent writes the journal row of the request about to be sent
// with key: who it goes to, what it moves and what it acts on (from the
// intent), and the command's arguments and flags as typed (ids, amounts:
// never a secret or card, which bokuctl takes only from stdin, files and
// the secret store). A journal that cannot record stops the request.
func (f *Factory) recordIntent(ctx context.Context, key string, in Intent) error {
	store, err := f.OpenJournal(ctx)
	if err != nil || store == nil {
		return err
	}
	attempt, err := store.Begin(ctx, f.intentEntry(key, in))
	var held *journal.HeldError
	if errors.As(err, &held) {
		return exitcode.New(exitcode.Usage, "%v", err).
			WithHint("nothing was sent. Another operator's request with this key may still be in flight: let them or `bokuctl reconcile` settle it (bokuctl journal show %s), then send again", key)
	}
	if err != nil {
		return exitcode.New(exitcode.Auth, "%v", err).WithHint("nothing was sent; pass --no-journal to send without a record")
	}
	r := f.Run
	r.key, r.attempt, r.follows, r.settles = key, attempt, in.Follows, in.Settles
	return nil
}

// ValidatedEntry is the journal row a validation run stopped at would
// write when sent (what a batch writes ahead, journal.Group.Ahead); ok is
// false when the run did not reach its key.
func (f *Factory) ValidatedEntry() (e journal.Entry, ok bool) {
	if f.Run.validatedKey == "" {
		return journal.Entry{}, false
	}
	return f.intentEntry(f.Run.validatedKey, f.Run.validated), true
}

// SentSettleCmd is what settles a row whose process stopped between
// sending and recording the answer (the row still says "sent"): resume
// for a batch's row (it asks the provider, then sends what never arrived,
// with the same key; --yes, as the batch's own hint off a terminal, so
// that it works as printed wherever it is read), reconcile for any other.
// The intent records it, so that a row left by kill -9 or a power cut
// names it like any unknown one.
func SentSettleCmd(batch string) string {
	if batch != "" {
		return "bokuctl batch resume " + batch + " --yes"
	}
	return "bokuctl reconcile"
}

// intentEntry is the journal row of the request about to be sent with key.
func (f *Factory) intentEntry(key string, in Intent) journal.Entry {
	r := f.Run
	e := journal.Entry{Key: key, Time: time.Now(), Operation: r.Operation, Targets: map[string]string{}, Provider: in.Provider,
		Follows: in.Follows, Settles: in.Settles, Batch: r.Batch, Line: r.BatchLine, SettleCmd: SentSettleCmd(r.Batch)}
	if e.Provider == "" {
		e.Provider = r.Provider
	}
	if cmd := f.Command; cmd != nil && e.Operation == "" {
		e.Operation = strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
		if args := cmd.Flags().Args(); len(args) > 0 {
			e.Targets["args"] = strings.Join(args, " ")
		} else if len(r.Args) > 0 {
			e.Targets["args"] = strings.Join(r.Args, " ")
		}
		inherited := cmd.InheritedFlags()
		cmd.Flags().Visit(func(fl *pflag.Flag) {
			if inherited.Lookup(fl.Name) != nil || fl.Name == "yes" {
				return // a global option or the answer to a question, not a target
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
	} else if cmd == nil && r.Flags != nil {
		if len(r.Args) > 0 {
			e.Targets["args"] = strings.Join(r.Args, " ")
		}
		for name, value := range r.Flags {
			switch name {
			case "amount":
				e.Amount = value
			case "currency":
				e.Currency = value
			default:
				e.Targets[name] = value
			}
		}
	}
	for k, v := range in.Targets {
		e.Targets[k] = v
	}
	if in.Amount != nil {
		e.Amount, e.Currency, e.Minor = in.Amount.Decimal(), in.Amount.Currency.Code, in.Amount.MinorUnits
	} else if a, err := money.Parse(e.Amount, e.Currency); err == nil {
		// The handler checked --amount and --currency already: the same
		// exact parse gives the minor units it sent.
		e.Amount, e.Currency, e.Minor = a.Decimal(), a.Currency.Code, a.MinorUnits
	}
	e.Profile, _, _ = f.ProfileName()
	if u, err := user.Current(); err == nil {
		e.User = u.Username
	}
	e.Host, _ = os.Hostname()
	return e
}

// RecordResult keeps the last printed result for the journal row: the
// value it was printed from, and its JSON.
func (f *Factory) RecordResult(value any, result []byte) {
	var compact bytes.Buffer
	if json.Compact(&compact, result) == nil {
		result = compact.Bytes()
	}
	f.Run.result = append([]byte(nil), result...)
	f.Run.value = value
}

// markSent notes that the request journalled as key is about to leave:
// from now on the outcome decides the exit code, not an output error, and
// a signal that stops the process says so.
func (f *Factory) markSent(key string) {
	f.Sends.note(key, f.shared != nil, f.journal != nil && f.Run.key == key)
	f.Run.sent = true
	if f.Printer != nil {
		f.Printer.Sent = true
	}
}

// outcomeOf is the journal outcome of a run that ended with err. Once a
// request was written, only a definitive answer is a known outcome: a
// decline is declined; a refusal (bad request, auth, provider down before
// processing) failed; anything else unknown.
func outcomeOf(err error) journal.Outcome {
	code := exitcode.Of(err)
	o := journal.Outcome{ExitCode: int(code)}
	switch code {
	case exitcode.OK:
		o.Status = journal.StatusOK
	case exitcode.Pending:
		o.Status = journal.StatusPending
	case exitcode.Declined:
		o.Status = journal.StatusDeclined
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

// OpenJournal is the journal for the commands that read or settle it
// (journal, reconcile, batch): unlike f.OpenJournal, "off" is an error.
func OpenJournal(cmd *cobra.Command, f *Factory) (journal.Store, error) {
	store, err := f.OpenJournal(cmd.Context())
	if err != nil {
		return nil, err
	}
	if store == nil {
		return nil, exitcode.New(exitcode.Usage, "the journal is off").WithHint("unset the journal setting or BOKUCTL_JOURNAL, and drop --no-journal")
	}
	return store, nil
}
