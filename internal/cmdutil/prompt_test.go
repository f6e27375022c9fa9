package cmdutil

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

func TestEditLine(t *testing.T) {
	for _, tc := range []struct {
		name, keys, want, echo string
		hidden, canceled       bool
	}{
		{name: "enter ends", keys: "yes\r", want: "yes", echo: "yes\r\n"},
		{name: "newline ends", keys: "y\n", want: "y", echo: "y\r\n"},
		{name: "backspace", keys: "yx\x7fes\r", want: "yes", echo: "yx\b \bes\r\n"},
		{name: "backspace removes a whole rune", keys: "né\x7fo\r", want: "no"},
		{name: "ctrl-u starts again", keys: "abc\x15yes\r", want: "yes"},
		{name: "arrow keys ignored", keys: "y\x1b[Ae\x1bOBs\r", want: "yes"},
		{name: "other control keys ignored", keys: "y\x01\x05es\r", want: "yes"},
		{name: "hidden echoes nothing but the line end", keys: "s3cret\r", want: "s3cret", echo: "\r\n", hidden: true},
		{name: "ctrl-c cancels", keys: "s3cr\x03et\r", canceled: true, hidden: true},
		{name: "ctrl-d cancels anywhere", keys: "s3cr\x04et\r", canceled: true, hidden: true},
		{name: "end of input cancels", keys: "s3cret", canceled: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var echo bytes.Buffer
			got, err := editLine(strings.NewReader(tc.keys), &echo, tc.hidden)
			if tc.canceled {
				if !errors.Is(err, errPromptCanceled) || got != "" {
					t.Fatalf("editLine = %q, %v; want cancelled", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("editLine = %q, %v; want %q", got, err, tc.want)
			}
			if tc.echo != "" && echo.String() != tc.echo {
				t.Errorf("echo = %q, want %q", echo.String(), tc.echo)
			}
			if tc.hidden && strings.Contains(echo.String(), tc.want) {
				t.Errorf("hidden input echoed: %q", echo.String())
			}
		})
	}
}

func TestEditLineBoundsTheAnswer(t *testing.T) {
	_, err := editLine(strings.NewReader(strings.Repeat("a", maxPromptLine+1)+"\r"), &bytes.Buffer{}, true)
	if err == nil || errors.Is(err, errPromptCanceled) {
		t.Fatalf("editLine of an over-long line = %v, want a size error", err)
	}
}

func FuzzEditLine(f *testing.F) {
	f.Add("yes\r", false)
	f.Add("a\x1b[1;5Cb\x7f\x15c\x03", true)
	f.Fuzz(func(t *testing.T, keys string, hidden bool) {
		var echo bytes.Buffer
		line, err := editLine(strings.NewReader(keys), &echo, hidden)
		if err != nil {
			return
		}
		if strings.ContainsAny(line, "\r\n\x03\x04\x1b") {
			t.Fatalf("line %q holds a control key", line)
		}
		if hidden && echo.String() != "\r\n" {
			t.Fatalf("hidden input echoed %q", echo.String())
		}
	})
}

func TestConfirmOffATerminal(t *testing.T) {
	f := NewFactory(&output.IOStreams{In: strings.NewReader("y\n"), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}, InTTY: true, OutTTY: true}, func(string) string { return "" })
	if err := f.Confirm(t.Context(), true, "a full refund", "Refund?", ""); err != nil {
		t.Fatalf("--yes must answer: %v", err)
	}
	err := f.Confirm(t.Context(), false, "a full refund", "Refund?", "")
	if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "a full refund needs confirmation") || exitcode.HintOf(err) != "pass --yes to confirm" {
		t.Fatalf("Confirm without a terminal = %v (exit %d), want a usage error naming --yes", err, exitcode.Of(err))
	}
}

// The one confirmation question: "<question> (<amount>), profile <name>?",
// and the --yes a hint needs off a terminal.
func TestConfirmQuestionShape(t *testing.T) {
	f := NewFactory(&output.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}},
		func(k string) string { return map[string]string{"BOKUCTL_PROFILE": "shop"}[k] })
	for _, c := range []struct{ question, amount, want string }{
		{"Refund ch-1 in full", "4.99 GBP", "Refund ch-1 in full (4.99 GBP), profile shop?"},
		{"Reverse refund r-1?", "", "Reverse refund r-1, profile shop?"},
	} {
		if got := f.ConfirmQuestion(c.question, c.amount); got != c.want {
			t.Errorf("ConfirmQuestion(%q, %q) = %q, want %q", c.question, c.amount, got, c.want)
		}
	}
	if got := f.YesArg(); got != " --yes" {
		t.Errorf("YesArg off a terminal = %q", got)
	}
	// The pending question takes its amount later; off a terminal, without
	// --yes, it refuses naming --yes.
	f.ConfirmBeforeSending(false, "a full refund", "Refund ch-1 in full")
	f.SetConfirmAmount("4.99 GBP")
	if !f.ConfirmPending() || f.confirm.amount != "4.99 GBP" {
		t.Fatalf("pending confirmation: %+v", f.confirm)
	}
	err := f.confirmSend()
	var coded *exitcode.Error
	if exitcode.Of(err) != exitcode.Usage || !errors.As(err, &coded) || coded.Hint != "pass --yes to confirm" {
		t.Fatalf("confirmSend off a terminal: %v", err)
	}
	f.ConfirmBeforeSending(true, "a full refund", "Refund ch-1 in full")
	if err := f.confirmSend(); err != nil {
		t.Fatalf("--yes: %v", err)
	}
}
