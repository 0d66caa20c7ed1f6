// Package audit reads who did what to which secret from three sources (the
// local store's hash-chained access log, CloudTrail LookupEvents, and
// CloudTrail log files), normalises every record to one Event type, and
// computes the filters, the per-secret summary and the `--fail-on` checks
// as pure functions over a stream of events.
//
// The package never writes to a terminal: progress goes through callbacks.
// CloudTrail records never carry a secret value, and neither does Event.
package audit

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
	"unique"
)

// Event sources.
const (
	SourceSecretsManager = "secretsmanager.amazonaws.com"
	SourceLocal          = "secretctl.local"
)

// Event is one access to a secret, normalised from a CloudTrail record, a
// LookupEvents item or a local access-log record.
type Event struct {
	Time          time.Time `json:"time"`
	Principal     string    `json:"principal"`               // "role/app-task (session)", "alice", "secretsmanager.amazonaws.com"
	PrincipalType string    `json:"principalType,omitempty"` // userIdentity.type: AssumedRole, IAMUser, LocalUser, AWSService, ...
	PrincipalARN  string    `json:"principalArn,omitempty"`
	UserName      string    `json:"userName,omitempty"` // LookupEvents' Username: the IAM user or the role session name
	AccessKeyID   string    `json:"accessKeyId,omitempty"`
	Action        string    `json:"action"`           // eventName
	Secret        string    `json:"secret,omitempty"` // the secret's name (an ARN's name part)
	SecretARN     string    `json:"secretArn,omitempty"`
	VersionID     string    `json:"versionId,omitempty"`
	SourceIP      string    `json:"sourceIp,omitempty"`
	UserAgent     string    `json:"userAgent,omitempty"`
	ErrorCode     string    `json:"errorCode,omitempty"`
	ErrorMessage  string    `json:"errorMessage,omitempty"`
	Region        string    `json:"region,omitempty"`
	EventSource   string    `json:"eventSource"`
	EventID       string    `json:"eventId"`
	ReadOnly      bool      `json:"readOnly"`
}

// Failed reports whether the call failed. Service events such as
// RotationFailed carry only an errorMessage.
func (e *Event) Failed() bool { return e.ErrorCode != "" || e.ErrorMessage != "" }

// Denied reports whether the call was refused for lack of permission.
func (e *Event) Denied() bool {
	switch e.ErrorCode {
	case "AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation", "UnauthorizedOperation":
		return true
	}
	return false
}

// IsRead reports whether the event is a successful or attempted read of a
// secret value.
func (e *Event) IsRead() bool {
	return e.Action == "GetSecretValue" || e.Action == "BatchGetSecretValue"
}

// Result is "OK", the error code, or "Failed" for a failure with only a
// message.
func (e *Event) Result() string {
	switch {
	case e.ErrorCode != "":
		return e.ErrorCode
	case e.ErrorMessage != "":
		return "Failed"
	}
	return "OK"
}

// Record is the part of a CloudTrail record (or a local access-log record,
// which has the same shape) that audit reads. Unknown fields are ignored.
type Record struct {
	EventVersion        string         `json:"eventVersion"`
	UserIdentity        Identity       `json:"userIdentity"`
	EventTime           time.Time      `json:"eventTime"`
	EventSource         string         `json:"eventSource"`
	EventName           string         `json:"eventName"`
	AWSRegion           string         `json:"awsRegion"`
	SourceIPAddress     string         `json:"sourceIPAddress"`
	UserAgent           string         `json:"userAgent"`
	ErrorCode           string         `json:"errorCode"`
	ErrorMessage        string         `json:"errorMessage"`
	RequestParameters   *requestParams `json:"requestParameters"`
	ResponseElements    *responseElems `json:"responseElements"`
	AdditionalEventData *additional    `json:"additionalEventData"`
	EventID             string         `json:"eventID"`
	ReadOnly            flexBool       `json:"readOnly"`
	Resources           []resource     `json:"resources"`
}

// Identity is CloudTrail's userIdentity, plus the host of a local record.
type Identity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId"`
	ARN            string          `json:"arn"`
	AccountID      string          `json:"accountId"`
	AccessKeyID    string          `json:"accessKeyId"`
	UserName       string          `json:"userName"`
	InvokedBy      string          `json:"invokedBy"`
	Host           string          `json:"host"`
	SessionContext *sessionContext `json:"sessionContext"`
}

type sessionContext struct {
	SessionIssuer struct {
		Type     string `json:"type"`
		ARN      string `json:"arn"`
		UserName string `json:"userName"`
	} `json:"sessionIssuer"`
}

type requestParams struct {
	SecretID     flexString `json:"secretId"`
	VersionID    flexString `json:"versionId"`
	VersionStage flexString `json:"versionStage"`
	Name         flexString `json:"name"` // CreateSecret
}

// responseElems holds the secret's ARN under "arn", or "aRN" in records
// written before February 2024.
type responseElems struct {
	ARN       flexString `json:"arn"`
	ARNOld    flexString `json:"aRN"`
	Name      flexString `json:"name"`
	VersionID flexString `json:"versionId"`
}

type additional struct {
	SecretID flexString `json:"SecretId"`
}

type resource struct {
	ARN  string `json:"ARN"`
	Type string `json:"type"`
}

// flexBool accepts true, "true" and null.
type flexBool bool

func (b *flexBool) UnmarshalJSON(p []byte) error {
	p = bytes.Trim(p, `"`)
	*b = flexBool(string(p) == "true")
	return nil
}

