package rotate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/secretctl/secretctl/internal/secret"
)

// DBSecret is the JSON that AWS's RDS rotation templates use.
type DBSecret struct {
	Engine    string
	Host      string
	Port      int
	Username  string
	Password  string
	DBName    string
	SSL       *bool
	MasterARN string

	raw map[string]any // every field, so unknown ones survive a rotation
}

// ParseDBSecret decodes a database secret; errors name keys, never values.
func ParseDBSecret(v secret.Value, defaultPort int, defaultDB string) (DBSecret, error) {
	obj, err := jsonObject(v)
	if err != nil {
		return DBSecret{}, err
	}
	d := DBSecret{raw: obj, Port: defaultPort, DBName: defaultDB}
	str := func(k string, required bool) (string, error) {
		x, ok := obj[k]
		if !ok || x == nil {
			if required {
				return "", fmt.Errorf("key %q is missing from the secret JSON", k)
			}
			return "", nil
		}
		switch t := x.(type) {
		case string:
			return t, nil
		case json.Number:
			return t.String(), nil
		}
		return "", fmt.Errorf("key %q in the secret JSON is not a string", k)
	}
	if d.Host, err = str("host", true); err != nil {
		return d, err
	}
	if d.Username, err = str("username", true); err != nil {
		return d, err
	}
	if d.Password, err = str("password", true); err != nil {
		return d, err
	}
	if d.Engine, err = str("engine", false); err != nil {
		return d, err
	}
	if d.MasterARN, err = str("masterarn", false); err != nil {
		return d, err
	}
	db, err := str("dbname", false)
	if err != nil {
		return d, err
	}
	if db != "" {
		d.DBName = db
	}
	p, err := str("port", false)
	if err != nil {
		return d, err
	}
	if p != "" {
		if d.Port, err = strconv.Atoi(p); err != nil || d.Port < 1 || d.Port > 65535 {
			return d, errors.New(`key "port" in the secret JSON is not a port number`)
		}
	}
	switch s := obj["ssl"].(type) {
	case bool:
		d.SSL = &s
	case string:
		b := strings.EqualFold(s, "true")
		d.SSL = &b
	}
	return d, nil
}

// with returns the secret JSON with another username and password.
func (d DBSecret) with(username, password string) (secret.Value, error) {
	obj := make(map[string]any, len(d.raw))
	for k, v := range d.raw {
		obj[k] = v
	}
	obj["username"], obj["password"] = username, password
	return encodeJSON(obj)
}

// AltUsername flips between user and user_clone, as the AWS templates do.
func AltUsername(name string, limit int) (string, error) {
	alt := name + "_clone"
	if base, ok := strings.CutSuffix(name, "_clone"); ok {
		alt = base
	}
	if len(alt) > limit {
		return "", fmt.Errorf("the alternate user name %q is longer than %d characters", alt, limit)
	}
	return alt, nil
}

// Driver is one database engine.
type Driver interface {
	Name() string
	Engines() []string // accepted values of the "engine" key
	DefaultPort() int
	DefaultDB() string
	// DefaultExclude is the AWS template's ExcludeCharacters.
	DefaultExclude() string
	// NameLimit is the longest user name the engine accepts.
	NameLimit(engine string) int
	Connect(ctx context.Context, d DBSecret) (Conn, error)
}

// Conn is a database session.
type Conn interface {
	Close()
	// Ping runs a harmless query (SELECT NOW()).
	Ping(ctx context.Context) error
	// SetOwnPassword changes the logged-in user's password.
	SetOwnPassword(ctx context.Context, user, password string) error
	// EnsureUser, run as the master user, creates user (or resets its
	// password) with the privileges of like.
	EnsureUser(ctx context.Context, user, like, password string) error
}

// Database rotates a database user's password, single-user or alternating
// between user and user_clone like the AWS RDS rotation templates.
type Database struct {
	Driver      Driver
	Alternating bool
	Params      Params
}

var (
	_ Rotator  = (*Database)(nil)
	_ Reverter = (*Database)(nil)
	_ Checker  = (*Database)(nil)
)

func (r *Database) parse(v secret.Value, which string) (DBSecret, error) {
	d, err := r.decode(v)
	if err != nil {
		return d, fmt.Errorf("%s: %w", which, err)
	}
	return d, nil
}

