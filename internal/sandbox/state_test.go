package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/internal/sandbox/bokuspec"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

func newSandbox(t *testing.T, path string) *Sandbox {
	t.Helper()
	sb, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	return sb
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// lines counts the file's non-empty lines: the snapshot and the log.
func lines(t *testing.T, path string) int {
	t.Helper()
	n := 0
	for _, l := range strings.Split(readFile(t, path), "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}

// busy drives every kind of change both fakes persist.
func busy(t *testing.T, c *client) {
	t.Helper()
	oi := c.activeOptin("o1")
	c.charge(oi, "c1", "10.00")
	c.charge(oi, "c2", "7.77") // in progress until queried
	c.boku("billing/query-charge", xmlDoc("query-charge-request", "merchant-request-id", "c2"))
	c.boku("billing/refund-charge", xmlDoc("refund-charge-request", "merchant-request-id", "r1", "merchant-refund-id", "mr1",
		"charge-id", "ch-000002", "reason-code", "8", "currency", "GBP", "refund-amount", "2.50"))
	c.boku("billing/reverse-charge", xmlDoc("reverse-charge-request", "merchant-request-id", "never-seen"))
	if status, _ := c.do("POST", "/boku/gb/billing/3.0/charge", "", "", nil); status == 200 {
		t.Fatal("unsigned charge accepted")
	}
	// 5.03 fails once (recording a marker), then succeeds.
	if status, text := c.bokuStatus("billing/charge", chargeXML(oi, "c4", "5.03")); status != 503 {
		t.Fatalf("5.03: %d %s", status, text)
	}
	c.charge(oi, "c4", "5.03")
	c.boku("optin/cancel-optin", xmlDoc("cancel-optin-request", "merchant-request-id", "x1", "optin-id", c.activeOptin("o2")))
	c.worldlineToken()
	status, text := c.worldline("POST", "/payments", paymentJSON("op-1", 300))
	var pay struct {
		PaymentID string `json:"paymentId"`
	}
	if status != 201 || json.Unmarshal([]byte(text), &pay) != nil {
		t.Fatalf("payment: %d %s", status, text)
	}
	if status, text := c.worldline("POST", "/payments/"+pay.PaymentID+"/captures", opJSON("op-2")); status != 201 {
		t.Fatalf("capture: %d %s", status, text)
	}
	if status, text := c.worldline("POST", "/payments/"+pay.PaymentID+"/refunds", opJSON("op-3")); status != 201 {
		t.Fatalf("refund: %d %s", status, text)
	}
	// A capture alone, and a technical reversal alone.
	_, text = c.worldline("POST", "/payments", paymentJSON("op-4", 400))
	json.Unmarshal([]byte(text), &pay)
	if status, text := c.worldline("POST", "/payments/"+pay.PaymentID+"/captures", opJSON("op-5")); status != 201 {
		t.Fatalf("capture: %d %s", status, text)
	}
	c.worldline("POST", "/payments", paymentJSON("op-6", 600))
	if status, text := c.worldline("POST", "/operations/op-6/reverse", `{"operationId":"op-7","transactionTimestamp":"2026-01-01T00:00:00Z","reason":"TIMEOUT_WAITING_RESPONSE"}`); status != 201 {
		t.Fatalf("technical reversal: %d %s", status, text)
	}
}

func TestStateRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	sb := newSandbox(t, path)
	busy(t, &client{t: t, sb: sb})
	want := canonical(t, sb)
	if strings.Contains(want, `in-progress`) || !strings.Contains(want, `"Refunded":250`) || !strings.Contains(want, "never-seen") ||
		!strings.Contains(want, `"failed_once":{"sandbox-merchant/c4":true}`) || !strings.Contains(want, `"State":"closed"`) ||
		!strings.Contains(want, `"Status":"CANCELLED"`) || strings.Count(want, `"Type":"CAPTURE"`) != 2 {
		t.Fatalf("the requests did not change what they should: %s", want)
	}
	if n := lines(t, path); n < 10 {
		t.Fatalf("%d lines: changes were not appended as a log", n)
	}

	// Restart from the log, without Save (as after kill -9).
	again := newSandbox(t, path)
	if got := canonical(t, again); got != want {
		t.Fatalf("after replaying the log:\n%s\nwant\n%s", got, want)
	}

	// Save compacts to one JSON object, as older versions wrote.
	if err := sb.Save(); err != nil {
		t.Fatal(err)
	}
	var p persisted
	if err := json.Unmarshal([]byte(readFile(t, path)), &p); err != nil {
		t.Fatalf("the saved file is not one JSON object: %v", err)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", info.Mode().Perm())
	}
	again = newSandbox(t, path)
	if got := canonical(t, again); got != want {
		t.Fatalf("after compaction:\n%s\nwant\n%s", got, want)
	}

	// The restarted sandbox goes on: new ids continue the sequence, and
	// its changes are appended to the compacted file.
	c := &client{t: t, sb: again}
	if text := c.charge("oi-000001", "c3", "1.00"); !strings.Contains(text, "<charge-id>ch-") || strings.Contains(text, "ch-000003<") {
		t.Fatalf("charge after restart: %s", text)
	}
	if n := lines(t, path); n != 2 {
		t.Fatalf("%d lines after one change on a compacted file", n)
	}
	if got, want := canonical(t, newSandbox(t, path)), canonical(t, again); got != want {
		t.Fatalf("after restart and a charge:\n%s\nwant\n%s", got, want)
	}
}

func TestStateReadOnlyRequestsWriteNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	sb := newSandbox(t, path)
	c := &client{t: t, sb: sb}
	oi := c.activeOptin("o1")
	c.charge(oi, "c1", "10.00")
	c.worldlineToken()
	_, text := c.worldline("POST", "/payments", paymentJSON("op-1", 300))
	var pay struct {
		PaymentID string `json:"paymentId"`
	}
	json.Unmarshal([]byte(text), &pay)

	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, path)

	c.boku("optin/query-optin", xmlDoc("query-optin-request", "merchant-request-id", "q1", "optin-id", oi))
	c.boku("billing/query-charge", xmlDoc("query-charge-request", "charge-id", "ch-000002"))
	c.boku("billing/query-charge", xmlDoc("query-charge-request", "merchant-request-id", "c1"))
	c.boku("billing/fund-check", xmlDoc("fund-check-request", "merchant-request-id", "f1", "optin-id", oi, "currency", "GBP", "total-amount", "1.00"))
	c.boku("billing/forex", xmlDoc("forex-request", "merchant-request-id", "x1", "from-currency", "GBP", "to-currency", "EUR", "amount", "1.00"))
	c.charge(oi, "c1", "10.00") // an idempotent replay
	c.boku("optin/validate-optin", xmlDoc("validate-optin-request", "merchant-request-id", "v9", "optin-id", "oi-999999", "optin-type", "hosted"))
	if status, _ := c.do("GET", "/consent/"+oi, "", "", nil); status != 404 { // already active: only read
		t.Fatalf("consent on an active opt-in: %d", status)
	}
	if status, _ := c.do("POST", "/boku/gb/billing/3.0/charge", "text/xml", "<charge-request/>", nil); status != 401 {
		t.Fatalf("unsigned charge: %d", status)
	}
	c.worldlineToken()
	if status, _ := c.worldline("GET", "/payments/"+pay.PaymentID, ""); status != 200 {
		t.Fatalf("get payment: %d", status)
	}
	if status, _ := c.worldline("POST", "/payments", `{"nope":1}`); status != 400 {
		t.Fatalf("invalid payment: %d", status)
	}
	if status, _ := c.worldline("POST", "/payments", paymentJSON("op-1", 300)); status != 201 { // a replay
		t.Fatalf("replayed payment: %d", status)
	}
	if status, _ := c.do("GET", "/nowhere", "", "", nil); status != 404 {
		t.Fatalf("unknown path: %d", status)
	}

	info, _ := os.Stat(path)
	if after := readFile(t, path); after != before || !info.ModTime().Equal(old) {
		t.Fatalf("read-only requests wrote the state file (mtime %v, want %v):\n%s\nwas\n%s", info.ModTime(), old, after, before)
	}
	// A request that does change something appends one line.
	c.charge(oi, "c2", "1.00")
	if after := readFile(t, path); !strings.HasPrefix(after, before) || strings.Count(after, "\n") != strings.Count(before, "\n")+1 {
		t.Fatalf("a charge did not append exactly one line:\n%s", after)
	}
}

func TestStateSaveWithoutChangesWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	sb := newSandbox(t, path)
	(&client{t: t, sb: sb}).activeOptin("o1")
	if err := sb.Save(); err != nil {
		t.Fatal(err)
	}
	sb = newSandbox(t, path)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	os.Chtimes(path, old, old)
	c := &client{t: t, sb: sb}
	c.boku("optin/query-optin", xmlDoc("query-optin-request", "merchant-request-id", "q1", "optin-id", "oi-000001"))
	if err := sb.Save(); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); !info.ModTime().Equal(old) {
		t.Fatal("Save rewrote an unchanged state file")
	}
}

// writeState writes a snapshot followed by log lines.
func writeState(t *testing.T, path string, snapshot any, logLines ...string) {
	t.Helper()
	data, err := json.Marshal(snapshot)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data) + "\n"
	for _, l := range logLines {
		text += l
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func chargeLine(t *testing.T, seq int, c bokuspec.ChargeState) string {
	t.Helper()
	data, err := json.Marshal(logEntry{Boku: &bokuspec.Changes{Seq: seq, Charges: []bokuspec.ChargeState{c}}})
	if err != nil {
		t.Fatal(err)
	}
	return string(data) + "\n"
}

func TestStateLaterLinesWin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	st := prepopulated(2) // ch-000002, ch-000003; seq 3
	c := st.Charges[0]
	c.Status = "in-progress"
	st.Charges[0] = c
	one, two := c, c
	one.Status = "success"
	two.Status, two.Refunded = "success", 40
	added := st.Charges[1]
	added.ID, added.MerchantRequestID = "ch-000009", "later"
	writeState(t, path, persisted{Boku: st},
		chargeLine(t, 5, one),
		chargeLine(t, 9, two),
		chargeLine(t, 0, added), // no seq: the counter stays
	)
	sb := newSandbox(t, path)
	snap := sb.Boku.Snapshot()
	if snap.Seq != 9 || len(snap.Charges) != 3 {
		t.Fatalf("seq %d, %d charges", snap.Seq, len(snap.Charges))
	}
	for _, ch := range snap.Charges {
		if ch.ID == c.ID && (ch.Status != "success" || ch.Refunded != 40) {
			t.Fatalf("the later line did not win: %+v", ch)
		}
	}
	// The index by merchant request id follows the replayed record.
	if !sb.Boku.HasCharge(BokuMerchantID, "later") {
		t.Fatal("a charge added by the log is not found by its merchant request id")
	}
	// A new charge gets the id after the log's counter.
	if text := (&client{t: t, sb: sb}).charge("oi-000001", "new", "1.00"); !strings.Contains(text, "<charge-id>ch-000010</charge-id>") {
		t.Fatalf("charge after replay: %s", text)
	}
}

