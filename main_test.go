package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bokuctl/bokuctl/cmd"
	"github.com/bokuctl/bokuctl/internal/sandbox/bokulegacy"
	"github.com/bokuctl/bokuctl/internal/sandbox/bokuspec"
	"github.com/bokuctl/bokuctl/internal/sandbox/ottu"
	"github.com/bokuctl/bokuctl/internal/sandbox/worldline"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

// bokuTestKey is the fake Boku's signing key in the scripts.
const bokuTestKey = "bokuctl-test-key-0123456789abcdef"

// Ottu fake credentials.
const (
	ottuTestAPIKey   = "ottu-test-api-key-5e4d3c2b1a"
	ottuTestPassword = "ottu-test-password-7h6g"
)

// worldlineTestSecret is the fake Worldline clients' secret.
const worldlineTestSecret = "wl-test-secret-9f8e7d6c5b4a"

// The forward proxy's credentials (PROXY_USER, PROXY_PASSWORD).
const (
	proxyTestUser     = "proxy-ops"
	proxyTestPassword = "proxy-test-password-3e1d0c"
)

var allWorldlineScopes = []string{"processing_payment", "processing_refund", "processing_credittransfer", "processing_accountverification",
	"processing_operation_reverse", "processing_dcc_rate", "processing_balanceinquiry", "services_ping"}

func TestMain(m *testing.M) {
	// BOKUCTL_TEST_PRODUCTION_OVERRIDE=1 may point a production profile at
	// a fake, in this test binary only (production_guard.txtar).
	cmd.AllowProductionOverrideInTests("BOKUCTL_TEST_PRODUCTION_OVERRIDE")
	testscript.Main(m, map[string]func(){
		"bokuctl": func() { os.Exit(leakGuardedExecute()) },
	})
}

