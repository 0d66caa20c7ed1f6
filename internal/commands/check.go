package commands

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/audit"
	"github.com/secretctl/secretctl/internal/check"
	"github.com/secretctl/secretctl/internal/k8s"
	"github.com/secretctl/secretctl/internal/rotate"
	"github.com/secretctl/secretctl/internal/scan"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/local"
	"github.com/secretctl/secretctl/internal/ui"
)

// CheckSchemaVersion is the version of `check -o json`'s document. It
// changes only when a field changes meaning or goes away.
const CheckSchemaVersion = 1

// CheckOptions are the inputs of `secretctl check`.
type CheckOptions struct {
	IO     *ui.IOStreams
	Store  func(context.Context) (store.Store, error)
	AWS    func(context.Context) (*AWSClients, error) // nil on the local backend
	Trails func(ctx context.Context, region string) (audit.CloudTrailAPI, error)
	Kube   func() (*k8s.Client, error)
	Now    func() time.Time
	Getenv func(string) string

	AWSBackend bool
	Local      local.Options
	Regions    []string
	Output     ui.Format

	Path       string
	Prefix     string
	Only       []string
	Strict     bool
	Kubeconfig string
	Context    string
	Namespace  string // "" for every namespace
	EnvExample string // default PATH/.env.example
	Baseline   string
	Rules      string
}