func TestStateTornLastLineIgnored(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	st := prepopulated(1)
	good := st.Charges[0]
	good.Refunded = 10
	whole := chargeLine(t, 0, good)
	torn := chargeLine(t, 99, bokuspec.ChargeState{ID: "ch-000099", MerchantRequestID: "torn"})
	writeState(t, path, persisted{Boku: st}, whole, torn[:len(torn)/2])
	sb := newSandbox(t, path)
	snap := sb.Boku.Snapshot()
	if len(snap.Charges) != 1 || snap.Charges[0].Refunded != 10 || snap.Seq != 2 {
		t.Fatalf("torn line applied, or the whole one lost: %+v", snap)
	}
	// The torn bytes are gone, so the next line is whole again.
	(&client{t: t, sb: sb}).charge("oi-000001", "after", "1.00")
	if got, want := canonical(t, newSandbox(t, path)), canonical(t, sb); got != want {
		t.Fatalf("after a torn line and a new change:\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(readFile(t, path), "ch-000099") {
		t.Fatal("the torn line is still in the file")
	}

	// A bad line that is not the last is an error naming the file and line.
	writeState(t, path, persisted{Boku: st}, whole, "{garbage\n", whole)
	_, err := New(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("corrupt middle line: %v", err)
	}
}

func TestStateOldFormatLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	// As earlier versions wrote it: indented, no trailing newline.
	data, _ := json.MarshalIndent(persisted{Boku: prepopulated(3)}, "", "  ")
	os.WriteFile(path, data, 0o600)
	sb := newSandbox(t, path)
	if n := len(sb.Boku.Snapshot().Charges); n != 3 {
		t.Fatalf("%d charges from an old state file", n)
	}
	if readFile(t, path) != string(data) {
		t.Fatal("loading rewrote the old state file")
	}
	(&client{t: t, sb: sb}).charge("oi-000001", "new", "1.00")
	if text := readFile(t, path); !strings.HasPrefix(text, string(data)+"\n{") {
		t.Fatalf("the change was not appended on a line of its own:\n%s", text)
	}
	if got := newSandbox(t, path).Boku.Snapshot(); len(got.Charges) != 4 {
		t.Fatalf("%d charges after a change to an old state file", len(got.Charges))
	}
}

