package completion

// The tests build the whole command tree through the root (cmd.NewRootCmd),
// which imports this package, so they are an external test package: these
// are the internals they check.
var (
	AttachCompletions = attachCompletions
	WalkCommands      = walkCommands
	TakesFile         = takesFile
	AllowedValues     = allowedValues
	FlagValues        = flagValues
)
