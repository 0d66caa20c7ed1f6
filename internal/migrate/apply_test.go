package migrate

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/awsx/awsxtest"
	"github.com/secretctl/secretctl/internal/rotate"
	"github.com/secretctl/secretctl/internal/scan"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/awssm"
	"github.com/secretctl/secretctl/internal/store/local"
)

// sampleValues are the seed's sample app values, kept under testdata/
// (which the project's self-scan allowlists), by the variable they get.
var sampleValues = func() map[string]string {
	b, err := os.ReadFile(filepath.Join("testdata", "sample-values.json"))
	if err != nil {
		panic(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return m
}()

// TestMain runs the test binary as a migrate --apply helper when asked:
// the kill -9 test drives a real process that stops between storing and
// rewriting.
func TestMain(m *testing.M) {
	if os.Getenv("SECRETCTL_MIGRATE_HELPER") == "1" {
		os.Exit(helperApply())
	}
	os.Exit(m.Run())
}

func helperApply() int {
	ctx := context.Background()
	root, home, marker := os.Getenv("HELPER_ROOT"), os.Getenv("HELPER_HOME"), os.Getenv("HELPER_MARKER")
	st, err := local.Open(ctx, local.Options{Home: home})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	p, err := planFor(ctx, root, "prod/myapp", st)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	_, err = Apply(ctx, p, st, ApplyOptions{BeforeStep: func(step string) error {
		if strings.HasPrefix(step, "rewrite ") {
			// Stored and verified: tell the parent, then wait for SIGKILL.
			_ = os.WriteFile(marker, []byte(step), 0o644)
			time.Sleep(time.Minute)
		}
		return nil
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	return 0
}

// planFor is what the command does: find, read the stored names, plan.
func planFor(ctx context.Context, root, to string, st store.Store) (*Plan, error) {
	fs, files, err := Find(ctx, root, scanOpts())
	if err != nil {
		return nil, err
	}
	stored, err := Stored(ctx, st, to, false)
	if err != nil {
		return nil, err
	}
	return BuildPlan(Input{Root: root, To: to, Findings: fs, Files: files, EnvExample: ".env.example", Stored: stored})
}

type backend struct {
	name string
	open func(t *testing.T) store.Store
}

func backends() []backend {
	return []backend{
		{"local", func(t *testing.T) store.Store {
			st, err := local.Open(t.Context(), local.Options{Home: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}},
		{"aws-kumo", func(t *testing.T) store.Store {
			ep := awsxtest.StartKumo(t)
			c := awsx.NewClients(awsxtest.Config(t, ep), ep)
			return awssm.New(c.SecretsManager, awssm.Options{})
		}},
	}
}

// gitRepo commits everything under dir in a new repository.
func gitRepo(t *testing.T, dir string) {
	t.Helper()
	need(t, "git")
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "seed"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

func sampleRepo(t *testing.T) string {
	root := copyTree(t, "sample")
	gitRepo(t, root)
	return root
}

func fields(t *testing.T, st store.Store, name string, o store.GetOptions) map[string]string {
	t.Helper()
	s, err := st.Get(t.Context(), name, o)
	if err != nil {
		t.Fatalf("get %s: %v", name, err)
	}
	m, err := jsonFields(s.Value)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func unique(t *testing.T) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "migrate-test/" + hex.EncodeToString(b) + "/myapp"
}

func TestApplySample(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			st := b.open(t)
			root := sampleRepo(t)
			to := unique(t)
			orig, _ := os.ReadFile(filepath.Join(root, "config.js"))
			p, err := planFor(ctx, root, to, st)
			if err != nil {
				t.Fatal(err)
			}
			if p.Migrate != 3 || p.Manual != 0 || len(p.Groups) != 1 {
				t.Fatalf("plan migrates %d, %d manual, %d groups; want 3, 0, 1", p.Migrate, p.Manual, len(p.Groups))
			}
			res, err := Apply(ctx, p, st, ApplyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Secrets) != 1 || res.Secrets[0].Outcome != "created" {
				t.Errorf("secrets = %+v; want one created", res.Secrets)
			}
			if got := fields(t, st, to, store.GetOptions{}); fmt.Sprint(got) != fmt.Sprint(sampleValues) {
				t.Errorf("stored %d keys; want the three sample values", len(got))
			}
			now, _ := os.ReadFile(filepath.Join(root, "config.js"))
			for _, v := range sampleValues {
				if bytes.Contains(now, []byte(v)) {
					t.Errorf("config.js still holds a value")
				}
			}
			ex, _ := os.ReadFile(filepath.Join(root, ".env.example"))
			if string(ex) != "# Variables the code reads. The values are stored in "+to+":\n#   secretctl exec --secret "+to+" -- <command>\nAPI_KEY=\nAPI_SECRET=\nDATABASE_PASSWORD=\n" {
				t.Errorf(".env.example = %q", ex)
			}
			// The rewritten program prints the original values.
			if _, err := exec.LookPath("node"); err == nil || os.Getenv("CI") == "true" {
				need(t, "node")
				js := `console.log(JSON.stringify(require("./config.js")))`
				var env []string
				for k, v := range sampleValues {
					env = append(env, k+"="+v)
				}
				want := output(t, copyTree(t, "sample"), nil, "node", "-e", js)
				if got := output(t, root, env, "node", "-e", js); got != want {
					t.Errorf("rewritten config.js prints %q; the original %q", got, want)
				}
				output(t, root, nil, "node", "--check", "config.js")
			}
			// A rerun has nothing left to do.
			again, err := planFor(ctx, root, to, st)
			if err != nil {
				t.Fatal(err)
			}
			if again.Pending() {
				t.Errorf("after --apply the plan still has %d to migrate, %d manual", again.Migrate, again.Manual)
			}
			// git is the undo.
			cmd := exec.Command("git", "checkout", "--", "config.js")
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git checkout: %v %s", err, out)
			}
			if now, _ := os.ReadFile(filepath.Join(root, "config.js")); !bytes.Equal(now, orig) {
				t.Error("git checkout did not restore config.js")
			}
		})
	}
}

// TestApplyFaults: every failure leaves each value stored or in its file,
// each file untouched or rewritten, and a rerun finishes the job.
func TestApplyFaults(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Run("fails-before-rewrite-then-rerun", func(t *testing.T) {
				ctx := t.Context()
				st := b.open(t)
				root, to := sampleRepo(t), unique(t)
				p, _ := planFor(ctx, root, to, st)
				boom := errors.New("injected")
				_, err := Apply(ctx, p, st, ApplyOptions{BeforeStep: func(s string) error {
					if strings.HasPrefix(s, "rewrite ") {
						return boom
					}
					return nil
				}})
				if !errors.Is(err, boom) {
					t.Fatalf("Apply = %v; want the injected error", err)
				}
				if got := fields(t, st, to, store.GetOptions{}); len(got) != 3 {
					t.Fatalf("stored %d values before the failure; want 3", len(got))
				}
				assertUntouched(t, root)
				rerunCompletes(t, st, root, to, "reused")
			})
			t.Run("store-unreachable", func(t *testing.T) {
				ctx := t.Context()
				root, to := sampleRepo(t), unique(t)
				p, _ := planFor(ctx, root, to, b.open(t))
				dead := unreachable(t, b.name)
				if _, err := Apply(ctx, p, dead, ApplyOptions{}); err == nil {
					t.Fatal("Apply with an unreachable store succeeded")
				}
				assertUntouched(t, root)
				rerunCompletes(t, b.open(t), root, to, "created")
			})
			t.Run("read-only-file", func(t *testing.T) {
				ctx := t.Context()
				st := b.open(t)
				root, to := sampleRepo(t), unique(t)
				cfg := filepath.Join(root, "config.js")
				if err := os.Chmod(cfg, 0o444); err != nil {
					t.Fatal(err)
				}
				p, _ := planFor(ctx, root, to, st)
				_, err := Apply(ctx, p, st, ApplyOptions{})
				if !errors.Is(err, ErrReadOnly) {
					t.Fatalf("Apply = %v; want ErrReadOnly", err)
				}
				if _, err := st.Get(ctx, to, store.GetOptions{}); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("a refused run stored values (get: %v)", err)
				}
				assertUntouched(t, root)
				if err := os.Chmod(cfg, 0o444|0o200); err != nil {
					t.Fatal(err)
				}
				rerunCompletes(t, st, root, to, "created")
				if fi, _ := os.Stat(cfg); fi.Mode().Perm() != 0o644 {
					t.Errorf("mode after the rewrite = %04o; want 0644 kept", fi.Mode().Perm())
				}
			})
		})
	}
}

