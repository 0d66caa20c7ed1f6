package audit

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// TestParseRecordMatchesEncodingJSON: the fast parser reads every fixture,
// and some awkward records, exactly as encoding/json does.
func TestParseRecordMatchesEncodingJSON(t *testing.T) {
	var inputs []string
	files, _ := filepath.Glob(filepath.Join(fixtures, "0*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, string(b))
	}
	inputs = append(inputs,
		`{"eventName":"Get\"Secret\\Value \u00e9\ud83d\ude00","eventTime":"2025-03-14T10:58:12.123+02:00","readOnly":"true",
		  "requestParameters":{"secretId":"a}b{c]","versionId":null,"extra":[1,{"x":"]"},[true,false,null]],"n":-1.5e3},
		  "responseElements":{"aRN":"arn:aws:secretsmanager:us-east-1:1:secret:q-AbCdEf","deletionDate":"Mar 23, 2025, 8:44:30 AM"},"resources":[{"ARN":"arn:aws:secretsmanager:us-east-1:1:secret:q-AbCdEf","type":"t","accountId":"1"}],
		  "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s","sessionContext":{"attributes":{"x":"y"},"sessionIssuer":{"userName":"r"}}},
		  "additionalEventData":null, "eventID" : "id-9" }`,
		`{}`,
		`{"eventName":"tab\there","errorMessage":"line\nbreak \u0041 end","userAgent":"\\"}`,
		`{"readOnly":false,"userIdentity":null,"resources":null,"requestParameters":null}`,
	)
	for i, in := range inputs {
		var want, got Record
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("input %d: encoding/json: %v", i, err)
		}
		if err := parseRecord([]byte(in), &got); err != nil {
			t.Fatalf("input %d: parseRecord: %v", i, err)
		}
		// encoding/json leaves an empty sessionContext pointer nil only when absent.
		if !reflect.DeepEqual(EventFromRecord(&got), EventFromRecord(&want)) {
			t.Errorf("input %d:\n got %+v\nwant %+v", i, EventFromRecord(&got), EventFromRecord(&want))
		}
	}
	for _, bad := range []string{`{"eventName":"x"`, `{"eventName":x}`, `{"eventTime":"yesterday"}`, `{"a":1} trailing`, `{"a":"unterminated}`} {
		var r Record
		if err := parseRecord([]byte(bad), &r); err == nil {
			t.Errorf("parseRecord(%q) succeeded", bad)
		}
	}
}

// TestDecodeRecordsStreamEdges: records split across reads one byte at a
// time, keys after the array, whitespace, and truncation.
func TestDecodeRecordsStreamEdges(t *testing.T) {
	rec := `{"eventID":"a","eventName":"X \"}]\\","eventSource":"secretsmanager.amazonaws.com"}`
	in := " {\"Before\": {\"Records\": 1}, \"Records\" : [ " + rec + " ,\n" + strings.Replace(rec, `"a"`, `"b"`, 1) +
		" ] , \"After\": [1,2], \"Records\": [" + strings.Replace(rec, `"a"`, `"c"`, 1) + "] }"
	var ids []string
	n, err := DecodeRecords(iotest.OneByteReader(strings.NewReader(in)), func(r *Record) error {
		if r.EventName != `X "}]\` {
			t.Errorf("eventName %q", r.EventName)
		}
		ids = append(ids, r.EventID)
		return nil
	})
	if err != nil || n != 3 || strings.Join(ids, "") != "abc" {
		t.Fatalf("n=%d ids=%v err=%v", n, ids, err)
	}
	for _, trunc := range []string{`{"Records":[` + rec, `{"Records":[` + rec[:20], `{"Records":[` + rec + `,`} {
		_, err := DecodeRecords(strings.NewReader(trunc), func(*Record) error { return nil })
		if err == nil || !strings.Contains(err.Error(), io.ErrUnexpectedEOF.Error()) {
			t.Errorf("truncated %q: err = %v", trunc, err)
		}
	}
	if n, err := DecodeRecords(strings.NewReader(`{"Records":[]}`), nil); n != 0 || err != nil {
		t.Errorf("empty: %d %v", n, err)
	}
}

// BenchmarkParseRecord measures the fast parser alone on the fixture
// records: the share of --from-logs that does not depend on the disk.
func BenchmarkParseRecord(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(fixtures, "0*.json"))
	var recs [][]byte
	size := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		recs = append(recs, raw)
		size += len(raw)
	}
	b.SetBytes(int64(size))
	var r Record
	for b.Loop() {
		for _, raw := range recs {
			if err := parseRecord(raw, &r); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
