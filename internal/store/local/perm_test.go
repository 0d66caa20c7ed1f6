package local

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/store"
)

// TestLoosePermissionsRefused: a home others may write to, and a key file
// others may read, are refused with the chmod that fixes them, as ssh
// refuses such a key.
func TestLoosePermissionsRefused(t *testing.T) {
	home := t.TempDir()
	s := openWith(t, Options{Home: home})
	if _, err := s.Create(t.Context(), "k", store.CreateInput{Value: canary(t)}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	if err := os.Chmod(home, 0o777); err != nil {
		t.Fatal(err)
	}
	_, err := Open(t.Context(), Options{Home: home, Actor: testActor})
	if err == nil || !strings.Contains(err.Error(), "writable by group or others (mode 0777): run chmod 700 "+home) {
		t.Errorf("Open of a 0777 home = %v; want it refused", err)
	}
	if err := os.Chmod(home, 0o755); err != nil { // readable by others is fine: the files are 0600
		t.Fatal(err)
	}

	keyPath := filepath.Join(home, KeyFile)
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		if err := os.Chmod(keyPath, mode); err != nil {
			t.Fatal(err)
		}
		s := openWith(t, Options{Home: home})
		_, err := s.Get(t.Context(), "k", store.GetOptions{})
		if err == nil || !strings.Contains(err.Error(), "key file "+keyPath+" is accessible by group or others") || !strings.Contains(err.Error(), "chmod 600 "+keyPath) {
			t.Errorf("Get with key file mode %04o = %v; want it refused", mode, err)
		}
		s.Close()
	}
	if err := os.Chmod(keyPath, 0o400); err != nil {
		t.Fatal(err)
	}
	s = openWith(t, Options{Home: home})
	if _, err := s.Get(t.Context(), "k", store.GetOptions{}); err != nil {
		t.Errorf("Get with key file mode 0400: %v", err)
	}
}

// TestReadOnlyHome: a home the store cannot write to fails every operation
// with one line that names the directory and says why reads need writes.
func TestReadOnlyHome(t *testing.T) {
	home := t.TempDir()
	s := openWith(t, Options{Home: home})
	if _, err := s.Create(t.Context(), "k", store.CreateInput{Value: canary(t)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	want := "cannot write to " + home + " (no write permission)"
	if os.Getuid() == 0 {
		// Root writes anywhere: make the home a read-only bind mount.
		if out, err := exec.Command("mount", "--bind", home, home).CombinedOutput(); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("bind mount: %v: %s", err, out)
			}
			t.Skipf("bind mount: %v: %s", err, out)
		}
		t.Cleanup(func() { exec.Command("umount", home).Run() })
		if out, err := exec.Command("mount", "-o", "remount,ro,bind", home).CombinedOutput(); err != nil {
			t.Fatalf("remount read-only: %v: %s", err, out)
		}
		want = "cannot write to " + home + " (read-only file system)"
	} else {
		if err := os.Chmod(home, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(home, 0o700) })
	}
	s, err := Open(t.Context(), Options{Home: home, Actor: testActor})
	if err == nil {
		_, err = s.Get(t.Context(), "k", store.GetOptions{})
		s.Close()
	}
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "get included, records its access in the audit log") || strings.Contains(err.Error(), "\n") {
		t.Errorf("read-only home: %v; want one line with %q", err, want)
	}
}
