package cmdutil

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// ProductionEnv is the environment variable that opts a run into sending
// to production without a question (CI sets it once).
const ProductionEnv = "BOKUCTL_PRODUCTION"

// productionGuard is what a process knows of production: whether a
// session of it targets production (and which), and whether sending there
// was confirmed. Every Factory of the process shares it, so the banner is
// printed and the question asked once per run of bokuctl.
type productionGuard struct {
	mu        sync.Mutex
	marked    bool
	target    string
	confirmed bool
	// out is the process's stderr, where the banner goes even when the
	// run that marks production is a batch row or a follow-up with quiet
	// streams of its own.
	out io.Writer
}

func (f *Factory) productionState() *productionGuard {
	if f.production == nil {
		f.production = &productionGuard{}
	}
	return f.production
}

// MarkProduction says that this run's session sends to production: target
// names where ("profile shop · boku gb"). The first call prints the banner
// on stderr, before anything is sent: "▸ production · profile shop · boku gb".
func (f *Factory) MarkProduction(target string) {
	g := f.productionState()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.marked {
		return
	}
	g.marked, g.target = true, target
	switch {
	case g.out != nil:
		fmt.Fprintf(g.out, "▸ production · %s\n", target)
	case f.Printer != nil:
		f.Printer.Notice("▸ production · %s", target)
	}
}

// Production reports whether this run's session sends to production.
func (f *Factory) Production() bool {
	return f.production != nil && f.production.marked
}

// ProductionTarget is where this process's sessions send, when that is
// production ("profile shop · boku gb").
func (f *Factory) ProductionTarget() (string, bool) {
	g := f.productionState()
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.target, g.marked
}

// ConfirmProduction records that sending to production was confirmed for
// this process (a batch's question, answered for all its rows).
func (f *Factory) ConfirmProduction() {
	g := f.productionState()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.confirmed = true
}

// confirmProduction asks, once per process, before the first request that
// changes state is sent to production: --yes or BOKUCTL_PRODUCTION=1
// answer it; on a terminal the user is asked; off one, it is refused with
// exit 2 and nothing is sent.
func (f *Factory) confirmProduction(ctx context.Context) error {
	g := f.production
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.marked || g.confirmed {
		return nil
	}
	if f.Getenv(ProductionEnv) == "1" || f.yesFlag() {
		g.confirmed = true
		return nil
	}
	if !f.CanPrompt() {
		return exitcode.New(exitcode.Usage, "this request changes state in production (%s), and there is no terminal to confirm it on: nothing was sent", g.target).
			WithHint("pass --yes, or set %s=1 (for CI), to send to production", ProductionEnv)
	}
	if err := f.Confirm(ctx, false, "sending to production", "Send this request to production ("+g.target+")?", ""); err != nil {
		return err
	}
	g.confirmed = true
	return nil
}

// yesFlag reports whether the command was given --yes.
func (f *Factory) yesFlag() bool {
	if f.Command == nil {
		return false
	}
	flag := f.Command.Flags().Lookup("yes")
	return flag != nil && flag.Changed && flag.Value.String() == "true"
}
