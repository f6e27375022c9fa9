// Package sandbox puts the Boku, Worldline and Ottu fakes behind one
// loopback address for `bokuctl sandbox serve` and `bokuctl sandbox demo`,
// with public sandbox credentials, a profile that points at them, and
// optional state persistence.
package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/bokuctl/bokuctl/internal/sandbox/boku"
	"github.com/bokuctl/bokuctl/internal/sandbox/bokulegacy"
	"github.com/bokuctl/bokuctl/internal/sandbox/ottu"
	"github.com/bokuctl/bokuctl/internal/sandbox/worldline"
	"github.com/bokuctl/bokuctl/pkg/atomicfile"
)

// The sandbox's credentials. They are public on purpose: the sandbox moves
// no money and listens on loopback only.
const (
	BokuMerchantID     = "sandbox-merchant"
	BokuKeyID          = "sandbox-key-1"
	BokuKey            = "sandbox-boku-key-not-a-secret"
	BokuServiceID      = "svc-sandbox-1"
	WorldlineAcquirer  = "100812"
	WorldlineMerchant  = "520002526"
	WorldlineClientID  = "sandbox-client"
	WorldlineSecret    = "sandbox-worldline-secret-not-a-secret"
	OttuAPIKey         = "sandbox-ottu-key-not-a-secret"
	OttuUser           = "ops"
	OttuPassword       = "sandbox-ottu-password-not-a-secret"
	DefaultProfileName = "sandbox"
)

// Sandbox is the three fakes behind one handler.
type Sandbox struct {
	Boku       *boku.Server
	BokuLegacy *bokulegacy.Server
	Worldline  *worldline.Server
	Ottu       *ottu.Server

	statePath string
	saveMu    sync.Mutex
	mux       *http.ServeMux
}

// New builds the fakes. With statePath set, state is loaded from it (if it
// exists) and saved after every request.
func New(statePath string) (*Sandbox, error) {
	s := &Sandbox{
		Boku: boku.New(boku.Merchant{ID: BokuMerchantID, KeyID: BokuKeyID, Key: []byte(BokuKey)}),
		BokuLegacy: bokulegacy.New(bokulegacy.Merchant{ID: BokuMerchantID, Key: []byte(BokuKey), Services: []bokulegacy.Service{
			{ID: BokuServiceID, Name: "Sandbox service", Country: "GB", Currency: "GBP", AmountMinor: 499, DecimalPlaces: 2}}}),
		Worldline: worldline.New(WorldlineAcquirer, WorldlineMerchant, worldline.Client{ID: WorldlineClientID, Secret: WorldlineSecret,
			Scopes: []string{"processing_payment", "processing_refund", "processing_accountverification", "processing_operation_reverse",
				"processing_dcc_rate", "processing_balanceinquiry", "services_ping"}}),
		Ottu:      ottu.New(OttuAPIKey, ottu.User{Name: OttuUser, Password: OttuPassword, CanUse: []string{"kpay", "mpgs-kwd", "cod"}}),
		statePath: statePath,
	}
	if statePath != "" {
		if err := s.load(); err != nil {
			return nil, err
		}
	}
	s.mux = http.NewServeMux()
	s.mux.Handle("/boku/", http.StripPrefix("/boku", s.Boku))
	s.mux.Handle("/merchant-api/", s.Boku) // Boku's MTE simulator
	s.mux.Handle("/boku-api2/", http.StripPrefix("/boku-api2", s.BokuLegacy))
	s.mux.Handle("/consent/", s.Boku)
	s.mux.Handle("/connect/token", s.Worldline)
	s.mux.Handle("/processing/", s.Worldline)
	s.mux.Handle("/services/", s.Worldline)
	s.mux.Handle("/b/", s.Ottu)
	return s, nil
}

// ServeHTTP routes to the fakes and saves state afterwards.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
	if s.statePath != "" {
		// A failed save must not fail the request; Save reports it at exit.
		_ = s.Save()
	}
}

type persisted struct {
	Boku      boku.State      `json:"boku"`
	Worldline worldline.State `json:"worldline"`
}

func (s *Sandbox) load() error {
	data, err := os.ReadFile(s.statePath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sandbox state: %w", err)
	}
	var p persisted
	if err := json.Unmarshal(data, &p); err != nil {
		return fmt.Errorf("sandbox state %s is not a bokuctl sandbox state file: %v", s.statePath, err)
	}
	s.Boku.Restore(p.Boku)
	s.Worldline.Restore(p.Worldline)
	return nil
}

// Save writes the state file atomically.
func (s *Sandbox) Save() error {
	if s.statePath == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	data, err := json.MarshalIndent(persisted{Boku: s.Boku.Snapshot(), Worldline: s.Worldline.Snapshot()}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(s.statePath, data, 0o600); err != nil {
		return fmt.Errorf("sandbox state: %w", err)
	}
	return nil
}

// Settings are the profile settings that point every provider at a
// sandbox served at baseURL (http://host:port).
func Settings(baseURL string) map[string]string {
	baseURL = strings.TrimRight(baseURL, "/")
	return map[string]string{
		"provider":              "boku",
		"boku.merchant-id":      BokuMerchantID,
		"boku.key-id":           BokuKeyID,
		"boku.country":          "gb",
		"boku.environment":      "test",
		"boku.base-url":         baseURL + "/boku/{country}",
		"boku.legacy-base-url":  baseURL + "/boku-api2",
		"boku.simulator-url":    baseURL,
		"worldline.acquirer-id": WorldlineAcquirer,
		"worldline.merchant-id": WorldlineMerchant,
		"worldline.client-id":   WorldlineClientID,
		"worldline.api-url":     baseURL,
		"worldline.token-url":   baseURL + "/connect/token",
		"worldline.integrator":  "bokuctl sandbox",
		"ottu.base-url":         baseURL,
		"ottu.auth":             "api-key",
		"ottu.plugin":           "e_commerce",
	}
}

// Secrets are the sandbox's secrets by bokuctl secret name.
func Secrets() map[string]string {
	return map[string]string{
		"boku-key":                BokuKey,
		"worldline-client-secret": WorldlineSecret,
		"ottu-api-key":            OttuAPIKey,
	}
}
