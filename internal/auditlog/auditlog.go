// Package auditlog is the local store's append-only, chained access log.
//
// The log is a JSON Lines file (one Record a line, 0600), readable and
// editable by hand on purpose: the chain makes any edit evident. Each record
// has the shape of a CloudTrail event (eventVersion, eventTime, eventName,
// userIdentity, requestParameters, errorCode, ...) so the same tooling reads
// local and AWS events, plus three chain fields:
//
//	seq       1, 2, 3, ... with no gaps
//	prevHash  the hash of the record before (64 zeros for seq 1)
//	hash      hex HMAC-SHA-256 of the record's canonical JSON without "hash"
//
// The canonical JSON is the record parsed into generic JSON values and
// marshalled again with sorted keys, so every field of the line, including
// fields added by hand, is covered.
//
// # Keyed chain
//
// The hash is an HMAC under a key the local store derives from its data key
// (Chain.Key), so only someone holding the store's key can compute it: a
// forged or edited record, or a forged chain head, fails verification even
// when the forger rewrites every hash after it. Logs written before the
// chain was keyed (store format 1) used the plain SHA-256 of the canonical
// JSON; Chain.LegacySeq says how many records those are, and the store pins
// the hash of the last of them (Chain.LegacyHash) under its key when it
// upgrades, so the unkeyed prefix cannot be rewritten either: each of its
// records is fixed by the SHA-256 link from the one after it. A Chain with
// no key is the plain SHA-256 chain throughout.
//
// The chain alone cannot show that records were cut from the end, or that
// the whole file was replaced by an older copy of itself. The writer
// therefore keeps the chain Head (last seq, its hash and the byte length of
// the file) somewhere else, in the local store's database, updated in the
// same transaction as the operation the record describes, and Verify
// compares the file with that head. What stays open: someone with the key
// can write any history; and a restore of an older copy of both the log and
// the database is consistent, so only a head kept outside the store (see
// `secretctl audit verify --expect-head`) shows it.
//
// Writers: Append seals a record after a head and writes it. Readers: Read
// streams records; Verify checks a whole file against a head and names each
// record that was edited, deleted, inserted or reordered.
package auditlog

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Field values shared by every local record.
const (
	EventVersion = "1.09"
	EventSource  = "secretctl.local"
	EventType    = "AwsApiCall"
	ResourceType = "AWS::SecretsManager::Secret"
	IdentityType = "LocalUser"
	// IdentityTypeKey is the identity of a call signed with an access key
	// (through `secretctl serve`); userName and accessKeyId hold the key id.
	IdentityTypeKey = "IAMUser"
)

// GenesisHash is the prevHash of the first record.
var GenesisHash = strings.Repeat("0", 64)

// MaxLine is the longest line Read and Verify accept.
const MaxLine = 1 << 20

// Record is one access event, shaped like a CloudTrail record. It never
// carries a secret value.
type Record struct {
	EventVersion      string         `json:"eventVersion"`
	EventTime         time.Time      `json:"eventTime"`
	EventSource       string         `json:"eventSource"`
	EventName         string         `json:"eventName"`
	EventType         string         `json:"eventType"`
	UserIdentity      UserIdentity   `json:"userIdentity"`
	SourceIPAddress   string         `json:"sourceIPAddress"`
	UserAgent         string         `json:"userAgent"`
	RequestParameters map[string]any `json:"requestParameters"`
	ResponseElements  map[string]any `json:"responseElements"`
	ErrorCode         string         `json:"errorCode,omitempty"`
	ErrorMessage      string         `json:"errorMessage,omitempty"`
	ReadOnly          bool           `json:"readOnly"`
	EventID           string         `json:"eventID"`
	Resources         []Resource     `json:"resources,omitempty"`
	Seq               uint64         `json:"seq"`
	PrevHash          string         `json:"prevHash"`
	Hash              string         `json:"hash,omitempty"`
}

// UserIdentity names the local user who made the call.
type UserIdentity struct {
	Type        string `json:"type"`
	UserName    string `json:"userName"`
	PrincipalID string `json:"principalId"`
	AccessKeyID string `json:"accessKeyId,omitempty"` // calls through `secretctl serve`
	Host        string `json:"host,omitempty"`
}

// Resource is a secret a record refers to.
type Resource struct {
	ARN  string `json:"ARN"`
	Type string `json:"type"`
}

