package journal

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// dialect is what differs between the engines; everything else (the state
// machine, the rows, the events, the filters) is the one sqlStore.
type dialect struct {
	name string
	// dollar: placeholders are $1, $2 (PostgreSQL); else ? (SQLite).
	dollar bool
	// lock is appended to a SELECT of a row about to change (FOR UPDATE
	// on PostgreSQL; SQLite's write transaction is already exclusive).
	lock string
	// native: times are timestamptz and amounts numeric (PostgreSQL);
	// else fixed-width text (SQLite).
	native bool
}

var sqliteDialect = &dialect{name: "sqlite"}

// q rewrites ? placeholders for the engine. The queries here never hold
// a ? inside a literal.
func (d *dialect) q(query string) string {
	if !d.dollar {
		return query
	}
	if q, ok := dollarWrites[query]; ok {
		return q
	}
	return dollar(query)
}

// dollarWrites are the write path's statements with $n placeholders,
// converted once.
var dollarWrites = func() map[string]string {
	m := map[string]string{}
	for _, q := range []string{attemptsUpdateSQL, lastAttemptSQL, eventInsertSQL, rowSQL, rowSQL + " FOR UPDATE", outcomeRowSQL + " FOR UPDATE",
		"WITH changed AS (" + outcomeUpdateSQL + ") " + eventInsertSQL, "WITH changed AS (" + statusUpdateSQL + ") " + eventInsertSQL} {
		m[q] = dollar(q)
	}
	return m
}()

