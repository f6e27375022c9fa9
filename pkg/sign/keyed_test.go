package sign

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// referenceMessageToSign and referenceParse are MessageToSign and Parse
// as they were written before they avoided allocations: the tests below
// check that the two agree.
func referenceMessageToSign(m Message, signedHeaders []string, timestamp string) (string, error) {
	var b strings.Builder
	if m.Method != "" {
		b.WriteString(strings.ToUpper(m.Method) + " " + m.Target + "\n")
	}
	for _, name := range signedHeaders {
		found := false
		for _, h := range m.Headers {
			if strings.EqualFold(h.Name, name) {
				found = true
				b.WriteString(name + ": " + strings.TrimSpace(h.Value) + "\n")
			}
		}
		if !found {
			return "", fmt.Errorf("signed header %q is not in the message", name)
		}
	}
	if len(m.Body) > 0 {
		sum := sha256.Sum256(m.Body)
		b.WriteString(hex.EncodeToString(sum[:]))
	}
	b.WriteString("\n" + timestamp)
	return b.String(), nil
}

// referenceParse is Boku's parsing rule written plainly: scheme, white
// space, then segments split on \s*,\s*; a segment without a name and a
// value is skipped; a later duplicate wins.
func referenceParse(value string) (Params, error) {
	fields := regexp.MustCompile(`^(\S+)\s+(.*)$`).FindStringSubmatch(strings.TrimSpace(value))
	if fields == nil || fields[1] != Scheme {
		return Params{}, fmt.Errorf("%w: does not start with %q", ErrMalformed, Scheme)
	}
	var p Params
	for _, part := range regexp.MustCompile(`\s*,\s*`).Split(fields[2], -1) {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || name == "" || val == "" {
			continue
		}
		switch name {
		case "partner-id":
			p.PartnerID = val
		case "key-id":
			p.KeyID = val
		case "signed-headers":
			p.SignedHeaders = strings.Split(val, ";")
		case "timestamp":
			p.Timestamp = val
		case "signature":
			p.Signature = val
		}
	}
	for _, required := range []struct{ name, value string }{
		{"partner-id", p.PartnerID}, {"key-id", p.KeyID}, {"timestamp", p.Timestamp}, {"signature", p.Signature},
	} {
		if required.value == "" {
			return Params{}, fmt.Errorf("%w: missing %s", ErrMalformed, required.name)
		}
	}
	if _, err := strconv.ParseInt(p.Timestamp, 10, 64); err != nil {
		return Params{}, fmt.Errorf("%w: timestamp %q is not whole seconds", ErrMalformed, p.Timestamp)
	}
	if len(p.Signature) != 64 || strings.ToLower(p.Signature) != p.Signature {
		return Params{}, fmt.Errorf("%w: signature is not 64 lower-case hex characters", ErrMalformed)
	}
	if _, err := hex.DecodeString(p.Signature); err != nil {
		return Params{}, fmt.Errorf("%w: signature is not hex", ErrMalformed)
	}
	return p, nil
}

// echoHeader is echoRequest's Authorization value, signed at t.
func echoHeader(t time.Time) string {
	p, err := Sign(echoRequest(), []byte(testKey), "examplemerchant", "123A", []string{"Content-Type"}, t)
	if err != nil {
		panic(err)
	}
	return p.String()
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// mutations returns s with one byte deleted, replaced or inserted, for
// every position and a set of bytes that matter to the header's syntax.
func mutations(s string) []string {
	const changes = ",;= \t-_0aAfFgG:/\"\x00\xff\u00e9"
	out := []string{s}
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			out = append(out, s[:i]+s[i+1:])
		}
		for _, c := range []byte(changes) {
			if i < len(s) {
				out = append(out, s[:i]+string(c)+s[i+1:])
			}
			out = append(out, s[:i]+string(c)+s[i:])
		}
	}
	return out
}

