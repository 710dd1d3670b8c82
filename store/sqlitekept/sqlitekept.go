// Package sqlitekept is modernc's SQLite driver with prepared statements kept per connection,
// registered for database/sql as DriverName. The application database (store.Open) opens
// SQLite through it.
package sqlitekept

// Prepared statements kept per SQLite connection. modernc's driver parses a query's SQL every
// time it runs: in the http bench's profile SQLite's parser took a fifth of the process's CPU,
// half of an inbox page's (its visibility clause is long), and it ran inside write
// transactions too, while they hold the database's one write lock. Connections opened with
// DriverName come from this wrapper of modernc's driver, which keeps each connection's statements
// (by SQL text) and runs a query again through its kept statement. SQLite prepares a kept
// statement again by itself when the schema changed, or when a value bound to it may change
// its plan (sqlite_stat4). PostgreSQL needs none of this: pgx keeps its statements itself.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"

	"modernc.org/sqlite"
)

// DriverName is the database/sql driver name to open SQLite with (DSNs as modernc's).
const DriverName = "sqlite-kept"

func init() { sql.Register(DriverName, keptDriver{&sqlite.Driver{}}) }

// keptPerConn bounds the statements a connection keeps: queries whose text varies (IN lists
// of varying length) are not all worth keeping; past the bound a query runs as before.
const keptPerConn = 256

type keptDriver struct{ d *sqlite.Driver }

// Open opens a modernc connection that keeps its statements.
func (k keptDriver) Open(name string) (driver.Conn, error) {
	c, err := k.d.Open(name)
	if err != nil {
		return nil, err
	}
	inner, ok := c.(sqliteConn)
	if !ok {
		_ = c.Close()
		return nil, errors.New("the SQLite driver's connection lacks the context methods")
	}
	return &keptConn{sqliteConn: inner, stmts: map[string]*keptStmt{}}, nil
}

// sqliteConn is what keptConn needs of a modernc connection.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// keptConn is a connection with its kept statements. database/sql uses a connection from one
// goroutine at a time, so the map needs no lock.
type keptConn struct {
	sqliteConn
	stmts map[string]*keptStmt
}

// keptStmt is a kept statement; busy while rows read through it are open (a query run again
// meanwhile on the same connection gets a statement of its own).
type keptStmt struct {
	s    driver.Stmt
	busy bool
}

// keepable reports whether query is worth keeping: one data statement, not a script,
// PRAGMA or transaction control.
func keepable(query string) bool {
	q := strings.TrimSpace(query)
	if strings.Contains(strings.TrimRight(q, "; \n\t"), ";") {
		return false
	}
	head, _, _ := strings.Cut(q, " ")
	switch strings.ToUpper(head) {
	case "SELECT", "INSERT", "UPDATE", "DELETE", "WITH":
		return true
	}
	return false
}

// kept answers query's kept statement, preparing it on first use; nil to run the query
// the ordinary way (not keepable, busy, the connection's bound reached, or it does not
// prepare: running it then reports why).
func (c *keptConn) kept(ctx context.Context, query string) *keptStmt {
	if k, ok := c.stmts[query]; ok {
		if k.busy {
			return nil
		}
		return k
	}
	if len(c.stmts) >= keptPerConn || !keepable(query) {
		return nil
	}
	s, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	k := &keptStmt{s: s}
	c.stmts[query] = k
	return k
}

// ExecContext runs query through its kept statement.
func (c *keptConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	k := c.kept(ctx, query)
	if k == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return k.s.(driver.StmtExecContext).ExecContext(ctx, args)
}

// QueryContext runs query through its kept statement; the statement is busy until the rows
// are closed.
func (c *keptConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	k := c.kept(ctx, query)
	if k == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	r, err := k.s.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	k.busy = true
	return &keptRows{Rows: r, k: k}, nil
}

// Close closes the kept statements, then the connection.
func (c *keptConn) Close() error {
	for q, k := range c.stmts {
		_ = k.s.Close()
		delete(c.stmts, q)
	}
	return c.sqliteConn.Close()
}

// keptRows frees its statement when closed and passes on the column types modernc reports.
type keptRows struct {
	driver.Rows
	k *keptStmt
}

// Close closes the rows (modernc resets the kept statement) and frees the statement.
func (r *keptRows) Close() error {
	err := r.Rows.Close()
	r.k.busy = false
	return err
}

// ColumnTypeScanType passes on modernc's scan type of column i.
func (r *keptRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

// ColumnTypeDatabaseTypeName passes on modernc's declared type of column i.
func (r *keptRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

// ColumnTypeNullable passes on modernc's nullability of column i.
func (r *keptRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}
