package boku

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

// dryRunView is how a dry run shows Boku's requests. The signature stays
// masked (a full one would make the printed request replayable for as long
// as Boku accepts its timestamp), and its SHA-256 is added as
// signature_sha256: whoever holds the key recomputes the signature from
// the printed timestamp, headers and body and compares the hashes, and
// nobody can send the request from what is printed. In --curl output the
// Authorization header is a command substitution that signs the same
// request again with `bokuctl sign request` when the command runs, so
// the key never appears in it.
func dryRunView(merchantID, keyID string) cmdutil.DryRunView {
	return cmdutil.DryRunView{
		Provider: string(provider.Boku),
		Check: func(name, value string) (string, string, bool) {
			if !strings.EqualFold(name, "Authorization") {
				return "", "", false
			}
			p, err := sign.Parse(value)
			if err != nil {
				return "", "", false
			}
			sum := sha256.Sum256([]byte(p.Signature))
			return "signature_sha256", hex.EncodeToString(sum[:]), true
		},
		Curl: func(req *http.Request, body []byte, name, value string) (string, bool) {
			if !strings.EqualFold(name, "Authorization") {
				return "", false
			}
			p, err := sign.Parse(value)
			if err != nil {
				return "", false
			}
			args := []string{"bokuctl", "sign", "request", "--method", req.Method, "--path", cmdutil.ShellQuote(req.URL.RequestURI())}
			for _, h := range p.SignedHeaders {
				args = append(args, "--header", cmdutil.ShellQuote(h+": "+req.Header.Get(h)))
			}
			if len(p.SignedHeaders) > 0 {
				args = append(args, "--signed-headers", cmdutil.ShellQuote(strings.Join(p.SignedHeaders, ";")))
			}
			args = append(args, "--partner-id", cmdutil.ShellQuote(merchantID), "--key-id", cmdutil.ShellQuote(keyID))
			sign := strings.Join(args, " ")
			if len(body) > 0 {
				sign = "printf %s " + cmdutil.ShellQuote(string(body)) + " | " + sign + " --body-file /dev/stdin"
			}
			return `"` + name + `: $(` + sign + ` --jq .header_value)"`, true
		},
	}
}
