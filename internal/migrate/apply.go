package migrate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/secretctl/secretctl/internal/scan"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

// Errors the effects return; callers test them with errors.Is.
var (
	ErrConflict = errors.New("the stored secret holds a different value")
	ErrDirty    = errors.New("the file has uncommitted changes")
	ErrChanged  = errors.New("the file changed since it was scanned")
	ErrReadOnly = errors.New("the file is read-only")
	ErrReadBack = errors.New("the stored value read back differs")
)

// Find scans root with the engine, configuration, baselines and allow
// comments of `secretctl scan` and reads the files that hold findings.
func Find(ctx context.Context, root string, so scan.Options) ([]scan.Finding, map[string][]byte, error) {
	so.Paths = []string{root}
	so.Git, so.Staged, so.Stdin = false, false, nil
	res, err := scan.Run(ctx, so)
	if err != nil {
		return nil, nil, err
	}
	files := map[string][]byte{}
	for i := range res.Findings {
		// The plan opens and rewrites the files: name them as scanned.
		if p := res.Findings[i].Path; p != "" {
			res.Findings[i].File = p
		}
	}
	for _, f := range res.Findings {
		if _, ok := files[f.File]; ok {
			continue
		}
		b, err := os.ReadFile(filepath.FromSlash(f.File))
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", f.File, err)
		}
		files[f.File] = b
	}
	return res.Findings, files, nil
}

// Stored returns the digests of the values the target already holds, by
// env name, for BuildPlan's Input.Stored. A missing secret is not an error.
func Stored(ctx context.Context, st store.Store, to string, split bool) (map[string]string, error) {
	out := map[string]string{}
	if split {
		metas, err := st.List(ctx, store.ListOptions{Prefix: to + "/"})
		if err != nil {
			return nil, fmt.Errorf("list %s/: %w", to, err)
		}
		for _, m := range metas {
			env := strings.TrimPrefix(m.Name, to+"/")
			if strings.Contains(env, "/") {
				continue
			}
			s, err := st.Get(ctx, m.Name, store.GetOptions{})
			if err != nil {
				continue // no current version
			}
			out[env] = Digest(s.Value)
		}
		return out, nil
	}
	s, err := st.Get(ctx, to, store.GetOptions{})
	if errors.Is(err, store.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", to, err)
	}
	fields, err := jsonFields(s.Value)
	if err != nil {
		return out, nil // the store step reports it
	}
	for k, v := range fields {
		out[k] = Digest(secret.New(v))
	}
	return out, nil
}

// ApplyOptions control Apply.
type ApplyOptions struct {
	Overwrite  bool // replace a different stored value (a new version; the old one stays as AWSPREVIOUS)
	AllowDirty bool // rewrite files with uncommitted changes, or outside git
	// BeforeStep, when set, runs before each step ("store NAME", "verify",
	// "rewrite FILE", "env-example", "gitignore"); an error aborts there.
	// Tests inject faults with it.
	BeforeStep func(step string) error
}

// SecretResult says what Apply did with one secret.
type SecretResult struct {
	Name    string `json:"name"`
	Outcome string `json:"outcome"` // created, updated, reused
	Version string `json:"versionId,omitempty"`
}

// Result is what Apply did.
type Result struct {
	Secrets    []SecretResult `json:"secrets"`
	Rewritten  []string       `json:"rewritten"`
	EnvExample string         `json:"envExample,omitempty"`
	GitIgnore  string         `json:"gitIgnore,omitempty"`
}

func (o ApplyOptions) step(name string) error {
	if o.BeforeStep == nil {
		return nil
	}
	return o.BeforeStep(name)
}

