package scan

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/fatih/semgroup"
	"github.com/gitleaks/go-gitdiff/gitdiff"
	"github.com/zricethezav/gitleaks/v8/cmd/scm"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/sources"
)

// fragmentKey is every field of a git fragment, the content as a hash so
// that a failure shows no content.
func fragmentKey(f sources.Fragment, ferr error) string {
	sum := sha256.Sum256([]byte(f.Raw))
	k := fmt.Sprintf("%q commit=%s line=%d raw=%x/%d err=%v", f.FilePath, f.CommitSHA, f.StartLine, sum[:8], len(f.Raw), ferr)
	if c := f.CommitInfo; c != nil {
		msg := sha256.Sum256([]byte(c.Message))
		k += fmt.Sprintf(" info{%q %q %s %x/%d %s remote=%v}", c.AuthorName, c.AuthorEmail, c.Date, msg[:8], len(c.Message), c.SHA, *c.Remote)
	}
	return k
}

// fragmentSet collects fragment keys from concurrent yields.
type fragmentSet struct {
	mu   sync.Mutex
	keys map[string]int
	n    int
}

func (s *fragmentSet) yield(f sources.Fragment, ferr error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		s.keys = map[string]int{}
	}
	s.keys[fragmentKey(f, ferr)]++
	s.n++
	return nil
}

// sameGitFragments runs gitleaks' sources.Git and gitLogFragments on the
// repository at root with logOpts and fails on any difference between the
// multisets of fragments; it returns how many there were.
func sameGitFragments(t *testing.T, name, root, logOpts string) int {
	t.Helper()
	ctx := context.Background()
	remote := &sources.RemoteInfo{Platform: scm.NoPlatform}
	var want, got fragmentSet
	cmd, err := sources.NewGitLogCmdContext(ctx, root, logOpts)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	src := &sources.Git{Cmd: cmd, Config: &config.Config{}, Remote: remote, Sema: semgroup.NewGroup(ctx, 40)}
	if err := src.Fragments(ctx, want.yield); err != nil {
		t.Fatalf("%s: gitleaks: %v", name, err)
	}
	if err := gitLogFragments(ctx, root, logOpts, remote, got.yield); err != nil {
		t.Fatalf("%s: gitlog: %v", name, err)
	}
	var diffs []string
	for k, n := range want.keys {
		if got.keys[k] < n {
			diffs = append(diffs, fmt.Sprintf("missing %d× %s", n-got.keys[k], k))
		}
	}
	for k, n := range got.keys {
		if want.keys[k] < n {
			diffs = append(diffs, fmt.Sprintf("extra %d× %s", n-want.keys[k], k))
		}
	}
	sort.Strings(diffs)
	for i, d := range diffs {
		if i == 20 {
			t.Errorf("%s: and %d more differences", name, len(diffs)-i)
			break
		}
		t.Errorf("%s (%q): %s", name, logOpts, d)
	}
	if want.n != got.n {
		t.Errorf("%s (%q): gitleaks yields %d fragments, gitlog %d", name, logOpts, want.n, got.n)
	}
	return want.n
}

// needGit skips without git, except in CI, where it fails.
func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git not installed: CI needs it for the history scans")
		}
		t.Skip("git not installed")
	}
}

