package cmdutil

import "strings"

// ShellQuote returns s as one word for a POSIX shell (sh, bash, zsh): as
// it is when it holds only characters no shell treats specially, else in
// single quotes, each ' written as '\”. Nothing inside single quotes is
// expanded: no $, no backquote, no backslash escape, no history (!).
func ShellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !shellSafe(r) }) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellSafe reports whether r needs no quoting anywhere in a word.
func shellSafe(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("-_./:,+@%", r)
}
