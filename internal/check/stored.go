package check

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/environ"
	"github.com/secretctl/secretctl/internal/store"
)

// Stored is the stored item: the backend answers, secrets exist under
// Prefix, and every variable the env example lists (KEY= lines, as
// `migrate` writes them, and secretctl:// references) is provided by a
// stored secret, mapped to variable names as `exec --secret` maps them.
type Stored struct {
	Store   func(context.Context) (store.Store, error)
	Backend string // names the backend in messages: "local store /home/u/.secretctl"
	Prefix  string // "" for every secret
	// PrefixFrom says where Prefix came from, when not from --prefix.
	PrefixFrom string
	// EnvExample is the env example file; a missing file is not an error.
	EnvExample string
}

// ID returns "stored".
func (Stored) ID() string { return IDStored }

// envExampleSecret finds the secret migrate named in the env example's
// header ("secretctl exec --secret NAME -- <command>").
var envExampleSecret = regexp.MustCompile(`^#.*secretctl exec --secret (\S+)`)

// PrefixFromEnvExample returns the secret that the env example at path
// names in the header migrate writes, or "" when it names none.
func PrefixFromEnvExample(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(data), "\n") {
		if m := envExampleSecret.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			return m[1]
		}
	}
	return ""
}

// Run lists the secrets and, to learn the variables they provide, reads
// them; values are only mapped to names, never reported.
func (c Stored) Run(ctx context.Context) Result {
	s, err := c.Store(ctx)
	if err != nil {
		return errResult("cannot reach the "+c.Backend, err, "secretctl list (to see the error in full)")
	}
	var required []environ.FileEntry
	prefix := c.Prefix
	var ev []string
	if c.PrefixFrom != "" {
		ev = append(ev, fmt.Sprintf("prefix %s, from %s", prefix, c.PrefixFrom))
	}
	if data, err := os.ReadFile(c.EnvExample); err == nil {
		entries, err := environ.ParseDotenv(bytes.NewReader(data))
		if err != nil {
			return Result{Status: Fail, Summary: fmt.Sprintf("read %s: %v", c.EnvExample, err), Fix: "fix the syntax of " + c.EnvExample}
		}
		for _, e := range entries {
			if e.Empty || environ.IsRef(e.Value) {
				required = append(required, environ.FileEntry{File: c.EnvExample, Entry: e})
			}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return errResult("read "+c.EnvExample, err, "")
	}
	where := "under " + prefix
	if prefix == "" {
		where = "in the " + c.Backend
	}
	metas, err := s.List(ctx, store.ListOptions{Prefix: prefix})
	if err != nil {
		return errResult("list secrets "+where, err, "secretctl list "+prefix)
	}
	if len(metas) == 0 {
		fix := "secretctl migrate PATH --to " + orDefault(prefix, "APP/NAME") + " --apply, or secretctl create NAME"
		return Result{Status: Fail, Summary: "no secrets " + where, Evidence: ev, Fix: fix}
	}
	sort.Slice(metas, func(i, j int) bool { return metas[i].Name < metas[j].Name })
	names := make([]string, len(metas))
	for i, m := range metas {
		names[i] = m.Name
	}
	ev = append(ev, fmt.Sprintf("%d secret(s) %s: %s", len(metas), where, shortList(names, 8)))
	summary := fmt.Sprintf("%d secret(s) %s", len(metas), where)
	if len(required) == 0 {
		if c.EnvExample != "" {
			ev = append(ev, "no variables to check: "+c.EnvExample+" is missing or lists none")
		}
		return Result{Status: Pass, Summary: summary, Evidence: ev}
	}
	items := make([]store.BatchItem, len(metas))
	for i, m := range metas {
		items[i] = store.BatchItem{ID: m.Name}
	}
	results, err := store.GetBatch(ctx, s, items)
	if err != nil {
		return errResult("read secrets "+where, err, "")
	}
	provided := map[string]string{} // variable → secret#key
	keys := map[string]map[string]bool{}
	for i, r := range results {
		if r.Err != nil {
			ev = append(ev, fmt.Sprintf("%s: cannot be read (%s)", metas[i].Name, errName(r.Err)))
			continue
		}
		keys[metas[i].Name] = map[string]bool{}
		vars, err := environ.FromSecret(metas[i].Name, r.Secret.Value)
		if err != nil {
			ev = append(ev, fmt.Sprintf("%s: provides no variables (%s)", metas[i].Name, errName(err)))
			continue
		}
		for _, v := range vars {
			if _, dup := provided[v.Name]; !dup {
				provided[v.Name] = v.Source
			}
			if _, key, ok := strings.Cut(v.Source, "#"); ok {
				keys[metas[i].Name][key] = true
			}
		}
	}
	var missing []string
	for _, fe := range required {
		where := fmt.Sprintf("%s:%d", fe.File, fe.Line)
		if fe.Empty {
			if _, ok := provided[fe.Key]; !ok {
				missing = append(missing, fmt.Sprintf("%s (%s)", fe.Key, where))
			}
			continue
		}
		ref, err := environ.ParseRef(fe.Value)
		if err != nil {
			missing = append(missing, fmt.Sprintf("%s (%s: %v)", fe.Key, where, err))
			continue
		}
		ks, ok := keys[ref.Name]
		if !ok {
			if _, err := s.Describe(ctx, ref.Name); err != nil {
				missing = append(missing, fmt.Sprintf("%s (%s: secret %s %s)", fe.Key, where, ref.Name, errName(err)))
			}
			continue
		}
		if ref.Key != "" && !ks[ref.Key] {
			missing = append(missing, fmt.Sprintf("%s (%s: secret %s has no key %q)", fe.Key, where, ref.Name, ref.Key))
		}
	}
	if len(missing) > 0 {
		return Result{
			Status:   Fail,
			Summary:  fmt.Sprintf("%d of %d variable(s) in %s provided by no stored secret", len(missing), len(required), c.EnvExample),
			Evidence: append(ev, "missing: "+strings.Join(missing, ", ")),
			Fix:      "store them: secretctl migrate PATH --to " + orDefault(prefix, "APP/NAME") + " --apply, or add the keys with secretctl put NAME",
		}
	}
	ev = append(ev, fmt.Sprintf("all %d variable(s) in %s are provided", len(required), c.EnvExample))
	return Result{Status: Pass, Summary: summary + fmt.Sprintf("; %s is covered", c.EnvExample), Evidence: ev}
}

// errName is a short, value-free description of a store, AWS or mapping
// error: an SDK error is classified first, so that the code and the
// service's message come before the cut, not the request id.
func errName(err error) string {
	err = awsx.Classify(err)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "not found"
	case errors.Is(err, store.ErrMarkedForDeletion):
		return "marked for deletion"
	case errors.Is(err, environ.ErrBinary):
		return "binary value"
	}
	msg := err.Error()
	if len(msg) > 160 {
		msg = msg[:160] + "…"
	}
	return strings.Join(strings.Fields(msg), " ")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// shortList joins up to n names and says how many more there are.
func shortList(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
}
