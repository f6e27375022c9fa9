package worldline

import (
	"github.com/bokuctl/bokuctl/internal/provider"
)

// The result speaks the common JSON vocabulary (docs/json.md): status is
// the common word, provider_status Worldline's, provider_code its
// response code, and timestamps are RFC 3339 UTC with milliseconds.
func (r result) MarshalJSON() ([]byte, error) {
	type plain result
	p := plain(r)
	if len(r.Operations) > 0 {
		p.Operations = make([]operationLine, len(r.Operations))
		for i, op := range r.Operations {
			op.Timestamp = provider.ParseTimestamp(op.Timestamp)
			p.Operations[i] = op
		}
	}
	return provider.EncodeResult(p, provider.CommonStatus(provider.WorldlineStatuses, r.Status), r.Status, r.ResponseCode)
}