// Apply carries out a plan: store, read back, rewrite, then the env example
// and .gitignore. It stops at the first error; what it did before is safe
// to keep, and a rerun finishes the job.
func Apply(ctx context.Context, p *Plan, st store.Store, o ApplyOptions) (*Result, error) {
	res := &Result{}
	if err := preflight(ctx, p, o); err != nil {
		return res, err
	}
	// 1. store, after checking every secret, so a conflict writes nothing
	type write struct {
		s       StoredSecret
		exists  bool
		base    string
		value   secret.Value
		changed bool
	}
	var writes []write
	for _, s := range p.Secrets {
		w := write{s: s}
		cur, err := st.Get(ctx, s.Name, store.GetOptions{})
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return res, fmt.Errorf("get %s: %w", s.Name, err)
		default:
			w.exists, w.base = true, cur.VersionID
		}
		w.value, w.changed, err = merged(s, cur.Value, w.exists, o.Overwrite)
		if err != nil {
			return res, fmt.Errorf("store %s: %w", s.Name, err)
		}
		writes = append(writes, w)
	}
	for _, w := range writes {
		if err := o.step("store " + w.s.Name); err != nil {
			return res, err
		}
		r := SecretResult{Name: w.s.Name, Outcome: "reused"}
		tok := requestToken(w.s, w.base)
		switch {
		case !w.exists:
			ref, err := st.Create(ctx, w.s.Name, store.CreateInput{Value: w.value, Token: tok, Description: "migrated by secretctl migrate"})
			if err != nil {
				return res, fmt.Errorf("create %s: %w", w.s.Name, err)
			}
			r.Outcome, r.Version = "created", ref.VersionID
		case w.changed:
			ref, err := st.Put(ctx, w.s.Name, w.value, store.PutOptions{Token: tok})
			if err != nil {
				return res, fmt.Errorf("put %s: %w", w.s.Name, err)
			}
			r.Outcome, r.Version = "updated", ref.VersionID
		}
		res.Secrets = append(res.Secrets, r)
	}
	// 2. read back
	if err := o.step("verify"); err != nil {
		return res, err
	}
	for _, s := range p.Secrets {
		if err := verify(ctx, st, s); err != nil {
			return res, err
		}
	}
	// 3. rewrite
	for _, ch := range p.Files {
		if err := ctx.Err(); err != nil {
			return res, err // every file is untouched or rewritten; a rerun finishes
		}
		if err := o.step("rewrite " + ch.Path); err != nil {
			return res, err
		}
		if err := atomicRewrite(ch.Path, ch.old, ch.new); err != nil {
			return res, err
		}
		res.Rewritten = append(res.Rewritten, ch.Path)
	}
	// 4. env example and .gitignore
	if p.EnvExample != "" && len(p.EnvNames) > 0 {
		if err := o.step("env-example"); err != nil {
			return res, err
		}
		path := p.EnvExample
		if !filepath.IsAbs(path) {
			path = filepath.Join(dirOf(p.Root), path)
		}
		if err := mergeEnvExample(path, p.To, p.EnvNames); err != nil {
			return res, err
		}
		res.EnvExample = path
	}
	if len(p.GitIgnore) > 0 {
		if err := o.step("gitignore"); err != nil {
			return res, err
		}
		path := filepath.Join(dirOf(p.Root), ".gitignore")
		if err := addGitIgnore(path, p.GitIgnore); err != nil {
			return res, err
		}
		res.GitIgnore = path
	}
	return res, nil
}

