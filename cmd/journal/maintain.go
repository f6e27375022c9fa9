package journal

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/output"
)

type backupResult struct {
	File  string `json:"file"`
	Bytes int64  `json:"bytes"`
}

func (r backupResult) Table() output.Table {
	t := output.Table{}
	t.Add("Backup", r.File)
	t.Add("Size", fmt.Sprintf("%d bytes", r.Bytes))
	return t
}

type verifyResult struct {
	OK       bool     `json:"ok"`
	Problems []string `json:"problems"`
}

func (r verifyResult) Table() output.Table {
	t := output.Table{}
	if r.OK {
		t.Fields = append(t.Fields, output.Field{Label: "Journal", Value: output.Status("ok")})
	}
	for _, p := range r.Problems {
		t.Add("Problem", p)
	}
	return t
}

// backuper is the journal as a file that copies and checks itself, or a
// usage error for a team journal.
func backuper(cmd *cobra.Command, f *cmdutil.Factory) (journal.Backuper, error) {
	if path, err := f.JournalPath(); err == nil && path != "" && !journal.IsPostgres(path) {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			// Opening it would create an empty journal: say so instead.
			return nil, exitcode.New(exitcode.Usage, "no journal at %s yet: nothing to copy or check", path).
				WithHint("the journal is written by the first request sent; BOKUCTL_JOURNAL names another file")
		}
	}
	store, err := cmdutil.OpenJournal(cmd, f)
	if err != nil {
		return nil, err
	}
	path, _ := f.JournalPath()
	b, ok := store.(journal.Backuper)
	if !ok || journal.IsPostgres(path) {
		return nil, exitcode.New(exitcode.Usage, "the journal is a team journal on PostgreSQL: back it up and check it with PostgreSQL's own tools").
			WithHint("pg_dump for a copy; journal backup and verify are for the local SQLite journal")
	}
	return b, nil
}

func newJournalBackupCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the local journal, while it is in use",
		Long: `Write a copy of the local (SQLite) journal to FILE, which must not exist:
a consistent snapshot (VACUUM INTO, in one read transaction), safe while
other bokuctl processes write; 0600. The copy is a journal of its own:
BOKUCTL_JOURNAL=FILE reads it.`,
		Example: "  bokuctl journal backup ~/backups/journal-$(date +%F).db",
		Args:    cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := backuper(cmd, f)
			if err != nil {
				return err
			}
			if err := b.Backup(cmd.Context(), args[0]); err != nil {
				if strings.Contains(err.Error(), "exists: give a new file") {
					return exitcode.New(exitcode.Usage, "%v", err)
				}
				return exitcode.New(exitcode.Auth, "journal backup: %v", err)
			}
			info, err := os.Stat(args[0])
			if err != nil {
				return err
			}
			return f.Printer.Print(backupResult{File: args[0], Bytes: info.Size()})
		},
	}
}

func newJournalVerifyCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the local journal's integrity",
		Long: `Run SQLite's integrity check over the local journal (PRAGMA
integrity_check) and list what it finds. Exit 0 when it is sound, 4 when
it is damaged: restore a backup (journal backup), or move the file aside
to start a new journal.`,
		Example: "  bokuctl journal verify",
		Args:    cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := backuper(cmd, f)
			if err != nil {
				return err
			}
			problems, err := b.Verify(cmd.Context())
			if err != nil {
				return exitcode.New(exitcode.Auth, "journal verify: %v", err)
			}
			if err := f.Printer.Print(verifyResult{OK: len(problems) == 0, Problems: problems}); err != nil {
				return err
			}
			if len(problems) > 0 {
				return exitcode.New(exitcode.Auth, "the journal is damaged: %d problem(s)", len(problems)).
					WithHint("restore a backup (bokuctl journal backup makes them), or move the file aside to start a new journal")
			}
			return nil
		},
	}
}

type migrateResult struct {
	From string `json:"from"`
	To   string `json:"to"`
	journal.CopyStats
}

func (r migrateResult) Table() output.Table {
	t := output.Table{}
	t.Add("From", r.From)
	t.Add("To", r.To)
	t.Add("Rows copied", fmt.Sprint(r.Rows))
	t.Add("Already there", fmt.Sprint(r.Skipped))
	t.Add("Events copied", fmt.Sprint(r.Events))
	t.Add("Batches copied", fmt.Sprint(r.Batches))
	return t
}

func newJournalMigrateCmd(f *cmdutil.Factory) *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "migrate --to postgres://USER@HOST/DB",
		Short: "Copy the local journal into a team journal on PostgreSQL",
		Long: `Copy every row of the local (SQLite) journal, with its whole history, and
every batch into the team journal at --to, idempotently: a row (key) or
batch already there is left as it is, so running it again copies only
what is new. Nothing is sent to a provider, and the local journal is not
changed. The password comes from the secret store (journal-password) or
PGPASSWORD, never the address. Then point the profile at the team
journal: bokuctl profile set PROFILE journal postgres://…`,
		Example: `  bokuctl journal migrate --to postgres://ana@db.example.com/bokuctl_journal`,
		Args:    cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !journal.IsPostgres(to) {
				return exitcode.New(exitcode.Usage, "--to must be a postgres:// address").WithHint("for example --to postgres://ana@db.example.com/bokuctl_journal")
			}
			if u, err := url.Parse(to); err != nil {
				return exitcode.New(exitcode.Usage, "--to is not a valid postgres:// address").WithHint("for example --to postgres://ana@db.example.com/bokuctl_journal")
			} else if _, has := u.User.Password(); has {
				// Refused before anything is opened; the address is never echoed.
				return exitcode.New(exitcode.Usage, "--to holds a password: nothing was copied").
					WithHint("leave it out of the address: bokuctl secret set journal-password, or PGPASSWORD (and clear the password from your shell history)")
			}
			path, err := f.JournalPath()
			if err != nil {
				return err
			}
			if journal.IsPostgres(path) {
				return exitcode.New(exitcode.Usage, "the journal is already a team journal (%s)", journal.Redact(path)).
					WithHint("migrate copies a local journal: set BOKUCTL_JOURNAL to the local file")
			}
			local, err := cmdutil.OpenJournal(cmd, f)
			if err != nil {
				return err
			}
			var password string
			if resolved, err := f.ResolveSecret(cmd.Context(), "journal-password"); err == nil {
				password = resolved.Value
			}
			team, err := journal.OpenPostgres(cmd.Context(), to, password)
			if err != nil {
				return exitcode.New(exitcode.Auth, "%v", err).WithHint("check the server, the address and the password (bokuctl secret set journal-password, or PGPASSWORD)")
			}
			defer team.Close()
			st, err := journal.Copy(cmd.Context(), local, team)
			if err != nil {
				return exitcode.New(exitcode.Auth, "journal migrate: %v", err).WithHint("what was copied stays; run it again to copy the rest")
			}
			return f.Printer.Print(migrateResult{From: path, To: journal.Redact(to), CopyStats: st})
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the team journal's address, postgres://USER@HOST/DB (no password)")
	return cmd
}
