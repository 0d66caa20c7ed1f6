package audit_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/audit"
	"github.com/secretctl/secretctl/internal/audit/audittest"
)

// BenchmarkReadLogs measures --from-logs throughput: decode a generated
// tree (SECRETCTL_BENCH_EVENTS records, default 200,000), dedupe and
// summarise, as `audit --from-logs --summary` does. It reports events/s
// and the heap in use at the end of a pass.
func BenchmarkReadLogs(b *testing.B) {
	n := 200_000
	if s := os.Getenv("SECRETCTL_BENCH_EVENTS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	const perFile = 2000
	dir := b.TempDir()
	ts, err := audittest.GenerateTree(dir, fixtures, n/perFile, perFile)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var peak uint64
	for b.Loop() {
		until := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		sum := audit.NewSummarizer(audit.SummaryOptions{Since: until.AddDate(-2, 0, 0), Until: until})
		d := audit.NewDeduper(0)
		st, err := audit.ReadLogs(context.Background(), dir, audit.LogOptions{}, func(batch []audit.Event) error {
			for i := range batch {
				if !d.Seen(batch[i].EventID) {
					sum.Add(&batch[i])
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if st.Records != int64(ts.Records) {
			b.Fatalf("read %d records, wrote %d", st.Records, ts.Records)
		}
		_ = sum.Result()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	b.ReportMetric(float64(ts.Records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(peak)/(1<<20), "heapMiB")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkLookupRate measures live-mode pacing against the test server:
// requests per second achieved versus the 2/s quota, with every 7th
// request throttled, and whether the scan completed.
func BenchmarkLookupRate(b *testing.B) {
	srv := audittest.New(b)
	srv.Records = audittest.Clone(audittest.Fixtures(b, fixtures), 600, time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC), time.Minute)
	srv.PageSize = 30 // 20 pages
	srv.ThrottleEvery = 7
	failed := 0
	var reqs, throttled int
	lim := audit.NewLookupLimiter() // one account and region: one bucket across runs
	for b.Loop() {
		st, err := audit.Lookup(context.Background(), newClient(srv.URL), audit.LookupOptions{Filter: window, Limiter: lim},
			func(*audit.Event) error { return nil })
		if err != nil || st.Matched != 600 {
			failed++
		}
		reqs += st.Requests
		throttled += st.Throttled
	}
	b.ReportMetric(float64(reqs)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(throttled), "throttled")
	b.ReportMetric(float64(failed), "failed")
	b.ReportMetric(float64(srv.MaxPerSecond(audittest.LookupEvents)), "max-req-in-1s")
	b.ReportMetric(0, "ns/op")
}