// decode parses a database secret of this driver's engines.
func (r *Database) decode(v secret.Value) (DBSecret, error) {
	d, err := ParseDBSecret(v, r.Driver.DefaultPort(), r.Driver.DefaultDB())
	if err != nil {
		return d, err
	}
	if d.Engine != "" && !containsFold(r.Driver.Engines(), d.Engine) {
		return d, fmt.Errorf("engine %q is not handled by the %s rotator (want %s)", d.Engine, r.Driver.Name(), strings.Join(r.Driver.Engines(), ", "))
	}
	return d, nil
}

// Check needs the RDS template JSON with host, username and password, an
// engine of this driver (or none), and for alternating users "masterarn"
// and an alternate user name the engine accepts.
func (r *Database) Check(current secret.Value) error {
	d, err := r.decode(current)
	if err != nil {
		return err
	}
	if r.Alternating {
		if d.MasterARN == "" {
			return errors.New(`alternating users need "masterarn" in the secret JSON: the secret of a user that can create users`)
		}
		if _, err := AltUsername(d.Username, r.Driver.NameLimit(d.Engine)); err != nil {
			return err
		}
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Create copies AWSCURRENT with a new password (and, alternating, the other user).
func (r *Database) Create(ctx context.Context, req *Request) (secret.Value, error) {
	cur, err := r.parse(req.Current, "AWSCURRENT")
	if err != nil {
		return secret.Value{}, err
	}
	user := cur.Username
	if r.Alternating {
		if cur.MasterARN == "" {
			return secret.Value{}, errors.New(`alternating users need "masterarn" in the secret JSON: the secret of a user that can create users`)
		}
		if user, err = AltUsername(cur.Username, r.Driver.NameLimit(cur.Engine)); err != nil {
			return secret.Value{}, err
		}
	}
	pwv, err := secret.RandomPassword(r.Params.passwordOptions(r.Driver.DefaultExclude()))
	pw := pwv.RevealString()
	if err != nil {
		return secret.Value{}, err
	}
	return cur.with(user, pw)
}

// Set applies the pending password, logging in as the AWS templates do.
func (r *Database) Set(ctx context.Context, req *Request) error {
	pend, err := r.parse(req.Pending, "AWSPENDING")
	if err != nil {
		return err
	}
	cur, err := r.parse(req.Current, "AWSCURRENT")
	if err != nil {
		return err
	}
	if c, err := r.Driver.Connect(ctx, pend); err == nil {
		c.Close()
		// The AWS templates stop here. But a server that does not check
		// passwords (trust authentication) lets anything in, and the
		// password would never be set: probe with a wrong one.
		probe := pend
		probe.Password = cur.Password
		c, err := r.Driver.Connect(ctx, probe)
		if err != nil {
			req.Logf("%s: AWSPENDING already logs in as %s", StepSet, pend.Username)
			return nil
		}
		c.Close()
		req.Logf("%s: warning: %s:%d lets %s in with any password (trust authentication?); setting the password anyway", StepSet, pend.Host, pend.Port, pend.Username)
	}
	if pend.Host != cur.Host || pend.Port != cur.Port {
		return errors.New("AWSPENDING names another host or port than AWSCURRENT")
	}
	if !r.Alternating {
		if pend.Username != cur.Username {
			return fmt.Errorf("AWSPENDING user %q is not the AWSCURRENT user %q", pend.Username, cur.Username)
		}
		c, err := r.Driver.Connect(ctx, cur)
		if err != nil {
			prevErr := err
			c, err = r.connectPrevious(ctx, req, cur)
			if err != nil {
				return fmt.Errorf("log in as %s with AWSCURRENT (%v) or AWSPREVIOUS: %w", cur.Username, prevErr, err)
			}
			req.Logf("%s: logged in with AWSPREVIOUS", StepSet)
		}
		defer c.Close()
		if err := c.SetOwnPassword(ctx, pend.Username, pend.Password); err != nil {
			return scrub(fmt.Errorf("set the password of %s: %w", pend.Username, err), pend.Password)
		}
		req.Logf("%s: changed the password of %s", StepSet, pend.Username)
		logNotes(req, StepSet, c)
		return nil
	}
	alt, err := AltUsername(cur.Username, r.Driver.NameLimit(cur.Engine))
	if err != nil {
		return err
	}
	if pend.Username != alt {
		return fmt.Errorf("AWSPENDING user %q is not the alternate of the AWSCURRENT user %q", pend.Username, cur.Username)
	}
	// Confused-deputy check: the current user must log in before the master
	// acts for it.
	c, err := r.Driver.Connect(ctx, cur)
	if err != nil {
		return fmt.Errorf("log in as %s with AWSCURRENT: %w", cur.Username, err)
	}
	c.Close()
	if cur.MasterARN == "" {
		return errors.New(`AWSCURRENT has no "masterarn"`)
	}
	mv, err := req.Lookup(ctx, cur.MasterARN)
	if err != nil {
		return err
	}
	master, err := ParseDBSecret(mv, r.Driver.DefaultPort(), r.Driver.DefaultDB())
	if err != nil {
		return fmt.Errorf("master secret: %w", err)
	}
	if master.Host != cur.Host || master.Port != cur.Port {
		return fmt.Errorf("the master secret names %s:%d, not the user's %s:%d", master.Host, master.Port, cur.Host, cur.Port)
	}
	mc, err := r.Driver.Connect(ctx, master)
	if err != nil {
		return fmt.Errorf("log in as master user %s: %w", master.Username, err)
	}
	defer mc.Close()
	if err := mc.EnsureUser(ctx, pend.Username, cur.Username, pend.Password); err != nil {
		return scrub(fmt.Errorf("prepare user %s: %w", pend.Username, err), pend.Password)
	}
	req.Logf("%s: set the password of %s (as %s)", StepSet, pend.Username, master.Username)
	return nil
}

func (r *Database) connectPrevious(ctx context.Context, req *Request, cur DBSecret) (Conn, error) {
	pv, err := req.Previous(ctx)
	if err != nil {
		return nil, fmt.Errorf("read AWSPREVIOUS: %w", err)
	}
	prev, err := r.parse(pv, "AWSPREVIOUS")
	if err != nil {
		return nil, err
	}
	if prev.Username != cur.Username {
		return nil, errors.New("AWSPREVIOUS is for another user")
	}
	// Log in to the current host with the previous password.
	cur.Password = prev.Password
	return r.Driver.Connect(ctx, cur)
}

// Test logs in with AWSPENDING and runs SELECT NOW().
func (r *Database) Test(ctx context.Context, req *Request) error {
	pend, err := r.parse(req.Pending, "AWSPENDING")
	if err != nil {
		return err
	}
	c, err := r.Driver.Connect(ctx, pend)
	if err != nil {
		return fmt.Errorf("log in as %s with AWSPENDING: %w", pend.Username, err)
	}
	defer c.Close()
	if err := c.Ping(ctx); err != nil {
		return fmt.Errorf("query as %s: %w", pend.Username, err)
	}
	return nil
}

// Revert, single-user only, sets the AWSCURRENT password again when the
// user already has the pending one.
func (r *Database) Revert(ctx context.Context, req *Request) (bool, error) {
	if r.Alternating || req.Pending.IsZero() {
		return false, nil // the current user was never touched
	}
	pend, err := r.parse(req.Pending, "AWSPENDING")
	if err != nil {
		return false, err
	}
	cur, err := r.parse(req.Current, "AWSCURRENT")
	if err != nil {
		return false, err
	}
	if c, err := r.Driver.Connect(ctx, cur); err == nil {
		c.Close()
		return false, nil
	}
	c, err := r.Driver.Connect(ctx, pend)
	if err != nil {
		return false, fmt.Errorf("log in as %s with AWSPENDING: %w", pend.Username, err)
	}
	defer c.Close()
	if err := c.SetOwnPassword(ctx, cur.Username, cur.Password); err != nil {
		return false, scrub(fmt.Errorf("restore the password of %s: %w", cur.Username, err), cur.Password)
	}
	logNotes(req, "revert", c)
	return true, nil
}

// noter is a Conn with something to report about its last password
// change, such as the host entries it reached.
type noter interface{ Notes() []string }

func logNotes(req *Request, step Step, c Conn) {
	if n, ok := c.(noter); ok {
		for _, s := range n.Notes() {
			req.Logf("%s: %s", step, s)
		}
	}
}

// scrub removes secrets from an error message, in case a database echoes
// part of a statement back.
func scrub(err error, secrets ...string) error {
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return errors.New(msg)
}
