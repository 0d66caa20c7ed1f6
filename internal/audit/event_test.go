package audit

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const fixtures = "../../testdata/audit"

const paymentsARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/payments/db-Xk3p9Q"

func readRecord(t *testing.T, name string) *Record {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &r
}

func TestEventFromRecordFixtures(t *testing.T) {
	tests := []struct {
		file                                  string
		principal, ptype, action, secret, arn string
		result, ip, user                      string
		readOnly, denied                      bool
	}{
		{"01-getsecretvalue-success.json", "role/payments-api-task (ecs-task-7d1e)", "AssumedRole", "GetSecretValue", "prod/payments/db", paymentsARN, "OK", "10.20.3.17", "ecs-task-7d1e", true, false},
		{"02-getsecretvalue-accessdenied.json", "contractor-jdoe", "IAMUser", "GetSecretValue", "prod/payments/db", "", "AccessDenied", "203.0.113.77", "contractor-jdoe", true, true},
		{"03-putsecretvalue.json", "role/secretctl-operator (alice@example.com)", "AssumedRole", "PutSecretValue", "prod/payments/db", paymentsARN, "OK", "198.51.100.24", "alice@example.com", false, false},
		{"04-rotationsucceeded.json", "secretsmanager.amazonaws.com", "AWSService", "RotationSucceeded", "prod/payments/db", paymentsARN, "OK", "secretsmanager.amazonaws.com", "", false, false},
		{"05-deletesecret.json", "platform-admin", "IAMUser", "DeleteSecret", "prod/payments/db", paymentsARN, "OK", "198.51.100.9", "platform-admin", false, false},
		{"06-rotationfailed.json", "secretsmanager.amazonaws.com", "AWSService", "RotationFailed", "prod/payments/db", paymentsARN, "Failed", "secretsmanager.amazonaws.com", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			e := EventFromRecord(readRecord(t, tt.file))
			got := []string{e.Principal, e.PrincipalType, e.Action, e.Secret, e.SecretARN, e.Result(), e.SourceIP, e.UserName}
			want := []string{tt.principal, tt.ptype, tt.action, tt.secret, tt.arn, tt.result, tt.ip, tt.user}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("field %d = %q, want %q (event %+v)", i, got[i], want[i], e)
				}
			}
			if e.ReadOnly != tt.readOnly || e.Denied() != tt.denied {
				t.Errorf("readOnly=%v denied=%v, want %v %v", e.ReadOnly, e.Denied(), tt.readOnly, tt.denied)
			}
			if e.EventID == "" || e.Time.IsZero() || e.Region != "us-east-1" || e.EventSource != SourceSecretsManager {
				t.Errorf("missing id/time/region/source: %+v", e)
			}
		})
	}
}

func TestEventFromRecordOldARNKey(t *testing.T) {
	// Records before February 2024 name the ARN "aRN" in responseElements.
	raw := `{"eventTime":"2023-05-01T10:00:00Z","eventSource":"secretsmanager.amazonaws.com","eventName":"CreateSecret",
	"userIdentity":{"type":"IAMUser","userName":"bob","arn":"arn:aws:iam::111122223333:user/bob"},
	"requestParameters":{"name":"old/db","clientRequestToken":"x"},
	"responseElements":{"aRN":"arn:aws:secretsmanager:us-east-1:111122223333:secret:old/db-AbC123","name":"old/db"},
	"eventID":"e1","readOnly":"false"}`
	var r Record
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		t.Fatal(err)
	}
	e := EventFromRecord(&r)
	if e.SecretARN != "arn:aws:secretsmanager:us-east-1:111122223333:secret:old/db-AbC123" || e.Secret != "old/db" {
		t.Fatalf("aRN not read: %+v", e)
	}
	if e.ReadOnly {
		t.Fatal(`readOnly "false" read as true`)
	}
	// Only aRN, no name anywhere else.
	raw = strings.Replace(raw, `"name":"old/db","clientRequestToken":"x"`, `"clientRequestToken":"x"`, 1)
	raw = strings.Replace(raw, `,"name":"old/db"}`, `}`, 1)
	r = Record{}
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		t.Fatal(err)
	}
	if e := EventFromRecord(&r); e.Secret != "old/db" {
		t.Fatalf("secret from aRN alone = %q", e.Secret)
	}
}

