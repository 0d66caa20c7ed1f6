package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/secretctl/secretctl/internal/policy"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/local"
)

// LocalEncryption is the encrypted item on the local backend: the store's
// directory and files have private modes, and the key file is neither
// inside the checked tree nor tracked by git.
type LocalEncryption struct {
	Home    string // the store's directory
	KeyFile string // default Home/key.txt
	Path    string // the tree being checked
	// Git runs git (default exec's); tests leave it nil.
	Git func(ctx context.Context, dir string, args ...string) error
}

// ID returns "encrypted".
func (LocalEncryption) ID() string { return IDEncrypted }

// Run checks modes with stat and the key's git status with git ls-files.
func (c LocalEncryption) Run(ctx context.Context) Result {
	keyFile := c.KeyFile
	if keyFile == "" {
		keyFile = filepath.Join(c.Home, local.KeyFile)
	}
	db := filepath.Join(c.Home, local.DBFile)
	if _, err := os.Stat(db); err != nil {
		return Result{Status: Fail, Summary: "no local store at " + c.Home, Fix: "secretctl init"}
	}
	r := Result{Status: Pass}
	var bad []string
	note := func(s Status, line string) {
		r.Status = worst(r.Status, s)
		r.Evidence = append(r.Evidence, line)
		if s != Pass {
			bad = append(bad, line)
		}
	}
	// mode checks: want is the widest mode that passes; wider than warnAt
	// but not writable/readable by others is a warning.
	mode := func(what, path string, want fs.FileMode, dir bool) {
		st, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return
		}
		if err != nil {
			note(Fail, fmt.Sprintf("%s %s: %v", what, path, err))
			return
		}
		if runtime.GOOS == "windows" {
			note(Pass, what+" "+path+" (modes are not checked on Windows)")
			return
		}
		m := st.Mode().Perm()
		switch {
		case m&^want == 0:
			note(Pass, fmt.Sprintf("%s %s: mode %04o", what, path, m))
		case dir && m&0o022 == 0:
			note(Warn, fmt.Sprintf("%s %s: mode %04o, want %04o (others can list it)", what, path, m, want))
		default:
			note(Fail, fmt.Sprintf("%s %s: mode %04o, want %04o", what, path, m, want))
		}
	}
	mode("store directory", c.Home, 0o700, true)
	mode("database", db, 0o600, false)
	mode("access log", filepath.Join(c.Home, local.AuditFile), 0o600, false)
	if _, err := os.Stat(keyFile); errors.Is(err, fs.ErrNotExist) {
		note(Pass, "no key file: the data key is sealed with a passphrase, or the key lives elsewhere")
	} else {
		mode("key file", keyFile, 0o600, false)
		if inside(keyFile, c.Path) {
			note(Fail, fmt.Sprintf("key file %s is inside %s", keyFile, c.Path))
		}
		git := c.Git
		if git == nil {
			git = runGit
		}
		if err := git(ctx, filepath.Dir(keyFile), "ls-files", "--error-unmatch", "--", filepath.Base(keyFile)); err == nil {
			note(Fail, fmt.Sprintf("key file %s is tracked by git", keyFile))
		}
	}
	switch r.Status {
	case Pass:
		r.Summary = "the local store's files are private and its key is outside the tree"
	default:
		r.Summary = strings.Join(bad, "; ")
		r.Fix = fmt.Sprintf("chmod 700 %s && chmod 600 %s/*; keep the key out of the repository (SECRETCTL_KEY_FILE), and if git tracked it: git rm --cached it and rotate every secret", c.Home, c.Home)
	}
	return r
}

// inside reports whether path is dir or under it, symlinks resolved.
func inside(path, dir string) bool {
	if dir == "" {
		return false
	}
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			return p
		}
		if e, err := filepath.EvalSymlinks(a); err == nil {
			return e
		}
		return a
	}
	p, d := abs(path), abs(dir)
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func runGit(ctx context.Context, dir string, args ...string) error {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	return cmd.Run()
}

// ResourcePolicyAPI is the Secrets Manager call the AWS encrypted item
// makes besides the store's.
type ResourcePolicyAPI interface {
	GetResourcePolicy(ctx context.Context, in *secretsmanager.GetResourcePolicyInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetResourcePolicyOutput, error)
}

// AWSEncryption is the encrypted item on AWS: each secret under Prefix is
// encrypted with a customer-managed KMS key (the AWS managed
// aws/secretsmanager key is a warning), and no resource policy allows
// Principal "*".
type AWSEncryption struct {
	Store    func(context.Context) (store.Store, error)
	Prefix   string
	Policies ResourcePolicyAPI
}

// ID returns "encrypted".
func (AWSEncryption) ID() string { return IDEncrypted }

