package rotate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Postgres is the PostgreSQL driver (engine postgres or aurora-postgresql).
type Postgres struct{}

var _ Driver = Postgres{}

func (Postgres) Name() string           { return RotatorPostgres }
func (Postgres) Engines() []string      { return []string{"postgres", "aurora-postgresql"} }
func (Postgres) DefaultPort() int       { return 5432 }
func (Postgres) DefaultDB() string      { return "postgres" }
func (Postgres) DefaultExclude() string { return `:/@"'\` }
func (Postgres) NameLimit(string) int   { return 63 }

// dsnQuote quotes a keyword/value connection-string value.
func dsnQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// Connect logs in. The password is set on the parsed config, never put in
// a connection string, so no parse error can carry it. No "ssl" key tries
// TLS and falls back to plain; true requires verified TLS; false disables it.
func (Postgres) Connect(ctx context.Context, d DBSecret) (Conn, error) {
	mode := "prefer"
	if d.SSL != nil {
		mode = "disable"
		if *d.SSL {
			mode = "verify-full"
		}
	}
	dsn := fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=%s connect_timeout=5",
		dsnQuote(d.Host), d.Port, dsnQuote(d.Username), dsnQuote(d.DBName), mode)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres connection settings: %w", err)
	}
	cfg.Password = d.Password
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, scrub(err, d.Password)
	}
	return &pgConn{c: c}, nil
}

type pgConn struct{ c *pgx.Conn }

func (p *pgConn) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = p.c.Close(ctx)
}

func (p *pgConn) Ping(ctx context.Context) error {
	var t time.Time
	return p.c.QueryRow(ctx, "SELECT NOW()").Scan(&t)
}

// exec runs a utility statement (ALTER/CREATE ROLE take no bind
// parameters) with pgx quoting the literal client-side.
func (p *pgConn) exec(ctx context.Context, sql string, args ...any) error {
	_, err := p.c.Exec(ctx, sql, append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...)
	return err
}

func (p *pgConn) SetOwnPassword(ctx context.Context, user, password string) error {
	return p.exec(ctx, "ALTER USER "+pgx.Identifier{user}.Sanitize()+" WITH PASSWORD $1", password)
}

func (p *pgConn) EnsureUser(ctx context.Context, user, like, password string) error {
	var exists bool
	if err := p.c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", user).Scan(&exists); err != nil {
		return err
	}
	ident := pgx.Identifier{user}.Sanitize()
	if exists {
		return p.exec(ctx, "ALTER USER "+ident+" WITH PASSWORD $1", password)
	}
	tx, err := p.c.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, "CREATE ROLE "+ident+" WITH LOGIN PASSWORD $1", pgx.QueryExecModeSimpleProtocol, password); err != nil {
		return err
	}
	// The clone inherits the user's privileges by role membership, as in the
	// AWS template.
	if _, err := tx.Exec(ctx, "GRANT "+pgx.Identifier{like}.Sanitize()+" TO "+ident); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
