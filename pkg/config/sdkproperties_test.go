package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

const fullSDKFile = `# Worldline Acquiring platform connection settings
[AcquiringSDK]
acquiring.api.endpoint.host=api.preprod.acquiring.worldline-solutions.com
acquiring.api.endpoint.scheme=https
acquiring.api.endpoint.port=8443
acquiring.api.authorizationType=OAuth2
acquiring.api.oauth2.tokenUri=https://auth-test-eu-west-1.aws.bambora.com/connect/token ; the test token URI
acquiring.api.connectTimeout=5000   # ms
acquiring.api.socketTimeout=-1
acquiring.api.maxConnections=10
acquiring.api.integrator=Example Shop
; the proxy
acquiring.api.proxy.uri=http://proxy.example.local:8888
acquiring.api.proxy.username=test-user
acquiring.api.proxy.password=p#ss;word
acquiring.api.shoppingCartExtension.creator=Acme

[Other]
acquiring.api.integrator=ignored
`

func TestMapSDKPropertiesEveryKey(t *testing.T) {
	props, err := ParseProperties(strings.NewReader(fullSDKFile))
	if err != nil {
		t.Fatal(err)
	}
	got, err := MapSDKProperties(props, Milliseconds)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"worldline.api-url":         "https://api.preprod.acquiring.worldline-solutions.com:8443",
		"worldline.token-url":       "https://auth-test-eu-west-1.aws.bambora.com/connect/token",
		"worldline.connect-timeout": "5s",
		"worldline.socket-timeout":  "0",
		"worldline.max-connections": "10",
		"worldline.integrator":      "Example Shop",
		"worldline.proxy-url":       "http://proxy.example.local:8888",
		"worldline.proxy-username":  "test-user",
	}
	if !reflect.DeepEqual(got.Settings, want) {
		t.Errorf("settings\n got %v\nwant %v", got.Settings, want)
	}
	// A "#" or ";" inside a value is not a comment.
	if got.ProxyPassword != "p#ss;word" {
		t.Errorf("proxy password %q", got.ProxyPassword)
	}
	wantUnmapped := []Property{{Line: 16, Key: "acquiring.api.shoppingCartExtension.creator", Section: "AcquiringSDK"}, {Line: 19, Section: "Other", Key: "acquiring.api.integrator"}}
	if !reflect.DeepEqual(got.Unmapped, wantUnmapped) {
		t.Errorf("unmapped %+v", got.Unmapped)
	}
}

func TestMapSDKPropertiesUnitsAndProxyUserInfo(t *testing.T) {
	props, err := ParseProperties(strings.NewReader("acquiring.api.connectTimeout: 5\nacquiring.api.socketTimeout=300\nacquiring.api.proxy.uri=http://u:secret@proxy:3128\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := MapSDKProperties(props, Seconds)
	if err != nil {
		t.Fatal(err)
	}
	if got.Settings["worldline.connect-timeout"] != "5s" || got.Settings["worldline.socket-timeout"] != "5m" {
		t.Errorf("timeouts in seconds: %v", got.Settings)
	}
	if got.Settings["worldline.proxy-url"] != "http://proxy:3128" || got.Settings["worldline.proxy-username"] != "u" || got.ProxyPassword != "secret" {
		t.Errorf("proxy user info not moved: %v", got.Settings)
	}
	ms, _ := MapSDKProperties(props, Milliseconds)
	if ms.Settings["worldline.connect-timeout"] != "5ms" || len(ms.Notes) != 1 {
		t.Errorf("5 as ms: %v, notes %v", ms.Settings, ms.Notes)
	}
}

func TestPropertiesErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		file string
		line int
		msg  string
	}{
		{"[AcquiringSDK]\n\nnot a pair\n", 3, "not key=value"},
		{"[AcquiringSDK\n", 1, "section header"},
		{"a=1\n# c\na=2\n", 3, "given again (first on line 1)"},
		{"=1\n", 1, "no key"},
		{"acquiring.api.connectTimeout=soon\n", 1, "not a whole number of milliseconds"},
		{"acquiring.api.connectTimeout=-2\n", 1, "-1 for none"},
		{"acquiring.api.maxConnections=0\n", 1, "from 1 to 1000"},
		{"acquiring.api.endpoint.host=https://api.example\n", 1, "not a host name"},
		{"x=1\nacquiring.api.endpoint.port=99999\n", 2, "port"},
		{"acquiring.api.endpoint.scheme=http\n", 1, "without acquiring.api.endpoint.host"},
		{"acquiring.api.authorizationType=v1HMAC\n", 1, "only OAuth2"},
		{"acquiring.api.oauth2.tokenUri=ftp://x\n", 1, "not an http(s) URL"},
		{"acquiring.api.proxy.uri=ftp://u:hunter2@proxy\n", 1, "not an http(s) URL"},
	} {
		props, err := ParseProperties(strings.NewReader(tc.file))
		if err == nil {
			_, err = MapSDKProperties(props, Milliseconds)
		}
		var bad *PropertiesError
		if !errors.As(err, &bad) || bad.Line != tc.line || !strings.Contains(bad.Msg, tc.msg) {
			t.Errorf("%q: got %v, want line %d with %q", tc.file, err, tc.line, tc.msg)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: the password is in the error: %v", tc.file, err)
		}
	}
}

