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

// storedTime is how times are stored: fixed width, UTC, nanoseconds, so
// that they sort as text (RFC 3339 with trimmed fractions does not).
const storedTime = "2006-01-02T15:04:05.000000000Z"

func stamp(t time.Time) string { return t.UTC().Format(storedTime) }

// schemaVersion is PRAGMA user_version of an up-to-date journal.
const schemaVersion = 2

// columnsAdded bring a journal written by an older bokuctl up to date:
// each adds a column if it is missing.
var columnsAdded = []struct{ table, column, ddl string }{
	{"operations", "batch", "ALTER TABLE operations ADD COLUMN batch TEXT NOT NULL DEFAULT ''"},
	{"operations", "line", "ALTER TABLE operations ADD COLUMN line INTEGER NOT NULL DEFAULT 0"},
	{"operations", "amount_minor", "ALTER TABLE operations ADD COLUMN amount_minor INTEGER NOT NULL DEFAULT 0"},
	{"operations", "made_id", "ALTER TABLE operations ADD COLUMN made_id TEXT NOT NULL DEFAULT ''"},
	{"operations", "follows", "ALTER TABLE operations ADD COLUMN follows TEXT NOT NULL DEFAULT ''"},
	{"operations", "settles", "ALTER TABLE operations ADD COLUMN settles TEXT NOT NULL DEFAULT ''"},
	{"operations", "attempts", "ALTER TABLE operations ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1"},
}

const eventsSchema = `
CREATE TABLE IF NOT EXISTS events (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	key       TEXT NOT NULL,
	time      TEXT NOT NULL,
	kind      TEXT NOT NULL,
	attempt   INTEGER NOT NULL DEFAULT 0,
	from_status TEXT NOT NULL DEFAULT '',
	to_status TEXT NOT NULL DEFAULT '',
	status    TEXT NOT NULL DEFAULT '',
	exit_code INTEGER,
	amount    TEXT NOT NULL DEFAULT '',
	currency  TEXT NOT NULL DEFAULT '',
	reason    TEXT NOT NULL DEFAULT '',
	result    TEXT NOT NULL DEFAULT '',
	note      TEXT NOT NULL DEFAULT '',
	by        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_key ON events(key, seq);
CREATE INDEX IF NOT EXISTS operations_follows ON operations(follows) WHERE follows != '';
CREATE TRIGGER IF NOT EXISTS events_never_updated BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'journal events are never changed'); END;
CREATE TRIGGER IF NOT EXISTS events_never_deleted BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'journal events are never deleted'); END;
`

// migrate brings the journal to schemaVersion in one write transaction
// (BEGIN IMMEDIATE): two bokuctl processes opening an old journal at once
// migrate it once.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version >= schemaVersion {
		return nil
	}
	for _, m := range columnsAdded {
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
	if _, err := tx.ExecContext(ctx, eventsSchema); err != nil {
		return err
	}
	// Times written by older versions have trimmed fractions: rewrite
	// them fixed width, so that comparisons and order by text are right.
	for _, col := range []struct{ table, key, column string }{
		{"operations", "key", "time"}, {"operations", "key", "finished_at"}, {"batches", "id", "time"},
	} {
		if err := fixTimes(ctx, tx, col.table, col.key, col.column); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion)); err != nil {
		return err
	}
	return tx.Commit()
}

func fixTimes(ctx context.Context, tx *sql.Tx, table, key, column string) error {
	rows, err := tx.QueryContext(ctx, fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s != ''", key, column, table, column))
	if err != nil {
		return err
	}
	type fix struct{ key, value string }
	var fixes []fix
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return err
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil && stamp(t) != v {
			fixes = append(fixes, fix{k, stamp(t)})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, f := range fixes {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET %s = ? WHERE %s = ?", table, column, key), f.value, f.key); err != nil {
			return err
		}
	}
	return nil
}

// sqliteStore is the SQLite journal.
type sqliteStore struct {
	db   *sql.DB
	path string
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
	return &sqliteStore{db: db, path: path}, nil
}

func (s *sqliteStore) Close() error { return s.db.Close() }

func (s *sqliteStore) wrap(err error) error {
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrSettled) {
		return err
	}
	return &OpenError{Path: s.path, Err: err}
}

// inTx runs fn in one write transaction.
func (s *sqliteStore) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return s.wrap(err)
	}
	return s.wrap(tx.Commit())
}

func (s *sqliteStore) Begin(ctx context.Context, e Entry) (int, error) {
	var attempt int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		attempt, err = begin(ctx, tx, e)
		return err
	})
	return attempt, err
}

func (s *sqliteStore) Finish(ctx context.Context, key string, attempt int, o Outcome) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return finish(ctx, tx, key, attempt, o) })
}

