// Package local is secretctl's embedded default store: an encrypted SQLite
// database in a home directory that follows the AWS Secrets Manager
// semantics of store.Store (docs/semantics.md), with a local, keyed,
// chained access log.
//
// # Files
//
//	<home>/store.db (+ -wal, -shm)  the database, 0600; the home is 0700
//	<home>/key.txt                  the age X25519 identity (key-file mode), 0600
//	<home>/audit.log                the access log, JSON Lines, 0600 (package auditlog)
//
// Local ARNs use the fixed region "local" and account "000000000000":
// arn:aws:secretsmanager:local:000000000000:secret:<name>-<6 random [A-Za-z0-9]>.
//
// # Encryption
//
// Envelope encryption. A random 32-byte data key is sealed with age, either
// to the X25519 identity in the key file (the default, created on first use)
// or, when Options.Passphrase is set at creation, with age's scrypt
// passphrase recipient; the sealed key sits in the settings table with the
// mode. Each value is sealed with the data key by XChaCha20-Poly1305 under
// associated data that binds it to the secret's ARN and the version id, so
// a ciphertext copied to another secret or version does not open. Values
// exist in plaintext only in memory: the database, its WAL and the log only
// ever see ciphertext. Open does not unlock the key; the first operation
// does, and every operation needs it (below), so a wrong key fails every
// operation with an error wrapping store.ErrDecryption.
//
// # Integrity
//
// Three keys are derived from the data key with HKDF-SHA-256, one per
// purpose (integrity.go):
//
//   - Records. Each row of secrets carries mac, the HMAC-SHA-256 of the
//     record's bytes as stored together with the row's arn, name and
//     deleted_at. The record is the whole secret (metadata, tags and the
//     rotation settings kept in them, deletion date, every version with its
//     labels and sealed value), so what a version row is in other schemas
//     (a version, its labels) is covered by its secret's MAC, and the arn
//     binds the record to its row: a record moved to another row fails.
//     Every read checks it; a record that fails is ErrIntegrity naming the
//     secret and is never served, written or purged, while other secrets
//     keep working. Verify checks every row.
//   - The audit chain. Each log record's hash is an HMAC, so a forged or
//     re-hashed record or head fails without the key (package auditlog).
//   - The store settings. The format and where the log became keyed are
//     kept with a MAC; a change fails every operation. So is the
//     record-set digest: the XOR of a keyed term per row (its arn and MAC),
//     updated by every operation in its transaction and bound by its MAC to
//     the chain head. A row that is genuine on its own but not in the set
//     last written (removed, or put back from an older copy of the
//     database) is served by reads, which check one row, but Verify, which
//     recomputes the digest, reports it; making the digest agree again
//     needs the chain head rewound with it.
//
// What the MACs do not show: a change made with the key, and a restore of an
// older copy of both store.db and audit.log (or a rewind of the head row to
// an earlier genuine record, which makes the later records look like a
// crash's leftovers). For those, Verify takes a chain head kept outside the
// store (`audit verify --expect-head`). Since the chain is keyed, an
// operation that cannot unlock the key appends no audit record: it reads
// and writes nothing.
//
// # Format and upgrade
//
// PRAGMA user_version holds the format: 0 for format 1 (records and chain
// unauthenticated), 2 for this one. Open writes nothing to an existing
// store. A format-1 store is upgraded by the first operation, which has the
// key, in one transaction: the settings table is renamed store_settings,
// mac is added and computed for every record as it stands, the current
// chain head is pinned as the end of the unkeyed part of the log, and the
// format is recorded. In place of the old settings table a view reads a
// table that does not exist and is named "this store has format 2: upgrade
// secretctl to open it": a format-1 secretctl reads its key mode from
// settings in its first transaction, before it writes anything, and stops
// there with that text in its error. A store of a format newer than this
// code knows is refused the same way, before any write.
//
// # Files it refuses, and damage
//
// Open refuses a home that group or others may write to, and unlocking
// refuses a key file that group or others may read (as ssh does); a home
// the store cannot write to is an error saying that every operation, reads
// included, writes its audit record. A damaged store is ErrDamaged naming
// the file and the cause, at once (the only wait is for a lock another
// process holds): a store.db without SQLite's header, SQLite's corrupt and
// not-a-database codes, an SQLite failure its integrity check explains, a
// changed schema, a record or setting failing its MAC, a value or sealed
// data key that does not open. An operation that finds damage rolls back
// everything, its audit record included. A SHA-256 of the sealed data key
// is kept beside it (datakeysum), so a damaged sealed key is told apart
// from a wrong key file or passphrase. Init of an existing store checks
// its key. A string value that is not UTF-8 is refused (store.ValidateValue).
//
// # Design
//
// Each secret is one row: its metadata, versions, labels and sealed values
// as a JSON record. The semantics of every operation are methods on that
// record with no I/O (record.go); the persistence layer loads the record,
// applies one, and saves it inside one transaction. Every operation, reads
// included, runs in a BEGIN IMMEDIATE transaction, so writers are
// serialised across processes (WAL mode, busy_timeout), and appends exactly
// one audit record in that same transaction: the chain head (seq, hash,
// file length) lives in the database, the log line is written and synced
// before COMMIT, and bytes a crash left beyond the committed length are
// dropped at the next write. A failed operation rolls back its own changes
// (a savepoint) but still commits its audit record. GetBatch runs many
// reads in one transaction, each in its own savepoint with its own record;
// their records are written with one write and one sync (group commit).
//
// Secrets whose recovery window has passed are purged at the start of the
// next operation. Deprecated versions beyond 100 are purged once they are
// a day old, as AWS does.
package local

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"filippo.io/age"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver

	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

