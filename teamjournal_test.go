package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/rogpeppe/go-internal/testscript"
)

// teamJournal makes the script's journal a team journal on PostgreSQL: a
// schema of its own in the server the PG* variables name (pg_virtualenv
// sets them), dropped when the script ends, as BOKUCTL_JOURNAL with the
// PG* variables bokuctl needs to connect. Scripts begin with
// `[!pg] skip`: the condition pg holds with PGHOST set, and under
// BOKUCTL_REQUIRE_PG=1 (.ci/run), where team-journal then fails.
func teamJournal(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: team-journal")
	}
	host := os.Getenv("PGHOST")
	if host == "" {
		ts.Fatalf("BOKUCTL_REQUIRE_PG=1 but PGHOST is not set: run the tests under pg_virtualenv (.ci/run)")
	}
	u := url.URL{Scheme: "postgres", Host: host, Path: "/" + os.Getenv("PGDATABASE")}
	if port := os.Getenv("PGPORT"); port != "" {
		u.Host += ":" + port
	}
	if user := os.Getenv("PGUSER"); user != "" {
		u.User = url.User(user)
	}
	admin, err := sql.Open("pgx", u.String())
	ts.Check(err)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "ts_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		ts.Fatalf("create schema: %v", err)
	}
	ts.Defer(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u.RawQuery = url.Values{"search_path": {schema}}.Encode()
	ts.Setenv("BOKUCTL_JOURNAL", u.String())
	for _, name := range []string{"PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE"} {
		if v := os.Getenv(name); v != "" {
			ts.Setenv(name, v)
		}
	}
}

// pgCondition is the scripts' condition pg: a PostgreSQL server is there
// (PGHOST), or one is required (BOKUCTL_REQUIRE_PG=1), so a missing server
// fails the script instead of skipping it.
func pgCondition(cond string) (bool, error) {
	if cond != "pg" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	return os.Getenv("PGHOST") != "" || os.Getenv("BOKUCTL_REQUIRE_PG") == "1", nil
}
