package bokuspec

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/sign"
)

func addFixtureSeeds(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(""))
	f.Add([]byte("<a><b>"))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><a/>`))
	f.Add([]byte(`<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`))
}

// FuzzParseXML: the request parser never panics and, when it accepts a
// document, returns a root.
func FuzzParseXML(f *testing.F) {
	addFixtureSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		root, err := parseXML(body)
		if err == nil && root == nil {
			t.Fatal("nil root without error")
		}
		if err == nil {
			form := &form{root: root}
			form.str("hosted/forward-url", true, 1, 10)
			form.timeoutMS()
			_ = camelPath(root.name)
		}
	})
}

// FuzzServe: any correctly signed body, sent to any call, is answered
// (200, or 401 for a foreign merchant-id) without a panic, and every 200
// is a signed XML document.
func FuzzServe(f *testing.F) {
	addFixtureSeeds(f)
	now := time.Date(2021, 4, 6, 15, 0, 0, 0, time.UTC)
	srv := New(testMerchant)
	srv.Now = func() time.Time { return now }
	var paths []string
	for family, cs := range calls {
		for call := range cs {
			paths = append(paths, "/jp/"+family+"/3.0/"+call)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, p := range paths {
			req := httptest.NewRequest(http.MethodPost, p, strings.NewReader(string(body)))
			params, err := sign.Sign(sign.Message{Method: http.MethodPost, Target: p, Body: body}, testMerchant.Key, testMerchant.ID, testMerchant.KeyID, nil, now)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", params.String())
			req.Header.Set("Content-Type", "text/xml;charset=utf-8")
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			switch w.Code {
			case http.StatusOK:
				if w.Header().Get("X-SignedResponse") == "" {
					t.Fatalf("%s: unsigned 200", p)
				}
				if _, err := parseXML(w.Body.Bytes()); err != nil {
					t.Fatalf("%s: answer is not XML: %v", p, err)
				}
			case http.StatusUnauthorized:
			default:
				t.Fatalf("%s: HTTP %d", p, w.Code)
			}
		}
	})
}