// TestScripts runs testdata/scripts/*.txtar. Each script gets its own HOME,
// config and cache folders, a file-backed secret store, and its own fake
// Boku server (BOKU_URL, BOKU_MERCHANT, BOKU_KEY_ID, BOKU_TEST_KEY).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/scripts",
		RequireExplicitExec: true,
		Condition:           pgCondition,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			env.Setenv("HOME", home)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			env.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
			env.Setenv("BOKUCTL_KEYRING_FILE", filepath.Join(env.WorkDir, "secrets.json"))
			// No session bus: the OS keyring is unreachable unless a script
			// deliberately sets one up.
			env.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(env.WorkDir, "no-dbus"))
			// Every bokuctl run in every script is checked for the fakes'
			// secrets in its output (see leakGuardedExecute).
			env.Setenv("LEAK_MARKER", filepath.Join(env.WorkDir, ".secret-leaked"))
			env.Defer(func() {
				if data, err := os.ReadFile(filepath.Join(env.WorkDir, ".secret-leaked")); err == nil {
					env.T().Fatal("a secret appeared in bokuctl's output: " + string(data))
				}
			})

			// The one Boku 3.0 fake, written from Boku's spec, with its MTE
			// simulator ($BOKU_HOST/merchant-api/…) and the sandbox's extras.
			fake := bokuspec.New(bokuspec.Merchant{ID: "sandbox-merchant", KeyID: "sandbox-key-1", Key: []byte(bokuTestKey)})
			fake.RetryBase = 10 * time.Millisecond // Boku's schedule, 6000 times faster
			server := httptest.NewServer(fake)
			env.Defer(server.Close)
			env.Values["boku"] = fake
			env.Setenv("BOKU_URL", server.URL+"/{country}")
			env.Setenv("BOKU_HOST", server.URL)
			env.Setenv("BOKU_MERCHANT", "sandbox-merchant")
			env.Setenv("BOKU_KEY_ID", "sandbox-key-1")
			env.Setenv("BOKU_TEST_KEY", bokuTestKey)

			legacy := bokulegacy.New(bokulegacy.Merchant{ID: "sandbox-merchant", Key: []byte(bokuTestKey), Services: []bokulegacy.Service{
				{ID: "svc-sandbox-1", Name: "Sandbox service", Country: "GB", Currency: "GBP", AmountMinor: 499, DecimalPlaces: 2}}})
			legacyServer := httptest.NewServer(legacy)
			env.Defer(legacyServer.Close)
			env.Values["boku-legacy"] = legacy
			env.Setenv("BOKU_LEGACY_URL", legacyServer.URL)

			wl := worldline.New("100812", "520002526",
				worldline.Client{ID: "sandbox-client", Secret: worldlineTestSecret, Scopes: allWorldlineScopes},
				worldline.Client{ID: "payments-only", Secret: worldlineTestSecret, Scopes: []string{"processing_payment"}})
			wlServer := httptest.NewServer(wl)
			env.Defer(wlServer.Close)
			env.Values["worldline"] = wl
			env.Setenv("WL_API_URL", wlServer.URL)
			env.Setenv("WL_TOKEN_URL", wlServer.URL+"/connect/token")
			env.Setenv("WL_CLIENT_SECRET", worldlineTestSecret)

			ot := ottu.New(ottuTestAPIKey,
				ottu.User{Name: "ops", Password: ottuTestPassword, CanUse: []string{"kpay", "mpgs-kwd", "cod"}},
				ottu.User{Name: "nobody", Password: ottuTestPassword})
			otServer := httptest.NewServer(ot)
			env.Defer(otServer.Close)
			env.Values["ottu"] = ot
			env.Setenv("OTTU_URL", otServer.URL)
			env.Setenv("OTTU_API_KEY", ottuTestAPIKey)
			env.Setenv("OTTU_PASSWORD", ottuTestPassword)

			// A sink that records every request it gets as a raw HTTP dump,
			// $WORK/sink/N.http, standing in for a merchant's application.
			sink := &requestSink{dir: filepath.Join(env.WorkDir, "sink")}
			sinkServer := httptest.NewServer(sink)
			env.Defer(sinkServer.Close)
			env.Values["sink"] = sink
			env.Setenv("SINK_URL", sinkServer.URL+"/")

			// A plain forward proxy in front of the fakes (PROXY_URL), counting
			// what it forwards (proxy-requests N) and how much of it carried
			// PROXY_USER's Proxy-Authorization (proxy-authed N).
			proxy := &forwardProxy{wantAuth: "Basic " + base64.StdEncoding.EncodeToString([]byte(proxyTestUser+":"+proxyTestPassword))}
			proxyServer := httptest.NewServer(proxy)
			env.Defer(proxyServer.Close)
			env.Values["proxy"] = proxy
			env.Setenv("PROXY_URL", proxyServer.URL)
			env.Setenv("PROXY_USER", proxyTestUser)
			env.Setenv("PROXY_PASSWORD", proxyTestPassword)

			// A hostile provider (HOSTILE_URL) answering as `hostile-mode`
			// says, and a capture listener (CAPTURE_URL) its redirects point
			// at, counting whatever arrives there (`captured N`).
			capture := &captureListener{}
			captureServer := httptest.NewServer(capture)
			env.Defer(captureServer.Close)
			hostile := &hostileServer{mode: "empty", captureURL: captureServer.URL}
			hostileSrv := httptest.NewServer(hostile)
			env.Defer(hostileSrv.Close)
			env.Values["hostile"] = hostile
			env.Values["capture"] = capture
			env.Setenv("HOSTILE_URL", hostileSrv.URL)
			env.Setenv("CAPTURE_URL", captureServer.URL)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"boku-charges":     countCmd(func(f *bokuspec.Server) int { return f.ChargeCount() }),
			"team-journal":     teamJournal,
			"boku-requests":    countCmd(func(f *bokuspec.Server) int { return f.RequestCount() }),
			"httpget":          httpGet,
			"boku-callback":    bokuCallback,
			"httppost":         httpPost,
			"boku-approve":     bokuApprove,
			"boku-wait-charge": bokuWaitCharge,
			"boku-refunds":     countCmd(func(f *bokuspec.Server) int { return f.RefundCount() }),
			"boku-fault": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 || neg {
					ts.Fatalf("usage: boku-fault CALL unavailable|drop|off")
				}
				fault := bokuspec.Fault(args[1])
				if args[1] == "off" {
					fault = bokuspec.FaultNone
				}
				ts.Value("boku").(*bokuspec.Server).SetFault(args[0], fault)
			},
			"boku-wait-count": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 || neg {
					ts.Fatalf("usage: boku-wait-count charges|refunds N")
				}
				want, _ := strconv.Atoi(args[1])
				fake := ts.Value("boku").(*bokuspec.Server)
				for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
					n := fake.ChargeCount()
					if args[0] == "refunds" {
						n = fake.RefundCount()
					}
					if n >= want {
						return
					}
				}
				ts.Fatalf("fake Boku never reached %s %s", args[1], args[0])
			},
			"stdout2env":         stdoutToEnv,
			"boku-verify-dryrun": bokuVerifyDryRun,
			"run-hint":           runHint,
			"waitfile": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: waitfile FILE")
				}
				waitForFile(ts, args[0])
			},
			"sleep": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: sleep DURATION")
				}
				d, err := time.ParseDuration(args[0])
				ts.Check(err)
				time.Sleep(d)
			},
			"ottu-requests": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: ottu-requests N")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				if got := ts.Value("ottu").(*ottu.Server).RequestCount(); (got == want) == neg {
					ts.Fatalf("fake Ottu received %d requests, want %d", got, want)
				}
			},
			"wl-payments": wlCount(func(s *worldline.Server) int { return s.PaymentCount() }),
			"wl-requests": wlCount(func(s *worldline.Server) int { return s.RequestCount() }),
			"wl-tokens":   wlCount(func(s *worldline.Server) int { return s.TokensIssued() }),
			"wl-stale-next-token": func(ts *testscript.TestScript, neg bool, args []string) {
				ts.Value("worldline").(*worldline.Server).StaleNextTokens(1)
			},
			"boku-deliveries": func(ts *testscript.TestScript, neg bool, args []string) {
				fake := ts.Value("boku").(*bokuspec.Server)
				waitFor(ts, args, "boku-deliveries", func() int { return len(fake.Deliveries()) })
			},
			"sink-wait": func(ts *testscript.TestScript, neg bool, args []string) {
				sink := ts.Value("sink").(*requestSink)
				waitFor(ts, args, "sink-wait", sink.count)
			},
			"proxy-requests": proxyCount(func(p *forwardProxy) int { return p.count(&p.requests) }),
			"proxy-authed":   proxyCount(func(p *forwardProxy) int { return p.count(&p.authed) }),
			"hostile-mode":   hostileMode,
			"captured":       capturedCount,
			"hostile-requests": func(ts *testscript.TestScript, neg bool, args []string) {
				// hostile-requests N [PATH-PREFIX]
				prefix := ""
				if len(args) == 2 {
					prefix, args = args[1], args[:1]
				}
				assertCount(ts, neg, args, "hostile-requests", ts.Value("hostile").(*hostileServer).count(prefix))
			},
		},
	})
}

