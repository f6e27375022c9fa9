//go:build !unix

package cmdutil

// DisableCoreDumps does nothing on this system: it has no core file size
// limit for a process to lower (Windows writes crash dumps only where
// Windows Error Reporting was set up to).
func DisableCoreDumps() error { return nil }
