package config

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SDKSection is the section of the Worldline Acquiring SDKs' properties
// file that holds the communicator configuration.
const SDKSection = "AcquiringSDK"

// maxPropertiesSize bounds the properties file read.
const maxPropertiesSize = 1 << 20

// Property is one key=value line of a properties file.
type Property struct {
	Line    int
	Section string
	Key     string
	Value   string
}

// PropertiesError is a malformed or invalid line.
type PropertiesError struct {
	Line int
	Msg  string
}

func (e *PropertiesError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ParseProperties reads an INI-style properties file as the Worldline SDKs
// write it: "[Section]" headers, key=value (or key: value) lines, "#" and
// ";" comment lines, and comments after a value when "#" or ";" follows a
// space or tab. Keys before any header belong to no section ("", as in a
// Java properties file). A line that is none of these, or a key given
// twice in a section, is a *PropertiesError.
func ParseProperties(r io.Reader) ([]Property, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPropertiesSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPropertiesSize {
		return nil, &PropertiesError{Line: bytes.Count(data, []byte("\n")) + 1, Msg: fmt.Sprintf("the file is over %d KiB; that is not an SDK properties file", maxPropertiesSize>>10)}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var props []Property
	seen := map[string]int{}
	section := ""
	scanner := bufio.NewScanner(bytes.NewReader(data))
	scanner.Buffer(make([]byte, 0, 4096), maxPropertiesSize+1)
	for n := 1; scanner.Scan(); n++ {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 || strings.TrimSpace(stripComment(line[end+1:])) != "" {
				return nil, &PropertiesError{Line: n, Msg: "a section header must be [NAME] alone on its line"}
			}
			section = strings.TrimSpace(line[1:end])
			if section == "" {
				return nil, &PropertiesError{Line: n, Msg: "empty section name []"}
			}
			continue
		}
		sep := strings.IndexAny(line, "=:")
		if sep < 0 {
			return nil, &PropertiesError{Line: n, Msg: "not key=value, a [section] or a # comment"}
		}
		key := strings.TrimSpace(line[:sep])
		if key == "" {
			return nil, &PropertiesError{Line: n, Msg: "no key before " + string(line[sep])}
		}
		if strings.ContainsAny(key, " \t") {
			return nil, &PropertiesError{Line: n, Msg: "a key has no spaces in it"}
		}
		id := strings.ToLower(section) + "\x00" + strings.ToLower(key)
		if first, dup := seen[id]; dup {
			return nil, &PropertiesError{Line: n, Msg: fmt.Sprintf("%s is given again (first on line %d)", key, first)}
		}
		seen[id] = n
		props = append(props, Property{Line: n, Section: section, Key: key, Value: strings.TrimSpace(stripComment(line[sep+1:]))})
	}
	if err := scanner.Err(); err != nil {
		return nil, err
	}
	return props, nil
}

// stripComment cuts a value at a "#" or ";" that follows a space or tab.
func stripComment(v string) string {
	for i := 1; i < len(v); i++ {
		if (v[i] == '#' || v[i] == ';') && (v[i-1] == ' ' || v[i-1] == '\t') {
			return v[:i]
		}
	}
	if strings.HasPrefix(v, "#") || strings.HasPrefix(v, ";") {
		return ""
	}
	return v
}

// SDKImport is a properties file's [AcquiringSDK] section as profile
// settings.
type SDKImport struct {
	// Settings are dotted setting names and their values, validated.
	Settings map[string]string
	// ProxyPassword is acquiring.api.proxy.password (or the password in
	// the proxy URI): the secret worldline-proxy-password. Never print it.
	ProxyPassword string
	// Unmapped are keys bokuctl has no setting for ("[Section] key" for a
	// key of another section), by line.
	Unmapped []Property
	// Notes are remarks on values read, e.g. a timeout that looks like
	// seconds read as milliseconds.
	Notes []string
}

// TimeoutUnit is how the SDK file counts timeouts: the Java SDK in
// milliseconds, the Python SDK in seconds.
type TimeoutUnit time.Duration

// SDK timeout units.
const (
	Milliseconds = TimeoutUnit(time.Millisecond)
	Seconds      = TimeoutUnit(time.Second)
)

// sdkSettings maps the SDK keys (compared case-insensitively) to settings.
var sdkSettings = map[string]string{
	"acquiring.api.oauth2.tokenuri": "worldline.token-url",
	"acquiring.api.integrator":      "worldline.integrator",
	"acquiring.api.connecttimeout":  "worldline.connect-timeout",
	"acquiring.api.sockettimeout":   "worldline.socket-timeout",
	"acquiring.api.maxconnections":  "worldline.max-connections",
	"acquiring.api.proxy.uri":       "worldline.proxy-url",
	"acquiring.api.proxy.username":  "worldline.proxy-username",
}

// MapSDKProperties turns the [AcquiringSDK] section (and keys outside any
// section) into Worldline settings: acquiring.api.endpoint.scheme, .host
// and .port make worldline.api-url; timeouts count unit (-1 and 0: none,
// stored as "0"); acquiring.api.authorizationType must be OAuth2. An
// invalid value is a *PropertiesError naming its line; the password never
// appears in one.
func MapSDKProperties(props []Property, unit TimeoutUnit) (*SDKImport, error) {
	out := &SDKImport{Settings: map[string]string{}}
	var endpoint struct {
		scheme, host, port string
		line, otherLine    int
	}
	endpoint.scheme = "https"
	proxyUser := 0
	for _, p := range props {
		if p.Section != "" && !strings.EqualFold(p.Section, SDKSection) {
			out.Unmapped = append(out.Unmapped, Property{Line: p.Line, Section: p.Section, Key: p.Key})
			continue
		}
		bad := func(format string, args ...any) error {
			return &PropertiesError{Line: p.Line, Msg: p.Key + ": " + fmt.Sprintf(format, args...)}
		}
		lower := strings.ToLower(p.Key)
		switch lower {
		case "acquiring.api.endpoint.host":
			if p.Value == "" || strings.ContainsAny(p.Value, "/:@?#") {
				return nil, bad("%q is not a host name (no scheme, port or path), e.g. api.preprod.acquiring.worldline-solutions.com", p.Value)
			}
			endpoint.host, endpoint.line = p.Value, p.Line
			continue
		case "acquiring.api.endpoint.scheme":
			scheme := strings.ToLower(p.Value)
			if scheme != "http" && scheme != "https" {
				return nil, bad("%q is neither https nor http", p.Value)
			}
			endpoint.scheme, endpoint.otherLine = scheme, p.Line
			continue
		case "acquiring.api.endpoint.port":
			if n, err := strconv.Atoi(p.Value); p.Value != "-1" && (err != nil || n < 1 || n > 65535) {
				return nil, bad("%q is not a port from 1 to 65535 (or -1 for the scheme's)", p.Value)
			}
			if p.Value != "-1" {
				endpoint.port, endpoint.otherLine = p.Value, p.Line
			}
			continue
		case "acquiring.api.authorizationtype":
			if !strings.EqualFold(p.Value, "OAuth2") {
				return nil, bad("%q: bokuctl speaks only OAuth2", p.Value)
			}
			continue
		case "acquiring.api.proxy.password":
			out.ProxyPassword = p.Value
			continue
		}
		name, ok := sdkSettings[lower]
		if !ok {
			out.Unmapped = append(out.Unmapped, Property{Line: p.Line, Section: p.Section, Key: p.Key})
			continue
		}
		value := p.Value
		switch name {
		case "worldline.connect-timeout", "worldline.socket-timeout":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < -1 || n > int64(24*time.Hour/time.Duration(unit)) {
				return nil, bad("%q is not a whole number of %s (-1 for none)", value, unit)
			}
			if n > 0 && n < 100 && unit == Milliseconds {
				out.Notes = append(out.Notes, fmt.Sprintf("line %d: %s=%d read as %dms; the Python SDK counts seconds (--timeout-unit s)", p.Line, p.Key, n, n))
			}
			value = "0"
			if n > 0 {
				value = FormatDuration(time.Duration(n) * time.Duration(unit))
			}
		case "worldline.proxy-url":
			u, err := url.Parse(value)
			if err == nil && u.User != nil {
				if user := u.User.Username(); user != "" && proxyUser == 0 {
					out.Settings["worldline.proxy-username"] = user
				}
				if password, set := u.User.Password(); set && out.ProxyPassword == "" {
					out.ProxyPassword = password
				}
				u.User = nil
				value = u.String()
			}
		case "worldline.proxy-username":
			proxyUser = p.Line
		}
		key, _ := LookupKey(name)
		value = key.Normalize(value)
		if err := key.Validate(value); err != nil {
			return nil, bad("%v", strings.TrimPrefix(err.Error(), name+": "))
		}
		if value != "" {
			out.Settings[name] = value
		}
	}
	if endpoint.host != "" {
		host := endpoint.host
		if endpoint.port != "" {
			host = net.JoinHostPort(host, endpoint.port)
		}
		out.Settings["worldline.api-url"] = endpoint.scheme + "://" + host
		key, _ := LookupKey("worldline.api-url")
		if err := key.Validate(out.Settings["worldline.api-url"]); err != nil {
			return nil, &PropertiesError{Line: endpoint.line, Msg: err.Error()}
		}
	} else if endpoint.otherLine != 0 {
		return nil, &PropertiesError{Line: endpoint.otherLine, Msg: "acquiring.api.endpoint.scheme or .port without acquiring.api.endpoint.host"}
	}
	return out, nil
}

func (u TimeoutUnit) String() string {
	if u == Seconds {
		return "seconds"
	}
	return "milliseconds"
}

// FormatDuration is d as a Go duration without trailing zero units:
// 5m rather than 5m0s.
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
