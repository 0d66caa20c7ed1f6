package commands

import (
	"context"
	"errors"

	"github.com/secretctl/secretctl/internal/store"
)

// AWSClients is replaced by awsx.Clients once the AWS package lands.
type AWSClients struct{}

func (f *Factory) openStore(ctx context.Context) (store.Store, error) {
	return nil, errors.New("open store: backend not wired yet")
}

func (f *Factory) awsClients(ctx context.Context) (*AWSClients, error) {
	return nil, errors.New("aws: not wired yet")
}
