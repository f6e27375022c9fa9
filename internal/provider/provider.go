// Package provider is the seam between bokuctl's payment verbs and the
// providers that serve them. A verb (charge, refund, forex, fund-check and
// their sub-verbs, verify-card, operation reverse) is one command with the
// flags every provider shares; each provider that offers the verb serves it
// through a Handler, which registers the flags only it understands. Verb.Run
// picks the provider (--provider > BOKUCTL_PROVIDER > profile > boku),
// refuses another provider's flag by name before anything is sent, and
// hands over. A provider without a Handler for a verb does not offer it:
// the user is told which provider does.
//
// The command never learns which provider it got. This package imports
// internal/cmdutil and pkg/; the provider packages beneath it
// (internal/provider/boku, internal/provider/worldline) import it for the
// shared inputs, and cmd/ imports them all. Nothing here imports cmd/.
package provider

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
)

// Name is a payment provider's name as the --provider flag spells it.
type Name string

// The providers behind the payment verbs.
const (
	Boku      Name = "boku"
	Worldline Name = "worldline"
)

// Handler is one provider's side of a payment verb.
type Handler interface {
	// AddFlags registers the flags only this provider understands.
	AddFlags(fs *pflag.FlagSet)
	// Run validates the provider's inputs, announces the idempotency key,
	// sends, prints the result and returns the error that carries the exit
	// code.
	Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error
}

// Handlers are the providers that offer a verb.
type Handlers map[Name]Handler

// flagOwner records which provider registered a flag.
type flagOwner struct {
	flag     string
	provider Name
}

// Verb dispatches one command to the selected provider's Handler.
type Verb struct {
	handlers Handlers
	owners   []flagOwner // in registration order, Boku first
}

// New registers each handler's flags on cmd, into a fresh FlagSet first so
// it knows which flags are whose, and returns the verb. Boku's flags are
// registered first, then the other providers' in name order. Two providers
// registering the same flag name is a programming error: New panics.
func New(cmd *cobra.Command, handlers Handlers) *Verb {
	v := &Verb{handlers: handlers}
	owner := map[string]Name{}
	for _, name := range v.names() {
		fs := pflag.NewFlagSet(string(name), pflag.ContinueOnError)
		fs.SortFlags = false
		handlers[name].AddFlags(fs)
		fs.VisitAll(func(fl *pflag.Flag) {
			if other, taken := owner[fl.Name]; taken || cmd.Flags().Lookup(fl.Name) != nil {
				panic(fmt.Sprintf("provider: flag --%s of %s %q is already registered (by %q)", fl.Name, name, cmd.Name(), other))
			}
			owner[fl.Name] = name
			v.owners = append(v.owners, flagOwner{flag: fl.Name, provider: name})
		})
		cmd.Flags().AddFlagSet(fs)
	}
	return v
}

// names lists the verb's providers, Boku first, then by name.
func (v *Verb) names() []Name {
	names := make([]Name, 0, len(v.handlers))
	for name := range v.handlers {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == Boku) != (names[j] == Boku) {
			return names[i] == Boku
		}
		return names[i] < names[j]
	})
	return names
}

// RunE is Run in the shape cobra wants.
func (v *Verb) RunE(f *cmdutil.Factory) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error { return v.Run(cmd, f, args) }
}

// Run picks the provider, refuses the first flag another provider
// registered, and hands the command to the provider's Handler. Nothing is
// sent before the handler runs.
//
// The provider is --provider or BOKUCTL_PROVIDER when given; otherwise it
// is inferred where the command leaves no doubt (only one provider offers
// it, or the id argument is a Worldline id), and else the profile's. A
// provider given explicitly that contradicts the inference is an error.
func (v *Verb) Run(cmd *cobra.Command, f *cmdutil.Factory, args []string) error {
	path := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
	_, handler, err := v.choose(f, path, args, cmd.Flags().Changed, cmd.CommandPath())
	if err != nil {
		return err
	}
	return handler.Run(cmd, f, args)
}

// infer is the provider the command itself names, and why: the only one
// that offers it, or the owner of the id given (Worldline ids such as
// pay:ch:etu:… have colons; Boku's never do) [inferred from the published
// id formats].
func (v *Verb) infer(path string, args []string) (Name, string) {
	if len(v.handlers) == 1 {
		for name := range v.handlers {
			return name, fmt.Sprintf("%s: only %s offers it", path, name)
		}
	}
	if len(args) > 0 {
		for _, name := range v.names() {
			if owner, ok := v.handlers[name].(IDOwner); ok {
				if what, owns := owner.OwnsID(args[0]); owns {
					return name, fmt.Sprintf("%s: it is %s", args[0], what)
				}
			}
		}
	}
	return "", ""
}

// IDOwner is a handler that recognises its provider's ids in the
// command's argument (Worldline's pay:ch:etu:…), so the command needs no
// --provider for them; what names the id for messages ("a Worldline id").
type IDOwner interface {
	OwnsID(id string) (what string, owns bool)
}

// Selected is the provider this run uses: --provider > BOKUCTL_PROVIDER >
// the profile's provider setting > boku.
func Selected(f *cmdutil.Factory) (Name, error) {
	if f.Provider != "" {
		return Name(f.Provider), nil
	}
	settings, err := f.Settings()
	if err != nil {
		return "", err
	}
	return Name(settings.Get("provider")), nil
}
