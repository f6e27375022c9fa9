// Package ottu is a faithful fake of Ottu's Payment Methods API for tests
// and `bokuctl sandbox`: it requires Api-Key or Basic auth, applies Basic
// users' "Can use <pg_code>" permissions, requires plugin, filters by every
// documented field, serves a realistic catalogue, and counts requests so
// tests can prove a cache hit sent nothing. Magic customer ids trigger
// faults (docs/sandbox.md).
package ottu

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
)

// User is a Basic-auth user with its gateway permissions (pg codes).
type User struct {
	Name, Password string
	CanUse         []string
}

// Magic customer ids.
const (
	CustomerRateLimited = "rate-limited"   // 429 with Retry-After: 30
	CustomerServerError = "server-error"   // 500
	CustomerBadJSON     = "malformed-json" // 200 with a broken body
	// CustomerWithWallet has a positive wallet balance: the answer adds a
	// payment method of type "wallet" without a code.
	CustomerWithWallet = "cust-wallet"
)

type service struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameAr string `json:"name_ar"`
}

type method struct {
	Code               string    `json:"code"`
	Name               string    `json:"name"`
	PG                 string    `json:"pg,omitempty"`
	IsSandbox          bool      `json:"is_sandbox"`
	Logo               string    `json:"logo"`
	Wallets            []string  `json:"wallets"`
	PaymentServices    []service `json:"payment_services"`
	DefaultCurrency    string    `json:"default_currency"`
	AcceptedCurrencies []string  `json:"accepted_currencies"`
	Operation          string    `json:"operation"`
	Operations         []string  `json:"operations"`
	IsTokenizable      bool      `json:"is_tokenizable"`
	AutoDebitEnabled   bool      `json:"auto_debit_enabled"`
	Tags               []string  `json:"tags"`
	// plugins the gateway works with; not part of the answer.
	plugins []string
	// RandomField is there because Ottu may add fields; clients must cope.
	RandomField string `json:"random_field_x,omitempty"`
}

var (
	applePay  = service{"apple_pay", "Apple Pay", "أبل باي"}
	googlePay = service{"google_pay", "Google Pay", "جوجل باي"}
	samsung   = service{"samsung_pay", "Samsung Pay", "سامسونج"}
	wallet    = service{"wallet", "Wallet", "محفظة"}
	both      = []string{"e_commerce", "payment_request"}
)

