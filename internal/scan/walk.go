package scan

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// list sends the files under root to out. In a git work tree, unless
// NoGitIgnore, the list is git's own (tracked plus untracked, less ignored);
// elsewhere the tree is walked, honouring .gitignore files it meets.
func (s *scanner) list(ctx context.Context, r scanRoot, out chan<- named) error {
	root := r.arg
	fi, err := os.Stat(root)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		out <- named{root, r.name(root)}
		return nil
	}
	if !s.opts.NoGitIgnore {
		if files, ok := gitFiles(ctx, root); ok {
			for _, f := range files {
				out <- named{filepath.Join(root, f), path.Join(r.prefix, f)}
			}
			return nil
		}
	}
	var ig *ignorer
	if !s.opts.NoGitIgnore {
		ig = &ignorer{}
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			if s.pathAllowedFile(path.Join(r.prefix, rel)) {
				return filepath.SkipDir
			}
			if ig != nil {
				if rel != "." && ig.ignored(rel, true) {
					return filepath.SkipDir
				}
				ig.load(p, rel)
			}
			return nil
		}
		if ig != nil && ig.ignored(rel, false) {
			return nil
		}
		if d.Type().IsRegular() {
			out <- named{p, path.Join(r.prefix, rel)}
		}
		return nil
	})
}

// gitFiles lists the files git would consider under dir: tracked and
// untracked, less those ignored. ok is false outside a work tree.
func gitFiles(ctx context.Context, dir string) ([]string, bool) {
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate")
	b, err := cmd.Output()
	if err != nil {
		return nil, false
	}
	var files []string
	for _, f := range bytes.Split(b, []byte{0}) {
		if len(f) > 0 {
			files = append(files, string(f))
		}
	}
	return files, true
}

// ignorer is a small .gitignore matcher for trees outside git: patterns
// with *, ?, **, a leading / (anchored), a trailing / (directories) and !
// (negation), each file's patterns relative to its directory.
type ignorer struct {
	rules []ignoreRule
}

type ignoreRule struct {
	base     string // directory of the .gitignore, relative, "" for root
	pattern  string
	negate   bool
	dirOnly  bool
	anchored bool
}

func (ig *ignorer) load(dir, rel string) {
	b, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if err != nil {
		return
	}
	if rel == "." {
		rel = ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, " \r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := ignoreRule{base: rel}
		if strings.HasPrefix(line, "!") {
			r.negate, line = true, line[1:]
		}
		if strings.HasSuffix(line, "/") {
			r.dirOnly, line = true, strings.TrimSuffix(line, "/")
		}
		if strings.HasPrefix(line, "/") {
			r.anchored, line = true, line[1:]
		} else if strings.Contains(line, "/") {
			r.anchored = true
		}
		r.pattern = line
		ig.rules = append(ig.rules, r)
	}
}

func (ig *ignorer) ignored(rel string, isDir bool) bool {
	ignored := false
	for _, r := range ig.rules {
		if r.dirOnly && !isDir {
			continue
		}
		p := rel
		if r.base != "" {
			if !strings.HasPrefix(rel, r.base+"/") {
				continue
			}
			p = strings.TrimPrefix(rel, r.base+"/")
		}
		if r.match(p) {
			ignored = !r.negate
		}
	}
	return ignored
}

func (r ignoreRule) match(p string) bool {
	if !r.anchored {
		ok, _ := path.Match(r.pattern, path.Base(p))
		return ok
	}
	if strings.Contains(r.pattern, "**") {
		return globStar(r.pattern, p)
	}
	ok, _ := path.Match(r.pattern, p)
	return ok
}

// globStar matches patterns with ** (any number of directories).
func globStar(pattern, p string) bool {
	parts := strings.SplitN(pattern, "**", 2)
	prefix, suffix := strings.TrimSuffix(parts[0], "/"), strings.TrimPrefix(parts[1], "/")
	if prefix != "" && !strings.HasPrefix(p, prefix+"/") && p != prefix {
		return false
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(p, prefix), "/")
	if suffix == "" {
		return true
	}
	segs := strings.Split(rest, "/")
	for i := range segs {
		if ok, _ := path.Match(suffix, strings.Join(segs[i:], "/")); ok {
			return true
		}
	}
	return false
}
