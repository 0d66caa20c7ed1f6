package rotate

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/secretctl/secretctl/internal/store"
)

// socketLogin logs in over the server's unix socket, where MariaDB matches
// the 'user'@'localhost' entry (TCP to 127.0.0.1 matches 'user'@'%' when
// the server skips name resolution, or 'user'@'127.0.0.1').
func socketLogin(ctx context.Context, sock, user, password string) error {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = user, password, "unix", sock
	cfg.Timeout = 5 * time.Second
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return err
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	var who string
	if err := db.QueryRowContext(ctx, "SELECT CURRENT_USER()").Scan(&who); err != nil {
		return err
	}
	if !strings.HasSuffix(who, "@localhost") {
		return &mysql.MySQLError{Number: 0, Message: "socket login matched " + who + ", not the localhost entry"}
	}
	return nil
}

// TestMySQLSingleUserEveryHost: a user with two host entries, 'u'@'%' and
// 'u'@'localhost', is rotated single-user. With the privileges to see and
// change both, both get the new password: the old one is refused over TCP
// ('u'@'%') and over the unix socket ('u'@'localhost'). Without CREATE
// USER, the rotation is refused naming both entries and nothing changes.
// Without read access to mysql.user, the step log says only the logged-in
// entry was changed.
func TestMySQLSingleUserEveryHost(t *testing.T) {
	root := mariadb(t)
	var sock string
	if err := root.QueryRow("SELECT @@socket").Scan(&sock); err != nil || sock == "" {
		t.Fatalf("the server's socket: %q %v", sock, err)
	}
	for _, tc := range []struct {
		name   string
		grants []string
		want   string // "rotated", "refused" or "noted"
	}{
		{"can change both", []string{"GRANT SELECT ON mysql.user TO ?@?", "GRANT CREATE USER ON *.* TO ?@?"}, "rotated"},
		{"lacks CREATE USER", []string{"GRANT SELECT ON mysql.user TO ?@?"}, "refused"},
		{"cannot read mysql.user", nil, "noted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			s := openLocal(t, home)
			name, user, pw := uniq("db/hosts-"), uniq("hu_"), canary(t)
			secrets := []string{pw}
			for _, h := range []string{"%", "localhost"} {
				myExec(t, root, "CREATE USER ?@? IDENTIFIED BY ?", user, h, pw)
				for _, g := range tc.grants {
					myExec(t, root, g, user, h)
				}
			}
			t.Cleanup(func() {
				for _, h := range []string{"%", "localhost"} {
					_, _ = root.Exec("DROP USER IF EXISTS ?@?", user, h)
				}
			})
			ctx := ctxT(t)
			tcp := func(p string) error { return myLogin(ctx, "127.0.0.1", 3306, user, p) }
			unix := func(p string) error { return socketLogin(ctx, sock, user, p) }
			for via, login := range map[string]func(string) error{"tcp": tcp, "socket": unix} {
				if err := login(pw); err != nil {
					t.Fatalf("before: %s login: %v", via, err)
				}
			}
			mustCreateValue(t, s, name, dbJSON("mariadb", "127.0.0.1", 3306, user, pw, "", ""))
			configure(t, s, name, Config{Rotator: RotatorMySQL, Strategy: SingleUser})

			var progress syncBuf
			e := &Engine{Store: s, Progress: &progress}
			_, err := e.Rotate(ctx, name)
			cur := mustStage(t, s, name, store.StageCurrent)
			d, perr := ParseDBSecret(cur.Value, 3306, "")
			if perr != nil {
				t.Fatal(perr)
			}
			secrets = append(secrets, d.Password)
			switch tc.want {
			case "rotated", "noted":
				if err != nil {
					t.Fatalf("rotate: %v\n%s", err, progress.String())
				}
				if d.Password == pw {
					t.Fatal("AWSCURRENT still holds the old password")
				}
				if err := tcp(pw); err == nil {
					t.Error("the old password still logs in over TCP ('u'@'%')")
				}
				if err := tcp(d.Password); err != nil {
					t.Errorf("the new password does not log in over TCP: %v", err)
				}
				if tc.want == "rotated" {
					if err := unix(pw); err == nil {
						t.Error("the old password still logs in over the socket ('u'@'localhost')")
					}
					if err := unix(d.Password); err != nil {
						t.Errorf("the new password does not log in over the socket: %v", err)
					}
					if !strings.Contains(progress.String(), "every host entry: `"+user+"`@`%`, `"+user+"`@`localhost`") {
						t.Errorf("the step log does not name both entries:\n%s", progress.String())
					}
				} else if !strings.Contains(progress.String(), "may not read mysql.user") {
					t.Errorf("no note that other host entries were not checked:\n%s", progress.String())
				}
			case "refused":
				if err == nil {
					t.Fatal("rotate succeeded without the privilege to change both host entries")
				}
				for _, want := range []string{"2 host entries", "`" + user + "`@`%`", "`" + user + "`@`localhost`", "CREATE USER", "nothing was changed"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
				for via, login := range map[string]func(string) error{"tcp": tcp, "socket": unix} {
					if err := login(pw); err != nil {
						t.Errorf("after the refusal the old password no longer logs in over %s: %v", via, err)
					}
				}
				assertNoLeak(t, secrets, err.Error())
			}
			assertNoLeak(t, secrets, progress.String())
		})
	}
}