// catalogue is the fake merchant's gateways.
func catalogue() []method {
	logo := func(code string) string { return "https://sandbox.ottu.net/static/logos/" + code + ".svg" }
	return []method{
		{Code: "kpay", Name: "kpay", PG: "KNET", IsSandbox: true, Logo: logo("kpay"), Wallets: []string{}, PaymentServices: []service{}, DefaultCurrency: "KWD", AcceptedCurrencies: []string{"KWD"}, Operation: "purchase", Operations: []string{"refund"}, Tags: []string{"e_commerce", "pos"}, plugins: both},
		{Code: "kpay-prod", Name: "kpay", PG: "KNET", IsSandbox: false, Logo: logo("kpay"), Wallets: []string{}, PaymentServices: []service{}, DefaultCurrency: "KWD", AcceptedCurrencies: []string{"KWD"}, Operation: "purchase", Operations: []string{"refund"}, Tags: []string{"e_commerce"}, plugins: both},
		{Code: "mpgs-kwd", Name: "mpgs", PG: "Mastercard", IsSandbox: true, Logo: logo("mpgs"), Wallets: []string{"ApplePay", "GooglePay"}, PaymentServices: []service{applePay, googlePay}, DefaultCurrency: "KWD", AcceptedCurrencies: []string{"KWD", "USD", "EUR"}, Operation: "authorize", Operations: []string{"refund", "void", "capture"}, IsTokenizable: true, AutoDebitEnabled: true, Tags: []string{"e_commerce", "subscriptions", "demo"}, plugins: both, RandomField: "ignored"},
		{Code: "mpgs-usd-prod", Name: "mpgs", PG: "Mastercard", IsSandbox: false, Logo: logo("mpgs"), Wallets: []string{"ApplePay"}, PaymentServices: []service{applePay}, DefaultCurrency: "USD", AcceptedCurrencies: []string{"USD", "EUR"}, Operation: "purchase", Operations: []string{"refund", "void"}, IsTokenizable: true, Tags: []string{"e_commerce", "retail"}, plugins: []string{"e_commerce"}},
		{Code: "ottu_pg_kwd_tkn", Name: "ottu_pg", PG: "Ottu PG", IsSandbox: true, Logo: logo("ottu_pg"), Wallets: []string{}, PaymentServices: []service{wallet}, DefaultCurrency: "KWD", AcceptedCurrencies: []string{"KWD", "SAR"}, Operation: "purchase", Operations: []string{"refund", "void"}, IsTokenizable: true, AutoDebitEnabled: true, Tags: []string{"subscriptions", "invoicing"}, plugins: both},
		{Code: "hyperpay-sar", Name: "hyperpay", PG: "HyperPay", IsSandbox: true, Logo: logo("hyperpay"), Wallets: []string{"ApplePay"}, PaymentServices: []service{applePay, samsung}, DefaultCurrency: "SAR", AcceptedCurrencies: []string{"SAR"}, Operation: "purchase", Operations: []string{"refund"}, Tags: []string{"e_commerce", "mobile_app"}, plugins: both},
		{Code: "stc_pay", Name: "stc_pay", IsSandbox: false, Logo: logo("stc_pay"), Wallets: []string{}, PaymentServices: []service{wallet}, DefaultCurrency: "SAR", AcceptedCurrencies: []string{"SAR"}, Operation: "purchase", Operations: []string{"refund"}, Tags: []string{"mobile_app", "retail"}, plugins: []string{"payment_request"}},
		{Code: "checkoutcom-eur", Name: "checkoutcom", PG: "Checkout.com", IsSandbox: true, Logo: logo("checkoutcom"), Wallets: []string{"ApplePay", "GooglePay"}, PaymentServices: []service{applePay, googlePay}, DefaultCurrency: "EUR", AcceptedCurrencies: []string{"EUR", "USD"}, Operation: "authorize", Operations: []string{"refund", "void", "capture"}, IsTokenizable: true, Tags: []string{"e_commerce", "ticket_booking"}, plugins: both},
		{Code: "benefit", Name: "benefit", PG: "Benefit", IsSandbox: false, Logo: logo("benefit"), Wallets: []string{}, PaymentServices: []service{}, DefaultCurrency: "BHD", AcceptedCurrencies: []string{"BHD"}, Operation: "purchase", Operations: []string{"refund"}, Tags: []string{"government"}, plugins: both},
		{Code: "cod", Name: "cod", PG: "Cash on delivery", IsSandbox: true, Logo: logo("cod"), Wallets: []string{}, PaymentServices: []service{}, DefaultCurrency: "KWD", AcceptedCurrencies: []string{"KWD", "SAR", "USD"}, Operation: "purchase", Operations: []string{}, Tags: []string{"logistics", "retail"}, plugins: []string{"e_commerce"}},
	}
}

// customers maps a customer id to the gateways of its paid attempts.
var customers = map[string][]string{
	"cust-1": {"ottu_pg_kwd_tkn", "mpgs-kwd"},
	"cust-2": {"hyperpay-sar"},
}

// Server is the fake; it is an http.Handler.
type Server struct {
	apiKey string
	users  map[string]User

	mu       sync.Mutex
	requests int
}

// New returns a fake accepting apiKey (admin) and the given Basic users.
func New(apiKey string, users ...User) *Server {
	s := &Server{apiKey: apiKey, users: map[string]User{}}
	for _, u := range users {
		s.users[u.Name] = u
	}
	return s
}

// RequestCount is how many payment-methods requests arrived.
func (s *Server) RequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(data)
}

func detail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"detail": msg})
}

