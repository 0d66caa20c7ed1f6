package scan

// Paths: findings, fingerprints and reports name files relative to the scan
// root (the git work tree, else the scanned directory), so that a baseline
// or a SARIF file is the same whatever the working directory and whether
// the path was typed relative or absolute.

import (
	"context"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// scanRoot is one scanned path and the root its files are named from.
type scanRoot struct {
	arg    string // the path as given
	dir    string // the root: absolute, symlinks resolved
	prefix string // arg relative to dir, slash-separated ("." for the root)
}

// name is the File of p, a path found under r.arg.
func (r scanRoot) name(p string) string {
	sub, err := filepath.Rel(r.arg, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return path.Join(r.prefix, filepath.ToSlash(sub))
}

// scanRoots finds the root of each path of opts (none for standard input).
func scanRoots(ctx context.Context, opts Options) ([]scanRoot, error) {
	if opts.Stdin != nil {
		return nil, nil
	}
	var roots []scanRoot
	for _, p := range opts.Paths {
		real, err := realPath(p)
		if err != nil {
			return nil, err
		}
		dir := real
		if fi, err := os.Stat(real); err == nil && !fi.IsDir() {
			dir = filepath.Dir(real)
		}
		if top := gitTop(ctx, dir); top != "" {
			dir = top
		} else if opts.Git || opts.Staged {
			dir = real
		}
		prefix, err := filepath.Rel(dir, real)
		if err != nil {
			prefix = "."
		}
		roots = append(roots, scanRoot{arg: p, dir: dir, prefix: filepath.ToSlash(prefix)})
	}
	return roots, nil
}

// realPath is p made absolute with symlinks resolved (git reports its work
// tree that way).
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r, nil
	}
	return abs, nil
}

// gitTop is the top of the git work tree holding dir, or "".
func gitTop(ctx context.Context, dir string) string {
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return ""
	}
	top := strings.TrimSpace(string(out))
	if r, err := filepath.EvalSymlinks(top); err == nil {
		top = r
	}
	return top
}

// relTo is p (relative to the working directory, or absolute) relative to
// root, slash-separated; ok is false when p is not under root.
func relTo(root, p string) (string, bool) {
	real, err := realPath(p)
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(root, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// normalizeEntry rewrites a baseline entry written with the file named as
// it was typed (absolute, "./x", "../repo/x"), by earlier versions, to the
// name relative to root. Entries already relative to root are kept.
func normalizeEntry(e *BaselineEntry, root string) {
	if root == "" || e.File == "" || e.File == "stdin" {
		return
	}
	old := e.File
	f := filepath.FromSlash(old)
	if !filepath.IsAbs(f) {
		if _, err := os.Lstat(filepath.Join(root, f)); err == nil && !strings.HasPrefix(old, "../") {
			e.File = path.Clean(old)
		} else if n, ok := relTo(root, f); ok {
			// Relative to the working directory it was written from,
			// taken to be this one.
			e.File = n
		} else {
			e.File = path.Clean(old)
		}
	} else if n, ok := relTo(root, f); ok {
		e.File = n
	}
	if e.File != old && strings.HasPrefix(e.Fingerprint, old+":") {
		e.Fingerprint = e.File + e.Fingerprint[len(old):]
	}
}

// isShallow reports whether the repository at dir is a shallow clone.
func isShallow(ctx context.Context, dir string) bool {
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--is-shallow-repository").Output()
	return err == nil && strings.TrimSpace(string(out)) == "true"
}
