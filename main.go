// Command bokuctl drives Boku, Worldline Acquiring and Ottu payments from
// the terminal.
package main

import (
	"os"

	"github.com/bokuctl/bokuctl/cmd"
)

func main() {
	os.Exit(cmd.Execute())
}