// Apply writes many intents and outcomes in one transaction.
func (s *sqliteStore) Apply(ctx context.Context, changes []Change) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for i := range changes {
			c := &changes[i]
			var err error
			if c.Begin != nil {
				c.Attempt, err = begin(ctx, tx, *c.Begin)
			} else {
				err = finish(ctx, tx, c.Key, c.Attempt, c.Outcome)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *sqliteStore) Record(ctx context.Context, key, kind string, o Outcome, ev Event) (*Entry, error) {
	var after *Entry
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := getRow(ctx, tx, key)
		if err != nil {
			return err
		}
		if kind == KindSettle && Settled(cur.Status) {
			return ErrSettled
		}
		if err := apply(ctx, tx, cur, kind, 0, o, ev); err != nil {
			return err
		}
		after, err = getRow(ctx, tx, key)
		return err
	})
	if err != nil {
		return nil, err
	}
	after.History, err = s.history(ctx, key)
	return after, s.wrap(err)
}

// begin records an intent: a new row, or a new attempt of the row.
func begin(ctx context.Context, tx *sql.Tx, e Entry) (int, error) {
	now := stamp(time.Now())
	cur, err := getRow(ctx, tx, e.Key)
	switch {
	case errors.Is(err, ErrNotFound):
		targets, _ := json.Marshal(e.Targets)
		if e.Targets == nil {
			targets = []byte("{}")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO operations
			(key, time, profile, provider, operation, targets, amount, amount_minor, currency, user, host, status, batch, line, follows, settles, attempts)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
			e.Key, stamp(e.Time), e.Profile, e.Provider, e.Operation, string(targets), e.Amount, e.Minor, e.Currency, e.User, e.Host,
			StatusSent, e.Batch, e.Line, e.Follows, e.Settles); err != nil {
			return 0, err
		}
		return 1, addEvent(ctx, tx, e.Key, Event{Kind: KindAttempt, Attempt: 1, To: StatusSent, Amount: e.Amount, Currency: e.Currency, By: who(e)}, now)
	case err != nil:
		return 0, err
	}
	attempt := cur.Attempts + 1
	status := afterAttempt(cur.Status)
	if _, err := tx.ExecContext(ctx, `UPDATE operations SET attempts = ?, status = ? WHERE key = ?`, attempt, status, e.Key); err != nil {
		return 0, err
	}
	return attempt, addEvent(ctx, tx, e.Key, Event{Kind: KindAttempt, Attempt: attempt, From: cur.Status, To: status,
		Amount: e.Amount, Currency: e.Currency, By: who(e)}, now)
}

func who(e Entry) string { return strings.Trim(e.User+"@"+e.Host, "@") }

// finish records an attempt's outcome.
func finish(ctx context.Context, tx *sql.Tx, key string, attempt int, o Outcome) error {
	cur, err := getRow(ctx, tx, key)
	if err != nil {
		return err
	}
	return apply(ctx, tx, cur, KindOutcome, attempt, o, Event{})
}

