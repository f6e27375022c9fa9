package notify

import (
	"encoding/json"
	"strconv"

	"github.com/bokuctl/bokuctl/pkg/bokunotify"
)

// The lines listen writes per notification (its -o json line and its seen
// record's log line) are encoded here without reflection when every string
// in them is plain: then the bytes are those json.Marshal writes
// (TestEventJSONIsJSONMarshal, TestSeenLineIsJSONMarshal); otherwise, and
// for an event with legacy params, json.Marshal writes them.

// plainJSON reports whether json.Marshal writes s as it is between quotes:
// printable ASCII but for '"', '\\' and the HTML characters it escapes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// appendEventJSON appends notifyResult{Valid: true, Event: e} as
// json.Marshal writes it.
func appendEventJSON(b []byte, e *bokunotify.Event) []byte {
	fields := [...]string{e.Scheme, e.EventType, e.MerchantID, e.ChargeID, e.MerchantRequestID, e.RefundID, e.MerchantRefundID,
		e.TransactionID, e.Status, e.Country, e.Amount, e.Currency, e.Message, e.MerchantTransactionID, e.NetworkID, e.CreatedAt}
	plain := len(e.Params) == 0
	for _, f := range fields {
		plain = plain && plainJSON(f)
	}
	if !plain {
		line, _ := json.Marshal(notifyResult{Valid: true, Event: e})
		return append(b, line...)
	}
	str := func(name, v string, omitEmpty bool) {
		if v == "" && omitEmpty {
			return
		}
		b = append(b, ",\""...)
		b = append(b, name...)
		b = append(b, "\":\""...)
		b = append(b, v...)
		b = append(b, '"')
	}
	b = append(b, `{"valid":true`...)
	str("scheme", e.Scheme, false)
	str("event_type", e.EventType, false)
	str("merchant_id", e.MerchantID, true)
	str("charge_id", e.ChargeID, true)
	str("merchant_request_id", e.MerchantRequestID, true)
	str("refund_id", e.RefundID, true)
	str("merchant_refund_id", e.MerchantRefundID, true)
	str("transaction_id", e.TransactionID, true)
	str("status", e.Status, true)
	str("country", e.Country, true)
	str("amount", e.Amount, true)
	if e.AmountMinorUnits != nil {
		b = append(b, `,"amount_minor_units":`...)
		b = strconv.AppendInt(b, *e.AmountMinorUnits, 10)
	}
	str("currency", e.Currency, true)
	if e.ReasonCode != nil {
		b = append(b, `,"reason_code":`...)
		b = strconv.AppendInt(b, int64(*e.ReasonCode), 10)
	}
	str("message", e.Message, true)
	str("merchant_transaction_id", e.MerchantTransactionID, true)
	str("network_id", e.NetworkID, true)
	str("created_at", e.CreatedAt, true)
	return append(b, '}')
}

// appendSeenLine appends seenLine{key, e} as json.Marshal writes it. A key
// joins the event's ids with NUL bytes, which JSON writes \u0000.
func appendSeenLine(b []byte, key string, e seenEntry) []byte {
	for i := 0; i < len(key); i++ {
		if key[i] != 0 && !plainJSON(key[i:i+1]) {
			line, _ := json.Marshal(seenLine{Key: key, seenEntry: e})
			return append(b, line...)
		}
	}
	b = append(b, `{"key":"`...)
	for i := 0; i < len(key); i++ {
		if key[i] == 0 {
			b = append(b, `\u0000`...)
		} else {
			b = append(b, key[i])
		}
	}
	b = append(b, `","at":`...)
	b = strconv.AppendInt(b, e.At, 10)
	if e.Legacy {
		b = append(b, `,"legacy":true`...)
	}
	b = append(b, `,"delivered":`...)
	b = strconv.AppendBool(b, e.Delivered)
	return append(b, '}')
}
