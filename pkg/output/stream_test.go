package output

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var escapes = regexp.MustCompile("\x1b\\[[0-9;]*m")

func plain(s string) string { return escapes.ReplaceAllString(s, "") }

func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.Join(lines, "\n")
}

type streamItem struct {
	Key    string `json:"key"`
	Status string `json:"status"`
	Note   string `json:"note,omitempty"`
}

type streamList struct {
	Items []streamItem `json:"items"`
}

func (l streamList) Table() Table {
	t := Table{Header: []string{"KEY", "STATUS", "note"}}
	for _, it := range l.Items {
		t.Rows = append(t.Rows, []Cell{Text(it.Key), Status(it.Status), Text(it.Note)})
	}
	return t
}

// A streamed list prints exactly what Print prints for the whole list, in
// JSON and as a table (with and without colour), up to a chunk.
func TestListStreamMatchesPrint(t *testing.T) {
	lists := map[string][]streamItem{
		"empty": {},
		"one":   {{Key: "k-1", Status: "ok", Note: "a <note> & more"}},
		"many":  {{Key: "k-1", Status: "ok"}, {Key: "a-much-longer-key", Status: "unknown", Note: "x"}, {Key: "k", Status: "declined", Note: "ünïcode"}},
	}
	for name, items := range lists {
		for _, format := range []Format{FormatJSON, FormatTable} {
			for _, color := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/%v", name, format, color), func(t *testing.T) {
					var want, got bytes.Buffer
					p := &Printer{IO: &IOStreams{Out: &want, Color: color}, Format: format}
					if err := p.Print(streamList{Items: items}); err != nil {
						t.Fatal(err)
					}
					p = &Printer{IO: &IOStreams{Out: &got, Color: color}, Format: format}
					if !p.Streams() {
						t.Fatal("a plain printer streams")
					}
					s := p.NewListStream("items", []string{"KEY", "STATUS", "note"})
					for _, it := range items {
						if err := s.Add(it, []Cell{Text(it.Key), Status(it.Status), Text(it.Note)}); err != nil {
							t.Fatal(err)
						}
					}
					if err := s.Close(); err != nil {
						t.Fatal(err)
					}
					if color && format == FormatTable {
						// tablewriter adds redundant resets and trailing
						// spaces before them; what shows is the same.
						if !bytes.Contains(got.Bytes(), []byte("\x1b[1mKEY\x1b[0m")) {
							t.Fatalf("no bold header: %q", got.String())
						}
						if plain(got.String()) != strings.TrimRight(plain(want.String()), " ") && plain(got.String()) != trimLines(plain(want.String())) {
							t.Fatalf("streamed:\n%q\nprinted:\n%q", got.String(), want.String())
						}
						return
					}
					if got.String() != want.String() {
						t.Fatalf("streamed:\n%q\nprinted:\n%q", got.String(), want.String())
					}
				})
			}
		}
	}
}

// Past a chunk, columns only grow: a later wider cell widens what follows.
func TestListStreamChunks(t *testing.T) {
	var out bytes.Buffer
	p := &Printer{IO: &IOStreams{Out: &out}, Format: FormatTable}
	s := p.NewListStream("items", []string{"KEY", "STATUS"})
	for i := range StreamChunk + 1 {
		key := "k"
		if i == StreamChunk {
			key = "a-long-key-in-the-second-chunk"
		}
		s.Add(nil, []Cell{Text(key), Text("ok")})
	}
	s.Close()
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	if len(lines) != StreamChunk+2 || string(lines[1]) != "k    ok" || string(lines[StreamChunk+1]) != "a-long-key-in-the-second-chunk  ok" {
		t.Fatalf("%d lines; %q … %q", len(lines), lines[1], lines[len(lines)-1])
	}
}
