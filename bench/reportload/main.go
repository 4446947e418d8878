// Command reportload drives ACD's report API for bench/reports.sh: N
// concurrent clients file quick reports for a while and print reports/s and
// latency percentiles; every report acknowledged with 201 is appended to a
// file, which `reportload verify` later checks against the server, one GET
// per report, after the server was killed and restarted.
//
//	reportload load   --url URL --token TOKEN --clients 16 --duration 10s --acked FILE
//	reportload verify --url URL --token TOKEN --acked FILE
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: reportload load|verify [flags]; see -h of each")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch os.Args[1] {
	case "load":
		err = load(ctx, os.Args[2:])
	case "verify":
		err = verify(ctx, os.Args[2:])
	default:
		fmt.Fprintf(os.Stderr, "reportload: unknown command %q: want load or verify\n", os.Args[1])
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "reportload:", err)
		os.Exit(1)
	}
}

type common struct {
	url, token, acked string
}

func (c *common) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080", "ACD server URL")
	fs.StringVar(&c.token, "token", os.Getenv("ACD_TOKEN"), "API token of a designated operator's user (env ACD_TOKEN)")
	fs.StringVar(&c.acked, "acked", "", "file of acknowledged report ids (load appends, verify reads)")
}

func client(n int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n}}
}

func load(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	var c common
	c.flags(fs)
	clients := fs.Int("clients", 16, "concurrent clients")
	duration := fs.Duration("duration", 10*time.Second, "how long to submit")
	quiet := fs.Bool("quiet", false, "print no summary (for the crash run)")
	fs.Parse(args)
	if c.token == "" {
		return errors.New("--token is required")
	}
	var acked *os.File
	if c.acked != "" {
		var err error
		if acked, err = os.OpenFile(c.acked, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err != nil {
			return err
		}
		defer acked.Close()
	}
	hc := client(*clients)
	var (
		mu        sync.Mutex // guards lat and acked writes
		lat       []time.Duration
		ok, fails atomic.Int64
		firstErr  atomic.Value
	)
	deadline := time.Now().Add(*duration)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range *clients {
		wg.Go(func() {
			var mine []time.Duration
			for n := 0; time.Now().Before(deadline) && ctx.Err() == nil; n++ {
				body := fmt.Sprintf(`{"stage":"quick","kind":"incident","summary":"Benchmark report %d-%d: suspicious logins on the VPN gateway.","aware_at":%q,"status":"ongoing","contact":{"name":"Bench SOC","email":"soc@example.jp"}}`,
					i, n, time.Now().UTC().Add(-time.Minute).Format(time.RFC3339))
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/api/v1/reports", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+c.token)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d-%d-%d", start.UnixNano(), i, n))
				t := time.Now()
				resp, err := hc.Do(req)
				if err != nil {
					fails.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					time.Sleep(50 * time.Millisecond) // the server is down: do not spin
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					fails.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %s", resp.StatusCode, bytes.TrimSpace(b)))
					continue
				}
				mine = append(mine, time.Since(t))
				ok.Add(1)
				if acked != nil {
					var rc struct {
						Report struct {
							ID string `json:"id"`
						} `json:"report"`
					}
					if json.Unmarshal(b, &rc) == nil {
						mu.Lock()
						fmt.Fprintln(acked, rc.Report.ID)
						mu.Unlock()
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if *quiet {
		fmt.Printf("acknowledged %d, failed %d\n", ok.Load(), fails.Load())
		return nil
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Printf("clients %d  reports %d  failed %d  %.0f reports/s  p50 %.1f ms  p99 %.1f ms  max %.1f ms\n",
		*clients, ok.Load(), fails.Load(), float64(ok.Load())/elapsed.Seconds(),
		ms(pct(0.50)), ms(pct(0.99)), ms(pct(1)))
	if e := firstErr.Load(); e != nil {
		fmt.Printf("first failure: %s\n", e)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func verify(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ExitOnError)
	var c common
	c.flags(fs)
	fs.Parse(args)
	if c.token == "" || c.acked == "" {
		return errors.New("--token and --acked are required")
	}
	f, err := os.Open(c.acked)
	if err != nil {
		return err
	}
	defer f.Close()
	hc := client(8)
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if id := strings.TrimSpace(sc.Text()); id != "" {
			ids = append(ids, id)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	var missing atomic.Int64
	var firstMissing atomic.Value
	work := make(chan string)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for id := range work {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.url+"/api/v1/reports/"+id, nil)
				req.Header.Set("Authorization", "Bearer "+c.token)
				resp, err := hc.Do(req)
				if err != nil {
					missing.Add(1)
					firstMissing.CompareAndSwap(nil, id+": "+err.Error())
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					missing.Add(1)
					firstMissing.CompareAndSwap(nil, fmt.Sprintf("%s: %d", id, resp.StatusCode))
				}
			}
		})
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
	fmt.Printf("acknowledged %d, found %d, lost %d\n", len(ids), int64(len(ids))-missing.Load(), missing.Load())
	if m := missing.Load(); m > 0 {
		return fmt.Errorf("%d acknowledged reports lost (first: %v)", m, firstMissing.Load())
	}
	return nil
}
