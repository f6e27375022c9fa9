package bokudirect

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

// The MTE simulator (Boku's "Simulator API", its test-environment guide):
// PUT requests, signed like the API with merchant-id = partner-id, that
// set what the simulated issuer answers next. It exists only in Boku's
// test environment.

// DefaultSimulatorURL is Boku's MTE simulator.
const DefaultSimulatorURL = "https://simulator-api-stage.boku.com"

// HostedOptinBehavior is <hosted-optin-behavior>: the result of a hosted
// opt-in's issuer step.
type HostedOptinBehavior struct {
	XMLName               xml.Name `xml:"hosted-optin-behavior"`
	ResponseCode          int      `xml:"response-code,attr"`
	AccountIdentifier     string   `xml:"account-identifier,attr,omitempty"`
	IssuerUniqueUserID    string   `xml:"issuer-unique-user-id,attr,omitempty"`
	FailOnValidate        *bool    `xml:"fail-on-validate,attr,omitempty"`
	SendRedirectionResult *bool    `xml:"send-redirection-result,attr,omitempty"`
	RedirectionDelayMS    *int64   `xml:"send-redirection-result-delay-ms,attr,omitempty"`
}

// ChargeBehavior is <charge-behavior> (or, as refund, <refund-behavior>):
// the final reason code of the opt-in's next charges, and how long they
// stay in progress first.
type ChargeBehavior struct {
	ErrorCode int
	LatencyMS *int64
}

func (b ChargeBehavior) body(root string) []byte {
	latency := ""
	if b.LatencyMS != nil {
		latency = fmt.Sprintf(` latency="%d"`, *b.LatencyMS)
	}
	return []byte(fmt.Sprintf(`<%s error-code="%d"%s/>`, root, b.ErrorCode, latency))
}

// SimulateOptinBefore sets the behaviour of the opt-in that will be begun
// with merchantRequestID.
func (c *Client) SimulateOptinBefore(ctx context.Context, simulatorURL, merchantRequestID string, b HostedOptinBehavior) error {
	body, _ := xml.Marshal(b)
	return c.simulate(ctx, simulatorURL, "/merchant-api/"+url.PathEscape(c.cfg.MerchantID)+"/hosted-optin/"+url.PathEscape(merchantRequestID), body)
}

// SimulateOptinRedirect simulates the consumer's return from the issuer
// for an opt-in already begun.
func (c *Client) SimulateOptinRedirect(ctx context.Context, simulatorURL, optinID string, b HostedOptinBehavior) error {
	body, _ := xml.Marshal(b)
	return c.simulate(ctx, simulatorURL, "/merchant-api/"+url.PathEscape(c.cfg.MerchantID)+"/hosted-optin/optin-id/"+url.PathEscape(optinID)+"/redirect", body)
}

// SimulateCharges sets how the opt-in's charges end.
func (c *Client) SimulateCharges(ctx context.Context, simulatorURL, optinID string, b ChargeBehavior) error {
	return c.simulate(ctx, simulatorURL, "/merchant-api/"+url.PathEscape(c.cfg.MerchantID)+"-mte/hosted-optin/optin-id/"+url.PathEscape(optinID)+"/charge-behavior", b.body("charge-behavior"))
}

// SimulateRefunds sets how refunds of the opt-in's charges end.
func (c *Client) SimulateRefunds(ctx context.Context, simulatorURL, optinID string, b ChargeBehavior) error {
	return c.simulate(ctx, simulatorURL, "/merchant-api/"+url.PathEscape(c.cfg.MerchantID)+"-mte/hosted-optin/optin-id/"+url.PathEscape(optinID)+"/refund-behavior", b.body("refund-behavior"))
}

// simulate sends one signed PUT; the simulator answers 200 or 204.
func (c *Client) simulate(ctx context.Context, simulatorURL, path string, body []byte) error {
	if simulatorURL == "" {
		simulatorURL = DefaultSimulatorURL
	}
	target := strings.TrimRight(simulatorURL, "/") + path
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("simulator: %w", err)
	}
	req.Header.Set("Content-Type", ContentType)
	params, err := sign.Sign(sign.Message{Method: http.MethodPut, Target: req.URL.RequestURI(),
		Headers: []sign.Header{{Name: "Content-Type", Value: ContentType}}, Body: body},
		c.cfg.Key, c.cfg.MerchantID, c.cfg.KeyID, []string{"Content-Type"}, c.cfg.Now())
	if err != nil {
		return fmt.Errorf("sign simulator request: %w", err)
	}
	req.Header.Set("Authorization", params.String())
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		// Setting a behaviour again is harmless: nothing to settle.
		return exitcode.New(exitcode.Unavailable, "boku simulator: cannot reach %s: %v", simulatorURL, err).WithHint("check boku.simulator-url and the network")
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	switch {
	case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNoContent:
		return nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return exitcode.New(exitcode.Auth, "boku simulator: refused (HTTP %d): %s", resp.StatusCode, strings.TrimSpace(string(text))).
			WithHint("check boku.merchant-id, boku.key-id and the boku-key secret")
	case resp.StatusCode >= 500:
		return exitcode.New(exitcode.Unavailable, "boku simulator: HTTP %d", resp.StatusCode).WithHint("try again later")
	}
	return exitcode.New(exitcode.Usage, "boku simulator: HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(text))).
		WithHint("check the opt-in id or merchant request id")
}
