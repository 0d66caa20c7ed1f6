// Package policy builds least-privilege IAM policies for an application's
// secrets: the actions an access level needs, on exactly the secrets' ARNs,
// plus kms:Decrypt on the customer-managed keys they use, limited to calls
// that come through Secrets Manager.
package policy

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Access is what the application may do with its secrets.
type Access string

// The access levels, each a superset of the one before.
const (
	Read   Access = "read"
	Write  Access = "write"
	Rotate Access = "rotate"
)

// ParseAccess checks s names an access level.
func ParseAccess(s string) (Access, error) {
	switch a := Access(s); a {
	case Read, Write, Rotate:
		return a, nil
	}
	return "", fmt.Errorf("unknown access %q (want read, write or rotate)", s)
}

// DefaultKey is the AWS-managed key Secrets Manager uses when a secret names
// none; IAM grants on it are not needed (its key policy allows the account).
const DefaultKey = "alias/aws/secretsmanager"

// Target is one secret (or prefix) the policy covers.
type Target struct {
	ARN      string // the resolved ARN, a wildcard ARN for a name not yet created or a prefix, or "" for a key alone
	KmsKeyID string // the key the secret uses ("" or DefaultKey for the AWS-managed one)
}

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one IAM policy statement.
type Statement struct {
	Sid       string                       `json:"Sid,omitempty"`
	Effect    string                       `json:"Effect"`
	Action    []string                     `json:"Action"`
	Resource  []string                     `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// SecretARN returns the ARN that matches a secret called name once it
// exists: Secrets Manager appends a hyphen and six random characters.
func SecretARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-??????", region, account, name)
}

// PrefixARN returns the ARN pattern that matches every secret under prefix.
func PrefixARN(region, account, prefix string) string {
	return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s*", region, account, prefix)
}

// CustomerManaged reports whether keyID names a customer-managed key.
func CustomerManaged(keyID string) bool {
	return keyID != "" && keyID != DefaultKey && !strings.HasSuffix(keyID, ":"+DefaultKey)
}

// Build returns the policy granting access on targets in region and account.
func Build(access Access, region, account string, targets []Target) Document {
	actions := []string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"}
	if access == Write || access == Rotate {
		actions = append(actions, "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage")
	}
	var arns []string
	keys := map[string]bool{}
	for _, t := range targets {
		if t.ARN != "" {
			arns = append(arns, t.ARN)
		}
		if CustomerManaged(t.KmsKeyID) {
			keys[keyARN(region, account, t.KmsKeyID)] = true
		}
	}
	arns = uniq(arns)
	doc := Document{Version: "2012-10-17"}
	doc.Statement = append(doc.Statement, Statement{
		Sid: "ReadSecrets", Effect: "Allow", Action: actions, Resource: arns,
	})
	if access != Read {
		doc.Statement[0].Sid = "WriteSecrets"
	}
	if access == Rotate {
		doc.Statement[0].Sid = "RotateSecrets"
		// The rotation templates ask Secrets Manager for a new password;
		// GetRandomPassword acts on no resource, so IAM takes only "*".
		doc.Statement = append(doc.Statement, Statement{
			Sid: "GeneratePasswords", Effect: "Allow",
			Action: []string{"secretsmanager:GetRandomPassword"}, Resource: []string{"*"},
		})
	}
	if len(keys) > 0 {
		kmsActions := []string{"kms:Decrypt"}
		if access != Read {
			kmsActions = append(kmsActions, "kms:GenerateDataKey")
		}
		var ks []string
		for k := range keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		doc.Statement = append(doc.Statement, Statement{
			Sid: "DecryptSecrets", Effect: "Allow", Action: kmsActions, Resource: ks,
			Condition: map[string]map[string]string{
				"StringEquals": {"kms:ViaService": "secretsmanager." + region + ".amazonaws.com"},
			},
		})
	}
	return doc
}

// keyARN turns a key id, key ARN, alias or alias ARN into the ARN IAM
// matches. IAM matches kms:Decrypt on the key, never on an alias, so an alias
// becomes every key in the account (the ViaService condition still limits it
// to Secrets Manager's calls).
func keyARN(region, account, id string) string {
	switch {
	case strings.HasPrefix(id, "arn:") && strings.Contains(id, ":alias/"):
		parts := strings.SplitN(id, ":", 6)
		return strings.Join(parts[:5], ":") + ":key/*"
	case strings.HasPrefix(id, "arn:"):
		return id
	case strings.HasPrefix(id, "alias/"):
		return fmt.Sprintf("arn:aws:kms:%s:%s:key/*", region, account)
	}
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, account, id)
}

func uniq(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// JSON returns the document indented, with a final newline.
func (d Document) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Terraform returns an aws_iam_policy resource called name whose policy is
// the document under jsonencode.
func (d Document) Terraform(name string) ([]byte, error) {
	f := hclwrite.NewEmptyFile()
	res := f.Body().AppendNewBlock("resource", []string{"aws_iam_policy", name})
	body := res.Body()
	body.SetAttributeValue("name", cty.StringVal(name))
	body.SetAttributeRaw("policy", hclwrite.TokensForFunctionCall("jsonencode", hclwrite.TokensForValue(d.cty())))
	return hclwrite.Format(f.Bytes()), nil
}

func (d Document) cty() cty.Value {
	var stmts []cty.Value
	for _, s := range d.Statement {
		m := map[string]cty.Value{
			"Effect":   cty.StringVal(s.Effect),
			"Action":   strings2cty(s.Action),
			"Resource": strings2cty(s.Resource),
		}
		if s.Sid != "" {
			m["Sid"] = cty.StringVal(s.Sid)
		}
		if len(s.Condition) > 0 {
			cond := map[string]cty.Value{}
			for op, kv := range s.Condition {
				inner := map[string]cty.Value{}
				for k, v := range kv {
					inner[k] = cty.StringVal(v)
				}
				cond[op] = cty.ObjectVal(inner)
			}
			m["Condition"] = cty.ObjectVal(cond)
		}
		stmts = append(stmts, cty.ObjectVal(m))
	}
	return cty.ObjectVal(map[string]cty.Value{
		"Version":   cty.StringVal(d.Version),
		"Statement": cty.TupleVal(stmts),
	})
}

func strings2cty(s []string) cty.Value {
	vs := make([]cty.Value, len(s))
	for i, v := range s {
		vs[i] = cty.StringVal(v)
	}
	return cty.TupleVal(vs)
}
