package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// Prompts read from the terminal in raw mode, so Ctrl-C and Ctrl-D arrive
// as keys rather than signals and cancel the prompt wherever the cursor is:
// the command exits 130 and nothing is sent, stored or deleted. (In cooked
// mode Ctrl-C raised SIGINT, which bokuctl catches to cancel requests, so
// a prompt kept waiting and stored the next line typed.)

// maxPromptLine bounds one answer: a secret or a confirmation.
const maxPromptLine = 64 << 10

// errPromptCanceled is Ctrl-C, Ctrl-D or the end of the terminal's input.
var errPromptCanceled = errors.New("cancelled")

// canceled is the exit-130 error of a prompt that got no answer.
func canceled(nothing string) error {
	return exitcode.New(exitcode.Canceled, "cancelled: %s", nothing)
}

// promptTerminal is the terminal a prompt reads: stdin, when it is a real
// terminal. The question goes to stderr.
func (f *Factory) promptTerminal() (*os.File, bool) {
	in, ok := f.IO.In.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return nil, false
	}
	return in, true
}

// CanPrompt reports whether the user can be asked: stdin is a terminal.
// BOKUCTL_FORCE_TTY does not count; it only shapes output.
func (f *Factory) CanPrompt() bool {
	_, ok := f.promptTerminal()
	return ok
}

// ReadHidden asks on the terminal and reads one line without echo. Ctrl-C,
// Ctrl-D, or a signal cancel it with exit 130; nothing tells what was typed.
func (f *Factory) ReadHidden(ctx context.Context, prompt, nothing string) (string, error) {
	return f.readLine(ctx, prompt, true, nothing)
}

// Confirm asks before a destructive step. yes (--yes) answers it. Off a
// terminal nobody can answer, so it refuses with exit 2 and names --yes.
// On a terminal the answer must be y or yes, or, when want is set, exactly
// want (a profile's name); anything else cancels with exit 130.
func (f *Factory) Confirm(ctx context.Context, yes bool, action, question, want string) error {
	if yes {
		return nil
	}
	if !f.CanPrompt() {
		return exitcode.New(exitcode.Usage, "%s needs confirmation, and there is no terminal to ask on: nothing was done", action).
			WithHint("pass --yes to confirm")
	}
	if want == "" {
		question += " [y/N] "
	}
	answer, err := f.readLine(ctx, question, false, "nothing was done")
	if err != nil {
		return err
	}
	answer = strings.TrimSpace(answer)
	if want == "" && (strings.EqualFold(answer, "y") || strings.EqualFold(answer, "yes")) || want != "" && answer == want {
		return nil
	}
	return canceled("not confirmed, nothing was done")
}

// readLine shows prompt on stderr and reads one line from the terminal in
// raw mode. The terminal is restored on every path, a signal included.
func (f *Factory) readLine(ctx context.Context, prompt string, hidden bool, nothing string) (string, error) {
	in, ok := f.promptTerminal()
	if !ok {
		return "", exitcode.New(exitcode.Usage, "no terminal to ask on: %s", nothing)
	}
	fd := int(in.Fd())
	fmt.Fprint(f.IO.ErrOut, prompt)
	state, err := term.MakeRaw(fd)
	if err != nil {
		fmt.Fprintln(f.IO.ErrOut)
		return "", fmt.Errorf("prepare the terminal: %w", err)
	}
	type answer struct {
		line string
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		line, err := editLine(in, f.IO.ErrOut, hidden)
		done <- answer{line, err}
	}()
	var got answer
	select {
	case got = <-done:
	case <-ctx.Done():
		got.err = errPromptCanceled
	}
	_ = term.Restore(fd, state)
	switch {
	case errors.Is(got.err, errPromptCanceled):
		fmt.Fprintln(f.IO.ErrOut)
		return "", canceled(nothing)
	case got.err != nil:
		fmt.Fprintln(f.IO.ErrOut)
		return "", got.err
	}
	return got.line, nil
}

