package journal

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// errReorder stops a pipelined group whose follow-ups would reach a row
// out of the group's order; the group is then written one change after
// the other.
var errReorder = errors.New("journal: a follow-up reaches a row changed later in the group")

// reorders counts the groups written one by one after errReorder (for
// the tests: a group in order is pipelined).
var reorders atomic.Int64

// applyPipelined writes a group on PostgreSQL in a few round trips
// whatever its size, in one transaction, as applyInOrder would:
//
//  1. one batch (pgx pipeline) with, for each key's first change, a new
//     intent's row and first event (INSERT … ON CONFLICT DO NOTHING, so
//     one owner per key still holds row by row), or the row an outcome
//     answers, read FOR UPDATE;
//  2. one batch with each of those outcomes' row update and event,
//     computed from the rows read (Next, as applyOne);
//  3. then, one by one in the group's order, what depends on more than
//     one row: an intent whose key was already there (a new attempt, or
//     another operator's key: refused for that row only, c.Err), a
//     key's later changes, and the rows that outcomes settle as
//     follow-ups;
//  4. COMMIT. The group's intents are durable when it returns, as before.
//
// A follow-up that would settle a row whose first change comes later in
// the group would see it out of order: the transaction is then rolled
// back and the group written by applyInOrder.
func (s *sqlStore) applyPipelined(ctx context.Context, changes []Change) error {
	err := s.pipeline(ctx, changes)
	if !errors.Is(err, errReorder) {
		return s.wrap(err)
	}
	reorders.Add(1)
	for i := range changes {
		if changes[i].Begin != nil {
			changes[i].Attempt, changes[i].Err = 0, nil
		}
	}
	return s.applyInOrder(ctx, changes)
}

func changeKey(c *Change) string {
	if c.Begin != nil {
		return c.Begin.Key
	}
	return c.Key
}

// step is a change (or a follow-up) written after the pipelined ones, at
// its place in the group.
type step struct {
	pos int
	run func(ctx context.Context) error
}

func (s *sqlStore) pipeline(ctx context.Context, changes []Change) (err error) {
	first := make(map[string]int, len(changes))
	for i := range changes {
		if _, seen := first[changeKey(&changes[i])]; !seen {
			first[changeKey(&changes[i])] = i
		}
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The transaction is the session's, begun and committed in the
	// batches (no round trip of its own); what runs one by one runs on
	// conn, inside it. Until it ends, a failure rolls it back, and a
	// connection that cannot roll back is dropped from the pool (the
	// pool drops one left inside a transaction anyway).
	open := false
	defer func() {
		if open {
			if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
				conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}
	}()

	var later []step
	one := func(c *Change) func(ctx context.Context) error {
		return func(ctx context.Context) error { return s.applyOne(ctx, conn, c) }
	}
	reads := &pgx.Batch{}
	reads.Queue("BEGIN")
	var piped []int
	now := time.Now()
	for i := range changes {
		c := &changes[i]
		switch {
		case first[changeKey(c)] != i:
			later = append(later, step{i, one(c)})
			continue
		case c.Begin != nil:
			query, args := s.intentInsert(*c.Begin, now)
			reads.Queue(query, args...)
		default:
			reads.Queue(s.d.q(outcomeRowSQL+s.d.lock), c.Key)
		}
		piped = append(piped, i)
	}
	writes := &pgx.Batch{}
	committed := false
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("journal: not a pgx connection (%T)", dc)
		}
		pc := sc.Conn()
		open = true
		br := pc.SendBatch(ctx, reads)
		if _, err := br.Exec(); err != nil { // BEGIN
			br.Close()
			return err
		}
		for _, i := range piped {
			c := &changes[i]
			if c.Begin != nil {
				tag, err := br.Exec()
				if err != nil {
					br.Close()
					return err
				}
				if tag.RowsAffected() == 1 {
					c.Attempt = 1
				} else {
					// The key was there: a new attempt, or another
					// operator's row. begin decides, at its place.
					later = append(later, step{i, one(c)})
				}
				continue
			}
			cur, err := scanOutcomeRow(br.QueryRow())
			if errors.Is(err, pgx.ErrNoRows) {
				err = ErrNotFound
			}
			if err != nil {
				br.Close()
				return err
			}
			w := s.outcome(cur, KindOutcome, c.Attempt, c.Outcome, Event{})
			var code any
			if w.ev.ExitCode != nil {
				code = *w.ev.ExitCode
			}
			ev := w.ev
			query, args := nativeEventWrite(w.update, w.updateArgs, []any{cur.Key, s.d.t(w.now), ev.Kind, ev.Attempt, ev.From, ev.To, ev.Status, code,
				s.d.amount(ev.Amount), ev.Currency, ev.Reason, ev.Result, ev.Note, ev.By})
			writes.Queue(query, args...)
			if w.settles != "" {
				later = append(later, step{i, func(ctx context.Context) error { return s.settleFollowed(ctx, conn, cur, w) }})
			}
		}
		if err := br.Close(); err != nil {
			return err
		}
		if len(later) == 0 {
			// Nothing left to run one by one: the writes and the
			// COMMIT in one round trip.
			writes.Queue("COMMIT")
			committed = true
		}
		if writes.Len() == 0 {
			return nil
		}
		return pc.SendBatch(ctx, writes).Close()
	})
	if err != nil {
		return err
	}
	if committed {
		open = false
		return nil
	}
	sort.SliceStable(later, func(a, b int) bool { return later[a].pos < later[b].pos })
	for _, st := range later {
		pos := st.pos
		guarded := context.WithValue(ctx, touchKey{}, func(key string) error {
			if f, in := first[key]; in && f > pos {
				return errReorder
			}
			return nil
		})
		if err := st.run(guarded); err != nil {
			return err
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	open = false
	return nil
}
