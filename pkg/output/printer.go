package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strings"
	"text/template"

	"github.com/itchyny/gojq"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// Format is an output format.
type Format string

// The formats a user can choose with -o.
const (
	FormatTable Format = "table"
	FormatJSON  Format = "json"
	// FormatCSV is for batch results only.
	FormatCSV Format = "csv"
)

// ParseFormat validates the value of -o/--output.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case FormatTable, FormatJSON, FormatCSV:
		return Format(s), nil
	}
	return "", exitcode.New(exitcode.Usage, "invalid value %q for -o/--output", s).
		WithHint("use -o table or -o json (batch: also -o csv)")
}

// Printer renders results and errors for one command run.
type Printer struct {
	IO     *IOStreams
	Format Format
	jq     *gojq.Code
	// Template is --template: the JSON result formatted by it (see
	// template.go); set with ParseTemplate.
	Template *template.Template
	// Recorder, when set, gets every printed result as JSON (the journal
	// keeps it).
	Recorder func(value any, result []byte)
	// RecordOnly, with a Recorder, gives it the result as compact JSON
	// and writes nothing: the printer of a batch row, whose result the
	// batch prints in its own line.
	RecordOnly bool
	// FilterErr is set when --jq failed on a result, which was then
	// printed unfiltered.
	FilterErr error
	// IdempotencyKey is the key of the request this run announced, for
	// the JSON error object.
	IdempotencyKey string
	// Fields is --json: print only these top-level fields, in this order.
	Fields []string
	// Sent is set once a request has been sent: after it, a result that
	// cannot be written (stdout closed, reader gone) is reported on
	// stderr, and the outcome, not the write, decides the exit code.
	Sent bool
}

// filterNotice says on stderr that --jq, --json or --template failed on a
// result, which is printed in full instead: a warning once a request was
// sent (the outcome decides the exit code, often 0), an error before
// (the run then exits 2).
func (p *Printer) filterNotice(format string, args ...any) {
	prefix := "Error: "
	if p.Sent {
		prefix = "Warning: "
	}
	p.Notice(prefix+format, args...)
}

// NewPrinter returns a printer. A non-empty jqExpr is compiled now, so a bad
// expression is a usage error before anything is sent, and it implies JSON.
func NewPrinter(ios *IOStreams, format Format, jqExpr string) (*Printer, error) {
	p := &Printer{IO: ios, Format: format}
	if jqExpr == "" {
		return p, nil
	}
	query, err := gojq.Parse(jqExpr)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, "--jq: invalid expression %q: %v", jqExpr, err).
			WithHint("the filter uses jq syntax, e.g. --jq '.version'")
	}
	code, err := gojq.Compile(query)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, "--jq: %v", err)
	}
	p.Format, p.jq = FormatJSON, code
	return p, nil
}

// JSON reports whether results are printed as JSON.
func (p *Printer) JSON() bool { return p.Format == FormatJSON }

// Print writes one result to stdout: JSON (optionally filtered by --jq) or
// its table view.
func (p *Printer) Print(result any) error {
	out := &watchedWriter{w: p.IO.Out}
	err := p.print(out, result)
	if out.err != nil && p.Sent {
		p.Notice("Warning: the result could not be written to stdout (%v); the exit code is the request's outcome", out.err)
		return nil
	}
	return err
}

// watchedWriter remembers the first write error, to tell an output failure
// from a failure to build the result.
type watchedWriter struct {
	w   io.Writer
	err error
}

func (w *watchedWriter) Write(b []byte) (int, error) {
	n, err := w.w.Write(b)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

func (p *Printer) print(out io.Writer, result any) error {
	if p.RecordOnly && p.Recorder != nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(result); err != nil {
			return fmt.Errorf("encode result as JSON: %w", err)
		}
		p.Recorder(result, bytes.TrimSpace(buf.Bytes()))
		return nil
	}
	if p.JSON() || p.Recorder != nil {
		// No HTML escaping: "&" stays "&" in URLs and messages.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(result); err != nil {
			return fmt.Errorf("encode result as JSON: %w", err)
		}
		if p.Recorder != nil {
			p.Recorder(result, bytes.TrimSpace(buf.Bytes()))
		}
		if p.JSON() {
			doc := buf.Bytes()
			if len(p.Fields) > 0 {
				selected, err := selectFields(doc, p.Fields)
				if err != nil {
					if !p.Sent {
						return exitcode.Wrap(exitcode.Usage, err)
					}
					// A request was sent: the result must not be lost.
					p.FilterErr = exitcode.Wrap(exitcode.Usage, err)
					p.filterNotice("%v; printing the result in full", err)
					_, werr := out.Write(doc)
					return werr
				}
				doc = selected
			}
			if p.jq != nil {
				return p.filter(out, doc)
			}
			if p.Template != nil {
				var formatted bytes.Buffer
				if err := executeTemplate(&formatted, p.Template, doc); err != nil {
					// As with --jq: the result must not be lost, as a
					// request may have been sent.
					p.FilterErr = exitcode.New(exitcode.Usage, "%v", strings.TrimPrefix(err.Error(), "template: ")).WithHint("the result above is unformatted")
					p.filterNotice("%v; printing the result unformatted", strings.TrimPrefix(err.Error(), "template: "))
					_, werr := out.Write(doc)
					return werr
				}
				_, err := out.Write(formatted.Bytes())
				return err
			}
			_, err := out.Write(doc)
			return err
		}
	}
	tabler, ok := result.(Tabler)
	if !ok {
		return fmt.Errorf("internal error: %T has no table view", result)
	}
	return RenderTable(out, tabler.Table(), p.IO.Color)
}

