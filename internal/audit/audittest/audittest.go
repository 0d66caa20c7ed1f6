// Package audittest serves CloudTrail (and the two Secrets Manager calls
// audit makes) over the AWS JSON 1.1 protocol from an httptest server, for
// tests of LookupEvents paging, pacing and throttling, and of the trail
// checks. Point the real SDK client's BaseEndpoint at Server.URL.
package audittest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Targets of the JSON 1.1 protocol, as aws-sdk-go-v2 sends them. The
// server also accepts the long form botocore sends,
// "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents".
const (
	LongPrefix     = "com.amazonaws.cloudtrail.v20131101."
	TargetPrefix   = "CloudTrail_20131101."
	LookupEvents   = TargetPrefix + "LookupEvents"
	DescribeTrails = TargetPrefix + "DescribeTrails"
	GetTrailStatus = TargetPrefix + "GetTrailStatus"
	GetEventSelect = TargetPrefix + "GetEventSelectors"
	DescribeSecret = "secretsmanager.DescribeSecret"
	ListSecrets    = "secretsmanager.ListSecrets"
)

// Request is one request the server received.
type Request struct {
	At     time.Time
	Region string // from the SigV4 credential scope
	Target string
	Body   map[string]any
	Status int
}

// Trail is one trail the server reports.
type Trail struct {
	Name, HomeRegion        string
	MultiRegion, Validation bool
	Logging                 bool
	ReadWriteType           string // "All", "ReadOnly", "WriteOnly"; "" for no selector
	IncludeManagementEvents bool
}

// Secret is one secret DescribeSecret and ListSecrets know.
type Secret struct {
	Name, ARN    string
	LastAccessed *time.Time
}

// Server is a fake CloudTrail endpoint. Set its fields before the first
// request.
type Server struct {
	URL string

	Records       []map[string]any // CloudTrail records, any order; served newest first
	PageSize      int              // events per page at most (and at most MaxResults); 0: 50
	ThrottleEvery int              // every Nth LookupEvents request (1-based) answers ThrottlingException
	FailEvery     int              // every Nth LookupEvents request answers 500 InternalFailure
	Trails        []Trail
	Secrets       []Secret

	mu       sync.Mutex
	requests []Request
	lookups  int
}

// New starts a server; it closes when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{}
	hs := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// Requests returns what the server received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// MaxPerSecond is the most requests of target received within any window
// of one second (a sliding window over arrival times, throttled requests
// included).
func (s *Server) MaxPerSecond(target string) int {
	var ts []time.Time
	for _, r := range s.Requests() {
		if r.Target == target {
			ts = append(ts, r.At)
		}
	}
	most := 0
	for i := range ts {
		n := 0
		for j := i; j < len(ts) && ts[j].Sub(ts[i]) < time.Second; j++ {
			n++
		}
		most = max(most, n)
	}
	return most
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	target := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), LongPrefix)
	b, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(b, &body)
	status, resp := s.handle(target, body)
	s.mu.Lock()
	s.requests = append(s.requests, Request{At: at, Region: signedRegion(r.Header.Get("Authorization")), Target: target, Body: body, Status: status})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", strconv.FormatInt(at.UnixNano(), 36))
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(resp)
}