// bokuVerifyDryRun checks a Boku dry run's JSON output (a file): each
// request's printed signature_sha256 is the SHA-256 of the signature
// recomputed here from the printed method, URL, signed headers, timestamp
// and body with the profile's key (BOKU_TEST_KEY). With !, some request
// must fail to verify (a tampered file). `boku-verify-dryrun out.json`
func bokuVerifyDryRun(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: boku-verify-dryrun FILE")
	}
	var out struct {
		DryRun   bool `json:"dry_run"`
		Requests []struct {
			Method  string            `json:"method"`
			URL     string            `json:"url"`
			Headers map[string]string `json:"headers"`
			Checks  map[string]string `json:"checks"`
			Body    string            `json:"body"`
		} `json:"requests"`
	}
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &out))
	if !out.DryRun || len(out.Requests) == 0 {
		ts.Fatalf("%s is not a dry run's output with a request", args[0])
	}
	for i, req := range out.Requests {
		// The masked header does not parse as a signature (that is the
		// point): read its parameters by hand.
		rest, found := strings.CutPrefix(req.Headers["Authorization"], sign.Scheme+" ")
		if !found {
			ts.Fatalf("request %d: Authorization %q is not a Boku signature", i, req.Headers["Authorization"])
		}
		params := map[string]string{}
		for _, part := range strings.Split(rest, ", ") {
			k, v, _ := strings.Cut(part, "=")
			params[k] = v
		}
		if params["signature"] != "****" {
			ts.Fatalf("request %d: the signature is printed in full: %q", i, params["signature"])
		}
		var signed []string
		if params["signed-headers"] != "" {
			signed = strings.Split(params["signed-headers"], ";")
		}
		u, err := url.Parse(req.URL)
		ts.Check(err)
		var headers []sign.Header
		for name, value := range req.Headers {
			headers = append(headers, sign.Header{Name: name, Value: value})
		}
		message, err := sign.MessageToSign(sign.Message{Method: req.Method, Target: u.RequestURI(), Headers: headers, Body: []byte(req.Body)}, signed, params["timestamp"])
		ts.Check(err)
		sum := sha256.Sum256([]byte(sign.Compute([]byte(ts.Getenv("BOKU_TEST_KEY")), message)))
		ok := hex.EncodeToString(sum[:]) == req.Checks["signature_sha256"]
		if !ok && !neg {
			ts.Fatalf("request %d: signature_sha256 %q does not match the signature recomputed with the profile key", i, req.Checks["signature_sha256"])
		}
		if !ok {
			return
		}
	}
	if neg {
		ts.Fatalf("every request of %s verifies", args[0])
	}
}

