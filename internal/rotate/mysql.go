package rotate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// MySQL is the MySQL and MariaDB driver (engine mysql, aurora-mysql or
// mariadb).
type MySQL struct{}

var _ Driver = MySQL{}

type quietLogger struct{}

func (quietLogger) Print(...any) {}

func init() {
	// The driver logs some connection failures itself; errors are returned anyway.
	_ = mysql.SetLogger(quietLogger{})
}

func (MySQL) Name() string           { return RotatorMySQL }
func (MySQL) Engines() []string      { return []string{"mysql", "aurora-mysql", "mariadb"} }
func (MySQL) DefaultPort() int       { return 3306 }
func (MySQL) DefaultDB() string      { return "" }
func (MySQL) DefaultExclude() string { return `/@"'\` }

// NameLimit is 80 characters on MariaDB and 32 on MySQL 5.7 and later.
func (MySQL) NameLimit(engine string) int {
	if strings.EqualFold(engine, "mariadb") {
		return 80
	}
	return 32
}

// Connect logs in with interpolateParams=true, so the driver quotes
// parameters of statements (DDL) that the server cannot prepare.
func (MySQL) Connect(ctx context.Context, d DBSecret) (Conn, error) {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd = d.Username, d.Password
	cfg.Net, cfg.Addr = "tcp", net.JoinHostPort(d.Host, strconv.Itoa(d.Port))
	cfg.DBName = d.DBName
	cfg.Timeout = 5 * time.Second
	cfg.InterpolateParams = true
	cfg.AllowNativePasswords = true
	cfg.TLSConfig = "preferred"
	if d.SSL != nil {
		cfg.TLSConfig = strconv.FormatBool(*d.SSL)
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("mysql connection settings: %w", err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, scrub(err, d.Password)
	}
	return &myConn{db: db}, nil
}

type myConn struct {
	db    *sql.DB
	notes []string // what the last password change reached, for the step log
}

func (m *myConn) Close() { _ = m.db.Close() }

// Notes implements noter.
func (m *myConn) Notes() []string { return m.notes }

func (m *myConn) Ping(ctx context.Context) error {
	var now string
	return m.db.QueryRowContext(ctx, "SELECT NOW()").Scan(&now)
}

func (m *myConn) legacyPassword(ctx context.Context) (bool, error) {
	var v string
	if err := m.db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v); err != nil {
		return false, err
	}
	// MariaDB and MySQL 5.x take PASSWORD(...); MySQL 8 dropped it.
	return strings.Contains(strings.ToLower(v), "mariadb") || strings.HasPrefix(v, "5."), nil
}

// Server error numbers for a statement the user has no privilege for.
const (
	erDBAccessDenied     = 1044
	erSpecificAccess     = 1227
	erTableAccessDenied  = 1142
	erColumnAccessDenied = 1143
)

func mysqlErrno(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

// account quotes 'user'@'host'.
func account(user, host string) string { return quoteName(user) + "@" + quoteName(host) }

// hostsOf lists the host entries of user in mysql.user. ok is false when
// the logged-in user may not read mysql.user.
func (m *myConn) hostsOf(ctx context.Context, user string) (hosts []string, ok bool, err error) {
	rows, err := m.db.QueryContext(ctx, "SELECT Host FROM mysql.user WHERE User = ? ORDER BY Host", user)
	if n := mysqlErrno(err); n == erTableAccessDenied || n == erColumnAccessDenied || n == erDBAccessDenied {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, false, err
		}
		hosts = append(hosts, h)
	}
	return hosts, true, rows.Err()
}

// SetOwnPassword changes the password of every host entry of user
// ('app'@'%', 'app'@'localhost', ...): MySQL keeps one password per entry,
// and the server picks the entry by where a client connects from, so
// changing only the logged-in one would leave the old password working
// from elsewhere. Several entries are changed in one ALTER USER, which
// needs the CREATE USER privilege; without it, nothing is changed and the
// error names the entries. When the user may not read mysql.user, only the
// logged-in entry can be changed, and a note says so.
func (m *myConn) SetOwnPassword(ctx context.Context, user, password string) error {
	m.notes = nil
	var cur string
	if err := m.db.QueryRowContext(ctx, "SELECT CURRENT_USER()").Scan(&cur); err != nil {
		return err
	}
	self := cur
	if i := strings.LastIndex(cur, "@"); i >= 0 {
		self = account(cur[:i], cur[i+1:])
	}
	hosts, listed, err := m.hostsOf(ctx, user)
	if err != nil {
		return fmt.Errorf("list the host entries of %s: %w", user, err)
	}
	if len(hosts) > 1 {
		accounts := make([]string, len(hosts))
		parts := make([]string, len(hosts))
		args := make([]any, len(hosts))
		for i, h := range hosts {
			accounts[i] = account(user, h)
			parts[i] = accounts[i] + " IDENTIFIED BY ?"
			args[i] = password
		}
		names := strings.Join(accounts, ", ")
		if _, err := m.db.ExecContext(ctx, "ALTER USER "+strings.Join(parts, ", "), args...); err != nil {
			if n := mysqlErrno(err); n == erSpecificAccess || n == erDBAccessDenied {
				return fmt.Errorf("%s has %d host entries (%s), each with its own password; changing them all needs the CREATE USER privilege, which it lacks: grant it, drop the entries it does not need, or use --strategy alternating-users (nothing was changed)", user, len(hosts), names)
			}
			return err
		}
		m.notes = append(m.notes, "changed the password of every host entry: "+names)
		return nil
	}
	legacy, err := m.legacyPassword(ctx)
	if err != nil {
		return err
	}
	q := "SET PASSWORD = ?"
	if legacy {
		q = "SET PASSWORD = PASSWORD(?)"
	}
	if _, err = m.db.ExecContext(ctx, q, password); err != nil {
		return err
	}
	if !listed {
		m.notes = append(m.notes, fmt.Sprintf("changed the password of %s only: %s may not read mysql.user, so other host entries of it, if any, keep the old password (grant SELECT on mysql.user to have them checked)", self, user))
	}
	return nil
}

// quoteName quotes a user name as a MySQL identifier (safe under any sql_mode).
func quoteName(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func (m *myConn) EnsureUser(ctx context.Context, user, like, password string) error {
	// The account host of the user being copied; '%' when it has several.
	host := "%"
	rows, err := m.db.QueryContext(ctx, "SELECT Host FROM mysql.user WHERE User = ?", like)
	if err != nil {
		return err
	}
	var hosts []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return err
		}
		hosts = append(hosts, h)
	}
	rows.Close()
	if len(hosts) == 0 {
		return fmt.Errorf("user %s does not exist", like)
	}
	if len(hosts) == 1 {
		host = hosts[0]
	}
	target := quoteName(user) + "@" + quoteName(host)
	src := quoteName(like) + "@" + quoteName(host)

	var n int
	if err := m.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM mysql.user WHERE User = ? AND Host = ?", user, host).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		if _, err := m.db.ExecContext(ctx, "CREATE USER "+target+" IDENTIFIED BY ?", password); err != nil {
			return err
		}
	}
	// Re-issue every grant of the current user to the other one.
	grows, err := m.db.QueryContext(ctx, "SHOW GRANTS FOR "+src)
	if err != nil {
		return err
	}
	var grants []string
	for grows.Next() {
		var g string
		if err := grows.Scan(&g); err != nil {
			grows.Close()
			return err
		}
		grants = append(grants, g)
	}
	grows.Close()
	for _, g := range grants {
		i := strings.Index(g, " TO ")
		// USAGE means "no privileges"; re-granting it would need GRANT
		// OPTION on *.* for nothing.
		if !strings.HasPrefix(g, "GRANT ") || i < 0 || strings.HasPrefix(g, "GRANT USAGE ON ") {
			continue
		}
		if _, err := m.db.ExecContext(ctx, g[:i]+" TO "+target); err != nil {
			return fmt.Errorf("copy grant %q: %w", g[:i], err)
		}
	}
	// Copy the TLS requirement.
	var sslType, cipher, issuer, subject sql.NullString
	if err := m.db.QueryRowContext(ctx, "SELECT ssl_type, ssl_cipher, x509_issuer, x509_subject FROM mysql.user WHERE User = ? AND Host = ?", like, host).
		Scan(&sslType, &cipher, &issuer, &subject); err != nil {
		return err
	}
	req := "NONE"
	var args []any
	switch strings.ToUpper(sslType.String) {
	case "ANY":
		req = "SSL"
	case "X509":
		req = "X509"
	case "SPECIFIED":
		var parts []string
		for _, p := range []struct{ k, v string }{{"CIPHER", cipher.String}, {"ISSUER", issuer.String}, {"SUBJECT", subject.String}} {
			if p.v != "" {
				parts = append(parts, p.k+" ?")
				args = append(args, p.v)
			}
		}
		if len(parts) > 0 {
			req = strings.Join(parts, " AND ")
		}
	}
	if _, err := m.db.ExecContext(ctx, "ALTER USER "+target+" REQUIRE "+req, args...); err != nil {
		return err
	}
	_, err = m.db.ExecContext(ctx, "ALTER USER "+target+" IDENTIFIED BY ?", password)
	return err
}
