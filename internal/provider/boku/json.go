package boku

import (
	"strconv"

	"github.com/bokuctl/bokuctl/internal/provider"
)

// The results speak the common vocabulary (docs/json.md): status is the
// common word, provider_status Boku's, provider_code its reason code, and
// timestamps are RFC 3339 UTC with milliseconds. Tables show the common
// word with Boku's beside it.

// common is the charge's common status: reversed once Boku shows a
// reversal, whatever its charge-status says.
// A charge Boku answered 130 for (a resend of a reversed charge) is
// reversed too; one whose answer names no status is unknown.
func (r chargeResult) common() string {
	if r.ReversalID != "" || r.reversed {
		return provider.StatusReversed
	}
	if r.Status == "" {
		return provider.StatusUnknown
	}
	return provider.CommonStatus(provider.BokuStatuses, r.Status)
}

func (r chargeResult) MarshalJSON() ([]byte, error) {
	type plain chargeResult
	p := plain(r)
	p.ReversedAt = provider.ParseTimestamp(p.ReversedAt)
	return provider.EncodeResult(p, r.common(), r.Status, strconv.Itoa(r.ReasonCode))
}

func (r hostedChargeResult) common() string {
	return provider.CommonStatus(provider.BokuStatuses, r.Status)
}

func (r hostedChargeResult) MarshalJSON() ([]byte, error) {
	type plain hostedChargeResult
	return provider.EncodeResult(plain(r), r.common(), r.Status, strconv.Itoa(r.ReasonCode))
}

func (r refundResult) common() string {
	if r.Status == "" {
		return provider.StatusUnknown
	}
	return provider.CommonStatus(provider.BokuStatuses, r.Status)
}

func (r refundResult) MarshalJSON() ([]byte, error) {
	type plain refundResult
	return provider.EncodeResult(plain(r), r.common(), r.Status, strconv.Itoa(r.ReasonCode))
}

// A reversal's status is reversed once Boku answered OK, declined when it
// answered with an error.
func (r reversalResult) common() string {
	if r.Status == "failed" {
		return provider.StatusDeclined
	}
	return provider.StatusReversed
}

func (r reversalResult) MarshalJSON() ([]byte, error) {
	type plain reversalResult
	return provider.EncodeResult(plain(r), r.common(), "", strconv.Itoa(r.ReasonCode))
}
