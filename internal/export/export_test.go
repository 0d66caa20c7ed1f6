package export

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/subosito/gotenv"

	"github.com/secretctl/secretctl/internal/environ"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/local"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sample holds the values every writer must carry; the canary marks them
// for the self-scan and for leak checks.
func sample() []environ.Var {
	vals := []struct{ k, v string }{
		{"API_KEY", "canary-golden-plain"},
		{"BOOLISH", "true"},
		{"DB_PASSWORD", `canary-golden it's "quoted" $HOME ${X} %{y} #hash a=b \back`},
		{"EMPTY", ""},
		{"MULTI", "canary-golden\nsecond line\n\ttabbed"},
		{"NUMBERISH", "5432"},
	}
	out := make([]environ.Var, len(vals))
	for i, kv := range vals {
		out[i] = environ.Var{Name: kv.k, Value: secret.New(kv.v)}
	}
	return out
}

func TestWritersGolden(t *testing.T) {
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			w, err := New(format)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := w.Write(&buf, sample()); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", format+".golden")
			if *update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				os.WriteFile(path, buf.Bytes(), 0o644)
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from %s:\n%s", format, path, buf.String())
			}
			var empty bytes.Buffer
			if err := w.Write(&empty, nil); err != nil {
				t.Errorf("no variables: %v", err)
			}
		})
	}
	if _, err := New("k8s-secret"); err == nil || !strings.Contains(err.Error(), "dotenv, json, shell, tfvars, yaml") {
		t.Errorf("unknown format: %v", err)
	}
}

// TestReadBack: what a writer writes, Read (and for dotenv a second parser,
// gotenv) reads back exactly.
func TestReadBack(t *testing.T) {
	for _, format := range ReadFormats {
		w, _ := New(format)
		var buf bytes.Buffer
		w.Write(&buf, sample())
		items, err := Read(format, bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if len(items) != len(sample()) {
			t.Fatalf("%s: %d items", format, len(items))
		}
		for i, v := range sample() {
			if items[i].Key != v.Name || items[i].Value != v.Value.RevealString() {
				t.Errorf("%s item %d = %q=%q, want %q", format, i, items[i].Key, items[i].Value, v.Value.RevealString())
			}
		}
	}
	var buf bytes.Buffer
	Dotenv{}.Write(&buf, sample())
	env, err := gotenv.StrictParse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("gotenv: %v", err)
	}
	for _, v := range sample() {
		if got := env[v.Name]; got != v.Value.RevealString() {
			t.Errorf("gotenv %s = %q, want %q", v.Name, got, v.Value.RevealString())
		}
	}
}

func TestReadErrors(t *testing.T) {
	const c = "canary-read-err-5"
	for _, tc := range []struct{ format, src string }{
		{"json", `[1]`},
		{"json", `{"A":{"x":"` + c + `"}}`},
		{"json", `{"A":null}`},
		{"json", `{"A":"` + c + `","A":"2"}`},
		{"json", `{"A":"` + c + `"} trailing`},
		{"json", `{"A":"` + c},
		{"yaml", "- " + c},
		{"yaml", "A:\n  nested: " + c},
		{"yaml", "A: " + c + "\nA: 2"},
		{"yaml", "A: [" + c},
		{"dotenv", "A='" + c},
		{"toml", "A=1"},
	} {
		_, err := Read(tc.format, strings.NewReader(tc.src))
		if err == nil {
			t.Errorf("%s %q: no error", tc.format, tc.src)
		} else if strings.Contains(err.Error(), c) {
			t.Errorf("%s error leaks the value: %v", tc.format, err)
		}
	}
	items, err := Read("json", strings.NewReader(`{"PORT": 5432, "ON": true, "S": "x"}`))
	if err != nil || len(items) != 3 || items[0].Value != "5432" || items[1].Value != "true" {
		t.Errorf("JSON scalars: %+v %v", items, err)
	}
}

func openLocal(t *testing.T) store.Store {
	s, err := local.Open(t.Context(), local.Options{Home: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestImportRules(t *testing.T) {
	ctx := context.Background()
	s := openLocal(t)
	items := []Item{{"B", "canary-imp-2"}, {"A", "canary-imp-1"}}
	res, err := Import(ctx, s, items, ImportOptions{To: "app/cfg"})
	if err != nil || len(res) != 1 || res[0].Action != Created {
		t.Fatalf("first: %+v %v", res, err)
	}
	tok, _ := Token("app/cfg", secret.New(`{"A":"canary-imp-1","B":"canary-imp-2"}`))
	if res[0].VersionID != tok {
		t.Errorf("version %s, want the content token %s", res[0].VersionID, tok)
	}
	// The same content in another order, and an existing value formatted
	// differently, are the same value.
	if _, err := s.Put(ctx, "app/cfg", secret.New("{ \"B\": \"canary-imp-2\", \"A\": \"canary-imp-1\" }"), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err = Import(ctx, s, []Item{{"A", "canary-imp-1"}, {"B", "canary-imp-2"}}, ImportOptions{To: "app/cfg"})
	if err != nil || res[0].Action != Unchanged {
		t.Errorf("same content: %+v %v", res, err)
	}
	// A refusal writes nothing, even for targets that would be new.
	split := []Item{{"A", "canary-imp-1"}, {"B", "canary-imp-3"}}
	if _, err := Import(ctx, s, []Item{{"B", "canary-imp-2"}}, ImportOptions{To: "app/split", Split: true}); err != nil {
		t.Fatal(err)
	}
	_, err = Import(ctx, s, split, ImportOptions{To: "app/split", Split: true})
	if !errors.Is(err, ErrDiffers) || !strings.Contains(err.Error(), "app/split/B") || strings.Contains(err.Error(), "canary") {
		t.Errorf("refusal: %v", err)
	}
	if _, err := s.Get(ctx, "app/split/A", store.GetOptions{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused import wrote app/split/A: %v", err)
	}
	res, err = Import(ctx, s, split, ImportOptions{To: "app/split/", Split: true, Overwrite: true})
	if err != nil || len(res) != 2 || res[0].Action != Created || res[1].Action != Updated {
		t.Errorf("overwrite: %+v %v", res, err)
	}
	prev, err := s.Get(ctx, "app/split/B", store.GetOptions{Stage: store.StagePrevious})
	if err != nil || prev.Value.RevealString() != "canary-imp-2" {
		t.Errorf("AWSPREVIOUS after overwrite: %v", err)
	}
	for _, tc := range []struct {
		items []Item
		o     ImportOptions
	}{
		{nil, ImportOptions{To: "x"}},
		{items, ImportOptions{To: "bad name!"}},
		{[]Item{{"E", ""}}, ImportOptions{To: "x", Split: true}},
	} {
		if _, err := Import(ctx, s, tc.items, tc.o); err == nil {
			t.Errorf("%+v: no error", tc)
		}
	}
}

func TestTokenDeterministic(t *testing.T) {
	a, _ := Token("n", secret.New("canary-tok"))
	b, _ := Token("n", secret.New("canary-tok"))
	c, _ := Token("m", secret.New("canary-tok"))
	d, _ := Token("n", secret.New("canary-tok2"))
	if a != b || a == c || a == d || len(a) < store.MinTokenLen || len(a) > store.MaxTokenLen {
		t.Errorf("tokens %s %s %s %s", a, b, c, d)
	}
}
