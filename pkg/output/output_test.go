package output

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

func TestColorEnabled(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		noColor bool
		tty     bool
		want    bool
	}{
		{"tty", nil, false, true, true},
		{"pipe", nil, false, false, false},
		{"no-color flag", nil, true, true, false},
		{"NO_COLOR", map[string]string{"NO_COLOR": "1"}, false, true, false},
		{"NO_COLOR beats force", map[string]string{"NO_COLOR": "1", "CLICOLOR_FORCE": "1"}, false, false, false},
		{"flag beats force", map[string]string{"CLICOLOR_FORCE": "1"}, true, false, false},
		{"force into pipe", map[string]string{"CLICOLOR_FORCE": "1"}, false, false, true},
		{"force 0 is not force", map[string]string{"CLICOLOR_FORCE": "0"}, false, false, false},
		{"CLICOLOR=0 on tty", map[string]string{"CLICOLOR": "0"}, false, true, false},
		{"CLICOLOR=1 on pipe", map[string]string{"CLICOLOR": "1"}, false, false, false},
	}
	for _, tt := range tests {
		getenv := func(k string) string { return tt.env[k] }
		if got := ColorEnabled(getenv, tt.noColor, tt.tty); got != tt.want {
			t.Errorf("%s: ColorEnabled = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRenderTablePlain(t *testing.T) {
	var buf bytes.Buffer
	table := Table{
		Header: []string{"id", "status", "amount"},
		Rows: [][]Cell{
			{Text("ch_1"), Status("success"), Text("4.99 GBP")},
			{Text("ch_22"), Status("declined"), Text("500 JPY")},
		},
	}
	if err := RenderTable(&buf, table, false); err != nil {
		t.Fatal(err)
	}
	want := "ID     STATUS    AMOUNT\n" +
		"ch_1   success   4.99 GBP\n" +
		"ch_22  declined  500 JPY\n"
	if buf.String() != want {
		t.Fatalf("got:\n%q\nwant:\n%q", buf.String(), want)
	}
}

func TestRenderTableColor(t *testing.T) {
	var buf bytes.Buffer
	table := Table{Header: []string{"status"}, Rows: [][]Cell{{Status("success")}, {Status("declined")}, {Status("pending")}}}
	if err := RenderTable(&buf, table, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\x1b[32msuccess", "\x1b[31mdeclined", "\x1b[33mpending"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("missing %q in %q", want, buf.String())
		}
	}
}

func TestRenderRecord(t *testing.T) {
	var buf bytes.Buffer
	table := Table{Fields: []Field{{"Charge", Text("ch_1")}, {"Status", Status("pending")}}}
	if err := RenderTable(&buf, table, false); err != nil {
		t.Fatal(err)
	}
	want := "Charge:  ch_1\nStatus:  pending\n"
	if buf.String() != want {
		t.Fatalf("got %q, want %q", buf.String(), want)
	}
}

func TestJQKeepsLargeIntegersExact(t *testing.T) {
	var out bytes.Buffer
	p, err := NewPrinter(&IOStreams{Out: &out}, FormatTable, ".minor_units")
	if err != nil {
		t.Fatal(err)
	}
	if !p.JSON() {
		t.Fatal("--jq must imply JSON")
	}
	if err := p.Print(struct {
		MinorUnits int64 `json:"minor_units"`
	}{9007199254740993}); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "9007199254740993\n" {
		t.Fatalf("got %q: integers above 2^53 must not pass through float64", got)
	}
}

func TestWriteErrorJSON(t *testing.T) {
	var buf bytes.Buffer
	code := WriteError(&buf, exitcode.New(exitcode.Declined, "card declined").WithHint("try another card"), true)
	if code != exitcode.Declined {
		t.Fatalf("code = %d", code)
	}
	want := "Error: card declined\nHint: try another card\n" +
		`{"error":{"code":"declined","exit_code":3,"message":"card declined","hint":"try another card"}}` + "\n"
	if buf.String() != want {
		t.Fatalf("got %q", buf.String())
	}
}

func TestTableAddLeavesOutEmptyValues(t *testing.T) {
	tb := Table{Fields: []Field{{Label: "ID", Value: Text("c1")}}}
	tb.Add("Message", "")
	tb.Add("Amount", "1.00 USD")
	if len(tb.Fields) != 2 || tb.Fields[1].Label != "Amount" || tb.Fields[1].Value != Text("1.00 USD") {
		t.Fatalf("fields = %+v, want ID then Amount only", tb.Fields)
	}
}

// A record-only printer (a batch row's) writes nothing and records the
// result as compact JSON, the same document an indented print compacts to.
func TestRecordOnlyPrinter(t *testing.T) {
	var out bytes.Buffer
	ios := &IOStreams{Out: &out, ErrOut: &bytes.Buffer{}}
	p, err := NewPrinter(ios, FormatJSON, "")
	if err != nil {
		t.Fatal(err)
	}
	var recorded []byte
	p.Recorder = func(_ any, doc []byte) { recorded = append([]byte(nil), doc...) }
	p.RecordOnly = true
	v := map[string]any{"id": "rf-1", "url": "https://x.example/?a=1&b=2", "n": []int{1, 2}}
	if err := p.Print(v); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("a record-only printer wrote %q", out.String())
	}
	if want := `{"id":"rf-1","n":[1,2],"url":"https://x.example/?a=1&b=2"}`; string(recorded) != want {
		t.Errorf("recorded %s, want %s", recorded, want)
	}
}
