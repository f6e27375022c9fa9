// Package exitcode defines bokuctl's process exit codes and the typed error
// that carries one. It is the single place where an outcome becomes a number:
// client packages return *Error (or any error with an ExitCode method) and
// the command layer turns it into the process status, so every command
// answers the same failure with the same code.
package exitcode

import (
	"errors"
	"fmt"
)

// Code is a process exit status with a documented meaning.
type Code int

// The exit codes, identical for every command. docs/exit-codes.md and the
// README carry the same table; a test checks that they agree with this list.
const (
	// OK means the command did what was asked.
	OK Code = 0
	// Unexpected is a bug or an environment failure nobody foresaw.
	Unexpected Code = 1
	// Usage means the input was invalid: caught before sending, or rejected
	// by the provider as invalid. Nothing was processed.
	Usage Code = 2
	// Declined means the provider answered no (declined, insufficient funds,
	// business rule).
	Declined Code = 3
	// Auth covers authentication, authorization, and missing or broken
	// credentials or configuration.
	Auth Code = 4
	// UnknownOutcome means the request was sent but no definite answer came
	// back: check its status before retrying.
	UnknownOutcome Code = 5
	// Unavailable means the provider is down or rate-limiting: safe to retry
	// later.
	Unavailable Code = 6
	// Pending means the request was accepted but is not final yet.
	Pending Code = 8
	// Canceled means the user cancelled at a prompt (Ctrl-C, Ctrl-D or a
	// "no"): nothing was sent, stored or deleted. 130 is the shells'
	// status for a command ended by Ctrl-C.
	Canceled Code = 130
	// StoppedHangup, StoppedQuit, StoppedAbort and StoppedSegv mean that
	// the signal (SIGHUP, SIGQUIT, SIGABRT, or SIGSEGV sent by kill)
	// stopped bokuctl before any request that changes state was sent: 128
	// plus the signal's number, as shells report a process a signal
	// ended. After a send, a signal ends the run with UnknownOutcome.
	// The other signals bokuctl stops on (SIGILL, SIGTRAP, SIGBUS, SIGFPE
	// and SIGSYS sent by kill) give 128 plus their number too (Stopped).
	StoppedHangup Code = 129
	StoppedQuit   Code = 131
	StoppedAbort  Code = 134
	StoppedSegv   Code = 139
)

// Stopped is the exit code of a run that the signal numbered signum
// stopped before anything was sent: 128 + signum.
func Stopped(signum int) Code { return Code(128 + signum) }

// Slug is the stable machine name of a code, used in JSON error objects.
func (c Code) Slug() string {
	switch c {
	case OK:
		return "ok"
	case Usage:
		return "invalid_input"
	case Declined:
		return "declined"
	case Auth:
		return "auth"
	case UnknownOutcome:
		return "unknown_outcome"
	case Unavailable:
		return "unavailable"
	case Pending:
		return "pending"
	case Canceled:
		return "canceled"
	case StoppedHangup:
		return "sighup"
	case StoppedQuit:
		return "sigquit"
	case StoppedAbort:
		return "sigabrt"
	case StoppedSegv:
		return "sigsegv"
	default:
		if c > 128 && c < 160 {
			return "signal"
		}
		return "unexpected"
	}
}

// Meaning is the one-line description used in help text and docs.
func (c Code) Meaning() string {
	switch c {
	case OK:
		return "success"
	case Usage:
		return "usage error or invalid request: nothing was processed"
	case Declined:
		return "declined: the provider answered no"
	case Auth:
		return "authentication, authorization, or missing credentials or configuration"
	case UnknownOutcome:
		return "outcome unknown: sent, but no definite answer; check status before retrying"
	case Unavailable:
		return "provider unavailable or rate-limited: safe to retry later"
	case Pending:
		return "pending: accepted, not final"
	case Canceled:
		return "cancelled before anything was sent (Ctrl-C or Ctrl-D at a prompt, a no, Ctrl-C while a batch file is checked): nothing was sent, stored or deleted"
	case StoppedHangup:
		return "stopped by SIGHUP before anything was sent: nothing was sent"
	case StoppedQuit:
		return "stopped by SIGQUIT before anything was sent: nothing was sent"
	case StoppedAbort:
		return "stopped by SIGABRT before anything was sent: nothing was sent"
	case StoppedSegv:
		return "stopped by SIGSEGV sent by kill before anything was sent: nothing was sent"
	default:
		if c > 128 && c < 160 {
			return fmt.Sprintf("stopped by signal %d before anything was sent: nothing was sent", int(c)-128)
		}
		return "unexpected error"
	}
}

// All lists every documented code in ascending order.
func All() []Code {
	return []Code{OK, Unexpected, Usage, Declined, Auth, UnknownOutcome, Unavailable, Pending, StoppedHangup, Canceled, StoppedQuit, StoppedAbort, StoppedSegv}
}

// Error is an error with an exit code, a message for the user, and an
// optional hint that says how to fix or follow up.
type Error struct {
	Code    Code
	Message string
	Hint    string
	// Err is the underlying cause, kept for errors.Is/As; its text is not
	// shown when Message is set.
	Err error
}

func (e *Error) Error() string {
	switch {
	case e.Message != "":
		return e.Message
	case e.Err != nil:
		return e.Err.Error()
	default:
		return e.Code.Meaning()
	}
}

func (e *Error) Unwrap() error { return e.Err }

// ExitCode reports the process status this error maps to.
func (e *Error) ExitCode() Code { return e.Code }

// Coder is implemented by any error that knows its exit code. Client
// packages may implement it on their own error types.
type Coder interface {
	ExitCode() Code
}

// Hinter is implemented by errors that carry a follow-up hint.
type Hinter interface {
	HintText() string
}

// HintText returns the hint.
func (e *Error) HintText() string { return e.Hint }

// New returns an *Error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithHint returns e with its hint set, for chaining at the call site.
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// Wrap gives err an exit code, keeping its text and identity.
func Wrap(code Code, err error) *Error {
	return &Error{Code: code, Err: err}
}

// Of returns the exit code for err: OK for nil, the code of the first error
// in the chain that carries one, and Unexpected otherwise.
func Of(err error) Code {
	if err == nil {
		return OK
	}
	var coder Coder
	if errors.As(err, &coder) {
		return coder.ExitCode()
	}
	return Unexpected
}

// HintOf returns the first hint found in err's chain, or "".
func HintOf(err error) string {
	for err != nil {
		if h, ok := err.(Hinter); ok && h.HintText() != "" {
			return h.HintText()
		}
		err = errors.Unwrap(err)
	}
	return ""
}