func TestEventFromLocalRecord(t *testing.T) {
	line := `{"eventVersion":"1.09","eventTime":"2026-01-02T03:04:05Z","eventSource":"secretctl.local","eventName":"GetSecretValue","eventType":"AwsApiCall",
	"userIdentity":{"type":"LocalUser","userName":"alice","principalId":"1000","host":"build-01"},"sourceIPAddress":"build-01","userAgent":"secretctl/1.2.3",
	"requestParameters":{"secretId":"app/db"},"responseElements":null,"errorCode":"ResourceNotFoundException","errorMessage":"secret not found",
	"readOnly":true,"eventID":"id-1","seq":3,"prevHash":"x","hash":"y"}`
	line = strings.ReplaceAll(line, "\n\t", "")
	var got []Event
	if err := ReadLocal(strings.NewReader(line+"\n\n"), func(e *Event) error { got = append(got, *e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d events", len(got))
	}
	e := got[0]
	if e.Principal != "alice@build-01" || e.Secret != "app/db" || e.Result() != "ResourceNotFoundException" || e.UserAgent != "secretctl/1.2.3" || !e.IsRead() {
		t.Fatalf("local event: %+v", e)
	}
	if !MatchPrincipal("alice", &e) {
		t.Fatal("--principal alice does not match alice@build-01")
	}
	if err := ReadLocal(strings.NewReader("{not json\n"), func(*Event) error { return nil }); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("bad line error = %v", err)
	}
}

func TestNameFromARN(t *testing.T) {
	for in, want := range map[string]string{
		paymentsARN: "prod/payments/db",
		"arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/payments/db": "prod/payments/db", // partial ARN, no suffix ("db" is short)
		"arn:aws:secretsmanager:us-east-1:1:secret:a-b-c-XYZ123":                "a-b-c",
		"plain/name": "plain/name",
	} {
		if got := NameFromARN(in); got != want {
			t.Errorf("NameFromARN(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFilter(t *testing.T) {
	base := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	ok := EventFromRecord(readRecord(t, "01-getsecretvalue-success.json"))
	denied := EventFromRecord(readRecord(t, "02-getsecretvalue-accessdenied.json"))
	tests := []struct {
		name string
		f    Filter
		e    *Event
		want bool
	}{
		{"empty", Filter{}, &ok, true},
		{"window", Filter{Since: base, Until: base.Add(24 * time.Hour)}, &ok, true},
		{"before since", Filter{Since: base.Add(24 * time.Hour)}, &ok, false},
		{"after until", Filter{Until: base}, &ok, false},
		{"errors-only ok", Filter{ErrorsOnly: true}, &ok, false},
		{"errors-only denied", Filter{ErrorsOnly: true}, &denied, true},
		{"secret by name", Filter{Secret: "prod/payments/db"}, &ok, true},
		{"secret by arn", Filter{Secret: paymentsARN}, &ok, true},
		{"secret by arn, event named by name only", Filter{Secret: paymentsARN}, &denied, true},
		{"other secret", Filter{Secret: "prod/other"}, &ok, false},
		{"event", Filter{Events: []string{"getsecretvalue"}}, &ok, true},
		{"other event", Filter{Events: []string{"PutSecretValue"}}, &ok, false},
		{"principal display", Filter{Principals: []string{"role/payments-api-task (ecs-task-7d1e)"}}, &ok, true},
		{"principal role", Filter{Principals: []string{"role/payments-api-task"}}, &ok, true},
		{"principal role bare", Filter{Principals: []string{"payments-api-task"}}, &ok, true},
		{"principal session", Filter{Principals: []string{"ecs-task-7d1e"}}, &ok, true},
		{"principal arn", Filter{Principals: []string{"arn:aws:iam::111122223333:user/contractor-jdoe"}}, &denied, true},
		{"principal key", Filter{Principals: []string{"AKIAEXAMPLEKEYID0003"}}, &denied, true},
		{"principal other", Filter{Principals: []string{"mallory"}}, &denied, false},
		{"principal any of", Filter{Principals: []string{"mallory", "contractor-jdoe"}}, &denied, true},
	}
	for _, tt := range tests {
		if got := tt.f.Match(tt.e); got != tt.want {
			t.Errorf("%s: Match = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"7d":                   now.AddDate(0, 0, -7),
		"2w":                   now.AddDate(0, 0, -14),
		"36h":                  now.Add(-36 * time.Hour),
		"2025-12-01":           time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC),
		"2025-12-01T10:00:00Z": time.Date(2025, 12, 1, 10, 0, 0, 0, time.UTC),
	} {
		got, err := ParseTime(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"yesterday", "-3d", "7x"} {
		if _, err := ParseTime(bad, now); err == nil {
			t.Errorf("ParseTime(%q) succeeded", bad)
		}
	}
}

func TestDeduper(t *testing.T) {
	d := NewDeduper(4)
	for _, id := range []string{"a", "b", "c"} {
		if d.Seen(id) {
			t.Fatalf("%s seen on first sight", id)
		}
	}
	if !d.Seen("a") || !d.Seen("c") {
		t.Fatal("repeat not caught")
	}
	if first, again := d.Seen(""), d.Seen(""); first || again {
		t.Fatal("empty id treated as a duplicate")
	}
	// Fill past two generations: the oldest ids are forgotten, memory stays
	// bounded, and recent ones are still caught.
	for i := range 20 {
		d.Seen(string(rune('A' + i)))
	}
	if !d.Seen(string(rune('A' + 19))) {
		t.Fatal("most recent id forgotten")
	}
	if d.Seen("a") {
		t.Fatal("id from two generations ago still remembered: memory is not bounded")
	}
	if len(d.cur.slots) != 8 || len(d.prev.slots) != 8 {
		t.Fatalf("tables grew: %d %d", len(d.cur.slots), len(d.prev.slots))
	}
}
