package commands

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/rotate/rotatetest"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// needDB skips without the database, loudly; in CI it fails.
func needDB(t *testing.T, what string, err error) { rotatetest.NeedService(t, what, err) }

func rotUniq(p string) string { return rotatetest.Uniq(p) }

func mariaRoot(t *testing.T) *sql.DB { return rotatetest.MariaDB(t) }

func mariaLogin(user, pw, dbname string) error {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = user, pw, "tcp", "127.0.0.1:3306", dbname
	conn, _ := mysql.NewConnector(cfg)
	db := sql.OpenDB(conn)
	defer db.Close()
	var n int
	return db.QueryRow("SELECT COUNT(*) FROM t").Scan(&n)
}

// TestRotateMariaDBResumesThroughCLI: a MariaDB user behind a secret; the
// database goes away during `rotate`, `rotation status` shows the stuck
// AWSPENDING, and the next `rotate` finishes with the same version.
func TestRotateMariaDBResumesThroughCLI(t *testing.T) {
	db := mariaRoot(t)
	user, schema, pw := rotUniq("cli_"), rotUniq("clidb_"), canary(t)
	for _, q := range []string{"CREATE DATABASE " + schema, "CREATE TABLE " + schema + ".t (x int)"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec("CREATE USER ?@'%' IDENTIFIED BY ?", user, pw); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("GRANT SELECT ON "+schema+".* TO ?@'%'", user); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.Exec("DROP USER IF EXISTS ?@'%'", user)
		_, _ = db.Exec("DROP DATABASE IF EXISTS " + schema)
	})
	px := rotatetest.StartProxy(t, "127.0.0.1:3306")
	c := newTestCLI(t)
	c.mustRun(fmt.Sprintf(`{"engine":"mariadb","host":"127.0.0.1","port":%d,"username":%q,"password":%q,"dbname":%q}`, px.Port(), user, pw, schema), "create", "db/app")
	c.mustRun("", "rotation", "set", "db/app", "--rotator", "mysql", "--every", "30d")

	px.SetDown(true)
	r := c.run("", "rotate", "db/app")
	if r.code != 2 || !strings.Contains(r.errOut, "setSecret") {
		t.Fatalf("rotate with the database down: exit %d\n%s", r.code, r.errOut)
	}
	st := c.mustRun("", "rotation", "status", "db/app", "-o", "json")
	i := strings.Index(st.out, `"pendingVersionId": "`)
	if i < 0 {
		t.Fatalf("status does not show the stuck AWSPENDING:\n%s", st.out)
	}
	pending := st.out[i+len(`"pendingVersionId": "`):][:36]
	if err := mariaLogin(user, pw, schema); err != nil {
		t.Fatalf("AWSCURRENT stopped working after the failed rotation: %v", err)
	}

	px.SetDown(false)
	r = c.mustRun("", "rotate", "db/app", "-o", "json")
	if !strings.Contains(r.errOut, "resuming the unfinished rotation "+pending[:8]) || !strings.Contains(r.out, `"versionId": "`+pending+`"`) {
		t.Fatalf("rotate did not resume %s:\n%s\n%s", pending, r.out, r.errOut)
	}
	newVal := c.mustRun("", "get", "db/app", "--key", "password").out
	newPW := strings.TrimSpace(newVal)
	if err := mariaLogin(user, newPW, schema); err != nil {
		t.Fatalf("the new AWSCURRENT does not log in: %v", err)
	}
	if err := mariaLogin(user, pw, schema); err == nil {
		t.Fatal("the old password still logs in after a single-user rotation")
	}
	for _, o := range []string{r.out, r.errOut, st.out, st.errOut} {
		assertNoLeak(t, pw, o)
		assertNoLeak(t, newPW, o)
	}
}

// TestRotatePostgresAlternatingThroughCLI: the master secret creates
// user_clone and grants it the user's role; AWSCURRENT always reads.
func TestRotatePostgresAlternatingThroughCLI(t *testing.T) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, "host=127.0.0.1 port=5432 user=postgres dbname=postgres sslmode=disable")
	needDB(t, "PostgreSQL on 127.0.0.1:5432 (user postgres)", err)
	t.Cleanup(func() { admin.Close(context.Background()) })
	app, master, table := rotUniq("cliapp_"), rotUniq("climaster_"), rotUniq("clit_")
	pw, mpw := canary(t), canary(t)+"m"
	for _, q := range []string{
		fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s'", app, pw),
		fmt.Sprintf("CREATE TABLE %s (x int)", table),
		fmt.Sprintf("GRANT SELECT ON %s TO %s", table, app),
		fmt.Sprintf("CREATE ROLE %s LOGIN CREATEROLE PASSWORD '%s'", master, mpw),
		fmt.Sprintf("GRANT %s TO %s WITH ADMIN OPTION", app, master),
	} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, q := range []string{"DROP TABLE IF EXISTS " + table, "DROP ROLE IF EXISTS " + app + "_clone", "DROP ROLE IF EXISTS " + app, "DROP ROLE IF EXISTS " + master} {
			_, _ = admin.Exec(context.Background(), q)
		}
	})
	c := newTestCLI(t)
	c.mustRun(fmt.Sprintf(`{"engine":"postgres","host":"127.0.0.1","port":5432,"username":%q,"password":%q}`, master, mpw), "create", "db/master")
	c.mustRun(fmt.Sprintf(`{"engine":"postgres","host":"127.0.0.1","port":5432,"username":%q,"password":%q,"dbname":"postgres","masterarn":"db/master"}`, app, pw), "create", "db/pg")
	c.mustRun("", "rotation", "set", "db/pg", "--rotator", "postgres", "--strategy", "alternating-users")
	users := []string{app + "_clone", app, app + "_clone"}
	for i, want := range users {
		r := c.mustRun("", "rotate", "db/pg")
		got := strings.TrimSpace(c.mustRun("", "get", "db/pg", "--key", "username").out)
		if got != want {
			t.Fatalf("rotation %d: AWSCURRENT user %s, want %s\n%s", i+1, got, want, r.errOut)
		}
		// The clone reads the table through its membership in the app role.
		var n int
		conn, err := pgx.Connect(ctx, fmt.Sprintf("host=127.0.0.1 port=5432 user=%s dbname=postgres sslmode=disable", got))
		if err != nil {
			t.Fatal(err)
		}
		err = conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n)
		conn.Close(ctx)
		if err != nil {
			t.Fatalf("rotation %d: %s cannot read the table: %v", i+1, got, err)
		}
		assertNoLeak(t, pw, r.out, r.errOut)
		assertNoLeak(t, mpw, r.out, r.errOut)
	}
	var member bool
	if err := admin.QueryRow(ctx, "SELECT pg_has_role($1, $2, 'MEMBER')", app+"_clone", app).Scan(&member); err != nil || !member {
		t.Fatalf("%s_clone is not a member of %s: %v", app, app, err)
	}
}