// signedRegion reads the region of "... Credential=AKID/20260101/us-east-1/cloudtrail/aws4_request, ...".
func signedRegion(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	parts := strings.Split(cred, "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

func errResp(code, msg string) map[string]any {
	return map[string]any{"__type": code, "message": msg}
}

func (s *Server) handle(target string, body map[string]any) (int, any) {
	switch target {
	case LookupEvents:
		s.mu.Lock()
		s.lookups++
		n := s.lookups
		s.mu.Unlock()
		if s.ThrottleEvery > 0 && n%s.ThrottleEvery == 0 {
			return 400, errResp("ThrottlingException", "Rate exceeded")
		}
		if s.FailEvery > 0 && n%s.FailEvery == 0 {
			return 500, errResp("InternalFailure", "internal error")
		}
		return s.lookup(body)
	case DescribeTrails:
		var list []map[string]any
		for _, t := range s.Trails {
			list = append(list, map[string]any{
				"Name": t.Name, "TrailARN": trailARN(t), "HomeRegion": t.HomeRegion,
				"IsMultiRegionTrail": t.MultiRegion, "LogFileValidationEnabled": t.Validation,
				"S3BucketName": "audit-bucket", "IncludeGlobalServiceEvents": true,
			})
		}
		return 200, map[string]any{"trailList": list}
	case GetTrailStatus:
		t, ok := s.trail(body["Name"])
		if !ok {
			return 400, errResp("TrailNotFoundException", "Unknown trail")
		}
		return 200, map[string]any{"IsLogging": t.Logging}
	case GetEventSelect:
		t, ok := s.trail(body["TrailName"])
		if !ok {
			return 400, errResp("TrailNotFoundException", "Unknown trail")
		}
		out := map[string]any{"TrailARN": trailARN(t)}
		if t.ReadWriteType != "" {
			out["EventSelectors"] = []map[string]any{{"ReadWriteType": t.ReadWriteType, "IncludeManagementEvents": t.IncludeManagementEvents}}
		}
		return 200, out
	case DescribeSecret:
		id, _ := body["SecretId"].(string)
		for _, sec := range s.Secrets {
			if sec.Name == id || sec.ARN == id {
				return 200, map[string]any{"Name": sec.Name, "ARN": sec.ARN}
			}
		}
		return 400, errResp("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	case ListSecrets:
		var list []map[string]any
		for _, sec := range s.Secrets {
			m := map[string]any{"Name": sec.Name, "ARN": sec.ARN}
			if sec.LastAccessed != nil {
				m["LastAccessedDate"] = float64(sec.LastAccessed.Unix())
			}
			list = append(list, m)
		}
		return 200, map[string]any{"SecretList": list}
	}
	return 400, errResp("UnknownOperationException", "unknown target "+target)
}

func trailARN(t Trail) string {
	return "arn:aws:cloudtrail:" + t.HomeRegion + ":111122223333:trail/" + t.Name
}

func (s *Server) trail(name any) (Trail, bool) {
	n, _ := name.(string)
	for _, t := range s.Trails {
		if t.Name == n || trailARN(t) == n {
			return t, true
		}
	}
	return Trail{}, false
}

// lookup answers LookupEvents as CloudTrail does: one attribute, the time
// range, newest first, pages, and a NextToken valid only for the same
// parameters.
func (s *Server) lookup(body map[string]any) (int, any) {
	attrs, _ := body["LookupAttributes"].([]any)
	if len(attrs) > 1 {
		return 400, errResp("InvalidLookupAttributesException", "at most one lookup attribute")
	}
	key, val := "", ""
	if len(attrs) == 1 {
		a, _ := attrs[0].(map[string]any)
		key, _ = a["AttributeKey"].(string)
		val, _ = a["AttributeValue"].(string)
	}
	start, hasStart := body["StartTime"].(float64)
	end, hasEnd := body["EndTime"].(float64)
	if hasStart && hasEnd && start > end {
		return 400, errResp("InvalidTimeRangeException", "start after end")
	}
	size := s.PageSize
	if size <= 0 {
		size = 50
	}
	if mr, ok := body["MaxResults"].(float64); ok && int(mr) < size {
		size = int(mr)
	}
	params := fmt.Sprintf("%s=%s|%v|%v|%d", key, val, body["StartTime"], body["EndTime"], size)

	var items []map[string]any
	for _, rec := range s.Records {
		wire := ToWire(rec)
		t := wire["EventTime"].(float64)
		if hasStart && t < start || hasEnd && t > end || !matchAttr(wire, key, val) {
			continue
		}
		items = append(items, wire)
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i]["EventTime"].(float64) > items[j]["EventTime"].(float64) })

	off := 0
	if tok, _ := body["NextToken"].(string); tok != "" {
		p, o, ok := strings.Cut(tok, "#")
		n, err := strconv.Atoi(o)
		if !ok || p != params || err != nil || n > len(items) {
			return 400, errResp("InvalidNextTokenException", "invalid NextToken")
		}
		off = n
	}
	endIdx := min(off+size, len(items))
	out := map[string]any{"Events": items[off:endIdx]}
	if endIdx < len(items) {
		out["NextToken"] = params + "#" + strconv.Itoa(endIdx)
	}
	return 200, out
}

func matchAttr(wire map[string]any, key, val string) bool {
	switch key {
	case "":
		return true
	case "ResourceName":
		for _, r := range wire["Resources"].([]map[string]any) {
			if r["ResourceName"] == val {
				return true
			}
		}
		return false
	case "EventName", "EventSource", "Username", "AccessKeyId", "EventId":
		return wire[key] == val
	case "ReadOnly":
		return wire["ReadOnly"] == val
	}
	return false
}

// ToWire wraps a record as a LookupEvents item: EventTime in epoch
// seconds, ReadOnly as a string, the record as a JSON string.
func ToWire(rec map[string]any) map[string]any {
	raw, _ := json.Marshal(rec)
	t, _ := time.Parse(time.RFC3339, str(rec["eventTime"]))
	ui, _ := rec["userIdentity"].(map[string]any)
	w := map[string]any{
		"EventId": str(rec["eventID"]), "EventName": str(rec["eventName"]), "EventSource": str(rec["eventSource"]),
		"EventTime": float64(t.Unix()), "ReadOnly": strconv.FormatBool(rec["readOnly"] == true),
		"CloudTrailEvent": string(raw),
	}
	if k := str(ui["accessKeyId"]); k != "" {
		w["AccessKeyId"] = k
	}
	switch str(ui["type"]) {
	case "AssumedRole":
		arn := str(ui["arn"])
		w["Username"] = arn[strings.LastIndexByte(arn, '/')+1:]
	case "IAMUser":
		w["Username"] = str(ui["userName"])
	}
	res := []map[string]any{}
	if arn := secretARNOf(rec); arn != "" {
		res = append(res, map[string]any{"ResourceType": "AWS::SecretsManager::Secret", "ResourceName": arn})
	}
	w["Resources"] = res
	return w
}

func secretARNOf(rec map[string]any) string {
	for _, k := range []string{"requestParameters", "responseElements", "additionalEventData"} {
		m, _ := rec[k].(map[string]any)
		for _, f := range []string{"secretId", "arn", "aRN", "SecretId"} {
			if v := str(m[f]); strings.HasPrefix(v, "arn:aws:secretsmanager:") {
				return v
			}
		}
	}
	return ""
}

func str(v any) string { s, _ := v.(string); return s }

// Fixtures reads the six raw records of testdata/audit (01-*.json to
// 06-*.json) from dir.
func Fixtures(t testing.TB, dir string) []map[string]any {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "0*.json"))
	if err != nil || len(files) != 6 {
		t.Fatalf("fixtures in %s: %d files, %v", dir, len(files), err)
	}
	var recs []map[string]any
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		recs = append(recs, m)
	}
	return recs
}

// Clone returns n copies of the records, cycling through them, each with a
// new eventID and an eventTime step apart going back from newest.
func Clone(recs []map[string]any, n int, newest time.Time, step time.Duration) []map[string]any {
	out := make([]map[string]any, 0, n)
	for i := range n {
		var m map[string]any
		b, _ := json.Marshal(recs[i%len(recs)])
		_ = json.Unmarshal(b, &m)
		m["eventID"] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		m["eventTime"] = newest.Add(-time.Duration(i) * step).UTC().Format(time.RFC3339)
		out = append(out, m)
	}
	return out
}
