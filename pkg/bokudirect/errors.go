package bokudirect

import (
	"fmt"
	"strings"
	"time"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// APIError is a signed answer whose result is ERROR (or an OK that still
// means "not done", such as 23 in progress). It is a definite answer:
// Boku received the request.
type APIError struct {
	Call   string
	Result Result
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("boku %s: %s (reason code %d)", e.Call, e.Result.Message, e.Result.ReasonCode)
	if len(e.Result.InvalidFields) > 0 {
		var fields []string
		for _, f := range e.Result.InvalidFields {
			fields = append(fields, f.Path+": "+f.Reason)
		}
		msg += "; invalid: " + strings.Join(fields, "; ")
	}
	return msg
}

// ExitCode follows the reason-code table (see ExitCode), except that
// validate-optin's 136 "not yet verified" is 8: the consumer has not
// finished at the opt-in URL yet, and validating again later is the way
// on (the spec lists 136 for validate-optin, and no 23).
func (e *APIError) ExitCode() exitcode.Code {
	if e.Call == "validate-optin" && e.Result.ReasonCode == ReasonOptinNotVerified {
		return exitcode.Pending
	}
	return ExitCode(e.Result)
}

// RetryDelay is how long Boku asked to wait before retrying (0: none).
func (e *APIError) RetryDelay() time.Duration {
	if e.Result.RetryDelay == nil {
		return 0
	}
	return time.Duration(*e.Result.RetryDelay) * time.Millisecond
}

// AuthError is HTTP 401: Boku did not accept the request's signature,
// merchant id or key id. Nothing was processed.
type AuthError struct {
	Call    string
	Message string
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("boku %s: authentication failed (HTTP 401): %s", e.Call, e.Message)
}

// ExitCode is 4.
func (e *AuthError) ExitCode() exitcode.Code { return exitcode.Auth }

// SignatureError is a 200 whose X-SignedResponse is missing or wrong: the
// answer cannot be trusted, though the request may have been processed.
type SignatureError struct {
	Call     string
	Mutation bool
	Err      error
}

func (e *SignatureError) Error() string {
	return fmt.Sprintf("boku %s: the response signature is not valid, so the answer cannot be trusted: %v", e.Call, e.Err)
}

func (e *SignatureError) Unwrap() error { return e.Err }

// ExitCode is 5 for a call that changes state (its outcome is unknown),
// else 4.
func (e *SignatureError) ExitCode() exitcode.Code {
	if e.Mutation {
		return exitcode.UnknownOutcome
	}
	return exitcode.Auth
}

// UnavailableError means Boku could not be reached, or answered with a
// status its API does not document (5xx, a proxy's 4xx) before the request
// could matter: nothing was processed.
type UnavailableError struct {
	Call   string
	Status int
	// RetryAfter is the answer's Retry-After, when it had one.
	RetryAfter time.Duration
	Err        error
}

func (e *UnavailableError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("boku %s: service unavailable (HTTP %d)", e.Call, e.Status)
	}
	return fmt.Sprintf("boku %s: cannot reach Boku: %v", e.Call, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// ExitCode is 6.
func (e *UnavailableError) ExitCode() exitcode.Code { return exitcode.Unavailable }

// NotFoundError is a 404 or 405: Boku's API documents neither, so the URL
// is not Boku's (a wrong boku.base-url). Nothing was processed.
type NotFoundError struct {
	Call   string
	Status int
	URL    string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("boku %s: HTTP %d from %s: no Boku API there, nothing was processed", e.Call, e.Status, e.URL)
}

// ExitCode is 4: a configuration error.
func (e *NotFoundError) ExitCode() exitcode.Code { return exitcode.Auth }

// UnknownOutcomeError means a request that changes state was sent and no
// usable answer came back: it may or may not have been processed.
type UnknownOutcomeError struct {
	Call   string
	Status int
	Err    error
}

func (e *UnknownOutcomeError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("boku %s: the request was sent but no answer came back (%v); it may or may not have been processed", e.Call, e.Err)
	}
	return fmt.Sprintf("boku %s: the request was sent but the answer was HTTP %d; it may or may not have been processed", e.Call, e.Status)
}

func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// ExitCode is 5.
func (e *UnknownOutcomeError) ExitCode() exitcode.Code { return exitcode.UnknownOutcome }

// MalformedResponseError is a signed 200 that is not the XML Boku's spec
// describes.
type MalformedResponseError struct {
	Call     string
	Mutation bool
	Err      error
}

func (e *MalformedResponseError) Error() string {
	return fmt.Sprintf("boku %s: malformed response: %v", e.Call, e.Err)
}

func (e *MalformedResponseError) Unwrap() error { return e.Err }

// ExitCode is the one rule for an answer that cannot be used
// (docs/exit-codes.md): 5 for a call that changes state, 6 for a query
// (nothing changed: retry later).
func (e *MalformedResponseError) ExitCode() exitcode.Code {
	if e.Mutation {
		return exitcode.UnknownOutcome
	}
	return exitcode.Unavailable
}

// RedirectError is a 3xx: Boku documents none, so the URL is not Boku's
// API. It is never followed; nothing is resent to where it points.
type RedirectError struct {
	Call     string
	Status   int
	Location string
	Mutation bool
}

func (e *RedirectError) Error() string {
	location := e.Location
	if location == "" {
		location = "nowhere"
	}
	return fmt.Sprintf("boku %s: answered a redirect (HTTP %d) to %s; not followed, nothing was resent", e.Call, e.Status, location)
}

// ExitCode is 5 for a call that changes state (its outcome is unknown),
// else 4 (a wrong boku.base-url).
func (e *RedirectError) ExitCode() exitcode.Code {
	if e.Mutation {
		return exitcode.UnknownOutcome
	}
	return exitcode.Auth
}