// TestApplyKill9 kills a real migrate process after it stored and verified
// the values and before it rewrote anything.
func TestApplyKill9(t *testing.T) {
	root, home := sampleRepo(t), t.TempDir()
	marker := filepath.Join(t.TempDir(), "marker")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SECRETCTL_MIGRATE_HELPER=1", "HELPER_ROOT="+root, "HELPER_HOME="+home, "HELPER_MARKER="+marker)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the helper never reached the rewrite step: %s", errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("helper ended with %v; want killed", err)
	}
	assertUntouched(t, root)
	st, err := local.Open(t.Context(), local.Options{Home: home})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := fields(t, st, "prod/myapp", store.GetOptions{}); len(got) != 3 {
		t.Fatalf("after kill -9 the store holds %d values; want 3", len(got))
	}
	rerunCompletes(t, st, root, "prod/myapp", "reused")
}

func TestApplyIdempotentAndConflicts(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			st := b.open(t)
			root, to := sampleRepo(t), unique(t)
			// Another value is stored under DATABASE_PASSWORD already.
			other := secret.New(`{"DATABASE_PASSWORD":"canary-other-value","KEEP":"canary-kept"}`)
			if _, err := st.Create(ctx, to, store.CreateInput{Value: other}); err != nil {
				t.Fatal(err)
			}
			p, _ := planFor(ctx, root, to, st)
			_, err := Apply(ctx, p, st, ApplyOptions{})
			if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "DATABASE_PASSWORD") || strings.Contains(err.Error(), "canary") {
				t.Fatalf("Apply = %v; want a conflict naming DATABASE_PASSWORD and no value", err)
			}
			assertUntouched(t, root)
			res, err := Apply(ctx, p, st, ApplyOptions{Overwrite: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Secrets[0].Outcome != "updated" {
				t.Errorf("outcome = %s; want updated", res.Secrets[0].Outcome)
			}
			cur := fields(t, st, to, store.GetOptions{})
			if cur["DATABASE_PASSWORD"] != sampleValues["DATABASE_PASSWORD"] || cur["KEEP"] != "canary-kept" || len(cur) != 4 {
				t.Errorf("after --overwrite the secret has %d keys; want the 3 values merged over the kept key", len(cur))
			}
			if prev := fields(t, st, to, store.GetOptions{Stage: store.StagePrevious}); prev["DATABASE_PASSWORD"] != "canary-other-value" {
				t.Error("AWSPREVIOUS does not hold the overwritten value")
			}
		})
	}
}

