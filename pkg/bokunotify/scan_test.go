package bokunotify

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/bokuctl/bokuctl/pkg/bokudirect"
)

// scanSeeds are notification bodies in the form scanDirect takes.
var scanSeeds = []string{
	refundNotification,
	chargeNotification,
	// bench/notifyload's.
	`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<refund-notification><refund><result status="OK"><reason-code>0</reason-code><message>Operation Successful</message><retriable>false</retriable></result><refund-status>success</refund-status><refund-id>rf-000000001</refund-id><timestamp>2026-11-20 16:27:18</timestamp><merchant-id>m1</merchant-id><merchant-refund-id>mr-000000001</merchant-refund-id><charge-id>ch-000001</charge-id><reason-code>33</reason-code><country>GB</country><network-id>gb-sandbox</network-id><currency>GBP</currency><refund-amount>0.01</refund-amount><type>refund</type></refund></refund-notification>`,
	// encoding/xml's Marshal, as the sandbox writes them: empty elements.
	`<charge-notification><charge><result status="OK"><reason-code>0</reason-code><message>Operation Successful</message><retriable>false</retriable></result><charge-status>success</charge-status><charge-id>ch-000005</charge-id><timestamp>2026-11-20 16:27:18</timestamp><merchant-id>m1</merchant-id><merchant-transaction-id></merchant-transaction-id><country>GB</country><network-id>gb-sandbox</network-id><currency>GBP</currency><total-amount>2.00</total-amount><merchant-item-description></merchant-item-description><merchant-data></merchant-data></charge></charge-notification>`,
}

// exportedOnly drops what encoding/xml records beyond the fields (whether
// a result had a reason code: parseDirect does not use it).
func exportedOnly(n directNotification) directNotification {
	norm := func(r bokudirect.Result) bokudirect.Result {
		return bokudirect.Result{Status: r.Status, ReasonCode: r.ReasonCode, Message: r.Message, Retriable: r.Retriable, RetryDelay: r.RetryDelay, InvalidFields: r.InvalidFields}
	}
	out := directNotification{XMLName: n.XMLName}
	if n.Charge != nil {
		c := *n.Charge
		c.Result = norm(c.Result)
		out.Charge = &c
	}
	if n.Refund != nil {
		r := *n.Refund
		r.Result = norm(r.Result)
		out.Refund = &r
	}
	return out
}

// checkScanAgrees fails when scanDirect takes body but encoding/xml does
// not, or reads it otherwise. It reports whether scanDirect took it.
func checkScanAgrees(t *testing.T, body []byte) bool {
	t.Helper()
	fast, ok := scanDirect(body)
	if !ok {
		return false
	}
	slow, err := decodeDirect(body, "body")
	if err != nil {
		t.Fatalf("scanDirect took what encoding/xml refuses (%v):\n%q", err, body)
	}
	if a, b := exportedOnly(fast), exportedOnly(slow); !reflect.DeepEqual(a, b) {
		t.Fatalf("scanDirect and encoding/xml disagree on\n%q\nscan: %+v %+v %+v\nxml:  %+v %+v %+v", body, a.XMLName, a.Charge, a.Refund, b.XMLName, b.Charge, b.Refund)
	}
	fe, ferr := directEvent(&fast)
	se, serr := directEvent(&slow)
	if !reflect.DeepEqual(fe, se) || (ferr == nil) != (serr == nil) || ferr != nil && ferr.Error() != serr.Error() {
		t.Fatalf("events differ on %q:\n%+v %v\n%+v %v", body, fe, ferr, se, serr)
	}
	return true
}

