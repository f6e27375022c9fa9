package journal

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// IsPostgres reports whether a journal location is a PostgreSQL
// connection string (postgres:// or postgresql://) rather than a file.
func IsPostgres(location string) bool {
	l := strings.ToLower(location)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// postgresDialect: $n placeholders, row locks, timestamptz and numeric.
var postgresDialect = &dialect{name: "postgres", dollar: true, lock: " FOR UPDATE", native: true}

// Redact is a PostgreSQL connection string safe to print: its password,
// if it has one, replaced by xxxxx.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable address)"
	}
	return u.Redacted()
}

// maskedError hides the password (and the connection string's) in the
// text of a driver error, whose messages can quote the address.
type maskedError struct {
	err     error
	secrets []string
}

func (e *maskedError) Error() string {
	msg := e.err.Error()
	for _, s := range e.secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
		}
	}
	return msg
}

func (e *maskedError) Unwrap() error { return e.err }

// pgStore is the journal on PostgreSQL: the shared sqlStore with errors
// masked.
type pgStore struct {
	*sqlStore
	secrets []string

	mu    sync.Mutex
	locks map[*sql.Conn]func()
}

// Close releases the locks still held, then closes the connections.
func (s *pgStore) Close() error {
	s.mu.Lock()
	held := s.locks
	s.locks = nil
	s.mu.Unlock()
	for _, release := range held {
		release()
	}
	return s.sqlStore.Close()
}

// OpenPostgres opens the team journal at dsn (postgres://user@host/db…),
// with password when it is not empty (from the secret store; else pgx
// finds it in PGPASSWORD or ~/.pgpass), and brings its schema up to date.
// A password inside dsn is refused: the address lives in the config file,
// which holds no secret. No error names the password.
func OpenPostgres(ctx context.Context, dsn, password string) (Store, error) {
	where := Redact(dsn)
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			return nil, &OpenError{Path: where, Err: errors.New("the address holds a password: keep it in the secret store (bokuctl secret set journal-password) or PGPASSWORD, not in the config")}
		}
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, &OpenError{Path: where, Err: &maskedError{err: err, secrets: []string{dsn}}}
	}
	if password != "" {
		cfg.Password = password
	}
	secrets := []string{dsn, cfg.Password}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(2)
	s := &pgStore{sqlStore: &sqlStore{db: db, d: postgresDialect, where: where}, secrets: secrets}
	if err := migratePostgres(ctx, db); err != nil {
		db.Close()
		return nil, &OpenError{Path: where, Err: &maskedError{err: err, secrets: secrets}}
	}
	return s, nil
}

// postgresMigrations are the team journal's schema versions, in order;
// version n is postgresMigrations[n-1]. Never edit one that shipped: add
// the next.
var postgresMigrations = []string{
	// 1: the tables of SQLite's version 3, with timestamptz times,
	// numeric amounts, byte-order keys, and an append-only history.
	`
CREATE TABLE operations (
	key         text COLLATE "C" PRIMARY KEY,
	time        timestamptz NOT NULL,
	profile     text NOT NULL,
	provider    text NOT NULL,
	operation   text NOT NULL,
	targets     text NOT NULL DEFAULT '{}',
	amount      numeric,
	amount_minor bigint NOT NULL DEFAULT 0,
	currency    text NOT NULL DEFAULT '',
	"user"      text NOT NULL DEFAULT '',
	host        text NOT NULL DEFAULT '',
	db_user     text NOT NULL DEFAULT current_user,
	status      text NOT NULL,
	exit_code   integer,
	reason      text NOT NULL DEFAULT '',
	result      text NOT NULL DEFAULT '',
	settle_cmd  text NOT NULL DEFAULT '',
	finished_at timestamptz,
	batch       text NOT NULL DEFAULT '',
	line        integer NOT NULL DEFAULT 0,
	made_id     text NOT NULL DEFAULT '',
	follows     text COLLATE "C" NOT NULL DEFAULT '',
	settles     text NOT NULL DEFAULT '',
	attempts    integer NOT NULL DEFAULT 1
);
CREATE INDEX operations_time_key ON operations(time, key);
CREATE INDEX operations_status_time ON operations(status, time);
CREATE INDEX operations_provider_time ON operations(provider, time);
CREATE INDEX operations_operation_time ON operations(operation, time);
CREATE INDEX operations_batch ON operations(batch) WHERE batch <> '';
CREATE INDEX operations_follows ON operations(follows) WHERE follows <> '';
CREATE TABLE batches (
	id        text PRIMARY KEY,
	time      timestamptz NOT NULL,
	profile   text NOT NULL,
	provider  text NOT NULL,
	operation text NOT NULL,
	file      text NOT NULL,
	digest    text NOT NULL,
	copy      text NOT NULL,
	rows      integer NOT NULL
);
CREATE INDEX batches_digest ON batches(digest);
CREATE TABLE events (
	seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	key         text COLLATE "C" NOT NULL,
	time        timestamptz NOT NULL,
	kind        text NOT NULL,
	attempt     integer NOT NULL DEFAULT 0,
	from_status text NOT NULL DEFAULT '',
	to_status   text NOT NULL DEFAULT '',
	status      text NOT NULL DEFAULT '',
	exit_code   integer,
	amount      numeric,
	currency    text NOT NULL DEFAULT '',
	reason      text NOT NULL DEFAULT '',
	result      text NOT NULL DEFAULT '',
	note        text NOT NULL DEFAULT '',
	"by"        text NOT NULL DEFAULT '',
	db_user     text NOT NULL DEFAULT current_user
);
CREATE INDEX events_key ON events(key, seq);
CREATE FUNCTION bokuctl_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'journal events are never changed or deleted';
END $$;
CREATE TRIGGER events_never_changed BEFORE UPDATE OR DELETE ON events
	FOR EACH ROW EXECUTE FUNCTION bokuctl_events_append_only();
CREATE TRIGGER events_never_truncated BEFORE TRUNCATE ON events
	FOR EACH STATEMENT EXECUTE FUNCTION bokuctl_events_append_only();
`,
	// 2: who holds each batch's lock (the lock itself is an advisory
	// lock on a connection of its own).
	`
CREATE TABLE bokuctl_locks (
	name   text PRIMARY KEY,
	holder text NOT NULL,
	since  timestamptz NOT NULL
);
`,
	// 3: a notification on channel bokuctl_journal when events are
	// written (once per statement: the watchers read the events by seq
	// themselves, so the notification only wakes them).
	`
CREATE FUNCTION bokuctl_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('bokuctl_journal', '');
	RETURN NULL;
END $$;
CREATE TRIGGER events_notify AFTER INSERT ON events
	FOR EACH STATEMENT EXECUTE FUNCTION bokuctl_events_notify();
`,
	// 4: the merchant a batch acts for: one file runs once per merchant,
	// whatever each operator calls the profile ('' for older batches,
	// which match by profile as before).
	`
ALTER TABLE batches ADD COLUMN merchant text NOT NULL DEFAULT '';
CREATE INDEX batches_digest_operation ON batches(digest, operation);
`,
}

