package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
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
CREATE TABLE IF NOT EXISTS batches (
	id        TEXT PRIMARY KEY,
	time      TEXT NOT NULL,
	profile   TEXT NOT NULL,
	provider  TEXT NOT NULL,
	operation TEXT NOT NULL,
	file      TEXT NOT NULL,
	digest    TEXT NOT NULL,
	copy      TEXT NOT NULL,
	rows      INTEGER NOT NULL,
	merchant  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS batches_digest ON batches(digest);
`

// schemaVersion is PRAGMA user_version of an up-to-date journal.
const schemaVersion = 4

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
	if version < 2 {
		if err := migrate2(ctx, tx); err != nil {
			return err
		}
	}
	// Version 3: who the database says wrote the row, and the indexes the
	// filters of journal list, reconcile and status use (status with time:
	// reconcile reads only what is not settled).
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM pragma_table_info('operations') WHERE name = 'db_user'").Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		if _, err := tx.ExecContext(ctx, "ALTER TABLE operations ADD COLUMN db_user TEXT NOT NULL DEFAULT ''"); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, indexes3); err != nil {
		return err
	}
	// Version 4: the merchant a batch acts for ('' for older batches,
	// which match by profile as before).
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM pragma_table_info('batches') WHERE name = 'merchant'").Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		if _, err := tx.ExecContext(ctx, "ALTER TABLE batches ADD COLUMN merchant TEXT NOT NULL DEFAULT ''"); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion)); err != nil {
		return err
	}
	return tx.Commit()
}

// migrate2 brings a journal of version 0 or 1 to version 2: the columns
// added since, the events table, and fixed-width times.
func migrate2(ctx context.Context, tx *sql.Tx) error {
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
	return nil
}

// indexes3 are the indexes of version 3.
const indexes3 = `
CREATE INDEX IF NOT EXISTS operations_time_key ON operations(time, key);
DROP INDEX IF EXISTS operations_time;
CREATE INDEX IF NOT EXISTS operations_status_time ON operations(status, time);
DROP INDEX IF EXISTS operations_status;
CREATE INDEX IF NOT EXISTS operations_provider_time ON operations(provider, time);
CREATE INDEX IF NOT EXISTS operations_operation_time ON operations(operation, time);
`

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

// Open opens (creating it, 0600 in a 0700 folder) the SQLite journal at
// path: WAL, synchronous writes, and a busy timeout so that concurrent
// bokuctl processes wait for each other instead of losing rows.
func Open(ctx context.Context, path string) (Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, &OpenError{Path: path, Err: err}
	}
	if err := setAsideOrphanWAL(path); err != nil {
		return nil, &OpenError{Path: path, Err: err}
	}
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, &OpenError{Path: path, Err: err}
	} else {
		f.Close()
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", walAutocheckpoint) + "&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, &OpenError{Path: path, Err: err}
	}
	db.SetMaxOpenConns(1)
	// An up-to-date journal (the common case: every command after the
	// first) needs neither the schema statements nor the migration's
	// write transaction: one read of user_version, no lock, no write.
	// user_version is set only in the transaction that finishes a
	// migration, so a current value means the schema is all there.
	// If that read fails (a journal being created by another process at
	// this moment can answer SQLITE_BUSY), take the full path below,
	// which waits for the other process.
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err == nil && version >= schemaVersion {
		return &sqlStore{db: db, d: sqliteDialect, where: path}, nil
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, &OpenError{Path: path, Err: err}
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, &OpenError{Path: path, Err: err}
	}
	return &sqlStore{db: db, d: sqliteDialect, where: path}, nil
}

// setAsideOrphanWAL renames the WAL of a journal whose file is gone
// (removed, or moved without it) to path-wal.orphaned-TIME, and removes
// its index (-shm), before a new journal is created at path: SQLite
// deletes the WAL of an empty database file when it opens it, and with
// it the latest rows of the journal that was moved or removed. Since a
// process ends leaving the WAL in place (Leave), one is normally next to
// the journal. Set aside, it can go back beside the moved file
// (FILE-wal), which then has all its rows.
func setAsideOrphanWAL(path string) error {
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if _, err := os.Lstat(path + "-wal"); err != nil {
		return nil
	}
	aside := path + "-wal.orphaned-" + time.Now().UTC().Format("20060102T150405.000000000Z")
	if err := os.Rename(path+"-wal", aside); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("a WAL without its journal is in the way (%v): move %s-wal aside", err, path)
	}
	if err := os.Remove(path + "-shm"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("a WAL index without its journal is in the way (%v): remove %s-shm", err, path)
	}
	return nil
}

// walAutocheckpoint is the size of the WAL, in pages, at which a commit
// copies it into the database file (PRAGMA wal_autocheckpoint). A
// process that ends with Leave does not checkpoint: the WAL grows by
// about 14 pages a charge until a commit finds it this long. The next
// process reads and checksums all of it when it opens the journal (the
// WAL index is rebuilt when no other process has it open), so it is
// kept short: 64 pages (256 KiB), a checkpoint (two syncs, and one for
// the header of the WAL that starts again) about every 5 charges.
// Measured against 16, 32, 256 and SQLite's 1000 (bench/journal.sh):
// 1000 costs a charge the most (recovery), 64 the least.
const walAutocheckpoint = 64

// leaveWALBytes is the longest WAL file Leave leaves in place: twice
// walAutocheckpoint pages (a page is 4096 bytes and a 24-byte frame
// header). A checkpoint does not shorten the file: the commits after it
// write over it from its start. So the file of a journal that single
// commands use stays a little longer than walAutocheckpoint pages, and
// closing it whenever it is longer than that (as Leave did at first)
// deleted it at every checkpoint: the next command created it again,
// and each commit appended to a new file, whose sync costs the disk
// more than one that writes over blocks already there (measured on
// ext4: 0.64 against 0.11 ms a sync, median). A batch's WAL, which
// grows to groupWALAutocheckpoint pages, is still closed.
const leaveWALBytes = 2 * walAutocheckpoint * (4096 + 24)

// groupWALAutocheckpoint is the checkpoint length of a group writer's
// connection (SQLite's default): a batch at concurrency 4 checkpointing
// every 64 pages made 65 % more syncs than at 1000.
const groupWALAutocheckpoint = 1000

// Leave ends the use of store by a process that exits right after (the
// end of a bokuctl command); any other user closes it with Close.
//
// Closing the last connection to an SQLite journal checkpoints it (two
// more syncs to disk) and deletes the WAL, which the next command
// creates again (two more: its header and the folder): four of the six
// syncs of a journaled charge. Leave leaves the connection open, so the
// process ends with the WAL in place, exactly as if it had been killed
// after its last commit. That is safe by SQLite's design: every
// transaction was synced to the WAL when it committed (synchronous
// FULL), and the next process to open the journal recovers the WAL
// (sqlite.org/wal.html); commits copy it into the database file when it
// reaches walAutocheckpoint pages. Leave must only be called once
// nothing is running on store.
//
// A WAL file longer than leaveWALBytes (what a batch leaves, whose
// connection checkpoints later) is checkpointed by closing, so that the
// next command does not read it all back. Other stores (PostgreSQL, a
// batch's Group) are closed.
func Leave(store Store) error {
	if s, ok := store.(*sqlStore); ok && s.d == sqliteDialect {
		if fi, err := os.Stat(s.where + "-wal"); err == nil && fi.Size() <= leaveWALBytes {
			return nil
		}
	}
	return store.Close()
}
