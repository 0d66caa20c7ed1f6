package environ

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

func TestParseSpec(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Spec
	}{
		{"prod/db", Spec{Name: "prod/db"}},
		{"prod/db=DB", Spec{Name: "prod/db", Var: "DB"}},
		{"prod/db#password", Spec{Name: "prod/db", Key: "password"}},
		{"prod/db#password=PGPASSWORD", Spec{Name: "prod/db", Key: "password", Var: "PGPASSWORD"}},
		{"prod/", Spec{Name: "prod/", Prefix: true}},
		{"a=b=C", Spec{Name: "a=b", Var: "C"}},
		{"a=1x", Spec{Name: "a=1x"}}, // "1x" is no variable name: part of the secret name
		{"arn:aws:secretsmanager:us-east-1:1:secret:prod/db-AbCdEf", Spec{Name: "arn:aws:secretsmanager:us-east-1:1:secret:prod/db-AbCdEf"}},
	} {
		got, err := ParseSpec(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseSpec(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "=X", "a#", "a#=X", "prod/#k", "prod/=X"} {
		if _, err := ParseSpec(in); err == nil {
			t.Errorf("ParseSpec(%q): no error", in)
		}
	}
}

func TestMerge(t *testing.T) {
	set := Set{
		Vars:         []Var{{Name: "A", Value: secret.New("canary-a")}, {Name: "B", Value: secret.New("canary-b")}},
		Required:     []string{"NEED"},
		requiredFrom: map[string]string{"NEED": ".env.example:3"},
	}
	base := []string{"PATH=/bin", "A=caller", "NEED=", "OTHER=x", "NOEQUALS"}
	for _, tc := range []struct {
		name     string
		o        MergeOptions
		base     []string
		env      []string
		kept     []string
		injected []string
		missing  string
	}{
		{"no-clobber", MergeOptions{}, base, []string{"PATH=/bin", "A=caller", "NEED=", "OTHER=x", "B=canary-b"}, []string{"A"}, []string{"B"}, ""},
		{"override", MergeOptions{Override: true}, base, []string{"PATH=/bin", "A=canary-a", "NEED=", "OTHER=x", "B=canary-b"}, nil, []string{"A", "B"}, ""},
		{"pristine", MergeOptions{Pristine: true, Keep: []string{"NEED"}}, base, []string{"NEED=", "A=canary-a", "B=canary-b"}, nil, []string{"A", "B"}, ""},
		{"pristine keep A", MergeOptions{Pristine: true, Keep: []string{"A", "NEED"}}, base, []string{"A=caller", "NEED=", "B=canary-b"}, []string{"A"}, []string{"B"}, ""},
		{"required missing", MergeOptions{Pristine: true}, base, nil, nil, nil, "missing variable NEED (required by .env.example:3)"},
	} {
		env, kept, injected, err := Merge(tc.base, set, tc.o)
		if tc.missing != "" {
			var me *MissingError
			if !errors.As(err, &me) || err.Error() != tc.missing {
				t.Errorf("%s: err %v, want %q", tc.name, err, tc.missing)
			}
			continue
		}
		var inj []string
		for k := range injected {
			inj = append(inj, k)
		}
		slices.Sort(inj)
		if err != nil || !slices.Equal(env, tc.env) || !slices.Equal(kept, tc.kept) || !slices.Equal(inj, tc.injected) {
			t.Errorf("%s: env %q kept %q injected %q err %v", tc.name, env, kept, inj, err)
		}
	}
}

func TestSpecVarsBinary(t *testing.T) {
	_, err := specVars(Spec{Name: "s", Var: "V"}, store.Secret{Value: secret.NewBytes([]byte{0, 1, 'c'}, true)})
	if !errors.Is(err, ErrBinary) || strings.Contains(err.Error(), "\x00") {
		t.Errorf("binary NAME=VAR: %v", err)
	}
}
