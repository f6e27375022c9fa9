package cmd

import (
	"testing"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
)

// BenchmarkNewRootCmd is what building the whole command tree costs each
// start (bench/startup.sh measures the process).
func BenchmarkNewRootCmd(b *testing.B) {
	for b.Loop() {
		NewRootCmd(cmdutil.NewFactory(nil, func(string) string { return "" }))
	}
}
