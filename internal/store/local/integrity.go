package local

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"

	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/store"
)

// Store formats, kept in PRAGMA user_version (0 is format 1, which predates
// the pragma) and, for people reading the file, in the settings row
// "format".
const (
	formatV1      = 1 // records and chain unauthenticated
	formatVersion = 2 // records carry MACs; the audit chain is keyed
)

// refusal is the name of the table the format-1 view "settings" reads: a
// format-1 secretctl looks its key mode up in "settings" before it writes
// anything, finds no such table, and stops with this text in its error.
const refusal = "this store has format 2: upgrade secretctl to open it"

// schemaV2 creates a new store. An upgraded format-1 store ends up with the
// same tables (mac is added to secrets, settings renamed to store_settings).
const schemaV2 = `
CREATE TABLE store_settings (k TEXT PRIMARY KEY, v BLOB NOT NULL);
CREATE VIEW settings (k, v) AS SELECT NULL, NULL FROM "` + refusal + `";
CREATE TABLE secrets (
	arn        TEXT PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	deleted_at INTEGER,
	record     BLOB NOT NULL,
	mac        BLOB
);
CREATE INDEX secrets_deleted ON secrets (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE TABLE audit_head (
	id     INTEGER PRIMARY KEY CHECK (id = 1),
	seq    INTEGER NOT NULL,
	hash   TEXT NOT NULL,
	offset INTEGER NOT NULL
);`

// HKDF info strings: one key per purpose, all derived from the data key.
const (
	infoRecordMAC = "secretctl/local/record-mac/v1"
	infoAuditMAC  = "secretctl/local/audit-chain/v1"
	infoMetaMAC   = "secretctl/local/settings-mac/v1"
)

// ErrIntegrity is the error of a record, setting or log that fails its MAC:
// it was changed by something that does not hold the store's key. It
// matches store.ErrDecryption too, so callers that map errors to Secrets
// Manager codes report DecryptionFailure.
var ErrIntegrity error = integrityError{}

type integrityError struct{}

func (integrityError) Error() string { return "integrity check failed" }
func (integrityError) Unwrap() error { return store.ErrDecryption }

// macKeys are the keys derived from the data key.
type macKeys struct {
	record, audit, meta []byte
}

func deriveKeys(dataKey []byte) (macKeys, error) {
	var k macKeys
	for _, d := range []struct {
		dst  *[]byte
		info string
	}{{&k.record, infoRecordMAC}, {&k.audit, infoAuditMAC}, {&k.meta, infoMetaMAC}} {
		b, err := hkdf.Key(sha256.New, dataKey, nil, d.info, sha256.Size)
		if err != nil {
			return macKeys{}, fmt.Errorf("derive keys: %w", err)
		}
		*d.dst = b
	}
	return k, nil
}

func (k *macKeys) clear() {
	clear(k.record)
	clear(k.audit)
	clear(k.meta)
	*k = macKeys{}
}

// macOf returns the HMAC-SHA-256 under key of the fields, each prefixed
// with its length so no two lists of fields give the same input.
func macOf(key []byte, fields ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	var n [binary.MaxVarintLen64]byte
	for _, f := range fields {
		m.Write(n[:binary.PutUvarint(n[:], uint64(len(f)))])
		m.Write(f)
	}
	return m.Sum(nil)
}

// recordMAC authenticates one row of secrets: the record's bytes as stored
// (the whole secret: metadata, tags, deletion date, every version with its
// labels and sealed value) together with the row's key columns, so a record
// moved to another row, or a row whose name or deletion date changed, fails.
func recordMAC(key []byte, arn, name string, deleted sql.NullInt64, rec []byte) []byte {
	del := ""
	if deleted.Valid {
		del = strconv.FormatInt(deleted.Int64, 10)
	}
	return macOf(key, []byte("secretctl/local/record/v2"), []byte(arn), []byte(name), []byte(del), rec)
}

func deletedColumn(r *record) sql.NullInt64 {
	if r.Deleted == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: r.Deleted.UnixNano(), Valid: true}
}

// row is one row of secrets as read.
type row struct {
	arn, name string
	deleted   sql.NullInt64
	rec, mac  []byte
}

const selectRow = `SELECT arn, name, deleted_at, record, mac FROM secrets`

func scanRow(rows *sql.Rows) (row, error) {
	var w row
	err := rows.Scan(&w.arn, &w.name, &w.deleted, &w.rec, &w.mac)
	return w, err
}

