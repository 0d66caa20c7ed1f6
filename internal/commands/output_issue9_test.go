package commands

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/ui"
)

// widest is the display width of the widest line of s.
func widest(s string) int {
	w := 0
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		w = max(w, ansi.StringWidth(l))
	}
	return w
}

// TestTablesFitAnEightyColumnTerminal: on a TTY of 80 columns, list,
// describe and rotation status stay within the width, one line a row, with
// the names whole (issue 9, item 12). Piped output is not cut.
func TestTablesFitAnEightyColumnTerminal(t *testing.T) {
	c := newTestCLI(t)
	v := canary(t)
	desc := strings.Repeat("the orders service's primary database credentials ", 3)
	c.mustRun(v, "create", "prod/database/credentials", "--description", desc)
	c.mustRun(v+"-2", "create", "prod/api/key")
	c.mustRun(fmt.Sprintf(`{"engine":"postgres","host":"127.0.0.1","port":%d,"username":"x","password":"%sy"}`, closedPort(t), v), "create", "prod/orders/postgres-admin")
	c.mustRun("", "rotation", "set", "prod/orders/postgres-admin", "--rotator", "postgres", "--schedule", "cron(0 4 * * ? *)", "--window", "2h")
	c.mustRun("", "rotation", "set", "prod/api/key", "--rotator", "random", "--every", "1d")
	c.now = c.now.Add(48 * time.Hour)
	c.run("", "rotate", "--due") // the postgres rotation fails: its status row carries the error

	var all []string
	c.tty, c.width = true, 80
	for _, tc := range []struct {
		args  []string
		rows  int
		whole []string
	}{
		{[]string{"list", "--no-color"}, 3, []string{"prod/database/credentials", "prod/api/key"}},
		{[]string{"rotation", "status", "--no-color"}, 2, []string{"prod/orders/postgres-admin", "prod/api/key"}},
	} {
		r := c.mustRun("", tc.args...)
		all = append(all, r.out, r.errOut)
		if w := widest(r.out); w > 80 {
			t.Errorf("%s is %d columns wide on an 80-column terminal:\n%s", tc.args[0], w, r.out)
		}
		if n := strings.Count(r.out, "\n"); n != tc.rows+2 {
			t.Errorf("%s: %d lines, want a header, a rule and %d rows:\n%s", tc.args[0], n, tc.rows, r.out)
		}
		for _, name := range tc.whole {
			if !strings.Contains(r.out, name) {
				t.Errorf("%s cut the name %q:\n%s", tc.args[0], name, r.out)
			}
		}
		if !strings.Contains(r.out, "…") {
			t.Errorf("%s: no cell was shortened:\n%s", tc.args[0], r.out)
		}
	}

	// describe wraps its values instead: the description is all there.
	r := c.mustRun("", "describe", "prod/database/credentials", "--no-color")
	all = append(all, r.out, r.errOut)
	if w := widest(r.out); w > 80 {
		t.Errorf("describe is %d columns wide:\n%s", w, r.out)
	}
	if strings.Contains(r.out, "…") || !strings.Contains(strings.Join(strings.Fields(r.out), " "), strings.TrimSpace(desc)) {
		t.Errorf("describe lost part of the description:\n%s", r.out)
	}

	// Piped: nothing is cut, whatever the terminal.
	c.tty = false
	r = c.mustRun("", "list")
	all = append(all, r.out, r.errOut)
	if !strings.Contains(r.out, desc) || strings.Contains(r.out, "…") {
		t.Errorf("piped list was cut:\n%s", r.out)
	}
	assertNoLeak(t, v, all...)
}

// TestDescribeLastAccessedShowsTheDay: LastAccessedDate is kept to the day,
// so a read just now is "today", not "11 hours ago" (issue 9, item 22).
func TestDescribeLastAccessedShowsTheDay(t *testing.T) {
	c := newTestCLI(t)
	v := canary(t)
	c.mustRun(v, "create", "prod/db")
	c.mustRun("", "get", "prod/db")
	c.tty = true
	r := c.mustRun("", "describe", "prod/db", "--no-color")
	if !strings.Contains(r.out, "LastAccessed  today") {
		t.Errorf("describe on the day of a read:\n%s", r.out)
	}
	c.now = c.now.Add(24 * time.Hour)
	if r := c.mustRun("", "describe", "prod/db", "--no-color"); !strings.Contains(r.out, "LastAccessed  yesterday") {
		t.Errorf("describe the day after a read:\n%s", r.out)
	}
	c.now = c.now.Add(24 * time.Hour)
	if r := c.mustRun("", "describe", "prod/db", "--no-color"); !strings.Contains(r.out, "LastAccessed  2026-03-14") {
		t.Errorf("describe two days after a read:\n%s", r.out)
	}
	c.tty = false
	if r := c.mustRun("", "describe", "prod/db", "-o", "json"); !strings.Contains(r.out, `"lastAccessedDate": "2026-03-14T00:00:00Z"`) {
		t.Errorf("describe -o json:\n%s", r.out)
	}
	assertNoLeak(t, v, r.out, r.errOut)
}

