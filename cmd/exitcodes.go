package cmd

import (
	"fmt"
	"strings"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/spf13/cobra"
)

// exitCodesHelp is the exit-code table as shown by `bokuctl help exit-codes`.
func exitCodesHelp() string {
	var b strings.Builder
	b.WriteString("Every bokuctl command exits with one of these codes:\n\n")
	for _, code := range exitcode.All() {
		fmt.Fprintf(&b, "  %3d  %-16s %s\n", int(code), code.Slug(), code.Meaning())
	}
	b.WriteString("\nSIGILL, SIGTRAP, SIGBUS, SIGFPE and SIGSYS sent by kill before anything was\n" +
		"sent exit with 128 + the signal's number too. After a request that changes state was sent, any of\n" +
		"these signals, Ctrl-C and SIGTERM end the run with 5 and the command that\n" +
		"settles it (bokuctl reconcile).\n")
	b.WriteString("\nWith -o json, an error is also printed on stderr as\n" +
		`{"error":{"code":"<name>","exit_code":N,"message":"...","hint":"..."}}` + "\n")
	return b.String()
}

func newExitCodesTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "What each exit code means",
		Long:  exitCodesHelp(),
	}
}
