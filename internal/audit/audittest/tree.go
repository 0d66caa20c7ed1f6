package audittest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

// TreeStats says what GenerateTree wrote.
type TreeStats struct {
	Files      int
	Records    int // every record written
	SMEvents   int // distinct Secrets Manager events (duplicates not counted)
	Duplicates int // Secrets Manager records repeated from the file before
	Denied     int // distinct AccessDenied Secrets Manager events
	Bytes      int64
}

// GenerateTree writes files CloudTrail log files of perFile records each
// under dir in the AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD layout,
// gzip-compressed. Records cycle through the six fixture shapes (records
// read from fixtureDir) plus an S3 and an STS event that a reader must
// skip; every 50th file repeats its first Secrets Manager record from the
// file before (CloudTrail may deliver an event twice); some records use the
// pre-2024 "aRN" key. A digest file is written too, which readers must skip.
func GenerateTree(dir, fixtureDir string, files, perFile int) (TreeStats, error) {
	var tmpl [][]byte
	paths, err := filepath.Glob(filepath.Join(fixtureDir, "0*.json"))
	if err != nil || len(paths) != 6 {
		return TreeStats{}, fmt.Errorf("fixtures in %s: %d files, %v", fixtureDir, len(paths), err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return TreeStats{}, err
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err != nil {
			return TreeStats{}, err
		}
		tmpl = append(tmpl, buf.Bytes())
	}
	aRN := bytes.Replace(tmpl[2], []byte(`"responseElements":{"arn":`), []byte(`"responseElements":{"aRN":`), 1)
	tmpl = append(tmpl, aRN)
	other := [][]byte{
		[]byte(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","userName":"backup","arn":"arn:aws:iam::111122223333:user/backup","accountId":"111122223333"},"eventTime":"2025-03-14T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.1","userAgent":"aws-cli/2","requestParameters":null,"responseElements":null,"eventID":"x","readOnly":true,"eventType":"AwsApiCall"}`),
		[]byte(`{"eventVersion":"1.09","userIdentity":{"type":"AWSService","invokedBy":"ecs-tasks.amazonaws.com"},"eventTime":"2025-03-14T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"ecs-tasks.amazonaws.com","userAgent":"ecs-tasks.amazonaws.com","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/payments-api-task","roleSessionName":"ecs-task-7d1e"},"responseElements":null,"eventID":"x","readOnly":true,"eventType":"AwsApiCall"}`),
	}
	eventIDRE := func(rec []byte, id string, t time.Time) []byte {
		var m map[string]json.RawMessage
		_ = json.Unmarshal(rec, &m) // templates are valid JSON
		m["eventID"], _ = json.Marshal(id)
		m["eventTime"], _ = json.Marshal(t.UTC().Format(time.RFC3339))
		b, _ := json.Marshal(m)
		return b
	}
	// Split each template at its eventID and eventTime values once, so
	// writing a record is a few appends.
	type split struct{ parts [][]byte }
	prep := func(rec []byte) split {
		b := eventIDRE(rec, "@@ID@@", time.Unix(0, 0))
		s := strings.Replace(string(b), `"1970-01-01T00:00:00Z"`, "@@TIME@@", 1)
		var parts [][]byte
		for _, p := range strings.Split(s, "@@") {
			parts = append(parts, []byte(p))
		}
		return split{parts}
	}
	var sm, nonSM []split
	for _, t := range tmpl {
		sm = append(sm, prep(t))
	}
	for _, t := range other {
		nonSM = append(nonSM, prep(t))
	}
	deniedShape := 1 // 02-getsecretvalue-accessdenied.json
	write := func(w *bufio.Writer, s split, id string, t time.Time) {
		for _, p := range s.parts {
			switch string(p) {
			case "ID":
				w.WriteString(id)
			case "TIME":
				w.WriteString(`"` + t.UTC().Format(time.RFC3339) + `"`)
			default:
				w.Write(p)
			}
		}
	}

	var st TreeStats
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	prevFirst := ""
	prevFirstShape := 0
	var prevFirstTime time.Time
	for f := range files {
		deliver := start.Add(time.Duration(f) * 5 * time.Minute)
		day := filepath.Join(dir, "AWSLogs", "111122223333", "CloudTrail", "us-east-1",
			deliver.Format("2006"), deliver.Format("01"), deliver.Format("02"))
		if err := os.MkdirAll(day, 0o755); err != nil {
			return st, err
		}
		name := fmt.Sprintf("111122223333_CloudTrail_us-east-1_%s_%016d.json.gz", deliver.Format("20060102T1504Z"), f)
		path := filepath.Join(day, name)
		fh, err := os.Create(path)
		if err != nil {
			return st, err
		}
		zw, _ := gzip.NewWriterLevel(fh, gzip.BestSpeed)
		w := bufio.NewWriterSize(zw, 256<<10)
		w.WriteString(`{"Records":[`)
		first := true
		for i := range perFile {
			if !first {
				w.WriteByte(',')
			}
			first = false
			t := deliver.Add(-time.Duration(perFile-i) * time.Second / 2)
			if i == 0 && f%50 == 49 && prevFirst != "" {
				write(w, sm[prevFirstShape], prevFirst, prevFirstTime)
				st.Duplicates++
				st.Records++
				continue
			}
			id := fmt.Sprintf("%08x-0000-4000-8000-%012x", f, n)
			n++
			st.Records++
			if i%10 == 9 {
				write(w, nonSM[i%len(nonSM)], id, t)
				continue
			}
			shape := st.SMEvents % len(sm)
			write(w, sm[shape], id, t)
			st.SMEvents++
			if shape == deniedShape {
				st.Denied++
			}
			if i == 1 {
				prevFirst, prevFirstShape, prevFirstTime = id, shape, t
			}
		}
		w.WriteString(`]}`)
		if err := w.Flush(); err != nil {
			return st, err
		}
		if err := zw.Close(); err != nil {
			return st, err
		}
		if info, err := fh.Stat(); err == nil {
			st.Bytes += info.Size()
		}
		if err := fh.Close(); err != nil {
			return st, err
		}
		st.Files++
	}
	digest := filepath.Join(dir, "AWSLogs", "111122223333", "CloudTrail-Digest", "us-east-1", "2025", "01", "01")
	if err := os.MkdirAll(digest, 0o755); err != nil {
		return st, err
	}
	return st, os.WriteFile(filepath.Join(digest, "111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20250101T000000Z.json"),
		[]byte(`{"awsAccountId":"111122223333","logFiles":[]}`), 0o644)
}
