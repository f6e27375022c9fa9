package worldline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// maxThreeDSFile bounds the 3-D Secure file.
const maxThreeDSFile = 16 << 10

// ReadThreeDSecure reads the results of a 3-D Secure authentication from
// a JSON file — never from flags, since the authentication value is a
// cryptogram that must stay out of shell history and process lists. Errors
// never quote the authentication value.
func ReadThreeDSecure(path string) (*acquiring.ThreeDSecure, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, "--three-ds-file: %v", err)
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxThreeDSFile+1))
	if err != nil || len(data) > maxThreeDSFile {
		return nil, exitcode.New(exitcode.Usage, "--three-ds-file: not a 3-D Secure result file (over %d KiB or unreadable)", maxThreeDSFile>>10)
	}
	return ParseThreeDSecure(data)
}

// ParseThreeDSecure checks 3-D Secure JSON {authenticationValue,
// directoryServerTransactionId, eci, threeDSecureType, version}.
func ParseThreeDSecure(data []byte) (*acquiring.ThreeDSecure, error) {
	var t acquiring.ThreeDSecure
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		var typeErr *json.UnmarshalTypeError
		if ok := asTypeError(err, &typeErr); ok {
			return nil, exitcode.New(exitcode.Usage, "--three-ds-file: %q must be a string", typeErr.Field)
		}
		msg := err.Error()
		if strings.Contains(msg, "unknown field") {
			return nil, exitcode.New(exitcode.Usage, "--three-ds-file: %s", strings.TrimPrefix(msg, "json: ")).
				WithHint("the fields are authenticationValue, directoryServerTransactionId, eci, threeDSecureType, version")
		}
		return nil, exitcode.New(exitcode.Usage, "--three-ds-file: not JSON").
			WithHint(`give {"authenticationValue":"…","directoryServerTransactionId":"…","eci":"05","threeDSecureType":"THREE_DS","version":"2.2.0"}`)
	}
	var problems []string
	if t.AuthenticationValue == "" {
		problems = append(problems, "authenticationValue is missing")
	}
	if len(t.ECI) != 2 || !digits(t.ECI) {
		problems = append(problems, fmt.Sprintf("eci %q is not two digits", t.ECI))
	}
	if t.Version == "" || !versionLike(t.Version) {
		problems = append(problems, fmt.Sprintf("version %q is not like 2.2.0", t.Version))
	}
	if t.ThreeDSecureType == "" {
		t.ThreeDSecureType = "THREE_DS"
	}
	if len(problems) > 0 {
		return nil, exitcode.New(exitcode.Usage, "--three-ds-file: %s", strings.Join(problems, "; "))
	}
	return &t, nil
}

func asTypeError(err error, target **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*target = t
	}
	return ok
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func versionLike(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	for _, p := range parts {
		if !digits(p) {
			return false
		}
	}
	return true
}
