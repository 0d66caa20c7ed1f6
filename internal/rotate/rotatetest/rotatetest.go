// Package rotatetest holds what the rotation tests of several packages share:
// the local database services, a TCP proxy that can make a database
// unreachable at a chosen moment, and unique names.
package rotatetest

import (
	"context"
	"database/sql"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/google/uuid"
)

// NeedService skips when a service is missing, loudly, but fails under
// CI=true: CI must not pass because an integration test did not run.
func NeedService(t testing.TB, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI: %v", what, err)
	}
	t.Skipf("SKIPPING: %s is not available: %v", what, err)
}

// MariaDB returns a root connection to the system MariaDB on
// 127.0.0.1:3306, closed when the test ends.
func MariaDB(t testing.TB) *sql.DB {
	t.Helper()
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr = "root", "tcp", "127.0.0.1:3306"
	cfg.InterpolateParams = true
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	NeedService(t, "MariaDB on 127.0.0.1:3306 (root, no password)", db.PingContext(ctx))
	t.Cleanup(func() { db.Close() })
	return db
}

// Uniq returns prefix plus ten random hex characters: names for roles,
// users and secrets that no other test run uses.
func Uniq(prefix string) string {
	return prefix + strings.ReplaceAll(uuid.NewString(), "-", "")[:10]
}

// Proxy forwards TCP to a database and can be taken down, to make the
// database unreachable at a chosen step.
type Proxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

// StartProxy listens on a loopback port and forwards to target until the
// test ends.
func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{l: l, target: target}
	go p.serve()
	t.Cleanup(func() { l.Close(); p.SetDown(true) })
	return p
}

// Port is the proxy's loopback port.
func (p *Proxy) Port() int { return p.l.Addr().(*net.TCPAddr).Port }

// SetDown refuses new connections and cuts the open ones (true), or lets
// them through again (false).
func (p *Proxy) SetDown(d bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = d
	if d {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

func (p *Proxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		u, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, u)
		p.mu.Unlock()
		go func() { io.Copy(u, c); u.Close() }()
		go func() { io.Copy(c, u); c.Close() }()
	}
}