// ServeHTTP answers POST /b/pbl/v2/payment-methods/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/b/pbl/v2/payment-methods/" {
		detail(w, http.StatusNotFound, "Not found.")
		return
	}
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	if r.Method != http.MethodPost {
		detail(w, http.StatusMethodNotAllowed, `Method "`+r.Method+`" not allowed.`)
		return
	}
	allowed, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	var req map[string]json.RawMessage
	if json.Unmarshal(body, &req) != nil {
		writeJSON(w, http.StatusBadRequest, map[string][]string{"non_field_errors": {"Invalid data. Expected a dictionary."}})
		return
	}
	f, fieldErrors := parseFilters(req)
	if len(fieldErrors) > 0 {
		writeJSON(w, http.StatusBadRequest, fieldErrors)
		return
	}
	switch f.customerID {
	case CustomerRateLimited:
		w.Header().Set("Retry-After", "30")
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": map[string]string{"type": "rate_limit_error", "code": "throttled", "message": "Request was throttled."}})
		return
	case CustomerServerError:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "<h1>Server Error (500)</h1>")
		return
	case CustomerBadJSON:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"payment_methods": [{"code": "kpay", `)
		return
	}
	result := []method{}
	for _, m := range catalogue() {
		if allowed(m.Code) && f.match(m) {
			result = append(result, m)
		}
	}
	customer := []string{}
	for _, code := range customers[f.customerID] {
		if allowed(code) {
			customer = append(customer, code)
		}
	}
	var methods []any
	for _, m := range result {
		methods = append(methods, m)
	}
	if f.customerID == CustomerWithWallet {
		// "When a customer has positive wallet balance … a method with
		// type: "wallet" appears"; its other fields are not documented,
		// so the fake sends the type alone.
		methods = append(methods, map[string]string{"type": "wallet"})
	}
	if methods == nil {
		methods = []any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"customer_payment_methods": customer, "payment_methods": methods})
}

// authenticate checks the Authorization header and returns the
// permission check for the caller.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (func(code string) bool, bool) {
	scheme, credentials, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	switch scheme {
	case "Api-Key":
		if credentials != "" && credentials == s.apiKey {
			return func(string) bool { return true }, true
		}
	case "Basic":
		raw, err := base64.StdEncoding.DecodeString(credentials)
		name, password, _ := strings.Cut(string(raw), ":")
		if u, ok := s.users[name]; err == nil && ok && u.Password == password {
			if len(u.CanUse) == 0 {
				detail(w, http.StatusForbidden, "You do not have permission to perform this action.")
				return nil, false
			}
			can := map[string]bool{}
			for _, c := range u.CanUse {
				can[c] = true
			}
			return func(code string) bool { return can[code] }, true
		}
	case "":
		detail(w, http.StatusUnauthorized, "Authentication credentials were not provided.")
		return nil, false
	}
	detail(w, http.StatusUnauthorized, "Invalid authentication credentials.")
	return nil, false
}

type filters struct {
	plugin, customerID, operation, typ  string
	currencies, pgNames, tags, services []string
	tokenizable, autoDebit              *bool
}

// parseFilters reads the body as DRF would, collecting field errors.
func parseFilters(req map[string]json.RawMessage) (filters, map[string][]string) {
	errs := map[string][]string{}
	var f filters
	str := func(name string, dst *string, choices ...string) {
		raw, ok := req[name]
		if !ok {
			return
		}
		if json.Unmarshal(raw, dst) != nil {
			errs[name] = []string{"Not a valid string."}
			return
		}
		if len(choices) > 0 {
			for _, c := range choices {
				if *dst == c {
					return
				}
			}
			errs[name] = []string{`"` + *dst + `" is not a valid choice.`}
		}
	}
	list := func(name string, dst *[]string) {
		if raw, ok := req[name]; ok && json.Unmarshal(raw, dst) != nil {
			errs[name] = []string{`Expected a list of items.`}
		}
	}
	boolean := func(name string) *bool {
		raw, ok := req[name]
		if !ok {
			return nil
		}
		var b bool
		var s string
		switch {
		case json.Unmarshal(raw, &b) == nil:
		case json.Unmarshal(raw, &s) == nil && (s == "true" || s == "false"):
			b = s == "true"
		default:
			errs[name] = []string{"Must be a valid boolean."}
			return nil
		}
		return &b
	}
	if _, ok := req["plugin"]; !ok {
		errs["plugin"] = []string{"This field is required."}
	}
	str("plugin", &f.plugin, "e_commerce", "payment_request")
	str("customer_id", &f.customerID)
	str("operation", &f.operation, "purchase", "authorize")
	str("type", &f.typ, "sandbox", "production")
	list("currencies", &f.currencies)
	list("pg_names", &f.pgNames)
	list("tags", &f.tags)
	list("payment_services", &f.services)
	f.tokenizable, f.autoDebit = boolean("tokenizable"), boolean("auto_debit")
	for _, s := range f.services {
		switch s {
		case "apple_pay", "google_pay", "samsung_pay", "wallet":
		default:
			errs["payment_services"] = []string{`"` + s + `" is not a valid choice.`}
		}
	}
	return f, errs
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func anyOf(have, want []string) bool {
	for _, w := range want {
		if contains(have, w) {
			return true
		}
	}
	return false
}

// match applies the filters: currencies must all be accepted; tags and
// payment services match if any does; the rest must be equal.
func (f filters) match(m method) bool {
	if !contains(m.plugins, f.plugin) {
		return false
	}
	for _, c := range f.currencies {
		if !contains(m.AcceptedCurrencies, c) {
			return false
		}
	}
	var services []string
	for _, s := range m.PaymentServices {
		services = append(services, s.Code)
	}
	switch {
	case f.operation != "" && m.Operation != f.operation,
		f.typ == "sandbox" && !m.IsSandbox,
		f.typ == "production" && m.IsSandbox,
		f.tokenizable != nil && m.IsTokenizable != *f.tokenizable,
		f.autoDebit != nil && m.AutoDebitEnabled != *f.autoDebit,
		len(f.pgNames) > 0 && !contains(f.pgNames, m.Name),
		len(f.tags) > 0 && !anyOf(m.Tags, f.tags),
		len(f.services) > 0 && !anyOf(services, f.services):
		return false
	}
	return true
}