// migrateLock is the advisory lock key under which the schema changes
// (pg_advisory_xact_lock: held to the end of the transaction, so two
// processes opening an old journal migrate it once).
const migrateLock = 0x626f6b75 // "boku"

func migratePostgres(ctx context.Context, db *sql.DB) error {
	// Fast path: an up-to-date journal needs no lock, and one round trip
	// (the schema's version; a journal not created yet answers with an
	// error, once, and takes the path below).
	var version sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT max(version) FROM bokuctl_schema").Scan(&version); err == nil && int(version.Int64) >= len(postgresMigrations) {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLock); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS bokuctl_schema (version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())"); err != nil {
		return err
	}
	var current sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT max(version) FROM bokuctl_schema").Scan(&current); err != nil {
		return err
	}
	for v := int(current.Int64) + 1; v <= len(postgresMigrations); v++ {
		if _, err := tx.ExecContext(ctx, postgresMigrations[v-1]); err != nil {
			return fmt.Errorf("schema version %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO bokuctl_schema (version) VALUES ($1)", v); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *pgStore) mask(err error) error {
	if err == nil {
		return nil
	}
	var open *OpenError
	if errors.As(err, &open) {
		return &OpenError{Path: open.Path, Err: &maskedError{err: open.Err, secrets: s.secrets}}
	}
	return err
}

// Begin is a group of one intent (applyPipelined): BEGIN and the
// intent's statement in one round trip, COMMIT in the next.
func (s *pgStore) Begin(ctx context.Context, e Entry) (int, error) {
	change := []Change{{Begin: &e}}
	if err := s.applyPipelined(ctx, change); err != nil {
		return 0, s.mask(err)
	}
	return change[0].Attempt, change[0].Err
}

// Finish is a group of one outcome (applyPipelined): BEGIN and the row
// read in one round trip, its update, event and COMMIT in the next.
func (s *pgStore) Finish(ctx context.Context, key string, attempt int, o Outcome) error {
	return s.mask(s.applyPipelined(ctx, []Change{{Key: key, Attempt: attempt, Outcome: o}}))
}

// Apply writes a group in a few round trips (applyPipelined).
func (s *pgStore) Apply(ctx context.Context, changes []Change) error {
	return s.mask(s.applyPipelined(ctx, changes))
}

func (s *pgStore) Record(ctx context.Context, key, kind string, o Outcome, ev Event) (*Entry, error) {
	e, err := s.sqlStore.Record(ctx, key, kind, o, ev)
	return e, s.mask(err)
}

func (s *pgStore) Each(ctx context.Context, f Filter, fn func(*Entry) error) error {
	return s.mask(s.sqlStore.Each(ctx, f, fn))
}

func (s *pgStore) Get(ctx context.Context, key string) (*Entry, error) {
	e, err := s.sqlStore.Get(ctx, key)
	return e, s.mask(err)
}

func (s *pgStore) ClaimBatch(ctx context.Context, b Batch, fresh bool) (*Batch, error) {
	p, err := s.sqlStore.ClaimBatch(ctx, b, fresh)
	return p, s.mask(err)
}

func (s *pgStore) GetBatch(ctx context.Context, id string) (*Batch, error) {
	b, err := s.sqlStore.GetBatch(ctx, id)
	return b, s.mask(err)
}

func (s *pgStore) FindBatch(ctx context.Context, digest, operation, profile, merchant string) (*Batch, error) {
	b, err := s.sqlStore.FindBatch(ctx, digest, operation, profile, merchant)
	return b, s.mask(err)
}

// Locker is a store that holds named locks across machines: the team
// journal's one runner per batch. A lock lives on a connection of its
// own, so the server releases it when the process dies (kill -9, a lost
// laptop) as soon as the connection goes.
type Locker interface {
	// TryLock takes the lock name for holder (who and where, shown to
	// whoever is refused) without waiting. When another process holds it,
	// it returns ErrLocked and that holder's description.
	TryLock(ctx context.Context, name, holder string) (release func(), heldBy string, err error)
	// Holder describes who holds the lock name now, "" when nobody does.
	Holder(ctx context.Context, name string) (string, error)
}

// BatchLockName is the name of the lock of one file's batch: one runner
// per file (digest), operation and scope (Batch.Scope: the merchant, or
// the profile when none is known) across the team.
func BatchLockName(digest, operation, scope string) string {
	return "batch|" + digest + "|" + operation + "|" + scope
}

// ErrLocked means another process holds the lock.
var ErrLocked = errors.New("held by another process")

// lockKey is the advisory lock key of a name: the first 8 bytes of its
// SHA-256.
func lockKey(name string) int64 {
	sum := sha256.Sum256([]byte("bokuctl lock\x00" + name))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

func (s *pgStore) TryLock(ctx context.Context, name, holder string) (func(), string, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, "", s.mask(s.wrap(err))
	}
	key := lockKey(name)
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil {
		conn.Close()
		return nil, "", s.mask(s.wrap(err))
	}
	if !got {
		var held string
		err := conn.QueryRowContext(ctx, "SELECT holder || ' since ' || to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' FROM bokuctl_locks WHERE name = $1", name).Scan(&held)
		conn.Close()
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, "", s.mask(s.wrap(err))
		}
		return nil, held, ErrLocked
	}
	// Who holds it, for whoever is refused; a row a dead holder left is
	// overwritten by the next one.
	if _, err := conn.ExecContext(ctx, `INSERT INTO bokuctl_locks (name, holder, since) VALUES ($1, $2, now())
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, since = excluded.since`, name, holder); err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
		conn.Close()
		return nil, "", s.mask(s.wrap(err))
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			ctx := context.Background()
			conn.ExecContext(ctx, "DELETE FROM bokuctl_locks WHERE name = $1 AND holder = $2", name, holder)
			conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", key)
			conn.Close()
			s.mu.Lock()
			delete(s.locks, conn)
			s.mu.Unlock()
		})
	}
	s.mu.Lock()
	if s.locks == nil {
		s.locks = map[*sql.Conn]func(){}
	}
	s.locks[conn] = release
	s.mu.Unlock()
	return release, "", nil
}