// Failed reports whether the call failed.
func (r Record) Failed() bool { return r.ErrorCode != "" }

// SecretID returns requestParameters.secretId, or "".
func (r Record) SecretID() string {
	s, _ := r.RequestParameters["secretId"].(string)
	return s
}

// Head is the end of the chain as the writer committed it.
type Head struct {
	Seq    uint64 `json:"seq"`    // seq of the last record; 0 for an empty log
	Hash   string `json:"hash"`   // hash of the last record; GenesisHash for an empty log
	Offset int64  `json:"offset"` // length of the log in bytes
}

// String is the head as `audit verify` prints it and --expect-head takes
// it: "SEQ:HASH".
func (h Head) String() string { return fmt.Sprintf("%d:%s", h.Seq, h.Hash) }

// ParseHead parses what Head.String returns (the offset is not part of it).
func ParseHead(s string) (Head, error) {
	seq, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	n, err := strconv.ParseUint(seq, 10, 64)
	if !ok || err != nil || len(hash) != 64 || strings.Trim(hash, "0123456789abcdef") != "" {
		return Head{}, fmt.Errorf("parse chain head %q: want SEQ:HASH as 'secretctl audit verify' prints it", s)
	}
	return Head{Seq: n, Hash: hash}, nil
}

// HashAt returns the hash of the record with that seq in a log, or "" when
// there is none.
func HashAt(r io.Reader, seq uint64) (string, error) {
	hash := ""
	err := Lines(r, func(n int, line []byte) error {
		var rec struct {
			Seq  uint64 `json:"seq"`
			Hash string `json:"hash"`
		}
		if json.Unmarshal(line, &rec) == nil && rec.Seq == seq && hash == "" {
			hash = rec.Hash
		}
		return nil
	})
	return hash, err
}

// EmptyHead is the head of a log with no records.
func EmptyHead() Head { return Head{Hash: GenesisHash} }

// Chain says how the records of a log are hashed: with HMAC-SHA-256 under
// Key, except the first LegacySeq records, which were written with the plain
// SHA-256 before the log was keyed; the last of those has hash LegacyHash.
// The zero Chain is the plain SHA-256 chain.
type Chain struct {
	Key        []byte
	LegacySeq  uint64
	LegacyHash string
}

// keyed reports whether the record with that seq carries an HMAC.
func (c Chain) keyed(seq uint64) bool { return c.Key != nil && seq > c.LegacySeq }

// Hash returns the hex hash of the canonical form of line (a JSON object),
// ignoring its "hash" field: the HMAC of the chain's key, or the plain
// SHA-256 for a record up to LegacySeq (or with no key).
func (c Chain) Hash(line []byte) (string, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return "", fmt.Errorf("parse record: %w", err)
	}
	if dec.More() {
		return "", errors.New("parse record: trailing data after the JSON object")
	}
	delete(m, "hash")
	canon, err := json.Marshal(m) // map keys are sorted, recursively
	if err != nil {
		return "", fmt.Errorf("canonicalise record: %w", err)
	}
	var seq uint64
	if n, ok := m["seq"].(json.Number); ok {
		if i, err := n.Int64(); err == nil && i > 0 {
			seq = uint64(i)
		}
	}
	if !c.keyed(seq) {
		sum := sha256.Sum256(canon)
		return hex.EncodeToString(sum[:]), nil
	}
	mac := hmac.New(sha256.New, c.Key)
	mac.Write(canon)
	return hex.EncodeToString(mac.Sum(nil)), nil
}

// Hash returns the hex SHA-256 of the canonical form of line (a JSON object),
// ignoring its "hash" field: the unkeyed hash of store format 1.
func Hash(line []byte) (string, error) { return Chain{}.Hash(line) }

// Seal chains rec after head with the hash of c: it sets Seq, PrevHash and
// Hash, and returns the line to write (with its newline). It does not change
// Offset.
func Seal(rec Record, head Head, c Chain) (Record, []byte, error) {
	rec.Seq = head.Seq + 1
	rec.PrevHash = head.Hash
	if rec.PrevHash == "" {
		rec.PrevHash = GenesisHash
	}
	rec.Hash = ""
	rec.EventTime = rec.EventTime.UTC().Truncate(time.Second)
	unsigned, err := json.Marshal(rec)
	if err != nil {
		return Record{}, nil, fmt.Errorf("encode record: %w", err)
	}
	if rec.Hash, err = c.Hash(unsigned); err != nil {
		return Record{}, nil, err
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return Record{}, nil, fmt.Errorf("encode record: %w", err)
	}
	return rec, append(line, '\n'), nil
}

