package commands

import (
	"context"
	"fmt"
	"sync"

	"github.com/secretctl/secretctl/internal/audit"
	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/awssm"
	"github.com/secretctl/secretctl/internal/store/local"
)

// AWSClients are the AWS SDK clients, built from one aws.Config.
type AWSClients = awsx.Clients

// lazy memoises a constructor that may fail.
type lazy[T any] struct {
	once sync.Once
	v    T
	err  error
}

func (l *lazy[T]) get(fn func() (T, error)) (T, error) {
	l.once.Do(func() { l.v, l.err = fn() })
	return l.v, l.err
}

func (f *Factory) openStore(ctx context.Context) (store.Store, error) {
	return f.store.get(func() (store.Store, error) {
		if f.Config.IsAWS() {
			c, err := f.AWS(ctx)
			if err != nil {
				return nil, err
			}
			return awssm.New(c.SecretsManager, awssm.Options{}), nil
		}
		return f.openLocal(ctx)
	})
}

// openLocal opens (creating on first use) the embedded store under
// SECRETCTL_HOME, with a one-line notice when it was just created.
func (f *Factory) openLocal(ctx context.Context) (*local.Store, error) {
	s, err := local.Open(ctx, f.localOptions())
	if err != nil {
		return nil, err // local.Open names the store in its errors
	}
	f.onClose(func() error {
		if s.Upgraded() {
			fmt.Fprintf(f.IO.ErrOut, "secretctl: upgraded the local store in %s to format 2: records and the access log are now authenticated\n", s.Home())
		}
		return s.Close()
	})
	if created, keyPath := s.Created(); created {
		if keyPath != "" {
			fmt.Fprintf(f.IO.ErrOut, "secretctl: created a local store in %s; its key is %s — back it up: losing it loses the data\n", s.Home(), keyPath)
		} else {
			fmt.Fprintf(f.IO.ErrOut, "secretctl: created a local store in %s, sealed with SECRETCTL_PASSPHRASE — losing the passphrase loses the data\n", s.Home())
		}
	}
	return s, nil
}

func (f *Factory) localOptions() local.Options {
	cfg := f.settings()
	return local.Options{
		Home:       cfg.Home,
		KeyFile:    cfg.KeyFile,
		Passphrase: cfg.Passphrase,
		Now:        f.Now,
		Actor:      local.CurrentActor(f.Version),
	}
}

func (f *Factory) awsClients(ctx context.Context) (*AWSClients, error) {
	return f.aws.get(func() (*AWSClients, error) {
		return awsx.New(ctx, awsx.Options{
			Region:           f.Config.Region,
			Profile:          f.Config.Profile,
			EndpointURL:      f.Config.EndpointURL,
			RetryMode:        f.Config.RetryMode,
			UserAgentVersion: f.Version,
		})
	})
}

// regionClients builds, for `audit`, the CloudTrail client and the Secrets
// Manager catalog of one region, with the rest of the AWS settings as
// configured.
func (f *Factory) regionClients(ctx context.Context, region string) (audit.CloudTrailAPI, audit.Catalog, error) {
	cfg := f.settings()
	ac, err := awsx.Load(ctx, awsx.Options{
		Region: region, Profile: cfg.Profile, EndpointURL: cfg.EndpointURL, RetryMode: cfg.RetryMode, UserAgentVersion: f.Version,
	})
	if err != nil {
		return nil, nil, err
	}
	cl := awsx.NewClients(ac, cfg.EndpointURL)
	return cl.CloudTrail, awssm.New(cl.SecretsManager, awssm.Options{PageSize: 100}), nil
}