// TestGitLogSameFragments: the lean git log reader yields exactly the
// fragments of gitleaks' sources.Git on the history fixture, on a
// generated repository with every kind of change git log prints (under
// several log options), and on this project's own history.
func TestGitLogSameFragments(t *testing.T) {
	needGit(t)
	script, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "scan", "history", "make-history.sh"))
	fixture := t.TempDir()
	if out, err := exec.Command("bash", script, fixture).CombinedOutput(); err != nil {
		t.Fatalf("make-history.sh: %v\n%s", err, out)
	}
	if n := sameGitFragments(t, "history fixture", fixture, gitLogOpts(Options{})); n < 10 {
		t.Errorf("history fixture: %d fragments, want more", n)
	}
	sameGitScan(t, "history fixture", fixture, Options{})

	gen := t.TempDir()
	writeEdgeHistory(t, gen)
	for _, o := range []Options{
		{},
		{Range: "main~3..main"},
		{Since: "2024-03-01"},
		{LogOpts: "--all -m"},
		{LogOpts: "--all --cc"},
		{LogOpts: "--all -C -C --find-copies-harder"},
		{LogOpts: "--all --no-renames"},
		{LogOpts: "--all --format=fuller --date=iso"},
		{LogOpts: "--all --stat --decorate"},
		{LogOpts: "--all --format=raw"},
		{LogOpts: "--all --text"},
		{LogOpts: "--all --reverse --first-parent"},
	} {
		n := sameGitFragments(t, "generated", gen, gitLogOpts(o))
		t.Logf("generated %q: %d fragments", gitLogOpts(o), n)
	}
	sameGitScan(t, "generated", gen, Options{})

	if testing.Short() {
		return
	}
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI: not a git work tree: %v", err)
		}
		t.Skip("not in a git work tree")
	}
	self := strings.TrimSpace(string(out))
	// The history of HEAD, not --all: other work trees may commit to
	// other branches meanwhile.
	head, err := exec.Command("git", "-C", self, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Range: strings.TrimSpace(string(head))}
	n := sameGitFragments(t, "this repository", self, gitLogOpts(o))
	t.Logf("this repository: %d fragments", n)
	sameGitScan(t, "this repository", self, o)
}

