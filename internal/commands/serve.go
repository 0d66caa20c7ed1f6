package commands

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/config"
	"github.com/secretctl/secretctl/internal/rotate"
	"github.com/secretctl/secretctl/internal/serve"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// ServeOptions are the inputs of `secretctl serve`.
type ServeOptions struct {
	IO     *ui.IOStreams
	Store  func(context.Context) (store.Store, error)
	Now    func() time.Time
	Getenv func(string) string

	Home    string // the local store's directory: the credentials file goes there
	Backend config.Backend

	Addr    string
	TLSCert string
	TLSKey  string
	// Drain is how long SIGTERM waits for requests in flight.
	Drain time.Duration
}

// DefaultServeAddr is where serve listens unless told otherwise (the port
// LocalStack and other local AWS endpoints use).
const DefaultServeAddr = "127.0.0.1:4566"

func newServeCmd(f *Factory, runF func(context.Context, *ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IO, Store: f.Store, Now: f.Now, Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the local store over the AWS Secrets Manager API",
		Long: `Serve the local store as a Secrets Manager endpoint, so the AWS CLI, every
AWS SDK and applications that read their secrets with one work unchanged
against the encrypted local store, with versions, rotation and the access log.

The API is Secrets Manager's JSON 1.1 protocol: CreateSecret, GetSecretValue,
BatchGetSecretValue, PutSecretValue, UpdateSecret, DescribeSecret, ListSecrets,
ListSecretVersionIds, UpdateSecretVersionStage, DeleteSecret, RestoreSecret,
TagResource, UntagResource, GetRandomPassword, RotateSecret (runs the rotator
set with 'secretctl rotation set') and CancelRotateSecret.

Every request must be SigV4-signed with the server's access key. The key comes
from SECRETCTL_SERVE_ACCESS_KEY_ID and SECRETCTL_SERVE_SECRET_ACCESS_KEY, or is
generated on first start into serve-credentials.json (0600) in the store's
directory. serve prints an ~/.aws/config profile that names the key id and
reads the secret key with 'secretctl serve credentials'.

Every call is recorded in the local access log with the caller's access key id
and address, so 'secretctl audit' shows reads through the server. Other
secretctl commands keep working on the same store while it serves.

serve listens on loopback only, unless --tls-cert and --tls-key are given.
SIGTERM or Ctrl-C stops accepting, lets requests in flight finish, then exits.

Examples:
  secretctl serve
  AWS_PROFILE=secretctl aws secretsmanager get-secret-value --secret-id prod/db
  AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:4566 node app.js
  secretctl serve --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem

Exit status:
  0 stopped by a signal after draining; 2 usage error (a non-loopback address
  without TLS), the address is in use, or the store cannot be opened.`,
		Args: maxArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			if f.Config != nil {
				opts.Home, opts.Backend = f.Config.Home, f.Config.Backend
			}
			envDefault(c, opts.Getenv, "addr", "SECRETCTL_SERVE_ADDR", &opts.Addr)
			envDefault(c, opts.Getenv, "tls-cert", "SECRETCTL_SERVE_TLS_CERT", &opts.TLSCert)
			envDefault(c, opts.Getenv, "tls-key", "SECRETCTL_SERVE_TLS_KEY", &opts.TLSKey)
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runServe(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Addr, "addr", DefaultServeAddr, "address to listen on (SECRETCTL_SERVE_ADDR)")
	cmd.Flags().StringVar(&opts.TLSCert, "tls-cert", "", "TLS certificate file (PEM); needed for a non-loopback address (SECRETCTL_SERVE_TLS_CERT)")
	cmd.Flags().StringVar(&opts.TLSKey, "tls-key", "", "TLS private key file (PEM) (SECRETCTL_SERVE_TLS_KEY)")
	cmd.Flags().DurationVar(&opts.Drain, "drain-timeout", 30*time.Second, "how long a stop waits for requests in flight")
	cmd.AddCommand(newServeCredentialsCmd(f))
	return cmd
}

// envDefault sets *dst from the environment when the flag was not given.
func envDefault(c *cobra.Command, getenv func(string) string, flag, env string, dst *string) {
	if !c.Flags().Changed(flag) && getenv != nil && getenv(env) != "" {
		*dst = getenv(env)
	}
}

func (o *ServeOptions) validate() error {
	if o.Backend == config.BackendAWS {
		return usageErrorf("serve: serves the local store; --backend aws is AWS Secrets Manager itself")
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return usageErrorf("serve: give both --tls-cert and --tls-key, or neither")
	}
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return usageErrorf("serve: invalid --addr %q: want HOST:PORT", o.Addr)
	}
	if o.TLSCert == "" && !isLoopback(host) {
		return usageErrorf("serve: %s is not a loopback address; serving secrets beyond this machine needs --tls-cert and --tls-key", o.Addr)
	}
	if o.Drain <= 0 {
		return usageErrorf("serve: --drain-timeout must be positive")
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func runServe(ctx context.Context, opts *ServeOptions) error {
	st, err := opts.Store(ctx)
	if err != nil {
		return err
	}
	creds, source, err := serve.LoadCredentials(opts.Getenv, opts.Home)
	if err != nil {
		return err
	}
	var tlsCfg *tls.Config
	if opts.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(opts.TLSCert, opts.TLSKey)
		if err != nil {
			return fmt.Errorf("serve: load TLS key pair: %w", err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	scheme := "http"
	if tlsCfg != nil {
		ln, scheme = tls.NewListener(ln, tlsCfg), "https"
	}
	endpoint := scheme + "://" + ln.Addr().String()
	logger := slog.New(slog.NewTextHandler(opts.IO.ErrOut, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h := serve.New(serve.Options{
		Store:       st,
		Credentials: creds,
		Now:         opts.Now,
		Rotate:      &rotate.Engine{Store: st, Now: opts.Now, Progress: opts.IO.ErrOut},
		Log:         logger,
	})
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errOut := opts.IO.ErrOut
	fmt.Fprintf(errOut, "secretctl: serving the Secrets Manager API on %s (store %s)\n", endpoint, opts.Home)
	fmt.Fprintf(errOut, "secretctl: access key id %s (credentials: %s)\n", creds.AccessKeyID, source)
	fmt.Fprintf(errOut, "Add this profile to ~/.aws/config, then use AWS_PROFILE=secretctl:\n\n%s\n", serve.ProfileSnippet("secretctl", endpoint, creds.AccessKeyID))

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintln(errOut, "secretctl: stopping: waiting for requests in flight")
	drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.Drain)
	defer cancel()
	if err := srv.Shutdown(drainCtx); err != nil {
		return fmt.Errorf("serve: stop: %w", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(errOut, "secretctl: stopped")
	return nil
}

func newServeCredentialsCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "credentials",
		Short: "Print serve's credentials for an AWS credential_process",
		Long: `Print the access key that 'secretctl serve' accepts, as the JSON an AWS SDK or
the AWS CLI expects from a credential_process command, so the secret key never
has to be copied into ~/.aws/config or ~/.aws/credentials:

  [profile secretctl]
  credential_process = secretctl serve credentials
  endpoint_url = http://127.0.0.1:4566
  region = us-east-1

The key is the one serve uses: SECRETCTL_SERVE_ACCESS_KEY_ID and
SECRETCTL_SERVE_SECRET_ACCESS_KEY, or serve-credentials.json in the store's
directory (created when missing).

Exit status:
  0 printed; 2 the credentials cannot be read or created.`,
		Args: maxArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			creds, _, err := serve.LoadCredentials(f.Getenv, f.Config.Home)
			if err != nil {
				return err
			}
			b, err := serve.CredentialProcessJSON(creds)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(f.IO.Out, string(b))
			return err
		},
	}
}
