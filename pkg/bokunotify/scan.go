package bokunotify

import (
	"bytes"
	"strconv"

	"github.com/bokuctl/bokuctl/pkg/bokudirect"
)

// scanDirect reads a Boku 3.0 notification body written in the plain form
// Boku's examples and the sandbox use, much faster than encoding/xml (which
// spent some 30 µs on a 700-byte notification, most of what listen did for
// one). It is not an XML parser: it takes only a narrow subset of XML, and
// says ok=false for anything outside it, which parseDirect then decodes
// with encoding/xml as before, so what is accepted, refused and how is
// unchanged. Within the subset the result is the one xml.Unmarshal gives
// (TestScanDirectAgreesWithEncodingXML checks every byte change of the
// examples against it; FuzzScanDirect does the same on any input).
//
// The subset: an optional XML declaration of a listed form, then the root
// <charge-notification> holding one <charge> or <refund-notification>
// holding one <refund>, whose children are only the fields of
// bokudirect.Charge or bokudirect.Refund (less <reversal>), each at most
// once, and a <result status="…"> with only <reason-code>, <message> and
// <retriable>; elements have no attribute but result's status; text is
// printable ASCII, tab or newline, with no '&' (so no entity or character
// reference, no CDATA, no comment); whitespace between elements; integers
// are plain decimal digits, booleans true or false; nothing but whitespace
// after the root.
func scanDirect(body []byte) (n directNotification, ok bool) {
	s := scanner{b: body, str: string(body)}
	if bytes.HasPrefix(body, []byte("<?")) {
		end := bytes.Index(body, []byte("?>"))
		if end < 0 || !plainDeclaration(string(body[:end+2])) {
			return n, false
		}
		s.i = end + 2
	}
	s.space()
	root, ok := s.start()
	if !ok {
		return n, false
	}
	if s.hasStatus {
		return n, false
	}
	s.space()
	inner, ok := s.start()
	if !ok {
		return n, false
	}
	switch {
	case string(root) == "charge-notification" && string(inner) == "charge":
		n.XMLName.Local = "charge-notification"
		c := new(bokudirect.Charge)
		if !s.charge(c) {
			return n, false
		}
		n.Charge = c
	case string(root) == "refund-notification" && string(inner) == "refund":
		n.XMLName.Local = "refund-notification"
		r := new(bokudirect.Refund)
		if !s.refund(r) {
			return n, false
		}
		n.Refund = r
	default:
		return n, false
	}
	s.space()
	if !s.end(root) {
		return n, false
	}
	s.space()
	return n, s.i == len(s.b)
}

// plainDeclaration reports whether decl is an XML declaration encoding/xml
// takes as it is: version 1.0, UTF-8 or no encoding, standalone or not.
func plainDeclaration(decl string) bool {
	switch decl {
	case `<?xml version="1.0"?>`,
		`<?xml version="1.0" encoding="UTF-8"?>`, `<?xml version="1.0" encoding="utf-8"?>`,
		`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`, `<?xml version="1.0" encoding="utf-8" standalone="yes"?>`,
		`<?xml version="1.0" encoding="UTF-8" standalone="no"?>`, `<?xml version="1.0" encoding="utf-8" standalone="no"?>`:
		return true
	}
	return false
}

type scanner struct {
	b []byte
	// str is b as a string: the fields are parts of it (one copy of the
	// body, not one per field).
	str string
	i   int
	// status is the status attribute of the last start tag (only
	// <result> may have one).
	status    string
	hasStatus bool
}

// space skips XML whitespace between elements.
func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// name reads an element name: a lower-case letter, then lower-case
// letters, digits and '-'.
func (s *scanner) name() ([]byte, bool) {
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if 'a' <= c && c <= 'z' || s.i > start && (c == '-' || '0' <= c && c <= '9') {
			s.i++
			continue
		}
		break
	}
	if s.i == start {
		return nil, false
	}
	return s.b[start:s.i], true
}

// start reads a start tag, <name> or <name status="…">.
func (s *scanner) start() ([]byte, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '<' {
		return nil, false
	}
	s.i++
	name, ok := s.name()
	if !ok {
		return nil, false
	}
	s.hasStatus = false
	if bytes.HasPrefix(s.b[s.i:], []byte(` status="`)) {
		s.i += len(` status="`)
		value, ok := s.text('"')
		if !ok {
			return nil, false
		}
		s.i++
		s.status, s.hasStatus = value, true
	}
	if s.i >= len(s.b) || s.b[s.i] != '>' {
		return nil, false
	}
	s.i++
	return name, true
}