// sameGitScan scans the history at root (with o's range) through the lean reader and
// through sources.Git and fails on any difference in findings,
// files or bytes.
func sameGitScan(t *testing.T, name, root string, o Options) {
	t.Helper()
	var res [2]*Result
	o.Paths, o.Git, o.NoConfig = []string{root}, true, true
	for i, gitleaks := range []bool{false, true} {
		o.gitleaksLog = gitleaks
		r, err := Run(context.Background(), o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		res[i] = r
	}
	lean, gl := findingKeys(res[0].Findings), findingKeys(res[1].Findings)
	if strings.Join(lean, "\n") != strings.Join(gl, "\n") {
		t.Errorf("%s: the lean reader finds %d, sources.Git %d:\n%s\n--\n%s", name, len(lean), len(gl), strings.Join(lean, "\n"), strings.Join(gl, "\n"))
	}
	if res[0].Files != res[1].Files || res[0].Bytes != res[1].Bytes {
		t.Errorf("%s: the lean reader scans %d files %d bytes, sources.Git %d files %d bytes", name, res[0].Files, res[0].Bytes, res[1].Files, res[1].Bytes)
	}
	t.Logf("%s: %d findings, %d files, %d bytes", name, len(lean), res[0].Files, res[0].Bytes)
}

// TestGitLogBadRevision: git's stderr reaches the scan as gitleaks
// reports it, an error fragment without path or commit that fails the
// scan.
func TestGitLogBadRevision(t *testing.T) {
	needGit(t)
	setLogger(nil)
	dir := t.TempDir()
	writeEdgeHistory(t, dir)
	var got fragmentSet
	if err := gitLogFragments(context.Background(), dir, gitLogOpts(Options{Range: "no-such-revision"}), &sources.RemoteInfo{}, got.yield); err != nil {
		t.Fatal(err)
	}
	if got.n != 1 || got.keys[fragmentKey(sources.Fragment{}, fmt.Errorf("stderr is not empty"))] != 1 {
		t.Errorf("bad revision: fragments %v, want one error fragment", got.keys)
	}
	_, err := Run(context.Background(), Options{Paths: []string{dir}, Git: true, Range: "no-such-revision", NoConfig: true})
	if err == nil || !strings.Contains(err.Error(), "scan git") {
		t.Errorf("Run with a bad revision: %v, want a scan git error", err)
	}
}

// writeEdgeHistory builds in dir a repository with fixed names and dates
// whose history holds what git log -p can print: unicode, quoted and
// space-holding names, a file over 100 KB with a 200 KB line, CRLF, files
// without a final newline, a merge (with a conflict resolved by hand), a
// rename with edits, a copy, a mode-only change, a binary file, a
// submodule entry, a symlink, empty files, new and deleted files, an
// empty commit, pure deletions and unusual commit messages and dates.
func writeEdgeHistory(t *testing.T, dir string) {
	t.Helper()
	n := 0
	env := append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "TZ=UTC", "LC_ALL=C",
		"GIT_AUTHOR_NAME=Édith Canary-Author", "GIT_AUTHOR_EMAIL=edith@example.com",
		"GIT_COMMITTER_NAME=Fixture Committer", "GIT_COMMITTER_EMAIL=committer@example.com")
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	commit := func(msg string, extra ...string) {
		t.Helper()
		n++
		when := fmt.Sprintf("2024-%02d-01T%02d:00:00+05:30", 1+n/4, n%20)
		env = append(env, "GIT_AUTHOR_DATE="+when, "GIT_COMMITTER_DATE="+when)
		git("add", "-A")
		git(append([]string{"commit", "-q", "--no-verify", "--allow-empty", "--allow-empty-message", "-m", msg}, extra...)...)
	}
	lines := func(prefix string, k int, nl string) string {
		var b strings.Builder
		for i := 1; i <= k; i++ {
			fmt.Fprintf(&b, "%s line %d canary_value_%d%s", prefix, i, i*7, nl)
		}
		return b.String()
	}
	git("init", "-q", "--template=", "-b", "main", ".")
	git("config", "commit.gpgsign", "false")
	git("config", "core.autocrlf", "false")
	git("config", "core.fileMode", "true")

	write("README.md", lines("readme", 5, "\n"))
	write("config/app.yaml", "password: canary-app-password-1\n")
	write("dir with space/file name.txt", lines("spaced", 3, "\n"))
	write("ünïcödé/naïve.txt", lines("unicode", 3, "\n"))
	write("quo\"te\tand tab.txt", lines("quoted", 2, "\n"))
	write("crlf.txt", lines("crlf", 6, "\r\n"))
	write("nonl.txt", "no final newline canary")
	write("empty.txt", "")
	commit("initial commit")

	long := strings.Repeat("x", 200_000) + " token=canary-long-line-token\n"
	write("big/large.txt", lines("big", 2000, "\n")+long+lines("tail", 3, "\n"))
	write("nonl.txt", "no final newline canary, changed\nand a second line without one")
	write("crlf.txt", lines("crlf", 3, "\r\n")+"changed\r\n"+lines("crlf-end", 3, "\r\n"))
	commit("  Indented title\n  continues here  \n\n\n  Body paragraph one   \n  with trailing space\t\n\n\n\n  Paragraph two\r\n")

	if err := os.Mkdir(filepath.Join(dir, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	git("mv", "README.md", "docs/README.markdown")
	write("docs/README.markdown", lines("readme", 5, "\n")+"one edited line\n")
	git("update-index", "--chmod=+x", "config/app.yaml")
	write("bin/blob.bin", "\x00\x01\x02canary binary\x00\xff\xfe")
	if err := os.Symlink("config/app.yaml", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	commit("rename with edits, a mode change, a binary file and a symlink")

	head := git("rev-parse", "HEAD")
	git("update-index", "--add", "--cacheinfo", "160000,"+head+",vendor/sub")
	write("copy/app-copy.yaml", "password: canary-app-password-1\n")
	write("new file.txt", "fresh\n")
	commit("submodule entry and a copy")

	commit("", "--allow-empty")
	commit("commit-like message\n\ncommit 0000000000000000000000000000000000000000\ndiff --git a/x b/x\n@@ -1 +1 @@")

	git("rm", "-q", "new file.txt")
	write("crlf.txt", lines("crlf", 2, "\r\n"))
	write("bin/blob.bin", "\x00\x03canary binary changed\x00")
	write("nonl.txt", "and a second line without one")
	commit("deletions only")

	git("checkout", "-q", "-b", "side")
	write("config/app.yaml", "password: canary-side-password\n")
	write("side.txt", lines("side", 4, "\n"))
	commit("side change")
	git("checkout", "-q", "main")
	write("config/app.yaml", "password: canary-main-password\n")
	write("main.txt", lines("main", 4, "\n"))
	commit("main change")
	cmd := exec.Command("git", "merge", "-q", "--no-ff", "side", "-m", "merge side")
	cmd.Dir, cmd.Env = dir, env
	_ = cmd.Run() // conflicts in config/app.yaml
	write("config/app.yaml", "password: canary-resolved-password\nextra: resolved\n")
	commit("merge side into main\n\nResolved by hand.")

	write("ünïcödé/naïve.txt", lines("unicode", 2, "\n")+"naïve édit\n")
	write("quo\"te\tand tab.txt", "requoted\n")
	write("dir with space/file name.txt", "")
	write("empty.txt", "now with content\n")
	commit("edits to the odd names: ✓ unicode")
	for i := 0; i < 3; i++ {
		write("config/app.yaml", fmt.Sprintf("password: canary-rotated-%d\n", i))
		commit(fmt.Sprintf("rotate %d", i))
	}
}

// TestGitLogPatchHeader: the pretty-format fast path parses commit
// headers as gitdiff.ParsePatchHeader does.
func TestGitLogPatchHeader(t *testing.T) {
	for _, pre := range []string{
		"commit abc\nAuthor: A B <a@b>\nDate:   Mon Jan 2 15:04:05 2006 -0700\n\n    Title\n\n    Body\n",
		"commit abc (HEAD -> main, tag: v1)\nMerge: 1 2\nAuthor: A <a@b>\nDate:   Mon Jan 2 15:04:05 2006 +0530\n\n    merge\n",
		"commit abc\nAuthor: A <a@b>\nAuthorDate: 2006-01-02 15:04:05 -0700\nCommit: C <c@d>\nCommitDate: 2006-01-02 15:04:05 -0700\n\n    t1\n    t2\n\n\n     body  \n\t\n    more\r\n\n",
		"commit abc\nAuthor: A <a@b>\nDate:   yesterday\n\n    x\n",
		"commit abc\nAuthor: A <a@b\nDate:   Mon Jan 2 15:04:05 2006 -0700\n\n    x\n",
		"commit abc\nAuthor: A <a@b>\n\n",
		"commit abc\r\nAuthor: A <a@b>\r\nDate:   Mon Jan 2 15:04:05 2006 -0700\r\n\r\n    x\r\n",
		"commit abc\nAuthor: <>\nDate: \n\n\u00a0\u00a0nbsp title\n\u00a0\u00a0nbsp body\n",
		"commit abc\ngpg: Signature made\nAuthor: A <a@b>\nDate:   Mon Jan 2 15:04:05 2006 -0700\n\n    x\n    y",
		"commit \nAuthor: A <a@b>\n",
		"commit  \n",
		"\ncommit abc\nAuthor: A <a@b>\n\n    x\n",
		"From abc Mon Sep 17 00:00:00 2001\nFrom: A <a@b>\nDate: Mon, 2 Jan 2006 15:04:05 -0700\nSubject: [PATCH] x\n\nbody\n",
		"commit abc\nAuthor: A <a@b>\nDate:   Mon Jan 2 15:04:05 2006 -0700\n\n    " + strings.Repeat("z", 70_000) + "\n",
	} {
		want, werr := gitdiff.ParsePatchHeader(pre)
		if werr != nil {
			want = nil
		}
		got := parsePatchHeader([]byte(pre))
		if fmt.Sprint(headerFields(want)) != fmt.Sprint(headerFields(got)) {
			t.Errorf("%.60q: got %v, want %v", pre, headerFields(got), headerFields(want))
		}
	}
}

func headerFields(h *gitdiff.PatchHeader) []string {
	if h == nil {
		return nil
	}
	f := []string{h.SHA, h.AuthorDate.UTC().String(), h.CommitterDate.UTC().String(), h.Title, h.Body, h.Message()}
	for _, id := range []*gitdiff.PatchIdentity{h.Author, h.Committer} {
		if id != nil {
			f = append(f, id.String())
		} else {
			f = append(f, "<nil>")
		}
	}
	return f
}
