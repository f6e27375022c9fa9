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
}

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
	Close() error
}
