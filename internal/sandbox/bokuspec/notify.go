package bokuspec

import (
	"bytes"
	"encoding/xml"
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
// both ways) and sent again until the merchant answers an OK, non-retriable
// <notification-response>: after RetryBase, then ×1.5 each time, capped at
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
			if err := post(target, m, body, now); err != nil {
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
			if d.Err == "" || waited+wait > base*1440 {
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
			Status    string `xml:"status,attr"`
			Retriable bool   `xml:"retriable"`
		} `xml:"result"`
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if xml.Unmarshal(data, &ack) != nil || ack.Result.Status != "OK" || ack.Result.Retriable {
		return &ackError{"200 without an OK, non-retriable <notification-response>"}
	}
	return nil
}

type ackError struct{ status string }

func (e *ackError) Error() string { return "callback answered " + e.status }
