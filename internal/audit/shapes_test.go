package audit

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestDecodeRecordsShapes: a saved LookupEvents response and a file holding
// one record read as the same records as the trail log file that holds
// them, and a digest-like object reads as none.
func TestDecodeRecordsShapes(t *testing.T) {
	read := func(path string) map[string]Event {
		t.Helper()
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		evs := map[string]Event{}
		n, err := DecodeRecords(fh, func(r *Record) error {
			evs[r.EventID] = EventFromRecord(r)
			return nil
		})
		if err != nil || int(n) != len(evs) {
			t.Fatalf("%s: %d records, %d distinct, %v", path, n, len(evs), err)
		}
		return evs
	}
	lookup := read(filepath.Join(fixtures, "lookupevents-response.json"))
	if len(lookup) != 4 {
		t.Fatalf("LookupEvents response: %d records, want 4", len(lookup))
	}
	singles, _ := filepath.Glob(filepath.Join(fixtures, "0*.json"))
	matched := 0
	for _, p := range singles {
		one := read(p)
		if len(one) != 1 {
			t.Fatalf("%s: %d records, want 1", p, len(one))
		}
		for id, e := range one {
			if l, ok := lookup[id]; ok {
				matched++
				if e.SecretARN == "" { // the item's Resources name it; the record may not
					l.SecretARN = ""
				}
				if !reflect.DeepEqual(l, e) {
					t.Errorf("%s: the LookupEvents item reads\n %+v\nthe record file\n %+v", id, l, e)
				}
			}
		}
	}
	if matched != 4 {
		t.Fatalf("%d of the response's events have a record file", matched)
	}
	// An item without CloudTrailEvent is read from its own fields, and its
	// EventTime may be a string (the AWS CLI) or epoch seconds (the SDK).
	in := `{"Events":[{"EventId":"e1","EventName":"GetSecretValue","EventSource":"secretsmanager.amazonaws.com","EventTime":"2025-03-14T10:58:12+00:00","Username":"jdoe","ReadOnly":"true"},
		{"EventId":"e2","EventName":"GetSecretValue","EventTime":1741949892.5}],"NextToken":"x"}`
	var got []Record
	if _, err := DecodeRecords(strings.NewReader(in), func(r *Record) error { got = append(got, *r); return nil }); err != nil || len(got) != 2 {
		t.Fatalf("%v %+v", err, got)
	}
	if got[0].EventTime != time.Date(2025, 3, 14, 10, 58, 12, 0, time.UTC) || got[0].UserIdentity.UserName != "jdoe" || !got[0].ReadOnly ||
		got[1].EventTime != time.Date(2025, 3, 14, 10, 58, 12, 5e8, time.UTC) {
		t.Fatalf("items read as %+v", got)
	}
	for _, other := range []string{`{"digestStartTime":"2025-03-14T10:00:00Z","logFiles":[]}`, `{"Events":"x"}`, `[{"eventSource":"x"}]`} {
		if n, err := DecodeRecords(strings.NewReader(other), func(*Record) error { return nil }); n != 0 || err != nil {
			t.Errorf("%s: %d records, %v", other, n, err)
		}
	}
	if _, err := DecodeRecords(strings.NewReader(`{"Events":[{"EventId":"e","CloudTrailEvent":"{not json"}]}`), func(*Record) error { return nil }); err == nil {
		t.Error("a CloudTrailEvent that is not JSON was accepted")
	}
}
