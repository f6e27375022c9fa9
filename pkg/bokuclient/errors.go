package bokuclient

import (
	"fmt"

	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// Reason codes the CLI decides on, from Boku's published table; every
// code maps to an exit code through bokudirect.ExitCode.
const (
	ReasonSuccess    = bokudirect.ReasonOK
	ReasonInProgress = bokudirect.ReasonInProgress
)

// APIError is an ERROR result from Boku.
type APIError struct {
	Call   string
	Status int
	Result Result
}

func (e *APIError) Error() string {
	msg := e.Result.Message
	if msg == "" {
		msg = "request failed"
	}
	return fmt.Sprintf("boku %s: %s (reason code %d)", e.Call, msg, e.Result.Reason())
}

// ExitCode maps the reason code to bokuctl's exit codes with Boku's
// reason-code table (bokudirect.ExitCode).
func (e *APIError) ExitCode() exitcode.Code {
	return bokudirect.ExitCode(bokudirect.Result{Status: e.Result.Status, ReasonCode: e.Result.Reason(), Retriable: e.Result.Retriable})
}

// CountryMismatchError is raised before sending: Boku requires the country
// in the URL to equal the request's country element.
type CountryMismatchError struct {
	URLCountry, BodyCountry string
}

func (e *CountryMismatchError) Error() string {
	return fmt.Sprintf("country mismatch: the request is for %q but the API country (host) is %q; Boku requires them to be equal", e.BodyCountry, e.URLCountry)
}

// ExitCode: nothing was sent.
func (e *CountryMismatchError) ExitCode() exitcode.Code { return exitcode.Usage }

// AuthError is Boku's 401/403: a plain-text, unsigned answer.
type AuthError struct {
	Call    string
	Status  int
	Message string
}

func (e *AuthError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "no detail"
	}
	return fmt.Sprintf("boku %s: authentication failed (HTTP %d): %s", e.Call, e.Status, msg)
}

// ExitCode: credentials.
func (e *AuthError) ExitCode() exitcode.Code { return exitcode.Auth }

// SignatureError means a 200 response's signature did not verify, so its
// content cannot be trusted.
type SignatureError struct {
	Call     string
	Mutation bool
	Err      error
}

func (e *SignatureError) Error() string {
	return fmt.Sprintf("boku %s: the response signature is not valid, so the answer cannot be trusted: %v", e.Call, e.Err)
}

func (e *SignatureError) Unwrap() error { return e.Err }

// ExitCode: a signature problem is an authentication problem.
func (e *SignatureError) ExitCode() exitcode.Code { return exitcode.Auth }

// UnavailableError means Boku could not be reached or answered with a
// server error before processing: safe to retry later.
type UnavailableError struct {
	Call   string
	Status int
	Err    error
}

func (e *UnavailableError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("boku %s: service unavailable (HTTP %d)", e.Call, e.Status)
	}
	return fmt.Sprintf("boku %s: cannot reach Boku: %v", e.Call, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// ExitCode: retry later.
func (e *UnavailableError) ExitCode() exitcode.Code { return exitcode.Unavailable }

// UnknownOutcomeError means a mutating request was sent but no answer came
// back: it may or may not have been processed.
type UnknownOutcomeError struct {
	Call string
	Err  error
}

func (e *UnknownOutcomeError) Error() string {
	return fmt.Sprintf("boku %s: the request was sent but no answer came back (%v); it may or may not have been processed", e.Call, e.Err)
}

func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// ExitCode: check the status before retrying.
func (e *UnknownOutcomeError) ExitCode() exitcode.Code { return exitcode.UnknownOutcome }

// MalformedResponseError is an answer that is not the documented XML.
type MalformedResponseError struct {
	Call     string
	Status   int
	Mutation bool
	Err      error
}

func (e *MalformedResponseError) Error() string {
	return fmt.Sprintf("boku %s: malformed response (HTTP %d): %v", e.Call, e.Status, e.Err)
}

func (e *MalformedResponseError) Unwrap() error { return e.Err }

// ExitCode: for a mutation the outcome is unknown; otherwise unexpected.
func (e *MalformedResponseError) ExitCode() exitcode.Code {
	if e.Mutation && e.Status == 200 {
		return exitcode.UnknownOutcome
	}
	return exitcode.Unexpected
}