// dollar rewrites ? placeholders as $1, $2…
func dollar(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// t is a time as the engine stores it.
func (d *dialect) t(t time.Time) any {
	if d.native {
		return t.UTC()
	}
	return stamp(t)
}

// optionalTime is a time that may be unset (finished_at).
func (d *dialect) optionalTime(t time.Time) any {
	if t.IsZero() {
		if d.native {
			return nil
		}
		return ""
	}
	return d.t(t)
}

var decimalAmount = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`) })

// amount is a decimal amount as the engine stores it: numeric on
// PostgreSQL (NULL for none), text on SQLite.
func (d *dialect) amount(s string) any {
	if !d.native {
		return s
	}
	if !decimalAmount().MatchString(s) {
		return nil
	}
	return s
}

// storedTime is how SQLite stores times: fixed width, UTC, nanoseconds, so
// that they sort as text (RFC 3339 with trimmed fractions does not).
const storedTime = "2006-01-02T15:04:05.000000000Z"

func stamp(t time.Time) string { return t.UTC().Format(storedTime) }

// timeCol scans a time stored as text (SQLite) or timestamptz.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = v.UTC()
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	default:
		return fmt.Errorf("journal: a time stored as %T", src)
	}
	return nil
}

func (c timeCol) parse(s string) error {
	if s == "" {
		*c.t = time.Time{}
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	*c.t = t
	return err
}

// textCol scans text that may be NULL (a numeric amount on PostgreSQL).
type textCol struct{ s *string }

func (c textCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		val, err := driver.DefaultParameterConverter.ConvertValue(v)
		if err != nil {
			return err
		}
		*c.s = fmt.Sprint(val)
	}
	return nil
}

// sqlStore is the journal on a database/sql engine.
type sqlStore struct {
	db *sql.DB
	d  *dialect
	// where names the journal in errors (a path, or a masked address).
	where string
	// stmts are the prepared write statements (SQLite), set once by
	// prepare.
	stmtsOnce sync.Once
	stmts     atomic.Pointer[map[string]*sql.Stmt]
}

func (s *sqlStore) Close() error { return s.db.Close() }

// writeStatements are the statements of the write path, prepared once per
// store by prepare (SQLite: preparing a statement costs more than running
// it; PostgreSQL's driver keeps its own cache of prepared statements).
var writeStatements = []string{intentInsertSQL, attemptsUpdateSQL, lastAttemptSQL, eventInsertSQL, outcomeUpdateSQL, statusUpdateSQL,
	rowSQL, rowSQL + sqliteDialect.lock, outcomeRowSQL + sqliteDialect.lock}

// prepare prepares the write path's statements on SQLite, once; it must
// not run inside a transaction (the one connection is the
// transaction's). A statement that fails to prepare is left to run
// unprepared, as before.
func (s *sqlStore) prepare(ctx context.Context) {
	if s.d.native {
		return
	}
	s.stmtsOnce.Do(func() {
		// A group writer (a batch) commits many times: the WAL is
		// checkpointed at SQLite's default length, not at the short one
		// a single command's journal keeps (walAutocheckpoint); Leave
		// checkpoints what is left when the process ends.
		_, _ = s.db.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", groupWALAutocheckpoint))
		stmts := make(map[string]*sql.Stmt, len(writeStatements))
		for _, q := range writeStatements {
			if st, err := s.db.PrepareContext(ctx, q); err == nil {
				stmts[q] = st
			}
		}
		s.stmts.Store(&stmts)
	})
}

// stmt is the prepared statement of query, nil when there is none.
func (s *sqlStore) stmt(query string) *sql.Stmt {
	m := s.stmts.Load()
	if m == nil {
		return nil
	}
	return (*m)[query]
}

// txn is where a write runs: a *sql.Tx, or (the pipelined PostgreSQL
// group) the *sql.Conn whose session is inside a transaction.
type txn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// exec runs a statement in tx, prepared when prepare prepared it.
func (s *sqlStore) exec(ctx context.Context, tx txn, query string, args ...any) (sql.Result, error) {
	if t, ok := tx.(*sql.Tx); ok {
		if st := s.stmt(query); st != nil {
			return t.StmtContext(ctx, st).ExecContext(ctx, args...)
		}
	}
	return tx.ExecContext(ctx, query, args...)
}

// queryRow runs a query of one row in db (a transaction or the store's
// pool), prepared when prepare prepared it.
func (s *sqlStore) queryRow(ctx context.Context, db queryer, query string, args ...any) *sql.Row {
	if st := s.stmt(query); st != nil {
		if tx, ok := db.(*sql.Tx); ok {
			return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
		}
		return st.QueryRowContext(ctx, args...)
	}
	return db.QueryRowContext(ctx, query, args...)
}

func (s *sqlStore) wrap(err error) error {
	var held *HeldError
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrSettled) || errors.As(err, &held) {
		return err
	}
	return &OpenError{Path: s.where, Err: err}
}

// inTx runs fn in one write transaction.
func (s *sqlStore) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
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

func (s *sqlStore) Begin(ctx context.Context, e Entry) (int, error) {
	var attempt int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		attempt, err = s.begin(ctx, tx, e)
		return err
	})
	return attempt, err
}

func (s *sqlStore) Finish(ctx context.Context, key string, attempt int, o Outcome) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.finish(ctx, tx, key, attempt, o) })
}

// Apply writes many intents and outcomes in one transaction, with the
// write statements prepared once (a group writer applies many groups).
func (s *sqlStore) Apply(ctx context.Context, changes []Change) error {
	s.prepare(ctx)
	return s.applyInOrder(ctx, changes)
}

// applyInOrder applies changes one after the other in one transaction.
func (s *sqlStore) applyInOrder(ctx context.Context, changes []Change) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for i := range changes {
			if err := s.applyOne(ctx, tx, &changes[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// applyOne writes one change of a group in tx. An intent that another
// operator's row holds is refused on its own (c.Err), not failing the
// group.
func (s *sqlStore) applyOne(ctx context.Context, tx txn, c *Change) error {
	if c.Begin == nil {
		return s.finish(ctx, tx, c.Key, c.Attempt, c.Outcome)
	}
	var err error
	c.Attempt, err = s.begin(ctx, tx, *c.Begin)
	var held *HeldError
	if errors.As(err, &held) {
		c.Attempt, c.Err, err = 0, err, nil
	}
	return err
}

func (s *sqlStore) Record(ctx context.Context, key, kind string, o Outcome, ev Event) (*Entry, error) {
	var after *Entry
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.getRow(ctx, tx, key, true)
		if err != nil {
			return err
		}
		if kind == KindSettle && Settled(cur.Status) {
			return ErrSettled
		}
		if err := s.apply(ctx, tx, cur, kind, 0, o, ev); err != nil {
			return err
		}
		after, err = s.getRow(ctx, tx, key, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	after.History, err = s.history(ctx, key)
	return after, s.wrap(err)
}

// HeldError is Begin's answer for a key another operator holds: its
// request was sent and its outcome is not known yet, so sending it again
// from here could move money twice or race the other run.
type HeldError struct {
	Key, By, Status string
	Since           time.Time
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("idempotency key %s is held by %s since %s (%s, outcome not known yet)",
		e.Key, e.By, e.Since.UTC().Format(time.RFC3339), e.Status)
}

// holds reports whether a row in status, last sent by someone other than
// by, keeps by from sending its key: its outcome is not known.
func holds(status string) bool { return status == StatusSent || status == StatusUnknown }

// begin records an intent: a new row, or a new attempt of the row.
func (s *sqlStore) begin(ctx context.Context, tx txn, e Entry) (int, error) {
	d := s.d
	now := time.Now()
	by := who(e)
	query, args := s.intentInsert(e, now)
	res, err := s.exec(ctx, tx, query, args...)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, err
	} else if n == 1 {
		if d.native {
			return 1, nil // the statement wrote the first event too
		}
		first := Event{Kind: KindAttempt, Attempt: 1, To: StatusSent, Amount: e.Amount, Currency: e.Currency, By: by}
		return 1, s.addEvent(ctx, tx, e.Key, first, now)
	}
	cur, err := s.getRow(ctx, tx, e.Key, true)
	if err != nil {
		return 0, err
	}
	if holds(cur.Status) {
		last, when, err := s.lastAttempt(ctx, tx, e.Key)
		if err != nil {
			return 0, err
		}
		if last != "" && by != "" && last != by {
			return 0, &HeldError{Key: e.Key, By: last, Status: cur.Status, Since: when}
		}
	}
	attempt := cur.Attempts + 1
	status := afterAttempt(cur.Status)
	// A row sent again names what settles it if this attempt's process
	// dies in flight; one that stays unknown keeps its own command.
	settle := cur.SettleCmd
	if status == StatusSent && e.SettleCmd != "" {
		settle = e.SettleCmd
	}
	if _, err := s.exec(ctx, tx, d.q(attemptsUpdateSQL), attempt, status, settle, e.Key); err != nil {
		return 0, err
	}
	return attempt, s.addEvent(ctx, tx, e.Key, Event{Kind: KindAttempt, Attempt: attempt, From: cur.Status, To: status,
		Amount: e.Amount, Currency: e.Currency, By: by}, now)
}

const intentInsertSQL = `INSERT INTO operations
	(key, time, profile, provider, operation, targets, amount, amount_minor, currency, "user", host, status, batch, line, follows, settles, settle_cmd, attempts)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (key) DO NOTHING`

// intentInsertPG is one statement (one round trip) for the row and its
// first event on PostgreSQL; the event only when the row is new.
var intentInsertPG = postgresDialect.q(`WITH ins AS (` + intentInsertSQL + ` RETURNING key)
	INSERT INTO events (key, time, kind, attempt, from_status, to_status, status, exit_code, amount, currency, reason, result, note, "by")
	SELECT key, ?::timestamptz, ?::text, 1, '', ?::text, '', NULL, ?::numeric, ?::text, '', '', '', ?::text FROM ins`)

// intentInsert is the statement that records e as a new row when its key
// is new (ON CONFLICT DO NOTHING: one owner per key), and its arguments.
// On PostgreSQL it also writes the row's first event; on SQLite the
// caller does when the row was new.
func (s *sqlStore) intentInsert(e Entry, now time.Time) (string, []any) {
	d := s.d
	targets, _ := json.Marshal(e.Targets)
	if e.Targets == nil {
		targets = []byte("{}")
	}
	args := []any{e.Key, d.t(e.Time), e.Profile, e.Provider, e.Operation, string(targets), d.amount(e.Amount), e.Minor, e.Currency, e.User, e.Host,
		StatusSent, e.Batch, e.Line, e.Follows, e.Settles, e.SettleCmd}
	if !d.native {
		return intentInsertSQL, args
	}
	return intentInsertPG, append(args, d.t(now), KindAttempt, StatusSent, d.amount(e.Amount), e.Currency, who(e))
}

const (
	attemptsUpdateSQL = `UPDATE operations SET attempts = ?, status = ?, settle_cmd = ? WHERE key = ?`
	lastAttemptSQL    = `SELECT "by", time FROM events WHERE key = ? AND kind = ? ORDER BY seq DESC LIMIT 1`
	eventInsertSQL    = `INSERT INTO events (key, time, kind, attempt, from_status, to_status, status, exit_code, amount, currency, reason, result, note, "by")
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	outcomeUpdateSQL = `UPDATE operations SET status = ?, exit_code = ?, reason = ?, result = ?, settle_cmd = ?, finished_at = ?, made_id = ? WHERE key = ?`
	statusUpdateSQL  = `UPDATE operations SET status = ?, finished_at = ? WHERE key = ?`
	rowSQL           = "SELECT " + columns + " FROM operations WHERE key = ?"
	// outcomeRowSQL reads what recording an outcome needs of its row
	// (outcome, settleFollowed): not the result, targets or times, which
	// cost a batch's row a JSON decode and two time parses for nothing.
	outcomeRowSQL = "SELECT key, status, made_id, follows, settles, operation FROM operations WHERE key = ?"
)

