package provider

import (
	"os"
	"strings"
	"testing"
	"time"
)

// Every provider word maps to a common status, and docs/json.md documents
// every common status and every mapping.
func TestVocabularyIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/json.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Statuses() {
		if !strings.Contains(string(doc), "`"+s+"`") {
			t.Errorf("docs/json.md does not document status %q", s)
		}
	}
	for name, table := range map[string]map[string]string{"Boku": BokuStatuses, "Worldline": WorldlineStatuses} {
		if len(table) == 0 {
			t.Fatalf("%s has no statuses", name)
		}
		for word, common := range table {
			if !strings.Contains(string(doc), "`"+word+"`") {
				t.Errorf("docs/json.md does not list %s status %q", name, word)
			}
			found := false
			for _, s := range Statuses() {
				found = found || s == common
			}
			if !found {
				t.Errorf("%s %q maps to %q, not a common status", name, word, common)
			}
		}
	}
	if CommonStatus(WorldlineStatuses, "SOMETHING_NEW") != StatusUnknown || CommonStatus(BokuStatuses, "") != "" {
		t.Error("unknown and empty words")
	}
}

func TestTimestamps(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 1, 27, 392_123_456, time.FixedZone("CET", 3600))
	if got := Timestamp(at); got != "2026-11-23T08:01:27.392Z" {
		t.Errorf("Timestamp = %s", got)
	}
	for in, want := range map[string]string{
		"2024-10-14T09:01:27.392Z":    "2024-10-14T09:01:27.392Z",
		"2024-10-14T09:01:27Z":        "2024-10-14T09:01:27.000Z",
		"2024-10-14T11:01:27.5+02:00": "2024-10-14T09:01:27.500Z",
		"2014-06-09 07:56:45":         "2014-06-09T07:56:45.000Z",
		"not a time":                  "not a time",
	} {
		if got := ParseTimestamp(in); got != want {
			t.Errorf("ParseTimestamp(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEncodeResult(t *testing.T) {
	type r struct {
		ID     string `json:"id"`
		Status string `json:"status,omitempty"`
		URL    string `json:"url,omitempty"`
		N      int    `json:"n"`
	}
	got, err := EncodeResult(r{ID: "ch-1", Status: "success", URL: "https://x/?a=1&b=2", N: 3}, "succeeded", "success", "0")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"ch-1","status":"succeeded","provider_status":"success","provider_code":"0","url":"https://x/?a=1&b=2","n":3}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got, _ = EncodeResult(r{ID: "x"}, "", "", "17")
	if want := `{"provider_code":"17","id":"x","n":0}`; string(got) != want {
		t.Errorf("without status: got %s, want %s", got, want)
	}
}
