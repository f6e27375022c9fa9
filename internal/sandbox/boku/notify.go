package boku

import (
	"bytes"
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

// SetCallbackURL makes the fake POST a signed notification to url whenever
// one of the merchant's charges settles or a refund completes.
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

func (s *Server) notifyCharge(m Merchant, c *charge) {
	s.notify(m, notification{EventType: "charge.settled", ChargeID: c.id, MerchantRequestID: c.merchantRequestID,
		Status: c.status, Country: strings.ToUpper(c.country), Currency: c.currency, Amount: c.amount})
}

// send posts body to target in the background, signed as Boku signs
// requests, and records the delivery. Callers hold s.mu.
func (s *Server) send(m Merchant, target, eventType string, body []byte) {
	now := s.Now()
	id := s.nextID("evt")
	go func() {
		d := Delivery{EventID: id, EventType: eventType, URL: target}
		if err := deliver(target, m, body, now); err != nil {
			d.Err = err.Error()
		} else {
			d.Status = http.StatusOK
		}
		s.mu.Lock()
		s.deliveries = append(s.deliveries, d)
		s.mu.Unlock()
	}()
}

// notify sends n in the background, signed as Boku signs requests: an
// Authorization header over method, path, Content-Type, body and time.
// Callers hold s.mu.
func (s *Server) notify(m Merchant, n notification) {
	target := s.callbacks[m.ID]
	if target == "" {
		return
	}
	n.EventID = s.nextID("evt")
	n.MerchantID = m.ID
	n.CreatedAt = s.Now().UTC().Format(time.RFC3339)
	body := encode(n)
	now := s.Now()
	go func() {
		d := Delivery{EventID: n.EventID, EventType: n.EventType, URL: target}
		if err := deliver(target, m, body, now); err != nil {
			d.Err = err.Error()
		} else {
			d.Status = http.StatusOK
		}
		s.mu.Lock()
		s.deliveries = append(s.deliveries, d)
		s.mu.Unlock()
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
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &statusError{resp.Status}
	}
	return nil
}

type statusError struct{ status string }

func (e *statusError) Error() string { return "callback answered " + e.status }
