// Package bokulegacy fakes the one call of Boku's legacy billing API
// (api2.boku.com) that bokuctl makes: GET /billing/request with
// action=service-prices, as Mozilla's solitude called it to verify a
// service id. It checks the merchant, the timestamp and the MD5 "sig" of
// the parameters, and answers <service-prices> XML with a result code.
//
// Shapes follow solitude's client and recorded answers; what solitude does
// not show is the sandbox's own choice (docs/sandbox.md): a bad signature,
// unknown merchant or stale timestamp is HTTP 401 text, and an unknown
// service id is result-code 14 "Invalid service-id".
package bokulegacy

import (
	"bytes"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Merchant is an account the fake knows: its key and its services.
type Merchant struct {
	ID       string
	Key      []byte
	Services []Service
}

// Service is a service id with one price point.
type Service struct {
	ID, Name, Country, Currency string
	// AmountMinor is the price in minor units, DecimalPlaces its exponent.
	AmountMinor   int64
	DecimalPlaces int
}

// Server is the fake legacy API.
type Server struct {
	merchants map[string]Merchant
	now       func() time.Time
	mu        sync.Mutex
	requests  int
}

// New returns a fake that knows merchants.
func New(merchants ...Merchant) *Server {
	s := &Server{merchants: map[string]Merchant{}, now: time.Now}
	for _, m := range merchants {
		s.merchants[m.ID] = m
	}
	return s
}

// RequestCount is how many requests the fake has received.
func (s *Server) RequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// maxSkew is how far a request's timestamp may be from the fake's clock.
const maxSkew = 5 * time.Minute

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	if r.URL.Path != "/billing/request" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	params := r.URL.Query()
	merchant, ok := s.merchants[params.Get("merchant-id")]
	if !ok {
		http.Error(w, "unknown merchant-id", http.StatusUnauthorized)
		return
	}
	ts, err := strconv.ParseInt(params.Get("timestamp"), 10, 64)
	if d := s.now().Sub(time.Unix(ts, 0)); err != nil || d > maxSkew || d < -maxSkew {
		http.Error(w, "timestamp missing or too far from now", http.StatusUnauthorized)
		return
	}
	if len(params["sig"]) != 1 || subtle.ConstantTimeCompare([]byte(params.Get("sig")), []byte(expectedSig(params, merchant.Key))) != 1 {
		http.Error(w, "sig does not match", http.StatusUnauthorized)
		return
	}
	switch params.Get("action") {
	case "service-prices":
		s.servicePrices(w, merchant, params.Get("service-id"))
	default:
		writeXML(w, billingRequest{ResultCode: 3, ResultMsg: fmt.Sprintf("Unsupported action %q", params.Get("action"))})
	}
}

// expectedSig is the sig the legacy API expects, written from its
// description and not from the client's code, so that a signing bug in
// pkg/bokulegacy fails against the fake instead of being agreed with: the
// lower-case hex MD5 of every parameter but sig, sorted by name, each name
// followed by its value (a repeated name once per value, in the order
// given), then the merchant's key.
func expectedSig(params url.Values, key []byte) string {
	var names []string
	for name := range params {
		if name != "sig" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var text bytes.Buffer
	for _, name := range names {
		for _, value := range params[name] {
			text.WriteString(name)
			text.WriteString(value)
		}
	}
	text.Write(key)
	sum := md5.Sum(text.Bytes())
	return hex.EncodeToString(sum[:])
}

type billingRequest struct {
	XMLName    xml.Name `xml:"billing-request"`
	ResultCode int      `xml:"result-code"`
	ResultMsg  string   `xml:"result-msg"`
}

type pricing struct {
	Country       string `xml:"country,attr"`
	Amount        int64  `xml:"amount,attr"`
	Currency      string `xml:"currency,attr"`
	DecimalPlaces int    `xml:"currency-decimal-places,attr"`
	PriceIncTax   int64  `xml:"price-inc-salestax,attr"`
	DisplayPrice  string `xml:"display-price,attr"`
}

type keyValue struct {
	RowRef  int     `xml:"row-ref,attr"`
	Pricing pricing `xml:"pricing"`
}

type service struct {
	ID                string     `xml:"id,attr"`
	Name              string     `xml:"name,attr"`
	ReferenceCurrency string     `xml:"reference-currency,attr"`
	PriceMode         string     `xml:"price-mode,attr"`
	KeyValues         []keyValue `xml:"key-value"`
}

type servicePrices struct {
	XMLName    xml.Name  `xml:"service-prices"`
	Action     string    `xml:"action"`
	ResultCode int       `xml:"result-code"`
	ResultMsg  string    `xml:"result-msg"`
	Services   []service `xml:"service"`
}

func (s *Server) servicePrices(w http.ResponseWriter, m Merchant, id string) {
	answer := servicePrices{Action: "service-prices", ResultCode: 14, ResultMsg: "Invalid service-id"}
	for _, svc := range m.Services {
		if svc.ID != id {
			continue
		}
		answer.ResultCode, answer.ResultMsg = 0, "Operation Successful"
		p := pricing{Country: svc.Country, Amount: svc.AmountMinor, Currency: svc.Currency, DecimalPlaces: svc.DecimalPlaces,
			PriceIncTax: svc.AmountMinor, DisplayPrice: display(svc)}
		answer.Services = []service{{ID: svc.ID, Name: svc.Name, ReferenceCurrency: svc.Currency, PriceMode: "price",
			KeyValues: []keyValue{{RowRef: 0, Pricing: p}}}}
	}
	writeXML(w, answer)
}

func display(svc Service) string {
	unit := int64(1)
	for range svc.DecimalPlaces {
		unit *= 10
	}
	if svc.DecimalPlaces == 0 {
		return fmt.Sprintf("%d %s", svc.AmountMinor, svc.Currency)
	}
	return fmt.Sprintf("%d.%0*d %s", svc.AmountMinor/unit, svc.DecimalPlaces, svc.AmountMinor%unit, svc.Currency)
}

func writeXML(w http.ResponseWriter, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
	w.Write([]byte(xml.Header))
	w.Write(body)
}
