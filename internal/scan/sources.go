package scan

// Sources: standard input, git history or staged changes, and the working
// tree (listed by walk.go), each turned into fragments for scanner.fragment.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/fatih/semgroup"
	"github.com/zricethezav/gitleaks/v8/cmd/scm"
	"github.com/zricethezav/gitleaks/v8/sources"
)

// scan sends the fragments of what s.opts names through s.fragment.
func (s *scanner) scan(ctx context.Context) error {
	switch {
	case s.opts.Stdin != nil:
		return s.stdin(ctx)
	case s.opts.Git || s.opts.Staged:
		return s.git(ctx, s.opts.Paths[0])
	}
	return s.dirs(ctx)
}

// stdin scans standard input, named StdinName ("stdin") in findings.
func (s *scanner) stdin(ctx context.Context) error {
	name := s.opts.StdinName
	if name == "" {
		name = "stdin"
	}
	src := &sources.File{Content: s.opts.Stdin, MaxArchiveDepth: s.opts.MaxArchiveDep}
	return src.Fragments(ctx, func(f sources.Fragment, ferr error) error {
		f.FilePath = name
		return s.fragment(ctx, f, ferr)
	})
}

// git scans history or the staged changes of the repository at root.
func (s *scanner) git(ctx context.Context, root string) error {
	if _, err := exec.LookPath("git"); err != nil {
		return fmt.Errorf("scan git: %w", err)
	}
	if out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--git-dir").CombinedOutput(); err != nil {
		return fmt.Errorf("scan git: %s is not a git repository: %s", root, strings.TrimSpace(string(out)))
	}
	if s.opts.Range != "" {
		// git log would print its complaint over several lines of the
		// log; say it in one.
		out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-list", "--max-count=1", s.opts.Range, "--").CombinedOutput()
		if err != nil {
			msg, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
			return fmt.Errorf("scan git: bad --range %q: %s", s.opts.Range, strings.TrimPrefix(msg, "fatal: "))
		}
	}
	if !s.opts.Staged && isShallow(ctx, root) {
		s.warn("warning: " + root + " is a shallow clone: commits before its oldest one are not scanned (run `git fetch --unshallow` first)")
	}
	var seen sync.Map
	yield := func(f sources.Fragment, ferr error) error {
		if f.FilePath != "" {
			if _, loaded := seen.LoadOrStore(f.CommitSHA+"\x00"+f.FilePath, true); !loaded {
				s.files.Add(1)
				s.progress()
			}
			s.scanned.LoadOrStore(f.FilePath, "")
		}
		return s.fragment(ctx, f, ferr)
	}
	remote := &sources.RemoteInfo{Platform: scm.NoPlatform}
	logOpts := gitLogOpts(s.opts)
	// History goes through the lean reader of gitlog.go, except what it
	// does not read: binary patches and archives (gitleaks opens those
	// from their blobs).
	if !s.opts.Staged && s.opts.MaxArchiveDep == 0 && !strings.Contains(logOpts, "--binary") && !s.opts.gitleaksLog {
		return gitLogFragments(ctx, root, logOpts, remote, yield)
	}
	var (
		cmd *sources.GitCmd
		err error
	)
	if s.opts.Staged {
		cmd, err = sources.NewGitDiffCmdContext(ctx, root, true)
	} else {
		cmd, err = sources.NewGitLogCmdContext(ctx, root, logOpts)
	}
	if err != nil {
		return fmt.Errorf("scan git: %w", err)
	}
	src := &sources.Git{
		Cmd:             cmd,
		Config:          &s.cfg,
		Remote:          remote,
		Sema:            semgroup.NewGroup(ctx, 40),
		MaxArchiveDepth: s.opts.MaxArchiveDep,
	}
	return src.Fragments(ctx, yield)
}

// gitLogOpts builds the git log arguments. gitleaks splits them on spaces,
// so --since values use dots ("2.weeks.ago").
func gitLogOpts(o Options) string {
	var args []string
	switch {
	case o.LogOpts != "":
		args = append(args, o.LogOpts)
	case o.Range != "":
		args = append(args, "--full-history", o.Range)
	default:
		args = append(args, "--full-history", "--all")
	}
	if o.Since != "" {
		args = append(args, "--since="+strings.ReplaceAll(strings.TrimSpace(o.Since), " ", "."))
	}
	if o.LogOpts == "" {
		args = append(args, "--diff-filter=tuxdb")
	}
	return strings.Join(args, " ")
}

// dirs scans the working tree under each path.
func (s *scanner) dirs(ctx context.Context) error {
	files := make(chan named, 256)
	workers := runtime.GOMAXPROCS(0) * 2
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 100_000)
			for n := range files {
				if ctx.Err() != nil {
					continue
				}
				s.file(ctx, n, buf)
			}
		}()
	}
	var walkErr error
	for _, root := range s.roots {
		if err := s.list(ctx, root, files); err != nil {
			walkErr = err
			break
		}
	}
	close(files)
	wg.Wait()
	return walkErr
}

// named is a file of the working tree: its path as opened and its name
// relative to the scan root.
type named struct{ path, name string }

// warn adds a one-line note to the result.
func (s *scanner) warn(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.warnings = append(s.warnings, msg)
}

// file scans one file of the working tree.
func (s *scanner) file(ctx context.Context, n named, buf []byte) {
	p, slash := n.path, n.name
	if s.skipPaths[slash] || s.skipPaths[filepath.ToSlash(p)] || s.pathAllowedFile(slash) {
		return
	}
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
		return
	}
	if s.opts.MaxTargetMB > 0 && fi.Size() > int64(s.opts.MaxTargetMB)*1_000_000 {
		return
	}
	fh, err := os.Open(p)
	if err != nil {
		return
	}
	defer fh.Close()
	src := &sources.File{Content: fh, Path: slash, Config: &s.cfg, MaxArchiveDepth: s.opts.MaxArchiveDep, Buffer: buf}
	_ = src.Fragments(ctx, func(f sources.Fragment, ferr error) error {
		return s.fragment(ctx, f, ferr)
	})
	s.scanned.Store(slash, filepath.ToSlash(p))
	s.files.Add(1)
	s.progress()
}
