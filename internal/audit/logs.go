package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
)

// LogOptions tunes ReadLogs.
type LogOptions struct {
	// Sources keeps records of these event sources; empty means Secrets
	// Manager only.
	Sources []string
	// Workers is the number of files decoded at once; 0 means GOMAXPROCS.
	Workers int
	// Progress, if set, is called after each file with running totals.
	Progress func(LogStats)
}

// LogStats counts what ReadLogs read.
type LogStats struct {
	Files   int   `json:"files"`
	Records int64 `json:"records"` // every record in the files
	Events  int64 `json:"events"`  // records of the wanted sources
	Bytes   int64 `json:"bytes"`   // bytes on disk
}

const batchSize = 512

// LogFiles lists the CloudTrail log files under root (a file or a tree such
// as AWSLogs/...): *.json and *.json.gz, sorted by path, which in the
// CloudTrail layout is delivery order. Digest files are skipped.
func LogFiles(root string) ([]string, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("read log files: %w", err)
	}
	if !st.IsDir() {
		return []string{root}, nil
	}
	var files []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "CloudTrail-Digest" {
				return filepath.SkipDir
			}
			return nil
		}
		if n := d.Name(); strings.HasSuffix(n, ".json.gz") || strings.HasSuffix(n, ".json") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read log files: %w", err)
	}
	sort.Strings(files)
	return files, nil
}

