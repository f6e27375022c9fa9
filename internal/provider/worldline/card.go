package worldline

import (
	"io"
	"os"
	"time"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// ReadCard reads card JSON from --card-file or stdin; never from flags, so
// the number never reaches shell history or the process list. Errors never
// quote the card.
func ReadCard(f *cmdutil.Factory, file string, needCVC bool) (acquiring.PlainCardData, error) {
	var data []byte
	var err error
	switch {
	case file != "" && file != "-":
		data, err = os.ReadFile(file)
	default:
		if _, isTerminal := f.IO.StdinIsTerminal(); isTerminal {
			return acquiring.PlainCardData{}, exitcode.New(exitcode.Usage, "card data is read from stdin or --card-file, as JSON").
				WithHint(`pipe it in, e.g. cat card.json | bokuctl charge …, or pass --card-file card.json`)
		}
		data, err = io.ReadAll(io.LimitReader(f.IO.In, 64<<10))
	}
	if err != nil {
		return acquiring.PlainCardData{}, exitcode.New(exitcode.Usage, "read card data: %v", err)
	}
	card, err := acquiring.ParseCard(data, time.Now())
	if err != nil {
		return acquiring.PlainCardData{}, exitcode.New(exitcode.Usage, "%v", err).
			WithHint(`give the card as JSON {"number":"…","expiry":"MMYYYY","cvc":"…"} on stdin or in --card-file`)
	}
	if needCVC && card.CardSecurityCode == "" {
		return acquiring.PlainCardData{}, exitcode.New(exitcode.Usage, "card: cvc is required here")
	}
	return card, nil
}
