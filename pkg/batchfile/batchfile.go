// Package batchfile reads the rows of a batch file, streaming: CSV with a
// header line, or JSON lines (one object per line). Each row is a map from
// column name to its text, with the line it came from, so every error can
// name the line. JSON numbers keep their literal text (never a float), so
// an amount reads exactly as written.
//
// It imports only the standard library.
package batchfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// MaxLine bounds one line of the file.
const MaxLine = 64 << 10

// Format is how a file is written.
type Format string

// The formats.
const (
	CSV       Format = "csv"
	JSONLines Format = "jsonl"
)

// Row is one row of the file.
type Row struct {
	// Line is the row's line number in the file, from 1.
	Line int
	// Fields maps a column to its value; a column left empty is absent.
	Fields map[string]string
}

// LineError is a problem with one line of the file.
type LineError struct {
	Line int
	Msg  string
}

func (e *LineError) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// Reader reads rows one at a time.
type Reader struct {
	format Format
	br     *bufio.Reader
	csv    *csv.Reader
	header []string
	line   int // JSON lines: the last line read; CSV: blank lines before the header
}

// NewReader detects the format from the first non-blank byte ('{' means
// JSON lines, anything else CSV with a header) and returns a reader.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	rd := &Reader{br: br}
	for {
		b, err := br.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, &LineError{Line: 1, Msg: "the file is empty: give a CSV header line and rows, or JSON lines"}
			}
			return nil, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n', 0xEF, 0xBB, 0xBF: // blank lines and a UTF-8 byte-order mark
			if b[0] == '\n' {
				rd.line++
			}
			br.ReadByte()
			continue
		case '{':
			rd.format = JSONLines
			return rd, nil
		}
		rd.format = CSV
		return rd, rd.readHeader()
	}
}

// Format is the detected format.
func (r *Reader) Format() Format { return r.format }

// Header is the CSV header (nil for JSON lines).
func (r *Reader) Header() []string { return r.header }

func (r *Reader) readHeader() error {
	r.csv = csv.NewReader(&lineBound{r: r.br})
	r.csv.FieldsPerRecord = -1
	header, err := r.csv.Read()
	if err != nil {
		return r.csvError(err)
	}
	line, _ := r.csv.FieldPos(0)
	line += r.line
	seen := map[string]bool{}
	for i, name := range header {
		name = normalizeColumn(name)
		if name == "" {
			return &LineError{Line: line, Msg: fmt.Sprintf("the header's column %d has no name", i+1)}
		}
		if seen[name] {
			return &LineError{Line: line, Msg: fmt.Sprintf("column %q appears twice in the header", name)}
		}
		seen[name] = true
		header[i] = name
	}
	r.header = header
	return nil
}

// normalizeColumn trims a column name and spells it with underscores
// (merchant-refund-id and merchant_refund_id are the same column).
func normalizeColumn(name string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "-", "_")
}

// Next returns the next row, or io.EOF after the last. A *LineError is a
// bad row: the caller may report it and call Next again.
func (r *Reader) Next() (Row, error) {
	if r.format == JSONLines {
		return r.nextJSON()
	}
	return r.nextCSV()
}

func (r *Reader) nextCSV() (Row, error) {
	for {
		record, err := r.csv.Read()
		if errors.Is(err, io.EOF) {
			return Row{}, io.EOF
		}
		if err != nil {
			var parse *csv.ParseError
			if errors.As(err, &parse) && !errors.Is(parse.Err, csv.ErrFieldCount) {
				// A quoting error leaves the reader somewhere in the line.
				return Row{}, r.csvError(err)
			}
			return Row{}, err
		}
		line, _ := r.csv.FieldPos(0)
		line += r.line
		if len(record) == 1 && strings.TrimSpace(record[0]) == "" {
			continue // a blank line
		}
		if len(record) != len(r.header) {
			return Row{}, &LineError{Line: line, Msg: fmt.Sprintf("%d fields, but the header has %d columns", len(record), len(r.header))}
		}
		fields := make(map[string]string, len(record))
		for i, v := range record {
			if !utf8.ValidString(v) {
				return Row{}, &LineError{Line: line, Msg: fmt.Sprintf("column %s is not valid UTF-8", r.header[i])}
			}
			if v = strings.TrimSpace(v); v != "" {
				fields[r.header[i]] = v
			}
		}
		return Row{Line: line, Fields: fields}, nil
	}
}

func (r *Reader) csvError(err error) error {
	var parse *csv.ParseError
	if errors.As(err, &parse) {
		return &LineError{Line: parse.Line + r.line, Msg: parse.Err.Error()}
	}
	if errors.Is(err, errLineTooLong) {
		return &LineError{Line: 0, Msg: err.Error()}
	}
	return err
}

var errLineTooLong = fmt.Errorf("the line is longer than %d KiB", MaxLine>>10)

func (r *Reader) nextJSON() (Row, error) {
	for {
		data, err := r.readLine()
		if err != nil {
			return Row{}, err
		}
		r.line++
		data = bytes.TrimSpace(data)
		if len(data) == 0 {
			continue
		}
		fields, err := parseObject(data)
		if err != nil {
			return Row{}, &LineError{Line: r.line, Msg: err.Error()}
		}
		return Row{Line: r.line, Fields: fields}, nil
	}
}

// readLine reads one line without its newline, bounded by MaxLine.
func (r *Reader) readLine() ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > MaxLine+1 {
			r.line++
			// Skip the rest of the line so the next row can still be read.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.br.ReadSlice('\n')
			}
			return nil, &LineError{Line: r.line, Msg: errLineTooLong.Error()}
		}
		switch {
		case err == nil:
			return bytes.TrimSuffix(line, []byte("\n")), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(line) > 0:
			return line, nil
		default:
			return nil, err
		}
	}
}

// parseObject reads one flat JSON object of strings, numbers, booleans and
// nulls. Numbers keep their literal text.
func parseObject(data []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	if raw == nil {
		return nil, errors.New("not a JSON object: null")
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value on the line")
	}
	fields := make(map[string]string, len(raw))
	seen := map[string]string{}
	for key, value := range raw {
		name := normalizeColumn(key)
		if name == "" {
			return nil, errors.New("a field has no name")
		}
		if other, dup := seen[name]; dup {
			return nil, fmt.Errorf("fields %q and %q are the same column", other, key)
		}
		seen[name] = key
		v := bytes.TrimSpace(value)
		switch {
		case len(v) == 0 || string(v) == "null":
			continue
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("field %q: %v", key, err)
			}
			if s = strings.TrimSpace(s); s != "" {
				fields[name] = s
			}
		case v[0] == '{' || v[0] == '[':
			return nil, fmt.Errorf("field %q: give a string or a number, not an object or a list", key)
		default: // a number or a boolean, as written
			fields[name] = string(v)
		}
	}
	return fields, nil
}

// lineBound fails a CSV line longer than MaxLine, so a file without line
// breaks cannot grow a row without bound.
type lineBound struct {
	r   io.Reader
	cur int
}

func (c *lineBound) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for _, b := range p[:n] {
		c.cur++
		if b == '\n' {
			c.cur = 0
		} else if c.cur > MaxLine {
			return 0, errLineTooLong
		}
	}
	return n, err
}