// lastAttempt is who sent the key last (user@host) and when.
func (s *sqlStore) lastAttempt(ctx context.Context, tx txn, key string) (string, time.Time, error) {
	var by string
	var when time.Time
	err := s.queryRow(ctx, tx, s.d.q(lastAttemptSQL), key, KindAttempt).
		Scan(&by, timeCol{&when})
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, nil
	}
	return by, when, err
}

func who(e Entry) string { return strings.Trim(e.User+"@"+e.Host, "@") }

// finish records an attempt's outcome.
func (s *sqlStore) finish(ctx context.Context, tx txn, key string, attempt int, o Outcome) error {
	cur, err := scanOutcomeRow(s.queryRow(ctx, tx, s.d.q(outcomeRowSQL+s.d.lock), key))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return err
	}
	return s.apply(ctx, tx, cur, KindOutcome, attempt, o, Event{})
}

// apply moves row cur by Next, records the event, and settles the row it
// follows when it ends ok.
func (s *sqlStore) apply(ctx context.Context, tx txn, cur *Entry, kind string, attempt int, o Outcome, ev Event) error {
	w := s.outcome(cur, kind, attempt, o, ev)
	if err := s.addEventAfter(ctx, tx, cur.Key, w.ev, w.now, w.update, w.updateArgs); err != nil {
		return err
	}
	return s.settleFollowed(ctx, tx, cur, w)
}

