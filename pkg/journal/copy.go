package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// CopyStats is what Copy did.
type CopyStats struct {
	Rows int `json:"rows_copied"`
	// Skipped rows were in the target already (an earlier copy, or the
	// same key sent there): they are left as they are.
	Skipped int `json:"rows_already_there"`
	Events  int `json:"events_copied"`
	Batches int `json:"batches_copied"`
}

// Copy copies every row of from, with its whole history, and every batch
// into to, idempotently: a row (key) or batch (id) already in to is left
// alone, history included, so running it again copies only what is new.
// Both must be journals of this package.
func Copy(ctx context.Context, from, to Store) (CopyStats, error) {
	var st CopyStats
	src, ok1 := unwrap(from)
	dst, ok2 := unwrap(to)
	if !ok1 || !ok2 {
		return st, errors.New("journal copy: both journals must be bokuctl's own stores")
	}
	// The keys first: a read holds SQLite's one connection, and each row
	// is then read with its history.
	var keys []string
	if err := src.Each(ctx, Filter{}, func(e *Entry) error { keys = append(keys, e.Key); return nil }); err != nil {
		return st, err
	}
	for _, key := range keys {
		e, err := src.Get(ctx, key)
		if err != nil {
			return st, err
		}
		copied := false
		err = dst.inTx(ctx, func(tx *sql.Tx) error {
			targets, _ := json.Marshal(e.Targets)
			if e.Targets == nil {
				targets = []byte("{}")
			}
			var exit any
			if e.ExitCode != nil {
				exit = *e.ExitCode
			}
			d := dst.d
			res, err := tx.ExecContext(ctx, d.q(`INSERT INTO operations
				(key, time, profile, provider, operation, targets, amount, amount_minor, currency, "user", host, status, exit_code, reason, result,
				 settle_cmd, finished_at, batch, line, made_id, follows, settles, attempts)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`),
				e.Key, d.t(e.Time), e.Profile, e.Provider, e.Operation, string(targets), d.amount(e.Amount), e.Minor, e.Currency, e.User, e.Host,
				e.Status, exit, e.Reason, e.Result, e.SettleCmd, d.optionalTime(e.FinishedAt), e.Batch, e.Line, e.MadeID, e.Follows, e.Settles, e.Attempts)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return err
			}
			copied = true
			for _, ev := range e.History {
				if err := dst.addEvent(ctx, tx, e.Key, ev, ev.Time); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return st, err
		}
		if copied {
			st.Rows++
			st.Events += len(e.History)
		} else {
			st.Skipped++
		}
	}
	var batches []Batch
	if err := src.EachBatch(ctx, time.Time{}, func(b *Batch) error { batches = append(batches, *b); return nil }); err != nil {
		return st, err
	}
	for _, b := range batches {
		res, err := dst.db.ExecContext(ctx, dst.d.q(`INSERT INTO batches (id, time, profile, provider, operation, file, digest, copy, rows, merchant)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`), b.ID, dst.d.t(b.Time), b.Profile, b.Provider, b.Operation, b.File, b.Digest, b.Copy, b.Rows, b.Merchant)
		if err != nil {
			return st, dst.wrap(err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			st.Batches++
		}
	}
	return st, nil
}

func unwrap(s Store) (*sqlStore, bool) {
	switch v := s.(type) {
	case *sqlStore:
		return v, true
	case *pgStore:
		return v.sqlStore, true
	}
	return nil, false
}
