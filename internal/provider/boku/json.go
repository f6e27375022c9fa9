package boku

import (
	"strconv"

	"github.com/bokuctl/bokuctl/internal/provider"
)

// The results speak the common JSON vocabulary (docs/json.md): status is
// the common word, provider_status Boku's, provider_code its reason code,
// and timestamps are RFC 3339 UTC with milliseconds.

func (r chargeResult) MarshalJSON() ([]byte, error) {
	type plain chargeResult
	p := plain(r)
	p.ReversedAt = provider.ParseTimestamp(p.ReversedAt)
	status := provider.CommonStatus(provider.BokuStatuses, r.Status)
	if r.ReversalID != "" {
		status = provider.StatusReversed
	}
	return provider.EncodeResult(p, status, r.Status, strconv.Itoa(r.ReasonCode))
}

func (r hostedChargeResult) MarshalJSON() ([]byte, error) {
	type plain hostedChargeResult
	return provider.EncodeResult(plain(r), provider.CommonStatus(provider.BokuStatuses, r.Status), r.Status, strconv.Itoa(r.ReasonCode))
}

func (r refundResult) MarshalJSON() ([]byte, error) {
	type plain refundResult
	return provider.EncodeResult(plain(r), provider.CommonStatus(provider.BokuStatuses, r.Status), r.Status, strconv.Itoa(r.ReasonCode))
}

// A reversal's status is reversed once Boku answered OK, declined when it
// answered with an error.
func (r reversalResult) MarshalJSON() ([]byte, error) {
	type plain reversalResult
	status := provider.StatusReversed
	if r.Status == "failed" {
		status = provider.StatusDeclined
	}
	return provider.EncodeResult(plain(r), status, "", strconv.Itoa(r.ReasonCode))
}