func (s *pgStore) Holder(ctx context.Context, name string) (string, error) {
	key := uint64(lockKey(name))
	var held sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT holder || ' since ' || to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC'
		FROM bokuctl_locks WHERE name = $1)
		WHERE EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $2::bigint::oid AND objid = $3::bigint::oid AND objsubid = 1)`,
		name, int64(key>>32), int64(key&0xffffffff)).Scan(&held)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", s.mask(s.wrap(err))
	}
	if !held.Valid {
		return "another bokuctl", nil
	}
	return held.String, nil
}

func (s *pgStore) Count(ctx context.Context, f Filter) (map[string]int, error) {
	n, err := s.sqlStore.Count(ctx, f)
	return n, s.mask(err)
}

func (s *pgStore) EachBatch(ctx context.Context, since time.Time, fn func(*Batch) error) error {
	return s.mask(s.sqlStore.EachBatch(ctx, since, fn))
}

// Listen waits for the journal's notifications on a connection of its
// own (PostgreSQL's LISTEN): wait returns when events were written, or
// after timeout, or with the connection's error; stop ends it.
func (s *pgStore) Listen(ctx context.Context) (wait func(ctx context.Context, timeout time.Duration) error, stop func(), err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, nil, s.mask(s.wrap(err))
	}
	if _, err := conn.ExecContext(ctx, "LISTEN bokuctl_journal"); err != nil {
		conn.Close()
		return nil, nil, s.mask(s.wrap(err))
	}
	wait = func(ctx context.Context, timeout time.Duration) error {
		tctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		err := conn.Raw(func(dc any) error {
			sc, ok := dc.(*stdlib.Conn)
			if !ok {
				return errors.New("not a pgx connection")
			}
			_, err := sc.Conn().WaitForNotification(tctx)
			return err
		})
		if err != nil && tctx.Err() != nil && ctx.Err() == nil {
			return nil // the timeout: look anyway
		}
		return s.mask(err)
	}
	return wait, func() { conn.Close() }, nil
}
