// Command serveload is the read-load benchmark of `secretctl serve`: N
// concurrent AWS SDK clients (each its own client and connection pool) call
// GetSecretValue for a fixed time against serve over a local store, then
// against kumo (in-process, no persistence, no audit) in the same run. It
// prints requests/s, p50 and p99 latency and errors for each, the ratio,
// and checks that the local access log holds exactly one GetSecretValue
// record per acknowledged read.
//
//	go run ./bench/serveload -clients 50 -duration 30s
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/sivchari/kumo"

	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/serve"
	"github.com/secretctl/secretctl/internal/store/local"
)

const (
	keyID     = "SCTLBENCHLOAD0000001"
	secretKey = "serveload-canary-secret-key"
	name      = "bench/serve/db"
)

type result struct {
	acked, errors int
	elapsed       time.Duration
	lat           []time.Duration
	firstErr      error
}

func (r result) rps() float64 { return float64(r.acked) / r.elapsed.Seconds() }

func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(len(r.lat)-1, int(float64(len(r.lat))*p))]
}

func client(endpoint string) *secretsmanager.Client {
	return secretsmanager.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(keyID, secretKey, "")),
		HTTPClient:  &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute}},
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}, func(o *secretsmanager.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

func load(ctx context.Context, endpoint string, clients int, d time.Duration) result {
	var mu sync.Mutex
	var res result
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := client(endpoint)
			var lat []time.Duration
			acked, errs := 0, 0
			var first error
			for time.Now().Before(deadline) {
				t0 := time.Now()
				_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				acked++
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.acked += acked
			res.errors += errs
			res.lat = append(res.lat, lat...)
			if res.firstErr == nil {
				res.firstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.lat)
	return res
}

func canary() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "canary-" + hex.EncodeToString(b)
}

func run() error {
	clients := flag.Int("clients", 50, "concurrent SDK clients")
	dur := flag.Duration("duration", 30*time.Second, "how long each peer is loaded")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the serve run to this file")
	flag.Parse()
	ctx := context.Background()

	home, err := os.MkdirTemp("", "serveload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	st, err := local.Open(ctx, local.Options{Home: filepath.Join(home, "store")})
	if err != nil {
		return err
	}
	defer st.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: serve.New(serve.Options{Store: st, Credentials: serve.Credentials{AccessKeyID: keyID, SecretAccessKey: secretKey}})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	serveURL := "http://" + ln.Addr().String()

	k := kumo.NewServer()
	defer k.Close()

	v := `{"username":"dbadmin","password":"` + canary() + `"}`
	for _, ep := range []string{serveURL, k.URL} {
		if _, err := client(ep).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(v)}); err != nil {
			return fmt.Errorf("seed %s: %w", ep, err)
		}
	}
	before, err := countReads(st.AuditLogPath())
	if err != nil {
		return err
	}

	fmt.Printf("GetSecretValue, %d concurrent SDK clients, %s each, GOMAXPROCS %d\n", *clients, *dur, numCPU())
	fmt.Printf("%-28s %10s %10s %10s %8s\n", "peer", "req/s", "p50", "p99", "errors")
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	rs := load(ctx, serveURL, *clients, *dur)
	pprof.StopCPUProfile()
	print("secretctl serve (audited)", rs)
	rk := load(ctx, k.URL, *clients, *dur)
	print("kumo v0.33.1 (in memory)", rk)
	fmt.Printf("serve/kumo throughput ratio: %.2f\n", rs.rps()/rk.rps())

	after, err := countReads(st.AuditLogPath())
	if err != nil {
		return err
	}
	recorded := after - before
	fmt.Printf("audit: %d GetSecretValue records by %s for %d acknowledged reads", recorded, keyID, rs.acked)
	if res, err := st.VerifyAudit(ctx); err != nil || !res.OK() {
		return fmt.Errorf("audit log does not verify: %v %+v", err, res)
	}
	// Every acknowledged read is recorded; with no errors, nothing else is.
	if recorded < rs.acked || rs.errors == 0 && recorded != rs.acked {
		fmt.Println()
		return fmt.Errorf("audit records (%d) != acknowledged reads (%d)", recorded, rs.acked)
	}
	fmt.Println(" (equal; chain verifies)")
	if rs.errors > 0 || rk.errors > 0 {
		return errors.New("errors during the load (see above)")
	}
	return nil
}

func print(peer string, r result) {
	fmt.Printf("%-28s %10.0f %10s %10s %8d\n", peer, r.rps(), r.pct(0.50).Round(10*time.Microsecond), r.pct(0.99).Round(10*time.Microsecond), r.errors)
	if r.firstErr != nil {
		fmt.Printf("  first error: %v\n", r.firstErr)
	}
}

func countReads(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	err = auditlog.Read(f, func(r auditlog.Record) error {
		if r.EventName == "GetSecretValue" && r.UserIdentity.AccessKeyID == keyID && !r.Failed() {
			n++
		}
		return nil
	})
	return n, err
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "serveload:", err)
		os.Exit(1)
	}
}
