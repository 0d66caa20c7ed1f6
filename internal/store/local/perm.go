package local

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"syscall"

	sqlite3 "modernc.org/sqlite/lib"
)

// checkHomeMode refuses a home directory that group or others may write
// to: they could replace the database or the key file.
func checkHomeMode(home string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	st, err := os.Stat(home)
	if err != nil {
		return fmt.Errorf("open local store: %w", err)
	}
	if m := st.Mode().Perm(); m&0o022 != 0 {
		return fmt.Errorf("open local store: %s is writable by group or others (mode %04o): run chmod 700 %s", home, m, home)
	}
	return nil
}

// checkKeyMode refuses a key file that group or others may read or write,
// as ssh refuses such a private key.
func checkKeyMode(path string, st fs.FileInfo) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	if m := st.Mode().Perm(); m&0o077 != 0 {
		return fmt.Errorf("cannot unlock the local store: key file %s is accessible by group or others (mode %04o): run chmod 600 %s", path, m, path)
	}
	return nil
}

// notWritable explains err when it comes from a home directory the store
// cannot write to: every operation, get included, appends to the access
// log. Other errors are returned unchanged.
func notWritable(home string, err error) error {
	if err == nil {
		return nil
	}
	c := sqliteCode(err)
	if !errors.Is(err, syscall.EROFS) && !errors.Is(err, fs.ErrPermission) && c != sqlite3.SQLITE_READONLY && c != sqlite3.SQLITE_CANTOPEN {
		return err
	}
	probe, perr := os.CreateTemp(home, ".secretctl-probe-*")
	if perr == nil {
		probe.Close()
		os.Remove(probe.Name())
		if !errors.Is(err, syscall.EROFS) && !errors.Is(err, fs.ErrPermission) {
			return err
		}
	}
	why := "no write permission"
	if errors.Is(err, syscall.EROFS) || errors.Is(perr, syscall.EROFS) {
		why = "read-only file system"
	}
	return fmt.Errorf("open local store: cannot write to %s (%s): every command, get included, records its access in the audit log there, so the store needs write access", home, why)
}
