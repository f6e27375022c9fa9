package worldline

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// maxCardFile bounds --card-file: card JSON is well under 1 KiB.
const maxCardFile = 8 << 10

// readCardFile reads --card-file, at most maxCardFile bytes: a bigger file
// (or /dev/zero) is a usage error that never quotes the content.
func readCardFile(file string) ([]byte, error) {
	in, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	data, err := io.ReadAll(io.LimitReader(in, maxCardFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxCardFile {
		return nil, exitcode.New(exitcode.Usage, "--card-file %s is larger than %d KiB: it must hold only the card JSON", file, maxCardFile>>10).
			WithHint(`give the card as JSON {"number":"…","expiry":"MMYYYY","cvc":"…"}`)
	}
	return data, nil
}

// ReadCard reads card JSON from --card-file or stdin; never from flags, so
// the number never reaches shell history or the process list. Errors never
// quote the card.
func ReadCard(f *cmdutil.Factory, file string, needCVC bool) (acquiring.PlainCardData, error) {
	var data []byte
	var err error
	switch {
	case file != "" && file != "-":
		data, err = readCardFile(file)
	default:
		if _, isTerminal := f.IO.StdinIsTerminal(); isTerminal {
			return acquiring.PlainCardData{}, exitcode.New(exitcode.Usage, "card data is read from stdin or --card-file, as JSON").
				WithHint(`pipe it in, e.g. cat card.json | bokuctl charge …, or pass --card-file card.json`)
		}
		data, err = io.ReadAll(io.LimitReader(f.IO.In, 64<<10))
	}
	if _, ok := err.(*exitcode.Error); ok {
		return acquiring.PlainCardData{}, err
	}
	if err != nil {
		return acquiring.PlainCardData{}, exitcode.New(exitcode.Usage, "read card data: %v", err)
	}
	// Errors name where the card came from (the flag and its file, or
	// stdin) and the field at fault, never the card's values.
	source, where := "card on stdin", "the JSON on stdin"
	if file != "" && file != "-" {
		source, where = "--card-file "+file, file
	}
	card, err := acquiring.ParseCard(data, time.Now())
	if err != nil {
		hint := `give the card as JSON {"number":"…","expiry":"MMYYYY","cvc":"…"} on stdin or in --card-file`
		var ce *acquiring.CardError
		if errors.As(err, &ce) && ce.Field != "" {
			hint = fmt.Sprintf(`fix %q in %s; the card is JSON {"number":"…","expiry":"MMYYYY","cvc":"…"}`, ce.Field, where)
		}
		return acquiring.PlainCardData{}, exitcode.New(exitcode.Usage, "%s: %v", source, err).WithHint("%s", hint)
	}
	if needCVC && card.CardSecurityCode == "" {
		return acquiring.PlainCardData{}, exitcode.New(exitcode.Usage, "%s: card field \"cvc\" is required here", source).
			WithHint(`add "cvc" to %s (only a subsequent card-on-file payment goes without one)`, where)
	}
	return card, nil
}