// Every body Boku's examples, the sandbox and the benchmark send is taken
// by the fast path; every change of one byte (deleted, replaced or
// inserted, by the bytes that matter to XML) that it still takes,
// encoding/xml takes too and reads the same way.
func TestScanDirectAgreesWithEncodingXML(t *testing.T) {
	changes := []byte("<>&/\"' \r\n\t=?!:;-_.#0a9ZzX\x00\x7f\x80\xc3\xff[]")
	taken, variants := 0, 0
	for _, seed := range scanSeeds {
		if !checkScanAgrees(t, []byte(seed)) {
			t.Fatalf("the fast path does not take\n%s", seed)
		}
		for i := 0; i <= len(seed); i++ {
			try := func(b []byte) {
				variants++
				if checkScanAgrees(t, b) {
					taken++
				}
			}
			if i < len(seed) {
				try([]byte(seed[:i] + seed[i+1:]))
				for _, c := range changes {
					if c != seed[i] {
						try([]byte(seed[:i] + string(c) + seed[i+1:]))
					}
				}
			}
			for _, c := range changes {
				try([]byte(seed[:i] + string(c) + seed[i:]))
			}
		}
	}
	t.Logf("%d variants, %d taken by the fast path", variants, taken)
	if taken == 0 {
		t.Fatal("no variant was taken by the fast path")
	}
}

// Shapes the fast path leaves to encoding/xml, which takes some of them
// and refuses others (and says why).
func TestScanDirectLeavesTheRestToEncodingXML(t *testing.T) {
	base := scanSeeds[2]
	replace := func(old, new string) string {
		if !bytes.Contains([]byte(base), []byte(old)) {
			t.Fatalf("%q is not in the seed", old)
		}
		return string(bytes.Replace([]byte(base), []byte(old), []byte(new), 1))
	}
	for name, body := range map[string]string{
		"entity":               replace("Operation Successful", "Operation &amp; Successful"),
		"character reference":  replace("Operation Successful", "Operation&#32;Successful"),
		"CDATA":                replace("Operation Successful", "<![CDATA[Operation Successful]]>"),
		"comment":              replace("<refund-status>", "<!-- c --><refund-status>"),
		"non-ASCII text":       replace("Operation Successful", "Opération réussie"),
		"carriage return":      replace("Operation Successful", "Operation\rSuccessful"),
		"namespace prefix":     replace("<refund-id>rf-000000001</refund-id>", "<b:refund-id>rf-000000001</b:refund-id>"),
		"root attribute":       replace("<refund-notification>", `<refund-notification xmlns="urn:x">`),
		"other attribute":      replace("<refund-id>", `<refund-id a="1">`),
		"self-closing":         replace("<type>refund</type>", "<type/>"),
		"unknown field":        replace("<type>", "<extra>x</extra><type>"),
		"field twice":          replace("<type>", "<type>chargeback</type><type>"),
		"nested in a field":    replace("rf-000000001", "<x>rf-000000001</x>"),
		"spaces in an integer": replace("<reason-code>33<", "<reason-code> 33 <"),
		"signed integer":       replace("<reason-code>33<", "<reason-code>+33<"),
		"other boolean":        replace("<retriable>false<", "<retriable>0<"),
		"no status":            replace(`<result status="OK">`, `<result>`),
		"single quotes":        replace(`status="OK"`, `status='OK'`),
		"other declaration":    replace(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`, `<?xml version="1.0" encoding="ISO-8859-1"?>`),
		"doctype":              replace("<refund-notification>", "<!DOCTYPE x><refund-notification>"),
		"trailing text":        base + "x",
		"two roots":            base + "<refund-notification/>",
		"space in an end tag":  replace("</type>", "</type >"),
	} {
		if _, ok := scanDirect([]byte(body)); ok {
			t.Errorf("%s: taken by the fast path:\n%s", name, body)
		}
	}
}

// FuzzScanDirect: whatever the fast path takes, encoding/xml takes and
// reads the same way.
func FuzzScanDirect(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkScanAgrees(t, body)
	})
}

func BenchmarkParseDirect(b *testing.B) {
	body := []byte(scanSeeds[2])
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parseDirect(body, "body"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-xml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n, err := decodeDirect(body, "body")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := directEvent(&n); err != nil {
				b.Fatal(err)
			}
		}
	})
}
