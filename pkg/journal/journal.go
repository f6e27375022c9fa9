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
	// StatusDeclined is a request the provider said no to.
	StatusDeclined = "declined"
	// StatusFailed is a request refused before it was processed.
	StatusFailed  = "failed"
	StatusUnknown = "unknown"
	// StatusReversed is an operation undone: by a reversal that follows
	// it, or one reconcile sent (--reverse-unknown).
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
	// Minor is the amount in the currency's minor units, as sent.
	Minor    int64  `json:"amount_minor,omitempty"`
	Currency string `json:"currency,omitempty"`
	User     string `json:"user,omitempty"`
	Host     string `json:"host,omitempty"`
	// DBUser is the database user the row was written as (PostgreSQL).
	DBUser string `json:"db_user,omitempty"`
	// Batch and Line name the batch run and the file line this row came
	// from, for rows of `bokuctl batch`.
	Batch string `json:"batch,omitempty"`
	Line  int    `json:"line,omitempty"`
	// Status is sent (no outcome recorded), ok, pending, failed or
	// unknown.
	Status   string `json:"status"`
	ExitCode *int   `json:"exit_code,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Result   string `json:"result,omitempty"` // the result as printed, JSON
	// SettleCmd is the command that settles the row: for a row still
	// "sent", the one its intent named (for a process that stopped in
	// flight); for an unknown or pending one, its outcome's.
	SettleCmd  string    `json:"settle_command,omitempty"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	// MadeID is the id the answer names: the charge, payment or refund.
	MadeID string `json:"made_id,omitempty"`
	// Follows is the key of the row this request acts on; when this one
	// ends ok, that row becomes Settles (reversed for a reversal).
	Follows string `json:"follows,omitempty"`
	Settles string `json:"settles,omitempty"`
	// Attempts is how many times the key was sent.
	Attempts int `json:"attempts"`
	// History is every event of the row, oldest first (Get only).
	History []Event `json:"history,omitempty"`
}

