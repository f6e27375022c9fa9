package journal_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/journal/journaltest"
)

func TestSQLiteConformance(t *testing.T) {
	suite := &journaltest.Suite[string]{
		NewConfig: func(t *testing.T) string { return filepath.Join(t.TempDir(), "state", "journal.db") },
		Open: func(t *testing.T, path string) (journal.Store, error) {
			return journal.Open(context.Background(), path)
		},
		Exec: func(t *testing.T, path, query string) error {
			db, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			_, err = db.Exec(query)
			return err
		},
		WriteOld: func(t *testing.T, path string) {
			// The first journal bokuctl wrote: no batch, attempts or
			// events, and times with trimmed fractions.
			os.MkdirAll(filepath.Dir(path), 0o700)
			db, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			_, err = db.Exec(`CREATE TABLE operations (key TEXT PRIMARY KEY, time TEXT NOT NULL, profile TEXT NOT NULL, provider TEXT NOT NULL,
				operation TEXT NOT NULL, targets TEXT NOT NULL DEFAULT '{}', amount TEXT NOT NULL DEFAULT '', currency TEXT NOT NULL DEFAULT '',
				user TEXT NOT NULL DEFAULT '', host TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, exit_code INTEGER, reason TEXT NOT NULL DEFAULT '',
				result TEXT NOT NULL DEFAULT '', settle_cmd TEXT NOT NULL DEFAULT '', finished_at TEXT NOT NULL DEFAULT '');
				CREATE INDEX operations_time ON operations(time);
				CREATE INDEX operations_status ON operations(status);
				INSERT INTO operations (key, time, profile, provider, operation, amount, currency, status, exit_code, finished_at)
				VALUES ('old-ok', '2026-01-02T10:00:00.1Z', 'shop', 'boku', 'charge', '4.99', 'GBP', 'ok', 0, '2026-01-02T10:00:01Z'),
				       ('old-unknown', '2026-01-02T11:00:00Z', 'shop', 'boku', 'charge', '1.00', 'GBP', 'unknown', 5, '2026-01-02T11:00:01.5Z');`)
			if err != nil {
				t.Fatal(err)
			}
		},
	}
	suite.RunTests(t)
}

