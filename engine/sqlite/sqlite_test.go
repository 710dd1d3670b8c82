package sqlite

import (
	"fmt"
	"path/filepath"
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

// onFile opens a backend on a fresh file under dir, as serve does (its reads through the
// read pool), for the suites below.
func onFile(t *testing.T, dir string) func(options ...backend.BackendOption) test.TestBackend {
	n := 0
	return func(options ...backend.BackendOption) test.TestBackend {
		n++
		b, err := Open(filepath.Join(dir, fmt.Sprintf("engine-%d.db", n))+"?_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)",
			WithBackendOptions(append(options, backend.WithStickyTimeout(0))...))
		require.NoError(t, err)
		return b
	}
}

// TestBackendSuiteOnFile: go-workflows' backend suite on a file, where reads have their own
// connections.
func TestBackendSuiteOnFile(t *testing.T) {
	test.BackendTest(t, onFile(t, t.TempDir()), func(b test.TestBackend) {
		require.NoError(t, b.(*Backend).Close())
	})
}

// TestEndToEndSuiteOnFile: go-workflows' end-to-end suite on a file.
func TestEndToEndSuiteOnFile(t *testing.T) {
	test.EndToEndBackendTest(t, onFile(t, t.TempDir()), func(b test.TestBackend) {
		require.NoError(t, b.Close())
	})
}
