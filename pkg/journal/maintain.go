package journal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backuper is a journal kept in one file (SQLite), which can copy itself
// while in use and check itself.
type Backuper interface {
	// Backup writes a consistent copy of the journal to path (VACUUM
	// INTO: a hot copy, taken in one read transaction), 0600; path must
	// not exist.
	Backup(ctx context.Context, path string) error
	// Verify runs the engine's integrity check and returns its problems
	// (none: an empty slice).
	Verify(ctx context.Context) ([]string, error)
}

func (s *sqlStore) Backup(ctx context.Context, path string) error {
	if s.d.native {
		return errors.New("a team journal is backed up by PostgreSQL's own tools (pg_dump)")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(abs); err == nil {
		return fmt.Errorf("%s exists: give a new file", path)
	}
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		os.Remove(abs)
		return s.wrap(err)
	}
	return os.Chmod(abs, 0o600)
}

func (s *sqlStore) Verify(ctx context.Context) ([]string, error) {
	if s.d.native {
		return nil, errors.New("a team journal is checked by PostgreSQL itself")
	}
	rows, err := s.db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	problems := []string{}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, s.wrap(err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	return problems, s.wrap(rows.Err())
}
