// Copied from github.com/cschleiden/go-workflows v1.2.0 backend/sqlite
// (MIT licence, Copyright (c) 2022 Christopher Schleiden; see LICENSE here)
// and changed by onewindow where marked "onewindow:".

package sqlite

import (
	"time"

	"github.com/cschleiden/go-workflows/backend"
)

type options struct {
	*backend.Options

	// ApplyMigrations automatically applies database migrations on startup.
	ApplyMigrations bool

	// IdlePoll is how long a poll waits for work (wake.go). onewindow.
	IdlePoll time.Duration
}

// Option configures Open.
type Option func(*options)

// WithApplyMigrations automatically applies database migrations on startup.
func WithApplyMigrations(applyMigrations bool) Option {
	return func(o *options) {
		o.ApplyMigrations = applyMigrations
	}
}

// WithBackendOptions allows to pass generic backend options.
func WithBackendOptions(opts ...backend.BackendOption) Option {
	return func(o *options) {
		for _, opt := range opts {
			opt(o.Options)
		}
	}
}
