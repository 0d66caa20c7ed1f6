package commands

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// GetOptions are the inputs of `secretctl get`.
type GetOptions struct {
	IO     *ui.IOStreams
	Store  func(context.Context) (store.Store, error)
	Now    func() time.Time
	Output ui.Format

	Name      string
	Key       string
	VersionID string
	Stage     string
	Raw       bool // print a binary value to a terminal
}

func newGetCmd(f *Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IO, Store: f.Store, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "get NAME",
		Short: "Print a secret's value",
		Long: `Print a secret's value to stdout: raw, with no trailing newline when piped,
so that $(secretctl get NAME) gives exactly the value.

--key reads one top-level field of a JSON value. --version-id or --stage pick a
version other than AWSCURRENT. -o json prints name, arn, versionId, stages,
createdDate and value; a binary value (SecretBinary) is printed as
valueBase64, base64-encoded, in place of value. A binary value is not
written to a terminal unless --raw asks for it.

Examples:
  secretctl get prod/db/password
  PGPASSWORD=$(secretctl get prod/db --key password) psql ...
  secretctl get prod/db --stage AWSPREVIOUS
  secretctl get prod/db -o json
  secretctl get certs/keystore > keystore.p12

Exit status:
  0 printed; 2 not found, marked for deletion, wrong key, or a backend error.`,
		Args: exactArgs(1, "the secret NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runGet(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Key, "key", "", "print one top-level field of a JSON value")
	cmd.Flags().StringVar(&opts.VersionID, "version-id", "", "read this version")
	cmd.Flags().StringVar(&opts.Stage, "stage", "", "read the version with this staging label (e.g. AWSPREVIOUS)")
	cmd.Flags().BoolVar(&opts.Raw, "raw", false, "print a binary value even when stdout is a terminal")
	return cmd
}

type getOutput struct {
	Name        string    `json:"name"`
	ARN         string    `json:"arn"`
	VersionID   string    `json:"versionId"`
	Stages      []string  `json:"stages"`
	CreatedDate time.Time `json:"createdDate"`
	Value       string    `json:"value,omitempty"`       // a string value
	ValueBase64 string    `json:"valueBase64,omitempty"` // a binary value, base64-encoded
}

func runGet(ctx context.Context, opts *GetOptions) error {
	out := opts.Output
	s, err := outputAndStore(ctx, out, opts.Store)
	if err != nil {
		return err
	}
	sec, err := s.Get(ctx, opts.Name, store.GetOptions{VersionID: opts.VersionID, Stage: opts.Stage})
	if err != nil {
		return storeErr("get", opts.Name, err)
	}
	value := sec.Value.Reveal()
	binary := sec.Value.IsBinary()
	if opts.Key != "" {
		if binary {
			return usageErrorf("get %s: --key needs a JSON string value, and this value is binary", opts.Name)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(value, &fields); err != nil {
			return usageErrorf("get %s: --key needs a JSON object value, and this value is not one", opts.Name)
		}
		raw, ok := fields[opts.Key]
		if !ok {
			return usageErrorf("get %s: the JSON value has no field %q", opts.Name, opts.Key)
		}
		var str string
		if json.Unmarshal(raw, &str) == nil {
			value = []byte(str)
		} else {
			value = raw
		}
	}
	if out != ui.FormatTable {
		o := getOutput{Name: sec.Name, ARN: sec.ARN, VersionID: sec.VersionID, Stages: sec.Stages, CreatedDate: sec.CreatedDate.UTC(), Value: string(value)}
		if binary && opts.Key == "" {
			o.Value, o.ValueBase64 = "", base64.StdEncoding.EncodeToString(value)
		}
		return ui.Print(opts.IO, out, o, nil)
	}
	if binary && opts.IO.IsStdoutTTY() && !opts.Raw {
		return usageErrorf("get %s: the value is binary (%d bytes) and stdout is a terminal: redirect it to a file, add --raw to print it anyway, or use -o json for base64", opts.Name, len(value))
	}
	if _, err := opts.IO.Out.Write(value); err != nil {
		return err
	}
	if opts.IO.IsStdoutTTY() && !binary {
		fmt.Fprintln(opts.IO.Out)
	}
	return nil
}
