package main

import (
	"regexp"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// runHint runs the bokuctl command a hint names, exactly as printed:
// `run-hint REGEXP` takes the first submatch of REGEXP in the last
// command's stderr, splits it into words as a shell would (single and
// double quotes, no expansion), and runs it; stdout and stderr are then
// the hint's command's. `! run-hint` expects it to fail.
func runHint(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: run-hint REGEXP (with one group: the command)")
	}
	re, err := regexp.Compile(args[0])
	ts.Check(err)
	m := re.FindStringSubmatch(ts.ReadFile("stderr"))
	if len(m) < 2 {
		ts.Fatalf("no hint matching %q in stderr", args[0])
	}
	words, err := shellWords(m[1])
	ts.Check(err)
	if len(words) == 0 || words[0] != "bokuctl" {
		ts.Fatalf("the hint's command %q is not a bokuctl command", m[1])
	}
	ts.Logf("running the hint: %s", m[1])
	err = ts.Exec("bokuctl", words[1:]...)
	if err != nil && !neg {
		ts.Fatalf("the hint's command failed: %v", err)
	}
	if err == nil && neg {
		ts.Fatalf("the hint's command succeeded, expected it to fail")
	}
}

// shellWords splits s as a POSIX shell splits words, without expansions.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errUnterminated
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, errUnterminated
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

type hintError string

func (e hintError) Error() string { return string(e) }

const errUnterminated = hintError("unterminated quote in the hint's command")
