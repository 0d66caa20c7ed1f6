package commands

import (
	"context"
	"sync"
	"time"

	"github.com/secretctl/secretctl/internal/config"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// Factory holds what commands share. Store and AWS are lazy, so commands
// such as `scan` never load AWS configuration or open the local store.
type Factory struct {
	IO      *ui.IOStreams
	Version string
	Now     func() time.Time
	Getenv  func(string) string

	// Config is set once the root command's flags are parsed.
	Config *config.Config

	// Store opens the configured backend (memoised). Tests replace it.
	Store func(ctx context.Context) (store.Store, error)
	// AWS builds the AWS clients (memoised). Tests replace it.
	AWS func(ctx context.Context) (*AWSClients, error)

	store   lazy[store.Store] // behind the default Store
	aws     lazy[*AWSClients] // behind the default AWS
	mu      sync.Mutex
	closers []func() error
}

// settings is the resolved configuration. Before the root command has
// parsed its flags (a subcommand run on its own in a test) it is the
// defaults.
func (f *Factory) settings() *config.Config {
	if f.Config == nil {
		return &config.Config{Backend: config.BackendLocal, Output: string(ui.FormatTable)}
	}
	return f.Config
}

// awsIfConfigured is Factory.AWS on the AWS backend and nil on the local
// one, for commands that use AWS only when it is the backend.
func (f *Factory) awsIfConfigured() func(context.Context) (*AWSClients, error) {
	if f.settings().IsAWS() {
		return f.AWS
	}
	return nil
}

// Output is the -o/--output format the user asked for ("table" by default).
func (f *Factory) Output() string {
	if f.Config == nil || f.Config.Output == "" {
		return "table"
	}
	return f.Config.Output
}

func (f *Factory) onClose(fn func() error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closers = append(f.closers, fn)
}

// Close releases what the lazy constructors opened.
func (f *Factory) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.closers) - 1; i >= 0; i-- {
		_ = f.closers[i]()
	}
	f.closers = nil
}