// end reads the end tag </name>.
func (s *scanner) end(name []byte) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte("</")) || !bytes.HasPrefix(s.b[s.i+2:], name) {
		return false
	}
	s.i += 2 + len(name)
	if s.i >= len(s.b) || s.b[s.i] != '>' {
		return false
	}
	s.i++
	return true
}

// text reads plain text up to stop ('<' for an element's text, '"' for an
// attribute value): printable ASCII, tab and newline (and no '<' or '&').
func (s *scanner) text(stop byte) (string, bool) {
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == stop:
			return s.str[start:s.i], true
		case c == '<' || c == '&':
			return "", false
		case (c == '\t' || c == '\n') && stop == '<':
		case c < 0x20 || c > 0x7e:
			return "", false
		}
		s.i++
	}
	return "", false
}

// leaf reads the rest of the element name: its text and its end tag.
func (s *scanner) leaf(name []byte) (string, bool) {
	if s.hasStatus {
		return "", false
	}
	v, ok := s.text('<')
	if !ok || !s.end(name) {
		return "", false
	}
	return v, true
}

// number reads a leaf as encoding/xml reads an int: empty is 0.
func (s *scanner) number(name []byte) (int, bool) {
	v, ok := s.leaf(name)
	if !ok || len(v) > 18 {
		return 0, false
	}
	if v == "" {
		return 0, true
	}
	for _, c := range []byte(v) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// children reads the elements of the open element parent up to its end
// tag, calling field for each child's start; field reads the child whole
// and reports false for a name it does not take. Each name is taken once.
func (s *scanner) children(parent string, field func(name []byte) bool) bool {
	var seenArray [16][]byte
	seen := seenArray[:0]
	for {
		s.space()
		if bytes.HasPrefix(s.b[s.i:], []byte("</")) {
			return s.end([]byte(parent))
		}
		name, ok := s.start()
		if !ok {
			return false
		}
		for _, n := range seen {
			if bytes.Equal(n, name) {
				return false
			}
		}
		seen = append(seen, name)
		if !field(name) {
			return false
		}
	}
}

// result reads <result status="…"> after its start tag.
func (s *scanner) result(r *bokudirect.Result) bool {
	if !s.hasStatus {
		// Without a status it is not OK or ERROR: refused either way,
		// encoding/xml says how.
		return false
	}
	r.Status = s.status
	s.hasStatus = false
	return s.children("result", func(name []byte) bool {
		var ok bool
		switch string(name) {
		case "reason-code":
			r.ReasonCode, ok = s.number(name)
		case "message":
			r.Message, ok = s.leaf(name)
		case "retriable":
			var v string
			if v, ok = s.leaf(name); ok {
				switch v {
				case "true":
					r.Retriable = true
				case "false", "":
				default:
					ok = false
				}
			}
		}
		return ok
	})
}

func (s *scanner) charge(c *bokudirect.Charge) bool {
	if s.hasStatus {
		return false
	}
	return s.children("charge", func(name []byte) bool {
		if string(name) == "result" {
			return s.result(&c.Result)
		}
		var field *string
		switch string(name) {
		case "charge-status":
			field = &c.ChargeStatus
		case "charge-id":
			field = &c.ChargeID
		case "timestamp":
			field = &c.Timestamp
		case "merchant-id":
			field = &c.MerchantID
		case "merchant-transaction-id":
			field = &c.MerchantTransactionID
		case "country":
			field = &c.Country
		case "network-id":
			field = &c.NetworkID
		case "currency":
			field = &c.Currency
		case "total-amount":
			field = &c.TotalAmount
		case "merchant-item-description":
			field = &c.MerchantItemDescription
		case "merchant-data":
			field = &c.MerchantData
		default:
			return false
		}
		var ok bool
		*field, ok = s.leaf(name)
		return ok
	})
}

func (s *scanner) refund(r *bokudirect.Refund) bool {
	if s.hasStatus {
		return false
	}
	return s.children("refund", func(name []byte) bool {
		var ok bool
		var field *string
		switch string(name) {
		case "result":
			return s.result(&r.Result)
		case "reason-code":
			r.ReasonCode, ok = s.number(name)
			return ok
		case "refund-status":
			field = &r.RefundStatus
		case "refund-id":
			field = &r.RefundID
		case "timestamp":
			field = &r.Timestamp
		case "merchant-id":
			field = &r.MerchantID
		case "merchant-refund-id":
			field = &r.MerchantRefundID
		case "charge-id":
			field = &r.ChargeID
		case "country":
			field = &r.Country
		case "network-id":
			field = &r.NetworkID
		case "currency":
			field = &r.Currency
		case "refund-amount":
			field = &r.RefundAmount
		case "type":
			field = &r.Type
		case "merchant-transaction-id":
			field = &r.MerchantTransactionID
		default:
			return false
		}
		*field, ok = s.leaf(name)
		return ok
	})
}