// flexString accepts a string and ignores any other JSON value (a lenient
// parser: odd records must not stop a months-long scan).
type flexString string

func (s *flexString) UnmarshalJSON(p []byte) error {
	if len(p) > 0 && p[0] == '"' {
		var v string
		if err := json.Unmarshal(p, &v); err != nil {
			return err
		}
		*s = flexString(v)
	}
	return nil
}

// EventFromRecord normalises a record.
func EventFromRecord(r *Record) Event {
	e := Event{
		Time:         r.EventTime.UTC(),
		Action:       r.EventName,
		SourceIP:     r.SourceIPAddress,
		UserAgent:    r.UserAgent,
		ErrorCode:    r.ErrorCode,
		ErrorMessage: r.ErrorMessage,
		Region:       r.AWSRegion,
		EventSource:  r.EventSource,
		EventID:      r.EventID,
		ReadOnly:     bool(r.ReadOnly),
	}
	setPrincipal(&e, &r.UserIdentity)

	// The secret: what the caller asked for, else what the service names.
	var ids []string
	if p := r.RequestParameters; p != nil {
		ids = append(ids, string(p.SecretID))
		if r.EventName == "CreateSecret" {
			ids = append(ids, string(p.Name))
		}
		e.VersionID = string(p.VersionID)
		if e.VersionID == "" {
			e.VersionID = string(p.VersionStage)
		}
	}
	if d := r.AdditionalEventData; d != nil {
		ids = append(ids, string(d.SecretID))
	}
	if re := r.ResponseElements; re != nil {
		ids = append(ids, string(re.ARN), string(re.ARNOld), string(re.Name))
		if e.VersionID == "" {
			e.VersionID = string(re.VersionID)
		}
	}
	for _, res := range r.Resources {
		ids = append(ids, res.ARN)
	}
	for _, id := range ids {
		if id == "" {
			continue
		}
		if IsSecretARN(id) {
			if e.SecretARN == "" {
				e.SecretARN = id
			}
			if e.Secret == "" {
				e.Secret = NameFromARN(id)
			}
		} else if e.Secret == "" {
			e.Secret = id
		}
	}
	return e
}

func setPrincipal(e *Event, u *Identity) {
	e.PrincipalType = u.Type
	e.PrincipalARN = u.ARN
	e.AccessKeyID = u.AccessKeyID
	switch u.Type {
	case "AssumedRole":
		session := lastSegment(u.ARN)
		role := ""
		if sc := u.SessionContext; sc != nil {
			role = sc.SessionIssuer.UserName
		}
		if role == "" { // arn:aws:sts::acct:assumed-role/ROLE/SESSION
			if parts := strings.Split(afterColon(u.ARN), "/"); len(parts) == 3 {
				role = parts[1]
			}
		}
		e.UserName = session
		e.Principal = "role/" + role + " (" + session + ")"
	case "IAMUser":
		e.UserName = u.UserName
		e.Principal = u.UserName
	case "Root":
		e.Principal = "root"
		e.UserName = u.UserName
	case "FederatedUser":
		e.Principal = "federated-user/" + lastSegment(u.ARN)
		e.UserName = lastSegment(u.ARN)
	case "LocalUser":
		e.UserName = u.UserName
		e.Principal = u.UserName
		if u.Host != "" {
			e.Principal += "@" + u.Host
		}
	default:
		switch {
		case u.Type == "" && u.InvokedBy != "":
			e.Principal = u.InvokedBy
			e.PrincipalType = "AWSService"
		case u.UserName != "":
			e.Principal = u.UserName
			e.UserName = u.UserName
		case u.ARN != "":
			e.Principal = u.ARN
		case u.InvokedBy != "":
			e.Principal = u.InvokedBy
		default:
			e.Principal = u.PrincipalID
		}
	}
	if e.Principal == "" {
		e.Principal = "unknown"
	}
}

func lastSegment(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

func afterColon(arn string) string {
	if i := strings.LastIndexByte(arn, ':'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// IsSecretARN reports whether s is a Secrets Manager secret ARN.
func IsSecretARN(s string) bool {
	return strings.HasPrefix(s, "arn:") && strings.Contains(s, ":secretsmanager:") && strings.Contains(s, ":secret:")
}

// NameFromARN returns the secret name of a secret ARN: the part after
// ":secret:" without the "-" and six random characters that Secrets Manager
// appends. Anything else is returned unchanged.
func NameFromARN(s string) string {
	i := strings.Index(s, ":secret:")
	if !strings.HasPrefix(s, "arn:") || i < 0 {
		return s
	}
	name := s[i+len(":secret:"):]
	if n := len(name); n > 7 && name[n-7] == '-' && isAlnum(name[n-6:]) {
		name = name[:n-7]
	}
	return name
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Intern replaces the event's repetitive strings (principal, user agent,
// secret, error message, ...) with canonical copies, so a long list of
// events holds each distinct value once.
func (e *Event) Intern() {
	for _, p := range []*string{
		&e.Principal, &e.PrincipalType, &e.PrincipalARN, &e.UserName, &e.AccessKeyID, &e.Action,
		&e.Secret, &e.SecretARN, &e.VersionID, &e.SourceIP, &e.UserAgent, &e.ErrorCode, &e.ErrorMessage,
		&e.Region, &e.EventSource,
	} {
		if *p != "" {
			*p = unique.Make(*p).Value()
		}
	}
}