// outcomeWrite is what recording an outcome on a row writes: the row's
// update ("" when the row does not change), the event, and what the
// row's move means for the row it follows.
type outcomeWrite struct {
	next       string
	update     string
	updateArgs []any
	ev         Event
	now        time.Time
	// settles is the status the row it follows takes ("" for none).
	settles string
}

// outcome computes the write of an outcome on row cur (Next, the row's
// new data, the event), without running it.
func (s *sqlStore) outcome(cur *Entry, kind string, attempt int, o Outcome, ev Event) outcomeWrite {
	d := s.d
	next := Next(cur.Status, o.Status, kind)
	now := time.Now()
	w := outcomeWrite{next: next, now: now}
	// The row takes the outcome's data when the outcome is what the row
	// now says; an answer the row did not take stays in the history only.
	if next == o.Status && (next != cur.Status || !Settled(cur.Status)) {
		made := o.MadeID
		if made == "" {
			made = cur.MadeID
		}
		w.update = outcomeUpdateSQL
		w.updateArgs = []any{next, o.ExitCode, o.Reason, o.Result, o.SettleCmd, d.t(now), made, cur.Key}
	} else if next != cur.Status {
		w.update, w.updateArgs = statusUpdateSQL, []any{next, d.t(now), cur.Key}
	}
	code := o.ExitCode
	ev.Kind, ev.Attempt, ev.From, ev.To, ev.Status, ev.ExitCode = kind, attempt, cur.Status, next, o.Status, &code
	ev.Reason, ev.Result = o.Reason, o.Result
	w.ev = ev
	// Only the first success of a follow-up settles what it follows.
	if next == StatusOK && cur.Status != StatusOK && cur.Follows != "" {
		w.settles = o.Settles
		if w.settles == "" {
			w.settles = cur.Settles
		}
	}
	return w
}