// merged is the value to store: the plan's fields on top of what the secret
// holds. changed is false when the secret already holds every value.
func merged(s StoredSecret, cur secret.Value, exists, overwrite bool) (secret.Value, bool, error) {
	if s.Shape == "plain" {
		if !exists || cur.IsZero() {
			return s.plain, true, nil
		}
		if bytes.Equal(cur.Reveal(), s.plain.Reveal()) {
			return cur, false, nil
		}
		if !overwrite {
			return secret.Value{}, false, fmt.Errorf("%w (use --overwrite to store a new version)", ErrConflict)
		}
		return s.plain, true, nil
	}
	fields := map[string]string{}
	if exists && !cur.IsZero() {
		var err error
		if fields, err = jsonFields(cur); err != nil {
			if !overwrite {
				return secret.Value{}, false, fmt.Errorf("%w: it is not a JSON object of strings (use --overwrite to replace it)", ErrConflict)
			}
			fields = map[string]string{}
		}
	}
	changed := !exists
	var conflicts []string
	for _, k := range s.Keys {
		v := s.fields[k].RevealString()
		old, ok := fields[k]
		switch {
		case !ok:
			fields[k], changed = v, true
		case old != v && overwrite:
			fields[k], changed = v, true
		case old != v:
			conflicts = append(conflicts, k)
		}
	}
	if len(conflicts) > 0 {
		return secret.Value{}, false, fmt.Errorf("%w for %s (use --overwrite to store a new version)", ErrConflict, strings.Join(conflicts, ", "))
	}
	if !changed {
		return cur, false, nil
	}
	b, err := json.Marshal(fields) // keys sorted: the same fields give the same bytes
	if err != nil {
		return secret.Value{}, false, err
	}
	return secret.NewBytes(b, false), true, nil
}

// jsonFields decodes a JSON object whose values are strings or numbers.
func jsonFields(v secret.Value) (map[string]string, error) {
	var raw map[string]any
	if err := json.Unmarshal(v.Reveal(), &raw); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(raw))
	for k, x := range raw {
		switch t := x.(type) {
		case string:
			out[k] = t
		case float64:
			out[k] = strings.TrimSuffix(fmt.Sprintf("%v", t), ".0")
		default:
			return nil, fmt.Errorf("key %s is not a string", k)
		}
	}
	return out, nil
}

// requestToken is the ClientRequestToken of a write: derived from the findings the
// secret takes and the version it builds on, so a retry of the same write
// creates nothing new.
func requestToken(s StoredSecret, base string) string {
	sum := sha256.Sum256([]byte("secretctl-migrate/v1\x00" + s.Name + "\x00" + base + "\x00" + strings.Join(s.prints, "\x00")))
	return hex.EncodeToString(sum[:]) // 64 characters
}

// verify reads a secret back and compares it with the plan.
func verify(ctx context.Context, st store.Store, s StoredSecret) error {
	got, err := st.Get(ctx, s.Name, store.GetOptions{})
	if err != nil {
		return fmt.Errorf("read back %s: %w", s.Name, err)
	}
	if s.Shape == "plain" {
		if !bytes.Equal(got.Value.Reveal(), s.plain.Reveal()) {
			return fmt.Errorf("read back %s: %w; no file was changed", s.Name, ErrReadBack)
		}
		return nil
	}
	fields, err := jsonFields(got.Value)
	if err != nil {
		return fmt.Errorf("read back %s: %w: not a JSON object; no file was changed", s.Name, ErrReadBack)
	}
	for _, k := range s.Keys {
		if fields[k] != s.fields[k].RevealString() {
			return fmt.Errorf("read back %s: %w for %s; no file was changed", s.Name, ErrReadBack, k)
		}
	}
	return nil
}

// preflight refuses before anything is written: a file that changed since
// the scan, a read-only file, uncommitted changes (unless AllowDirty).
func preflight(ctx context.Context, p *Plan, o ApplyOptions) error {
	var paths []string
	for _, ch := range p.Files {
		path := filepath.FromSlash(ch.Path)
		fi, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("stat %s: %w", ch.Path, err)
		}
		if fi.Mode().Perm()&0o200 == 0 {
			return fmt.Errorf("rewrite %s: %w (mode %04o); nothing was stored or changed", ch.Path, ErrReadOnly, fi.Mode().Perm())
		}
		cur, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read %s: %w", ch.Path, err)
		}
		if !bytes.Equal(cur, ch.old) {
			return fmt.Errorf("rewrite %s: %w; run migrate again", ch.Path, ErrChanged)
		}
		paths = append(paths, path)
	}
	if o.AllowDirty || len(paths) == 0 {
		return nil
	}
	return gitClean(ctx, dirOf(p.Root), paths)
}