func TestApplyDirty(t *testing.T) {
	ctx := t.Context()
	st := backends()[0].open(t)
	root, to := sampleRepo(t), unique(t)
	cfg := filepath.Join(root, "config.js")
	b, _ := os.ReadFile(cfg)
	if err := os.WriteFile(cfg, append(b, []byte("// local edit\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	p, _ := planFor(ctx, root, to, st)
	if _, err := Apply(ctx, p, st, ApplyOptions{}); !errors.Is(err, ErrDirty) {
		t.Fatalf("Apply on a dirty file = %v; want ErrDirty", err)
	}
	if _, err := st.Get(ctx, to, store.GetOptions{}); !errors.Is(err, store.ErrNotFound) {
		t.Error("a refused run stored values")
	}
	if _, err := Apply(ctx, p, st, ApplyOptions{AllowDirty: true}); err != nil {
		t.Fatalf("--allow-dirty: %v", err)
	}
	// Outside git it is refused too: there is no undo.
	bare := copyTree(t, "sample")
	p2, _ := planFor(ctx, bare, unique(t), st)
	if _, err := Apply(ctx, p2, st, ApplyOptions{}); err == nil || !strings.Contains(err.Error(), "not in a git repository") {
		t.Errorf("Apply outside git = %v", err)
	}
}

func TestApplySplitAndRDS(t *testing.T) {
	ctx := t.Context()
	st := backends()[0].open(t)
	t.Run("split", func(t *testing.T) {
		root, to := sampleRepo(t), unique(t)
		fs, files, _ := Find(ctx, root, scanOpts())
		p, err := BuildPlan(Input{Root: root, To: to, Split: true, Findings: fs, Files: files})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Apply(ctx, p, st, ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		for k, v := range sampleValues {
			s, err := st.Get(ctx, to+"/"+k, store.GetOptions{})
			if err != nil || s.Value.RevealString() != v {
				t.Errorf("%s/%s: err %v", to, k, err)
			}
		}
		if p.Run != "secretctl exec --secret "+to+"/ -- COMMAND" {
			t.Errorf("run = %q", p.Run)
		}
	})
	t.Run("rds", func(t *testing.T) {
		root, to := sampleRepo(t), unique(t)
		fs, files, _ := Find(ctx, root, scanOpts())
		p, err := BuildPlan(Input{Root: root, To: to, RDS: true, Findings: fs, Files: files})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Apply(ctx, p, st, ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		s, err := st.Get(ctx, to+"/database", store.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		db, err := rotate.ParseDBSecret(s.Value, 5432, "")
		if err != nil {
			t.Fatalf("the RDS-shape secret does not parse as a rotation secret: %v", err)
		}
		if db.Host != "db.example.com" || db.Username != "admin" || db.Password != sampleValues["DATABASE_PASSWORD"] {
			t.Errorf("rds secret = host %q user %q (password equal %v)", db.Host, db.Username, db.Password == sampleValues["DATABASE_PASSWORD"])
		}
		if got := fields(t, st, to, store.GetOptions{}); len(got) != 2 || got["API_KEY"] == "" {
			t.Errorf("the main secret has %d keys; want API_KEY and API_SECRET", len(got))
		}
		js, _ := os.ReadFile(filepath.Join(root, "config.js"))
		for _, want := range []string{"host: process.env.DATABASE_HOST", "username: process.env.DATABASE_USERNAME", "password: process.env.DATABASE_PASSWORD"} {
			if !strings.Contains(string(js), want) {
				t.Errorf("config.js lacks %q", want)
			}
		}
		if !strings.Contains(p.Run, "'"+to+"/database#password=DATABASE_PASSWORD'") {
			t.Errorf("run = %q", p.Run)
		}
	})
}

func assertUntouched(t *testing.T, root string) {
	t.Helper()
	got, _ := os.ReadFile(filepath.Join(root, "config.js"))
	want, _ := os.ReadFile(filepath.Join("testdata", "sample", "config.js"))
	if !bytes.Equal(got, want) {
		t.Errorf("config.js was changed:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(root, ".env.example")); err == nil {
		t.Error(".env.example was written")
	}
	left, _ := filepath.Glob(filepath.Join(root, ".*.secretctl-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// rerunCompletes runs the migration again and checks it finished the job.
func rerunCompletes(t *testing.T, st store.Store, root, to, outcome string) {
	t.Helper()
	ctx := t.Context()
	p, err := planFor(ctx, root, to, st)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Apply(ctx, p, st, ApplyOptions{})
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if len(res.Secrets) != 1 || res.Secrets[0].Outcome != outcome || len(res.Rewritten) != 1 {
		t.Errorf("rerun: secrets %+v, rewrote %v; want %s and config.js", res.Secrets, res.Rewritten, outcome)
	}
	if got := fields(t, st, to, store.GetOptions{}); fmt.Sprint(got) != fmt.Sprint(sampleValues) {
		t.Errorf("after the rerun the store holds %d keys", len(got))
	}
	if again, _ := planFor(ctx, root, to, st); again.Pending() {
		t.Error("after the rerun there is still something to migrate")
	}
}

// unreachable is a store whose backend does not answer: a local store
// already closed, or the AWS SDK pointed at a closed port.
func unreachable(t *testing.T, kind string) store.Store {
	if kind == "local" {
		st, err := local.Open(t.Context(), local.Options{Home: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		return st
	}
	ep := "http://127.0.0.1:1"
	cfg := awsxtest.Config(t, ep)
	cfg.RetryMaxAttempts = 1
	c := awsx.NewClients(cfg, ep)
	return awssm.New(c.SecretsManager, awssm.Options{})
}

func scanOpts() scan.Options { return scan.Options{} }

// TestApplyEnvFiles: a .env that held a value is added to .gitignore, and
// the env example lists every variable the code now reads, keeping the
// lines it had.
func TestApplyEnvFiles(t *testing.T) {
	ctx := t.Context()
	st := backends()[0].open(t)
	root := copyTree(t, "polyglot")
	if err := os.WriteFile(filepath.Join(root, ".env.example"), []byte("APP_PORT=\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ".gitignore"), []byte("node_modules/"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitRepo(t, root)
	p, err := planFor(ctx, root, "prod/poly", st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(ctx, p, st, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	gi, _ := os.ReadFile(filepath.Join(root, ".gitignore"))
	if string(gi) != "node_modules/\ncompose/.env\n" {
		t.Errorf(".gitignore = %q", gi)
	}
	ex, _ := os.ReadFile(filepath.Join(root, ".env.example"))
	lines := strings.Split(strings.TrimSpace(string(ex)), "\n")
	if lines[0] != "APP_PORT=" || len(lines) != 1+len(p.EnvNames) {
		t.Errorf(".env.example = %q; want APP_PORT= then the %d names", ex, len(p.EnvNames))
	}
	for _, n := range p.EnvNames {
		if !strings.Contains(string(ex), "\n"+n+"=\n") {
			t.Errorf(".env.example lacks %s", n)
		}
	}
	if strings.Contains(string(ex), "canary") {
		t.Error(".env.example holds a value")
	}
	// A second apply changes neither file.
	p2, _ := planFor(ctx, root, "prod/poly", st)
	if _, err := Apply(ctx, p2, st, ApplyOptions{AllowDirty: true}); err != nil {
		t.Fatal(err)
	}
	if gi2, _ := os.ReadFile(filepath.Join(root, ".gitignore")); !bytes.Equal(gi, gi2) {
		t.Error("a rerun changed .gitignore")
	}
	if ex2, _ := os.ReadFile(filepath.Join(root, ".env.example")); !bytes.Equal(ex, ex2) {
		t.Error("a rerun changed .env.example")
	}
}
