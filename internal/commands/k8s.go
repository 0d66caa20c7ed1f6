package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"

	"github.com/secretctl/secretctl/internal/k8s"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/text"
	"github.com/secretctl/secretctl/internal/ui"
)

// KubeOptions select the cluster as kubectl does: --kubeconfig, else
// KUBECONFIG, else ~/.kube/config; --context; --namespace.
type KubeOptions struct {
	Kubeconfig string
	Context    string
	Namespace  string
}

// kubeClient returns a function that loads the kubeconfig when called, so
// flag-parsing tests and --help never touch it.
func kubeClient(f *Factory, o *KubeOptions) func() (*k8s.Client, error) {
	return func() (*k8s.Client, error) {
		c, err := k8s.NewClient(k8s.ConfigOptions{
			Kubeconfig:    o.Kubeconfig,
			KubeconfigEnv: f.Getenv("KUBECONFIG"),
			Home:          f.Getenv("HOME"),
			Context:       o.Context,
			Namespace:     o.Namespace,
			Warnings:      warningPrefix{f.IO.ErrOut},
		})
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		return c, nil
	}
}

func newK8sCmd(f *Factory, applyF func(context.Context, *K8sApplyOptions) error, statusF func(context.Context, *K8sStatusOptions) error) *cobra.Command {
	kube := &KubeOptions{}
	cmd := &cobra.Command{
		Use:   "k8s",
		Short: "Write secrets into Kubernetes and check what syncs them",
		Long: `Write stored secrets into a Kubernetes cluster as Secrets (k8s apply), and
report whether the External Secrets Operator and secretctl's own Secrets are in
sync with the store (k8s status).

The cluster is chosen as kubectl chooses it: --kubeconfig, else KUBECONFIG,
else ~/.kube/config; --context and --namespace override the kubeconfig's.

Exit status:
  0 success; 1 k8s status found something not synced; 2 usage or runtime error.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown command %q for %q", args[0], c.CommandPath())
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error { return c.Help() },
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&kube.Kubeconfig, "kubeconfig", "", "kubeconfig file (default KUBECONFIG, else ~/.kube/config)")
	pf.StringVar(&kube.Context, "context", "", "kubeconfig context to use")
	pf.StringVarP(&kube.Namespace, "namespace", "n", "", "namespace (default the context's, else default)")
	cmd.AddCommand(newK8sApplyCmd(f, kube, applyF), newK8sStatusCmd(f, kube, statusF))
	return cmd
}

// K8sApplyOptions are the inputs of `secretctl k8s apply`.
type K8sApplyOptions struct {
	IO     *ui.IOStreams
	Store  func(context.Context) (store.Store, error)
	Kube   func() (*k8s.Client, error)
	Output ui.Format

	KubeOptions *KubeOptions
	Names       []string // NAME or PREFIX/
	Name        string   // --name, for one NAME only
	Type        string
	Prune       bool
	DryRun      bool
}

func newK8sApplyCmd(f *Factory, kube *KubeOptions, runF func(context.Context, *K8sApplyOptions) error) *cobra.Command {
	opts := &K8sApplyOptions{IO: f.IO, Store: f.Store, Kube: kubeClient(f, kube), KubeOptions: kube}
	cmd := &cobra.Command{
		Use:   "apply NAME|PREFIX/... [--namespace NS] [--name K8S_NAME] [--type TYPE] [--prune] [--dry-run]",
		Short: "Write secrets into Kubernetes as Secrets (server-side apply)",
		Long: `Write each named secret, or every secret under PREFIX/, into the namespace as
a Kubernetes Secret, with server-side apply (field manager "secretctl").

A JSON object's top-level keys become the Secret's data keys; any other value
becomes one key named after the last segment of the secret's name. The Secret
is named after the secret's path without its first segment (the environment):
prod/database/credentials becomes database-credentials; --name overrides it
for a single NAME. Each Secret carries the label
app.kubernetes.io/managed-by=secretctl and annotations naming its source
(secretctl.io/source, secretctl.io/source-arn, secretctl.io/source-version).

A rerun changes nothing unless the source changed. A Secret that exists but is
not managed by secretctl is never overwritten. The type follows the value
unless --type says otherwise: kubernetes.io/tls for an object with tls.crt and
tls.key, kubernetes.io/dockerconfigjson for a Docker config ({"auths": ...}) or
an object with a .dockerconfigjson key, Opaque for anything else. --prune deletes the Secrets
secretctl manages in the namespace whose source, under the given names, is
gone from the store. --dry-run prints the objects with values masked and
changes nothing.

Examples:
  secretctl k8s apply prod/database/credentials -n production
  secretctl k8s apply prod/ -n production --prune
  secretctl k8s apply prod/tls/shop --type kubernetes.io/tls --name shop-tls
  secretctl k8s apply prod/ --dry-run

Exit status:
  0 applied (or nothing to change); 2 invalid input, a Secret secretctl does not
  manage, or a store or cluster error.`,
		Args: minArgs(1, "NAME or PREFIX/"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Names = args
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runK8sApply(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "the Secret's name (one NAME only)")
	cmd.Flags().StringVar(&opts.Type, "type", "", "Secret type: "+strings.Join(k8s.Types, ", ")+" (default from the value)")
	cmd.Flags().BoolVar(&opts.Prune, "prune", false, "delete secretctl's Secrets whose source is gone")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the Secrets with values masked; change nothing")
	return cmd
}

func runK8sApply(ctx context.Context, opts *K8sApplyOptions) error {
	if err := checkOutput(opts.Output); err != nil {
		return err
	}
	if opts.Type != "" && !slices.Contains(k8s.Types, opts.Type) {
		return usageErrorf("k8s apply: unknown --type %q (want %s)", opts.Type, strings.Join(k8s.Types, ", "))
	}
	if opts.Name != "" {
		if len(opts.Names) != 1 || strings.HasSuffix(opts.Names[0], "/") {
			return usageErrorf("k8s apply: --name needs exactly one NAME, not a PREFIX/")
		}
		if err := k8s.ValidateName(opts.Name); err != nil {
			return usageErrorf("k8s apply: --name: %v", err)
		}
	}
	s, err := opts.Store(ctx)
	if err != nil {
		return err
	}
	kc, err := opts.Kube()
	if err != nil {
		return err
	}
	ns := kc.Namespace

	// Resolve the names: NAME as it is, PREFIX/ through List.
	var names []string
	present := map[string]bool{}
	for _, arg := range opts.Names {
		if !strings.HasSuffix(arg, "/") {
			names = append(names, arg)
			continue
		}
		metas, err := s.List(ctx, store.ListOptions{Prefix: arg})
		if err != nil {
			return storeErr("list", arg, err)
		}
		for _, m := range metas {
			names = append(names, m.Name)
			present[m.Name] = true
		}
	}

	var secrets []*k8sSecret
	seen := map[string]string{}
	for _, name := range names {
		sec, err := s.Get(ctx, name, store.GetOptions{})
		if err != nil {
			if opts.Prune && errors.Is(err, store.ErrNotFound) && !strings.HasSuffix(name, "/") {
				continue // a named source that is gone: --prune removes its Secret
			}
			return storeErr("get", name, err)
		}
		present[name] = true
		objName := opts.Name
		if objName == "" {
			objName = k8s.ObjectName(name)
		}
		if other, dup := seen[objName]; dup {
			return usageErrorf("k8s apply: %s and %s would both be Secret %s; apply them separately with --name", other, name, objName)
		}
		seen[objName] = name
		obj, err := k8s.Build(k8s.SecretSpec{Name: objName, Namespace: ns, Type: opts.Type,
			Source: k8s.Source{Name: sec.Name, ARN: sec.ARN, VersionID: sec.VersionID, Value: sec.Value.Reveal()}})
		if err != nil {
			return &UsageError{Err: fmt.Errorf("k8s apply %s: %w", name, err)}
		}
		secrets = append(secrets, &k8sSecret{source: name, obj: obj})
	}

	var results []k8s.Result
	for _, ks := range secrets {
		r, err := kc.Apply(ctx, ks.obj, opts.DryRun)
		if err != nil {
			return fmt.Errorf("k8s apply %s: %w", ks.source, err)
		}
		results = append(results, r)
		if opts.DryRun {
			y, err := k8s.SecretYAML(ks.obj, true)
			if err != nil {
				return err
			}
			fmt.Fprintf(opts.IO.ErrOut, "# %s (%s, dry run)\n", ks.source, r.Action)
			fmt.Fprintf(opts.IO.Out, "---\n%s", y)
		}
	}
	if opts.Prune {
		inScope := func(src string) bool {
			for _, arg := range opts.Names {
				if src == arg || (strings.HasSuffix(arg, "/") && strings.HasPrefix(src, arg)) {
					return true
				}
			}
			return false
		}
		pruned, err := kc.Prune(ctx, ns, inScope, func(src string) bool { return present[src] }, opts.DryRun)
		if err != nil {
			return fmt.Errorf("k8s apply --prune: %w", err)
		}
		results = append(results, pruned...)
	}
	if opts.DryRun {
		for _, r := range results {
			if r.Action == k8s.Pruned {
				fmt.Fprintf(opts.IO.ErrOut, "# would prune %s/%s (source %s is gone)\n", r.Namespace, r.Name, r.Source)
			}
		}
		return nil
	}
	if results == nil {
		results = []k8s.Result{}
	}
	return ui.Print(opts.IO, opts.Output, results, func(t *ui.Table) {
		t.Header("ACTION", "SECRET", "SOURCE", "VERSION")
		for _, r := range results {
			t.Row(string(r.Action), r.Namespace+"/"+r.Name, r.Source, r.VersionID)
		}
	})
}

type k8sSecret struct {
	source string
	obj    *corev1.Secret
}

// K8sStatusOptions are the inputs of `secretctl k8s status`.
type K8sStatusOptions struct {
	IO     *ui.IOStreams
	Store  func(context.Context) (store.Store, error)
	Kube   func() (*k8s.Client, error)
	Now    func() time.Time
	Output ui.Format

	KubeOptions   *KubeOptions
	AllNamespaces bool
}

func newK8sStatusCmd(f *Factory, kube *KubeOptions, runF func(context.Context, *K8sStatusOptions) error) *cobra.Command {
	opts := &K8sStatusOptions{IO: f.IO, Store: f.Store, Kube: kubeClient(f, kube), Now: f.Now, KubeOptions: kube}
	cmd := &cobra.Command{
		Use:   "status [--namespace NS|-A]",
		Short: "Report whether ExternalSecrets and secretctl's Secrets are synced",
		Long: `List the ExternalSecrets in the namespace (or all namespaces with -A) with
their Ready condition, and the Secrets secretctl manages with the source
version they hold, compared with the store's current version.

An ExternalSecret is synced when its Ready condition is True with reason
SecretSynced. A secretctl Secret is synced when it holds the store's current
version of its source.

Examples:
  secretctl k8s status -n production
  secretctl k8s status -A -o json

Exit status:
  0 everything synced; 1 something is not synced; 2 a store or cluster error.`,
		Args: maxArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runK8sStatus(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.AllNamespaces, "all-namespaces", "A", false, "every namespace")
	return cmd
}

// k8sStatusItem is one row of `k8s status`.
type k8sStatusItem struct {
	Kind      string `json:"kind"` // ExternalSecret or Secret
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Source    string `json:"source,omitempty"`
	VersionID string `json:"versionId,omitempty"`
	Status    string `json:"status"` // SecretSynced, Stale, SourceGone, or ESO's reason
	Message   string `json:"message,omitempty"`
	Synced    bool   `json:"synced"`
}

func runK8sStatus(ctx context.Context, opts *K8sStatusOptions) error {
	if err := checkOutput(opts.Output); err != nil {
		return err
	}
	if opts.AllNamespaces && opts.KubeOptions != nil && opts.KubeOptions.Namespace != "" {
		return usageErrorf("k8s status: --namespace and --all-namespaces exclude each other")
	}
	kc, err := opts.Kube()
	if err != nil {
		return err
	}
	ns := kc.Namespace
	if opts.AllNamespaces {
		ns = ""
	}
	ess, err := kc.ExternalSecrets(ctx, ns)
	if err != nil {
		return fmt.Errorf("k8s status: %w", err)
	}
	items := []k8sStatusItem{}
	for _, es := range ess {
		st := es.Reason
		if st == "" {
			st = "Ready=" + es.Ready
		}
		items = append(items, k8sStatusItem{Kind: "ExternalSecret", Namespace: es.Namespace, Name: es.Name, Status: st, Message: es.Message, Synced: es.Synced})
	}
	managed, err := kc.Managed(ctx, ns)
	if err != nil {
		return fmt.Errorf("k8s status: %w", err)
	}
	if len(managed) > 0 {
		s, err := opts.Store(ctx)
		if err != nil {
			return err
		}
		for _, sec := range managed {
			it := k8sStatusItem{Kind: "Secret", Namespace: sec.Namespace, Name: sec.Name,
				Source: sec.Annotations[k8s.SourceAnnotation], VersionID: sec.Annotations[k8s.VersionAnnotation]}
			m, err := s.Describe(ctx, it.Source)
			switch {
			case errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrMarkedForDeletion) || (err == nil && m.DeletedDate != nil):
				it.Status = "SourceGone"
			case err != nil:
				return storeErr("describe", it.Source, err)
			case m.CurrentVersion() != it.VersionID:
				it.Status = "Stale"
				it.Message = "the store's current version is " + m.CurrentVersion()
			default:
				it.Status, it.Synced = "SecretSynced", true
			}
			items = append(items, it)
		}
	}
	if err := ui.Print(opts.IO, opts.Output, items, func(t *ui.Table) {
		t.Header("KIND", "NAMESPACE", "NAME", "SOURCE", "STATUS", "MESSAGE")
		for _, it := range items {
			src := it.Source
			if it.VersionID != "" {
				src += "@" + it.VersionID
			}
			t.Row(it.Kind, it.Namespace, it.Name, src, it.Status, text.OneLine(it.Message))
		}
	}); err != nil {
		return err
	}
	for _, it := range items {
		if !it.Synced {
			return ErrFindings
		}
	}
	return nil
}

// warningPrefix writes the API server's warnings as secretctl's.
type warningPrefix struct{ w io.Writer }

func (p warningPrefix) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, "secretctl: warning from the API server: "); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}
