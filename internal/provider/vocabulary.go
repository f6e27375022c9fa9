package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
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
	dec := json.NewDecoder(&buf)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("provider result is not a JSON object")
	}
	var out bytes.Buffer
	out.WriteByte('{')
	first := true
	member := func(key string, raw []byte) {
		if !first {
			out.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(key)
		out.Write(k)
		out.WriteByte(':')
		out.Write(raw)
	}
	common := func() {
		for _, kv := range [][2]string{{"status", status}, {"provider_status", providerStatus}, {"provider_code", providerCode}} {
			if kv[1] != "" {
				s, _ := json.Marshal(kv[1])
				member(kv[0], s)
			}
		}
	}
	written := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if key == "status" {
			common()
			written = true
			continue
		}
		member(key, raw)
	}
	if !written {
		rest := out.Bytes()[1:]
		out = bytes.Buffer{}
		out.WriteByte('{')
		first = true
		common()
		if len(rest) > 0 {
			if !first {
				out.WriteByte(',')
			}
			out.Write(rest)
		}
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}