// Event is one thing that happened to a row; events are never changed.
type Event struct {
	Seq  int64     `json:"seq"`
	Time time.Time `json:"time"`
	// Kind is attempt, outcome, reconcile, settle or follow-up.
	Kind    string `json:"kind"`
	Attempt int    `json:"attempt,omitempty"`
	// From and To are the row's status before and after.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Status is what the event said (an attempt's own answer, also when
	// the row kept another).
	Status   string `json:"status,omitempty"`
	ExitCode *int   `json:"exit_code,omitempty"`
	Amount   string `json:"amount,omitempty"`
	Currency string `json:"currency,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Result   string `json:"result,omitempty"`
	Note     string `json:"note,omitempty"`
	// By is user@host for a settle, the follow-up's key for a follow-up.
	By string `json:"by,omitempty"`
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
	// MadeID is the id the answer names (charge, payment, refund id).
	MadeID string
	// Settles, when set, overrides the row's Settles for the row it
	// follows (a technical reversal that found nothing: failed).
	Settles string
}

// Filter narrows Each: every field set must match (the store applies
// them in its query, with the indexes they need).
type Filter struct {
	// Since and Until bound the intent's time: Since <= time < Until.
	Since, Until time.Time
	Status       string // "" for any; "unknown" also matches rows still "sent"
	// Statuses, when set, matches any of them (unknown also matches sent).
	Statuses  []string
	Profile   string
	Provider  string
	Operation string
	Batch     string
	// KeyPrefix matches the keys that start with it.
	KeyPrefix string
	// Limit, when above 0, keeps the newest Limit rows (still given
	// oldest first).
	Limit int
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
	// Merchant is the merchant account the batch acts for (the provider's
	// name for it, e.g. "boku m-1"), "" for a batch recorded before
	// bokuctl knew it: such a batch is matched by its profile.
	Merchant string `json:"merchant,omitempty"`
}

// Scope is what one file's batch is claimed and locked by, besides its
// digest and operation: its merchant when known, else its profile.
func (b Batch) Scope() string { return BatchScope(b.Profile, b.Merchant) }

// BatchScope is the scope of a batch of profile acting for merchant.
func BatchScope(profile, merchant string) string {
	if merchant != "" {
		return "merchant " + merchant
	}
	return "profile " + profile
}

// ErrNoBatch means no batch has the id.
var ErrNoBatch = errors.New("no batch with that id in the journal")

// ErrSettled is Record's answer to a person's decision on a row whose
// outcome is already known.
var ErrSettled = errors.New("the row's outcome is already known")

// Store is a journal.
type Store interface {
	// Begin records an intent before the request is sent; the row is on
	// disk when Begin returns. A new key is a row with status sent, attempt
	// 1. A key already in the journal is a new attempt of its row (its
	// intent in the history); the row keeps its data and status, except
	// that a failed row is sent again. It returns the attempt's number.
	Begin(ctx context.Context, e Entry) (attempt int, err error)
	// Finish records the outcome of one attempt: always in the history;
	// on the row as Next allows. When the row ends ok and follows another,
	// that row becomes the row's Settles (or the outcome's) in the same
	// transaction.
	Finish(ctx context.Context, key string, attempt int, o Outcome) error
	// Record applies what reconcile found out (KindReconcile) or a person
	// decided (KindSettle, with ev.Note and ev.By), and returns the row
	// after. A settle of a row already settled is ErrSettled; an unknown
	// key is ErrNotFound.
	Record(ctx context.Context, key, kind string, o Outcome, ev Event) (*Entry, error)
	// Each calls fn with each matching row, oldest first, as the rows
	// are read (never all of them in memory); an error from fn stops it
	// and is returned. fn must not write to the store: the read holds
	// its connection.
	Each(ctx context.Context, f Filter, fn func(*Entry) error) error
	// Count is how many rows f matches, by status (f.Limit ignored).
	Count(ctx context.Context, f Filter) (map[string]int, error)
	// EachBatch calls fn with each batch, newest first, as read; since,
	// when set, skips batches that started before it.
	EachBatch(ctx context.Context, since time.Time, fn func(*Batch) error) error
	// Get returns the row with key, or ErrNotFound.
	Get(ctx context.Context, key string) (*Entry, error)
	// ClaimBatch records batch b before its first row is sent, in one
	// write transaction: when a batch of the same digest and operation for
	// the same merchant (FindBatch's match) exists and fresh is false, it returns that batch and records
	// nothing; otherwise it records b and returns nil.
	ClaimBatch(ctx context.Context, b Batch, fresh bool) (prior *Batch, err error)
	// GetBatch returns the batch with id, or ErrNoBatch.
	GetBatch(ctx context.Context, id string) (*Batch, error)
	// FindBatch returns the newest batch of the same file (digest) and
	// operation for the same merchant (or, for a batch recorded without
	// one, the same profile), or ErrNoBatch.
	FindBatch(ctx context.Context, digest, operation, profile, merchant string) (*Batch, error)
	Close() error
}

// List is every row f matches, oldest first, in memory: for the few rows
// a filter leaves (the unsettled ones) and for tests. Commands that print
// rows use Each.
func List(ctx context.Context, s Store, f Filter) ([]Entry, error) {
	var out []Entry
	err := s.Each(ctx, f, func(e *Entry) error {
		out = append(out, *e)
		return nil
	})
	return out, err
}

// Change is one write of a group: an intent (Begin set) or an outcome.
type Change struct {
	Begin   *Entry
	Key     string
	Attempt int // the attempt an outcome answers; set by Apply for an intent
	Outcome Outcome
	// Err is set by Apply for an intent it refused on its own (a
	// *HeldError: another operator holds the key), without failing the
	// other changes of the group.
	Err error
}

// GroupWriter is a Store that can apply many changes in one transaction:
// one sync to disk for all of them.
type GroupWriter interface {
	// Apply writes changes in order; it sets the Attempt of each intent.
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
