package bokudirect

import (
	"strings"

	"github.com/bokuctl/bokuctl/pkg/sign"
)

// MaskHeader hides the signature in Boku's signature headers
// (Authorization and X-SignedResponse) for debug logs; other headers are
// returned unchanged.
func MaskHeader(name, value string) string {
	switch strings.ToLower(name) {
	case "authorization", "x-signedresponse":
		if p, err := sign.Parse(value); err == nil {
			return p.Masked()
		}
		return "****"
	}
	return value
}