// File names inside the home directory.
const (
	DBFile    = "store.db"
	KeyFile   = "key.txt"
	AuditFile = "audit.log"
)

// Options configure Open and Init.
type Options struct {
	Home       string           // the store's directory; required
	KeyFile    string           // the age identity; default <Home>/key.txt
	Passphrase string           // SECRETCTL_PASSPHRASE: a new store seals its key with it instead of a key file; a passphrase store needs it to unlock (a key-file store ignores it)
	Now        func() time.Time // default time.Now
	Actor      Actor            // who the audit log names; default CurrentActor("dev")
}

// Actor is the caller the audit log records.
type Actor struct {
	UserName    string // OS user name
	PrincipalID string // OS uid
	Host        string // host name
	UserAgent   string // "secretctl/<version>"
}

// CurrentActor describes the OS user running this process.
func CurrentActor(version string) Actor {
	a := Actor{UserAgent: "secretctl/" + version, PrincipalID: strconv.Itoa(os.Getuid())}
	if u, err := user.Current(); err == nil {
		a.UserName = u.Username
	}
	if a.UserName == "" {
		a.UserName = os.Getenv("USER")
	}
	if h, err := os.Hostname(); err == nil {
		a.Host = h
	}
	return a
}

// Store is the local store. It is safe for concurrent use, and several
// processes may use one home at once.
type Store struct {
	opts    Options
	db      *sql.DB
	log     *os.File
	dbPath  string
	keyPath string
	logPath string
	created bool
	mode    string
	sealed  []byte
	sum     []byte // sealedSum(sealed), nil in a store made before it was kept

	format int // formatV1 until upgraded, else formatVersion

	mu       sync.Mutex // serialises this process's operations; BEGIN IMMEDIATE does it across processes
	dataKey  []byte
	keys     macKeys        // derived from dataKey by ready
	chain    auditlog.Chain // the keyed audit chain, set by ready
	upgraded bool
	closed   bool
}

var (
	_ store.Store       = (*Store)(nil)
	_ store.BatchGetter = (*Store)(nil)
)

// Init creates the store and its key if they do not exist. It reports
// whether it created them and where the key file is ("" in passphrase mode).
// For a store that exists it checks the key: a key file that is missing or
// does not open the store, or a wrong passphrase when one is given, is an
// error (without it the data cannot be read).
func Init(ctx context.Context, opts Options) (created bool, keyPath string, err error) {
	s, err := Open(ctx, opts)
	if err != nil {
		return false, "", err
	}
	defer s.Close()
	created, keyPath = s.Created()
	if created {
		return created, keyPath, s.Close()
	}
	if s.mode == modeKeyFile {
		if _, err := os.Stat(keyPath); errors.Is(err, fs.ErrNotExist) {
			return false, keyPath, fmt.Errorf("the local store in %s exists but its key file %s is missing: the data cannot be read without it; restore the key file from a backup (init does not make a new key for an existing store)", opts.Home, keyPath)
		}
	}
	if s.mode == modeKeyFile || s.opts.Passphrase != "" {
		if err := s.Unlock(); err != nil {
			return false, keyPath, err
		}
	}
	return false, keyPath, s.Close()
}

