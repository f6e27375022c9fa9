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
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
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

// Parse reads a signature header value as Boku's own parser does
// (boku-http-auth's AuthorizationHeader, ../shared/reference/boku.md §2):
// the scheme ends at the first white space; parameters are separated by
// commas with optional white space around them, in any order; a segment
// that is not name=value with a value is ignored, and so is an unknown
// name; a later duplicate wins. The required ones must be there.
func Parse(value string) (Params, error) {
	value = strings.TrimSpace(value)
	end := strings.IndexFunc(value, unicode.IsSpace)
	if end < 0 || value[:end] != Scheme {
		return Params{}, fmt.Errorf("%w: does not start with %q", ErrMalformed, Scheme)
	}
	rest := value[end:]
	var p Params
	for more := true; more; {
		var part string
		part, rest, more = strings.Cut(rest, ",")
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || name == "" || val == "" {
			continue
		}
		switch name {
		case "partner-id":
			p.PartnerID = val
		case "key-id":
			p.KeyID = val
		case "signed-headers":
			p.SignedHeaders = strings.Split(val, ";")
		case "timestamp":
			p.Timestamp = val
		case "signature":
			p.Signature = val
		}
	}
	for _, required := range [...]struct{ name, value string }{
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
	for i := 0; i < len(p.Signature); i++ {
		if c := p.Signature[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return Params{}, fmt.Errorf("%w: signature is not hex", ErrMalformed)
		}
	}
	return p, nil
}

// MessageToSign builds the exact string that is signed.
func MessageToSign(m Message, signedHeaders []string, timestamp string) (string, error) {
	b, err := appendMessage(nil, m, signedHeaders, timestamp)
	return string(b), err
}

// appendMessage appends the string MessageToSign builds to b.
func appendMessage(b []byte, m Message, signedHeaders []string, timestamp string) ([]byte, error) {
	if m.Method != "" {
		b = append(b, strings.ToUpper(m.Method)...)
		b = append(b, ' ')
		b = append(b, m.Target...)
		b = append(b, '\n')
	}
	for _, name := range signedHeaders {
		found := false
		for _, h := range m.Headers {
			if strings.EqualFold(h.Name, name) {
				found = true
				b = append(b, name...)
				b = append(b, ": "...)
				b = append(b, strings.TrimSpace(h.Value)...)
				b = append(b, '\n')
			}
		}
		if !found {
			return b, fmt.Errorf("signed header %q is not in the message", name)
		}
	}
	if len(m.Body) > 0 {
		sum := sha256.Sum256(m.Body)
		b = hex.AppendEncode(b, sum[:])
	}
	b = append(b, '\n')
	return append(b, timestamp...), nil
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
	return verify(m, headerValue, keys, now, skew, nil)
}

// Keyed is a key with HMAC-SHA256 states keyed with it, kept for reuse by
// a receiver that checks many signatures made with one key: keying a new
// state costs two hash blocks and several allocations per signature. It is
// safe for concurrent use.
type Keyed struct {
	key  []byte
	pool sync.Pool
}

// keyedState is a keyed HMAC and a buffer for the message it signs.
type keyedState struct {
	mac     hash.Hash
	message []byte
}

// NewKeyed keeps key's HMAC states.
func NewKeyed(key []byte) *Keyed {
	k := &Keyed{key: bytes.Clone(key)}
	k.pool.New = func() any { return &keyedState{mac: hmac.New(sha256.New, k.key)} }
	return k
}

// Verify is Verify, with the same checks in the same order and the same
// errors; a signature with k's key (the one keys returns) is computed
// with a reused state.
func (k *Keyed) Verify(m Message, headerValue string, keys KeyLookup, now time.Time, skew time.Duration) (Params, error) {
	return verify(m, headerValue, keys, now, skew, k)
}

func verify(m Message, headerValue string, keys KeyLookup, now time.Time, skew time.Duration, keyed *Keyed) (Params, error) {
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
	var state *keyedState
	if keyed != nil && hmac.Equal(key, keyed.key) {
		state = keyed.pool.Get().(*keyedState)
		defer keyed.pool.Put(state)
		state.mac.Reset()
	} else {
		state = &keyedState{mac: hmac.New(sha256.New, key)}
	}
	state.message, err = appendMessage(state.message[:0], m, p.SignedHeaders, p.Timestamp)
	if err != nil {
		return p, &VerifyError{Reason: err.Error()}
	}
	state.mac.Write(state.message)
	var sum [sha256.Size]byte
	var got, want [2 * sha256.Size]byte
	hex.Encode(got[:], state.mac.Sum(sum[:0]))
	// Parse made it 64 characters.
	copy(want[:], p.Signature)
	if !hmac.Equal(got[:], want[:]) {
		return p, &VerifyError{Reason: "signature does not match"}
	}
	return p, nil
}
