package commands

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/export"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// ExportOptions are the inputs of `secretctl export`.
type ExportOptions struct {
	IO    *ui.IOStreams
	Store func(context.Context) (store.Store, error)

	Secrets    []string // NAME, NAME=VAR, NAME#KEY=VAR or PREFIX/, as exec's --secret
	EnvFiles   []string
	Format     string
	OutputFile string
	Stage      string
	VersionID  string
	K8s        K8sExportOptions // the Kubernetes formats' flags (k8s_export.go)
}

func newExportCmd(f *Factory, runF func(context.Context, *ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{IO: f.IO, Store: f.Store}
	cmd := &cobra.Command{
		Use:   "export [NAME|PREFIX/]... --format dotenv|json|yaml|shell|tfvars|k8s-secret|external-secret|secret-store|terraform",
		Short: "Write secrets as a dotenv, JSON, YAML, shell or tfvars file, Kubernetes manifests or Terraform",
		Long: `Write secrets' values in a file format other tools read, to stdout or to
--output-file (created with mode 0600, replaced whole).

Each argument is mapped to variables as exec's --secret is (NAME, NAME=VAR,
NAME#KEY=VAR, PREFIX/); --env-file adds the variables of a reference file.
Variables are written sorted by name.

  dotenv  KEY=value, quoted so that quotes, $, # and newlines read back exactly
  json    one object of string values
  yaml    one mapping of string values
  shell   export KEY='value' lines, safe to eval
  tfvars  KEY = "value" (Terraform variable definitions)

Kubernetes manifests, for kubectl apply -f - (docs/kubernetes.md):

  k8s-secret       a Secret per secret, JSON keys as data keys (holds the values)
  external-secret  an External Secrets Operator ExternalSecret per secret: one
                   data entry per key, read from the store; no value
  secret-store     the SecretStore for AWS Secrets Manager in --region, with
                   --auth irsa|static|pod-identity; takes no NAME

Terraform, for an infrastructure repository that adopts the secrets
(docs/runtime.md):

  terraform  per secret: an aws_secretsmanager_secret (name, description,
             kms_key_id, tags), an aws_secretsmanager_secret_version whose
             value is a sensitive variable "<name>_value", and, for a Lambda
             rotation, an aws_secretsmanager_secret_rotation with its
             rotation_rules. Metadata only: it never holds a value

Examples:
  secretctl export prod/app/ --format dotenv --output-file .env
  eval "$(secretctl export prod/database/credentials --format shell)"
  secretctl export prod/db#password=db_password --format tfvars > secret.auto.tfvars
  secretctl export prod/database/credentials --format external-secret -n production | kubectl apply -f -
  secretctl export --format secret-store --region eu-west-1 --auth irsa -n production | kubectl apply -f -
  secretctl export prod/ --format terraform --output-file secrets.tf

Exit status:
  0 written; 2 a secret or key is missing, a bad format, or a backend error.`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Secrets = append(opts.Secrets, args...)
			if opts.K8s.Region == "" && f.Config != nil {
				opts.K8s.Region = f.Config.Region
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runExport(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Format, "format", "dotenv", "output format: "+strings.Join(exportFormats(), ", "))
	fl.StringVar(&opts.OutputFile, "output-file", "", "write to this file (mode 0600) instead of stdout")
	fl.StringArrayVar(&opts.EnvFiles, "env-file", nil, "dotenv file of literals and secretctl:// references (repeatable)")
	fl.StringVar(&opts.Stage, "stage", "", "read the versions with this staging label")
	fl.StringVar(&opts.VersionID, "version-id", "", "read this version")
	addK8sExportFlags(fl, &opts.K8s)
	return cmd
}

// terraformFormat is the export format that writes Terraform
// configuration (metadata only).
const terraformFormat = "terraform"

// exportFormats lists every export format: the value writers, the
// Kubernetes manifests and Terraform. Help and errors both use it.
func exportFormats() []string {
	out := append(slices.Clone(export.Formats()), k8sExportFormats...)
	return append(out, terraformFormat)
}

func runExport(ctx context.Context, opts *ExportOptions) error {
	if !slices.Contains(exportFormats(), opts.Format) {
		return usageErrorf("export: unknown format %q (want %s)", opts.Format, ui.OneOf(exportFormats()))
	}
	if slices.Contains(k8sExportFormats, opts.Format) || opts.Format == terraformFormat {
		return runExportManifests(ctx, opts)
	}
	w, err := export.New(opts.Format)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("export: %w", err)}
	}
	if len(opts.Secrets) == 0 && len(opts.EnvFiles) == 0 {
		return usageErrorf("export: name at least one secret, PREFIX/ or --env-file")
	}
	set, err := resolveEnv(ctx, opts.Store, opts.Secrets, opts.EnvFiles, store.GetOptions{Stage: opts.Stage, VersionID: opts.VersionID})
	if err != nil {
		return err
	}
	if len(set.Required) > 0 {
		return usageErrorf("export: %s declares %s with no value; export writes values only", set.RequiredFrom(set.Required[0]), set.Required[0])
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, set.Vars); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if opts.OutputFile == "" {
		_, err := opts.IO.Out.Write(buf.Bytes())
		return err
	}
	if err := writePrivate(opts.OutputFile, buf.Bytes()); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(fmt.Sprintf("wrote %d variables to %s (mode 0600)", len(set.Vars), opts.OutputFile)))
	return nil
}

// writePrivate replaces path with data through a 0600 temporary file in the
// same directory, so the file is never readable by others, not even while
// it is written, and a failed write leaves the old file as it was.
func writePrivate(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