// Open opens the store in opts.Home, creating it (and the key file, unless
// a passphrase is given) when missing; Created tells whether it did. Open
// does not unlock the key: the first operation that needs it does.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Home == "" {
		return nil, errors.New("open local store: no home directory")
	}
	if opts.KeyFile == "" {
		opts.KeyFile = filepath.Join(opts.Home, KeyFile)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Actor == (Actor{}) {
		opts.Actor = CurrentActor("dev")
	}
	if err := os.MkdirAll(opts.Home, 0o700); err != nil {
		return nil, notWritable(opts.Home, fmt.Errorf("open local store: %w", err))
	}
	if err := checkHomeMode(opts.Home); err != nil {
		return nil, err
	}
	s := &Store{opts: opts, dbPath: filepath.Join(opts.Home, DBFile), logPath: filepath.Join(opts.Home, AuditFile)}
	if err := checkFile(s.dbPath, s.logPath); err != nil {
		return nil, err
	}
	// Create the file first so SQLite (and its -wal/-shm, which copy the
	// database's mode) never make it with wider permissions.
	f, err := os.OpenFile(s.dbPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, notWritable(opts.Home, fmt.Errorf("open local store: %w", err))
	}
	f.Close()
	db, err := openDB(ctx, s.dbPath)
	if err != nil {
		return nil, notWritable(opts.Home, damaged(s.dbPath, err))
	}
	s.db = db
	if err := s.setup(ctx); err != nil {
		err = notWritable(opts.Home, checked(ctx, db, s.dbPath, err))
		db.Close()
		return nil, err
	}
	s.log, err = os.OpenFile(s.logPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		db.Close()
		return nil, notWritable(opts.Home, fmt.Errorf("open audit log: %w", err))
	}
	return s, nil
}

func openDB(ctx context.Context, path string) (*sql.DB, error) {
	dsn := path + "?_pragma=busy_timeout(60000)&_pragma=synchronous(FULL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open local store: %w", err)
	}
	db.SetMaxOpenConns(1) // operations are serialised anyway; one connection keeps locking simple
	// Switching to WAL needs an exclusive lock and SQLite answers SQLITE_BUSY
	// at once, without the busy handler, while another process holds the
	// database (two first opens at the same time): retry for a while.
	deadline := time.Now().Add(time.Minute)
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, 200*time.Millisecond) {
		var mode string
		err = db.QueryRowContext(ctx, `PRAGMA journal_mode=WAL`).Scan(&mode)
		if err == nil && mode == "wal" {
			return db, nil
		}
		if err == nil {
			err = fmt.Errorf("journal mode is %q", mode)
		}
		// Only a lock held elsewhere is worth waiting for: a damaged file or
		// any other failure is reported at once.
		if !isBusy(err) || time.Now().After(deadline) || ctx.Err() != nil {
			db.Close()
			return nil, fmt.Errorf("open local store: set WAL mode: %w", err)
		}
		time.Sleep(delay)
	}
}

// setup reads the store's format and key settings, or creates a new store
// (schema, data key and audit head) in one transaction so concurrent first
// opens agree. It writes nothing to an existing store: a format-1 store is
// upgraded by the first operation, which has the key (ready), and a store of
// a newer format is refused.
func (s *Store) setup(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("open local store: %w", err)
	}
	defer tx.Rollback()
	var uv int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&uv); err != nil {
		return fmt.Errorf("open local store: %w", err)
	}
	var tables int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'settings'`).Scan(&tables); err != nil {
		return fmt.Errorf("open local store: %w", err)
	}
	settings := "store_settings"
	switch {
	case uv > formatVersion:
		return fmt.Errorf("open local store: %s has format %d, and this secretctl reads format %d at most: upgrade secretctl", s.dbPath, uv, formatVersion)
	case uv == formatVersion:
		s.format = formatVersion
	case uv == 0 && tables == 1:
		s.format, settings = formatV1, "settings"
	case uv == 0:
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&n); err != nil {
			return fmt.Errorf("open local store: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("open local store: %s is not a secretctl store of a known format", s.dbPath)
		}
		if err := s.create(ctx, tx); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("open local store: %w", err)
		}
		return nil
	default:
		return fmt.Errorf("open local store: %s has unknown format %d", s.dbPath, uv)
	}
	if err := tx.QueryRowContext(ctx, `SELECT v FROM `+settings+` WHERE k = 'mode'`).Scan(&s.mode); err != nil {
		return fmt.Errorf("open local store: read key mode: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT v FROM `+settings+` WHERE k = 'datakey'`).Scan(&s.sealed); err != nil {
		return fmt.Errorf("open local store: read sealed key: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT v FROM `+settings+` WHERE k = 'datakeysum'`).Scan(&s.sum); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("open local store: read sealed key: %w", err)
	}
	if s.mode == modeKeyFile {
		s.keyPath = s.opts.KeyFile
	}
	return nil // read only: the deferred rollback ends the transaction
}

