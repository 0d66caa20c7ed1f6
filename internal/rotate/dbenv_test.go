package rotate

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/secretctl/secretctl/internal/rotate/rotatetest"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/secretctl/secretctl/internal/secret"
)

const pgBin = "/usr/lib/postgresql/15/bin"

// pgCluster is a PostgreSQL cluster of the test's own, with scram-sha-256
// on TCP, so a wrong password is really refused (the system cluster trusts
// every TCP login).
type pgCluster struct {
	dir, superPW string
	port         int
}

var (
	pgOnce sync.Once
	pgC    *pgCluster
	pgErr  error
)

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// scramCluster starts the cluster once per test binary; TestMain stops it.
func scramCluster(t *testing.T) *pgCluster {
	t.Helper()
	pgOnce.Do(func() { pgC, pgErr = startCluster() })
	needService(t, "a scram-sha-256 PostgreSQL 15 cluster (initdb under "+pgBin+")", pgErr)
	return pgC
}

func runAsPostgres(args ...string) error {
	cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", filepath.Base(args[0]), err, lastLines(string(out)))
	}
	return nil
}

func lastLines(s string) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > 3 {
		l = l[len(l)-3:]
	}
	return strings.Join(l, " | ")
}

func startCluster() (*pgCluster, error) {
	if _, err := os.Stat(filepath.Join(pgBin, "initdb")); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "secretctl-pg-")
	if err != nil {
		return nil, err
	}
	c := &pgCluster{dir: dir, superPW: strings.ReplaceAll(uuid.NewString(), "-", "")}
	fail := func(err error) (*pgCluster, error) { os.RemoveAll(dir); return nil, err }
	if out, err := exec.Command("chown", "postgres:postgres", dir).CombinedOutput(); err != nil {
		return fail(fmt.Errorf("chown: %v: %s", err, out))
	}
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte(c.superPW+"\n"), 0o644); err != nil {
		return fail(err)
	}
	if err := runAsPostgres(pgBin+"/initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "--pwfile", pwFile,
		"--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"); err != nil {
		return fail(err)
	}
	if c.port, err = freePort(); err != nil {
		return fail(err)
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, dir)
	if err := runAsPostgres(pgBin+"/pg_ctl", "-D", filepath.Join(dir, "data"), "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start"); err != nil {
		return fail(err)
	}
	return c, nil
}

func (c *pgCluster) stop() {
	_ = runAsPostgres(pgBin+"/pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "stop")
	os.RemoveAll(c.dir)
}

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(childMain())
	}
	code := m.Run()
	if pgC != nil {
		pgC.stop()
	}
	os.Exit(code)
}

// pgLogin reports whether user/password can log in to the cluster.
func pgLogin(ctx context.Context, host string, port int, user, password string) error {
	c, err := (Postgres{}).Connect(ctx, DBSecret{Host: host, Port: port, Username: user, Password: password, DBName: "postgres"})
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Ping(ctx)
}

func (c *pgCluster) admin(t *testing.T) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=postgres sslmode=disable", c.port))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Password = c.superPW
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("connect as the cluster's superuser: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func pgExec(t *testing.T, c *pgx.Conn, sql string) {
	t.Helper()
	if _, err := c.Exec(context.Background(), sql, pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatalf("%s: %v", strings.SplitN(sql, " PASSWORD", 2)[0], err)
	}
}

// mariadb returns a root connection to the system MariaDB.
func mariadb(t *testing.T) *sql.DB { return rotatetest.MariaDB(t) }

func myExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", strings.SplitN(q, " IDENTIFIED", 2)[0], err)
	}
}

func myLogin(ctx context.Context, host string, port int, user, password string) error {
	c, err := (MySQL{}).Connect(ctx, DBSecret{Host: host, Port: port, Username: user, Password: password})
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Ping(ctx)
}

func dbJSON(engine, host string, port int, user, pw, dbname, master string) secret.Value {
	s := fmt.Sprintf(`{"engine":%q,"host":%q,"port":%s,"username":%q,"password":%q`, engine, host, strconv.Itoa(port), user, pw)
	if dbname != "" {
		s += fmt.Sprintf(`,"dbname":%q`, dbname)
	}
	if master != "" {
		s += fmt.Sprintf(`,"masterarn":%q`, master)
	}
	return secret.New(s + "}")
}

func uniq(prefix string) string { return rotatetest.Uniq(prefix) }
