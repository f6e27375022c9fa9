// Command inproc is the limit bench/batch.sh compares batch against: the
// same refunds (0.01 GBP, reason goodwill, a new merchant refund id each)
// sent with pkg/bokudirect's client directly, from one process, against
// the same sandbox, at the same concurrency. It prints one line per
// concurrency: "C ROWS_PER_SECOND".
//
// Usage: inproc -url http://127.0.0.1:PORT -charges FILE -rows N -c 1,4,8,16
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/bokuctl/bokuctl/internal/sandbox"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
)

func main() {
	base := flag.String("url", "", "the sandbox's base URL (its --ready-file)")
	chargesFile := flag.String("charges", "", "file of charge ids, one a line")
	rows := flag.Int("rows", 1000, "refunds per concurrency")
	levels := flag.String("c", "1,4,8,16", "concurrencies, comma-separated")
	flag.Parse()
	if err := run(*base, *chargesFile, *rows, *levels); err != nil {
		fmt.Fprintln(os.Stderr, "inproc:", err)
		os.Exit(1)
	}
}

func run(base, chargesFile string, rows int, levels string) error {
	charges, err := readLines(chargesFile)
	if err != nil {
		return err
	}
	if len(charges) == 0 {
		return fmt.Errorf("%s: no charge ids", chargesFile)
	}
	// The transport batch uses for a row (cmdutil.NewTransport): pooled
	// connections, 64 idle per host.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	client, err := bokudirect.New(bokudirect.Config{
		MerchantID: sandbox.BokuMerchantID, KeyID: sandbox.BokuKeyID, Key: []byte(sandbox.BokuKey),
		Country: "gb", Environment: bokudirect.Test, BaseURL: strings.TrimRight(base, "/") + "/boku/{country}",
		HTTPClient: &http.Client{Transport: transport, Timeout: 30 * time.Second},
	})
	if err != nil {
		return err
	}
	for _, level := range strings.Split(levels, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(level))
		if err != nil || c < 1 {
			return fmt.Errorf("concurrency %q: give positive integers", level)
		}
		elapsed, err := send(client, charges, rows, c)
		if err != nil {
			return fmt.Errorf("concurrency %d: %w", c, err)
		}
		fmt.Printf("%d %.0f\n", c, float64(rows)/elapsed.Seconds())
	}
	return nil
}

// send makes rows refunds with c workers and returns how long they took.
func send(client *bokudirect.Client, charges []string, rows, c int) (time.Duration, error) {
	var next atomic.Int64
	var first atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= rows {
					return
				}
				key := uuid.NewString()
				_, err := client.RefundCharge(context.Background(), bokudirect.RefundChargeRequest{
					ChargeID: charges[i%len(charges)], ReasonCode: 33, Currency: "GBP", RefundAmount: "0.01",
					MerchantRequestID: key, MerchantRefundID: key,
				})
				if err != nil {
					first.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, ok := first.Load().(error); ok {
		return 0, err
	}
	return time.Since(start), nil
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		if line := strings.TrimSpace(s.Text()); line != "" {
			lines = append(lines, line)
		}
	}
	return lines, s.Err()
}
