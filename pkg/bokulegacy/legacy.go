// Package bokulegacy is a client for the part of Boku's legacy billing API
// (https://api2.boku.com, "api2") that bokuctl still uses: the
// service-prices check that Mozilla's solitude used to verify a service
// id. It is not a Boku Direct Payments 3.0 call: requests are GETs of
// /billing/request with form parameters signed by an MD5 "sig", and
// answers are XML with a <result-code> (0 = success) and <result-msg>.
//
// The request and answer shapes follow solitude's client and its recorded
// sample answers (Boku's own legacy documentation is not public): the
// whole package is marked inferred in docs/boku.md.
package bokulegacy

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
)

// DefaultBaseURL is Boku's legacy API host.
const DefaultBaseURL = "https://api2.boku.com"

// Signature is hex(md5(name1 value1 name2 value2 … key)) over every
// parameter but sig, sorted by name: the legacy API's request and callback
// signature.
func Signature(params url.Values, key []byte) string {
	names := make([]string, 0, len(params))
	for name := range params {
		if name != "sig" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	h := md5.New()
	for _, name := range names {
		for _, v := range params[name] {
			h.Write([]byte(name))
			h.Write([]byte(v))
		}
	}
	h.Write(key)
	return hex.EncodeToString(h.Sum(nil))
}

// Config configures a Client.
type Config struct {
	MerchantID string
	Key        []byte
	// BaseURL is the legacy host; empty means DefaultBaseURL.
	BaseURL    string
	HTTPClient *http.Client
	Now        func() time.Time
}

// Client talks to Boku's legacy API.
type Client struct{ cfg Config }

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.MerchantID == "":
		return nil, errors.New("no merchant id (boku.merchant-id)")
	case len(cfg.Key) == 0:
		return nil, errors.New("no signing key (secret boku-key)")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg}, nil
}

// MerchantID is the configured merchant.
func (c *Client) MerchantID() string { return c.cfg.MerchantID }

// Price is one price point of a service.
type Price struct {
	Country       string `xml:"country,attr"`
	Currency      string `xml:"currency,attr"`
	Amount        string `xml:"amount,attr"` // minor units
	DecimalPlaces string `xml:"currency-decimal-places,attr"`
	PriceIncTax   string `xml:"price-inc-salestax,attr"`
	DisplayPrice  string `xml:"display-price,attr"`
}

// Service is one <service> of a service-prices answer.
type Service struct {
	ID                string  `xml:"id,attr"`
	Name              string  `xml:"name,attr"`
	ReferenceCurrency string  `xml:"reference-currency,attr"`
	Prices            []Price `xml:"key-value>pricing"`
}

// ServicePrices is the answer to action=service-prices. Its root is
// <service-prices>; an error answer may instead be rooted <billing-request>
// (as in solitude's recorded answers), with the same result-code and
// result-msg: any root is read, as solitude did.
type ServicePrices struct {
	XMLName    xml.Name
	ResultCode string    `xml:"result-code"`
	ResultMsg  string    `xml:"result-msg"`
	Services   []Service `xml:"service"`
}

// ResultError is an answer whose result-code is not 0.
type ResultError struct {
	Action string
	Code   int
	Msg    string
}

func (e *ResultError) Error() string {
	return fmt.Sprintf("boku %s: %s (result code %d)", e.Action, e.Msg, e.Code)
}

// ExitCode is 3: Boku answered no.
func (e *ResultError) ExitCode() exitcode.Code { return exitcode.Declined }

// ServicePrices asks for a service's price points; a service id Boku does
// not know for the merchant is a *ResultError.
func (c *Client) ServicePrices(ctx context.Context, serviceID string) (*ServicePrices, error) {
	params := url.Values{"action": {"service-prices"}, "service-id": {serviceID}}
	var answer ServicePrices
	if err := c.call(ctx, params, &answer); err != nil {
		return nil, err
	}
	code, err := strconv.Atoi(strings.TrimSpace(answer.ResultCode))
	if err != nil {
		return nil, exitcode.New(exitcode.Unavailable, "boku service-prices: no result code in the answer")
	}
	if code != 0 {
		return &answer, &ResultError{Action: "service-prices", Code: code, Msg: answer.ResultMsg}
	}
	return &answer, nil
}

// call signs params, GETs /billing/request and decodes the XML answer.
func (c *Client) call(ctx context.Context, params url.Values, answer any) error {
	action := params.Get("action")
	params.Set("merchant-id", c.cfg.MerchantID)
	params.Set("timestamp", strconv.FormatInt(c.cfg.Now().Unix(), 10))
	params.Set("sig", Signature(params, c.cfg.Key))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.BaseURL+"/billing/request?"+params.Encode(), nil)
	if err != nil {
		return fmt.Errorf("boku %s: %w", action, err)
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		// A read-only call: nothing to settle.
		return exitcode.New(exitcode.Unavailable, "boku %s: cannot reach Boku's legacy API: %v", action, err).
			WithHint("check boku.legacy-base-url and the network; nothing was processed")
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return exitcode.New(exitcode.Unavailable, "boku %s: reading the answer: %v", action, err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return exitcode.New(exitcode.Auth, "boku %s: refused (HTTP %d): %s", action, resp.StatusCode, strings.TrimSpace(string(body))).
			WithHint("check boku.merchant-id and the boku-key secret")
	case resp.StatusCode != http.StatusOK:
		return exitcode.New(exitcode.Unavailable, "boku %s: HTTP %d", action, resp.StatusCode).WithHint("try again later")
	}
	if err := decodeXML(body, answer); err != nil {
		return exitcode.New(exitcode.Unavailable, "boku %s: malformed answer: %v", action, err)
	}
	return nil
}

// decodeXML reads an answer in UTF-8 or in ISO-8859-1 (latin-1), which
// the legacy API declares in some answers (solitude's recorded
// verify-trx-id answer is <?xml version="1.0" encoding="ISO-8859-1" ?>).
func decodeXML(body []byte, answer any) error {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.CharsetReader = charsetReader
	return dec.Decode(answer)
}

// charsetReader decodes the one non-UTF-8 charset the legacy API is known
// to declare: ISO-8859-1 maps each byte to the rune of the same number.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1":
		return &latin1Reader{r: input}, nil
	case "us-ascii", "ascii":
		return input, nil
	}
	return nil, fmt.Errorf("answer declares encoding %q: only UTF-8 and ISO-8859-1 are read", charset)
}

// latin1Reader turns ISO-8859-1 bytes into UTF-8.
type latin1Reader struct {
	r       io.Reader
	pending []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	for len(l.pending) == 0 {
		buf := make([]byte, max(len(p)/2, 1))
		n, err := l.r.Read(buf)
		for _, b := range buf[:n] {
			l.pending = utf8.AppendRune(l.pending, rune(b))
		}
		if n == 0 && err != nil {
			return 0, err
		}
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}

// Decimal renders a price's minor-unit amount with its decimal places ("" if
// it cannot).
func (p Price) Decimal() string {
	minor, err := strconv.ParseInt(p.Amount, 10, 64)
	if err != nil {
		return ""
	}
	if places, err := strconv.Atoi(p.DecimalPlaces); err == nil && places >= 0 && places <= 4 {
		return money.FormatMinor(minor, places)
	}
	if a, err := money.FromMinor(minor, p.Currency); err == nil {
		return a.Decimal()
	}
	return ""
}