// settleFollowed moves the row that cur follows, when w says so.
func (s *sqlStore) settleFollowed(ctx context.Context, tx txn, cur *Entry, w outcomeWrite) error {
	if w.settles == "" {
		return nil
	}
	if guard, ok := ctx.Value(touchKey{}).(func(string) error); ok {
		if err := guard(cur.Follows); err != nil {
			return err
		}
	}
	followed, err := s.getRow(ctx, tx, cur.Follows, true)
	if errors.Is(err, ErrNotFound) {
		return nil // it follows a request this journal never recorded
	}
	if err != nil {
		return err
	}
	o := Outcome{Status: w.settles, Reason: fmt.Sprintf("settled by %s (%s)", cur.Key, cur.Operation), Result: followed.Result, MadeID: followed.MadeID}
	if w.settles == StatusFailed {
		o.Reason = fmt.Sprintf("never processed: %s (%s) found nothing to undo", cur.Key, cur.Operation)
		if followed.ExitCode != nil {
			o.ExitCode = *followed.ExitCode
		}
	}
	return s.apply(ctx, tx, followed, KindFollowUp, 0, o, Event{By: cur.Key})
}

// touchKey is the context key of a guard that apply calls with each row
// it is about to settle as a follow-up (the pipelined Apply's check that
// it keeps the order of the group).
type touchKey struct{}

func (s *sqlStore) addEvent(ctx context.Context, tx txn, key string, ev Event, now time.Time) error {
	return s.addEventAfter(ctx, tx, key, ev, now, "", nil)
}

// addEventAfter runs update (when not empty) and records the event: on
// PostgreSQL in one statement (one round trip), the update as a
// data-modifying WITH.
func (s *sqlStore) addEventAfter(ctx context.Context, tx txn, key string, ev Event, now time.Time, update string, updateArgs []any) error {
	var code any
	if ev.ExitCode != nil {
		code = *ev.ExitCode
	}
	args := []any{key, s.d.t(now), ev.Kind, ev.Attempt, ev.From, ev.To, ev.Status, code, s.d.amount(ev.Amount), ev.Currency, ev.Reason, ev.Result, ev.Note, ev.By}
	if s.d.native {
		query, all := nativeEventWrite(update, updateArgs, args)
		_, err := s.exec(ctx, tx, query, all...)
		return err
	}
	if update != "" {
		if _, err := s.exec(ctx, tx, update, updateArgs...); err != nil {
			return err
		}
	}
	_, err := s.exec(ctx, tx, eventInsertSQL, args...)
	return err
}

// nativeEventWrite is, on PostgreSQL, one statement for the row's update
// (when not "") and the event (args): the update as a data-modifying
// WITH.
func nativeEventWrite(update string, updateArgs, args []any) (string, []any) {
	if update == "" {
		return postgresDialect.q(eventInsertSQL), args
	}
	return postgresDialect.q("WITH changed AS (" + update + ") " + eventInsertSQL), append(updateArgs, args...)
}

const eventColumns = `seq, time, kind, attempt, from_status, to_status, status, exit_code, amount, currency, reason, result, note, "by"`

func scanEvent(row interface{ Scan(...any) error }) (Event, error) {
	var ev Event
	var code sql.NullInt64
	if err := row.Scan(&ev.Seq, timeCol{&ev.Time}, &ev.Kind, &ev.Attempt, &ev.From, &ev.To, &ev.Status, &code, textCol{&ev.Amount}, &ev.Currency,
		&ev.Reason, &ev.Result, &ev.Note, &ev.By); err != nil {
		return ev, err
	}
	if code.Valid {
		c := int(code.Int64)
		ev.ExitCode = &c
	}
	return ev, nil
}

func (s *sqlStore) history(ctx context.Context, key string) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, s.d.q(`SELECT `+eventColumns+` FROM events WHERE key = ? ORDER BY seq`), key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		ev, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

