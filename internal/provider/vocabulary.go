package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bokuctl/bokuctl/pkg/output"
)

// The common statuses of payment results, the same for every provider
// (docs/json.md). Each result also carries the provider's own word as
// provider_status and its code as provider_code.
const (
	StatusSucceeded  = "succeeded"  // done: charged, captured, refunded
	StatusAuthorized = "authorized" // funds held, not captured yet
	StatusPending    = "pending"    // accepted, not final
	StatusDeclined   = "declined"   // the provider said no
	StatusReversed   = "reversed"   // undone before settlement
	StatusCancelled  = "cancelled"  // closed without moving money
	StatusUnknown    = "unknown"    // a provider word bokuctl does not know
)

// Statuses lists the common statuses, for docs and tests.
func Statuses() []string {
	return []string{StatusSucceeded, StatusAuthorized, StatusPending, StatusDeclined, StatusReversed, StatusCancelled, StatusUnknown}
}

// BokuStatuses maps Boku's charge-status and refund-status words.
var BokuStatuses = map[string]string{
	"success":     StatusSucceeded,
	"in-progress": StatusPending,
	"failed":      StatusDeclined,
}

// WorldlineStatuses maps Worldline's payment and refund statuses (ApiPaymentResource).
var WorldlineStatuses = map[string]string{
	"AUTHORIZED":      StatusAuthorized,
	"NOT_AUTHORIZED":  StatusDeclined,
	"PENDING":         StatusPending,
	"PENDING_CAPTURE": StatusPending,
	"CONFIRMED":       StatusSucceeded,
	"REVERSED":        StatusReversed,
	"CANCELLED":       StatusCancelled,
}

// CommonStatus is the common word for a provider's status ("" stays "").
func CommonStatus(table map[string]string, providerStatus string) string {
	if providerStatus == "" {
		return ""
	}
	if s, ok := table[providerStatus]; ok {
		return s
	}
	return StatusUnknown
}

// Timestamp is the one timestamp format of bokuctl's JSON: RFC 3339, UTC,
// milliseconds.
func Timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// ParseTimestamp reads a provider's timestamp (RFC 3339, or Boku's
// "YYYY-MM-DD hh:mm:ss" in UTC) into Timestamp's format; what it cannot
// read it returns as it was.
func ParseTimestamp(s string) string {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return Timestamp(t)
		}
	}
	return s
}

// EncodeResult is the JSON of a provider result in the common vocabulary:
// v (the result as a type without this method, to avoid recursion) is
// encoded without HTML escaping, and its "status" member is replaced by
// status followed by provider_status and provider_code (inserted first
// when v has no status). Timestamps and amounts are the caller's to format.
func EncodeResult(v any, status, providerStatus, providerCode string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	members, err := output.ObjectMembers(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("provider result: %w", err)
	}
	var common []output.Member
	for _, kv := range [][2]string{{"status", status}, {"provider_status", providerStatus}, {"provider_code", providerCode}} {
		if kv[1] != "" {
			raw, _ := json.Marshal(kv[1])
			common = append(common, output.Member{Key: kv[0], Raw: raw})
		}
	}
	var out []output.Member
	replaced := false
	for _, m := range members {
		if m.Key == "status" {
			out, replaced = append(out, common...), true
			continue
		}
		out = append(out, m)
	}
	if !replaced {
		out = append(common, out...)
	}
	var doc bytes.Buffer
	doc.WriteByte('{')
	for i, m := range out {
		if i > 0 {
			doc.WriteByte(',')
		}
		key, _ := json.Marshal(m.Key)
		doc.Write(key)
		doc.WriteByte(':')
		doc.Write(m.Raw)
	}
	doc.WriteByte('}')
	return doc.Bytes(), nil
}

// StatusCell is a table's status: the common word, with the provider's in
// parentheses when it differs ("succeeded (success)").
func StatusCell(common, providerWord string) output.Cell {
	text := common
	if providerWord != "" && providerWord != common {
		text += " (" + providerWord + ")"
	}
	return output.Cell{Text: text, Tone: output.StatusTone(common)}
}
