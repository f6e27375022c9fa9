package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Streams reports whether a list can be printed as it is read: a table,
// or JSON with no --jq, --template or --json fields (which need the whole
// document). A streamed list is never a request's result, so the
// Recorder (which keeps that for the journal) does not get it.
func (p *Printer) Streams() bool {
	return p.jq == nil && p.Template == nil && len(p.Fields) == 0 && (p.Format == FormatJSON || p.Format == FormatTable || p.Format == "")
}

// ListStream prints a list result as its items are read, never holding
// them all: as JSON, the document {"name": [item, …]} byte for byte as
// Print writes it; as a table, aligned columns rendered in chunks of
// StreamChunk rows, each column as wide as the widest cell so far (so a
// list shorter than a chunk looks exactly as RenderTable draws it).
type ListStream struct {
	p      *Printer
	w      *bufio.Writer
	name   string
	n      int
	header []string
	rows   [][]Cell
	widths []int
	pal    palette
	err    error
}

// StreamChunk is how many table rows ListStream holds before it prints.
const StreamChunk = 1000

// NewListStream starts a list named name (its JSON member) with the
// table header.
func (p *Printer) NewListStream(name string, header []string) *ListStream {
	s := &ListStream{p: p, w: bufio.NewWriterSize(&watchedWriter{w: p.IO.Out}, 64<<10), name: name, header: header}
	if p.JSON() {
		key, _ := json.Marshal(name)
		_, s.err = s.w.WriteString("{\n  " + string(key) + ": [")
		return s
	}
	s.pal = newPalette(p.IO.Out, p.IO.Color)
	s.widths = make([]int, len(header))
	for i, h := range header {
		s.widths[i] = lipgloss.Width(strings.ToUpper(h))
	}
	return s
}

// Add prints (or queues, for a table) one item: v for JSON, cells for
// the table.
func (s *ListStream) Add(v any, cells []Cell) error {
	if s.err != nil {
		return s.err
	}
	if s.p.JSON() {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("    ", "  ")
		if s.err = enc.Encode(v); s.err != nil {
			return s.err
		}
		sep := ",\n    "
		if s.n == 0 {
			sep = "\n    "
		}
		s.n++
		s.w.WriteString(sep)
		_, s.err = s.w.Write(bytes.TrimRight(buf.Bytes(), "\n"))
		return s.err
	}
	s.n++
	s.rows = append(s.rows, cells)
	if len(s.rows) >= StreamChunk {
		s.flushRows()
	}
	return s.err
}

func (s *ListStream) flushRows() {
	for _, row := range s.rows {
		for i, c := range row {
			if i < len(s.widths) {
				s.widths[i] = max(s.widths[i], lipgloss.Width(c.Text))
			}
		}
	}
	if s.header != nil {
		cells := make([]Cell, len(s.header))
		for i, h := range s.header {
			cells[i] = Cell{Text: strings.ToUpper(h)}
		}
		s.line(cells, true)
		s.header = nil
	}
	for _, row := range s.rows {
		s.line(row, false)
	}
	s.rows = s.rows[:0]
	if s.err == nil {
		s.err = s.w.Flush()
	}
}

// line writes one row: each cell padded to its column's width plus two
// spaces, the last one not padded.
func (s *ListStream) line(cells []Cell, header bool) {
	var b strings.Builder
	last := len(cells) - 1
	for last >= 0 && cells[last].Text == "" {
		last--
	}
	for i := 0; i <= last; i++ {
		c := cells[i]
		text := s.pal.cell(c)
		if header && c.Text != "" {
			text = s.pal.header.Render(c.Text)
		}
		b.WriteString(text)
		if i < last {
			b.WriteString(strings.Repeat(" ", s.widths[i]-lipgloss.Width(c.Text)+2))
		}
	}
	b.WriteByte('\n')
	if s.err == nil {
		_, s.err = s.w.WriteString(b.String())
	}
}

// Close ends the list and flushes what is left.
func (s *ListStream) Close() error {
	if s.err != nil {
		return s.err
	}
	if s.p.JSON() {
		end := "\n  ]\n}\n"
		if s.n == 0 {
			end = "]\n}\n"
		}
		s.w.WriteString(end)
		s.err = s.w.Flush()
		return s.err
	}
	s.flushRows()
	return s.err
}

// Count is how many items were added.
func (s *ListStream) Count() int { return s.n }

var _ io.Closer = (*ListStream)(nil)