// ReadLogs streams the events of every CloudTrail log file under root to
// fn, in batches, from one goroutine (fn needs no locking). Files are
// decoded in parallel, each record with a json.Decoder walking the
// "Records" array token by token, so memory does not depend on file size.
// Batches arrive in no particular order, and fn must not keep the slice.
func ReadLogs(ctx context.Context, root string, o LogOptions, fn func([]Event) error) (LogStats, error) {
	files, err := LogFiles(root)
	if err != nil {
		return LogStats{}, err
	}
	if len(files) == 0 {
		return LogStats{}, fmt.Errorf("read log files: no *.json or *.json.gz under %s", root)
	}
	sources := o.Sources
	if len(sources) == 0 {
		sources = []string{SourceSecretsManager}
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > len(files) {
		workers = len(files)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	paths := make(chan string)
	batches := make(chan *[]Event, 2*workers)
	pool := sync.Pool{New: func() any { s := make([]Event, 0, batchSize); return &s }}
	var stats LogStats
	var files64, records, events, bytes atomic.Int64

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range paths {
				n, m, size, err := readLogFile(ctx, p, sources, &pool, batches)
				records.Add(n)
				events.Add(m)
				bytes.Add(size)
				files64.Add(1)
				if err != nil {
					cancel(err)
					return
				}
				if o.Progress != nil {
					o.Progress(LogStats{Files: int(files64.Load()), Records: records.Load(), Events: events.Load(), Bytes: bytes.Load()})
				}
			}
		}()
	}
	go func() {
		defer close(paths)
		for _, p := range files {
			select {
			case paths <- p:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(batches) }()

	var fnErr error
	for b := range batches {
		if fnErr == nil && ctx.Err() == nil {
			if fnErr = fn(*b); fnErr != nil {
				cancel(fnErr)
			}
		}
		*b = (*b)[:0]
		pool.Put(b)
	}
	stats = LogStats{Files: int(files64.Load()), Records: records.Load(), Events: events.Load(), Bytes: bytes.Load()}
	if fnErr != nil {
		return stats, fnErr
	}
	if err := context.Cause(ctx); err != nil {
		return stats, err
	}
	return stats, nil
}

// readLogFile decodes one file, sending full batches to out.
func readLogFile(ctx context.Context, path string, sources []string, pool *sync.Pool, out chan<- *[]Event) (records, events, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("read log file: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	var r io.Reader = bufio.NewReaderSize(f, 256<<10)
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return 0, 0, size, fmt.Errorf("read log file %s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	batch := pool.Get().(*[]Event)
	send := func() error {
		if len(*batch) == 0 {
			return nil
		}
		select {
		case out <- batch:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		batch = pool.Get().(*[]Event)
		return nil
	}
	subs := make([][]byte, len(sources))
	for i, s := range sources {
		subs[i] = []byte(s)
	}
	records, err = decodeRecords(r, subs, func(rec *Record) error {
		if !slices.Contains(sources, rec.EventSource) {
			return nil
		}
		events++
		*batch = append(*batch, EventFromRecord(rec))
		if len(*batch) == batchSize {
			return send()
		}
		return nil
	})
	if err != nil {
		pool.Put(batch)
		return records, events, size, fmt.Errorf("read log file %s: %w", path, err)
	}
	if err := send(); err != nil {
		return records, events, size, err
	}
	return records, events, size, nil
}

// DecodeRecords reads one CloudTrail file and calls fn with each record.
// It returns the number of records read. Three shapes are read:
//
//   - a trail log file, {"Records":[...]}: walked with a json.Decoder, token
//     by token, up to the array; the array's elements are then cut out of
//     the stream one at a time and parsed without reflection (see
//     fastrec.go), so memory does not depend on the file's size;
//   - a saved LookupEvents response, {"Events":[{"CloudTrailEvent":"..."}]}
//     (`aws cloudtrail lookup-events` output): each item's record, with
//     what it lacks taken from the item's own fields;
//   - a single record, an object with an "eventSource" field.
//
// A top-level JSON value of any other shape (a digest file, an unrelated
// file in the tree) yields no records and no error.
func DecodeRecords(r io.Reader, fn func(*Record) error) (records int64, err error) {
	return decodeRecords(r, nil, fn)
}

// decodeRecords is DecodeRecords that parses only log-file records whose
// bytes contain one of sources (a cheap test that skips other services'
// records unparsed; the caller still checks the parsed eventSource).
func decodeRecords(r io.Reader, sources [][]byte, fn func(*Record) error) (records int64, err error) {
	return decodeTop(r, sources, fn, false)
}

// decodeTop reads the top-level object. rest is set for the keys that
// follow a Records array, read as an object of their own: only more
// Records arrays count there.
func decodeTop(r io.Reader, sources [][]byte, fn func(*Record) error, rest bool) (records int64, err error) {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return 0, nil
		}
		return 0, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return 0, nil // not a log file
	}
	// The other top-level fields, kept in case the object is one record.
	var fields map[string]json.RawMessage
	sawArray := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return records, err
		}
		k, _ := key.(string)
		if k == "Events" && !rest && !sawArray {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return records, err
			}
			n, isArray, err := decodeLookupItems(raw, fn)
			records += n
			if err != nil {
				return records, err
			}
			if isArray {
				sawArray = true
				fields = nil
			} else if !sawArray {
				if fields == nil {
					fields = map[string]json.RawMessage{}
				}
				fields[k] = raw
			}
			continue
		}
		if k != "Records" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return records, err
			}
			if !rest && !sawArray {
				if fields == nil {
					fields = map[string]json.RawMessage{}
				}
				fields[k] = skip
			}
			continue
		}
		tok, err := dec.Token()
		if err != nil {
			return records, err
		}
		if tok == nil { // "Records": null
			continue
		}
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			return records, fmt.Errorf("the Records field is not an array")
		}
		sp := newSplitter(io.MultiReader(dec.Buffered(), r))
		defer sp.release()
		var rec Record
		for {
			raw, err := sp.next()
			if err != nil {
				return records, fmt.Errorf("record %d: %w", records+1, err)
			}
			if raw == nil {
				break
			}
			records++
			if sources != nil && !containsAny(raw, sources) {
				continue
			}
			if err := parseRecord(raw, &rec); err != nil {
				return records, fmt.Errorf("record %d: %w", records, err)
			}
			if err := fn(&rec); err != nil {
				return records, err
			}
		}
		// What follows the array: the end of the object, or more keys,
		// which a new decoder reads as an object of their own.
		c, err := sp.after()
		if err != nil {
			return records, err
		}
		if c == ',' {
			n, err := decodeTop(io.MultiReader(strings.NewReader("{"), sp.rest()), sources, fn, true)
			return records + n, err
		}
		return records, nil
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return records, err
	}
	if _, ok := fields["eventSource"]; ok && !sawArray {
		b, err := json.Marshal(fields)
		if err != nil {
			return records, err
		}
		var rec Record
		if err := parseRecord(b, &rec); err != nil {
			return 1, fmt.Errorf("record 1: %w", err)
		}
		return 1, fn(&rec)
	}
	return records, nil
}