func TestStateNotAnObject(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"null": "null", "array": "[]", "string": `"x"`, "number": "5", "empty": "", "spaces": " \n", "text": "not json",
		"truncated": `{"boku": {`, "wrong type": `{"boku": 5}`,
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		os.WriteFile(path, []byte(content), 0o600)
		_, err := New(path)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "is not a bokuctl sandbox state file") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestStateCompaction(t *testing.T) {
	defer func(n int) { compactMinLines = n }(compactMinLines)
	compactMinLines = 10
	path := filepath.Join(t.TempDir(), "state.json")
	sb := newSandbox(t, path)
	c := &client{t: t, sb: sb}
	oi := c.activeOptin("o1")
	c.charge(oi, "c1", "50.00")
	// Each simulator redirect rewrites the opt-in: the log grows, the
	// records do not. (Not cancel-optin with a new merchant-request-id
	// each time, as this test did against the earlier fake: bokuspec keeps
	// each call's merchant-request-id, a record, so that log does not
	// outgrow its records.)
	rewrite := func(optinID string, i int) {
		t.Helper()
		target := "/merchant-api/" + BokuMerchantID + "-mte/hosted-optin/optin-id/" + optinID + "/redirect"
		body := fmt.Sprintf(`<hosted-optin-behavior response-code="0" account-identifier="a%d@example.com"/>`, i)
		const ct = "text/xml;charset=utf-8"
		params, err := sign.Sign(sign.Message{Method: "PUT", Target: target, Headers: []sign.Header{{Name: "Content-Type", Value: ct}}, Body: []byte(body)},
			[]byte(BokuKey), BokuMerchantID, BokuKeyID, []string{"Content-Type"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if status, text := c.do("PUT", target, ct, body, map[string]string{"Authorization": params.String()}); status != 200 {
			t.Fatalf("redirect: %d %s", status, text)
		}
	}
	counts := []int{}
	for i := 0; i < 35; i++ {
		rewrite(oi, i)
		counts = append(counts, lines(t, path))
	}
	compactions := 0
	for i := 1; i < len(counts); i++ {
		if counts[i] > 1+compactMinLines {
			t.Fatalf("the file reached %d lines: %v", counts[i], counts)
		}
		if counts[i] < counts[i-1] {
			compactions++
			if counts[i] != 1 {
				t.Fatalf("a compaction left %d lines: %v", counts[i], counts)
			}
		}
	}
	if compactions != 3 {
		t.Fatalf("%d compactions: %v", compactions, counts)
	}
	if got, want := canonical(t, newSandbox(t, path)), canonical(t, sb); got != want {
		t.Fatalf("after compactions:\n%s\nwant\n%s", got, want)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("files left behind: %v", entries)
	}

	// Many records: the log may grow to twice their number first.
	compactMinLines = 1
	sb.Boku.Restore(prepopulated(20))
	sb.Save()
	for i := 0; i < 42; i++ {
		rewrite("oi-000001", i)
	}
	if n := lines(t, path); n != 1+42 {
		t.Fatalf("%d lines for 21 records after 42 changes: compacted too early", n)
	}
	rewrite("oi-000001", 42)
	if n := lines(t, path); n != 1 {
		t.Fatalf("%d lines after 43 changes to 21 records: not compacted at 2x", n)
	}
}

func TestStateConcurrentRequests(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	sb := newSandbox(t, path)
	oi := (&client{t: t, sb: sb}).activeOptin("o1")
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &client{t: t, sb: sb}
			for i := 0; i < 25; i++ {
				c.charge(oi, fmt.Sprintf("g%d-%d", g, i), "0.10")
				c.boku("billing/refund-charge", xmlDoc("refund-charge-request", "merchant-request-id", fmt.Sprintf("r%d-%d", g, i),
					"merchant-refund-id", fmt.Sprintf("mr%d-%d", g, i), "charge-id", "", "reason-code", "8"))
			}
		}()
	}
	wg.Wait()
	got := newSandbox(t, path)
	if a, b := canonical(t, got), canonical(t, sb); a != b {
		t.Fatalf("after concurrent requests the files hold another state")
	}
	if n := got.Boku.ChargeCount(); n != 200 {
		t.Fatalf("%d charges", n)
	}
	// One line per request that changed something, or fewer: a request
	// may take another's changes with its own.
	if n := bytes.Count([]byte(readFile(t, path)), []byte("\n")); n > 1+3+200 || n < 50 {
		t.Fatalf("%d lines", n)
	}
}
