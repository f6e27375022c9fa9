package cmdutil

import (
	"strings"
	"testing"
	"time"
)

func TestSinceTakesDaysAndDurations(t *testing.T) {
	for text, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "0d": 0, "36h": 36 * time.Hour, "90m": 90 * time.Minute, "0": 0, "1h30m": 90 * time.Minute} {
		var s Since
		if err := s.Set(text); err != nil || time.Duration(s) != want {
			t.Errorf("Set(%q) = %v, %v; want %v", text, time.Duration(s), err, want)
		}
	}
	for text, msg := range map[string]string{"-3h": "negative", "-1d": "negative", "yesterday": "not a duration", "d": "not a duration", "1.5d": "not a number of days", "99999999999999d": "not a number of days", "": "not a duration"} {
		var s Since
		if err := s.Set(text); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Set(%q) = %v, want an error saying %q", text, err, msg)
		}
	}
}

func TestSinceStringAndFrom(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	week, hours, all := Since(7*24*time.Hour), Since(36*time.Hour), Since(0)
	if week.String() != "7d" || hours.String() != "36h0m0s" || all.String() != "0s" {
		t.Errorf("String: %s %s %s", week.String(), hours.String(), all.String())
	}
	if got := week.From(now); !got.Equal(now.AddDate(0, 0, -7)) {
		t.Errorf("7d from %v = %v", now, got)
	}
	if !all.From(now).IsZero() {
		t.Error("0 must select every row")
	}
}

func FuzzSince(f *testing.F) {
	for _, seed := range []string{"7d", "36h", "-1h", "1.5d", "9223372036854775807d", "1e3h"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var s Since
		if s.Set(text) == nil && s < 0 {
			t.Fatalf("Set(%q) accepted a negative age %v", text, time.Duration(s))
		}
	})
}
