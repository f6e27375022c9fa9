package acquiring

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// maskRule says how much of a value to keep.
type maskRule struct {
	keepFirst, keepLast int
}

// bodyRules are Worldline's logging obfuscation rules, matched by property
// name at any depth, plus the OAuth2 token fields bokuctl also logs.
var bodyRules = map[string]maskRule{
	"cardNumber":              {keepLast: 4},
	"expiryDate":              {keepLast: 4},
	"cardSecurityCode":        {},
	"bin":                     {keepFirst: 6},
	"authenticationValue":     {keepFirst: 4},
	"cryptogram":              {keepFirst: 4},
	"paymentAccountReference": {keepFirst: 6},
	"address":                 {},
	"cardholderAddress":       {},
	"cardholderPostalCode":    {},
	"city":                    {},
	"name":                    {},
	"postalCode":              {},
	"stateCode":               {},
	// The newer SDKs' PointOfSaleData carries the magnetic stripe's
	// track 2 (the card number and expiry), the chip's EMV data and the
	// encrypted PIN block: bokuctl masks them whole (emvData, a list, is
	// replaced by "****"). The SDKs' rules predate these fields.
	"track2Data":        {},
	"emvData":           {},
	"encryptedPinBlock": {},
	"access_token":      {},
	"client_secret":     {},
}

// mask replaces characters with '*' keeping the rule's ends; values
// shorter than what is kept stay as they are, as in the SDKs.
func (r maskRule) mask(s string) string {
	runes := []rune(s)
	keep := r.keepFirst + r.keepLast
	if keep > 0 && len(runes) < keep {
		return s
	}
	for i := r.keepFirst; i < len(runes)-r.keepLast; i++ {
		runes[i] = '*'
	}
	return string(runes)
}

// MaskHeader obfuscates header values for logs: the authorization headers
// become exactly eight asterisks.
func MaskHeader(name, value string) string {
	switch strings.ToLower(name) {
	case "authorization", "www-authenticate", "proxy-authenticate", "proxy-authorization":
		return "********"
	}
	return value
}

// MaskBody obfuscates a JSON body by the rules above and re-indents it
// with sorted keys; a form body (the token request) has its client_secret
// masked; anything else is returned as is.
func MaskBody(body []byte) []byte {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		decoder := json.NewDecoder(bytes.NewReader(trimmed))
		decoder.UseNumber()
		var doc any
		if err := decoder.Decode(&doc); err != nil {
			// JSON that cannot be parsed cannot be masked: never show it.
			return []byte(fmt.Sprintf("[a JSON body that cannot be parsed, %d bytes: not shown]", len(body)))
		}
		out, err := json.MarshalIndent(maskValue(doc), "", "    ")
		if err != nil {
			return body
		}
		return out
	}
	if values, err := url.ParseQuery(string(trimmed)); err == nil && values.Has("grant_type") {
		for name := range values {
			if rule, ok := bodyRules[name]; ok {
				values.Set(name, rule.mask(values.Get(name)))
			}
		}
		// Keep the mask readable: encoding would turn '*' into %2A.
		return []byte(strings.ReplaceAll(values.Encode(), "%2A", "*"))
	}
	return body
}

func maskValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			rule, ok := bodyRules[k]
			switch e.(type) {
			case map[string]any, []any:
				if ok {
					// A list or object where a card number belongs: hide
					// all of it rather than guess where the digits are.
					x[k] = "****"
					continue
				}
				x[k] = maskValue(e)
			default:
				if ok && e != nil {
					x[k] = rule.mask(stringify(e))
				}
			}
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = maskValue(e)
		}
		return x
	}
	return v
}

func stringify(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	data, _ := json.Marshal(v)
	return string(data)
}