// TestChangingCommandsPrintJSON: every command that changes something
// prints what it changed with -o json, naming the secret by arn and name
// as create does (issue 9, item 21).
func TestChangingCommandsPrintJSON(t *testing.T) {
	c := newTestCLI(t)
	v := canary(t)
	dir := t.TempDir()
	envFile := dir + "/app.env"
	if err := os.WriteFile(envFile, []byte("API_TOKEN="+v+"-env\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, tc := range []struct {
		stdin string
		args  []string
		want  []string // keys the JSON object must have, besides arn and name
	}{
		{v + "-1", []string{"create", "app/db"}, []string{"versionId"}},
		{v + "-2", []string{"put", "app/db"}, []string{"versionId", "stages"}},
		{"", []string{"update", "app/db", "--description", "orders"}, nil},
		{"", []string{"tag", "app/db", "team=payments", "env=prod"}, []string{"tags"}},
		{"", []string{"untag", "app/db", "env"}, []string{"removedTags"}},
		{"", []string{"rollback", "app/db"}, []string{"versionId"}},
		{"", []string{"rotation", "set", "app/db", "--rotator", "random", "--every", "1d"}, []string{"rotator", "schedule", "nextDue"}},
		{"", []string{"rotate", "app/db"}, []string{"versionId", "rotator"}},
		{"", []string{"rotation", "cancel", "app/db"}, []string{"removedStages"}},
		{"", []string{"delete", "app/db"}, []string{"deletionDate"}},
		{"", []string{"restore", "app/db"}, nil},
		{"", []string{"import", envFile, "--to", "app/env"}, []string{"action", "versionId"}},
	} {
		r := c.run(tc.stdin, append(tc.args, "-o", "json")...)
		all = append(all, r.out, r.errOut)
		name := strings.Join(tc.args[:min(2, len(tc.args))], " ")
		if r.code != 0 {
			t.Errorf("%s -o json: exit %d: %s", name, r.code, r.errOut)
			continue
		}
		var obj map[string]any
		raw := []byte(r.out)
		if tc.args[0] == "import" {
			var arr []map[string]any
			if err := json.Unmarshal(raw, &arr); err != nil || len(arr) != 1 {
				t.Errorf("%s -o json printed %q, want an array of one object (%v)", name, r.out, err)
				continue
			}
			obj = arr[0]
		} else if err := json.Unmarshal(raw, &obj); err != nil {
			t.Errorf("%s -o json printed %q, want a JSON object (%v)", name, r.out, err)
			continue
		}
		for _, k := range append([]string{"arn", "name"}, tc.want...) {
			if _, ok := obj[k]; !ok {
				t.Errorf("%s -o json lacks %q: %s", name, k, r.out)
			}
		}
		if arn, _ := obj["arn"].(string); !strings.HasPrefix(arn, "arn:aws:secretsmanager:") {
			t.Errorf("%s -o json: arn %q", name, arn)
		}
	}
	// init has no secret to name: it says where the store is.
	r := c.mustRun("", "init", "-o", "json")
	if !strings.Contains(r.out, `"home":`) || !strings.Contains(r.out, `"created": false`) {
		t.Errorf("init -o json: %s", r.out)
	}
	assertNoLeak(t, v, append(all, r.out, r.errOut)...)
}

// TestBadOutputFormatOneWording: -o xml gets the same one line and exit 2
// on every command, wherever the value comes from (issue 9, item 21).
func TestBadOutputFormatOneWording(t *testing.T) {
	c := newTestCLI(t)
	var paths [][]string
	var walk func(cmd *cobra.Command, path []string)
	walk = func(cmd *cobra.Command, path []string) {
		if cmd.Runnable() && !cmd.Hidden && len(path) > 0 {
			paths = append(paths, path)
		}
		for _, sub := range cmd.Commands() {
			if sub.Name() != "help" {
				walk(sub, append(slices.Clone(path), sub.Name()))
			}
		}
	}
	walk(NewRootCmd(NewFactory(ui.System(), "test")), nil)
	if len(paths) < 25 {
		t.Fatalf("found only %d commands: %v", len(paths), paths)
	}
	re := regexp.MustCompile(`^secretctl: invalid output format "xml": use [a-z]+((, [a-z]+)* or [a-z]+)? \(see 'secretctl --help'\)\n$`)
	// The arguments are placeholders: the command never runs, but its
	// argument count must pass for the flags to be checked.
	for _, p := range paths {
		var got []string
		ok := false
		for _, args := range [][]string{nil, {"x"}, {"x", "k=v"}} {
			// -o before the command: exec passes what follows its NAME to the child.
			r := c.run("", append(append([]string{"-o", "xml"}, p...), args...)...)
			if strings.Contains(r.errOut, "output format") {
				got = append(got, r.errOut)
				ok = ok || (re.MatchString(r.errOut) && r.code == 2 && r.out == "")
			}
		}
		if !ok {
			t.Errorf("%s -o xml: %q, want the one wording with exit 2", strings.Join(p, " "), got)
		}
	}
	// Each command names its own formats.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "-o", "csv"}, `invalid output format "csv": use table, json or yaml`},
		{[]string{"migrate", t.TempDir(), "-o", "yaml"}, `invalid output format "yaml": use table or json`},
		{[]string{"audit", "status", "-o", "csv"}, `invalid output format "csv": use table, json or yaml`},
	} {
		if r := c.run("", tc.args...); r.code != 2 || !strings.Contains(r.errOut, tc.want) {
			t.Errorf("%v: exit %d %q, want %q", tc.args, r.code, r.errOut, tc.want)
		}
	}
	for _, ok := range [][]string{{"audit", "-o", "csv"}, {"scan", t.TempDir(), "-o", "sarif"}} {
		if r := c.run("", ok...); strings.Contains(r.errOut, "output format") {
			t.Errorf("%v refused: %q", ok, r.errOut)
		}
	}
	// From the environment or the config file, the same line.
	c.env["SECRETCTL_OUTPUT"] = "xml"
	if r := c.run("", "list"); !strings.Contains(r.errOut, `invalid output format "xml": use table, json or yaml`) {
		t.Errorf("SECRETCTL_OUTPUT=xml: %q", r.errOut)
	}
	delete(c.env, "SECRETCTL_OUTPUT")
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("output: xml\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := c.run("", "--config", cfg, "list"); !strings.Contains(r.errOut, `invalid output format "xml": use table, json or yaml`) {
		t.Errorf("output: xml in the config file: %q", r.errOut)
	}
}

