package environ

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

// Spec is one --secret argument: NAME, NAME=VAR, NAME#KEY, NAME#KEY=VAR or
// PREFIX/ (every secret whose name starts with PREFIX/).
type Spec struct {
	Name   string // the secret id, or the prefix (ending in "/")
	Key    string // one JSON key, or ""
	Var    string // the variable to set, or "" for the mapped name(s)
	Prefix bool
	store.GetOptions
}

// ParseSpec parses a --secret argument. The variable after the last '=' must
// be a Valid name; a secret whose own name holds '=' can always be given
// as NAME=VAR.
func ParseSpec(arg string) (Spec, error) {
	var sp Spec
	rest := arg
	if i := strings.LastIndexByte(rest, '='); i >= 0 && Valid(rest[i+1:]) {
		rest, sp.Var = rest[:i], rest[i+1:]
	}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest, sp.Key = rest[:i], rest[i+1:]
		if sp.Key == "" {
			return Spec{}, fmt.Errorf("--secret %s: empty key after '#'", arg)
		}
	}
	sp.Name = rest
	if sp.Name == "" {
		return Spec{}, fmt.Errorf("--secret %s: no secret name", arg)
	}
	if strings.HasSuffix(sp.Name, "/") {
		sp.Prefix = true
		if sp.Key != "" || sp.Var != "" {
			return Spec{}, fmt.Errorf("--secret %s: a PREFIX/ takes no #KEY or =VAR", arg)
		}
	}
	return sp, nil
}

// Source is what Resolve reads: the --secret specs, and the entries of env
// files (literals, secretctl:// references and empty required names).
type Source struct {
	Specs   []Spec
	Entries []FileEntry
}

// FileEntry is an Entry with the file it came from.
type FileEntry struct {
	File string
	Entry
}

// Set is what Resolve produced.
type Set struct {
	Vars         []Var    // sorted by name, names unique
	Required     []string // names an env file declares empty: the environment or a secret must supply them
	requiredFrom map[string]string
}

// RequiredFrom returns where a required name was declared ("FILE:LINE").
func (s Set) RequiredFrom(name string) string { return s.requiredFrom[name] }

// MissingError says what a Resolve or Merge could not find. Its message is
// one line naming every missing secret, key or variable, never a value.
type MissingError struct{ What []string }

func (e *MissingError) Error() string { return "missing " + strings.Join(e.What, "; ") }

// Lister is the part of store.Store that PREFIX/ specs need.
type Lister interface {
	List(ctx context.Context, o store.ListOptions) ([]store.Meta, error)
}

// Resolve reads every secret src names in one store.GetBatch and maps them
// to variables. Any secret or key that cannot be read makes it fail with a
// *MissingError naming all of them, and so does a variable two sources
// would both set: nothing is guessed.
func Resolve(ctx context.Context, s store.Store, src Source) (Set, error) {
	type want struct {
		spec Spec
		file string // for env-file references, "FILE:LINE"
		item int    // index into items
	}
	var items []store.BatchItem
	index := map[store.BatchItem]int{}
	add := func(it store.BatchItem) int {
		if i, ok := index[it]; ok {
			return i
		}
		index[it] = len(items)
		items = append(items, it)
		return len(items) - 1
	}
	var wants []want
	var missing []string
	for _, sp := range src.Specs {
		if !sp.Prefix {
			wants = append(wants, want{spec: sp, item: add(store.BatchItem{ID: sp.Name, GetOptions: sp.GetOptions})})
			continue
		}
		metas, err := s.List(ctx, store.ListOptions{Prefix: sp.Name})
		if err != nil {
			return Set{}, fmt.Errorf("list %s: %w", sp.Name, err)
		}
		if len(metas) == 0 {
			missing = append(missing, "secrets under "+sp.Name+" (none found)")
		}
		sort.Slice(metas, func(i, j int) bool { return metas[i].Name < metas[j].Name })
		for _, m := range metas {
			one := Spec{Name: m.Name, GetOptions: sp.GetOptions}
			wants = append(wants, want{spec: one, item: add(store.BatchItem{ID: m.Name, GetOptions: sp.GetOptions})})
		}
	}
	var literals []Var
	var set Set
	set.requiredFrom = map[string]string{}
	for _, fe := range src.Entries {
		where := fmt.Sprintf("%s:%d", fe.File, fe.Line)
		switch {
		case fe.Empty:
			set.Required = append(set.Required, fe.Key)
			set.requiredFrom[fe.Key] = where
		case IsRef(fe.Value):
			r, err := ParseRef(fe.Value)
			if err != nil {
				return Set{}, fmt.Errorf("%s: %w", where, err)
			}
			sp := Spec{Name: r.Name, Key: r.Key, Var: fe.Key, GetOptions: store.GetOptions{Stage: r.Stage, VersionID: r.VersionID}}
			wants = append(wants, want{spec: sp, file: where, item: add(store.BatchItem{ID: r.Name, GetOptions: sp.GetOptions})})
		default:
			literals = append(literals, Var{Name: fe.Key, Value: secret.New(fe.Value), Source: where})
		}
	}
	var results []store.BatchResult
	if len(items) > 0 {
		var err error
		results, err = store.GetBatch(ctx, s, items)
		if err != nil {
			return Set{}, err
		}
	}
	vars := literals
	for _, w := range wants {
		r := results[w.item]
		label := w.spec.Name
		if w.file != "" {
			label = w.file + " " + label
		}
		if r.Err != nil {
			if !errors.Is(r.Err, store.ErrNotFound) && !errors.Is(r.Err, store.ErrMarkedForDeletion) {
				return Set{}, r.Err // a backend failure, not a missing secret
			}
			missing = append(missing, "secret "+label+" ("+reason(r.Err, w.spec.GetOptions)+")")
			continue
		}
		got, err := specVars(w.spec, r.Secret)
		if err != nil {
			missing = append(missing, label+": "+trimSecretPrefix(err.Error(), w.spec.Name))
			continue
		}
		vars = append(vars, got...)
	}
	if len(missing) > 0 {
		return Set{}, &MissingError{What: missing}
	}
	sort.SliceStable(vars, func(i, j int) bool { return vars[i].Name < vars[j].Name })
	var dups []string
	for i := 1; i < len(vars); i++ {
		if vars[i].Name == vars[i-1].Name {
			dups = append(dups, fmt.Sprintf("%s is set by both %s and %s", vars[i].Name, vars[i-1].Source, vars[i].Source))
		}
	}
	if len(dups) > 0 {
		return Set{}, fmt.Errorf("conflicting variables: %s (name one with --secret NAME=VAR)", strings.Join(dups, "; "))
	}
	set.Vars = vars
	return set, nil
}