func (s *sqlStore) ClaimBatch(ctx context.Context, b Batch, fresh bool) (*Batch, error) {
	var prior *Batch
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if s.d.native {
			// Two claims of one file at once: the second waits for the
			// first's commit, then finds its batch (SQLite's write
			// transaction is exclusive already).
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey("claim\x00"+b.Digest+"\x00"+b.Operation+"\x00"+b.Scope())); err != nil {
				return err
			}
		}
		if !fresh {
			p, err := s.scanBatch(tx.QueryRowContext(ctx, s.d.q("SELECT "+batchColumns+" FROM batches WHERE "+sameBatch+" ORDER BY time DESC LIMIT 1"),
				b.Digest, b.Operation, b.Merchant, b.Merchant, b.Profile))
			if err == nil {
				prior = p
				return nil
			}
			if !errors.Is(err, ErrNoBatch) {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, s.d.q(`INSERT INTO batches (id, time, profile, provider, operation, file, digest, copy, rows, merchant)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), b.ID, s.d.t(b.Time), b.Profile, b.Provider, b.Operation, b.File, b.Digest, b.Copy, b.Rows, b.Merchant)
		return err
	})
	return prior, err
}

const batchColumns = `id, time, profile, provider, operation, file, digest, copy, rows, merchant`

// sameBatch matches the batches of one file (digest) and operation for
// one merchant, given as digest, operation, merchant, merchant, profile:
// a batch recorded with a merchant by its merchant (whatever the profile
// is called on that machine); one recorded before merchants were, or
// asked about by a profile that names none, by its profile, as before.
const sameBatch = `digest = ? AND operation = ? AND (merchant <> '' AND merchant = ? OR (merchant = '' OR ? = '') AND profile = ?)`

func (s *sqlStore) scanBatch(row *sql.Row) (*Batch, error) {
	var b Batch
	err := row.Scan(&b.ID, timeCol{&b.Time}, &b.Profile, &b.Provider, &b.Operation, &b.File, &b.Digest, &b.Copy, &b.Rows, &b.Merchant)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoBatch
	}
	if err != nil {
		return nil, err
	}
	return &b, nil
}

func (s *sqlStore) GetBatch(ctx context.Context, id string) (*Batch, error) {
	b, err := s.scanBatch(s.db.QueryRowContext(ctx, s.d.q("SELECT "+batchColumns+" FROM batches WHERE id = ?"), id))
	if errors.Is(err, ErrNoBatch) {
		return nil, err
	}
	return b, s.wrap(err)
}

func (s *sqlStore) FindBatch(ctx context.Context, digest, operation, profile, merchant string) (*Batch, error) {
	b, err := s.scanBatch(s.db.QueryRowContext(ctx, s.d.q("SELECT "+batchColumns+" FROM batches WHERE "+sameBatch+" ORDER BY time DESC LIMIT 1"),
		digest, operation, merchant, merchant, profile))
	if errors.Is(err, ErrNoBatch) {
		return nil, err
	}
	return b, s.wrap(err)
}

const columns = `key, time, profile, provider, operation, targets, amount, amount_minor, currency, "user", host, status, exit_code, reason, result,
	settle_cmd, finished_at, batch, line, made_id, follows, settles, attempts, db_user`

// where is the SQL of a filter: the conditions and their arguments.
func (s *sqlStore) filterSQL(f Filter) (string, []any) {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where, args = append(where, "time >= ?"), append(args, s.d.t(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = append(where, "time < ?"), append(args, s.d.t(f.Until))
	}
	statuses := f.Statuses
	if f.Status != "" {
		statuses = append([]string{f.Status}, statuses...)
	}
	if len(statuses) > 0 {
		set := map[string]bool{}
		var in []string
		for _, st := range statuses {
			for _, one := range []string{st, map[string]string{StatusUnknown: StatusSent}[st]} {
				if one != "" && !set[one] {
					set[one] = true
					in, args = append(in, "?"), append(args, one)
				}
			}
		}
		where = append(where, "status IN ("+strings.Join(in, ", ")+")")
	}
	for _, eq := range []struct{ column, value string }{
		{"profile", f.Profile}, {"provider", f.Provider}, {"operation", f.Operation}, {"batch", f.Batch},
	} {
		if eq.value != "" {
			where, args = append(where, eq.column+" = ?"), append(args, eq.value)
		}
	}
	if f.KeyPrefix != "" {
		// A range on the primary key (bytewise order on both engines):
		// from the prefix to the prefix with its last character bumped.
		where, args = append(where, "key >= ?"), append(args, f.KeyPrefix)
		if upper, ok := prefixEnd(f.KeyPrefix); ok {
			where, args = append(where, "key < ?"), append(args, upper)
		}
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// prefixEnd is the least string greater than every string that starts
// with prefix, in code point order (which is UTF-8 byte order); false
// when there is none.
func prefixEnd(prefix string) (string, bool) {
	runes := []rune(prefix)
	for i := len(runes) - 1; i >= 0; i-- {
		r := runes[i] + 1
		if r >= 0xD800 && r <= 0xDFFF {
			r = 0xE000
		}
		if r <= utf8.MaxRune {
			runes[i] = r
			return string(runes[:i+1]), true
		}
	}
	return "", false
}

func (s *sqlStore) Each(ctx context.Context, f Filter, fn func(*Entry) error) error {
	where, args := s.filterSQL(f)
	query := "SELECT " + columns + " FROM operations" + where + " ORDER BY time, key"
	if f.Limit > 0 {
		// The newest Limit rows, still oldest first.
		query = "SELECT * FROM (SELECT " + columns + " FROM operations" + where + " ORDER BY time DESC, key DESC LIMIT " +
			strconv.Itoa(f.Limit) + ") AS newest ORDER BY time, key"
	}
	rows, err := s.db.QueryContext(ctx, s.d.q(query), args...)
	if err != nil {
		return s.wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return s.wrap(err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return s.wrap(rows.Err())
}

func (s *sqlStore) Get(ctx context.Context, key string) (*Entry, error) {
	e, err := s.getRow(ctx, s.db, key, false)
	if err != nil {
		return nil, s.wrap(err)
	}
	e.History, err = s.history(ctx, key)
	return e, s.wrap(err)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// getRow reads the row with key; lock (in a write transaction) keeps
// other writers off it until the transaction ends.
func (s *sqlStore) getRow(ctx context.Context, db queryer, key string, lock bool) (*Entry, error) {
	query := rowSQL
	if lock {
		query += s.d.lock
	}
	e, err := scan(s.queryRow(ctx, db, s.d.q(query), key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return e, err
}

// scanOutcomeRow scans a row read by outcomeRowSQL.
func scanOutcomeRow(row interface{ Scan(...any) error }) (*Entry, error) {
	var e Entry
	if err := row.Scan(&e.Key, &e.Status, &e.MadeID, &e.Follows, &e.Settles, &e.Operation); err != nil {
		return nil, err
	}
	return &e, nil
}

func scan(row interface{ Scan(...any) error }) (*Entry, error) {
	var e Entry
	var targets string
	var exit sql.NullInt64
	if err := row.Scan(&e.Key, timeCol{&e.Time}, &e.Profile, &e.Provider, &e.Operation, &targets, textCol{&e.Amount}, &e.Minor, &e.Currency,
		&e.User, &e.Host, &e.Status, &exit, &e.Reason, &e.Result, &e.SettleCmd, timeCol{&e.FinishedAt}, &e.Batch, &e.Line, &e.MadeID,
		&e.Follows, &e.Settles, &e.Attempts, &e.DBUser); err != nil {
		return nil, err
	}
	if exit.Valid {
		code := int(exit.Int64)
		e.ExitCode = &code
	}
	_ = json.Unmarshal([]byte(targets), &e.Targets)
	return &e, nil
}

func (s *sqlStore) Count(ctx context.Context, f Filter) (map[string]int, error) {
	where, args := s.filterSQL(f)
	rows, err := s.db.QueryContext(ctx, s.d.q("SELECT status, count(*) FROM operations"+where+" GROUP BY status"), args...)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, s.wrap(err)
		}
		out[status] = n
	}
	return out, s.wrap(rows.Err())
}

func (s *sqlStore) EachBatch(ctx context.Context, since time.Time, fn func(*Batch) error) error {
	query, args := "SELECT "+batchColumns+" FROM batches", []any{}
	if !since.IsZero() {
		query, args = query+" WHERE time >= ?", append(args, s.d.t(since))
	}
	rows, err := s.db.QueryContext(ctx, s.d.q(query+" ORDER BY time DESC, id DESC"), args...)
	if err != nil {
		return s.wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var b Batch
		if err := rows.Scan(&b.ID, timeCol{&b.Time}, &b.Profile, &b.Provider, &b.Operation, &b.File, &b.Digest, &b.Copy, &b.Rows, &b.Merchant); err != nil {
			return s.wrap(err)
		}
		if err := fn(&b); err != nil {
			return err
		}
	}
	return s.wrap(rows.Err())
}
