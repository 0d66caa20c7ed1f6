// Package migrate turns hardcoded secrets into stored secrets and
// environment lookups, in one reviewed, reversible step.
//
// The work is split the way internal/store/local splits record.go from
// ops.go. The pure half takes scan findings and file contents and decides
// everything: where each literal sits (locate.go), the key path and the
// environment variable that will replace it (naming.go), the stored secret
// and key that will hold the value, the RDS-shape groups, and the new text
// of each file with its masked diff (plan.go, rewrite.go, diff.go). It does
// no I/O, so every decision is a unit test.
//
// The effects half (apply.go) reads the tree through internal/scan, checks
// that git can undo what it will change, and applies a plan in the order that
// cannot lose a value:
//
//  1. store every value (a ClientRequestToken derived from the findings, so a
//     retry writes nothing new; a stored value that differs is refused unless
//     Overwrite, which adds a version and keeps the old one as AWSPREVIOUS);
//  2. read every value back and compare;
//  3. rewrite each file atomically (a temporary file in the same directory,
//     the original mode, fsync, rename);
//  4. merge the expected variable names into the env example file and add the
//     .env files that held values to .gitignore.
//
// A crash or an error at any point leaves each file either untouched or fully
// rewritten, and each value either still in its file or stored (or both). A
// second run scans again, finds what is left, reuses the stored values and
// finishes the job.
package migrate

import (
	"github.com/secretctl/secretctl/internal/secret"
)

// Actions a plan item can have.
const (
	ActionRewrite = "rewrite" // the literal becomes an environment lookup
	ActionRemove  = "remove"  // the line leaves the file (.env, .tfvars)
	ActionManual  = "manual"  // secretctl cannot rewrite it; Reason says why
)

// Item is one value the plan moves: a finding, or with RDS grouping one of
// its connection siblings.
type Item struct {
	File        string `json:"file"`
	Line        int    `json:"line"`
	Column      int    `json:"column"` // 1-based byte column of the literal
	RuleID      string `json:"ruleId"`
	Fingerprint string `json:"fingerprint"`
	Syntax      string `json:"syntax"`
	KeyPath     string `json:"keyPath"`
	Env         string `json:"env"`              // the variable the code reads
	Secret      string `json:"secret,omitempty"` // the stored secret holding the value
	Key         string `json:"key,omitempty"`    // its JSON key ("" with --split)
	Action      string `json:"action"`
	Replacement string `json:"replacement,omitempty"` // the text that replaces the literal
	Reason      string `json:"reason,omitempty"`      // why it is manual
	Group       string `json:"group,omitempty"`       // the RDS-shape group it belongs to
	Sibling     bool   `json:"sibling,omitempty"`     // a group member that is not a finding (host, port, ...)

	value secret.Value
	// start and end are the byte offsets, in the file, of the literal with
	// its quotes; vstart and vend of the value inside them.
	start, end, vstart, vend int
	line0                    int // byte offset of the line's start
	quoted                   bool
	// tfDefault marks a Terraform variable default; the block spans
	// [tfBlockStart, tfBlockEnd), tfBlockEnd the start of its "}" line.
	tfDefault                bool
	tfBlockStart, tfBlockEnd int
}

// Value returns the value the item moves.
func (it *Item) Value() secret.Value { return it.value }

// Group is a password with host, username, port or database siblings in the
// same object: a database connection that the RDS rotation shape can hold.
type Group struct {
	ID      string            `json:"id"`
	File    string            `json:"file"`
	Line    int               `json:"line"`
	Path    string            `json:"path"`             // the object's key path
	Fields  map[string]string `json:"fields"`           // RDS field → env var
	Engine  string            `json:"engine,omitempty"` // postgres, mysql, ... when known
	Secret  string            `json:"secret,omitempty"` // the RDS-shape secret (with --rds)
	Applied bool              `json:"applied"`          // stored in the RDS shape (--rds)
	Hint    string            `json:"hint,omitempty"`

	members map[string]int // RDS field → index in Plan.Items (-1 while unplaced)
	sib     []*Item        // the connection siblings found
}

// FileChange is the rewrite of one file.
type FileChange struct {
	Path   string `json:"path"`
	Syntax string `json:"syntax"`
	Items  int    `json:"items"`
	Diff   string `json:"diff"` // unified, every value shown as ****

	old, new []byte
}

// New returns the rewritten content.
func (c *FileChange) New() []byte { return c.new }

// StoredSecret is one secret the plan writes.
type StoredSecret struct {
	Name  string   `json:"name"`
	Keys  []string `json:"keys,omitempty"` // JSON keys; none for a plain (--split) value
	Shape string   `json:"shape"`          // "json", "plain" or "rds"
	Group string   `json:"group,omitempty"`

	fields map[string]secret.Value // JSON key → value (shape json/rds)
	plain  secret.Value
	prints []string // fingerprints of the items it holds, for the token
}

// Plan is everything a migration will do; a dry run prints it.
type Plan struct {
	Root       string         `json:"root"`
	To         string         `json:"to"`
	Split      bool           `json:"split"`
	RDS        bool           `json:"rds"`
	Items      []*Item        `json:"items"`
	Groups     []*Group       `json:"groups,omitempty"`
	Files      []*FileChange  `json:"files"`
	Secrets    []StoredSecret `json:"secrets"`
	EnvExample string         `json:"envExample,omitempty"`
	EnvNames   []string       `json:"envNames"`            // what the env example will list
	GitIgnore  []string       `json:"gitIgnore,omitempty"` // .env files to add to .gitignore
	Run        string         `json:"run,omitempty"`       // how to run the code with its values
	Manual     int            `json:"manual"`
	Migrate    int            `json:"migrate"` // items that will be stored and rewritten
}

// Pending reports whether anything is left to migrate or to do by hand:
// what `migrate --check` fails on.
func (p *Plan) Pending() bool { return p.Manual > 0 || p.Migrate > 0 }
