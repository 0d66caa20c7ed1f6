package rotate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/rotate/rotatetest"

	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

// dbFixture is an application user behind a secret in a real local store,
// on a real database.
type dbFixture struct {
	rotator, strategy string
	home              string
	s                 store.Store
	name              string                                           // the application secret
	secrets           []string                                         // every password the fixture knew, for leak checks
	login             func(ctx context.Context, user, pw string) error // straight to the database
	canRead           func(ctx context.Context, user, pw string) error // reads the app's table
}

// stage returns the decoded secret at a stage.
func (f *dbFixture) stage(t *testing.T, stage string) (DBSecret, store.Secret) {
	t.Helper()
	sec := mustStage(t, f.s, f.name, stage)
	d, err := ParseDBSecret(sec.Value, 0, "")
	if err != nil {
		t.Fatalf("%s: %v", stage, err)
	}
	return d, sec
}

func (f *dbFixture) currentWorks(t *testing.T) {
	t.Helper()
	d, _ := f.stage(t, store.StageCurrent)
	f.secrets = append(f.secrets, d.Password)
	if err := f.canRead(ctxT(t), d.Username, d.Password); err != nil {
		t.Fatalf("AWSCURRENT (%s) does not work: %v", d.Username, err)
	}
}

// newFixture makes the users. port is where the secrets point (the
// database, or a proxy in front of it).
func newFixture(t *testing.T, rotator, strategy string, port func(direct int) int) *dbFixture {
	t.Helper()
	f := &dbFixture{rotator: rotator, strategy: strategy, home: t.TempDir()}
	f.s = openLocal(t, f.home)
	f.name = uniq("db/app-")
	app, pw := uniq("app_"), canary(t)
	f.secrets = append(f.secrets, pw)
	var masterRef string
	switch rotator {
	case RotatorPostgres:
		c := scramCluster(t)
		admin := c.admin(t)
		table := uniq("t_")
		pgExec(t, admin, fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s'", app, pw))
		pgExec(t, admin, fmt.Sprintf("CREATE TABLE %s (x int); GRANT SELECT ON %s TO %s", table, table, app))
		var master string
		if strategy == AlternatingUsers {
			master = uniq("master_")
			mpw := canary(t)
			f.secrets = append(f.secrets, mpw)
			// What alternating users need from the master: CREATEROLE and the
			// admin option on the application role (PostgreSQL 16 requires it).
			pgExec(t, admin, fmt.Sprintf("CREATE ROLE %s LOGIN CREATEROLE PASSWORD '%s'; GRANT %s TO %s WITH ADMIN OPTION", master, mpw, app, master))
			masterRef = f.name + "-master"
			mustCreateValue(t, f.s, masterRef, dbJSON("postgres", "127.0.0.1", port(c.port), master, mpw, "postgres", ""))
		}
		t.Cleanup(func() {
			ctx := context.Background()
			a := c.admin(t)
			for _, q := range []string{"DROP TABLE IF EXISTS " + table, "DROP ROLE IF EXISTS " + app + "_clone", "DROP ROLE IF EXISTS " + app} {
				_, _ = a.Exec(ctx, q)
			}
			if master != "" {
				_, _ = a.Exec(ctx, "DROP ROLE IF EXISTS "+master)
			}
		})
		mustCreateValue(t, f.s, f.name, dbJSON("postgres", "127.0.0.1", port(c.port), app, pw, "postgres", masterRef))
		f.login = func(ctx context.Context, u, p string) error { return pgLogin(ctx, "127.0.0.1", c.port, u, p) }
		f.canRead = func(ctx context.Context, u, p string) error {
			cn, err := (Postgres{}).Connect(ctx, DBSecret{Host: "127.0.0.1", Port: c.port, Username: u, Password: p, DBName: "postgres"})
			if err != nil {
				return err
			}
			defer cn.Close()
			var n int
			return cn.(*pgConn).c.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n)
		}
	case RotatorMySQL:
		db := mariadb(t)
		schema := uniq("db_")
		myExec(t, db, "CREATE DATABASE "+schema)
		myExec(t, db, "CREATE TABLE "+schema+".t (x int)")
		myExec(t, db, "CREATE USER ?@'%' IDENTIFIED BY ?", app, pw)
		myExec(t, db, "GRANT SELECT ON "+schema+".* TO ?@'%'", app)
		var master string
		if strategy == AlternatingUsers {
			master = uniq("master_")
			mpw := canary(t)
			f.secrets = append(f.secrets, mpw)
			// The least the master needs: CREATE USER, read access to the
			// grant tables, and every privilege of the app user WITH GRANT OPTION.
			myExec(t, db, "CREATE USER ?@'%' IDENTIFIED BY ?", master, mpw)
			myExec(t, db, "GRANT CREATE USER ON *.* TO ?@'%'", master)
			myExec(t, db, "GRANT SELECT ON mysql.* TO ?@'%'", master)
			myExec(t, db, "GRANT SELECT ON "+schema+".* TO ?@'%' WITH GRANT OPTION", master)
			masterRef = f.name + "-master"
			mustCreateValue(t, f.s, masterRef, dbJSON("mariadb", "127.0.0.1", port(3306), master, mpw, "", ""))
		}
		t.Cleanup(func() {
			for _, u := range []string{app, app + "_clone", master} {
				if u != "" {
					_, _ = db.Exec("DROP USER IF EXISTS ?@'%'", u)
				}
			}
			_, _ = db.Exec("DROP DATABASE IF EXISTS " + schema)
		})
		mustCreateValue(t, f.s, f.name, dbJSON("mariadb", "127.0.0.1", port(3306), app, pw, schema, masterRef))
		f.login = func(ctx context.Context, u, p string) error { return myLogin(ctx, "127.0.0.1", 3306, u, p) }
		f.canRead = func(ctx context.Context, u, p string) error {
			cn, err := (MySQL{}).Connect(ctx, DBSecret{Host: "127.0.0.1", Port: 3306, Username: u, Password: p, DBName: schema})
			if err != nil {
				return err
			}
			defer cn.Close()
			var n int
			return cn.(*myConn).db.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n)
		}
	}
	configure(t, f.s, f.name, Config{Rotator: rotator, Strategy: strategy})
	return f
}

