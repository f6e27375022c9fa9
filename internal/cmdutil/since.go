package cmdutil

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Since is the value of a --since flag: how far back to look. It takes a
// Go duration ("90m", "24h") or whole days ("7d"), which operators write
// and time.ParseDuration refuses; 0 means no limit. It is never negative.
type Since time.Duration

const day = 24 * time.Hour

// Set parses s.
func (s *Since) Set(text string) error {
	var d time.Duration
	if days, ok := strings.CutSuffix(text, "d"); ok && days != "" && !strings.ContainsAny(days, "hmsuµn") {
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || n > int64(time.Duration(1<<63-1)/day) {
			return fmt.Errorf("%q is not a number of days: use e.g. 7d, 36h or 90m", text)
		}
		d = time.Duration(n) * day
	} else {
		var err error
		if d, err = time.ParseDuration(text); err != nil {
			return fmt.Errorf("%q is not a duration: use e.g. 7d, 36h or 90m", text)
		}
	}
	if d < 0 {
		return errors.New("must not be negative: use e.g. 7d, or 0 for every row")
	}
	*s = Since(d)
	return nil
}

// String shows whole days as "7d", anything else as a Go duration.
func (s *Since) String() string {
	d := time.Duration(*s)
	if d != 0 && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return d.String()
}

// Type names the value in --help.
func (s *Since) Type() string { return "duration" }

// From is the earliest time the flag selects, counted back from now; the
// zero time when it selects everything.
func (s Since) From(now time.Time) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return now.Add(-time.Duration(s))
}
