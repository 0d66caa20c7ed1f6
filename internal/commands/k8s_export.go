package commands

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/secretctl/secretctl/internal/export"
	"github.com/secretctl/secretctl/internal/k8s"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// k8sExportFormats are the export formats that write Kubernetes manifests.
// (Format names, not values: the scanner reads "…secret" names as keys.)
var k8sExportFormats = []string{"k8s-secret", "external-secret", "secret-store"} // secretctl:allow

// K8sExportOptions are export's flags for the Kubernetes formats.
type K8sExportOptions struct {
	Namespace      string
	Type           string // k8s-secret
	Name           string // k8s-secret: the Secret's name; external-secret: the ExternalSecret's
	Store          string // external-secret, secret-store
	StoreKind      string
	Refresh        string
	Target         string
	Region         string // secret-store; default the global --region
	Auth           string
	ServiceAccount string
}

func addK8sExportFlags(fl *pflag.FlagSet, o *K8sExportOptions) {
	fl.StringVarP(&o.Namespace, "namespace", "n", "", "k8s formats: the objects' namespace (default none: kubectl's)")
	fl.StringVar(&o.Type, "type", "", "k8s-secret: Secret type: "+strings.Join(k8s.Types, ", ")+" (default from the value)")
	fl.StringVar(&o.Name, "name", "", "k8s-secret, external-secret: the object's name (one NAME only)")
	fl.StringVar(&o.Store, "store", k8s.DefaultStore, "external-secret, secret-store: the SecretStore's name")
	fl.StringVar(&o.StoreKind, "store-kind", "SecretStore", "external-secret, secret-store: SecretStore or ClusterSecretStore")
	fl.StringVar(&o.Refresh, "refresh", "1h", "external-secret: ESO's refreshInterval")
	fl.StringVar(&o.Target, "target", "", "external-secret: the Secret ESO writes (default from the name, one NAME only)")
	fl.StringVar(&o.Auth, "auth", k8s.AuthIRSA, "secret-store: irsa, static or pod-identity")
	fl.StringVar(&o.ServiceAccount, "service-account", "external-secrets", "secret-store: the service account for irsa")
}

// exportK8s writes the Kubernetes manifests of format for names (NAME or
// PREFIX/). Only k8s-secret reveals values; the ESO manifests hold names.
func exportK8s(ctx context.Context, io *ui.IOStreams, open func(context.Context) (store.Store, error), format string, names []string, o K8sExportOptions) ([]byte, error) {
	if format == "secret-store" {
		if len(names) > 0 {
			return nil, usageErrorf("export --format secret-store takes no NAME")
		}
		b, err := k8s.SecretStore(k8s.SecretStoreOptions{Name: o.Store, Namespace: o.Namespace, Kind: o.StoreKind, Region: o.Region, Auth: o.Auth, ServiceAccount: o.ServiceAccount})
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("export: %w", err)}
		}
		return b, nil
	}
	if len(names) == 0 {
		return nil, usageErrorf("export --format %s: name at least one secret or PREFIX/", format)
	}
	if (o.Name != "" || o.Target != "") && (len(names) != 1 || strings.HasSuffix(names[0], "/")) {
		return nil, usageErrorf("export: --name and --target need exactly one NAME, not a PREFIX/")
	}
	if o.Type != "" && !slices.Contains(k8s.Types, o.Type) {
		return nil, usageErrorf("export: unknown --type %q (want %s)", o.Type, strings.Join(k8s.Types, ", "))
	}
	s, err := open(ctx)
	if err != nil {
		return nil, err
	}
	var all []string
	for _, n := range names {
		if !strings.HasSuffix(n, "/") {
			all = append(all, n)
			continue
		}
		metas, err := s.List(ctx, store.ListOptions{Prefix: n})
		if err != nil {
			return nil, storeErr("list", n, err)
		}
		if len(metas) == 0 {
			return nil, usageErrorf("export: no secret under %s", n)
		}
		for _, m := range metas {
			all = append(all, m.Name)
		}
	}
	var buf bytes.Buffer
	for i, n := range all {
		sec, err := s.Get(ctx, n, store.GetOptions{})
		if err != nil {
			return nil, storeErr("get", n, err)
		}
		var doc []byte
		switch format {
		case "external-secret":
			doc, err = k8s.ExternalSecret(k8s.ExternalSecretOptions{Source: n, Keys: k8s.Keys(sec.Value.Reveal()), Name: o.Name,
				Namespace: o.Namespace, Store: o.Store, StoreKind: o.StoreKind, Refresh: o.Refresh, Target: o.Target})
		case "k8s-secret":
			name := o.Name
			if name == "" {
				name = k8s.ObjectName(n)
			}
			obj, berr := k8s.Build(k8s.SecretSpec{Name: name, Namespace: o.Namespace, Type: o.Type,
				Source: k8s.Source{Name: sec.Name, ARN: sec.ARN, VersionID: sec.VersionID, Value: sec.Value.Reveal()}})
			if berr != nil {
				return nil, &UsageError{Err: fmt.Errorf("export %s: %w", n, berr)}
			}
			doc, err = k8s.SecretYAML(obj, false)
		}
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("export %s: %w", n, err)}
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(doc)
	}
	if format == "k8s-secret" && io.IsStdoutTTY() {
		fmt.Fprintln(io.ErrOut, "warning: this Secret manifest holds the values (base64 is not encryption); pipe it to kubectl apply -f - rather than saving it")
	}
	return buf.Bytes(), nil
}