// apply moves row cur by Next, records the event, and settles the row it
// follows when it ends ok.
func apply(ctx context.Context, tx *sql.Tx, cur *Entry, kind string, attempt int, o Outcome, ev Event) error {
	next := Next(cur.Status, o.Status, kind)
	now := stamp(time.Now())
	// The row takes the outcome's data when the outcome is what the row
	// now says; an answer the row did not take stays in the history only.
	if next == o.Status && (next != cur.Status || !Settled(cur.Status)) {
		made := o.MadeID
		if made == "" {
			made = cur.MadeID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE operations SET status = ?, exit_code = ?, reason = ?, result = ?, settle_cmd = ?, finished_at = ?, made_id = ?
			WHERE key = ?`, next, o.ExitCode, o.Reason, o.Result, o.SettleCmd, now, made, cur.Key); err != nil {
			return err
		}
	} else if next != cur.Status {
		if _, err := tx.ExecContext(ctx, `UPDATE operations SET status = ?, finished_at = ? WHERE key = ?`, next, now, cur.Key); err != nil {
			return err
		}
	}
	code := o.ExitCode
	ev.Kind, ev.Attempt, ev.From, ev.To, ev.Status, ev.ExitCode = kind, attempt, cur.Status, next, o.Status, &code
	ev.Reason, ev.Result = o.Reason, o.Result
	if err := addEvent(ctx, tx, cur.Key, ev, now); err != nil {
		return err
	}
	if next != StatusOK || cur.Status == StatusOK || cur.Follows == "" {
		return nil // only the first success of a follow-up settles what it follows
	}
	settles := o.Settles
	if settles == "" {
		settles = cur.Settles
	}
	if settles == "" {
		return nil
	}
	followed, err := getRow(ctx, tx, cur.Follows)
	if errors.Is(err, ErrNotFound) {
		return nil // it follows a request this journal never recorded
	}
	if err != nil {
		return err
	}
	o = Outcome{Status: settles, Reason: fmt.Sprintf("settled by %s (%s)", cur.Key, cur.Operation), Result: followed.Result, MadeID: followed.MadeID}
	if settles == StatusFailed {
		o.Reason = fmt.Sprintf("never processed: %s (%s) found nothing to undo", cur.Key, cur.Operation)
		if followed.ExitCode != nil {
			o.ExitCode = *followed.ExitCode
		}
	}
	return apply(ctx, tx, followed, KindFollowUp, 0, o, Event{By: cur.Key})
}

func addEvent(ctx context.Context, tx *sql.Tx, key string, ev Event, now string) error {
	var code any
	if ev.ExitCode != nil {
		code = *ev.ExitCode
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO events (key, time, kind, attempt, from_status, to_status, status, exit_code, amount, currency, reason, result, note, by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		key, now, ev.Kind, ev.Attempt, ev.From, ev.To, ev.Status, code, ev.Amount, ev.Currency, ev.Reason, ev.Result, ev.Note, ev.By)
	return err
}

func (s *sqliteStore) history(ctx context.Context, key string) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, time, kind, attempt, from_status, to_status, status, exit_code, amount, currency, reason, result, note, by
		FROM events WHERE key = ? ORDER BY seq`, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var ev Event
		var when string
		var code sql.NullInt64
		if err := rows.Scan(&ev.Seq, &when, &ev.Kind, &ev.Attempt, &ev.From, &ev.To, &ev.Status, &code, &ev.Amount, &ev.Currency,
			&ev.Reason, &ev.Result, &ev.Note, &ev.By); err != nil {
			return nil, err
		}
		ev.Time, _ = time.Parse(time.RFC3339Nano, when)
		if code.Valid {
			c := int(code.Int64)
			ev.ExitCode = &c
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

func (s *sqliteStore) ClaimBatch(ctx context.Context, b Batch, fresh bool) (*Batch, error) {
	var prior *Batch
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if !fresh {
			p, err := scanBatch(tx.QueryRowContext(ctx, "SELECT "+batchColumns+` FROM batches
				WHERE digest = ? AND operation = ? AND profile = ? ORDER BY time DESC LIMIT 1`, b.Digest, b.Operation, b.Profile))
			if err == nil {
				prior = p
				return nil
			}
			if !errors.Is(err, ErrNoBatch) {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO batches (id, time, profile, provider, operation, file, digest, copy, rows)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.ID, stamp(b.Time), b.Profile, b.Provider, b.Operation, b.File, b.Digest, b.Copy, b.Rows)
		return err
	})
	return prior, err
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
	b, err := scanBatch(s.db.QueryRowContext(ctx, "SELECT "+batchColumns+" FROM batches WHERE id = ?", id))
	if errors.Is(err, ErrNoBatch) {
		return nil, err
	}
	return b, s.wrap(err)
}

func (s *sqliteStore) FindBatch(ctx context.Context, digest, operation, profile string) (*Batch, error) {
	b, err := scanBatch(s.db.QueryRowContext(ctx, "SELECT "+batchColumns+` FROM batches
		WHERE digest = ? AND operation = ? AND profile = ? ORDER BY time DESC LIMIT 1`, digest, operation, profile))
	if errors.Is(err, ErrNoBatch) {
		return nil, err
	}
	return b, s.wrap(err)
}

const columns = `key, time, profile, provider, operation, targets, amount, amount_minor, currency, user, host, status, exit_code, reason, result,
	settle_cmd, finished_at, batch, line, made_id, follows, settles, attempts`

func statusClause(status string) (string, []any) {
	if status == StatusUnknown {
		return "status IN ('unknown', 'sent')", nil
	}
	return "status = ?", []any{status}
}

func (s *sqliteStore) List(ctx context.Context, f Filter) ([]Entry, error) {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where, args = append(where, "time >= ?"), append(args, stamp(f.Since))
	}
	if f.Status != "" {
		clause, a := statusClause(f.Status)
		where, args = append(where, clause), append(args, a...)
	}
	if len(f.Statuses) > 0 {
		var any []string
		for _, st := range f.Statuses {
			clause, a := statusClause(st)
			any, args = append(any, clause), append(args, a...)
		}
		where = append(where, "("+strings.Join(any, " OR ")+")")
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
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, s.wrap(err)
		}
		out = append(out, *e)
	}
	return out, s.wrap(rows.Err())
}

func (s *sqliteStore) Get(ctx context.Context, key string) (*Entry, error) {
	e, err := getRow(ctx, s.db, key)
	if err != nil {
		return nil, s.wrap(err)
	}
	e.History, err = s.history(ctx, key)
	return e, s.wrap(err)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func getRow(ctx context.Context, db queryer, key string) (*Entry, error) {
	e, err := scan(db.QueryRowContext(ctx, "SELECT "+columns+" FROM operations WHERE key = ?", key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return e, err
}

func scan(row interface{ Scan(...any) error }) (*Entry, error) {
	var e Entry
	var when, targets, finished string
	var exit sql.NullInt64
	if err := row.Scan(&e.Key, &when, &e.Profile, &e.Provider, &e.Operation, &targets, &e.Amount, &e.Minor, &e.Currency, &e.User, &e.Host,
		&e.Status, &exit, &e.Reason, &e.Result, &e.SettleCmd, &finished, &e.Batch, &e.Line, &e.MadeID, &e.Follows, &e.Settles, &e.Attempts); err != nil {
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
