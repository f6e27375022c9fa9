// Package all builds the registry of every provider bokuctl knows,
// explicitly and in order (no init() registration).
package all

import (
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/internal/provider/ottu"
	"github.com/bokuctl/bokuctl/internal/provider/worldline"
)

// Registry returns the providers: Boku, Worldline, Ottu.
func Registry() *provider.Registry {
	return provider.NewRegistry(boku.Provider{}, worldline.Provider{}, ottu.Provider{})
}
