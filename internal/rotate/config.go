package rotate

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

// Rotator names.
const (
	RotatorRandom   = "random"
	RotatorPostgres = "postgres"
	RotatorMySQL    = "mysql"
	RotatorLambda   = "lambda"
)

// Strategies of the database rotators.
const (
	SingleUser       = "single-user"
	AlternatingUsers = "alternating-users"
)

// Reserved tags that hold a client-side rotation's configuration, so it
// travels with the secret on both backends.
const (
	TagRotator     = "secretctl:rotator"
	TagStrategy    = "secretctl:strategy"
	TagSchedule    = "secretctl:schedule"
	TagWindow      = "secretctl:window"
	TagParams      = "secretctl:params"
	TagLastRotated = "secretctl:last-rotated"
	TagEnabled     = "secretctl:rotation-enabled" // when rotation was configured (RFC 3339)
)

// configTags are the reserved tags of a client-side configuration, which
// a lambda rotation does without.
var configTags = []string{TagRotator, TagStrategy, TagSchedule, TagWindow, TagParams}

// Rotators lists the rotator names.
var Rotators = []string{RotatorRandom, RotatorPostgres, RotatorMySQL, RotatorLambda}

// Params are the optional rotator parameters kept in the secretctl:params
// tag. Zero values mean "the rotator's default".
type Params struct {
	Length    int     // password length
	Exclude   *string // characters to leave out (nil: the rotator's default)
	NoNumbers bool
	NoPunct   bool
	NoUpper   bool
	NoLower   bool
	Space     bool
	AnyType   bool   // RequireEachIncludedType=false
	Field     string // random: the JSON field to rotate
}

// Config is a secret's rotation configuration.
type Config struct {
	Rotator   string
	Strategy  string // database rotators: single-user (default) or alternating-users
	Schedule  string // normalised rate(...)/cron(...), or "" for on demand only
	Window    string // "2h", or "" for the default window
	Params    Params
	LambdaARN string // lambda rotator

	LastRotated time.Time // secretctl:last-rotated
	EnabledAt   time.Time // secretctl:rotation-enabled
}

var fieldRe = regexp.MustCompile(`^[A-Za-z0-9_.:/=+@-]{1,100}$`)

// Validate checks the configuration and normalises the schedule.
func (c *Config) Validate() error {
	if !slices.Contains(Rotators, c.Rotator) {
		return fmt.Errorf("invalid rotator %q: want one of %s", c.Rotator, strings.Join(Rotators, ", "))
	}
	switch c.Rotator {
	case RotatorPostgres, RotatorMySQL:
		if c.Strategy == "" {
			c.Strategy = SingleUser
		}
		if c.Strategy != SingleUser && c.Strategy != AlternatingUsers {
			return fmt.Errorf("invalid strategy %q: want %s or %s", c.Strategy, SingleUser, AlternatingUsers)
		}
	default:
		if c.Strategy != "" {
			return fmt.Errorf("--strategy applies only to the postgres and mysql rotators")
		}
	}
	if c.Rotator == RotatorLambda && c.LambdaARN == "" {
		return fmt.Errorf("the lambda rotator needs --lambda ARN")
	}
	if c.Rotator != RotatorLambda && c.LambdaARN != "" {
		return fmt.Errorf("--lambda applies only to the lambda rotator")
	}
	if c.Params.Field != "" && c.Rotator != RotatorRandom {
		return fmt.Errorf("--field applies only to the random rotator")
	}
	if c.Params.Field != "" && !fieldRe.MatchString(c.Params.Field) {
		return fmt.Errorf("invalid field %q: use letters, digits and _.:/=+@-", c.Params.Field)
	}
	if c.Params.Length < 0 || c.Params.Length > 4096 {
		return fmt.Errorf("invalid length %d: want 1 to 4096", c.Params.Length)
	}
	if def, ok := defaultExclude[c.Rotator]; ok {
		// Refuse now what would make every rotation fail.
		if err := c.Params.passwordOptions(def).Validate(); err != nil {
			return fmt.Errorf("no password fits these options: %w", err)
		}
	}
	if c.Schedule == "" {
		if c.Window != "" {
			return fmt.Errorf("--window needs a schedule (--every or --schedule)")
		}
		return nil
	}
	s, err := ParseSchedule(c.Schedule, c.Window)
	if err != nil {
		return err
	}
	c.Schedule, c.Window = s.Expr, s.WindowString()
	return nil
}

// Tags returns the reserved tags that store c. Keys with no value are
// returned in unset, for Untag.
func (c Config) Tags() (set map[string]string, unset []string) {
	set = map[string]string{TagRotator: c.Rotator}
	put := func(k, v string) {
		if v == "" {
			unset = append(unset, k)
			return
		}
		set[k] = v
	}
	put(TagStrategy, c.Strategy)
	put(TagSchedule, c.Schedule)
	put(TagWindow, c.Window)
	put(TagParams, c.Params.encode())
	if !c.EnabledAt.IsZero() {
		set[TagEnabled] = c.EnabledAt.UTC().Format(time.RFC3339)
	}
	return set, unset
}

