package bokudirect

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

// RawResponse is Boku's answer to a Raw call.
type RawResponse struct {
	// Status is the HTTP status code.
	Status int
	Header http.Header
	// Body is the answer as Boku sent it. After a nil error, or an
	// *APIError, its signature was verified and it is XML with a
	// <result>.
	Body []byte
	// Result is the answer's <result> (nil when it had none).
	Result *Result
}

// rawAnswer reads the <result> of any Boku answer, whatever its root.
type rawAnswer struct {
	XMLName xml.Name
	Result  Result `xml:"result"`
}

// CheckPath refuses a path that is not a plain path under the base URL:
// it must start with "/", and have no query, fragment, empty or dot
// segment, backslash, space or control character, so a request cannot
// leave the host the profile names.
func CheckPath(path string) error {
	switch {
	case !strings.HasPrefix(path, "/"):
		return fmt.Errorf("%q does not start with /", path)
	case strings.ContainsAny(path, "?#\\%"):
		return fmt.Errorf("%q has a query, fragment, escape or backslash: give the plain path", path)
	}
	for _, r := range path {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("%q has a space or control character", path)
		}
	}
	for _, seg := range strings.Split(path[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%q has an empty, . or .. segment", path)
		}
	}
	return nil
}

// CallName is the call a path names: its last segment ("query-charge"
// for /billing/3.0/query-charge).
func CallName(path string) string { return path[strings.LastIndex(path, "/")+1:] }

// Raw signs body (an XML request, sent as given) and posts it to path
// under the base URL, with the extra headers header (unsigned; the
// caller refuses Authorization and Content-Type), exactly as every call
// is signed and sent, with the same retry policy. The answer is checked
// as every call's is: a 200 must carry a valid X-SignedResponse and be
// XML with a <result>; mutation says whether a lost or unusable answer
// leaves the outcome unknown. The response comes back whenever Boku
// answered, also with an error: an *APIError when the result is ERROR
// (or in progress), a *SignatureError or *MalformedResponseError when
// the 200 cannot be trusted.
func (c *Client) Raw(ctx context.Context, path string, body []byte, header http.Header, mutation bool) (*RawResponse, error) {
	if err := CheckPath(path); err != nil {
		return nil, fmt.Errorf("boku: path %v", err)
	}
	cl := call{family: strings.Split(path[1:], "/")[0], name: CallName(path), mutation: mutation, path: path, header: header}
	status, respHeader, respBody, after, err := c.exchange(ctx, cl, body)
	if err != nil {
		return nil, err
	}
	resp := &RawResponse{Status: status, Header: respHeader, Body: respBody}
	var answer rawAnswer
	err = c.decode(cl, status, respHeader, respBody, &answer, func() *Result { return &answer.Result })
	if status == http.StatusOK && (err == nil || isAPIError(err)) {
		resp.Result = &answer.Result
	}
	if down, ok := err.(*UnavailableError); ok && after >= 0 {
		down.RetryAfter = after
	}
	return resp, err
}

func isAPIError(err error) bool {
	_, ok := err.(*APIError)
	return ok
}