func TestParseAgreesWithReference(t *testing.T) {
	header := echoHeader(time.Unix(1401143938, 0))
	extra := Scheme + " partner-id=a, key-id=b, x=1, y=2, z=3, w=4, v=5, u=6, t=7, s=8, timestamp=1, signature=" + strings.Repeat("ab", 32)
	n := 0
	for _, base := range []string{header, extra, Scheme + " a=1, a=2", Scheme + " ,", Scheme + " "} {
		for _, v := range mutations(base) {
			got, gerr := Parse(v)
			want, werr := referenceParse(v)
			if !reflect.DeepEqual(got, want) || errText(gerr) != errText(werr) {
				t.Fatalf("Parse(%q) = %+v, %v; before: %+v, %v", v, got, gerr, want, werr)
			}
			n++
		}
	}
	t.Logf("%d headers", n)
}

func TestMessageToSignAgreesWithReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pick := func(options ...string) string { return options[r.IntN(len(options))] }
	for range 20000 {
		m := Message{Method: pick("", "POST", "post", "GeT"), Target: pick("", "/", "/a?b=c", " /x "),
			Body: []byte(pick("", "<x/>", "body\n"))}
		for range r.IntN(4) {
			m.Headers = append(m.Headers, Header{Name: pick("Content-Type", "content-type", "X-A", ""), Value: pick("", " v ", "text/xml;charset=utf-8", "\t")})
		}
		var signed []string
		for range r.IntN(3) {
			signed = append(signed, pick("Content-Type", "X-A", "content-TYPE", "missing"))
		}
		ts := pick("", "1", "1401143938")
		got, gerr := MessageToSign(m, signed, ts)
		want, werr := referenceMessageToSign(m, signed, ts)
		if got != want && gerr == nil || errText(gerr) != errText(werr) {
			t.Fatalf("MessageToSign(%+v, %q, %q) = %q, %v; before: %q, %v", m, signed, ts, got, gerr, want, werr)
		}
	}
}

// Keyed.Verify answers as Verify does, for good, tampered, stale and
// wrongly keyed signatures, whether the key looked up is its own or not,
// and from many goroutines at once.
func TestKeyedVerifyAgreesWithVerify(t *testing.T) {
	now := time.Unix(1401143938, 0)
	keyed := NewKeyed([]byte(testKey))
	other := []byte("another-key")
	lookups := map[string]KeyLookup{
		"own key":   keys,
		"other key": func(string, string) ([]byte, error) { return other, nil },
	}
	headers := mutations(echoHeader(now))
	for _, when := range []time.Time{now, now.Add(10 * time.Minute)} {
		p, err := Sign(echoRequest(), other, "examplemerchant", "123A", []string{"Content-Type"}, when)
		if err != nil {
			t.Fatal(err)
		}
		headers = append(headers, p.String(), "")
	}
	messages := []Message{echoRequest(), {Method: "POST", Target: "/test/echo?foo=bar&hoge=piyo", Body: []byte("<xml/>")}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failure string
	for g := range 4 {
		wg.Go(func() {
			for i, h := range headers {
				if i%4 != g {
					continue
				}
				for name, lookup := range lookups {
					for _, m := range messages {
						got, gerr := keyed.Verify(m, h, lookup, now, DefaultSkew)
						want, werr := Verify(m, h, lookup, now, DefaultSkew)
						if !reflect.DeepEqual(got, want) || errText(gerr) != errText(werr) {
							mu.Lock()
							failure = fmt.Sprintf("%s, %q: keyed %+v %v; Verify %+v %v", name, h, got, gerr, want, werr)
							mu.Unlock()
						}
					}
				}
			}
		})
	}
	wg.Wait()
	if failure != "" {
		t.Fatal(failure)
	}
	if _, err := keyed.Verify(echoRequest(), echoHeader(time.Unix(1401143938, 0)), keys, now, DefaultSkew); err != nil {
		t.Fatalf("a good signature: %v", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	now := time.Unix(1401143938, 0)
	header := echoHeader(time.Unix(1401143938, 0))
	keyed := NewKeyed([]byte(testKey))
	b.Run("Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Verify(echoRequest(), header, keys, now, DefaultSkew); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Keyed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := keyed.Verify(echoRequest(), header, keys, now, DefaultSkew); err != nil {
				b.Fatal(err)
			}
		}
	})
}
