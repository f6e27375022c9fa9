package worldline

import (
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
)

// technicalReversalReasons are the reasons Worldline accepts for a
// technical reversal.
var technicalReversalReasons = []string{"TIMEOUT_WAITING_RESPONSE", "SUSPECTED_MALFUNCTION", "INVALID_RESPONSE", "SUSPECTED_FRAUD"}

// TechnicalReversal is `operation reverse`: undo an operation whose answer
// was lost.
type TechnicalReversal struct{ reason, operationID string }

// AddFlags registers --reason and --operation-id.
func (t *TechnicalReversal) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&t.reason, "reason", "TIMEOUT_WAITING_RESPONSE", "why the operation is reversed")
	fs.StringVar(&t.operationID, "operation-id", "", "this reversal's own idempotency key (default: a new UUID)")
}

// Run reverses the operation named by the one argument.
func (t *TechnicalReversal) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	if !cmdutil.ValidKey(args[0]) {
		return exitcode.New(exitcode.Usage, "OPERATION_ID %q is not an operation id", args[0])
	}
	if !slices.Contains(technicalReversalReasons, t.reason) {
		return exitcode.New(exitcode.Usage, "invalid --reason %q", t.reason).WithHint("use one of TIMEOUT_WAITING_RESPONSE, SUSPECTED_MALFUNCTION, INVALID_RESPONSE, SUSPECTED_FRAUD")
	}
	// The reversal follows the operation it undoes: its success settles
	// that operation's journal row (reversed; failed when Worldline never
	// received it: 7204).
	session, operationID, err := BeginOperationFor(cmd.Context(), f, cmdutil.Intent{Key: t.operationID, Follows: args[0], Settles: journal.StatusReversed})
	if err != nil {
		return err
	}
	resp, err := session.Client.TechnicalReversal(cmd.Context(), args[0], acquiring.TechnicalReversalRequest{
		OperationID: operationID, Reason: t.reason, TransactionTimestamp: acquiring.Timestamp(time.Now()),
	})
	if err != nil {
		return Explain(err, fmt.Sprintf("bokuctl operation reverse %s --reason %s --operation-id %s%s%s (the same reversal again: the same operationId is not processed twice)", args[0], t.reason, operationID, session.ProfileArg, f.YesArg()))
	}
	return finish(f, technicalReversalResult(args[0], operationID, resp))
}

// technicalReversalResult says what a technical reversal's answer means.
// Worldline's 7204 (category APPROVED) is not a reversal: it never
// received the referenced operation, so nothing was charged and nothing
// was reversed. Its exit code is 0 all the same: the answer is definite
// and what the operator wants, no money moved by that operation, holds.
func technicalReversalResult(reversedID, operationID string, resp *acquiring.TechnicalReversalResponse) result {
	r := result{OperationID: operationID, ReversedOperationID: reversedID}
	r.setCodes(resp.ResponseCodes)
	reversed := resp.Reversed()
	r.Reversed = &reversed
	switch {
	case resp.UnknownOperation():
		r.Message = fmt.Sprintf("Worldline never received operation %s: nothing was charged and nothing was reversed", reversedID)
	case reversed:
		r.Message = fmt.Sprintf("operation %s was reversed", reversedID)
	default:
		r.Message = fmt.Sprintf("operation %s was not reversed: it stands as it was", reversedID)
	}
	return r
}
