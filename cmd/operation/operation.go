// Package operation is `bokuctl operation`: acts on a single Worldline
// operation (today: its technical reversal).
package operation

import (
	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
)

// NewCmd is `bokuctl operation`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	reverse := &cobra.Command{
		Use:   "reverse OPERATION_ID --reason REASON",
		Short: "Technical reversal: undo an operation whose answer was lost (Worldline)",
		Long: `Undo the operation with the given operation id, for when its answer was lost
(exit 5). Reasons: TIMEOUT_WAITING_RESPONSE, SUSPECTED_MALFUNCTION,
INVALID_RESPONSE, SUSPECTED_FRAUD.

The result says whether the operation was undone ("reversed": true or
false, and a "message"). Worldline answers 7204 ("Message stored, not
forwarded: referencing unknown trx", category APPROVED) when it never
received the operation: nothing was charged and nothing was reversed, and
the result says "reversed": false. That exits 0: the answer is definite
and no money moved by that operation.

On a terminal it asks for confirmation; elsewhere it refuses unless --yes
is given.`,
		Example: "  bokuctl operation reverse 3f1c…-operation-id --reason TIMEOUT_WAITING_RESPONSE --yes",
		Args:    cmdutil.UsageArgs(cobra.ExactArgs(1)),
	}
	var yes bool
	run := provider.New(reverse, provider.Handlers{provider.Worldline: &worldline.TechnicalReversal{}}).RunE(f)
	reverse.RunE = func(cmd *cobra.Command, args []string) error {
		// Undoing an operation undoes money: the one confirmation rule.
		f.ConfirmBeforeSending(yes, "a technical reversal", "Reverse operation "+args[0])
		return run(cmd, args)
	}
	cmdutil.AddYesFlag(reverse, &yes)
	group := cmdutil.GroupCmd("operation", "Act on a single Worldline operation", reverse)
	group.Example = "  bokuctl operation reverse op-auth-1 --reason TIMEOUT_WAITING_RESPONSE   # the operation id of a request that exited 5"
	return group
}
