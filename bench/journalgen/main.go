// Command journalgen writes a synthetic journal for bench/journal_read.sh:
// -rows operations spread evenly over the -days before now (each with its
// attempt and outcome events), of which -unsettled in the last week and as
// many again older are still unknown. It writes straight through SQL in
// large transactions (not one CLI run per row), into a journal that
// journal.Open created, so the schema is bokuctl's own. -schema 2 leaves
// the journal as bokuctl before schema version 3 had it (its indexes), to
// measure the old binary faithfully.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"net/url"
	"time"

	"github.com/bokuctl/bokuctl/pkg/journal"
	_ "modernc.org/sqlite"
)

func main() {
	path := flag.String("o", "journal.db", "the journal file to write")
	rows := flag.Int("rows", 10000, "how many operations")
	days := flag.Int("days", 365, "spread over this many days before now")
	unsettled := flag.Int("unsettled", 30, "unknown rows in the last 7 days (and as many older)")
	schema := flag.Int("schema", 3, "3: as bokuctl writes it now; 2: with the indexes of schema version 2")
	flag.Parse()
	ctx := context.Background()
	store, err := journal.Open(ctx, *path)
	if err != nil {
		log.Fatal(err)
	}
	store.Close()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: *path}).EscapedPath()+"?_pragma=synchronous(OFF)&_pragma=journal_mode(WAL)")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	now := time.Now().UTC()
	span := time.Duration(*days) * 24 * time.Hour
	step := span / time.Duration(*rows)
	// The unknown rows: every k-th row of the last week, and of the week
	// before it.
	week := int(7 * 24 * time.Hour / step)
	every := max(1, week/max(1, *unsettled))
	const batch = 20000
	for start := 0; start < *rows; start += batch {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			log.Fatal(err)
		}
		op, err := tx.PrepareContext(ctx, `INSERT INTO operations (key, time, profile, provider, operation, targets, amount, amount_minor, currency,
			user, host, status, exit_code, reason, result, settle_cmd, finished_at, attempts) VALUES (?, ?, 'shop', ?, ?, ?, ?, ?, 'GBP', 'ops', 'host-1', ?, ?, ?, ?, ?, ?, 1)`)
		if err != nil {
			log.Fatal(err)
		}
		ev, err := tx.PrepareContext(ctx, `INSERT INTO events (key, time, kind, attempt, from_status, to_status, status, exit_code, amount, currency, by)
			VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, 'GBP', 'ops@host-1')`)
		if err != nil {
			log.Fatal(err)
		}
		for i := start; i < min(start+batch, *rows); i++ {
			back := *rows - i // rows from now
			when := now.Add(-time.Duration(back) * step)
			t := when.Format("2006-01-02T15:04:05.000000000Z")
			done := when.Add(300 * time.Millisecond).Format("2006-01-02T15:04:05.000000000Z")
			key := fmt.Sprintf("order-%08d", i)
			minor := int64(100 + i%9900)
			amount := fmt.Sprintf("%d.%02d", minor/100, minor%100)
			status, code, reason, result, settle := journal.StatusOK, 0, "", fmt.Sprintf(`{"charge_id":"ch-%08d","status":"success"}`, i), ""
			provider, operation, targets := "boku", "charge", `{"optin-id":"oi-000001"}`
			if i%10 == 9 {
				operation, targets = "refund", fmt.Sprintf(`{"charge-id":"ch-%08d","reason-code":"2"}`, i-1)
			}
			if i%97 == 0 {
				status, code, reason = journal.StatusDeclined, 4, "declined: insufficient funds"
			}
			if back <= 2*week && back%every == 0 && back/every <= 2**unsettled {
				// Ottu has no query that settles a row: reconcile --dry-run
				// asks nobody, so the benchmark measures the journal.
				provider, status, code, reason, result = "ottu", journal.StatusUnknown, 5, "the request timed out", ""
				settle = "bokuctl journal show " + key
			}
			if _, err := op.ExecContext(ctx, key, t, provider, operation, targets, amount, minor, status, code, reason, result, settle, done); err != nil {
				log.Fatal(err)
			}
			if _, err := ev.ExecContext(ctx, key, t, journal.KindAttempt, "", journal.StatusSent, "", nil, amount); err != nil {
				log.Fatal(err)
			}
			if _, err := ev.ExecContext(ctx, key, done, journal.KindOutcome, journal.StatusSent, status, status, code, ""); err != nil {
				log.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			log.Fatal(err)
		}
	}
	if *schema == 2 {
		if _, err := db.ExecContext(ctx, `DROP INDEX operations_time_key; CREATE INDEX operations_time ON operations(time); DROP INDEX operations_status_time; DROP INDEX operations_provider_time; DROP INDEX operations_operation_time;
			CREATE INDEX operations_status ON operations(status); PRAGMA user_version = 2`); err != nil {
			log.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		log.Fatal(err)
	}
}
