package bokulegacy_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	fake "github.com/bokuctl/bokuctl/internal/sandbox/bokulegacy"
	"github.com/bokuctl/bokuctl/pkg/bokulegacy"
)

const (
	merchantID = "m-legacy"
	key        = "legacy-secret"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(fake.New(fake.Merchant{ID: merchantID, Key: []byte(key), Services: []fake.Service{
		{ID: "svc-1", Name: "Test service", Country: "GB", Currency: "GBP", AmountMinor: 499, DecimalPlaces: 2}}}))
	t.Cleanup(srv.Close)
	return srv
}

// get sends GET /billing/request with params as given (sig included) and
// returns the status and body.
func get(t *testing.T, srv *httptest.Server, params url.Values) (int, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + "/billing/request?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// servicePrices are the parameters of a service-prices call, unsigned.
func servicePrices() url.Values {
	return url.Values{
		"action":      {"service-prices"},
		"merchant-id": {merchantID},
		"service-id":  {"svc-1"},
		"timestamp":   {strconv.FormatInt(time.Now().Unix(), 10)},
	}
}

// md5Hex is the lower-case hex MD5 of text.
func md5Hex(text string) string {
	sum := md5.Sum([]byte(text))
	return hex.EncodeToString(sum[:])
}

// The legacy API's rule, spelled out by hand: the parameters but sig in
// name order, each name then its value, then the key.
func TestFakeAcceptsTheDescribedSignature(t *testing.T) {
	srv := newServer(t)
	params := servicePrices()
	params.Set("sig", md5Hex("action"+"service-prices"+"merchant-id"+merchantID+"service-id"+"svc-1"+"timestamp"+params.Get("timestamp")+key))
	if code, body := get(t, srv, params); code != http.StatusOK || !strings.Contains(body, "<result-code>0</result-code>") {
		t.Fatalf("rightly signed request: %d %s", code, body)
	}
}

// A request signed any other way is refused: the fake does not share the
// client's signing code, so a client that signs wrongly fails here.
func TestFakeRefusesAWronglySignedRequest(t *testing.T) {
	srv := newServer(t)
	ts := servicePrices().Get("timestamp")
	for name, sig := range map[string]string{
		"wrong key":          md5Hex("action" + "service-prices" + "merchant-id" + merchantID + "service-id" + "svc-1" + "timestamp" + ts + "other-secret"),
		"not sorted by name": md5Hex("merchant-id" + merchantID + "action" + "service-prices" + "service-id" + "svc-1" + "timestamp" + ts + key),
		"values only":        md5Hex("service-prices" + merchantID + "svc-1" + ts + key),
		"key first":          md5Hex(key + "action" + "service-prices" + "merchant-id" + merchantID + "service-id" + "svc-1" + "timestamp" + ts),
		"upper-case hex":     strings.ToUpper(md5Hex("action" + "service-prices" + "merchant-id" + merchantID + "service-id" + "svc-1" + "timestamp" + ts + key)),
		"missing":            "",
	} {
		params := servicePrices()
		params.Set("timestamp", ts)
		if sig != "" {
			params.Set("sig", sig)
		}
		if code, body := get(t, srv, params); code != http.StatusUnauthorized || !strings.Contains(body, "sig does not match") {
			t.Errorf("%s: %d %s, want 401 sig does not match", name, code, body)
		}
	}
	// A parameter changed after signing is refused too.
	params := servicePrices()
	params.Set("timestamp", ts)
	params.Set("sig", md5Hex("action"+"service-prices"+"merchant-id"+merchantID+"service-id"+"svc-1"+"timestamp"+ts+key))
	params.Set("service-id", "svc-2")
	if code, _ := get(t, srv, params); code != http.StatusUnauthorized {
		t.Errorf("tampered service-id: %d, want 401", code)
	}
}

// The client's requests pass the fake's own check, and a client with the
// wrong key is refused: the two sides agree only where both follow the API.
func TestClientSignsAsTheFakeExpects(t *testing.T) {
	srv := newServer(t)
	client, err := bokulegacy.New(bokulegacy.Config{MerchantID: merchantID, Key: []byte(key), BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	prices, err := client.ServicePrices(context.Background(), "svc-1")
	if err != nil {
		t.Fatalf("rightly keyed client: %v", err)
	}
	if prices == nil {
		t.Fatal("no service prices")
	}
	wrong, err := bokulegacy.New(bokulegacy.Config{MerchantID: merchantID, Key: []byte("other-secret"), BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = wrong.ServicePrices(context.Background(), "svc-1")
	var resultErr *bokulegacy.ResultError
	if err == nil || errors.As(err, &resultErr) {
		t.Fatalf("a client with the wrong key: %v, want the request refused", err)
	}
}