// pgDSN is the address of the test server from the PG* variables
// (pg_virtualenv sets them), with search_path set to schema. Without
// PGHOST the PostgreSQL tests skip, unless BOKUCTL_REQUIRE_PG=1 (CI),
// which makes the skip a failure.
func pgDSN(t testing.TB, schema string) string {
	host := os.Getenv("PGHOST")
	if host == "" {
		if os.Getenv("BOKUCTL_REQUIRE_PG") == "1" {
			t.Fatal("BOKUCTL_REQUIRE_PG=1 but PGHOST is not set: run the tests under pg_virtualenv (.ci/run)")
		}
		t.Skip("PGHOST is not set: the PostgreSQL tests need a server (run them under pg_virtualenv, as .ci/run does)")
	}
	u := url.URL{Scheme: "postgres", Host: host, Path: "/" + os.Getenv("PGDATABASE")}
	if port := os.Getenv("PGPORT"); port != "" {
		u.Host += ":" + port
	}
	if user := os.Getenv("PGUSER"); user != "" {
		u.User = url.User(user)
	}
	q := url.Values{}
	if schema != "" {
		q.Set("search_path", schema)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// pgSchema makes a schema of its own for one test, dropped after.
func pgSchema(t testing.TB) string {
	admin, err := sql.Open("pgx", pgDSN(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "jt_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	return schema
}

func TestPostgresConformance(t *testing.T) {
	pgDSN(t, "")
	suite := &journaltest.Suite[string]{
		NewConfig: func(t *testing.T) string { return pgDSN(t, pgSchema(t)) },
		Open: func(t *testing.T, dsn string) (journal.Store, error) {
			return journal.OpenPostgres(context.Background(), dsn, "")
		},
		Locks: true,
		Exec: func(t *testing.T, dsn, query string) error {
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			_, err = db.Exec(query)
			return err
		},
		WriteOld: func(t *testing.T, dsn string) {
			// Schema version 1, as the first bokuctl with a team journal
			// left it.
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, q := range []string{
				"CREATE TABLE bokuctl_schema (version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())",
				journal.PostgresMigrations[0],
				"INSERT INTO bokuctl_schema (version) VALUES (1)",
				`INSERT INTO operations (key, time, profile, provider, operation, amount, amount_minor, currency, status, exit_code, finished_at)
				VALUES ('old-ok', '2026-01-02T10:00:00.1Z', 'shop', 'boku', 'charge', 4.99, 499, 'GBP', 'ok', 0, '2026-01-02T10:00:01Z'),
				       ('old-unknown', '2026-01-02T11:00:00Z', 'shop', 'boku', 'charge', 1.00, 100, 'GBP', 'unknown', 5, '2026-01-02T11:00:01.5Z')`,
			} {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
		},
	}
	suite.RunTests(t)
}

// A group in order is pipelined on PostgreSQL, follow-ups included; one
// whose follow-up reaches a row changed later in it is written one by
// one (the conformance suite checks both leave what one by one does).
func TestPostgresGroupPipelined(t *testing.T) {
	ctx := context.Background()
	store, err := journal.OpenPostgres(ctx, pgDSN(t, pgSchema(t)), "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	w := store.(journal.GroupWriter)
	entry := func(key, follows string) *journal.Entry {
		return &journal.Entry{Key: key, Time: time.Now(), Profile: "shop", Provider: "boku", Operation: "charge", User: "ana", Host: "laptop",
			Follows: follows, Settles: map[bool]string{true: journal.StatusReversed}[follows != ""]}
	}
	if err := w.Apply(ctx, []journal.Change{{Begin: entry("c-1", "")}, {Begin: entry("c-2", "")}, {Begin: entry("r-1", "c-1")}, {Begin: entry("r-2", "c-2")}}); err != nil {
		t.Fatal(err)
	}
	before := journal.PipelineReorders()
	ok := journal.Outcome{Status: journal.StatusOK}
	if err := w.Apply(ctx, []journal.Change{{Key: "c-1", Attempt: 1, Outcome: ok}, {Key: "r-1", Attempt: 1, Outcome: ok}, {Begin: entry("n-1", "")}}); err != nil {
		t.Fatal(err)
	}
	if n := journal.PipelineReorders() - before; n != 0 {
		t.Fatalf("a group in order was written one by one (%d)", n)
	}
	if err := w.Apply(ctx, []journal.Change{{Key: "r-2", Attempt: 1, Outcome: ok}, {Key: "c-2", Attempt: 1, Outcome: ok}}); err != nil {
		t.Fatal(err)
	}
	if n := journal.PipelineReorders() - before; n != 1 {
		t.Fatalf("a follow-up out of the group's order: %d groups one by one", n)
	}
	for key, want := range map[string]string{"c-1": journal.StatusReversed, "r-1": journal.StatusOK, "c-2": journal.StatusReversed, "r-2": journal.StatusOK, "n-1": journal.StatusSent} {
		if e, err := store.Get(ctx, key); err != nil || e.Status != want {
			t.Errorf("%s: %v %v, want %s", key, e, err, want)
		}
	}
}

// A password in the address is refused, and no error shows one.
func TestPostgresPasswordNeverShown(t *testing.T) {
	_, err := journal.OpenPostgres(context.Background(), "postgres://ana:s3cret-pw@localhost:1/db", "")
	if err == nil || !journal.IsPostgres("postgres://x") {
		t.Fatal("a password in the address was accepted")
	}
	if msg := err.Error(); contains(msg, "s3cret-pw") {
		t.Fatalf("the password shows: %s", msg)
	}
	_, err = journal.OpenPostgres(context.Background(), "postgres://ana@127.0.0.1:1/db?connect_timeout=1", "s3cret-pw")
	if err == nil || contains(err.Error(), "s3cret-pw") {
		t.Fatalf("connect error: %v", err)
	}
	if r := journal.Redact("postgres://ana:s3cret-pw@db.example/j"); contains(r, "s3cret-pw") {
		t.Fatal(r)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// A batch lock's holder killed with SIGKILL frees the lock: the server
// ends its session when the connection drops.
func TestPostgresLockFreedWhenHolderKilled(t *testing.T) {
	if dsn := os.Getenv("BOKUCTL_TEST_LOCK_HOLDER"); dsn != "" {
		store, err := journal.OpenPostgres(context.Background(), dsn, "")
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		if _, _, err := store.(journal.Locker).TryLock(context.Background(), "batch-k", "victim"); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("locked")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	dsn := pgDSN(t, pgSchema(t))
	store, err := journal.OpenPostgres(context.Background(), dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPostgresLockFreedWhenHolderKilled$")
	cmd.Env = append(os.Environ(), "BOKUCTL_TEST_LOCK_HOLDER="+dsn)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		cmd.Process.Kill()
		t.Fatalf("holder: %q", line)
	}
	locker := store.(journal.Locker)
	if _, held, err := locker.TryLock(context.Background(), "batch-k", "me"); !errors.Is(err, journal.ErrLocked) || !strings.HasPrefix(held, "victim since ") {
		t.Fatalf("while the holder lives: %q %v", held, err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for {
		release, _, err := locker.TryLock(context.Background(), "batch-k", "me")
		if err == nil {
			release()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the killed holder's lock stayed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// journal migrate's copy: a local journal into a team one, rows with their
// history and batches, idempotently.
func TestPostgresCopyFromSQLite(t *testing.T) {
	ctx := context.Background()
	dsn := pgDSN(t, pgSchema(t))
	local, err := journal.Open(ctx, filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	for i, st := range []string{journal.StatusOK, journal.StatusUnknown} {
		key := fmt.Sprintf("c-%d", i)
		local.Begin(ctx, journal.Entry{Key: key, Time: time.Now(), Profile: "shop", Provider: "boku", Operation: "charge", Amount: "1.50", Minor: 150, Currency: "GBP", User: "ana", Host: "laptop"})
		local.Finish(ctx, key, 1, journal.Outcome{Status: st, Result: `{"charge_id":"ch-1"}`})
	}
	local.ClaimBatch(ctx, journal.Batch{ID: "b-1", Time: time.Now(), Profile: "shop", Provider: "boku", Operation: "refund", File: "f.csv", Digest: "d", Copy: "/c", Rows: 2}, true)
	team, err := journal.OpenPostgres(ctx, dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	defer team.Close()
	st, err := journal.Copy(ctx, local, team)
	if err != nil || st.Rows != 2 || st.Events != 4 || st.Batches != 1 || st.Skipped != 0 {
		t.Fatalf("first copy: %+v %v", st, err)
	}
	st, err = journal.Copy(ctx, local, team)
	if err != nil || st.Rows != 0 || st.Skipped != 2 || st.Batches != 0 {
		t.Fatalf("second copy: %+v %v", st, err)
	}
	e, err := team.Get(ctx, "c-1")
	want, _ := local.Get(ctx, "c-1")
	if err != nil || e.Status != journal.StatusUnknown || e.Amount != "1.50" || len(e.History) != 2 || !e.History[1].Time.Equal(want.History[1].Time.Truncate(time.Microsecond)) || !e.Time.Equal(want.Time.Truncate(time.Microsecond)) {
		t.Fatalf("copied row: %+v %v", e, err)
	}
	if b, err := team.GetBatch(ctx, "b-1"); err != nil || b.Rows != 2 {
		t.Fatalf("copied batch: %+v %v", b, err)
	}
}

// A watcher listening on the team journal is woken when another process
// writes an event, well before its timeout.
func TestPostgresNotifiesWatchers(t *testing.T) {
	ctx := context.Background()
	dsn := pgDSN(t, pgSchema(t))
	watcher, err := journal.OpenPostgres(ctx, dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	writer, err := journal.OpenPostgres(ctx, dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	wait, stop, err := watcher.(journal.Notifier).Listen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	start := time.Now()
	if err := wait(ctx, 50*time.Millisecond); err != nil || time.Since(start) < 40*time.Millisecond {
		t.Fatalf("a timeout with nothing written: %v after %v", err, time.Since(start))
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		writer.Begin(ctx, journal.Entry{Key: "n-1", Time: time.Now(), Profile: "p", Provider: "boku", Operation: "charge"})
	}()
	start = time.Now()
	if err := wait(ctx, 20*time.Second); err != nil || time.Since(start) > 10*time.Second {
		t.Fatalf("not woken: %v after %v", err, time.Since(start))
	}
}
