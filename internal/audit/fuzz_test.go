package audit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

func addFixtures(f *testing.F, wrap func([]byte) []byte) {
	files, _ := filepath.Glob(filepath.Join(fixtures, "0*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(wrap(b))
	}
}

// FuzzParseRecord checks the fast record parser against encoding/json: a
// record both accept reads the same.
func FuzzParseRecord(f *testing.F) {
	addFixtures(f, func(b []byte) []byte { return b })
	f.Add([]byte(`{"eventName":"a\u00e9\ud83d","readOnly":"true","eventTime":"2025-03-14T10:58:12.123+02:00"}`))
	f.Add([]byte(`{"userIdentity":{"sessionContext":{"sessionIssuer":null}},"resources":[null]}`))
	f.Add([]byte(`{"requestParameters":{"secretId":1}}`))
	f.Add([]byte(`{"eventTime":"0000-00-00T00:00:00Z"}`))
	f.Add([]byte(`{"tlsDetails":{"x":[1,2,{"y":"\u00zz"}]}}`))
	f.Add([]byte(`{"extra":{"a" "b"},"eventName":"x"}`))
	f.Add([]byte(`{"n":01,"m":1.,"o":-,"eventName":"x"}`))
	f.Add([]byte("{\"userAgent\":\"a\tb\",\"k\":\"\x01\"}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var got Record
		ferr := parseRecord(b, &got)
		// The fast parser accepts a record only if it is valid JSON, in the
		// fields it skips too (testdata/fuzz/FuzzParseRecord holds inputs
		// it once accepted). It may refuse valid JSON that does not fit a
		// record (a string field holding an object).
		if ferr == nil && !json.Valid(b) {
			t.Fatalf("parseRecord accepts invalid JSON %q", b)
		}
		var want Record
		if ferr != nil || json.Unmarshal(b, &want) != nil || foldedKey(b) {
			return
		}
		if g, w := EventFromRecord(&got), EventFromRecord(&want); !reflect.DeepEqual(g, w) {
			t.Fatalf("parseRecord and encoding/json differ on %q:\n got %+v\nwant %+v", b, g, w)
		}
	})
}

// recordKeys are the keys parseRecord reads, at any depth.
var recordKeys = strings.Fields(`eventTime eventSource eventName awsRegion sourceIPAddress userAgent
	errorCode errorMessage eventID eventVersion readOnly userIdentity requestParameters responseElements
	additionalEventData resources secretId versionId versionStage name arn ARN aRN SecretId type
	principalId accountId accessKeyId userName invokedBy host sessionContext sessionIssuer`)

// foldedKey reports whether b has a key that only case-folding makes one
// of recordKeys ("EventName"). encoding/json matches such keys to fields;
// CloudTrail writes its keys exactly, and parseRecord reads them exactly.
func foldedKey(b []byte) bool {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				for _, rk := range recordKeys {
					if k != rk && strings.EqualFold(k, rk) && !slices.Contains(recordKeys, k) {
						return true
					}
				}
				if walk(e) {
					return true
				}
			}
		case []any:
			for _, e := range v {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// FuzzDecodeRecords reads arbitrary log files, whole and one byte at a
// time: both give the same records and the same outcome.
func FuzzDecodeRecords(f *testing.F) {
	addFixtures(f, func(b []byte) []byte { return append(append([]byte(`{"Records":[`), b...), "]}"...) })
	f.Add([]byte(`{"Records":null}`))
	f.Add([]byte(`{"x":1,"Records":[{"eventName":"A"},{"eventName":"B"}],"y":[]}`))
	f.Add([]byte(`{"Records":[{"eventName":"A"}],"Records":[{"eventName":"B"}]}`))
	f.Add([]byte(`{"Records":[{"eventName":"A"}`))
	f.Add([]byte(`{"Records":"x"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, b []byte) {
		read := func(r *bytes.Reader, slow bool) ([]Event, int64, error) {
			var evs []Event
			var n int64
			var err error
			fn := func(rec *Record) error { evs = append(evs, EventFromRecord(rec)); return nil }
			if slow {
				n, err = DecodeRecords(iotest.OneByteReader(r), fn)
			} else {
				n, err = DecodeRecords(r, fn)
			}
			return evs, n, err
		}
		e1, n1, err1 := read(bytes.NewReader(b), false)
		e2, n2, err2 := read(bytes.NewReader(b), true)
		if n1 != n2 || (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(e1, e2) {
			t.Fatalf("whole and byte-at-a-time reads differ: %d %v / %d %v", n1, err1, n2, err2)
		}
		if err1 == nil && int64(len(e1)) != n1 {
			t.Fatalf("%d records counted, %d parsed", n1, len(e1))
		}
	})
}

// FuzzEventFromLookup normalises arbitrary LookupEvents items: a
// CloudTrailEvent that is not a record is an error, never a panic.
func FuzzEventFromLookup(f *testing.F) {
	addFixtures(f, func(b []byte) []byte { return b })
	f.Add([]byte(``))
	f.Add([]byte(`{"eventTime":"2025-13-01T00:00:00Z"}`))
	f.Add([]byte(`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		now := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
		le := &types.Event{CloudTrailEvent: aws.String(string(b)), EventId: aws.String("id"), EventName: aws.String("GetSecretValue"),
			EventTime: &now, ReadOnly: aws.String("true"), Username: aws.String("u"),
			Resources: []types.Resource{{ResourceName: aws.String("arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEf")}, {}}}
		ev, err := EventFromLookup(le)
		if err != nil {
			return
		}
		if ev.EventID == "" || ev.Action == "" {
			t.Fatalf("wrapper fields not filled: %+v", ev)
		}
		_ = ev.Result()
		ev.Intern()
	})
}
