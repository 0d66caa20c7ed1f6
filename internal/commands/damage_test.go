package commands

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// damageBound is how long one command may take on a damaged store. Every
// healthy command here takes milliseconds; a store that hangs hits it.
const damageBound = 20 * time.Second

// TestDamagedStoreSweep damages each file of a local store in turn, one
// flipped byte every 97 bytes and several truncations, and runs get, list
// and put on each damaged copy. Every command must end within
// damageBound, either as if nothing had happened (the byte was unused: the
// value printed is the right one) or with exit 2, exactly one line on stderr
// that names the damaged file, and every file of the store exactly as it was.
func TestDamagedStoreSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("sweep of damaged stores")
	}
	value := canary(t)
	seed := newTestCLI(t)
	seed.mustRun(value, "create", "a/b")
	seed.mustRun(value+"-2", "put", "a/b")
	seed.mustRun(value+"-other", "create", "c/d", "--description", "second secret")
	files := []string{"store.db", "audit.log", "key.txt"}
	orig := map[string][]byte{}
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join(seed.home, name))
		if err != nil {
			t.Fatal(err)
		}
		orig[name] = b
	}
	commands := []struct {
		stdin string
		args  []string
		ok    func(out string) bool // the output of a successful run
	}{
		{"", []string{"get", "a/b"}, func(out string) bool { return out == value+"-2" }},
		{"", []string{"list"}, func(out string) bool { return strings.Contains(out, "a/b") && strings.Contains(out, "c/d") }},
		{value + "-3", []string{"put", "a/b"}, func(string) bool { return true }},
	}
	type mutation struct {
		file string
		desc string
		data []byte
	}
	var muts []mutation
	for _, name := range files {
		b := orig[name]
		for off := 0; off < len(b); off += 97 {
			d := bytes.Clone(b)
			d[off] ^= 0xff
			muts = append(muts, mutation{name, "flip@" + strconv.Itoa(off), d})
		}
		for _, n := range []int{0, 1, 16, 100, len(b) / 2, len(b) - 1} {
			if n >= 0 && n < len(b) {
				muts = append(muts, mutation{name, "truncate@" + strconv.Itoa(n), bytes.Clone(b[:n])})
			}
		}
	}
	var mu sync.Mutex // guards the figures
	var runs int
	failed, passed := map[string]int{}, map[string]int{}
	var slowest time.Duration
	one := func(t *testing.T, m mutation, stdin string, args []string, ok func(string) bool) {
		cli := newTestCLI(t)
		if err := os.MkdirAll(cli.home, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			data := orig[name]
			if name == m.file {
				data = m.data
			}
			if err := os.WriteFile(filepath.Join(cli.home, name), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		what := m.file + " " + m.desc + ": secretctl " + strings.Join(args, " ")
		done := make(chan result, 1)
		start := time.Now()
		go func() { done <- cli.run(stdin, args...) }()
		var r result
		select {
		case r = <-done:
		case <-time.After(damageBound):
			t.Fatalf("%s: did not end within %s", what, damageBound)
		}
		mu.Lock()
		runs++
		slowest = max(slowest, time.Since(start))
		if r.code == 0 {
			passed[m.file]++
		} else {
			failed[m.file]++
		}
		mu.Unlock()
		assertNoLeak(t, value, r.errOut)
		switch r.code {
		case 0:
			if !ok(r.out) {
				t.Errorf("%s: exit 0 but wrong output %q", what, r.out)
			}
			return
		case 2:
		default:
			t.Errorf("%s: exit %d, want 0 or 2; stderr %q", what, r.code, r.errOut)
			return
		}
		if r.out != "" {
			t.Errorf("%s: failed but printed %q on stdout", what, r.out)
		}
		line := strings.TrimSuffix(r.errOut, "\n")
		if !strings.HasPrefix(line, "secretctl: ") || strings.Contains(line, "\n") {
			t.Errorf("%s: stderr is not one line: %q", what, r.errOut)
		}
		if !strings.Contains(line, filepath.Join(cli.home, m.file)) {
			t.Errorf("%s: the error does not name the damaged file: %q", what, line)
		}
		if m.file != "key.txt" && strings.Contains(line, "wrong passphrase or key file") {
			t.Errorf("%s: damage reported as a wrong key: %q", what, line)
		}
		// A damaged key file fails the operation as a wrong one does, and a
		// failed operation is audited; damage to the store's own files
		// stops it before it writes anything.
		for _, name := range files {
			if m.file == "key.txt" && name != m.file {
				continue
			}
			got, _ := os.ReadFile(filepath.Join(cli.home, name))
			want := orig[name]
			if name == m.file {
				want = m.data
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: failed (%s) but changed %s", what, line, name)
			}
		}
	}
	// Two halves in parallel: the sweep is about 1,200 commands.
	t.Run("sweep", func(t *testing.T) {
		for half := range 2 {
			t.Run(strconv.Itoa(half), func(t *testing.T) {
				t.Parallel()
				for i := half; i < len(muts); i += 2 {
					for _, c := range commands {
						one(t, muts[i], c.stdin, c.args, c.ok)
					}
				}
			})
		}
	})
	var per []string
	for _, name := range files {
		per = append(per, fmt.Sprintf("%s: %d copies, %d exit 2, %d unaffected", name,
			count(muts, func(m mutation) bool { return m.file == name }), failed[name], passed[name]))
	}
	t.Logf("%d damaged copies, %d commands (get, list, put on each), all ended within %s (slowest %s); %s",
		len(muts), runs, damageBound, slowest.Round(time.Millisecond), strings.Join(per, "; "))
}

func count[T any](s []T, f func(T) bool) int {
	n := 0
	for _, v := range s {
		if f(v) {
			n++
		}
	}
	return n
}
