package acquiring

import (
	"encoding/json"
	"strings"
	"testing"
)

// An error answer's requestId (ApiPaymentErrorResponse in the SDKs after
// 0.1.0) is kept and named in the message, for Worldline's support.
func TestErrorNamesRequestID(t *testing.T) {
	var body ErrorResponse
	raw := `{"type":"https://example/errors/validation","title":"Bad Request","status":400,"detail":"amount is required","instance":"/processing/v1/1/2/payments","requestId":"req-123"}`
	if err := json.Unmarshal([]byte(raw), &body); err != nil {
		t.Fatal(err)
	}
	e := &APIError{Status: 400, Body: body}
	if body.RequestID != "req-123" || !strings.HasSuffix(e.Error(), "(Worldline request id req-123)") {
		t.Errorf("RequestID %q, message %q", body.RequestID, e.Error())
	}
	if e := (&APIError{Status: 400, Body: ErrorResponse{Title: "Bad Request"}}); strings.Contains(e.Error(), "request id") {
		t.Errorf("no requestId, but the message names one: %q", e.Error())
	}
}