// lookupItem is one item of a LookupEvents response as saved by the AWS
// CLI or SDK: EventTime is a string (CLI) or seconds since the epoch.
type lookupItem struct {
	EventID         string          `json:"EventId"`
	EventName       string          `json:"EventName"`
	EventSource     string          `json:"EventSource"`
	EventTime       json.RawMessage `json:"EventTime"`
	Username        string          `json:"Username"`
	AccessKeyID     string          `json:"AccessKeyId"`
	ReadOnly        string          `json:"ReadOnly"`
	CloudTrailEvent string          `json:"CloudTrailEvent"`
	Resources       []struct {
		ResourceType string `json:"ResourceType"`
		ResourceName string `json:"ResourceName"`
	} `json:"Resources"`
}

// decodeLookupItems reads the Events array of a LookupEvents response;
// isArray is false (and nothing is read) when raw is not an array.
func decodeLookupItems(raw json.RawMessage, fn func(*Record) error) (records int64, isArray bool, err error) {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return 0, false, nil
	}
	for _, it := range items {
		records++
		var li lookupItem
		if err := json.Unmarshal(it, &li); err != nil {
			return records, true, fmt.Errorf("event %d: %w", records, err)
		}
		rec, err := li.record()
		if err != nil {
			return records, true, fmt.Errorf("event %d: %w", records, err)
		}
		if err := fn(&rec); err != nil {
			return records, true, err
		}
	}
	return records, true, nil
}

// record is the item's CloudTrailEvent, with what it lacks filled from the
// item's fields, as EventFromLookup does for a live response.
func (li *lookupItem) record() (Record, error) {
	var rec Record
	if li.CloudTrailEvent != "" {
		if err := parseRecord([]byte(li.CloudTrailEvent), &rec); err != nil {
			return rec, fmt.Errorf("CloudTrailEvent of %s: %w", li.EventID, err)
		}
	}
	fill := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	fill(&rec.EventID, li.EventID)
	fill(&rec.EventName, li.EventName)
	fill(&rec.EventSource, li.EventSource)
	fill(&rec.UserIdentity.AccessKeyID, li.AccessKeyID)
	fill(&rec.UserIdentity.UserName, li.Username)
	if rec.EventTime.IsZero() && len(li.EventTime) > 0 {
		var s string
		var secs float64
		switch {
		case json.Unmarshal(li.EventTime, &s) == nil:
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return rec, fmt.Errorf("EventTime of %s: %w", li.EventID, err)
			}
			rec.EventTime = t.UTC()
		case json.Unmarshal(li.EventTime, &secs) == nil:
			rec.EventTime = time.Unix(0, int64(secs*1e9)).UTC()
		}
	}
	if len(rec.Resources) == 0 {
		for _, r := range li.Resources {
			rec.Resources = append(rec.Resources, resource{ARN: r.ResourceName, Type: r.ResourceType})
		}
	}
	if li.ReadOnly == "true" {
		rec.ReadOnly = true
	}
	return rec, nil
}

func containsAny(b []byte, subs [][]byte) bool {
	for _, s := range subs {
		if bytes.Contains(b, s) {
			return true
		}
	}
	return false
}
