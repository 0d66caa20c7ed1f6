// Package awsx loads AWS configuration, builds the AWS SDK clients that
// secretctl uses, and holds the one table between AWS error codes and the
// typed errors every backend returns (errors.go). It is a low-level package:
// it imports only the SDK, and the domain packages (store, rotate, audit)
// import it, never the other way round.
package awsx

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"

	"github.com/secretctl/secretctl/internal/text"
)

// Retry modes accepted by Options.RetryMode.
const (
	RetryStandard = "standard"
	RetryAdaptive = "adaptive"
)

// ErrNoRegion is returned by Load when no region is configured anywhere.
var ErrNoRegion = errors.New("no AWS region: set --region, AWS_REGION or a profile region")

// Options selects how AWS is reached. Empty fields fall back to the SDK's
// own sources (environment, shared config files, IMDS, ...).
type Options struct {
	Region           string // wins over AWS_REGION, AWS_DEFAULT_REGION and the profile
	Profile          string // wins over AWS_PROFILE
	EndpointURL      string // wins over AWS_ENDPOINT_URL(_SECRETS_MANAGER); applied to every client
	RetryMode        string // "standard" or "adaptive"; empty: AWS_RETRY_MODE, profile, then standard
	MaxAttempts      int    // total attempts per call; 0: AWS_MAX_ATTEMPTS, profile, then 3
	UserAgentVersion string // adds "secretctl/<version>" to the User-Agent when set
}

func (o Options) validate() error {
	switch o.RetryMode {
	case "", RetryStandard, RetryAdaptive:
	default:
		return fmt.Errorf("invalid retry mode %q: use standard or adaptive", o.RetryMode)
	}
	if o.MaxAttempts < 0 {
		return fmt.Errorf("invalid max attempts %d: must be 1 or more", o.MaxAttempts)
	}
	if o.EndpointURL != "" {
		if err := validateEndpoint(o.EndpointURL); err != nil {
			return err
		}
	}
	return nil
}

func validateEndpoint(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("invalid endpoint URL %q: want http(s)://host[:port]", s)
	}
	return nil
}

// Load builds an aws.Config with config.LoadDefaultConfig, so profiles, SSO,
// IRSA, container and environment credentials keep working, as do
// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_SECRETS_MANAGER. Options.EndpointURL
// is not part of the returned config (a per-service variable would beat it
// there); NewClients applies it to each client instead, as New does.
//
// Region precedence: Options.Region > AWS_REGION > AWS_DEFAULT_REGION >
// profile region. Without any, Load fails with ErrNoRegion.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	if err := o.validate(); err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	// The SDK's own logger prints multi-line warnings (IMDS fallbacks,
	// retries) on stderr; secretctl reports errors itself, on one line.
	lo := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{}), config.WithClientLogMode(0)}
	if o.Region != "" {
		lo = append(lo, config.WithRegion(o.Region))
	}
	if o.Profile != "" {
		lo = append(lo, config.WithSharedConfigProfile(o.Profile))
	}
	if o.RetryMode != "" {
		lo = append(lo, config.WithRetryMode(aws.RetryMode(o.RetryMode)))
	}
	if o.MaxAttempts > 0 {
		lo = append(lo, config.WithRetryMaxAttempts(o.MaxAttempts))
	}
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", configError(err))
	}
	if cfg.Region == "" {
		return aws.Config{}, ErrNoRegion
	}
	// The retryer is always the SDK's own, built from the mode and attempts
	// resolved above (flag > env > profile > default), never a hand-rolled loop.
	mode, attempts := cfg.RetryMode, cfg.RetryMaxAttempts
	cfg.Retryer = func() aws.Retryer { return NewRetryer(mode, attempts) }
	if o.UserAgentVersion != "" {
		cfg.APIOptions = append(cfg.APIOptions, awsmiddleware.AddUserAgentKeyValue("secretctl", o.UserAgentVersion))
	}
	return cfg, nil
}

// NewRetryer returns the SDK's retryer for mode: retry.NewStandard, or
// retry.NewAdaptiveMode for "adaptive". maxAttempts 0 keeps the SDK default
// (3). One change from the SDK defaults: LimitExceededException is not
// retried, because in Secrets Manager it means a quota (too many versions or
// labels), not a throttle, and retrying cannot succeed.
func NewRetryer(mode aws.RetryMode, maxAttempts int) aws.Retryer {
	std := func(so *retry.StandardOptions) {
		if maxAttempts > 0 {
			so.MaxAttempts = maxAttempts
		}
		so.Retryables = append([]retry.IsErrorRetryable{noRetryQuota{}}, so.Retryables...)
	}
	if mode == aws.RetryModeAdaptive {
		return retry.NewAdaptiveMode(func(ao *retry.AdaptiveModeOptions) {
			ao.StandardOptions = append(ao.StandardOptions, std)
		})
	}
	return retry.NewStandard(std)
}

// noRetryQuota stops the retryer at LimitExceededException, which the SDK
// counts among throttling codes.
type noRetryQuota struct{}

func (noRetryQuota) IsErrorRetryable(err error) aws.Ternary {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "LimitExceededException" {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

// configError shortens config-loading errors to one readable line.
func configError(err error) error {
	var pe config.SharedConfigProfileNotExistError
	if errors.As(err, &pe) {
		return fmt.Errorf("AWS profile %q not found in the shared config files", pe.Profile)
	}
	return errors.New(oneLine(err.Error()))
}

// New loads the configuration and returns lazily built clients that honour
// Options.EndpointURL.
func New(ctx context.Context, o Options) (*Clients, error) {
	cfg, err := Load(ctx, o)
	if err != nil {
		return nil, err
	}
	return NewClients(cfg, o.EndpointURL), nil
}

// oneLine collapses whitespace runs (newlines included) and caps the length.
func oneLine(s string) string { return text.Shorten(text.OneLine(s), 300) }
