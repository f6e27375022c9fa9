// Package build holds the version information stamped into the binary by
// the linker: go build -ldflags "-X github.com/bokuctl/bokuctl/internal/build.Version=v1.2.3 ...".
package build

import (
	"runtime/debug"
	"sync"
)

// Set with -ldflags -X at release time.
var (
	Version = "dev"
	Commit  = ""
	Date    = ""
)

// Info is the version information of the running binary.
type Info struct {
	Version string
	Commit  string
	Date    string
}

// Current returns the stamped values, filling gaps from the Go build
// information (module version for `go install …@vX`, VCS revision and time
// for builds from a checkout). The build information is read once (the
// root's --version and the version command both ask; reading it parses
// it).
func Current() Info { return current() }

var current = sync.OnceValue(func() Info {
	info := Info{Version: Version, Commit: Commit, Date: Date}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return info
	}
	if info.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		info.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision" && info.Commit == "":
			info.Commit = s.Value
		case s.Key == "vcs.time" && info.Date == "":
			info.Date = s.Value
		}
	}
	return info
})
