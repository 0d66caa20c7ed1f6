package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrDamaged is wrapped by the error of an operation that found a file of
// the store damaged: a database SQLite reports as corrupt or not a
// database, a record or setting that fails its MAC (ErrIntegrity), a
// sealed value or data key that does not authenticate with the right key. It is told apart from a wrong
// key or passphrase (store.ErrDecryption alone). An operation that finds
// damage writes nothing, not even its audit record.
var ErrDamaged = errors.New("store file is damaged")

// damageError names the damaged file and the cause, in one line.
type damageError struct {
	path  string
	cause error
}

func (e *damageError) Error() string {
	if errors.Is(e.cause, ErrIntegrity) { // its text says what to restore
		return fmt.Sprintf("%s: %v", e.path, e.cause)
	}
	return fmt.Sprintf("%s is damaged (%v); restore it from a backup", e.path, e.cause)
}

func (e *damageError) Unwrap() []error { return []error{ErrDamaged, e.cause} }

// sqliteCode returns the primary SQLite result code in err, or 0.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code() & 0xff
	}
	return 0
}

// isBusy reports whether err is SQLite's "another connection holds the lock".
func isBusy(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// damaged returns err as a damageError naming the database when SQLite
// reports the file as corrupt or not a database, or a record or setting
// fails its MAC (ErrIntegrity); other errors unchanged.
func damaged(path string, err error) error {
	if err == nil || errors.Is(err, ErrDamaged) {
		return err
	}
	if errors.Is(err, ErrIntegrity) {
		return &damageError{path: path, cause: err}
	}
	switch sqliteCode(err) {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_FORMAT:
		var e *sqlite.Error
		errors.As(err, &e)
		return &damageError{path: path, cause: e}
	}
	return err
}

// sealedSum is the checksum of the sealed data key kept beside it, so a
// damaged sealed key is told apart from a wrong key file or passphrase.
func sealedSum(sealed []byte) []byte {
	s := sha256.Sum256(sealed)
	return s[:]
}

// sealedIntact reports whether sealed matches its checksum; a store made
// before the checksum was kept has none (want is nil), and passes.
func sealedIntact(sealed, want []byte) bool {
	return want == nil || subtle.ConstantTimeCompare(sealedSum(sealed), want) == 1
}

// checked returns err as a damageError when it is an SQLite failure (other
// than a lock) and SQLite's own check of the database finds it damaged: an
// index that disagrees with its table shows up as a constraint failure,
// not as corruption. The check runs only after such a failure.
func checked(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, path string, err error) error {
	err = damaged(path, err)
	if err == nil || errors.Is(err, ErrDamaged) || sqliteCode(err) == 0 || isBusy(err) {
		return err
	}
	var e *sqlite.Error
	if errors.As(err, &e) && e.Code() == sqlite3.SQLITE_ERROR && strings.Contains(e.Error(), "no such ") {
		// The schema text in the file was changed: a table or column the
		// store's format has is gone.
		return &damageError{path: path, cause: fmt.Errorf("its schema does not match the store format: %w", e)}
	}
	var res string
	if qerr := q.QueryRowContext(ctx, `PRAGMA integrity_check(1)`).Scan(&res); qerr != nil {
		if d := damaged(path, qerr); errors.Is(d, ErrDamaged) {
			return d
		}
		return err
	}
	if res != "ok" {
		return &damageError{path: path, cause: fmt.Errorf("SQLite's check says: %s", strings.Join(strings.Fields(res), " "))}
	}
	return err
}

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// checkFile refuses a database file that is not empty and does not start
// with SQLite's header, before SQLite opens it (and, in WAL mode, writes to
// it). An empty file is a new store, unless the access log says one was
// here.
func checkFile(dbPath, logPath string) error {
	f, err := os.Open(dbPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open local store: %w", err)
	}
	defer f.Close()
	head := make([]byte, 100) // the database header
	n, err := io.ReadFull(f, head)
	switch {
	case n == 0:
		if st, err := os.Stat(logPath); err == nil && st.Size() > 0 {
			return fmt.Errorf("open local store: %s is empty but %s records earlier operations: the store file is empty or was replaced; restore it from a backup, or move %s aside to start a new store: %w", dbPath, logPath, AuditFile, ErrDamaged)
		}
		return nil
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("open local store: %w", err)
	case n < len(head):
		return &damageError{path: dbPath, cause: fmt.Errorf("%d bytes, shorter than an SQLite header", n)}
	case !bytes.HasPrefix(head, []byte(sqliteMagic)):
		return &damageError{path: dbPath, cause: errors.New("it does not start with the SQLite header")}
	}
	return nil
}