// Run lists the secrets, then reads each one's resource policy.
func (c AWSEncryption) Run(ctx context.Context) Result {
	s, err := c.Store(ctx)
	if err != nil {
		return errResult("cannot reach AWS Secrets Manager", err, "")
	}
	metas, err := s.List(ctx, store.ListOptions{Prefix: c.Prefix})
	if err != nil {
		return errResult("list secrets", err, "")
	}
	if len(metas) == 0 {
		return Result{Status: Skip, Summary: "no secrets under " + orDefault(c.Prefix, "the account") + " to check"}
	}
	r := Result{Status: Pass}
	var defaultKey, public, unread []string
	var fixes []string
	for _, m := range metas {
		if policy.CustomerManaged(m.KmsKeyID) {
			r.Evidence = append(r.Evidence, fmt.Sprintf("%s: customer-managed key %s", m.Name, m.KmsKeyID))
		} else {
			key := m.KmsKeyID
			if key == "" {
				key = "none set: the AWS managed key aws/secretsmanager"
			}
			r.Evidence = append(r.Evidence, fmt.Sprintf("%s: KMS key %s", m.Name, key))
			defaultKey = append(defaultKey, m.Name)
		}
		id := m.ARN
		if id == "" {
			id = m.Name
		}
		out, err := c.Policies.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(id)})
		if err != nil {
			unread = append(unread, m.Name)
			r.Evidence = append(r.Evidence, fmt.Sprintf("%s: get resource policy: %s", m.Name, errName(err)))
			continue
		}
		doc := aws.ToString(out.ResourcePolicy)
		if doc == "" {
			continue
		}
		open, err := publicStatements(doc)
		switch {
		case err != nil:
			r.Status = worst(r.Status, Warn)
			r.Evidence = append(r.Evidence, fmt.Sprintf("%s: resource policy cannot be read: %v", m.Name, err))
		case len(open) > 0:
			public = append(public, m.Name)
			r.Evidence = append(r.Evidence, fmt.Sprintf("%s: resource policy allows Principal \"*\" (%s)", m.Name, strings.Join(open, "; ")))
		default:
			r.Evidence = append(r.Evidence, m.Name+": resource policy names its principals")
		}
	}
	var parts []string
	if len(public) > 0 {
		r.Status = Fail
		parts = append(parts, fmt.Sprintf("%d secret(s) with a resource policy open to Principal \"*\": %s", len(public), shortList(public, 5)))
		fixes = append(fixes, "aws secretsmanager delete-resource-policy --secret-id NAME (or name the principals)")
	}
	if len(unread) > 0 {
		// Unread, a policy may be open to anyone: that fails the item.
		r.Status = Fail
		parts = append(parts, fmt.Sprintf("%d secret(s) whose resource policy could not be read: %s", len(unread), shortList(unread, 5)))
		fixes = append(fixes, "allow secretsmanager:GetResourcePolicy on them (the evidence gives the error), then check again")
	}
	if len(defaultKey) > 0 {
		r.Status = worst(r.Status, Warn)
		parts = append(parts, fmt.Sprintf("%d secret(s) on the AWS managed key aws/secretsmanager: %s", len(defaultKey), shortList(defaultKey, 5)))
		fixes = append(fixes, "secretctl update NAME --kms-key-id alias/YOUR-KEY --backend aws")
	}
	if len(parts) == 0 {
		r.Summary = fmt.Sprintf("%d secret(s) on customer-managed KMS keys, none open to Principal \"*\"", len(metas))
	} else {
		r.Summary = strings.Join(parts, "; ")
		r.Fix = strings.Join(fixes, "; ")
	}
	return r
}

// publicStatements returns a description of each Allow statement of an IAM
// policy document whose principal is everyone ("*", {"AWS":"*"} or a list
// holding "*").
func publicStatements(doc string) ([]string, error) {
	var p struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, errors.New("not JSON")
	}
	var stmts []map[string]json.RawMessage
	if err := json.Unmarshal(p.Statement, &stmts); err != nil {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(p.Statement, &one); err != nil {
			return nil, errors.New("no Statement")
		}
		stmts = []map[string]json.RawMessage{one}
	}
	var out []string
	for i, st := range stmts {
		var effect string
		_ = json.Unmarshal(st["Effect"], &effect)
		if effect != "Allow" || !everyone(st["Principal"]) {
			continue
		}
		label := fmt.Sprintf("statement %d", i+1)
		var sid string
		if json.Unmarshal(st["Sid"], &sid) == nil && sid != "" {
			label = "statement " + sid
		}
		if len(st["Condition"]) > 0 && string(st["Condition"]) != "null" {
			label += ", with a condition"
		}
		out = append(out, label)
	}
	return out, nil
}

func everyone(raw json.RawMessage) bool {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s == "*"
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	for _, v := range m {
		if json.Unmarshal(v, &s) == nil && s == "*" {
			return true
		}
		var l []string
		if json.Unmarshal(v, &l) == nil {
			for _, x := range l {
				if x == "*" {
					return true
				}
			}
		}
	}
	return false
}
