package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

// ErrNotFound means no row has the key.
var ErrNotFound = errors.New("no journal entry with that idempotency key")

// OpenError says the journal file cannot be used, and how to recover.
type OpenError struct {
	Path string
	Err  error
}

func (e *OpenError) Error() string {
	return fmt.Sprintf("journal %s cannot be used: %v", e.Path, e.Err)
}

func (e *OpenError) Unwrap() error { return e.Err }

const schema = `
CREATE TABLE IF NOT EXISTS operations (
	key         TEXT PRIMARY KEY,
	time        TEXT NOT NULL,
	profile     TEXT NOT NULL,
	provider    TEXT NOT NULL,
	operation   TEXT NOT NULL,
	targets     TEXT NOT NULL DEFAULT '{}',
	amount      TEXT NOT NULL DEFAULT '',
	currency    TEXT NOT NULL DEFAULT '',
	user        TEXT NOT NULL DEFAULT '',
	host        TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL,
	exit_code   INTEGER,
	reason      TEXT NOT NULL DEFAULT '',
	result      TEXT NOT NULL DEFAULT '',
	settle_cmd  TEXT NOT NULL DEFAULT '',
	finished_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS operations_time ON operations(time);
CREATE INDEX IF NOT EXISTS operations_status ON operations(status);
CREATE TABLE IF NOT EXISTS batches (
	id        TEXT PRIMARY KEY,
	time      TEXT NOT NULL,
	profile   TEXT NOT NULL,
	provider  TEXT NOT NULL,
	operation TEXT NOT NULL,
	file      TEXT NOT NULL,
	digest    TEXT NOT NULL,
	copy      TEXT NOT NULL,
	rows      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS batches_digest ON batches(digest);
`

// migrations bring a journal written by an older bokuctl up to date: each
// adds a column if it is missing.
var migrations = []struct{ table, column, ddl string }{
	{"operations", "batch", "ALTER TABLE operations ADD COLUMN batch TEXT NOT NULL DEFAULT ''"},
	{"operations", "line", "ALTER TABLE operations ADD COLUMN line INTEGER NOT NULL DEFAULT 0"},
}

func migrate(ctx context.Context, db *sql.DB) error {
	// One write transaction (BEGIN IMMEDIATE): two bokuctl processes
	// opening an old journal at once migrate it once.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, m := range migrations {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM pragma_table_info(?) WHERE name = ?", m.table, m.column).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			if _, err := tx.ExecContext(ctx, m.ddl); err != nil {
				return err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, "CREATE INDEX IF NOT EXISTS operations_batch ON operations(batch) WHERE batch != ''"); err != nil {
		return err
	}
	return tx.Commit()
}

// sqliteStore is the SQLite journal.
type sqliteStore struct {
	db   *sql.DB
	path string
	// The two writes, parsed once: a batch writes thousands of rows.
	beginStmt, finishStmt *sql.Stmt
}

// Open opens (creating it, 0600 in a 0700 folder) the SQLite journal at
// path: WAL, synchronous writes, and a busy timeout so that concurrent
// bokuctl processes wait for each other instead of losing rows.
func Open(ctx context.Context, path string) (Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, &OpenError{Path: path, Err: err}
	}
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, &OpenError{Path: path, Err: err}
	} else {
		f.Close()
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, &OpenError{Path: path, Err: err}
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, &OpenError{Path: path, Err: err}
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, &OpenError{Path: path, Err: err}
	}
	store := &sqliteStore{db: db, path: path}
	if store.beginStmt, err = db.PrepareContext(ctx, beginSQL); err == nil {
		store.finishStmt, err = db.PrepareContext(ctx, finishSQL)
	}
	if err != nil {
		db.Close()
		return nil, &OpenError{Path: path, Err: err}
	}
	return store, nil
}

func (s *sqliteStore) Close() error {
	s.beginStmt.Close()
	s.finishStmt.Close()
	return s.db.Close()
}

// execer is a prepared statement, alone or in a transaction.
type execer interface {
	ExecContext(ctx context.Context, args ...any) (sql.Result, error)
}

const beginSQL = `INSERT INTO operations
		(key, time, profile, provider, operation, targets, amount, currency, user, host, status, batch, line)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET time = excluded.time, status = CASE WHEN operations.status IN ('ok', 'failed') THEN operations.status ELSE excluded.status END`

const finishSQL = `UPDATE operations SET status = ?, exit_code = ?, reason = ?, result = ?, settle_cmd = ?, finished_at = ? WHERE key = ?`

func begin(ctx context.Context, db execer, e Entry) error {
	targets, _ := json.Marshal(e.Targets)
	if e.Targets == nil {
		targets = []byte("{}")
	}
	_, err := db.ExecContext(ctx,
		e.Key, e.Time.UTC().Format(time.RFC3339Nano), e.Profile, e.Provider, e.Operation, string(targets),
		e.Amount, e.Currency, e.User, e.Host, StatusSent, e.Batch, e.Line)
	return err
}

