package output

import (
	"bytes"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Tone is the meaning of a cell's text, which decides its colour.
type Tone int

// The tones. Only cells with a tone are coloured.
const (
	Plain Tone = iota
	Good
	Bad
	Waiting
	Muted
)

// Cell is one table cell: its text and its tone.
type Cell struct {
	Text string
	Tone Tone
}

// Text is a plain cell.
func Text(s string) Cell { return Cell{Text: s} }

// Status is a cell whose tone follows the word: green for success words,
// red for failures, yellow for pending ones.
func Status(word string) Cell { return Cell{Text: word, Tone: StatusTone(word)} }

// StatusTone classifies a provider status word.
func StatusTone(word string) Tone {
	switch strings.ToLower(strings.NewReplacer("-", "_", " ", "_").Replace(word)) {
	case "success", "succeeded", "ok", "approved", "authorized", "captured",
		"active", "settled", "completed", "valid", "sufficient", "refunded", "yes":
		return Good
	case "declined", "failed", "failure", "error", "rejected", "cancelled",
		"canceled", "invalid", "insufficient", "expired", "reversed", "no":
		return Bad
	case "pending", "in_progress", "processing", "waiting", "unknown":
		return Waiting
	}
	return Plain
}

// Table is a result's table view: either a list (Header plus Rows) or a
// record (Fields, shown as aligned label/value lines).
type Table struct {
	Header []string
	Rows   [][]Cell
	Fields []Field
}

// Field is one labelled value of a record.
type Field struct {
	Label string
	Value Cell
}

// Add appends a plain field to the record, unless value is empty: records
// show what the provider said and leave out what it did not.
func (t *Table) Add(label, value string) {
	if value != "" {
		t.Fields = append(t.Fields, Field{Label: label, Value: Text(value)})
	}
}

// Tabler is implemented by every result that has a table view.
type Tabler interface {
	Table() Table
}

// palette holds the lipgloss styles of one render.
type palette struct {
	header, label lipgloss.Style
	tones         map[Tone]lipgloss.Style
}

func newPalette(w io.Writer, color bool) palette {
	r := lipgloss.NewRenderer(w)
	if color {
		r.SetColorProfile(termenv.ANSI)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	return palette{
		header: r.NewStyle().Bold(true),
		label:  r.NewStyle().Bold(true),
		tones: map[Tone]lipgloss.Style{
			Good:    r.NewStyle().Foreground(lipgloss.Color("2")),
			Bad:     r.NewStyle().Foreground(lipgloss.Color("1")),
			Waiting: r.NewStyle().Foreground(lipgloss.Color("3")),
			Muted:   r.NewStyle().Faint(true),
		},
	}
}

func (p palette) cell(c Cell) string {
	if style, ok := p.tones[c.Tone]; ok && c.Text != "" {
		return style.Render(c.Text)
	}
	return c.Text
}

// RenderTable writes t as aligned columns separated by two spaces, with no
// borders. Colour and bold headers only when color is true; otherwise the
// output is plain text without a single escape byte.
func RenderTable(w io.Writer, t Table, color bool) error {
	p := newPalette(w, color)
	if len(t.Fields) > 0 {
		return renderRecord(w, t.Fields, p)
	}
	var buf bytes.Buffer
	table := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenRows: tw.Off, BetweenColumns: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off},
			},
		})),
		tablewriter.WithConfig(tablewriter.Config{
			Header: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoFormat: tw.Off, AutoWrap: tw.WrapNone},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
				Padding:    tw.CellPadding{Global: tw.Padding{Right: "  ", Overwrite: true}},
			},
			Row: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
				Padding:    tw.CellPadding{Global: tw.Padding{Right: "  ", Overwrite: true}},
			},
		}),
		tablewriter.WithTrimSpace(tw.Off),
	)
	header := make([]any, len(t.Header))
	for i, h := range t.Header {
		header[i] = ""
		if h != "" {
			header[i] = p.header.Render(strings.ToUpper(h))
		}
	}
	table.Header(header...)
	for _, row := range t.Rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = p.cell(c)
		}
		if err := table.Append(cells); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	// Cell padding leaves spaces after the last column; drop them.
	var out strings.Builder
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		trimmed := strings.TrimRight(line, " \n")
		if trimmed != "" {
			out.WriteString(trimmed)
			out.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, out.String())
	return err
}

func renderRecord(w io.Writer, fields []Field, p palette) error {
	width := 0
	for _, f := range fields {
		width = max(width, len(f.Label))
	}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(p.label.Render(f.Label + ":"))
		b.WriteString(strings.Repeat(" ", width-len(f.Label)+2))
		b.WriteString(p.cell(f.Value))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
