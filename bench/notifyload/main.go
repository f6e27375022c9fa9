// Command notifyload is bench/listen.sh's client: it POSTs N signed Boku
// 3.0 refund notifications, each with its own refund id, to a receiver at
// concurrency C, checks that every answer is 200, and prints
// "C NOTIFICATIONS_PER_SECOND". It signs with the sandbox's merchant key,
// as the sandbox's own notifications are signed.
//
// Usage: notifyload -url http://127.0.0.1:PORT/ -n N -c 1,4,16 [-start K]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bokuctl/bokuctl/internal/sandbox"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

const contentType = "text/xml;charset=utf-8"

func main() {
	target := flag.String("url", "", "the receiver's URL")
	n := flag.Int("n", 2000, "notifications per concurrency")
	levels := flag.String("c", "1,4,16", "concurrencies, comma-separated")
	start := flag.Int("start", 0, "first refund id (ids must differ across runs against one listener)")
	flag.Parse()
	if err := run(*target, *n, *levels, *start); err != nil {
		fmt.Fprintln(os.Stderr, "notifyload:", err)
		os.Exit(1)
	}
}

func run(target string, n int, levels string, next int) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	for _, level := range strings.Split(levels, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(level))
		if err != nil || c < 1 {
			return fmt.Errorf("concurrency %q: give positive integers", level)
		}
		elapsed, err := load(client, target, u.RequestURI(), next, n, c)
		if err != nil {
			return fmt.Errorf("concurrency %d: %w", c, err)
		}
		next += n
		fmt.Printf("%d %.0f\n", c, float64(n)/elapsed.Seconds())
	}
	return nil
}

func load(client *http.Client, target, path string, first, n, c int) (time.Duration, error) {
	var i atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	begin := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(i.Add(1)) - 1
				if k >= n {
					return
				}
				if err := post(client, target, path, first+k); err != nil {
					failed.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		return 0, err
	}
	return time.Since(begin), nil
}

func post(client *http.Client, target, path string, id int) error {
	body := []byte(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<refund-notification><refund><result status="OK"><reason-code>0</reason-code><message>Operation Successful</message><retriable>false</retriable></result><refund-status>success</refund-status><refund-id>rf-%09d</refund-id><timestamp>2026-11-20 16:27:18</timestamp><merchant-id>%s</merchant-id><merchant-refund-id>mr-%09d</merchant-refund-id><charge-id>ch-000001</charge-id><reason-code>33</reason-code><country>GB</country><network-id>gb-sandbox</network-id><currency>GBP</currency><refund-amount>0.01</refund-amount><type>refund</type></refund></refund-notification>`,
		id, sandbox.BokuMerchantID, id))
	params, err := sign.Sign(sign.Message{Method: http.MethodPost, Target: path, Headers: []sign.Header{{Name: "Content-Type", Value: contentType}}, Body: body},
		[]byte(sandbox.BokuKey), sandbox.BokuMerchantID, sandbox.BokuKeyID, []string{"Content-Type"}, time.Now())
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", params.String())
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(answer, []byte(`<result status="OK">`)) {
		return fmt.Errorf("notification %d: %s %s", id, resp.Status, answer)
	}
	return nil
}