func finish(ctx context.Context, db execer, key string, o Outcome) error {
	_, err := db.ExecContext(ctx,
		o.Status, o.ExitCode, o.Reason, o.Result, o.SettleCmd, time.Now().UTC().Format(time.RFC3339Nano), key)
	return err
}

func (s *sqliteStore) Begin(ctx context.Context, e Entry) error {
	if err := begin(ctx, s.beginStmt, e); err != nil {
		return &OpenError{Path: s.path, Err: err}
	}
	return nil
}

func (s *sqliteStore) Finish(ctx context.Context, key string, o Outcome) error {
	if err := finish(ctx, s.finishStmt, key, o); err != nil {
		return &OpenError{Path: s.path, Err: err}
	}
	return nil
}

// Apply writes many intents and outcomes in one transaction.
func (s *sqliteStore) Apply(ctx context.Context, changes []Change) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return &OpenError{Path: s.path, Err: err}
	}
	defer tx.Rollback()
	beginTx, finishTx := tx.StmtContext(ctx, s.beginStmt), tx.StmtContext(ctx, s.finishStmt)
	for _, c := range changes {
		if c.Begin != nil {
			err = begin(ctx, beginTx, *c.Begin)
		} else {
			err = finish(ctx, finishTx, c.Key, c.Outcome)
		}
		if err != nil {
			return &OpenError{Path: s.path, Err: err}
		}
	}
	if err := tx.Commit(); err != nil {
		return &OpenError{Path: s.path, Err: err}
	}
	return nil
}

func (s *sqliteStore) AddBatch(ctx context.Context, b Batch) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO batches (id, time, profile, provider, operation, file, digest, copy, rows)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.ID, b.Time.UTC().Format(time.RFC3339Nano), b.Profile, b.Provider, b.Operation, b.File, b.Digest, b.Copy, b.Rows)
	if err != nil {
		return &OpenError{Path: s.path, Err: err}
	}
	return nil
}

const batchColumns = `id, time, profile, provider, operation, file, digest, copy, rows`

func scanBatch(row *sql.Row) (*Batch, error) {
	var b Batch
	var when string
	err := row.Scan(&b.ID, &when, &b.Profile, &b.Provider, &b.Operation, &b.File, &b.Digest, &b.Copy, &b.Rows)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoBatch
	}
	if err != nil {
		return nil, err
	}
	b.Time, _ = time.Parse(time.RFC3339Nano, when)
	return &b, nil
}

func (s *sqliteStore) GetBatch(ctx context.Context, id string) (*Batch, error) {
	return scanBatch(s.db.QueryRowContext(ctx, "SELECT "+batchColumns+" FROM batches WHERE id = ?", id))
}

func (s *sqliteStore) FindBatch(ctx context.Context, digest, operation, profile string) (*Batch, error) {
	return scanBatch(s.db.QueryRowContext(ctx, "SELECT "+batchColumns+` FROM batches
		WHERE digest = ? AND operation = ? AND profile = ? ORDER BY time DESC LIMIT 1`, digest, operation, profile))
}

const columns = `key, time, profile, provider, operation, targets, amount, currency, user, host, status, exit_code, reason, result, settle_cmd, finished_at, batch, line`

func (s *sqliteStore) List(ctx context.Context, f Filter) ([]Entry, error) {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where, args = append(where, "time >= ?"), append(args, f.Since.UTC().Format(time.RFC3339Nano))
	}
	switch f.Status {
	case "":
	case StatusUnknown:
		where = append(where, "status IN ('unknown', 'sent')")
	default:
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.Profile != "" {
		where, args = append(where, "profile = ?"), append(args, f.Profile)
	}
	if f.Provider != "" {
		where, args = append(where, "provider = ?"), append(args, f.Provider)
	}
	if f.Batch != "" {
		where, args = append(where, "batch = ?"), append(args, f.Batch)
	}
	query := "SELECT " + columns + " FROM operations"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.db.QueryContext(ctx, query+" ORDER BY time, key", args...)
	if err != nil {
		return nil, &OpenError{Path: s.path, Err: err}
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, &OpenError{Path: s.path, Err: err}
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

func (s *sqliteStore) Get(ctx context.Context, key string) (*Entry, error) {
	row := s.db.QueryRowContext(ctx, "SELECT "+columns+" FROM operations WHERE key = ?", key)
	e, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return e, err
}

func scan(row interface{ Scan(...any) error }) (*Entry, error) {
	var e Entry
	var when, targets, finished string
	var exit sql.NullInt64
	if err := row.Scan(&e.Key, &when, &e.Profile, &e.Provider, &e.Operation, &targets, &e.Amount, &e.Currency, &e.User, &e.Host,
		&e.Status, &exit, &e.Reason, &e.Result, &e.SettleCmd, &finished, &e.Batch, &e.Line); err != nil {
		return nil, err
	}
	e.Time, _ = time.Parse(time.RFC3339Nano, when)
	if finished != "" {
		e.FinishedAt, _ = time.Parse(time.RFC3339Nano, finished)
	}
	if exit.Valid {
		code := int(exit.Int64)
		e.ExitCode = &code
	}
	_ = json.Unmarshal([]byte(targets), &e.Targets)
	return &e, nil
}
