// Package sandbox puts the Boku, Worldline and Ottu fakes behind one
// loopback address for `bokuctl sandbox serve` and `bokuctl sandbox demo`,
// with public sandbox credentials, a profile that points at them, and
// optional state persistence.
package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/bokuctl/bokuctl/internal/sandbox/bokulegacy"
	"github.com/bokuctl/bokuctl/internal/sandbox/bokuspec"
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
	Boku       *bokuspec.Server
	BokuLegacy *bokulegacy.Server
	Worldline  *worldline.Server
	Ottu       *ottu.Server

	statePath string
	mux       *http.ServeMux

	// saveMu guards the state file and the fields below. Changes are
	// taken from the fakes and appended under it, so lines are in the
	// order the changes were taken and a later line is never older.
	saveMu sync.Mutex
	// log is the state file opened for appending, once needed.
	log *os.File
	// appendable is true when the state file exists and ends with whole
	// lines, so a change may be appended; otherwise the next write is a
	// compaction.
	appendable bool
	// newline is true when the file does not end in a newline (an old
	// state file): the next line starts with one.
	newline bool
	// logLines is the number of lines after the snapshot.
	logLines int
	// recheckAt is the log length at which the records are counted
	// again: counting walks every record, so it is done when the log
	// could first be twice as long as the records last counted (records
	// are only ever added between compactions), not on every request.
	recheckAt int
}

// New builds the fakes. With statePath set, state is loaded from it (if it
// exists) and every change is saved to it as it happens (see Save).
func New(statePath string) (*Sandbox, error) {
	s := &Sandbox{
		Boku: bokuspec.New(bokuspec.Merchant{ID: BokuMerchantID, KeyID: BokuKeyID, Key: []byte(BokuKey)}),
		BokuLegacy: bokulegacy.New(bokulegacy.Merchant{ID: BokuMerchantID, Key: []byte(BokuKey), Services: []bokulegacy.Service{
			{ID: BokuServiceID, Name: "Sandbox service", Country: "GB", Currency: "GBP", AmountMinor: 499, DecimalPlaces: 2}}}),
		Worldline: worldline.New(WorldlineAcquirer, WorldlineMerchant, worldline.Client{ID: WorldlineClientID, Secret: WorldlineSecret,
			Scopes: []string{"processing_payment", "processing_refund", "processing_credittransfer", "processing_accountverification",
				"processing_operation_reverse", "processing_dcc_rate", "processing_balanceinquiry", "services_ping"}}),
		Ottu:      ottu.New(OttuAPIKey, ottu.User{Name: OttuUser, Password: OttuPassword, CanUse: []string{"kpay", "mpgs-kwd", "cod"}}),
		statePath: statePath,
	}
	if statePath != "" {
		// A sandbox killed while compacting (kill -9) leaves the
		// temporary file of that write; nothing else will remove it.
		if _, err := atomicfile.RemoveTemps(statePath); err != nil {
			return nil, fmt.Errorf("sandbox state %s: remove temporary files left by an interrupted write: %w", statePath, err)
		}
		if err := s.load(); err != nil {
			return nil, err
		}
		s.Boku.TrackChanges()
		s.Worldline.TrackChanges()
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

// ServeHTTP routes to the fakes and saves what the request changed.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.statePath != "" {
		// Deferred, so that a handler that aborts (a dropped connection)
		// still has its change saved. A failed write must not fail the
		// request: the next change, or Save at exit, writes the whole
		// state again and reports it.
		defer s.persist()
	}
	s.mux.ServeHTTP(w, r)
}

// The state file is a snapshot followed by a log:
//
//	{"boku":{…},"worldline":{…}}                 the snapshot: the whole state (as older versions wrote it)
//	{"boku":{"seq":12,"charges":[{…}]}}           one line per request that changed something:
//	{"worldline":{"payments":[{…}],…}}            the records it changed, whole (later lines win)
//
// A request that changes nothing writes nothing. When the log has more
// than twice as many lines as there are records (and at least
// compactMinLines), and at Save, the file is compacted: the snapshot is
// rewritten atomically with no log after it.
type persisted struct {
	Boku      bokuspec.State  `json:"boku"`
	Worldline worldline.State `json:"worldline"`
}

// logEntry is one line of the log.
type logEntry struct {
	Boku      *bokuspec.Changes  `json:"boku,omitempty"`
	Worldline *worldline.Changes `json:"worldline,omitempty"`
}

// compactMinLines is the shortest log that is compacted before Save.
var compactMinLines = 1000