func mustCreateValue(t *testing.T, s store.Store, name string, v secret.Value) {
	t.Helper()
	if _, err := s.Create(context.Background(), name, store.CreateInput{Value: v}); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
}

func direct(p int) int { return p }

var matrix = []struct{ rotator, strategy string }{
	{RotatorPostgres, SingleUser},
	{RotatorPostgres, AlternatingUsers},
	{RotatorMySQL, SingleUser},
	{RotatorMySQL, AlternatingUsers},
}

func TestDatabaseRotation(t *testing.T) {
	for _, m := range matrix {
		t.Run(m.rotator+"/"+m.strategy, func(t *testing.T) {
			f := newFixture(t, m.rotator, m.strategy, direct)
			var progress syncBuf
			e := &Engine{Store: f.s, Progress: &progress}
			base, _ := f.stage(t, store.StageCurrent)
			for i := 0; i < 3; i++ {
				before, beforeSec := f.stage(t, store.StageCurrent)
				res, err := e.Rotate(ctxT(t), f.name)
				if err != nil {
					t.Fatalf("rotation %d: %v", i+1, err)
				}
				cur, curSec := f.stage(t, store.StageCurrent)
				_, prevSec := f.stage(t, store.StagePrevious)
				f.secrets = append(f.secrets, cur.Password)
				if curSec.VersionID != res.VersionID || prevSec.VersionID != beforeSec.VersionID || !prevSec.Value.Equal(beforeSec.Value) {
					t.Fatalf("rotation %d: AWSCURRENT %s (want %s), AWSPREVIOUS %s (want %s)", i+1, curSec.VersionID, res.VersionID, prevSec.VersionID, beforeSec.VersionID)
				}
				if err := f.canRead(ctxT(t), cur.Username, cur.Password); err != nil {
					t.Fatalf("rotation %d: the new credential of %s does not work: %v", i+1, cur.Username, err)
				}
				if cur.Password == before.Password {
					t.Fatalf("rotation %d: the password did not change", i+1)
				}
				if m.strategy == SingleUser {
					if cur.Username != base.Username {
						t.Fatalf("single-user rotation changed the user to %s", cur.Username)
					}
					if err := f.login(ctxT(t), before.Username, before.Password); err == nil {
						t.Fatalf("rotation %d: the old password of %s still logs in", i+1, before.Username)
					}
				} else {
					want, _ := AltUsername(before.Username, 63)
					if cur.Username != want {
						t.Fatalf("rotation %d: user %s, want %s", i+1, cur.Username, want)
					}
					// The previous user keeps working until the next rotation.
					if err := f.login(ctxT(t), before.Username, before.Password); err != nil {
						t.Fatalf("rotation %d: AWSPREVIOUS (%s) stopped working: %v", i+1, before.Username, err)
					}
				}
			}
			assertNoLeak(t, f.secrets, progress.String())
			t.Logf("progress:\n%s", progress.String())
		})
	}
}