func (s *Store) create(ctx context.Context, tx *sql.Tx) error {
	key := make([]byte, dataKeyLen)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("create data key: %w", err)
	}
	var r age.Recipient
	if s.opts.Passphrase != "" {
		sr, err := age.NewScryptRecipient(s.opts.Passphrase)
		if err != nil {
			return fmt.Errorf("create local store: %w", err)
		}
		sr.SetWorkFactor(scryptWorkFactor)
		r, s.mode = sr, modePassphrase
	} else {
		id, _, err := loadOrCreateIdentity(s.opts.KeyFile)
		if err != nil {
			return err
		}
		r, s.mode, s.keyPath = id.Recipient(), modeKeyFile, s.opts.KeyFile
	}
	sealed, err := sealDataKey(key, r)
	if err != nil {
		return err
	}
	keys, err := deriveKeys(key)
	if err != nil {
		return err
	}
	s.sealed, s.sum, s.dataKey, s.created, s.format = sealed, sealedSum(sealed), key, true, formatVersion
	if _, err := tx.ExecContext(ctx, schemaV2); err != nil {
		return fmt.Errorf("create local store schema: %w", err)
	}
	for k, v := range map[string]any{"mode": s.mode, "datakey": sealed, "datakeysum": s.sum} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO store_settings (k, v) VALUES (?, ?)`, k, v); err != nil {
			return fmt.Errorf("create local store: %w", err)
		}
	}
	if err := writeMeta(ctx, tx, keys.meta, meta{Format: formatVersion, LegacyHash: auditlog.GenesisHash}); err != nil {
		return fmt.Errorf("create local store: %w", err)
	}
	if err := writeDigest(ctx, tx, keys.meta, make([]byte, sha256.Size), auditlog.EmptyHead()); err != nil {
		return fmt.Errorf("create local store: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, formatVersion)); err != nil {
		return fmt.Errorf("create local store: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_head (id, seq, hash, offset) VALUES (1, 0, ?, 0)`, auditlog.GenesisHash); err != nil {
		return fmt.Errorf("create local store: %w", err)
	}
	// An access log with records means a store was here: an empty or
	// replaced store.db must not silently become a new, empty store.
	if st, err := os.Stat(s.logPath); err == nil && st.Size() > 0 {
		return fmt.Errorf("open local store: %s holds no store but %s records earlier operations: the store file is empty or was replaced; restore it from a backup, or move %s aside to start a new store", s.dbPath, s.logPath, AuditFile)
	}
	return nil
}

// Created reports whether Open created the store, and the key file path
// (empty in passphrase mode), so a CLI can print a one-line notice.
func (s *Store) Created() (bool, string) { return s.created, s.keyPath }

// Home returns the store's directory.
func (s *Store) Home() string { return s.opts.Home }

// AuditLogPath returns the path of the access log.
func (s *Store) AuditLogPath() string { return s.logPath }

// Close closes the database and the log. Closing twice is harmless.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	clear(s.dataKey)
	s.dataKey = nil
	s.keys.clear()
	s.chain = auditlog.Chain{}
	return errors.Join(s.db.Close(), s.log.Close())
}

// Unlock checks the key file or passphrase now, rather than at the first
// operation that needs it. A wrong one gives an error wrapping
// store.ErrDecryption: "cannot unlock the local store: wrong passphrase or
// key file". Unlock writes no audit record.
func (s *Store) Unlock() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.key()
	return err
}