// open checks the row's MAC and decodes it. Every failure is ErrIntegrity
// naming the secret: a record that fails is never used.
func (w row) open(key []byte) (*record, error) {
	if len(w.mac) == 0 || !hmac.Equal(w.mac, recordMAC(key, w.arn, w.name, w.deleted, w.rec)) {
		return nil, w.fail("its record does not match its MAC")
	}
	r := &record{}
	if err := json.Unmarshal(w.rec, r); err != nil || slices.Contains(r.Versions, nil) {
		return nil, w.fail("its record does not decode")
	}
	if r.ARN != w.arn || r.Name != w.name || deletedColumn(r) != w.deleted {
		return nil, w.fail("its record does not match its row")
	}
	return r, nil
}

func (w row) fail(why string) error {
	return fmt.Errorf("%w: secret %s (%s): %s; it was changed outside secretctl: restore %s from a backup", ErrIntegrity, w.name, w.arn, why, DBFile)
}

// meta is the store-wide state the settings MAC covers: the format and
// where the audit chain became keyed.
type meta struct {
	Format     int    `json:"format"`
	LegacySeq  uint64 `json:"auditLegacySeq"`  // records up to this seq use the plain SHA-256 of format 1
	LegacyHash string `json:"auditLegacyHash"` // the hash of record LegacySeq, pinned at the upgrade
}

func (m meta) mac(key []byte) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode store settings: %w", err)
	}
	return macOf(key, []byte("secretctl/local/settings/v2"), b), nil
}

// The record-set digest: the XOR of one keyed term per row of secrets
// (its arn and MAC), kept with a MAC that binds it to the chain head it was
// written with. Each operation updates it in its transaction, so it stays
// in step with the rows; Verify recomputes it. A row removed, added, or put
// back from an older copy of store.db (each one genuine on its own) changes
// it, and only a rewind of the chain head to the matching point, which
// --expect-head catches, makes it agree again.

func rowTerm(key []byte, arn string, mac []byte) []byte {
	return macOf(key, []byte("secretctl/local/row/v2"), []byte(arn), mac)
}

func xorInto(d, x []byte) {
	for i := range d {
		d[i] ^= x[i]
	}
}

func digestMAC(key, digest []byte, h auditlog.Head) []byte {
	return macOf(key, []byte("secretctl/local/rows/v2"), digest, []byte(strconv.FormatUint(h.Seq, 10)), []byte(h.Hash))
}

// readDigest returns the stored digest (zeros when there is none) and its
// MAC (nil when there is none).
func readDigest(ctx context.Context, q execer) (digest, mac []byte, err error) {
	var d, m string
	err = q.QueryRowContext(ctx, `SELECT v FROM store_settings WHERE k = 'rows_digest'`).Scan(&d)
	if err == nil {
		err = q.QueryRowContext(ctx, `SELECT v FROM store_settings WHERE k = 'rows_digest_mac'`).Scan(&m)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return make([]byte, sha256.Size), nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read record-set digest: %w", err)
	}
	digest, err = hex.DecodeString(d)
	if err != nil || len(digest) != sha256.Size {
		digest = make([]byte, sha256.Size)
	}
	mac, _ = hex.DecodeString(m)
	return digest, mac, nil
}

func writeDigest(ctx context.Context, q execer, key, digest []byte, h auditlog.Head) error {
	for k, v := range map[string]string{"rows_digest": hex.EncodeToString(digest), "rows_digest_mac": hex.EncodeToString(digestMAC(key, digest, h))} {
		if _, err := q.ExecContext(ctx, `INSERT INTO store_settings (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`, k, v); err != nil {
			return fmt.Errorf("write record-set digest: %w", err)
		}
	}
	return nil
}