// Append seals rec after head with c and writes it to f, the log file. It writes
// at head.Offset when the committed part of the file is where head says
// (the line ending there is the head record): bytes beyond it, such as a
// record a crash left between the write and the commit of the head, are
// dropped. A committed part that moved (an edit changed its length), or a
// file shorter than head.Offset, means the file was changed by hand: the
// record then goes at the end, after a newline if needed, and nothing is
// cut, so Verify still sees the change. The file is synced before Append
// returns. It returns the sealed record and the new head, which the caller
// commits.
func Append(f *os.File, head Head, rec Record, c Chain) (Record, Head, error) {
	recs, next, err := AppendAll(f, head, []Record{rec}, c)
	if err != nil {
		return Record{}, Head{}, err
	}
	return recs[0], next, nil
}

// AppendAll is Append for several records: they are sealed in order, one
// after the other, and written with one write and one sync (group commit),
// so the caller commits one head for all of them.
func AppendAll(f *os.File, head Head, recs []Record, c Chain) ([]Record, Head, error) {
	sealed := make([]Record, len(recs))
	var buf []byte
	h := head
	for i, rec := range recs {
		r, line, err := Seal(rec, h, c)
		if err != nil {
			return nil, Head{}, err
		}
		sealed[i], buf, h = r, append(buf, line...), Head{Seq: r.Seq, Hash: r.Hash}
	}
	st, err := f.Stat()
	if err != nil {
		return nil, Head{}, fmt.Errorf("stat audit log: %w", err)
	}
	end := st.Size()
	if end != head.Offset {
		if end > head.Offset && committedEnd(f, head) {
			if err := f.Truncate(head.Offset); err != nil {
				return nil, Head{}, fmt.Errorf("drop uncommitted audit records: %w", err)
			}
			end = head.Offset
		} else if end > 0 {
			last := make([]byte, 1)
			if _, err := f.ReadAt(last, end-1); err != nil {
				return nil, Head{}, fmt.Errorf("read audit log: %w", err)
			}
			if last[0] != '\n' {
				buf = append([]byte{'\n'}, buf...)
			}
		}
	}
	if _, err := f.WriteAt(buf, end); err != nil {
		return nil, Head{}, fmt.Errorf("write audit log: %w", err)
	}
	if err := f.Sync(); err != nil {
		return nil, Head{}, fmt.Errorf("sync audit log: %w", err)
	}
	h.Offset = end + int64(len(buf))
	return sealed, h, nil
}

// committedEnd reports whether the committed part of f ends where head
// says: the line that ends at head.Offset is the record head names. Then
// the bytes after it are only additions (such as a crash leftover) and can
// be dropped without losing evidence; an edit that changed the length of
// the committed part moves that line and fails the check.
func committedEnd(f *os.File, head Head) bool {
	if head.Offset == 0 {
		return head.Seq == 0
	}
	n := min(head.Offset, int64(MaxLine))
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, head.Offset-n); err != nil {
		return false
	}
	if buf[len(buf)-1] != '\n' {
		return false
	}
	buf = buf[:len(buf)-1]
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
		buf = buf[i+1:]
	} else if n < head.Offset {
		return false // a line longer than MaxLine
	}
	var r struct {
		Seq  uint64 `json:"seq"`
		Hash string `json:"hash"`
	}
	return json.Unmarshal(buf, &r) == nil && r.Seq == head.Seq && r.Hash == head.Hash
}

// Lines calls fn with each non-blank line of a JSON Lines log and its
// 1-based line number, stopping at the first error fn returns. Lines longer
// than MaxLine are an error.
func Lines(r io.Reader, fn func(n int, line []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), MaxLine)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := fn(n, line); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read log after line %d: %w", n, err)
	}
	return nil
}

// Read streams the records of a log to fn, in file order, stopping at the
// first error fn returns. Blank lines are skipped; a line that is not a
// record is an error naming its line number.
func Read(r io.Reader, fn func(Record) error) error {
	return Lines(r, func(n int, line []byte) error {
		var rec Record
		if err := json.Unmarshal(line, &rec); err != nil {
			return fmt.Errorf("read audit log line %d: %w", n, err)
		}
		return fn(rec)
	})
}
