package worldline

import "testing"

// The SDKs' docstrings give transactionTimestamp without seconds
// ("2023-10-10T08:00+02:00"); the fake takes what they show.
func TestISOTimestamp(t *testing.T) {
	for s, want := range map[string]bool{
		"2023-10-10T08:00:00.000Z":  true,
		"2023-10-10T08:00:00+02:00": true,
		"2023-10-10T08:00+02:00":    true,
		"2023-10-10T08:00Z":         true,
		"2023-10-10T08Z":            false,
		"2023-10-10 08:00:00Z":      false,
		"2023-10-10":                false,
		"":                          false,
	} {
		if got := isoTimestamp(s); got != want {
			t.Errorf("isoTimestamp(%q) = %v, want %v", s, got, want)
		}
	}
}