// TestDatabaseUnreachableAtSet takes the database away at setSecret.
func TestDatabaseUnreachableAtSet(t *testing.T) {
	for _, m := range matrix {
		t.Run(m.rotator+"/"+m.strategy, func(t *testing.T) {
			var px *rotatetest.Proxy
			f := newFixture(t, m.rotator, m.strategy, func(p int) int {
				if px == nil {
					px = rotatetest.StartProxy(t, fmt.Sprintf("127.0.0.1:%d", p))
				}
				return px.Port()
			})
			var progress syncBuf
			e := &Engine{Store: f.s, Progress: &progress, BeforeStep: func(_ string, s Step) error {
				if s == StepSet {
					px.SetDown(true)
				}
				return nil
			}}
			first, err := e.Rotate(ctxT(t), f.name)
			if err == nil || !strings.Contains(err.Error(), string(StepSet)) {
				t.Fatalf("rotate with the database down = %v; want a setSecret error", err)
			}
			px.SetDown(false)
			f.currentWorks(t)
			e.BeforeStep = nil
			second, err := e.Rotate(ctxT(t), f.name)
			if err != nil {
				t.Fatalf("rotate again: %v", err)
			}
			if second.VersionID != first.VersionID || !second.Resumed {
				t.Fatalf("second run token %s resumed=%v; want %s", second.VersionID, second.Resumed, first.VersionID)
			}
			f.currentWorks(t)
			assertNoLeak(t, f.secrets, progress.String(), err2s(err))
		})
	}
}

// TestDatabaseTestSecretFails fails testSecret after the password changed.
func TestDatabaseTestSecretFails(t *testing.T) {
	for _, m := range matrix {
		t.Run(m.rotator+"/"+m.strategy, func(t *testing.T) {
			f := newFixture(t, m.rotator, m.strategy, direct)
			var progress syncBuf
			e := &Engine{Store: f.s, Progress: &progress, BeforeStep: func(_ string, s Step) error {
				if s == StepTest {
					return errors.New("injected testSecret failure")
				}
				return nil
			}}
			first, err := e.Rotate(ctxT(t), f.name)
			if err == nil || !strings.Contains(err.Error(), string(StepTest)) {
				t.Fatalf("rotate = %v; want a testSecret error", err)
			}
			if restored := strings.Contains(progress.String(), "accepts the AWSCURRENT credential again"); restored != (m.strategy == SingleUser) {
				t.Errorf("restored the current password: %v; want it only in single-user mode:\n%s", restored, progress.String())
			}
			f.currentWorks(t)
			e.BeforeStep = nil
			second, err := e.Rotate(ctxT(t), f.name)
			if err != nil {
				t.Fatalf("rotate again: %v", err)
			}
			if second.VersionID != first.VersionID {
				t.Fatalf("second run token %s; want %s", second.VersionID, first.VersionID)
			}
			f.currentWorks(t)
			assertNoLeak(t, f.secrets, progress.String(), err2s(err))
		})
	}
}