// TestEmptyList: on a TTY an empty list says so on stderr, naming the
// prefix; piped it prints nothing, and JSON prints [] (issue 9, item 21).
func TestEmptyList(t *testing.T) {
	c := newTestCLI(t)
	v := canary(t)
	c.mustRun(v, "create", "prod/db")
	for _, tc := range []struct {
		tty         bool
		args        []string
		out, errOut string
	}{
		{true, []string{"list", "staging/"}, "", "no secrets under \"staging/\"\n"},
		{true, []string{"list", "prod/", "--tag", "team=a"}, "", "no secrets under \"prod/\" tagged team=a\n"},
		{false, []string{"list", "staging/"}, "", ""},
		{false, []string{"list", "staging/", "-o", "json"}, "[]\n", ""},
		{true, []string{"list", "staging/", "-o", "json"}, "[]\n", ""},
	} {
		c.tty = tc.tty
		r := c.mustRun("", tc.args...)
		if r.out != tc.out || r.errOut != tc.errOut {
			t.Errorf("tty=%v %v: stdout %q stderr %q, want %q %q", tc.tty, tc.args, r.out, r.errOut, tc.out, tc.errOut)
		}
	}
	c.tty = false
	c.mustRun("", "delete", "prod/db", "--force")
	c.tty = true
	if r := c.mustRun("", "list"); r.errOut != "no secrets\n" || r.out != "" {
		t.Errorf("empty store on a TTY: %q %q", r.out, r.errOut)
	}
}

// TestConfigTypoWarns: an unknown key in the config file is reported in one
// stderr line naming the file and the key, and the command still runs.
func TestConfigTypoWarns(t *testing.T) {
	c := newTestCLI(t)
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("outptu: json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.mustRun("", "init")
	r := c.mustRun("", "--config", cfg, "list")
	if want := "secretctl: warning: config file " + cfg + ": unknown key \"outptu\" (did you mean \"output\"?)\n"; r.errOut != want {
		t.Errorf("stderr %q, want %q", r.errOut, want)
	}
}