func (s *Sandbox) load() error {
	data, err := os.ReadFile(s.statePath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sandbox state: %w", err)
	}
	notState := func(format string, args ...any) error {
		return fmt.Errorf("sandbox state %s is not a bokuctl sandbox state file: %s", s.statePath, fmt.Sprintf(format, args...))
	}
	start := len(data) - len(bytes.TrimLeft(data, " \t\r\n"))
	if start == len(data) {
		return notState("it is empty")
	}
	if data[start] != '{' {
		return notState("it holds %s, not a JSON object", describeJSON(data[start:]))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var p persisted
	if err := dec.Decode(&p); err != nil {
		return notState("%v", err)
	}
	s.Boku.Restore(p.Boku)
	s.Worldline.Restore(p.Worldline)

	// The log: whole lines after the snapshot. A last line cut short (the
	// process was killed while writing it) is dropped; any other bad line
	// is an error.
	pos := int(dec.InputOffset())
	for pos < len(data) {
		end, next := len(data), len(data)
		if i := bytes.IndexByte(data[pos:], '\n'); i >= 0 {
			end, next = pos+i, pos+i+1
		}
		line := bytes.TrimSpace(data[pos:end])
		if len(line) == 0 {
			pos = next
			continue
		}
		var e logEntry
		err := errors.New("not a JSON object")
		if line[0] == '{' {
			err = json.Unmarshal(line, &e)
		}
		if err != nil {
			if len(bytes.TrimSpace(data[next:])) == 0 {
				if err := os.Truncate(s.statePath, int64(pos)); err != nil {
					return fmt.Errorf("sandbox state: drop a torn last line: %w", err)
				}
				data = data[:pos]
				break
			}
			return notState("line %d: %v", bytes.Count(data[:pos], []byte("\n"))+1, err)
		}
		if e.Boku != nil {
			s.Boku.Apply(*e.Boku)
		}
		if e.Worldline != nil {
			s.Worldline.Apply(*e.Worldline)
		}
		s.logLines++
		pos = next
	}
	s.appendable = true
	s.newline = len(data) > 0 && data[len(data)-1] != '\n'
	return nil
}

// describeJSON names the kind of JSON value data starts with.
func describeJSON(data []byte) string {
	switch data[0] {
	case 'n':
		return "null"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	}
	if data[0] == '-' || (data[0] >= '0' && data[0] <= '9') {
		return "a number"
	}
	return "no JSON"
}

// persist appends what requests changed since the last call to the state
// file, as one line; it writes nothing when nothing changed.
func (s *Sandbox) persist() error {
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	b, w := s.Boku.TakeChanges(), s.Worldline.TakeChanges()
	if b.Empty() && w.Empty() {
		return nil
	}
	if !s.appendable {
		// No state file yet, or a write failed: write it whole (the
		// snapshot has the changes just taken).
		return s.compactLocked()
	}
	var e logEntry
	if !b.Empty() {
		e.Boku = &b
	}
	if !w.Empty() {
		e.Worldline = &w
	}
	line, err := json.Marshal(e)
	if err != nil {
		s.appendable = false
		return fmt.Errorf("sandbox state: %w", err)
	}
	line = append(line, '\n')
	if s.newline {
		line = append([]byte{'\n'}, line...)
	}
	if s.log == nil {
		if s.log, err = os.OpenFile(s.statePath, os.O_WRONLY|os.O_APPEND, 0); err != nil {
			s.appendable = false
			return fmt.Errorf("sandbox state: %w", err)
		}
	}
	if _, err := s.log.Write(line); err != nil {
		// Perhaps half a line: the next change rewrites the file.
		s.closeLog()
		s.appendable = false
		return fmt.Errorf("sandbox state: %w", err)
	}
	s.newline = false
	s.logLines++
	if s.logLines >= compactMinLines && s.logLines > s.recheckAt {
		records := s.Boku.Records() + s.Worldline.Records()
		if s.logLines > 2*records {
			return s.compactLocked()
		}
		s.recheckAt = 2 * records
	}
	return nil
}

// compactLocked writes the whole state as the snapshot, atomically, with
// no log after it. Callers hold saveMu.
func (s *Sandbox) compactLocked() error {
	// Changes noted so far are in the snapshot taken after this; changes
	// made after it stay noted for the next line.
	s.Boku.TakeChanges()
	s.Worldline.TakeChanges()
	s.closeLog()
	s.appendable = false
	data, err := json.Marshal(persisted{Boku: s.Boku.Snapshot(), Worldline: s.Worldline.Snapshot()})
	if err != nil {
		return fmt.Errorf("sandbox state: %w", err)
	}
	if err := atomicfile.Write(s.statePath, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("sandbox state: %w", err)
	}
	s.appendable, s.newline, s.logLines, s.recheckAt = true, false, 0, 0
	return nil
}

func (s *Sandbox) closeLog() {
	if s.log != nil {
		s.log.Close()
		s.log = nil
	}
}

// Save compacts the state file: the whole state as one JSON object (the
// format older versions read), written atomically. It writes nothing when
// the file already is exactly that. cmd/sandbox/sandbox.go calls it at exit.
func (s *Sandbox) Save() error {
	if s.statePath == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	b, w := s.Boku.TakeChanges(), s.Worldline.TakeChanges()
	if b.Empty() && w.Empty() && s.appendable && s.logLines == 0 {
		s.closeLog()
		return nil
	}
	err := s.compactLocked()
	s.closeLog()
	return err
}

// Settings are the profile settings that point every provider at a
// sandbox served at baseURL (http://host:port).
func Settings(baseURL string) map[string]string {
	baseURL = strings.TrimRight(baseURL, "/")
	return map[string]string{
		"provider":              "boku",
		"sandbox":               "true",
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
