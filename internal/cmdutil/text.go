package cmdutil

// OrNone is s, or "-" when s is empty: a table cell that says "nothing".
func OrNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// YesNo renders a boolean as a table cell.
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