// exportTerraform writes the Terraform configuration of names (NAME or
// PREFIX/): metadata from Describe, never a value.
func exportTerraform(ctx context.Context, open func(context.Context) (store.Store, error), names []string) ([]byte, error) {
	if len(names) == 0 {
		return nil, usageErrorf("export --format terraform: name at least one secret or PREFIX/")
	}
	s, err := open(ctx)
	if err != nil {
		return nil, err
	}
	var metas []store.Meta
	seen := map[string]bool{}
	add := func(m store.Meta) {
		if !seen[m.Name] {
			seen[m.Name] = true
			metas = append(metas, m)
		}
	}
	for _, n := range names {
		if !strings.HasSuffix(n, "/") {
			m, err := s.Describe(ctx, n)
			if err != nil {
				return nil, storeErr("describe", n, err)
			}
			add(m)
			continue
		}
		listed, err := s.List(ctx, store.ListOptions{Prefix: n})
		if err != nil {
			return nil, storeErr("list", n, err)
		}
		if len(listed) == 0 {
			return nil, usageErrorf("export: no secret under %s", n)
		}
		for _, l := range listed {
			m, err := s.Describe(ctx, l.Name) // List may leave out rotation details
			if err != nil {
				return nil, storeErr("describe", l.Name, err)
			}
			add(m)
		}
	}
	b, err := export.Terraform(metas)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return b, nil
}

// runExportManifests writes the formats that name secrets rather than map
// variables: the Kubernetes manifests and Terraform.
func runExportManifests(ctx context.Context, opts *ExportOptions) error {
	if len(opts.EnvFiles) > 0 || opts.Stage != "" || opts.VersionID != "" {
		return usageErrorf("export --format %s: --env-file, --stage and --version-id do not apply", opts.Format)
	}
	for _, s := range opts.Secrets {
		if strings.ContainsAny(s, "=#") {
			return usageErrorf("export --format %s: name secrets or PREFIX/ (%q maps variables, which manifests do not have)", opts.Format, s)
		}
	}
	var b []byte
	var err error
	if opts.Format == terraformFormat {
		b, err = exportTerraform(ctx, opts.Store, opts.Secrets)
	} else {
		b, err = exportK8s(ctx, opts.IO, opts.Store, opts.Format, opts.Secrets, opts.K8s)
	}
	if err != nil {
		return err
	}
	if opts.OutputFile == "" {
		_, err := opts.IO.Out.Write(b)
		return err
	}
	if err := writePrivate(opts.OutputFile, b); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(fmt.Sprintf("wrote the %s manifest to %s (mode 0600)", opts.Format, opts.OutputFile)))
	return nil
}
