package sqlite

import (
	"testing"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/test"
	"github.com/stretchr/testify/require"
)

var _ test.TestBackend = (*Backend)(nil)

// TestBackendSuite runs go-workflows' own backend test suite against the
// changed backend: the poll must keep every guarantee of the original.
func TestBackendSuite(t *testing.T) {
	test.BackendTest(t, func(options ...backend.BackendOption) test.TestBackend {
		return NewInMemory(WithBackendOptions(append(options, backend.WithStickyTimeout(0))...))
	}, func(b test.TestBackend) {
		require.NoError(t, b.(*Backend).Close())
	})
}

// TestEndToEndSuite runs go-workflows' end-to-end suite (workflows, timers,
// signals, sub-workflows, removal) on the changed backend.
func TestEndToEndSuite(t *testing.T) {
	test.EndToEndBackendTest(t, func(options ...backend.BackendOption) test.TestBackend {
		return NewInMemory(WithBackendOptions(append(options, backend.WithStickyTimeout(0))...))
	}, func(b test.TestBackend) {
		require.NoError(t, b.Close())
	})
}