// filter runs the compiled --jq program over the JSON document. Strings are
// printed raw, other values as compact JSON, one per line, like gh --jq.
func (p *Printer) filter(out io.Writer, data []byte) error {
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	var doc any
	if err := decoder.Decode(&doc); err != nil {
		return fmt.Errorf("--jq: decode result: %w", err)
	}
	var filtered bytes.Buffer
	rank := keyOrder(data)
	iter := p.jq.Run(normalizeNumbers(doc))
	for {
		v, ok := iter.Next()
		if !ok {
			break
		}
		if err, isErr := v.(error); isErr {
			// The result must not be lost: a request may have been sent.
			// Print it unfiltered and let the command exit by its outcome.
			p.FilterErr = exitcode.New(exitcode.Usage, "--jq: %v", err).WithHint("the result above is unfiltered")
			p.filterNotice("--jq: %v; printing the result unfiltered", err)
			_, werr := out.Write(data)
			return werr
		}
		if s, isString := v.(string); isString {
			filtered.WriteString(s)
		} else if err := encodeOrdered(&filtered, v, rank); err != nil {
			return fmt.Errorf("--jq: encode: %w", err)
		}
		filtered.WriteByte('\n')
	}
	_, err := out.Write(filtered.Bytes())
	return err
}

// normalizeNumbers converts json.Number into the number types gojq accepts,
// keeping integers exact (as int or *big.Int) rather than float64.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
		return x
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return int(n)
		}
		if n, ok := new(big.Int).SetString(x.String(), 10); ok {
			return n
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

// jsonError is the JSON shape of an error on stderr in JSON mode.
type jsonError struct {
	Error struct {
		Code     string `json:"code"`
		ExitCode int    `json:"exit_code"`
		Message  string `json:"message"`
		Hint     string `json:"hint,omitempty"`
		// IdempotencyKey is the key of the request this run sent, when it
		// sent one; SettleCommand is the command that settles an unknown
		// or pending outcome (exit 5 or 8).
		IdempotencyKey string `json:"idempotency_key,omitempty"`
		SettleCommand  string `json:"settle_command,omitempty"`
	} `json:"error"`
}

// PrintError writes err to stderr as "Error: …" and "Hint: …" lines, and in
// JSON mode also as one JSON object. It returns the exit code for err.
func (p *Printer) PrintError(err error) exitcode.Code {
	return writeError(p.IO.ErrOut, err, p.JSON(), p.IdempotencyKey)
}

// WriteError is PrintError for callers that have no Printer yet (errors
// during flag parsing or set-up).
func WriteError(w io.Writer, err error, asJSON bool) exitcode.Code {
	return writeError(w, err, asJSON, "")
}

func writeError(w io.Writer, err error, asJSON bool, key string) exitcode.Code {
	code := exitcode.Of(err)
	message := strings.TrimSpace(err.Error())
	hint := exitcode.HintOf(err)
	var b strings.Builder
	// A pending request is not an error: it was accepted and is not final.
	label := "Error"
	if code == exitcode.Pending {
		label = "Pending"
	}
	fmt.Fprintf(&b, "%s: %s\n", label, message)
	if hint != "" {
		fmt.Fprintf(&b, "Hint: %s\n", hint)
	}
	if asJSON {
		var je jsonError
		je.Error.Code = code.Slug()
		je.Error.ExitCode = int(code)
		je.Error.Message = message
		je.Error.Hint = hint
		je.Error.IdempotencyKey = key
		if key != "" && (code == exitcode.UnknownOutcome || code == exitcode.Pending) {
			je.Error.SettleCommand = settleCommand(hint)
		}
		data, _ := json.Marshal(je)
		b.Write(data)
		b.WriteByte('\n')
	}
	io.WriteString(w, b.String())
	return code
}

// Notice writes a line to stderr: progress, notes and warnings never go to
// stdout.
func (p *Printer) Notice(format string, args ...any) {
	fmt.Fprintf(p.IO.ErrOut, format+"\n", args...)
}

// settleCommand is the first "bokuctl …" command a hint names.
func settleCommand(hint string) string {
	i := strings.Index(hint, "bokuctl ")
	if i < 0 {
		return ""
	}
	cmd := hint[i:]
	if j := strings.IndexAny(cmd, ";`("); j >= 0 {
		cmd = cmd[:j]
	}
	return strings.TrimSpace(cmd)
}
