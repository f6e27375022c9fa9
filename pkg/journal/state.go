package journal

// The kinds of event that move a row (Event.Kind, Next's kind).
const (
	// KindAttempt is an intent: the key sent (again).
	KindAttempt = "attempt"
	// KindOutcome is an attempt's answer.
	KindOutcome = "outcome"
	// KindReconcile is what the provider said when asked afterwards.
	KindReconcile = "reconcile"
	// KindSettle is a person's decision (journal settle).
	KindSettle = "settle"
	// KindFollowUp is another row settling this one: a reversal of it
	// that succeeded, a refund of it.
	KindFollowUp = "follow-up"
)

// Settled reports whether status is a known outcome: ok, declined, failed
// or reversed. Sent, unknown and pending rows still need settling.
func Settled(status string) bool {
	switch status {
	case StatusOK, StatusDeclined, StatusFailed, StatusReversed:
		return true
	}
	return false
}

// Next is the row's status after an event of kind says given, from
// current. It is the journal's one rule that rows only move forward:
//
//	current   given                       next
//	sent      anything                    given
//	unknown   ok, declined, reversed,     given
//	          pending
//	unknown   failed                      failed from a provider asked afterwards (reconcile), a
//	                                      follow-up that found nothing to undo, or a person (settle);
//	                                      unknown from an attempt: a later refusal says nothing of
//	                                      the earlier request
//	pending   ok, declined, reversed      given
//	pending   failed                      as unknown: reconcile, follow-up and settle only
//	failed    anything                    given (a refused request sent again)
//	ok        reversed                    reversed (a follow-up, reconcile or a person undid it)
//	ok        anything else               ok
//	declined  anything                    declined
//	reversed  anything                    reversed
//
// A settle (a person's decision) applies only to rows not yet settled;
// the store refuses it on others (ErrSettled).
func Next(current, given, kind string) string {
	definitive := kind == KindReconcile || kind == KindSettle || kind == KindFollowUp
	switch current {
	case StatusSent, "":
		if given == "" {
			return current
		}
		return given
	case StatusUnknown, StatusPending:
		switch given {
		case StatusOK, StatusDeclined, StatusReversed:
			return given
		case StatusPending:
			return StatusPending
		case StatusFailed:
			if definitive {
				return StatusFailed
			}
		}
		return current
	case StatusFailed:
		if given == "" || given == StatusSent {
			return current
		}
		return given
	case StatusOK:
		if given == StatusReversed {
			return StatusReversed
		}
		return StatusOK
	}
	return current // declined, reversed: terminal
}

// afterAttempt is the row's status when its key is sent again: a refused
// request is in flight again; every other status stays.
func afterAttempt(current string) string {
	if current == StatusFailed {
		return StatusSent
	}
	return current
}