// editLine reads one line typed on a raw terminal: Enter ends it, Backspace
// and Ctrl-U edit it, Ctrl-C, Ctrl-D and the end of input cancel it, and
// other control keys (arrows included) are ignored. Unless hidden, it
// echoes what is typed to echo.
func editLine(r io.Reader, echo io.Writer, hidden bool) (string, error) {
	var line []byte
	key := make([]byte, 1)
	escape := 0 // 1 after ESC, 2 inside a CSI or SS3 sequence
	for {
		n, err := r.Read(key)
		if n == 0 {
			if err != nil {
				return "", errPromptCanceled
			}
			continue
		}
		b := key[0]
		switch escape {
		case 1:
			escape = 0
			if b == '[' || b == 'O' {
				escape = 2
			}
			continue
		case 2:
			if b >= 0x40 && b <= 0x7e {
				escape = 0
			}
			continue
		}
		switch {
		case b == 0x03 || b == 0x04:
			return "", errPromptCanceled
		case b == '\r' || b == '\n':
			io.WriteString(echo, "\r\n")
			return string(line), nil
		case b == 0x7f || b == 0x08:
			if len(line) > 0 {
				_, size := utf8.DecodeLastRune(line)
				line = line[:len(line)-size]
				if !hidden {
					io.WriteString(echo, "\b \b")
				}
			}
		case b == 0x15: // Ctrl-U: start again
			if !hidden {
				io.WriteString(echo, strings.Repeat("\b \b", utf8.RuneCount(line)))
			}
			line = line[:0]
		case b == 0x1b:
			escape = 1
		case b < 0x20:
			// another control key: ignored
		default:
			if len(line) >= maxPromptLine {
				return "", fmt.Errorf("the answer is over %d KiB", maxPromptLine>>10)
			}
			line = append(line, b)
			if !hidden {
				echo.Write(key)
			}
		}
	}
}

// The one confirmation rule. Every command that undoes or moves money
// without the amount being given on its command line (a full refund, a
// reversal of a charge, a refund or an operation, an opt-in's
// cancellation, a batch, reconcile --reverse-unknown) asks right before
// sending, after every input was checked, one question of one shape:
//
//	<Verb> <what> (<amount>), profile <name>? [y/N]
//
// (the amount when it is known), answered by --yes (-y, AddYesFlag); off
// a terminal, without --yes, it refuses with exit 2 and nothing is sent.
// README.md's "Confirmation" table lists the commands.

// confirmation is a question that must be answered before the run's
// request is sent.
type confirmation struct {
	yes                      bool
	action, question, amount string
}

// ConfirmBeforeSending makes the run ask, right before its request is
// sent (after every input has been checked, before the journal's intent
// row), the question "<question> (<amount>), profile <name>? [y/N]".
// question is a verb and its object without a question mark ("Refund
// ch-000003 in full"); action names the step for the refusal off a
// terminal ("a full refund").
func (f *Factory) ConfirmBeforeSending(yes bool, action, question string) {
	f.confirm = &confirmation{yes: yes, action: action, question: question}
}

// SetConfirmAmount gives the pending question its amount ("4.99 GBP"),
// once a handler knows it: a full refund learns it from the provider.
func (f *Factory) SetConfirmAmount(amount string) {
	if f.confirm != nil {
		f.confirm.amount = amount
	}
}

// YesArg is " --yes" off a terminal, where a confirming command named in
// a hint cannot ask and needs it to run as printed; "" on a terminal.
func (f *Factory) YesArg() string {
	if f.CanPrompt() {
		return ""
	}
	return " --yes"
}

// ConfirmPending reports whether the run has a confirmation to ask (or
// answered by --yes) before sending: a command run on its own, not a
// batch's row.
func (f *Factory) ConfirmPending() bool { return f.confirm != nil && f.Batch == "" }

// ConfirmQuestion is the question of the rule above, for commands that
// ask with Confirm themselves: "<question> (<amount>), profile <name>?".
func (f *Factory) ConfirmQuestion(question, amount string) string {
	q := strings.TrimSuffix(strings.TrimSpace(question), "?")
	if amount != "" {
		q += " (" + amount + ")"
	}
	if name, _, err := f.ProfileName(); err == nil && name != "" {
		q += ", profile " + name
	}
	return q + "?"
}

// confirmSend asks the pending question, once.
func (f *Factory) confirmSend() error {
	c := f.confirm
	if c == nil {
		return nil
	}
	f.confirm = nil
	ctx := context.Background()
	if f.Command != nil && f.Command.Context() != nil {
		ctx = f.Command.Context()
	}
	return f.Confirm(ctx, c.yes, c.action, f.ConfirmQuestion(c.question, c.amount), "")
}

// AddYesFlag registers --yes (-y), which answers a command's confirmation.
func AddYesFlag(cmd *cobra.Command, yes *bool) {
	cmd.Flags().BoolVarP(yes, "yes", "y", false, "do not ask for confirmation (needed off a terminal)")
}

// Ask asks a question on the terminal and returns the answer, or def for
// an empty one. Ctrl-C or Ctrl-D cancel (exit 130).
func (f *Factory) Ask(ctx context.Context, question, def string) (string, error) {
	prompt := question + ": "
	if def != "" {
		prompt = fmt.Sprintf("%s [%s]: ", question, def)
	}
	answer, err := f.readLine(ctx, prompt, false, "nothing was written")
	if err != nil {
		return "", err
	}
	if answer = strings.TrimSpace(answer); answer == "" {
		return def, nil
	}
	return answer, nil
}