func reason(err error, o store.GetOptions) string {
	switch {
	case errors.Is(err, store.ErrMarkedForDeletion):
		return "marked for deletion"
	case o.VersionID != "":
		return "not found with version " + o.VersionID
	case o.Stage != "":
		return "not found with stage " + o.Stage
	}
	return "not found"
}

func trimSecretPrefix(msg, name string) string {
	return strings.TrimPrefix(msg, "secret "+name+": ")
}

func specVars(sp Spec, sec store.Secret) ([]Var, error) {
	name := sp.Name
	switch {
	case sp.Key != "":
		v, err := Field(name, sec.Value, sp.Key)
		if err != nil {
			return nil, err
		}
		env := sp.Var
		if env == "" {
			if env, err = FromKey(sp.Key); err != nil {
				return nil, err
			}
		}
		return []Var{{Name: env, Value: v, Source: name + "#" + sp.Key}}, nil
	case sp.Var != "":
		if v := sec.Value; v.IsBinary() || strings.IndexByte(v.RevealString(), 0) >= 0 || !utf8.Valid(v.Reveal()) {
			return nil, fmt.Errorf("secret %s: %w (an environment variable holds text)", name, ErrBinary)
		}
		return []Var{{Name: sp.Var, Value: sec.Value, Source: name}}, nil
	default:
		// An ARN names the secret as AWS spells it, with a random suffix:
		// map the name the store returned instead.
		if strings.HasPrefix(name, "arn:") && sec.Name != "" {
			name = sec.Name
		}
		return FromSecret(name, sec.Value)
	}
}

// MergeOptions say how injected variables meet the caller's environment.
type MergeOptions struct {
	Override bool     // replace variables already set
	Pristine bool     // start from an empty environment...
	Keep     []string // ...plus these of the caller's variables
}

// Merge returns the child's environment: base (KEY=VALUE strings, as
// os.Environ gives them) or, with Pristine, only its Keep variables, plus
// set's variables. A variable already present is left as it is unless
// Override; kept lists those names. Every name in set.Required must end up
// present, or Merge fails with a *MissingError. injected is what was set,
// by name, for masking.
func Merge(base []string, set Set, o MergeOptions) (env []string, kept []string, injected map[string]string, err error) {
	keep := map[string]bool{}
	for _, k := range o.Keep {
		keep[k] = true
	}
	var order []string
	vals := map[string]string{}
	for _, kv := range base {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || (o.Pristine && !keep[k]) {
			continue
		}
		if _, seen := vals[k]; !seen {
			order = append(order, k)
		}
		vals[k] = v
	}
	injected = map[string]string{}
	for _, v := range set.Vars {
		if _, present := vals[v.Name]; present && !o.Override {
			kept = append(kept, v.Name)
			continue
		}
		if _, present := vals[v.Name]; !present {
			order = append(order, v.Name)
		}
		vals[v.Name] = v.Value.RevealString()
		injected[v.Name] = vals[v.Name]
	}
	var missing []string
	for _, r := range set.Required {
		if _, ok := vals[r]; !ok {
			missing = append(missing, fmt.Sprintf("variable %s (required by %s)", r, set.RequiredFrom(r)))
		}
	}
	if len(missing) > 0 {
		return nil, nil, nil, &MissingError{What: missing}
	}
	env = make([]string, 0, len(order))
	for _, k := range order {
		env = append(env, k+"="+vals[k])
	}
	return env, kept, injected, nil
}
