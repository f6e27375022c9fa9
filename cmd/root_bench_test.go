package cmd

import (
	"testing"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider/all"
)

// BenchmarkNewRootCmd is what building the whole command tree costs (the
// command lines that need it: completion requests, help <command>, the
// root itself); bench/startup.sh measures the process.
func BenchmarkNewRootCmd(b *testing.B) {
	for b.Loop() {
		NewRootCmd(cmdutil.NewFactory(nil, func(string) string { return "" }))
	}
}

// BenchmarkLazyRoot is what the tree of `bokuctl charge …` costs: charge
// built, the other commands stand-ins.
func BenchmarkLazyRoot(b *testing.B) {
	args := []string{"charge", "--help"}
	for b.Loop() {
		if lazyRoot(cmdutil.NewFactory(nil, func(string) string { return "" }), args) == nil {
			b.Fatal("charge needs the whole tree")
		}
	}
}

// BenchmarkRootHelpTree is what the tree of `bokuctl --help` costs: the
// root and stand-ins.
func BenchmarkRootHelpTree(b *testing.B) {
	for b.Loop() {
		f := cmdutil.NewFactory(nil, func(string) string { return "" })
		addCommandStubs(newRoot(f, all.Registry()))
	}
}
