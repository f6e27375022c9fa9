package acquiring

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// RawResponse is Worldline's answer to a Raw call.
type RawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// MerchantPrefix is the path every merchant resource is under:
// /processing/v1/{acquirerId}/{merchantId}.
func (c *Client) MerchantPrefix() string { return c.merchantPath("processing", "") }

// AcquirerID and MerchantID are the configured ids.
func (c *Client) AcquirerID() string { return c.cfg.AcquirerID }

// MerchantID is the configured merchant id.
func (c *Client) MerchantID() string { return c.cfg.MerchantID }

// Raw sends body (JSON, or nil) with method to path (under the API URL,
// with its query) as every call is sent: the OAuth token the client
// holds (a 401 refreshes it and resends once), Worldline's headers and
// the extra headers header. operationID names the body's operationId in
// errors; mutation says whether a lost or broken answer leaves the
// outcome unknown. The response comes back whenever Worldline answered,
// also with the error a non-2xx is (*APIError, *RedirectError) or a 2xx
// that is not JSON (*MalformedResponseError).
func (c *Client) Raw(ctx context.Context, method, path string, body []byte, header http.Header, operationID string, mutation bool) (*RawResponse, error) {
	req := request{method: method, path: path, mutation: mutation, operationID: operationID, header: header}
	token, err := c.accessToken(ctx, false)
	if err != nil {
		return nil, err
	}
	status, respBody, respHeader, err := c.send(ctx, req, body, token)
	if err == nil && status == http.StatusUnauthorized {
		if token, err = c.accessToken(ctx, true); err != nil {
			return nil, err
		}
		status, respBody, respHeader, err = c.send(ctx, req, body, token)
	}
	if err != nil {
		return nil, err
	}
	resp := &RawResponse{Status: status, Header: respHeader, Body: respBody}
	switch {
	case status >= 300 && status <= 399:
		return resp, &RedirectError{Path: path, Status: status, Location: respHeader.Get("Location"), Mutation: mutation}
	case status < 200 || status > 299:
		return resp, apiError(req, status, respHeader, respBody)
	}
	if len(bytes.TrimSpace(respBody)) == 0 {
		return resp, nil
	}
	mediaType, _, _ := mime.ParseMediaType(respHeader.Get("Content-Type"))
	if mediaType != "application/json" && !strings.HasSuffix(mediaType, "+json") {
		return resp, &MalformedResponseError{Path: path, Status: status, Mutation: mutation, Err: fmt.Errorf("the answer is %q, not JSON", respHeader.Get("Content-Type"))}
	}
	if !json.Valid(respBody) {
		return resp, &MalformedResponseError{Path: path, Status: status, Mutation: mutation, Err: errors.New("the answer is not valid JSON")}
	}
	return resp, nil
}
