package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// --template formats a result's JSON with a Go text/template, as gh's
// --template does: the template sees the decoded JSON document (objects as
// maps, numbers exactly as written, amounts as their decimal strings) and
// has gh's functions:
//
//	tablerow FIELD...    add a row to a table, columns aligned
//	tablerender          print the rows so far (also done at the end)
//	timefmt LAYOUT TIME  an RFC 3339 time in a Go layout ("2006-01-02 15:04")
//	timeago TIME         how long ago, e.g. "3 minutes ago"
//	join SEP LIST        a list's items, joined
//	pluck FIELD LIST     one field of each object of a list
//	truncate N TEXT      at most N characters, "…" when cut
//	color STYLE TEXT     TEXT in a colour (red, green, yellow, blue, magenta,
//	                     cyan, bold, dim), only when colour is on
//	autocolor STYLE TEXT the same
//
// Output ends with a newline when the template's does not.

// templateFuncs are the functions --template offers; tablerow and
// tablerender are bound per execution.
func templateFuncs(color bool, now func() time.Time) template.FuncMap {
	colorize := func(style string, v any) (string, error) {
		s := fmt.Sprint(v)
		code, ok := ansiStyles[style]
		if !ok {
			return "", fmt.Errorf("color: unknown style %q (use one of red, green, yellow, blue, magenta, cyan, bold, dim)", style)
		}
		if !color {
			return s, nil
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m", nil
	}
	return template.FuncMap{
		"tablerow":    func(...any) string { return "" },
		"tablerender": func() string { return "" },
		"timefmt": func(layout string, v any) (string, error) {
			t, err := templateTime(v)
			if err != nil {
				return "", fmt.Errorf("timefmt: %w", err)
			}
			return t.Format(layout), nil
		},
		"timeago": func(v any) (string, error) {
			t, err := templateTime(v)
			if err != nil {
				return "", fmt.Errorf("timeago: %w", err)
			}
			return ago(now().Sub(t)), nil
		},
		"join": func(sep string, list any) (string, error) {
			items, err := templateList(list)
			if err != nil {
				return "", fmt.Errorf("join: %w", err)
			}
			parts := make([]string, len(items))
			for i, item := range items {
				parts[i] = templateText(item)
			}
			return strings.Join(parts, sep), nil
		},
		"pluck": func(field string, list any) ([]any, error) {
			items, err := templateList(list)
			if err != nil {
				return nil, fmt.Errorf("pluck: %w", err)
			}
			out := make([]any, 0, len(items))
			for _, item := range items {
				if m, ok := item.(map[string]any); ok {
					out = append(out, m[field])
				}
			}
			return out, nil
		},
		"truncate": func(n int, v any) string {
			s := templateText(v)
			if n <= 0 || utf8.RuneCountInString(s) <= n {
				return s
			}
			r := []rune(s)
			if n == 1 {
				return "…"
			}
			return string(r[:n-1]) + "…"
		},
		"color":     colorize,
		"autocolor": colorize,
	}
}

var ansiStyles = map[string]string{
	"red": "31", "green": "32", "yellow": "33", "blue": "34", "magenta": "35", "cyan": "36", "bold": "1", "dim": "2",
}

// templateText is how a value prints inside a function: strings as they
// are, nothing for null, numbers as written, anything else as compact JSON.
func templateText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return fmt.Sprint(x)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

func templateList(v any) ([]any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		return x, nil
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("not a list: %s", templateText(v))
}

func templateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("not a time: %s", templateText(v))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", s)
	}
	return t, nil
}

// ago is gh's relative time, coarse.
func ago(d time.Duration) string {
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = plural(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		s = plural(int(d/time.Hour), "hour")
	case d < 30*24*time.Hour:
		s = plural(int(d/(24*time.Hour)), "day")
	case d < 365*24*time.Hour:
		s = plural(int(d/(30*24*time.Hour)), "month")
	default:
		s = plural(int(d/(365*24*time.Hour)), "year")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// ParseTemplate checks a --template before anything is sent: a bad one
// is a usage error (exit 2).
func ParseTemplate(text string, color bool) (*template.Template, error) {
	t, err := template.New("--template").Funcs(templateFuncs(color, time.Now)).Parse(text)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, "--template: %v", strings.TrimPrefix(err.Error(), "template: ")).
			WithHint(`a Go template over the JSON result, e.g. --template '{{.status}} {{.amount}} {{.currency}}'; see docs/json.md`)
	}
	return t, nil
}

// executeTemplate runs t over the JSON document data and writes the
// result to out.
func executeTemplate(out io.Writer, t *template.Template, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("--template: decode result: %w", err)
	}
	var buf bytes.Buffer
	table := &templateTable{out: &buf}
	run, err := t.Clone()
	if err != nil {
		return err
	}
	run.Funcs(template.FuncMap{"tablerow": table.row, "tablerender": table.render})
	if err := run.Execute(&buf, doc); err != nil {
		return err
	}
	table.render()
	if buf.Len() > 0 && !bytes.HasSuffix(buf.Bytes(), []byte("\n")) {
		buf.WriteByte('\n')
	}
	_, err = out.Write(buf.Bytes())
	return err
}

// templateTable is tablerow's table: rows are kept until tablerender (or
// the end of the template) prints them with aligned columns.
type templateTable struct {
	out  io.Writer
	rows [][]string
}

func (t *templateTable) row(fields ...any) string {
	cells := make([]string, len(fields))
	for i, f := range fields {
		cells[i] = templateText(f)
	}
	t.rows = append(t.rows, cells)
	return ""
}

func (t *templateTable) render() string {
	if len(t.rows) == 0 {
		return ""
	}
	w := tabwriter.NewWriter(t.out, 0, 0, 2, ' ', 0)
	for _, r := range t.rows {
		fmt.Fprintln(w, strings.Join(r, "\t"))
	}
	w.Flush()
	t.rows = nil
	return ""
}
