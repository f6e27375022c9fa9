package journal

import (
	"context"
	"time"
)

// Update is one event of the journal with the row it happened to: what
// journal watch prints.
type Update struct {
	Event
	Key       string
	Profile   string
	Provider  string
	Operation string
}

// Watcher is a store whose events can be followed by their sequence
// number (both engines).
type Watcher interface {
	// LastSeq is the sequence number of the newest event, 0 for none.
	LastSeq(ctx context.Context) (int64, error)
	// Updates calls fn with the events whose seq is above after, in seq
	// order, at most limit of them. On PostgreSQL a transaction may
	// commit after a later-numbered one: callers that follow the journal
	// look again below the highest seq they saw (cmd/journal watch does).
	Updates(ctx context.Context, after int64, limit int, fn func(*Update) error) error
}

// Notifier is a store that can wake its watchers when events are written
// (PostgreSQL's LISTEN/NOTIFY); others are polled.
type Notifier interface {
	Listen(ctx context.Context) (wait func(ctx context.Context, timeout time.Duration) error, stop func(), err error)
}

func (s *sqlStore) LastSeq(ctx context.Context) (int64, error) {
	var seq *int64
	if err := s.db.QueryRowContext(ctx, "SELECT max(seq) FROM events").Scan(&seq); err != nil {
		return 0, s.wrap(err)
	}
	if seq == nil {
		return 0, nil
	}
	return *seq, nil
}

func (s *sqlStore) Updates(ctx context.Context, after int64, limit int, fn func(*Update) error) error {
	rows, err := s.db.QueryContext(ctx, s.d.q(`SELECT e.seq, e.time, e.kind, e.attempt, e.from_status, e.to_status, e.status, e.exit_code, e.amount,
		e.currency, e.reason, e.result, e.note, e."by", e.key, coalesce(o.profile, ''), coalesce(o.provider, ''), coalesce(o.operation, '')
		FROM events e LEFT JOIN operations o ON o.key = e.key WHERE e.seq > ? ORDER BY e.seq LIMIT ?`), after, limit)
	if err != nil {
		return s.wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var u Update
		var ev Event
		var tail = []any{&u.Key, &u.Profile, &u.Provider, &u.Operation}
		if ev, err = scanEvent(multiScan{rows, tail}); err != nil {
			return s.wrap(err)
		}
		u.Event = ev
		if err := fn(&u); err != nil {
			return err
		}
	}
	return s.wrap(rows.Err())
}

// multiScan scans an event's columns and then more.
type multiScan struct {
	row  interface{ Scan(...any) error }
	tail []any
}

func (m multiScan) Scan(dest ...any) error { return m.row.Scan(append(dest, m.tail...)...) }

func (s *pgStore) LastSeq(ctx context.Context) (int64, error) {
	n, err := s.sqlStore.LastSeq(ctx)
	return n, s.mask(err)
}

func (s *pgStore) Updates(ctx context.Context, after int64, limit int, fn func(*Update) error) error {
	return s.mask(s.sqlStore.Updates(ctx, after, limit, fn))
}
