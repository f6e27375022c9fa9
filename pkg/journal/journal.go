// Package journal is bokuctl's durable record of every request that moves
// money or changes state at a provider: an intent row written (and synced)
// before the request leaves, and the outcome written onto the same row
// after the answer. A row whose outcome never came says "sent, outcome
// unknown", which `bokuctl reconcile` settles by asking the provider.
//
// Store is a small interface over database/sql, so that a shared
// PostgreSQL journal can follow; Open gives the SQLite one (pure Go,
// modernc.org/sqlite, so release builds stay CGO_ENABLED=0). Rows never
// hold a secret or a full card number: callers pass ids, amounts and the
// printed result, which bokuctl never fills with either.
package journal

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Statuses of a row.
const (
	// StatusSent is an intent whose outcome has not been recorded: the
	// request may or may not have been processed.
	StatusSent    = "sent"
	StatusOK      = "ok"
	StatusPending = "pending"
	StatusFailed  = "failed"
	StatusUnknown = "unknown"
	// StatusReversed is a charge reconcile reversed (--reverse-unknown).
	StatusReversed = "reversed"
)

// Entry is one operation: its intent and, once known, its outcome.
type Entry struct {
	Key       string            `json:"idempotency_key"`
	Time      time.Time         `json:"time"`
	Profile   string            `json:"profile"`
	Provider  string            `json:"provider"`
	Operation string            `json:"operation"`
	Targets   map[string]string `json:"targets,omitempty"`
	Amount    string            `json:"amount,omitempty"`
	Currency  string            `json:"currency,omitempty"`
	User      string            `json:"user,omitempty"`
	Host      string            `json:"host,omitempty"`
	// Batch and Line name the batch run and the file line this row came
	// from, for rows of `bokuctl batch`.
	Batch string `json:"batch,omitempty"`
	Line  int    `json:"line,omitempty"`
	// Status is sent (no outcome recorded), ok, pending, failed or
	// unknown.
	Status     string    `json:"status"`
	ExitCode   *int      `json:"exit_code,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Result     string    `json:"result,omitempty"` // the result as printed, JSON
	SettleCmd  string    `json:"settle_command,omitempty"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// Outcome is what the answer said.
type Outcome struct {
	Status   string
	ExitCode int
	Reason   string
	Result   string
	// SettleCmd is the command that finds out what happened, for an
	// unknown or pending outcome.
	SettleCmd string
}

// Filter narrows List.
type Filter struct {
	Since    time.Time
	Status   string // "" for any; "unknown" also matches rows still "sent"
	Profile  string
	Provider string
	Batch    string
}

// Batch is one `bokuctl batch` run: which file (by digest) it sends, for
// which operation and profile. Its rows are operations rows with its id.
type Batch struct {
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	Profile   string    `json:"profile"`
	Provider  string    `json:"provider"`
	Operation string    `json:"operation"`
	// File is the file as named on the command line ("-" for stdin).
	File string `json:"file"`
	// Digest is the SHA-256 of the file's bytes, hex.
	Digest string `json:"digest"`
	// Copy is where bokuctl keeps the file's copy for resume.
	Copy string `json:"copy"`
	Rows int    `json:"rows"`
}

// ErrNoBatch means no batch has the id.
var ErrNoBatch = errors.New("no batch with that id in the journal")

// Store is a journal.
type Store interface {
	// Begin records an intent before the request is sent; the row is on
	// disk when Begin returns.
	Begin(ctx context.Context, e Entry) error
	// Finish records the outcome of the intent with key.
	Finish(ctx context.Context, key string, o Outcome) error
	// List returns the matching rows, oldest first.
	List(ctx context.Context, f Filter) ([]Entry, error)
	// Get returns the row with key, or ErrNotFound.
	Get(ctx context.Context, key string) (*Entry, error)
	// AddBatch records a batch run before its first row is sent.
	AddBatch(ctx context.Context, b Batch) error
	// GetBatch returns the batch with id, or ErrNoBatch.
	GetBatch(ctx context.Context, id string) (*Batch, error)
	// FindBatch returns the newest batch of the same file (digest),
	// operation and profile, or ErrNoBatch.
	FindBatch(ctx context.Context, digest, operation, profile string) (*Batch, error)
	Close() error
}

// Change is one write of a group: an intent (Begin set) or an outcome.
type Change struct {
	Begin   *Entry
	Key     string
	Outcome Outcome
}

// GroupWriter is a Store that can apply many changes in one transaction:
// one sync to disk for all of them.
type GroupWriter interface {
	Apply(ctx context.Context, changes []Change) error
}

// TimeFormat is how the journal's JSON writes times: RFC 3339, UTC,
// milliseconds, like every bokuctl timestamp (docs/json.md).
const TimeFormat = "2006-01-02T15:04:05.000Z"

// MarshalJSON writes the times in TimeFormat.
func (e Entry) MarshalJSON() ([]byte, error) {
	type plain Entry
	out := struct {
		Key  string `json:"idempotency_key"`
		Time string `json:"time"`
		plain
		FinishedAt string `json:"finished_at,omitempty"`
	}{Key: e.Key, Time: e.Time.UTC().Format(TimeFormat), plain: plain(e)}
	if !e.FinishedAt.IsZero() {
		out.FinishedAt = e.FinishedAt.UTC().Format(TimeFormat)
	}
	return json.Marshal(out)
}
