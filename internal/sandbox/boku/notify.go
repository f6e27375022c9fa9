package boku

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bokuctl/bokuctl/pkg/sign"
)

// Delivery records one notification the fake tried to send.
type Delivery struct {
	EventID   string
	EventType string
	URL       string
	Status    int
	Err       string
}

// SetCallbackURL is the merchant's notification URL, which Boku
// configures per merchant: refund notifications (for refunds that ask for
// one, and chargebacks) go there.
func (s *Server) SetCallbackURL(merchantID, callbackURL string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callbacks[merchantID] = callbackURL
}

// Deliveries returns the notifications sent so far, finished ones only.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// RetryBase is the first wait before Boku sends an unacknowledged
// notification again: 1 minute, then ×1.5 each time, capped at 60 minutes
// (RetryBase × 60), for 24 hours (RetryBase × 1440). Tests shorten it.
const defaultRetryBase = time.Minute

// refundNotification is Boku's <refund-notification>.
type refundNotification struct {
	XMLName xml.Name   `xml:"refund-notification"`
	Refund  refundElem `xml:"refund"`
}

// notifyRefund sends a <refund-notification> for rf to the merchant's
// notification URL. Callers hold s.mu.
func (s *Server) notifyRefund(m Merchant, rf *refund, c *charge, kind string) {
	target := s.callbacks[m.ID]
	if target == "" {
		return
	}
	n := refundNotification{Refund: refundElem{Result: okResult(), RefundStatus: rf.status, RefundID: rf.id, Timestamp: bokuTime(s.Now()),
		MerchantID: rf.merchantID, MerchantRefundID: rf.merchantRefundID, ChargeID: rf.chargeID, ReasonCode: rf.reasonCode,
		Country: strings.ToUpper(c.country), NetworkID: networkID(c.country), Currency: rf.currency, RefundAmount: formatMinor(rf.amount, rf.currency),
		Type: kind, MerchantTransactionID: c.merchantTransactionID}}
	s.send(m, target, kind, encode(n))
}

// send posts body to target in the background, signed as Boku signs
// requests, until the merchant acknowledges it with a well-formed
// <notification-response> (status OK, not retriable), on Boku's schedule
// scaled by s.RetryBase. Callers hold s.mu.
func (s *Server) send(m Merchant, target, eventType string, body []byte) {
	now := s.Now()
	id := s.nextID("evt")
	base := s.RetryBase
	go func() {
		wait, waited := base, time.Duration(0)
		for {
			d := Delivery{EventID: id, EventType: eventType, URL: target}
			if err := deliver(target, m, body, now); err != nil {
				d.Err = err.Error()
			} else {
				d.Status = http.StatusOK
			}
			s.mu.Lock()
			s.deliveries = append(s.deliveries, d)
			s.mu.Unlock()
			if d.Err == "" || waited+wait > base*1440 {
				return
			}
			time.Sleep(wait)
			waited += wait
			wait = min(wait*3/2, base*60)
			now = now.Add(wait)
		}
	}()
}

func deliver(target string, m Merchant, body []byte, now time.Time) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	params, err := sign.Sign(sign.Message{Method: http.MethodPost, Target: u.RequestURI(),
		Headers: []sign.Header{{Name: "Content-Type", Value: contentType}}, Body: body},
		m.Key, m.ID, m.KeyID, []string{"Content-Type"}, now)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", params.String())
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &statusError{resp.Status}
	}
	// Boku wants the acknowledgement, not only a 200.
	var ack struct {
		XMLName xml.Name `xml:"notification-response"`
		Result  result   `xml:"result"`
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if xml.Unmarshal(data, &ack) != nil || ack.Result.Status != "OK" || ack.Result.Retriable {
		return &statusError{"200 without an OK, non-retriable <notification-response>"}
	}
	return nil
}

type statusError struct{ status string }

func (e *statusError) Error() string { return "callback answered " + e.status }