// gitClean fails unless every path is committed and unchanged in its git
// repository: git diff is then the review and git checkout the undo.
func gitClean(ctx context.Context, dir string, paths []string) error {
	top, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return fmt.Errorf("rewrite %s: not in a git repository, so git cannot undo the rewrite (use --allow-dirty to rewrite anyway)", dir)
	}
	root := strings.TrimSpace(string(top))
	args := []string{"-C", root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--"}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		args = append(args, abs)
	}
	out, err := exec.CommandContext(ctx, "git", args...).Output()
	if err != nil {
		return fmt.Errorf("git status: %w", err)
	}
	var dirty []string
	for _, rec := range strings.Split(string(out), "\x00") {
		if len(rec) > 3 {
			dirty = append(dirty, rec[3:])
		}
	}
	if len(dirty) > 0 {
		sort.Strings(dirty)
		return fmt.Errorf("rewrite %s: %w (commit or stash them first, or use --allow-dirty)", strings.Join(dirty, ", "), ErrDirty)
	}
	return nil
}

// atomicRewrite replaces path with content through a temporary file in the
// same directory, keeping the mode; the rename is the commit point.
func atomicRewrite(path string, old, content []byte) error {
	p := filepath.FromSlash(path)
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	if cur, err := os.ReadFile(p); err != nil || !bytes.Equal(cur, old) {
		if err == nil {
			err = ErrChanged
		}
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".secretctl-*")
	if err != nil {
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(content); err != nil {
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	if err := tmp.Chmod(fi.Mode().Perm()); err != nil {
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	ok = true
	if d, err := os.Open(filepath.Dir(p)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// writeFileAtomic writes a small file (env example, .gitignore) the same
// way, creating it with mode 0644 when it does not exist.
func writeFileAtomic(path string, content []byte) error {
	old, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(path+".secretctl-new", content, 0o644); err != nil {
			return err
		}
		return os.Rename(path+".secretctl-new", path)
	}
	if err != nil {
		return err
	}
	return atomicRewrite(filepath.ToSlash(path), old, content)
}

// mergeEnvExample adds the names the code now expects to the env example,
// keeping what it already lists.
func mergeEnvExample(path, to string, names []string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(old), "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "export "))
		if i := strings.IndexByte(l, '='); i > 0 && !strings.HasPrefix(l, "#") {
			have[strings.TrimSpace(l[:i])] = true
		}
	}
	var b bytes.Buffer
	b.Write(old)
	if len(old) == 0 {
		fmt.Fprintf(&b, "# Variables the code reads. The values are stored in %s:\n#   secretctl exec --secret %s -- <command>\n", to, to)
	} else if old[len(old)-1] != '\n' {
		b.WriteByte('\n')
	}
	added := false
	for _, n := range names {
		if !have[n] {
			fmt.Fprintf(&b, "%s=\n", n)
			added = true
		}
	}
	if !added && len(old) > 0 {
		return nil
	}
	if err := writeFileAtomic(path, b.Bytes()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// addGitIgnore adds the .env files that held values to .gitignore.
func addGitIgnore(path string, files []string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(old), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	var b bytes.Buffer
	b.Write(old)
	if len(old) > 0 && old[len(old)-1] != '\n' {
		b.WriteByte('\n')
	}
	added := false
	for _, f := range files {
		rel := f // relative to root already
		if have[rel] || have["/"+rel] || have[filepath.Base(rel)] && !strings.Contains(rel, "/") {
			continue
		}
		fmt.Fprintf(&b, "%s\n", rel)
		have[rel] = true
		added = true
	}
	if !added {
		return nil
	}
	if err := writeFileAtomic(path, b.Bytes()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// dirOf is root itself, or its directory when root is a file.
func dirOf(root string) string {
	if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
		return filepath.Dir(root)
	}
	return root
}