// ConfigFromMeta reads a secret's rotation configuration: the reserved tags,
// or else the AWS rotation settings (a Lambda rotation configured outside
// secretctl). ok is false when the secret has no rotation configured.
func ConfigFromMeta(m store.Meta) (c Config, ok bool, err error) {
	if r, has := m.Tags[TagRotator]; has {
		c = Config{
			Rotator:  r,
			Strategy: m.Tags[TagStrategy],
			Schedule: m.Tags[TagSchedule],
			Window:   m.Tags[TagWindow],
		}
		if c.Params, err = decodeParams(m.Tags[TagParams]); err != nil {
			return c, true, fmt.Errorf("read rotation config of %s: %w", m.Name, err)
		}
		c.LastRotated = parseTime(m.Tags[TagLastRotated])
		c.EnabledAt = parseTime(m.Tags[TagEnabled])
		if c.Rotator == RotatorLambda {
			c.LambdaARN = m.RotationLambda
		}
		if c.Rotator == RotatorLambda && m.RotationRules != nil {
			c.Schedule, c.Window = rulesSchedule(m.RotationRules)
		}
		return c, true, nil
	}
	if m.RotationLambda != "" && m.RotationEnabled != nil && *m.RotationEnabled {
		c = Config{Rotator: RotatorLambda, LambdaARN: m.RotationLambda}
		if m.RotationRules != nil {
			c.Schedule, c.Window = rulesSchedule(m.RotationRules)
		}
		return c, true, nil
	}
	return c, false, nil
}

func rulesSchedule(r *store.RotationRules) (string, string) {
	if r.ScheduleExpression != "" {
		return r.ScheduleExpression, r.Duration
	}
	if r.AutomaticallyAfterDays > 0 {
		return fmt.Sprintf("rate(%d %s)", r.AutomaticallyAfterDays, plural(int(r.AutomaticallyAfterDays), "day")), r.Duration
	}
	return "", r.Duration
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// encode writes params as space-separated words, a form AWS accepts in a
// tag value; excluded characters are base64 because AWS tag values allow
// only letters, digits, spaces and _.:/=+-@.
func (p Params) encode() string {
	var w []string
	if p.Length > 0 {
		w = append(w, "length="+strconv.Itoa(p.Length))
	}
	if p.Exclude != nil {
		w = append(w, "exclude="+base64.StdEncoding.EncodeToString([]byte(*p.Exclude)))
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{p.NoNumbers, "no-numbers"}, {p.NoPunct, "no-punctuation"}, {p.NoUpper, "no-uppercase"}, {p.NoLower, "no-lowercase"}, {p.Space, "space"}, {p.AnyType, "any-type"}} {
		if f.on {
			w = append(w, f.name)
		}
	}
	if p.Field != "" {
		w = append(w, "field="+p.Field)
	}
	return strings.Join(w, " ")
}

func decodeParams(s string) (Params, error) {
	var p Params
	for _, word := range strings.Fields(s) {
		k, v, _ := strings.Cut(word, "=")
		switch k {
		case "length":
			n, err := strconv.Atoi(v)
			if err != nil {
				return p, fmt.Errorf("bad length in %s", TagParams)
			}
			p.Length = n
		case "exclude":
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return p, fmt.Errorf("bad exclude in %s", TagParams)
			}
			e := string(b)
			p.Exclude = &e
		case "no-numbers":
			p.NoNumbers = true
		case "no-punctuation":
			p.NoPunct = true
		case "no-uppercase":
			p.NoUpper = true
		case "no-lowercase":
			p.NoLower = true
		case "space":
			p.Space = true
		case "any-type":
			p.AnyType = true
		case "field":
			p.Field = v
		default:
			return p, fmt.Errorf("unknown word %q in %s", k, TagParams)
		}
	}
	return p, nil
}

// defaultExclude is each password-generating rotator's ExcludeCharacters.
var defaultExclude = map[string]string{
	RotatorRandom:   "",
	RotatorPostgres: Postgres{}.DefaultExclude(),
	RotatorMySQL:    MySQL{}.DefaultExclude(),
}

// passwordOptions applies p over a rotator's defaults.
func (p Params) passwordOptions(defaultExclude string) secret.PasswordOptions {
	o := secret.DefaultPasswordOptions()
	o.ExcludeCharacters = defaultExclude
	if p.Length > 0 {
		o.Length = p.Length
	}
	if p.Exclude != nil {
		o.ExcludeCharacters = *p.Exclude
	}
	o.ExcludeNumbers, o.ExcludePunctuation, o.ExcludeUppercase, o.ExcludeLowercase = p.NoNumbers, p.NoPunct, p.NoUpper, p.NoLower
	o.IncludeSpace = p.Space
	o.RequireEachIncludedType = !p.AnyType
	return o
}
