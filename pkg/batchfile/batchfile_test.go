package batchfile

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func readAll(t *testing.T, input string) ([]Row, []string) {
	t.Helper()
	r, err := NewReader(strings.NewReader(input))
	if err != nil {
		return nil, []string{err.Error()}
	}
	var rows []Row
	var errs []string
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows, errs
		}
		var lineErr *LineError
		if errors.As(err, &lineErr) {
			errs = append(errs, err.Error())
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		rows = append(rows, row)
	}
}

func TestCSV(t *testing.T) {
	rows, errs := readAll(t, "\ufeffcharge_id, Amount ,currency,merchant-refund-id\n"+
		"ch-1,1.50,GBP,\n"+
		"\n"+
		"ch-2,\"2,00\",EUR,rf-2\n"+
		"ch-3,1\n"+
		"\"ch-4\nsplit\",3,GBP,rf-4\n"+
		"ch-5,0.10,KWD,rf-5\n")
	want := []Row{
		{Line: 2, Fields: map[string]string{"charge_id": "ch-1", "amount": "1.50", "currency": "GBP"}},
		{Line: 4, Fields: map[string]string{"charge_id": "ch-2", "amount": "2,00", "currency": "EUR", "merchant_refund_id": "rf-2"}},
		{Line: 6, Fields: map[string]string{"charge_id": "ch-4\nsplit", "amount": "3", "currency": "GBP", "merchant_refund_id": "rf-4"}},
		{Line: 8, Fields: map[string]string{"charge_id": "ch-5", "amount": "0.10", "currency": "KWD", "merchant_refund_id": "rf-5"}},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %+v\nwant %+v", rows, want)
	}
	if !reflect.DeepEqual(errs, []string{"line 5: 2 fields, but the header has 4 columns"}) {
		t.Errorf("errors = %q", errs)
	}
}

func TestJSONLines(t *testing.T) {
	rows, errs := readAll(t, "\n"+
		`{"charge_id":"ch-1","amount":1.10,"currency":"GBP","notify":true,"merchant_refund_id":null}`+"\n"+
		`{"charge_id":"ch-2","amount":123456789012345678901234567890.01}`+"\n"+
		`not json`+"\n"+
		`{"charge_id":{"x":1}}`+"\n"+
		`null`+"\n"+
		`{"a":1} {"b":2}`+"\n"+
		`{"Charge-ID":"x","charge_id":"y"}`+"\n"+
		"\n"+
		`{"charge_id":"ch-9"}`)
	want := []Row{
		{Line: 2, Fields: map[string]string{"charge_id": "ch-1", "amount": "1.10", "currency": "GBP", "notify": "true"}},
		{Line: 3, Fields: map[string]string{"charge_id": "ch-2", "amount": "123456789012345678901234567890.01"}},
		{Line: 10, Fields: map[string]string{"charge_id": "ch-9"}},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %+v\nwant %+v", rows, want)
	}
	wantErrs := []string{"line 4: not a JSON object", "line 5: field \"charge_id\": give a string or a number", "line 6: not a JSON object: null",
		"line 7: more than one JSON value", "line 8: fields"}
	if len(errs) != len(wantErrs) {
		t.Fatalf("errors = %q", errs)
	}
	for i, e := range errs {
		if !strings.HasPrefix(e, wantErrs[i]) {
			t.Errorf("error %d = %q, want prefix %q", i, e, wantErrs[i])
		}
	}
}

func TestHeaderErrors(t *testing.T) {
	for input, want := range map[string]string{
		"":                            "line 1: the file is empty",
		"\n\n  \n":                    "the file is empty",
		"a,b,a\n1,2,3\n":              "line 1: column \"a\" appears twice in the header",
		"\n\na,,b\n":                  "line 3: the header's column 2 has no name",
		"a,merchant-id,merchant_id\n": "appears twice",
	} {
		_, errs := readAll(t, input)
		if len(errs) != 1 || !strings.Contains(errs[0], want) {
			t.Errorf("%q: errors %q, want %q", input, errs, want)
		}
	}
}

func TestLongLinesAreBounded(t *testing.T) {
	long := strings.Repeat("x", MaxLine+10)
	_, errs := readAll(t, `{"a":"`+long+`"}`+"\n"+`{"a":"ok"}`+"\n")
	if len(errs) != 1 || !strings.Contains(errs[0], "line 1: the line is longer than") {
		t.Errorf("JSON lines: %q", errs)
	}
	r, err := NewReader(strings.NewReader("a\n" + long + "\n"))
	if err == nil {
		_, err = r.Next()
	}
	if err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("CSV: %v", err)
	}
}

func FuzzReader(f *testing.F) {
	f.Add("charge_id,amount\nch-1,1.00\n")
	f.Add(`{"charge_id":"ch-1","amount":1.5}` + "\n")
	f.Add("a,b\n\"x\ny\",\"\"\"\"\n")
	f.Fuzz(func(t *testing.T, input string) {
		r, err := NewReader(strings.NewReader(input))
		if err != nil {
			return
		}
		last := 0
		for i := 0; i < 10000; i++ {
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var lineErr *LineError
			if errors.As(err, &lineErr) {
				continue
			}
			if err != nil {
				return
			}
			if row.Line <= last {
				t.Fatalf("line numbers go back: %d after %d", row.Line, last)
			}
			last = row.Line
			for k, v := range row.Fields {
				if k == "" || v == "" || strings.TrimSpace(v) != v {
					t.Fatalf("row %d has field %q=%q", row.Line, k, v)
				}
			}
		}
		t.Fatal("no end after 10000 rows")
	})
}