func TestProxyURLSetting(t *testing.T) {
	key, _ := LookupKey("worldline.proxy-url")
	if err := key.Validate("http://proxy.example:3128"); err != nil {
		t.Error(err)
	}
	err := key.Validate("http://ops:hunter2@proxy.example:3128")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("user info: %v", err)
	}
	for _, v := range []string{"ops:hunter2@proxy:3128", "http://ops:hunter2@[::1"} {
		if got := RedactURL(v); strings.Contains(got, "hunter2") {
			t.Errorf("RedactURL(%q) = %q", v, got)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for in, want := range map[string]string{"5s": "5s", "5m0s": "5m", "1h0m0s": "1h", "1h0m5s": "1h0m5s", "1.5s": "1.5s", "300ms": "300ms"} {
		d, _ := time.ParseDuration(in)
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%s) = %s, want %s", in, got, want)
		}
	}
}

// FuzzProperties: parsing and mapping never panic; what maps is valid
// for its setting, and an error never holds the proxy password.
func FuzzProperties(f *testing.F) {
	f.Add(fullSDKFile)
	f.Add("[AcquiringSDK]\nacquiring.api.proxy.uri=http://a:b@c\n")
	f.Add("acquiring.api.connectTimeout=-1 ; none\n")
	f.Add("\xef\xbb\xbf[x]\n a : b # c\n")
	f.Fuzz(func(t *testing.T, file string) {
		props, err := ParseProperties(strings.NewReader(file))
		if err != nil {
			var bad *PropertiesError
			if !errors.As(err, &bad) || bad.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		for _, unit := range []TimeoutUnit{Milliseconds, Seconds} {
			got, err := MapSDKProperties(props, unit)
			if err != nil {
				var bad *PropertiesError
				if !errors.As(err, &bad) || bad.Line < 1 {
					t.Fatalf("error without a line: %v", err)
				}
				for _, p := range props {
					if strings.EqualFold(p.Key, "acquiring.api.proxy.password") && len(p.Value) >= 12 && strings.Contains(err.Error(), p.Value) && !elsewhere(props, p) {
						t.Fatalf("the proxy password is in the error: %v", err)
					}
				}
				continue
			}
			for name, value := range got.Settings {
				key, ok := LookupKey(name)
				if !ok {
					t.Fatalf("unknown setting %s", name)
				}
				if err := key.Validate(value); err != nil {
					t.Fatalf("%s=%q invalid: %v", name, value, err)
				}
			}
		}
	})
}

// elsewhere reports whether p's value also occurs in another line.
func elsewhere(props []Property, p Property) bool {
	for _, o := range props {
		if o.Line != p.Line && (strings.Contains(o.Key, p.Value) || strings.Contains(o.Value, p.Value)) {
			return true
		}
	}
	return false
}