const childEnv = "SECRETCTL_ROTATE_TEST_CHILD"

// childMain runs in a re-executed test binary: it rotates and blocks at
// the requested step, where the parent kills it with SIGKILL.
func childMain() int {
	parts := strings.SplitN(os.Getenv(childEnv), "|", 3)
	s, err := openLocalForChild(parts[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	e := &Engine{Store: s, Progress: os.Stderr, BeforeStep: func(_ string, st Step) error {
		if string(st) == parts[2] {
			fmt.Println("READY")
			select {}
		}
		return nil
	}}
	if _, err := e.Rotate(context.Background(), parts[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 3 // never reached the kill point
}

// killAt runs a rotation in a child process and SIGKILLs it before step.
func killAt(t *testing.T, home, name string, step Step) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+home+"|"+name+"|"+string(step))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	ready := false
	for sc.Scan() {
		if sc.Text() == "READY" {
			ready = true
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil && ready {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if !ready {
		t.Fatalf("the child never reached %s: %s", step, stderr.String())
	}
}

// TestDatabaseKilledBetweenSteps kills the rotating process (SIGKILL) at
// each step and resumes.
func TestDatabaseKilledBetweenSteps(t *testing.T) {
	for _, m := range matrix {
		for _, step := range []Step{StepCreate, StepSet, StepTest, StepFinish} {
			t.Run(m.rotator+"/"+m.strategy+"/"+string(step), func(t *testing.T) {
				f := newFixture(t, m.rotator, m.strategy, direct)
				killAt(t, f.home, f.name, step)
				meta, err := f.s.Describe(ctxT(t), f.name)
				if err != nil {
					t.Fatal(err)
				}
				token := meta.VersionWith(store.StagePending)
				if token == "" || token == meta.CurrentVersion() {
					t.Fatalf("no unfinished AWSPENDING after the kill: %v", meta.Versions)
				}
				if m.strategy == SingleUser && (step == StepTest || step == StepFinish) {
					// The user already has the new password; only AWSPENDING
					// works until the next run finishes the rotation.
					p, _ := f.stage(t, store.StagePending)
					if err := f.login(ctxT(t), p.Username, p.Password); err != nil {
						t.Fatalf("AWSPENDING does not work after a kill past setSecret: %v", err)
					}
				} else {
					f.currentWorks(t)
				}
				var progress syncBuf
				res, err := (&Engine{Store: f.s, Progress: &progress}).Rotate(ctxT(t), f.name)
				if err != nil {
					t.Fatalf("resume: %v", err)
				}
				if res.VersionID != token || !res.Resumed {
					t.Fatalf("resumed with %s (resumed=%v); want %s", res.VersionID, res.Resumed, token)
				}
				f.currentWorks(t)
				assertNoLeak(t, f.secrets, progress.String())
			})
		}
	}
}

// TestInterruptAfterSetRestoresCurrent: Ctrl-C (the context cancelled)
// after setSecret changed a single-user password puts the old one back, so
// AWSCURRENT keeps working, and the next run finishes with the same token.
func TestInterruptAfterSetRestoresCurrent(t *testing.T) {
	for _, rot := range []string{RotatorPostgres, RotatorMySQL} {
		t.Run(rot, func(t *testing.T) {
			f := newFixture(t, rot, SingleUser, direct)
			ctx, cancel := context.WithCancel(ctxT(t))
			defer cancel()
			var progress syncBuf
			e := &Engine{Store: f.s, Progress: &progress, BeforeStep: func(_ string, s Step) error {
				if s == StepTest {
					cancel() // what SIGINT does to the root context
				}
				return nil
			}}
			first, err := e.Rotate(ctx, f.name)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("rotate = %v; want context.Canceled", err)
			}
			f.currentWorks(t)
			e.BeforeStep = nil
			second, err := e.Rotate(ctxT(t), f.name)
			if err != nil || second.VersionID != first.VersionID {
				t.Fatalf("resume = %+v, %v; want token %s", second, err, first.VersionID)
			}
			f.currentWorks(t)
			assertNoLeak(t, f.secrets, progress.String())
		})
	}
}