func newCheckCmd(f *Factory, runF func(context.Context, *CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{IO: f.IO, Store: f.Store, Now: f.Now, Getenv: f.Getenv}
	kube := &KubeOptions{}
	cmd := &cobra.Command{
		Use:   "check [PATH] [--prefix P] [--only item,...] [--strict] [--kubeconfig FILE]",
		Short: "Run the security checklist: no hardcoded secrets, stored, encrypted, synced, audited, rotated",
		Long: `Run the security checklist over an application's tree (default ".") and
its secrets. Each item reports pass, fail, warn or skip, with its evidence
and the command that fixes it:

  no-hardcoded  scan PATH finds nothing (.secretctl.toml, .gitleaksignore,
                .secretctlignore and --baseline honoured as by 'scan PATH')
  stored        the backend answers, secrets exist under --prefix, and every
                variable of PATH/.env.example (as 'migrate' writes it) is
                provided by a stored secret
  encrypted     local: the store's directory and files are private, key.txt
                is neither inside PATH nor tracked by git; aws: each secret
                uses a customer-managed KMS key (aws/secretsmanager warns) and
                no resource policy allows Principal "*"
  k8s-secrets   with a kubeconfig: the Secrets that ExternalSecrets target exist
  eso-synced    with a kubeconfig: every ExternalSecret is Ready (SecretSynced)
                and its Secret is there
  audit         local: the access log's chain verifies; aws: the trail checks
                of 'audit status' in each --region, and LastAccessedDate is
                recorded
  rotation      every secret under --prefix has rotation configured, none is
                overdue, none has an unfinished rotation (AWSPENDING)

Without --prefix, the secret named in the header of PATH/.env.example (which
'migrate --apply' writes) is the prefix, else every secret. The k8s items
run when a kubeconfig is found (--kubeconfig, KUBECONFIG, ~/.kube/config),
over every namespace unless --namespace; they are skipped otherwise.

-o json prints a document for CI (schemaVersion, ok, counts, and items with
id, status, summary, evidence and fix); see docs/check.md. No item prints a
secret value.

Examples:
  secretctl check
  secretctl check . --only no-hardcoded,stored
  secretctl check --prefix prod/payments/ --backend aws --strict -o json
  secretctl check --kubeconfig ~/.kube/config --namespace production

Exit status:
  0 no item failed; 1 an item failed (with --strict, or warned); 2 check
  could not run (an unknown --only item, an unreadable PATH, bad flags).`,
		Args: maxArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := applyEnvFlags(c.Flags(), c.LocalFlags(), f.Getenv); err != nil {
				return err
			}
			opts.Path = "."
			if len(args) == 1 {
				opts.Path = args[0]
			}
			cfg := f.settings()
			opts.AWSBackend, opts.Local, opts.Output = cfg.IsAWS(), f.localOptions(), ui.Format(f.Output())
			opts.AWS = f.awsIfConfigured()
			opts.Regions = auditRegions(nil, cfg.Region)
			opts.Trails = func(ctx context.Context, region string) (audit.CloudTrailAPI, error) {
				ct, _, err := f.regionClients(ctx, region)
				return ct, err
			}
			kube.Kubeconfig, kube.Context = opts.Kubeconfig, opts.Context
			opts.Kube = kubeClient(f, kube)
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runCheck(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Prefix, "prefix", "", "the secrets to check: a name prefix (default: the secret .env.example names, else all) (SECRETCTL_PREFIX)")
	fl.StringSliceVar(&opts.Only, "only", nil, "run only these items, comma-separated: "+strings.Join(check.IDs, ",")+" (SECRETCTL_ONLY)")
	fl.BoolVar(&opts.Strict, "strict", false, "exit 1 on a warning too (SECRETCTL_STRICT)")
	fl.StringVar(&opts.Kubeconfig, "kubeconfig", "", "kubeconfig file for the k8s items (default KUBECONFIG, else ~/.kube/config) (SECRETCTL_KUBECONFIG)")
	fl.StringVar(&opts.Context, "context", "", "kubeconfig context (SECRETCTL_CONTEXT)")
	fl.StringVar(&opts.Namespace, "namespace", "", "the namespace of the k8s items (default every namespace) (SECRETCTL_NAMESPACE)")
	fl.StringVar(&opts.EnvExample, "env-example", "", "the env example listing the variables the code reads (default PATH/.env.example) (SECRETCTL_ENV_EXAMPLE)")
	fl.StringVar(&opts.Baseline, "baseline", "", "no-hardcoded: suppress the findings in this scan baseline (SECRETCTL_BASELINE)")
	fl.StringVar(&opts.Rules, "rules", "", "no-hardcoded: extra scan rules (default .secretctl.toml in PATH) (SECRETCTL_RULES)")
	return cmd
}

// checkDocument is `check -o json`: stable field names, documented in
// docs/check.md.
type checkDocument struct {
	SchemaVersion int                  `json:"schemaVersion"`
	OK            bool                 `json:"ok"`
	Strict        bool                 `json:"strict"`
	Path          string               `json:"path"`
	Backend       string               `json:"backend"`
	Prefix        string               `json:"prefix"`
	Counts        map[check.Status]int `json:"counts"`
	Items         []check.Result       `json:"items"`
}

func runCheck(ctx context.Context, opts *CheckOptions) error {
	if err := checkOutput(opts.Output); err != nil {
		return err
	}
	only := map[string]bool{}
	for _, id := range opts.Only {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if !slices.Contains(check.IDs, id) {
			return usageErrorf("check: --only %s: unknown item (want %s)", id, strings.Join(check.IDs, ", "))
		}
		only[id] = true
	}
	st, err := os.Stat(opts.Path)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if st.IsDir() {
		if _, err := os.ReadDir(opts.Path); err != nil {
			return fmt.Errorf("check: %w", err)
		}
	}
	envExample := opts.EnvExample
	if envExample == "" {
		dir := opts.Path
		if !st.IsDir() {
			dir = filepath.Dir(dir)
		}
		envExample = filepath.Join(dir, ".env.example")
	}
	prefix, prefixFrom := opts.Prefix, ""
	if prefix == "" {
		if prefix = check.PrefixFromEnvExample(envExample); prefix != "" {
			prefixFrom = envExample
		}
	}
	backend := "local"
	if opts.AWSBackend {
		backend = "aws"
	}
	checks := checkList(opts, prefix, prefixFrom, envExample)
	if len(only) > 0 {
		var keep []check.Check
		for _, c := range checks {
			if only[c.ID()] {
				keep = append(keep, c)
			}
		}
		checks = keep
	}
	results := check.Run(ctx, checks)
	if err := ctx.Err(); err != nil {
		return err
	}
	failed := check.Failed(results, opts.Strict)
	doc := checkDocument{
		SchemaVersion: CheckSchemaVersion, OK: !failed, Strict: opts.Strict, Path: opts.Path,
		Backend: backend, Prefix: prefix, Counts: check.Counts(results), Items: results,
	}
	if opts.Output != ui.FormatTable {
		if err := ui.Print(opts.IO, opts.Output, doc, nil); err != nil {
			return err
		}
	} else if err := printCheckTable(opts.IO, doc); err != nil {
		return err
	}
	if failed {
		return ErrFindings
	}
	return nil
}

// checkList builds the items for the backend and what is configured.
func checkList(opts *CheckOptions, prefix, prefixFrom, envExample string) []check.Check {
	so := scan.Options{Paths: []string{opts.Path}, ConfigPath: opts.Rules, Baseline: opts.Baseline, Log: opts.IO.ErrOut}
	openStore := opts.Store
	backendName := "AWS Secrets Manager"
	if !opts.AWSBackend {
		backendName = "local store " + opts.Local.Home
		// A missing local store is a finding, not something to create.
		openStore = func(ctx context.Context) (store.Store, error) {
			if _, err := os.Stat(filepath.Join(opts.Local.Home, local.DBFile)); errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("no local store at %s (secretctl init, or secretctl migrate --apply)", opts.Local.Home)
			}
			return opts.Store(ctx)
		}
	}
	engine := func(ctx context.Context) (*rotate.Engine, error) {
		return newEngine(ctx, openStore, opts.AWS, nil, opts.Now)
	}
	checks := []check.Check{
		check.NoHardcoded{Path: opts.Path, Scan: so},
		check.Stored{Store: openStore, Backend: backendName, Prefix: prefix, PrefixFrom: prefixFrom, EnvExample: envExample},
	}
	if opts.AWSBackend {
		checks = append(checks, check.Func{Name: check.IDEncrypted, F: func(ctx context.Context) check.Result {
			c, err := opts.AWS(ctx)
			if err != nil {
				return check.Result{Status: check.Fail, Summary: "AWS clients: " + err.Error()}
			}
			return check.AWSEncryption{Store: openStore, Prefix: prefix, Policies: c.SecretsManager}.Run(ctx)
		}})
	} else {
		checks = append(checks, check.LocalEncryption{Home: opts.Local.Home, KeyFile: opts.Local.KeyFile, Path: opts.Path})
	}
	if why := noKubeconfig(opts); why != "" {
		checks = append(checks, check.Skipped(check.IDK8sSecrets, why), check.Skipped(check.IDESOSynced, why))
	} else {
		kube := check.Kube{Client: opts.Kube, Namespace: opts.Namespace}
		checks = append(checks, check.K8sSecrets{Kube: kube}, check.ESOSynced{Kube: kube})
	}
	if opts.AWSBackend {
		checks = append(checks, check.AWSAudit{Regions: opts.Regions, Trails: opts.Trails, Store: openStore, Prefix: prefix})
	} else {
		checks = append(checks, check.LocalAudit{Local: opts.Local})
	}
	return append(checks, check.Rotation{Engine: engine, Prefix: prefix, Now: opts.Now})
}

// noKubeconfig gives the reason the k8s items are skipped, or "" when a
// kubeconfig is there to use.
func noKubeconfig(opts *CheckOptions) string {
	if opts.Kubeconfig != "" || opts.Getenv("KUBECONFIG") != "" {
		return ""
	}
	if home := opts.Getenv("HOME"); home != "" {
		if _, err := os.Stat(filepath.Join(home, ".kube", "config")); err == nil {
			return ""
		}
	}
	return "no kubeconfig (give --kubeconfig, or set KUBECONFIG)"
}

// printCheckTable writes one line per item; failed and warned items add
// their evidence and fix. On a TTY the marks are ✓ ✗ ! – in colour; piped,
// the status is a word and there is no colour.
func printCheckTable(s *ui.IOStreams, doc checkDocument) error {
	tty := s.IsStdoutTTY()
	r := s.Renderer()
	marks := map[check.Status]struct{ sym, color string }{
		check.Pass: {"✓", "2"}, check.Fail: {"✗", "1"}, check.Warn: {"!", "3"}, check.Skip: {"–", "8"},
	}
	width := 0
	for _, it := range doc.Items {
		width = max(width, len(it.ID))
	}
	var b strings.Builder
	for _, it := range doc.Items {
		mark := string(it.Status)
		if tty {
			m := marks[it.Status]
			mark = r.NewStyle().Foreground(lipgloss.Color(m.color)).Render(m.sym)
		} else {
			mark = fmt.Sprintf("%-4s", mark)
		}
		summary := it.Summary
		if it.Status == check.Skip {
			summary = "skipped: " + summary
		}
		fmt.Fprintf(&b, "%s %-*s  %s\n", mark, width, it.ID, summary)
		if it.Status == check.Fail || it.Status == check.Warn {
			for _, e := range it.Evidence {
				fmt.Fprintf(&b, "    %s\n", e)
			}
			if it.Fix != "" {
				fmt.Fprintf(&b, "    fix: %s\n", it.Fix)
			}
		}
	}
	c := doc.Counts
	fmt.Fprintf(&b, "\n%d passed, %d failed, %d warned, %d skipped\n", c[check.Pass], c[check.Fail], c[check.Warn], c[check.Skip])
	_, err := s.Out.Write([]byte(b.String()))
	return err
}
