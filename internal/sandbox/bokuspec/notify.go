package bokuspec

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/bokuctl/bokuctl/pkg/sign"
)

// Notifications (spec: refund-notification and charge-notification; the
// reference note §7). Boku POSTs a <refund-notification> to the merchant's
// notification URL (SetCallbackURL: Boku configures one per merchant) for a
// refund that asked for one (<notification send="true"/>) and for every
// chargeback, and a <charge-notification> to a begin-single-charge's own
// notification-url once the consumer has acted. Each is signed as Boku
// signs requests (inferred: the spec says keys authenticate communications
// both ways) and sent again until the merchant answers a well-formed
// <notification-response> that is not retriable (an OK, or a rejection
// such as the spec's ERROR 153 with retriable false: Boku retries "if the
// ACK response is not properly formatted or if the retriable element is
// set to true"): after RetryBase, then ×1.5 each time, capped at
// 60×RetryBase, for 1440×RetryBase (the spec's 1 minute, 60 minutes, 24
// hours). Each notification takes an id from the fake's one counter
// (evt-…), as the sandbox's earlier fake did.

// DefaultRetryBase is Boku's first wait before sending a notification
// again.
const DefaultRetryBase = time.Minute

// Delivery records one attempt to send a notification.
type Delivery struct {
	EventID   string
	EventType string // refund, chargeback or charge
	URL       string
	Status    int // 200 when acknowledged
	Err       string
	// Rejected is a well-formed answer that refused the notification and
	// asked for no retry (status ERROR, retriable false): it is not sent
	// again (Err says why).
	Rejected bool
}

type refundNotification struct {
	XMLName xml.Name   `xml:"refund-notification"`
	Refund  refundElem `xml:"refund"`
}

type chargeNotification struct {
	XMLName xml.Name   `xml:"charge-notification"`
	Charge  chargeElem `xml:"charge"`
}

// SetCallbackURL sets the merchant's notification URL ("" for none).
func (s *Server) SetCallbackURL(merchantID, callbackURL string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.callbacks == nil {
		s.callbacks = map[string]string{}
	}
	s.callbacks[merchantID] = callbackURL
}

// maxDeliveries bounds the log of delivery attempts: the oldest go first.
const maxDeliveries = 1000

// Deliveries returns the attempts made so far, finished ones only: the
// last maxDeliveries of them.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries[max(0, len(s.deliveries)-maxDeliveries):]...)
}

// notifyRefund sends a <refund-notification> for rf (kind refund or
// chargeback) to the merchant's notification URL. Callers hold s.mu.
func (s *Server) notifyRefund(a *account, rf *refund, c *charge) {
	target := s.callbacks[a.merchantID]
	if target == "" {
		return
	}
	txid := c.transactionID
	if txid == "" {
		txid = c.requestID
	}
	n := refundNotification{Refund: refundElem{Result: rf.result(), RefundStatus: rf.status, RefundID: rf.id, Timestamp: timestamp(s.Now()),
		MerchantID: a.merchantID, MerchantRefundID: rf.merchantRefundID, ChargeID: c.id, ReasonCode: rf.reasonCode,
		Country: c.country, NetworkID: c.networkID, Currency: c.currency, RefundAmount: formatAmount(rf.amount, c.currency),
		Type: rf.kind, MerchantTransactionID: txid}}
	s.send(a.merchantID, target, rf.kind, encode(n))
}

// settleAt settles a's operations once the clock reaches at (the time an
// in-progress refund with a pending notification becomes final), so that
// its notification goes out without waiting for another request. A zero
// at (in progress until asked, or forever) schedules nothing. Callers
// hold s.mu.
func (s *Server) settleAt(a *account, at time.Time) {
	if at.IsZero() {
		return
	}
	time.AfterFunc(max(at.Sub(s.Now()), 0)+10*time.Millisecond, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.settleAll(a, s.Now())
	})
}

// notifyCharge sends a <charge-notification> for a single charge to its
// notification-url. Callers hold s.mu.
func (s *Server) notifyCharge(a *account, c *charge) {
	if c.notificationURL == "" {
		return
	}
	n := chargeNotification{Charge: chargeElem{Result: c.result(), ChargeStatus: c.status, ChargeID: c.id, Timestamp: timestamp(s.Now()),
		MerchantID: a.merchantID, MerchantTransactionID: c.transactionID, Country: c.country, NetworkID: c.networkID,
		Currency: c.currency, TotalAmount: formatAmount(c.amount, c.currency), MerchantItemDescription: c.description,
		MerchantData: c.merchantData}}
	s.send(a.merchantID, c.notificationURL, "charge", encode(n))
}

// send posts body to target in the background until it is acknowledged
// or the schedule ends. Callers hold s.mu.
func (s *Server) send(merchantID, target, eventType string, body []byte) {
	m, ok := s.merchants[merchantID]
	if !ok {
		return
	}
	id := s.newID("evt")
	now := s.Now()
	base := s.RetryBase
	if base <= 0 {
		base = DefaultRetryBase
	}
	go func() {
		wait, waited := base, time.Duration(0)
		for {
			d := Delivery{EventID: id, EventType: eventType, URL: target}
			var rejected *rejectedError
			if err := post(target, m, body, now); errors.As(err, &rejected) {
				d.Status, d.Err, d.Rejected = http.StatusOK, err.Error(), true
			} else if err != nil {
				d.Err = err.Error()
			} else {
				d.Status = http.StatusOK
			}
			s.mu.Lock()
			if len(s.deliveries) == 2*maxDeliveries {
				s.deliveries = append(s.deliveries[:0], s.deliveries[maxDeliveries:]...)
			}
			s.deliveries = append(s.deliveries, d)
			s.mu.Unlock()
			if d.Err == "" || d.Rejected || waited+wait > base*1440 {
				return
			}
			time.Sleep(wait)
			waited += wait
			now = now.Add(wait)
			wait = min(wait*3/2, base*60)
		}
	}()
}

// post sends one signed notification and checks the acknowledgement.
func post(target string, m Merchant, body []byte, now time.Time) error {
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
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &ackError{resp.Status}
	}
	var ack struct {
		XMLName xml.Name `xml:"notification-response"`
		Result  struct {
			Status     string `xml:"status,attr"`
			ReasonCode int    `xml:"reason-code"`
			Retriable  bool   `xml:"retriable"`
		} `xml:"result"`
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case xml.Unmarshal(data, &ack) != nil || ack.Result.Status == "":
		return &ackError{"200 without a well-formed <notification-response>"}
	case ack.Result.Retriable:
		return &ackError{"200 with a retriable <notification-response> (status " + ack.Result.Status + ")"}
	case ack.Result.Status != "OK":
		return &rejectedError{ack.Result.Status, ack.Result.ReasonCode}
	}
	return nil
}

// rejectedError is a well-formed, non-retriable refusal of a
// notification: Boku does not send it again.
type rejectedError struct {
	status string
	reason int
}

func (e *rejectedError) Error() string {
	return fmt.Sprintf("callback rejected it (status %s, reason %d, not retriable): not sent again", e.status, e.reason)
}

type ackError struct{ status string }

func (e *ackError) Error() string { return "callback answered " + e.status }