// bokuWaitCharge waits until the script's fake Boku has recorded the
// charge with a merchant request id: `boku-wait-charge KEY`.
func bokuWaitCharge(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: boku-wait-charge MERCHANT_REQUEST_ID")
	}
	fake := ts.Value("boku").(*bokuspec.Server)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if fake.HasCharge(ts.Getenv("BOKU_MERCHANT"), args[0]) {
			return
		}
	}
	ts.Fatalf("fake Boku never recorded a charge %s", args[0])
}

// countCmd asserts a count kept by the script's fake Boku: `boku-charges 1`.
func countCmd(count func(*bokuspec.Server) int) func(ts *testscript.TestScript, neg bool, args []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: boku-charges|boku-requests N")
		}
		want, err := strconv.Atoi(args[0])
		ts.Check(err)
		got := count(ts.Value("boku").(*bokuspec.Server))
		if (got == want) == neg {
			ts.Fatalf("fake Boku count is %d, want %s%d", got, map[bool]string{true: "not ", false: ""}[neg], want)
		}
	}
}

// httpGet fetches a URL as a consumer's browser would: `httpget URL`.
func httpGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: httpget URL")
	}
	resp, err := http.Get(args[0])
	ts.Check(err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Fprintf(ts.Stdout(), "%s", body)
	if (resp.StatusCode == http.StatusOK) == neg {
		ts.Fatalf("GET %s: %s", args[0], resp.Status)
	}
}

// bokuCallback points the fake's notifications at the URL in a file,
// waiting for the file to appear: `boku-callback listener.url`.
func bokuCallback(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: boku-callback URL-FILE")
	}
	url := waitForFile(ts, args[0])
	ts.Value("boku").(*bokuspec.Server).SetCallbackURL("sandbox-merchant", url)
}

