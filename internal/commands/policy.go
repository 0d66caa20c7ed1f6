package commands

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/policy"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// PolicyOptions are the inputs of `secretctl policy`.
type PolicyOptions struct {
	IO    *ui.IOStreams
	Store func(context.Context) (store.Store, error)

	Targets []string // names, or prefixes ending in "/"
	Access  string
	Format  string
	Name    string // the Terraform resource's name
	Region  string // for ARNs of secrets not yet created, when no resolved ARN tells
	Account string
}

func newPolicyCmd(f *Factory, runF func(context.Context, *PolicyOptions) error) *cobra.Command {
	opts := &PolicyOptions{IO: f.IO, Store: f.Store}
	cmd := &cobra.Command{
		Use:   "policy NAME|PREFIX/... [--access read|write|rotate] [--format json|terraform]",
		Short: "Print the least-privilege IAM policy for an application's secrets",
		Long: `Print the IAM policy an application needs for its secrets, and nothing more.

read grants secretsmanager:GetSecretValue and DescribeSecret on exactly the
named secrets' ARNs, resolved through the backend; write adds PutSecretValue
and UpdateSecretVersionStage; rotate adds GetRandomPassword, as the AWS
rotation functions use it. A name not yet created gets the ARN pattern
Secrets Manager's random suffix will match (NAME-??????), and a prefix ending
in "/" gets PREFIX*. A secret encrypted with a customer-managed KMS key adds
kms:Decrypt on that key, only through Secrets Manager (kms:ViaService).

--format terraform prints an aws_iam_policy resource whose policy is the
same document under jsonencode.

Examples:
  secretctl policy prod/database/credentials prod/api/key
  secretctl policy prod/ --access rotate
  secretctl policy prod/api/key --format terraform --name read_secrets > iam.tf

Exit status:
  0 printed; 2 invalid input, an account that cannot be told, or a backend error.`,
		Args: minArgs(1, "NAME or PREFIX/"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Targets = args
			if opts.Region == "" {
				opts.Region = f.settings().Region
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runPolicy(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Access, "access", "read", "what the application may do: read, write or rotate")
	fl.StringVar(&opts.Format, "format", "json", "json (the policy document) or terraform (an aws_iam_policy)")
	fl.StringVar(&opts.Name, "name", "", "the Terraform resource and policy name (default ACCESS_secrets)")
	fl.StringVar(&opts.Account, "account", "", "the AWS account id for secrets not yet created (default: from a resolved ARN)")
	return cmd
}

func runPolicy(ctx context.Context, opts *PolicyOptions) error {
	access, err := policy.ParseAccess(opts.Access)
	if err != nil {
		return usageErrorf("policy: %v", err)
	}
	if opts.Format != "json" && opts.Format != "terraform" {
		return usageErrorf("policy: unknown format %q (want json or terraform)", opts.Format)
	}
	s, err := opts.Store(ctx)
	if err != nil {
		return err
	}
	type pending struct { // an ARN built once region and account are known
		name   string
		prefix bool
	}
	var targets []policy.Target
	var wild []pending
	// A resolved ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-xxxxxx)
	// tells the region and account the store really uses; the flags are the
	// fallback when none resolves.
	var region, account string
	learn := func(arn string) {
		if p := strings.SplitN(arn, ":", 7); len(p) == 7 && region == "" {
			region, account = p[3], p[4]
		}
	}
	for _, t := range opts.Targets {
		if strings.HasSuffix(t, "/") {
			metas, err := s.List(ctx, store.ListOptions{Prefix: t})
			if err != nil {
				return storeErr("policy", t, err)
			}
			for _, m := range metas {
				learn(m.ARN)
				if policy.CustomerManaged(m.KmsKeyID) {
					targets = append(targets, policy.Target{KmsKeyID: m.KmsKeyID}) // the key only: the prefix covers the secret
				}
			}
			wild = append(wild, pending{name: t, prefix: true})
			continue
		}
		m, err := s.Describe(ctx, t)
		if errors.Is(err, store.ErrNotFound) {
			wild = append(wild, pending{name: t})
			continue
		}
		if err != nil {
			return storeErr("policy", t, err)
		}
		learn(m.ARN)
		targets = append(targets, policy.Target{ARN: m.ARN, KmsKeyID: m.KmsKeyID})
	}
	if region == "" {
		region, account = opts.Region, opts.Account
	} else if opts.Account != "" {
		account = opts.Account
	}
	if len(wild) > 0 && (region == "" || account == "") {
		return usageErrorf("policy: cannot tell the region and account for secrets not yet created: pass --region and --account")
	}
	for _, w := range wild {
		arn := policy.SecretARN(region, account, w.name)
		if w.prefix {
			arn = policy.PrefixARN(region, account, w.name)
		}
		targets = append(targets, policy.Target{ARN: arn})
	}
	doc := policy.Build(access, region, account, targets)
	var out []byte
	if opts.Format == "terraform" {
		name := opts.Name
		if name == "" {
			name = string(access) + "_secrets"
		}
		out, err = doc.Terraform(name)
	} else {
		out, err = doc.JSON()
	}
	if err != nil {
		return err
	}
	_, err = opts.IO.Out.Write(out)
	return err
}
