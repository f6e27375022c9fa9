// Package sign implements Boku's HMAC request and response signing, scheme
// "2/HMAC_SHA256(H+SHA256(E))".
//
// A signature covers, in order: for requests, the method, path and query as
// sent; each header named in signed-headers, in that list's order; the
// SHA-256 of the body; and the timestamp. The same format signs requests
// (Authorization header) and responses (X-SignedResponse header), except
// that responses have no method/path line. See docs/boku.md.
package sign

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Scheme is the scheme name that starts every header value.
const Scheme = "2/HMAC_SHA256(H+SHA256(E))"

// DefaultSkew is the default allowed difference between the signer's clock
// and ours.
const DefaultSkew = 5 * time.Minute

// Header is one HTTP header line as it appears in the message.
type Header struct {
	Name  string
	Value string
}

// Message is what gets signed. Method and Target are empty for responses.
// Target is the path plus "?" and query, exactly as on the wire.
type Message struct {
	Method  string
	Target  string
	Headers []Header
	// Body is the raw body; nil or empty means no body.
	Body []byte
}

// Params are the parameters of a signature header.
type Params struct {
	PartnerID     string
	KeyID         string
	SignedHeaders []string
	Timestamp     string
	Signature     string
}

// String renders the header value: scheme, then the parameters joined by
// ", " in a fixed order.
func (p Params) String() string {
	parts := []string{"partner-id=" + p.PartnerID, "key-id=" + p.KeyID}
	if len(p.SignedHeaders) > 0 {
		parts = append(parts, "signed-headers="+strings.Join(p.SignedHeaders, ";"))
	}
	parts = append(parts, "timestamp="+p.Timestamp, "signature="+p.Signature)
	return Scheme + " " + strings.Join(parts, ", ")
}

// Masked is String with the signature replaced, for logs.
func (p Params) Masked() string {
	p.Signature = "****"
	return p.String()
}

// ErrMalformed marks a header value that cannot be parsed.
var ErrMalformed = errors.New("malformed signature header")

// Parse reads a signature header value. Parameters may come in any order;
// unknown ones are ignored; the required ones must be present exactly once.
func Parse(value string) (Params, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(value), Scheme+" ")
	if !ok {
		return Params{}, fmt.Errorf("%w: does not start with %q", ErrMalformed, Scheme)
	}
	var p Params
	seen := map[string]bool{}
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		name, val, ok := strings.Cut(part, "=")
		if !ok || name == "" {
			return Params{}, fmt.Errorf("%w: parameter %q is not name=value", ErrMalformed, part)
		}
		if seen[name] {
			return Params{}, fmt.Errorf("%w: parameter %s appears twice", ErrMalformed, name)
		}
		seen[name] = true
		switch name {
		case "partner-id":
			p.PartnerID = val
		case "key-id":
			p.KeyID = val
		case "signed-headers":
			if val != "" {
				p.SignedHeaders = strings.Split(val, ";")
			}
		case "timestamp":
			p.Timestamp = val
		case "signature":
			p.Signature = val
		}
	}
	for _, required := range []struct{ name, value string }{
		{"partner-id", p.PartnerID}, {"key-id", p.KeyID}, {"timestamp", p.Timestamp}, {"signature", p.Signature},
	} {
		if required.value == "" {
			return Params{}, fmt.Errorf("%w: missing %s", ErrMalformed, required.name)
		}
	}
	if _, err := strconv.ParseInt(p.Timestamp, 10, 64); err != nil {
		return Params{}, fmt.Errorf("%w: timestamp %q is not whole seconds", ErrMalformed, p.Timestamp)
	}
	if len(p.Signature) != 64 || strings.ToLower(p.Signature) != p.Signature {
		return Params{}, fmt.Errorf("%w: signature is not 64 lower-case hex characters", ErrMalformed)
	}
	if _, err := hex.DecodeString(p.Signature); err != nil {
		return Params{}, fmt.Errorf("%w: signature is not hex", ErrMalformed)
	}
	return p, nil
}

// MessageToSign builds the exact string that is signed.
func MessageToSign(m Message, signedHeaders []string, timestamp string) (string, error) {
	var b strings.Builder
	if m.Method != "" {
		b.WriteString(strings.ToUpper(m.Method) + " " + m.Target + "\n")
	}
	for _, name := range signedHeaders {
		found := false
		for _, h := range m.Headers {
			if strings.EqualFold(h.Name, name) {
				found = true
				b.WriteString(name + ": " + strings.TrimSpace(h.Value) + "\n")
			}
		}
		if !found {
			return "", fmt.Errorf("signed header %q is not in the message", name)
		}
	}
	if len(m.Body) > 0 {
		sum := sha256.Sum256(m.Body)
		b.WriteString(hex.EncodeToString(sum[:]))
	}
	b.WriteString("\n" + timestamp)
	return b.String(), nil
}

// Compute returns hex(HMAC-SHA256(key, message)).
func Compute(key []byte, message string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(message))
	return hex.EncodeToString(mac.Sum(nil))
}

// Sign signs m at time t and returns the header parameters.
func Sign(m Message, key []byte, partnerID, keyID string, signedHeaders []string, t time.Time) (Params, error) {
	timestamp := strconv.FormatInt(t.Unix(), 10)
	message, err := MessageToSign(m, signedHeaders, timestamp)
	if err != nil {
		return Params{}, err
	}
	return Params{
		PartnerID:     partnerID,
		KeyID:         keyID,
		SignedHeaders: signedHeaders,
		Timestamp:     timestamp,
		Signature:     Compute(key, message),
	}, nil
}

// KeyLookup returns the key for a partner and key id, or an error when the
// pair is unknown.
type KeyLookup func(partnerID, keyID string) ([]byte, error)

// VerifyError says why a signature was rejected.
type VerifyError struct{ Reason string }

func (e *VerifyError) Error() string { return "signature rejected: " + e.Reason }

// Verify checks a signature header against m: well formed, timestamp within
// skew of now, key known, signature equal (in constant time). It returns
// the parsed parameters.
func Verify(m Message, headerValue string, keys KeyLookup, now time.Time, skew time.Duration) (Params, error) {
	if headerValue == "" {
		return Params{}, &VerifyError{Reason: "no signature header"}
	}
	p, err := Parse(headerValue)
	if err != nil {
		return Params{}, &VerifyError{Reason: err.Error()}
	}
	ts, _ := strconv.ParseInt(p.Timestamp, 10, 64)
	if d := now.Sub(time.Unix(ts, 0)); d > skew || d < -skew {
		return p, &VerifyError{Reason: fmt.Sprintf("timestamp %s is %s away from now (allowed %s)", p.Timestamp, d.Round(time.Second), skew)}
	}
	key, err := keys(p.PartnerID, p.KeyID)
	if err != nil {
		return p, &VerifyError{Reason: err.Error()}
	}
	message, err := MessageToSign(m, p.SignedHeaders, p.Timestamp)
	if err != nil {
		return p, &VerifyError{Reason: err.Error()}
	}
	if !hmac.Equal([]byte(Compute(key, message)), []byte(p.Signature)) {
		return p, &VerifyError{Reason: "signature does not match"}
	}
	return p, nil
}