type execer interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// writeMeta stores m and its MAC in store_settings.
func writeMeta(ctx context.Context, tx execer, key []byte, m meta) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode store settings: %w", err)
	}
	mac, err := m.mac(key)
	if err != nil {
		return err
	}
	for k, v := range map[string]any{"format": strconv.Itoa(m.Format), "integrity": b, "integrity_mac": hex.EncodeToString(mac)} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO store_settings (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`, k, v); err != nil {
			return fmt.Errorf("write store settings: %w", err)
		}
	}
	return nil
}

// readMeta loads the store-wide state and checks its MAC.
func readMeta(ctx context.Context, q execer, key []byte) (meta, error) {
	var b []byte
	var macHex string
	err := q.QueryRowContext(ctx, `SELECT v FROM store_settings WHERE k = 'integrity'`).Scan(&b)
	if err == nil {
		err = q.QueryRowContext(ctx, `SELECT v FROM store_settings WHERE k = 'integrity_mac'`).Scan(&macHex)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return meta{}, fmt.Errorf("%w: the store's settings lack their MAC; they were changed outside secretctl: restore %s from a backup", ErrIntegrity, DBFile)
	}
	if err != nil {
		return meta{}, fmt.Errorf("read store settings: %w", err)
	}
	var m meta
	got, herr := hex.DecodeString(macHex)
	if json.Unmarshal(b, &m) != nil || herr != nil {
		return meta{}, fmt.Errorf("%w: the store's settings do not decode; they were changed outside secretctl: restore %s from a backup", ErrIntegrity, DBFile)
	}
	want, err := m.mac(key)
	if err != nil {
		return meta{}, err
	}
	if !hmac.Equal(got, want) || m.Format != formatVersion {
		return meta{}, fmt.Errorf("%w: the store's settings do not match their MAC; they were changed outside secretctl: restore %s from a backup", ErrIntegrity, DBFile)
	}
	return m, nil
}

// ready unlocks the key, upgrades a format-1 store and loads the keyed
// chain; every operation calls it first. Callers hold s.mu.
func (s *Store) ready(ctx context.Context) error {
	if s.keys.record != nil {
		return nil
	}
	key, err := s.key()
	if err != nil {
		return err
	}
	k, err := deriveKeys(key)
	if err != nil {
		return err
	}
	if s.format == formatV1 {
		if err := s.upgrade(ctx, k); err != nil {
			return err
		}
	}
	m, err := readMeta(ctx, s.db, k.meta)
	if err != nil {
		return err
	}
	s.keys = k
	s.chain = auditlog.Chain{Key: k.audit, LegacySeq: m.LegacySeq, LegacyHash: m.LegacyHash}
	return nil
}

// upgrade turns a format-1 store into format 2 in one transaction: every
// record gets its MAC, the chain head at this point is pinned as the end of
// the unkeyed part of the log, and the format is recorded where a format-1
// secretctl fails before it writes. A record that was changed before the
// upgrade is authenticated as it is: format 1 had nothing to check it by.
func (s *Store) upgrade(ctx context.Context, k macKeys) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("upgrade local store: %w", err)
	}
	defer tx.Rollback()
	var uv int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&uv); err != nil {
		return fmt.Errorf("upgrade local store: %w", err)
	}
	if uv == formatVersion { // another process upgraded it
		s.format = formatVersion
		return nil
	}
	if uv != 0 {
		return fmt.Errorf("upgrade local store: unexpected format %d", uv)
	}
	head, err := readHead(ctx, tx)
	if err != nil {
		return fmt.Errorf("upgrade local store: %w", err)
	}
	for _, q := range []string{
		`ALTER TABLE settings RENAME TO store_settings`,
		`CREATE VIEW settings (k, v) AS SELECT NULL, NULL FROM "` + refusal + `"`,
		`ALTER TABLE secrets ADD COLUMN mac BLOB`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("upgrade local store: %w", err)
		}
	}
	rows, err := tx.QueryContext(ctx, selectRow)
	if err != nil {
		return fmt.Errorf("upgrade local store: %w", err)
	}
	var all []row
	for rows.Next() {
		w, err := scanRow(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("upgrade local store: %w", err)
		}
		all = append(all, w)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("upgrade local store: %w", err)
	}
	digest := make([]byte, sha256.Size)
	for _, w := range all {
		mac := recordMAC(k.record, w.arn, w.name, w.deleted, w.rec)
		if _, err := tx.ExecContext(ctx, `UPDATE secrets SET mac = ? WHERE arn = ?`, mac, w.arn); err != nil {
			return fmt.Errorf("upgrade local store: %w", err)
		}
		xorInto(digest, rowTerm(k.meta, w.arn, mac))
	}
	if err := writeDigest(ctx, tx, k.meta, digest, head); err != nil {
		return fmt.Errorf("upgrade local store: %w", err)
	}
	if err := writeMeta(ctx, tx, k.meta, meta{Format: formatVersion, LegacySeq: head.Seq, LegacyHash: head.Hash}); err != nil {
		return fmt.Errorf("upgrade local store: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, formatVersion)); err != nil {
		return fmt.Errorf("upgrade local store: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("upgrade local store: %w", err)
	}
	s.format, s.upgraded = formatVersion, true
	return nil
}

// Upgraded reports whether this Store upgraded the store to the current
// format, so a CLI can say so once.
func (s *Store) Upgraded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.upgraded
}

// RecordIssue is a secret whose record fails its check.
type RecordIssue struct {
	Name   string `json:"name"`
	ARN    string `json:"arn"`
	Detail string `json:"detail"`
}

// Report is what Verify found.
type Report struct {
	Secrets   int             `json:"secrets"`             // records checked
	Records   []RecordIssue   `json:"records"`             // records that fail their check
	Audit     auditlog.Result `json:"audit"`               // the access log against its committed head
	SetIssue  string          `json:"setIssue,omitempty"`  // why the set of rows is not the one last written
	HeadIssue string          `json:"headIssue,omitempty"` // why the chain does not continue from the expected head
	Upgraded  bool            `json:"upgraded,omitempty"`  // this check upgraded a format-1 store
}

// OK reports whether every record, the set of records and the access log
// verify, and the chain continues from the expected head.
func (r Report) OK() bool {
	return len(r.Records) == 0 && r.SetIssue == "" && r.Audit.OK() && r.HeadIssue == ""
}

// Verify checks every record's MAC and the access log's keyed chain, and
// reports each record that fails. With expect (a head printed by an earlier
// verify and kept outside the store) it also checks that the chain still
// continues from that head: a restore of an older copy of both store.db and
// audit.log is consistent in itself and shows only there. It writes no
// audit record (it is not a Secrets Manager operation) and serves nothing.
// It needs the key.
func (s *Store) Verify(ctx context.Context, expect *auditlog.Head) (Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(ctx); err != nil {
		return Report{}, fmt.Errorf("verify local store: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Report{}, fmt.Errorf("verify local store: %w", err)
	}
	defer tx.Rollback()
	rep := Report{Records: []RecordIssue{}}
	digest := make([]byte, sha256.Size)
	rows, err := tx.QueryContext(ctx, selectRow+` ORDER BY name`)
	if err != nil {
		return Report{}, fmt.Errorf("verify local store: %w", err)
	}
	for rows.Next() {
		w, err := scanRow(rows)
		if err != nil {
			rows.Close()
			return Report{}, fmt.Errorf("verify local store: %w", err)
		}
		rep.Secrets++
		xorInto(digest, rowTerm(s.keys.meta, w.arn, w.mac))
		if _, err := w.open(s.keys.record); err != nil {
			rep.Records = append(rep.Records, RecordIssue{Name: w.name, ARN: w.arn, Detail: err.Error()})
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return Report{}, fmt.Errorf("verify local store: %w", err)
	}
	// The head is read in the same transaction as the records; the log is
	// read after it, so a record appended meanwhile shows as uncommitted.
	if rep.Audit, err = verifyLog(ctx, tx, s.logPath, s.chain); err != nil {
		return Report{}, err
	}
	stored, mac, err := readDigest(ctx, tx)
	if err != nil {
		return Report{}, fmt.Errorf("verify local store: %w", err)
	}
	switch {
	case !hmac.Equal(mac, digestMAC(s.keys.meta, stored, rep.Audit.Head)):
		rep.SetIssue = "the digest of the set of records does not match its MAC and the committed chain head: it was changed outside secretctl"
	case !hmac.Equal(stored, digest):
		rep.SetIssue = "the set of records is not the one secretctl last wrote: a secret's row was removed or added, or put back from an older copy of " + DBFile
	}
	if expect != nil {
		if rep.HeadIssue, err = s.headIssue(rep.Audit.Head, *expect); err != nil {
			return Report{}, err
		}
	}
	rep.Upgraded = s.upgraded
	return rep, nil
}

// headIssue says why the chain with committed head cur does not continue
// from want, or "" when it does.
func (s *Store) headIssue(cur, want auditlog.Head) (string, error) {
	switch {
	case want.Seq == 0:
		return "", nil
	case cur.Seq < want.Seq:
		return fmt.Sprintf("the chain ends at seq %d, before the expected head at seq %d: the store was restored from an older copy, or records were cut with the head", cur.Seq, want.Seq), nil
	}
	f, err := os.Open(s.logPath)
	if err != nil {
		return "", fmt.Errorf("verify audit log: %w", err)
	}
	defer f.Close()
	got, err := auditlog.HashAt(f, want.Seq)
	if err != nil {
		return "", fmt.Errorf("verify audit log: %w", err)
	}
	if got != want.Hash {
		return fmt.Sprintf("record seq %d is not the expected one (hash %s, expected %s): the history since then was replaced", want.Seq, short(got), short(want.Hash)), nil
	}
	return "", nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	if h == "" {
		return "none"
	}
	return h
}

// Verify opens the existing store in o.Home (it creates nothing, but a
// format-1 store is upgraded, which needs the key) and verifies it.
func Verify(ctx context.Context, o Options, expect *auditlog.Head) (Report, error) {
	s, err := openExisting(ctx, o, "verify local store")
	if err != nil {
		return Report{}, err
	}
	defer s.Close()
	return s.Verify(ctx, expect)
}
