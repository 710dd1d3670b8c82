package store

// Prepared statements for the reads run on an SQLite DB. modernc's driver parses a query's
// SQL every time it runs: the profile of the http bench showed SQLite's parser taking a
// fifth of the process's CPU, and half of an inbox page's (its visibility clause is long).
// A statement prepared once through database/sql is kept per connection and run again
// without parsing. PostgreSQL needs none of this: pgx caches its statements itself.

import (
	"context"
	"database/sql"
	"sync"

	"github.com/jmoiron/sqlx"
)

// stmtCacheSize bounds the statements kept: queries whose text varies (IN lists of varying
// length) are not all worth keeping, and past the bound a query runs as before.
const stmtCacheSize = 512

// stmtCache holds the prepared read statements of one DB. Statements are never evicted
// (one closed while another goroutine runs it would fail), only not added past the bound.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sqlx.Stmt
}

// stmt answers the prepared statement of query, preparing it on first use; nil when the
// DB keeps none (PostgreSQL), the cache is full or the query does not prepare (its error
// then comes from running it the ordinary way).
func (db *DB) stmt(ctx context.Context, query string) *sqlx.Stmt {
	c := db.stmts
	if c == nil {
		return nil
	}
	c.mu.Lock()
	s, ok := c.m[query]
	full := len(c.m) >= stmtCacheSize
	c.mu.Unlock()
	if ok || full {
		return s
	}
	s, err := db.DB.PreparexContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok || len(c.m) >= stmtCacheSize {
		_ = s.Close()
		return old
	}
	c.m[query] = s
	return s
}

// SelectContext runs a read through its prepared statement (see stmtCache).
func (db *DB) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	if s := db.stmt(ctx, query); s != nil {
		return s.SelectContext(ctx, dest, args...)
	}
	return db.DB.SelectContext(ctx, dest, query, args...)
}

// GetContext runs a read of one row through its prepared statement (see stmtCache).
func (db *DB) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	if s := db.stmt(ctx, query); s != nil {
		return s.GetContext(ctx, dest, args...)
	}
	return db.DB.GetContext(ctx, dest, query, args...)
}

// QueryxContext runs a read through its prepared statement (see stmtCache).
func (db *DB) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	if s := db.stmt(ctx, query); s != nil {
		return s.QueryxContext(ctx, args...)
	}
	return db.DB.QueryxContext(ctx, query, args...)
}

// QueryContext runs a read through its prepared statement (see stmtCache).
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := db.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return db.DB.QueryContext(ctx, query, args...)
}

// QueryRowxContext runs a read of one row through its prepared statement (see stmtCache).
func (db *DB) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	if s := db.stmt(ctx, query); s != nil {
		return s.QueryRowxContext(ctx, args...)
	}
	return db.DB.QueryRowxContext(ctx, query, args...)
}

// Close closes the kept statements and the database.
func (db *DB) Close() error {
	if c := db.stmts; c != nil {
		c.mu.Lock()
		for _, s := range c.m {
			_ = s.Close()
		}
		c.m = map[string]*sqlx.Stmt{}
		c.mu.Unlock()
	}
	return db.DB.Close()
}
