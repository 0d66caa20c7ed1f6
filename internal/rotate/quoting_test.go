package rotate

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/secretctl/secretctl/internal/store"
)

// TestHostileNamesAndPasswords rotates users whose names carry quotes,
// backticks and spaces, with passwords drawn from every punctuation
// character (the templates' exclusions lifted), in both strategies.
func TestHostileNamesAndPasswords(t *testing.T) {
	none := ""
	params := Params{Exclude: &none, Length: 48}
	for _, strategy := range []string{SingleUser, AlternatingUsers} {
		t.Run("postgres/"+strategy, func(t *testing.T) {
			c := scramCluster(t)
			admin := c.admin(t)
			app := `o'k "` + uniq("app") + `" x`
			ident := pgx.Identifier{app}.Sanitize()
			pw := canary(t) + `'"\;`
			ctx := ctxT(t)
			if _, err := admin.Exec(ctx, "CREATE ROLE "+ident+" LOGIN PASSWORD $1", pgx.QueryExecModeSimpleProtocol, pw); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				for _, r := range []string{app + "_clone", app} {
					_, _ = admin.Exec(context.Background(), "DROP ROLE IF EXISTS "+pgx.Identifier{r}.Sanitize())
				}
			})
			s := openLocal(t, "")
			master := ""
			if strategy == AlternatingUsers {
				// The cluster's superuser as master.
				master = "hostile/master"
				mustCreateValue(t, s, master, dbJSON("postgres", "127.0.0.1", c.port, "postgres", c.superPW, "postgres", ""))
			}
			mustCreateValue(t, s, "hostile/pg", dbJSON("postgres", "127.0.0.1", c.port, app, pw, "postgres", master))
			configure(t, s, "hostile/pg", Config{Rotator: RotatorPostgres, Strategy: strategy, Params: params})
			rotateTwiceAndLogin(t, s, "hostile/pg", func(u, p string) error { return pgLogin(ctx, "127.0.0.1", c.port, u, p) })
		})
		t.Run("mysql/"+strategy, func(t *testing.T) {
			db := mariadb(t)
			app := "o'k`" + uniq("a")[:8] + " x"
			pw := canary(t) + `'"\;`
			myExec(t, db, "CREATE USER ?@'%' IDENTIFIED BY ?", app, pw)
			t.Cleanup(func() {
				for _, u := range []string{app, app + "_clone"} {
					_, _ = db.Exec("DROP USER IF EXISTS ?@'%'", u)
				}
			})
			s := openLocal(t, "")
			master := ""
			if strategy == AlternatingUsers {
				m, mpw := uniq("hm_"), canary(t)
				myExec(t, db, "CREATE USER ?@'%' IDENTIFIED BY ?", m, mpw)
				myExec(t, db, "GRANT ALL ON *.* TO ?@'%' WITH GRANT OPTION", m)
				t.Cleanup(func() { _, _ = db.Exec("DROP USER IF EXISTS ?@'%'", m) })
				master = "hostile/master"
				mustCreateValue(t, s, master, dbJSON("mariadb", "127.0.0.1", 3306, m, mpw, "", ""))
			}
			mustCreateValue(t, s, "hostile/my", dbJSON("mariadb", "127.0.0.1", 3306, app, pw, "", master))
			configure(t, s, "hostile/my", Config{Rotator: RotatorMySQL, Strategy: strategy, Params: params})
			rotateTwiceAndLogin(t, s, "hostile/my", func(u, p string) error { return myLogin(ctxT(t), "127.0.0.1", 3306, u, p) })
		})
	}
}

func rotateTwiceAndLogin(t *testing.T, s store.Store, name string, login func(u, p string) error) {
	t.Helper()
	var progress syncBuf
	e := &Engine{Store: s, Progress: &progress}
	seen := []string{}
	for i := 0; i < 2; i++ {
		if _, err := e.Rotate(ctxT(t), name); err != nil {
			t.Fatalf("rotation %d: %v", i+1, err)
		}
		cur := mustStage(t, s, name, store.StageCurrent)
		d, err := ParseDBSecret(cur.Value, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, d.Password)
		if err := login(d.Username, d.Password); err != nil {
			t.Fatalf("rotation %d: AWSCURRENT (%s) does not log in: %v", i+1, d.Username, err)
		}
	}
	assertNoLeak(t, seen, progress.String())
}
