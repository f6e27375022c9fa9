package notify

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/pkg/sign"
)

// BenchmarkListenNotification is what the receiver does for one new
// signed notification (verify, print, record in a seen file, sign the
// acknowledgement), without the network: for -cpuprofile.
func BenchmarkListenNotification(b *testing.B) {
	recv, out := testReceiver(&testing.T{}, filepath.Join(b.TempDir(), "seen.json"))
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		body := strings.Replace(testNotification, "rf-1", fmt.Sprint("rf-", i), 1)
		params, err := sign.Sign(sign.Message{Method: "POST", Target: "/", Headers: []sign.Header{{Name: "Content-Type", Value: "application/xml"}}, Body: []byte(body)},
			[]byte("secret"), "m1", "k1", []string{"Content-Type"}, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/xml")
		req.Header.Set("Authorization", params.String())
		rec := httptest.NewRecorder()
		out.Reset()
		b.StartTimer()
		recv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `<result status="OK">`) {
			b.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
	}
}