// key returns the data key, unlocking it on first use. Callers hold s.mu.
func (s *Store) key() ([]byte, error) {
	if s.dataKey != nil {
		return s.dataKey, nil
	}
	var id age.Identity
	switch s.mode {
	case modePassphrase:
		if s.opts.Passphrase == "" {
			return nil, fmt.Errorf("cannot unlock the local store: it is protected by a passphrase; set SECRETCTL_PASSPHRASE: %w", store.ErrDecryption)
		}
		sid, err := age.NewScryptIdentity(s.opts.Passphrase)
		if err != nil {
			return nil, fmt.Errorf("unlock local store: %w", err)
		}
		id = sid
	case modeKeyFile:
		xid, err := readIdentity(s.keyPath)
		if err != nil {
			return nil, err
		}
		id = xid
	default:
		return nil, fmt.Errorf("unlock local store: unknown key mode %q", s.mode)
	}
	if !sealedIntact(s.sealed, s.sum) {
		return nil, &damageError{path: s.dbPath, cause: errors.New("the sealed data key does not match its checksum")}
	}
	key, err := openDataKey(s.sealed, id)
	if err != nil {
		if errors.Is(err, ErrDamaged) {
			return nil, &damageError{path: s.dbPath, cause: err}
		}
		return nil, err
	}
	s.dataKey = key
	return key, nil
}

// storeCrypter seals and opens values with the store's data key.
type storeCrypter struct{ s *Store }

func (c storeCrypter) seal(arn, versionID string, v secret.Value) ([]byte, error) {
	key, err := c.s.key()
	if err != nil {
		return nil, err
	}
	return sealValue(key, v.Reveal(), valueAD(arn, versionID, v.IsBinary()))
}

func (c storeCrypter) open(arn string, ver *version) (secret.Value, error) {
	key, err := c.s.key()
	if err != nil {
		return secret.Value{}, err
	}
	plain, err := openValue(key, ver.Sealed, valueAD(arn, ver.ID, ver.Binary))
	if err != nil {
		// The data key opened, so it is the right one: the value is damaged.
		return secret.Value{}, &damageError{path: c.s.dbPath, cause: err}
	}
	v := secret.NewBytes(plain, ver.Binary)
	clear(plain)
	return v, nil
}

// AuditHead returns the committed head of the access log's chain.
func (s *Store) AuditHead(ctx context.Context) (auditlog.Head, error) {
	return readHead(ctx, s.db)
}

// VerifyAudit checks the access log against its committed head, with the
// keyed chain (it needs the key).
func (s *Store) VerifyAudit(ctx context.Context) (auditlog.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(ctx); err != nil {
		return auditlog.Result{}, fmt.Errorf("verify audit log: %w", err)
	}
	return verifyLog(ctx, s.db, s.logPath, s.chain)
}

// VerifyAudit checks the access log of the existing store in o.Home against
// the head in its database. It creates nothing; it needs the key, which
// keys the chain (and upgrades a format-1 store).
func VerifyAudit(ctx context.Context, o Options) (auditlog.Result, error) {
	s, err := openExisting(ctx, o, "verify audit log")
	if err != nil {
		return auditlog.Result{}, err
	}
	defer s.Close()
	return s.VerifyAudit(ctx)
}

// openExisting opens the store in o.Home if there is one, never creating it.
func openExisting(ctx context.Context, o Options, op string) (*Store, error) {
	dbPath := filepath.Join(o.Home, DBFile)
	st, err := os.Stat(dbPath)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && st.Size() == 0) {
		return nil, fmt.Errorf("%s: no local store in %s: %w", op, o.Home, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return Open(ctx, o)
}

func readHead(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (auditlog.Head, error) {
	var h auditlog.Head
	if err := q.QueryRowContext(ctx, `SELECT seq, hash, offset FROM audit_head WHERE id = 1`).Scan(&h.Seq, &h.Hash, &h.Offset); err != nil {
		return auditlog.Head{}, fmt.Errorf("read audit head: %w", err)
	}
	return h, nil
}

// verifyLog reads the head first, then the log: a record written after
// the head was read can only show up as uncommitted, never as a loss.
func verifyLog(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, logPath string, c auditlog.Chain) (auditlog.Result, error) {
	head, err := readHead(ctx, q)
	if err != nil {
		return auditlog.Result{}, fmt.Errorf("verify audit log: %w", err)
	}
	f, err := os.Open(logPath)
	if errors.Is(err, fs.ErrNotExist) {
		return auditlog.Verify(strings.NewReader(""), head, c)
	}
	if err != nil {
		return auditlog.Result{}, fmt.Errorf("verify audit log: %w", err)
	}
	defer f.Close()
	return auditlog.Verify(f, head, c)
}