// waitForFile waits up to 10 s for a non-empty file and returns its
// trimmed content.
func waitForFile(ts *testscript.TestScript, name string) string {
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(ts.MkAbs(name))
		if err == nil && len(data) > 0 {
			return strings.TrimSpace(string(data))
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not appear within 10s", name)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFor waits up to 10 s until count() reaches the number in args[0].
func waitFor(ts *testscript.TestScript, args []string, name string, count func() int) {
	if len(args) != 1 {
		ts.Fatalf("usage: %s N", name)
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	deadline := time.Now().Add(10 * time.Second)
	for count() < want {
		if time.Now().After(deadline) {
			ts.Fatalf("%s: got %d within 10s, want %d", name, count(), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := count(); got != want {
		ts.Fatalf("%s: got %d, want exactly %d", name, got, want)
	}
}

// requestSink saves each request it receives as dir/N.http.
type requestSink struct {
	dir string
	mu  sync.Mutex
	n   int
}

func (s *requestSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	dump, err := httputil.DumpRequest(r, true)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	os.MkdirAll(s.dir, 0o755)
	s.n++
	os.WriteFile(filepath.Join(s.dir, fmt.Sprintf("%d.http", s.n)), dump, 0o644)
	// A merchant application acknowledges Boku's notifications.
	w.Write([]byte(`<notification-response><result status="OK"><reason-code>0</reason-code><message>Ack</message><retriable>false</retriable></result></notification-response>`))
}

func (s *requestSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// httpPost posts a file's bytes and prints the status and the body:
// `httppost URL|@URL-FILE BODY-FILE [AUTHORIZATION-FILE]`.
func httpPost(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 && len(args) != 3 {
		ts.Fatalf("usage: httppost URL|@URL-FILE BODY-FILE [AUTHORIZATION-FILE]")
	}
	if path, ok := strings.CutPrefix(args[0], "@"); ok {
		data, err := os.ReadFile(ts.MkAbs(path))
		ts.Check(err)
		args[0] = strings.TrimSpace(string(data))
	}
	data, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	req, err := http.NewRequest(http.MethodPost, args[0], strings.NewReader(string(data)))
	ts.Check(err)
	req.Header.Set("Content-Type", "text/xml;charset=utf-8")
	if len(args) == 3 {
		auth, err := os.ReadFile(ts.MkAbs(args[2]))
		ts.Check(err)
		req.Header.Set("Authorization", strings.TrimSpace(string(auth)))
	}
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	fmt.Fprintf(ts.Stdout(), "%s\n%s\n", resp.Status, body)
	if (resp.StatusCode == http.StatusOK) == neg {
		ts.Fatalf("POST %s: %s", args[0], resp.Status)
	}
}

// wlCount asserts a count kept by the script's fake Worldline.
func wlCount(count func(*worldline.Server) int) func(ts *testscript.TestScript, neg bool, args []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: wl-payments|wl-requests|wl-tokens N")
		}
		want, err := strconv.Atoi(args[0])
		ts.Check(err)
		if got := count(ts.Value("worldline").(*worldline.Server)); (got == want) == neg {
			ts.Fatalf("fake Worldline count is %d, want %d", got, want)
		}
	}
}

// forwardProxy is an HTTP forward proxy for plain-http targets: it sends
// each absolute-URI request on to its target and counts it.
type forwardProxy struct {
	wantAuth         string
	mu               sync.Mutex
	requests, authed int
}

func (p *forwardProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !r.URL.IsAbs() || r.URL.Scheme != "http" {
		http.Error(w, "this proxy forwards absolute http:// requests only", http.StatusMethodNotAllowed)
		return
	}
	p.mu.Lock()
	p.requests++
	if r.Header.Get("Proxy-Authorization") == p.wantAuth {
		p.authed++
	}
	p.mu.Unlock()
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.Header.Del("Proxy-Authorization")
	out.Header.Del("Proxy-Connection")
	resp, err := (&http.Transport{}).RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

func (p *forwardProxy) count(n *int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return *n
}

// proxyCount asserts a count kept by the script's forward proxy.
func proxyCount(count func(*forwardProxy) int) func(ts *testscript.TestScript, neg bool, args []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: proxy-requests|proxy-authed N")
		}
		want, err := strconv.Atoi(args[0])
		ts.Check(err)
		if got := count(ts.Value("proxy").(*forwardProxy)); (got == want) == neg {
			ts.Fatalf("the proxy's count is %d, want %d", got, want)
		}
	}
}

// stdoutToEnv sets an environment variable to the last command's stdout,
// trimmed: `stdout2env NAME`.
func stdoutToEnv(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: stdout2env NAME")
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile("stdout")))
}

// leakGuardedExecute runs bokuctl with stdout and stderr captured and
// passed through, and records in $LEAK_MARKER any run whose output
// contains one of the fakes' secrets, so the script fails even when the
// command was expected to fail.
func leakGuardedExecute() int {
	// The sandbox's test card numbers count as secrets too: bokuctl shows
	// only their last four digits.
	secrets := []string{"4176669999000104", "4176669999030002", "4176669999030051"}
	for _, name := range []string{"BOKU_TEST_KEY", "WL_CLIENT_SECRET", "OTTU_API_KEY", "OTTU_PASSWORD", "PROXY_PASSWORD"} {
		if v := os.Getenv(name); v != "" {
			secrets = append(secrets, v)
		}
	}
	realOut, realErr := os.Stdout, os.Stderr
	outR, outW, err := os.Pipe()
	if err != nil {
		return cmd.Execute()
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return cmd.Execute()
	}
	os.Stdout, os.Stderr = outW, errW
	var captured [2]strings.Builder
	var wg sync.WaitGroup
	for i, pair := range []struct{ dst, src *os.File }{{realOut, outR}, {realErr, errR}} {
		wg.Add(1)
		go func(i int, dst, src *os.File) {
			defer wg.Done()
			io.Copy(io.MultiWriter(dst, &captured[i]), src)
		}(i, pair.dst, pair.src)
	}
	var once sync.Once
	leaked := false
	finish := func(code int) int {
		once.Do(func() {
			outW.Close()
			errW.Close()
			wg.Wait()
			os.Stdout, os.Stderr = realOut, realErr
			for _, secret := range secrets {
				for i, stream := range []string{"stdout", "stderr"} {
					if strings.Contains(captured[i].String(), secret) {
						if marker := os.Getenv("LEAK_MARKER"); marker != "" {
							os.WriteFile(marker, []byte(fmt.Sprintf("%s of bokuctl %s", stream, strings.Join(os.Args[1:], " "))), 0o644)
						}
						fmt.Fprintf(realErr, "TEST GUARD: a secret appeared on %s\n", stream)
						leaked = true
						return
					}
				}
			}
		})
		if leaked {
			return 99
		}
		return code
	}
	// A signal can end the process from outside the run: what was
	// captured is passed through and checked first.
	return finish(cmd.ExecuteWith(func(code int) { os.Exit(finish(code)) }))
}

// bokuApprove is the consumer approving a hosted opt-in at the fake
// issuer's page: `boku-approve OPTIN_ID`, or `boku-approve @FILE` with the
// opt-in URL in FILE. The page sends the consumer on
// to the forward URL (a 302), which is not followed.
func bokuApprove(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: boku-approve OPTIN_ID")
	}
	target := ts.Getenv("BOKU_HOST") + "/consent/" + args[0]
	if path, ok := strings.CutPrefix(args[0], "@"); ok {
		// The opt-in URL Boku returned, saved in a file.
		data, err := os.ReadFile(ts.MkAbs(path))
		ts.Check(err)
		target = strings.Trim(strings.TrimSpace(string(data)), `"`)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(target)
	ts.Check(err)
	resp.Body.Close()
	if (resp.StatusCode == http.StatusFound) == neg {
		ts.Fatalf("approve %s: %s", args[0], resp.Status)
	}
	fmt.Fprintf(ts.Stdout(), "%s\n%s\n", resp.Status, resp.Header.Get("Location"))
}

// hostileServer is a provider gone wrong, for every client at once:
// Worldline (its token endpoint /connect/token issues tokens unless the
// mode says otherwise, the API under /processing and /services), Boku
// (.../3.0/..., answers signed with the test key so that only the body
// is at fault) and Ottu (/b/pbl/...). Modes, set with `hostile-mode`:
//
//	empty, object, null   a 2xx with no body, {} or null
//	redirect-301|302|307|308   a redirect to the capture listener, same path
//	token-redirect-307    the token endpoint redirects (307) to the listener
//	retry-after           503 with Retry-After: 20
type hostileServer struct {
	captureURL string
	mu         sync.Mutex
	mode       string
	paths      []string
}

func (h *hostileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	h.mu.Lock()
	mode := h.mode
	h.paths = append(h.paths, r.URL.Path)
	h.mu.Unlock()
	target := h.captureURL + r.URL.RequestURI()
	if r.URL.Path == "/connect/token" {
		if mode == "token-redirect-307" {
			http.Redirect(w, r, target, http.StatusTemporaryRedirect)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"hostile-token","token_type":"Bearer","expires_in":3600}`)
		return
	}
	if code, ok := strings.CutPrefix(mode, "redirect-"); ok {
		status, _ := strconv.Atoi(code)
		http.Redirect(w, r, target, status)
		return
	}
	if mode == "retry-after" {
		w.Header().Set("Retry-After", "20")
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	body := map[string]string{"empty": "", "object": "{}", "null": "null"}[mode]
	if strings.Contains(r.URL.Path, "/3.0/") {
		// Boku: a signed 200, so the client gets past the signature.
		const contentType = "text/xml;charset=utf-8"
		params, err := sign.Sign(sign.Message{Headers: []sign.Header{{Name: "Content-Type", Value: contentType}}, Body: []byte(body)},
			[]byte(bokuTestKey), "sandbox-merchant", "sandbox-key-1", []string{"Content-Type"}, time.Now())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("X-SignedResponse", params.String())
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, body)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	status := http.StatusOK
	if r.Method == http.MethodPost && !strings.HasPrefix(r.URL.Path, "/b/pbl/") {
		status = http.StatusCreated
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// count is how many requests under prefix the server received.
func (h *hostileServer) count(prefix string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, p := range h.paths {
		if strings.HasPrefix(p, prefix) {
			n++
		}
	}
	return n
}

// hostileMode sets the hostile server's mode: `hostile-mode MODE`.
func hostileMode(ts *testscript.TestScript, neg bool, args []string) {
	modes := []string{"empty", "object", "null", "redirect-301", "redirect-302", "redirect-307", "redirect-308", "token-redirect-307", "retry-after"}
	if len(args) != 1 || neg || !slices.Contains(modes, args[0]) {
		ts.Fatalf("usage: hostile-mode %s", strings.Join(modes, "|"))
	}
	h := ts.Value("hostile").(*hostileServer)
	h.mu.Lock()
	h.mode = args[0]
	h.mu.Unlock()
}

// captureListener counts every request that reaches it, whatever it is.
type captureListener struct {
	mu       sync.Mutex
	requests int
}

func (c *captureListener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	c.mu.Lock()
	c.requests++
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{}`)
}

// capturedCount asserts how many requests the capture listener received:
// `captured N`.
func capturedCount(ts *testscript.TestScript, neg bool, args []string) {
	c := ts.Value("capture").(*captureListener)
	c.mu.Lock()
	got := c.requests
	c.mu.Unlock()
	assertCount(ts, neg, args, "captured", got)
}

func assertCount(ts *testscript.TestScript, neg bool, args []string, name string, got int) {
	if len(args) != 1 {
		ts.Fatalf("usage: %s N", name)
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	if (got == want) == neg {
		ts.Fatalf("%s: got %d, want %s%d", name, got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}
