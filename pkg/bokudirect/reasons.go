package bokudirect

import "github.com/bokuctl/bokuctl/pkg/exitcode"

// Reason codes of Boku Direct Payments 3.0 that the client decides on
// (the full list is in docs/boku.md).
const (
	ReasonOK                = 0
	ReasonInsufficientFunds = 3
	ReasonMerchantSuspended = 14
	ReasonNetworkDown       = 15
	ReasonScheduledDowntime = 17
	ReasonInProgress        = 23
	ReasonInternalError     = 35
	ReasonInvalidRequest    = 43
	ReasonNetworkNotEnabled = 51
	ReasonConflictingID     = 124
	ReasonOptinNotFound     = 125
	ReasonAlreadyReversed   = 130
	ReasonReversalExpired   = 132
	ReasonChargeNotFound    = 133
	ReasonOptinNotVerified  = 136
	ReasonOptinConflict     = 137
	ReasonRefundExceeds     = 146
	ReasonRefundNotFound    = 153
	ReasonIssuerError       = 900
)

// ExitCode maps a Boku result to bokuctl's exit-code contract:
//
//   - OK (0) → 0, and 23 "submitted and in progress" → 8 (pending);
//   - 43, 124, 125, 133, 153 → 2: nothing was processed, the request named
//     a wrong field or id;
//   - 14, 51 → 4: the merchant account is not set up for this;
//   - 15, 17, 35, 900, and any result Boku marks retriable → 6;
//   - every other code, known or not (3 insufficient credit, 4 user barred,
//     …) → 3, a decline with Boku's message.
//
// The table decides a refused request. A charge or refund whose own status
// is failed is 3 whatever its code (the handlers decide that, and
// APIError.ExitCode makes validate-optin's 136 pending).
func ExitCode(r Result) exitcode.Code {
	switch r.ReasonCode {
	case ReasonInProgress:
		return exitcode.Pending
	case ReasonInvalidRequest, ReasonConflictingID, ReasonOptinNotFound, ReasonChargeNotFound, ReasonRefundNotFound:
		return exitcode.Usage
	case ReasonMerchantSuspended, ReasonNetworkNotEnabled:
		return exitcode.Auth
	case ReasonNetworkDown, ReasonScheduledDowntime, ReasonInternalError, ReasonIssuerError:
		return exitcode.Unavailable
	}
	switch {
	case r.OK() && r.ReasonCode == ReasonOK:
		return exitcode.OK
	case r.Retriable:
		return exitcode.Unavailable
	case r.OK():
		// An OK with a code this table does not know: processed.
		return exitcode.OK
	}
	return exitcode.Declined
}
