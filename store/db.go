// Package store holds all of onewindow's SQL: opening the database, migrations, and one file per
// group of tables (identity.go, settings.go, and later definitions.go, engine.go, catalogue.go,
// cases.go). The same SQL runs on SQLite (modernc.org/sqlite, pure Go) and PostgreSQL (pgx).
//
// Conventions for code in this package:
//   - Functions that read or write take a Q, so they run either on the *DB or inside a Tx:
//     store.GetUser(ctx, db, id) or, in db.Tx(ctx, func(tx *sqlx.Tx) error {...}), store.GetUser(ctx, tx, id).
//   - Queries are written with ? placeholders and passed through q.Rebind.
//   - Ids are TEXT made by NewID; times are written from Go (use Now), never by SQL defaults,
//     so that both databases hold the same UTC values with microsecond precision.
//   - Errors wrap the sentinels ErrNotFound, ErrConflict, ErrReference and ErrInvalid so that
//     handlers can map them to HTTP statuses without knowing the driver.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" database/sql driver
	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite" // also registers the "sqlite" database/sql driver

	"onewindow/store/sqlitekept"
)

// Dialect names the SQL database behind a DB.
type Dialect string

const (
	// SQLite is modernc.org/sqlite, the default embedded database.
	SQLite Dialect = "sqlite"
	// Postgres is PostgreSQL through pgx's database/sql driver.
	Postgres Dialect = "postgres"
)

// Sentinel errors wrapped by store functions; test for them with errors.Is.
var (
	// ErrNotFound reports that the addressed row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict reports a unique-constraint violation, such as a duplicate username.
	ErrConflict = errors.New("already exists")
	// ErrReference reports a reference to a row that does not exist (a foreign-key violation).
	ErrReference = errors.New("referenced row does not exist")
	// ErrInvalid reports input the store refuses for a domain reason; see InvalidError.
	ErrInvalid = errors.New("invalid")
)

// InvalidError is an ErrInvalid that names the offending field (by its JSON name).
type InvalidError struct {
	Field   string
	Message string
}

// Error returns "field: message".
func (e *InvalidError) Error() string { return e.Field + ": " + e.Message }

// Is makes errors.Is(err, ErrInvalid) true for an *InvalidError.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// Invalid returns an *InvalidError for field with a printf-style message.
func Invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Q is what store functions run their SQL on: a *DB (through its embedded *sqlx.DB) or a *sqlx.Tx.
type Q interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// DB is an open application database. It embeds *sqlx.DB, so every sqlx method is available,
// and it satisfies Q.
type DB struct {
	*sqlx.DB
	dialect Dialect
	// writers funnels SQLite's write transactions (Tx): one at a time holds a connection
	// and the write lock, the others queue here. Without it every writer takes a pooled
	// connection and sleep-polls in SQLite's busy handler (1, 2, 5 … 100 ms naps), so that
	// under load the write lock sits idle between naps and the readers find the pool
	// empty. A channel rather than a mutex so that a waiter gives up with its context.
	writers chan struct{}
}

var _ Q = (*DB)(nil)
var _ Q = (*sqlx.Tx)(nil)

// Dialect tells which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// DialectOf tells which database q runs on, for the rare query that must differ.
func DialectOf(q Q) Dialect {
	if q.DriverName() == "pgx" {
		return Postgres
	}
	return SQLite
}

// sqlite connection settings. busy_timeout makes a writer wait for the lock instead of failing;
// _txlock=immediate makes every transaction take the write lock at BEGIN, so a transaction that
// reads and then writes cannot fail with SQLITE_BUSY_SNAPSHOT (which the busy handler does not
// retry); _timezone=UTC makes the driver write every time.Time in UTC so that text comparison of
// timestamps orders them.
const sqliteParams = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
	"&_pragma=foreign_keys(1)&_txlock=immediate&_time_format=sqlite&_timezone=UTC"

// Open opens the database named by dsn and checks that it answers. It does not migrate: call Migrate.
//
//	sqlite:data/onewindow.db               a file (its parent directory is created)
//	sqlite:/abs/path.db?_pragma=...        extra modernc DSN parameters are appended to ours
//	postgres://user@host:5432/db?sslmode=disable   (postgresql:// also accepted; any libpq
//	                                       runtime parameter such as search_path may be given)
func Open(ctx context.Context, dsn string) (*DB, error) {
	var (
		db      *sqlx.DB
		dialect Dialect
	)
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path, extra, _ := strings.Cut(strings.TrimPrefix(dsn, "sqlite:"), "?")
		path = strings.TrimPrefix(path, "//")
		if path == "" || strings.Contains(path, ":memory:") {
			return nil, fmt.Errorf("open %q: give a file path; in-memory SQLite is not supported because the pool uses several connections", dsn)
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("open %q: create directory: %w", dsn, err)
			}
		}
		params := sqliteParams
		if extra != "" {
			params += "&" + extra
		}
		// Without a "file:" prefix modernc takes everything before '?' as the file name verbatim.
		// The driver keeps each connection's prepared statements (package sqlitekept).
		sdb, err := sql.Open(sqlitekept.DriverName, path+"?"+params)
		if err != nil {
			return nil, fmt.Errorf("open %q: %w", dsn, err)
		}
		// Writers queue on SQLite's single write lock (busy_timeout) while readers run in
		// parallel under WAL; a handful of connections is enough for that, and more only
		// multiplies page caches.
		n := max(4, 2*runtime.GOMAXPROCS(0))
		sdb.SetMaxOpenConns(n)
		sdb.SetMaxIdleConns(n)
		sdb.SetConnMaxIdleTime(5 * time.Minute)
		// sqlx binds "?" for "sqlite3"; modernc registers itself as "sqlite".
		db, dialect = sqlx.NewDb(sdb, "sqlite3"), SQLite
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", redactDSN(dsn), err)
		}
		// Scan timestamptz in UTC, as SQLite's times come back, whatever the server's zone.
		pdb := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
			c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
				Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
			return nil
		}))
		pdb.SetMaxOpenConns(16)
		pdb.SetMaxIdleConns(8)
		pdb.SetConnMaxIdleTime(5 * time.Minute)
		db, dialect = sqlx.NewDb(pdb, "pgx"), Postgres
	default:
		return nil, fmt.Errorf("open %q: unknown database; want sqlite:PATH or postgres://...", redactDSN(dsn))
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", redactDSN(dsn), err)
	}
	out := &DB{DB: db, dialect: dialect}
	if dialect == SQLite {
		out.writers = make(chan struct{}, 1)
	}
	return out, nil
}

// redactDSN hides a password in a URL-shaped DSN so that it can be logged.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxx")
	}
	return u.String()
}

// maxTxAttempts bounds Tx's retries of a transaction that lost a lock race.
const maxTxAttempts = 8

// Tx runs fn in a transaction and commits it if fn returns nil, or rolls it back otherwise.
// When the database reports a transient conflict (SQLite busy or locked, PostgreSQL
// serialization failure or deadlock) Tx rolls back and runs fn again, up to a few times with a
// short random pause: fn must therefore have no effects outside the transaction.
//
// On SQLite every transaction takes the write lock when it begins, so keep read-only work
// outside Tx, and do not call Tx (or write through db) from inside fn: the transactions of
// one DB run one at a time, queued in Go (see DB.writers), and a Tx inside fn would wait for
// itself.
func (db *DB) Tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = db.tx1(ctx, fn)
		if err == nil || !isTransient(err) || attempt == maxTxAttempts {
			return err
		}
		pause := time.Duration(attempt*attempt) * time.Millisecond * time.Duration(1+rand.IntN(5))
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (after %d attempts: %v)", ctx.Err(), attempt, err)
		case <-time.After(pause):
		}
	}
}

// Snapshot runs fn in a read-only transaction that sees one moment of the database, for
// reads that must agree with each other while writers go on (REPEATABLE READ on PostgreSQL;
// on SQLite in WAL mode a read transaction keeps the snapshot of its first read).
func (db *DB) Snapshot(ctx context.Context, fn func(q Q) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.BeginTxx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read snapshot: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return fn(tx)
}

// ExecContext runs a statement outside a transaction. On SQLite a write outside Tx queues
// for the write slot too: otherwise it would sleep-poll in the busy handler while the queued
// transactions hand the lock to each other, and could wait out the whole busy timeout (the
// outbox's removal of a delivered signal, which a request waits for, is one). It waits for
// the slot as long as SQLite's busy timeout, then runs without it, so that a write through
// db inside a Tx's fn (a mistake) fails with SQLITE_BUSY as before instead of waiting forever.
func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if db.writers != nil {
		t := time.NewTimer(writeSlotWait)
		select {
		case db.writers <- struct{}{}:
			t.Stop()
			defer func() { <-db.writers }()
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("waiting for the write lock: %w", ctx.Err())
		}
	}
	return db.DB.ExecContext(ctx, query, args...)
}

// writeSlotWait is how long ExecContext waits for the write slot: SQLite's busy timeout.
const writeSlotWait = 10 * time.Second

func (db *DB) tx1(ctx context.Context, fn func(tx *sqlx.Tx) error) (err error) {
	if db.writers != nil {
		select {
		case db.writers <- struct{}{}:
		case <-ctx.Done():
			return fmt.Errorf("waiting for the write lock: %w", ctx.Err())
		}
		defer func() { <-db.writers }()
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	keepCounts(tx)
	defer func() {
		dropCounts(tx)
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	// The scorecards' counters go last (pendingCounts says why).
	if err = flushCounts(ctx, tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// SQLite primary and extended result codes, and PostgreSQL SQLSTATEs, that classify errors.
const (
	sqliteBusy            = 5
	sqliteLocked          = 6
	sqliteConstraintPK    = 1555
	sqliteConstraintUniq  = 2067
	sqliteConstraintFK    = 787
	sqliteConstraintCheck = 275
	pgUniqueViolation     = "23505"
	pgFKViolation         = "23503"
	pgCheckViolation      = "23514"
	pgSerialization       = "40001"
	pgDeadlock            = "40P01"
)

func isTransient(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqliteBusy || c == sqliteLocked
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == pgSerialization || pe.Code == pgDeadlock
	}
	return false
}

// IsUniqueViolation reports whether err comes from a unique or primary-key constraint.
func IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteConstraintUniq || se.Code() == sqliteConstraintPK
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == pgUniqueViolation
}

// IsForeignKeyViolation reports whether err comes from a foreign-key constraint.
func IsForeignKeyViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteConstraintFK
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == pgFKViolation
}

// IsCheckViolation reports whether err comes from a CHECK constraint.
func IsCheckViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteConstraintCheck
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == pgCheckViolation
}

// classify wraps a driver error with the matching sentinel (ErrConflict, ErrReference,
// ErrInvalid, ErrNotFound for sql.ErrNoRows) and a context message; other errors are wrapped as is.
func classify(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf(format, args...)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", msg, ErrNotFound)
	case IsUniqueViolation(err):
		return fmt.Errorf("%s: %w", msg, ErrConflict)
	case IsForeignKeyViolation(err):
		return fmt.Errorf("%s: %w", msg, ErrReference)
	case IsCheckViolation(err):
		return fmt.Errorf("%s: %w: %v", msg, ErrInvalid, err)
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// Now returns the current time as the store keeps times: UTC, truncated to microseconds
// (PostgreSQL's precision), so that a value read back equals the value written.
func Now() time.Time { return Time(time.Now()) }

// Time converts t to the store's representation: UTC, truncated to microseconds.
func Time(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// JSON is a JSON document column ({{json}}): it scans from SQLite's text and PostgreSQL's
// jsonb alike and marshals as raw JSON.
type JSON []byte

// Scan implements sql.Scanner.
func (j *JSON) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*j = nil
	case string:
		*j = JSON(v)
	case []byte:
		*j = append(JSON(nil), v...)
	default:
		return fmt.Errorf("scan JSON from %T", src)
	}
	return nil
}

// MarshalJSON returns the document itself ("null" when empty).
func (j JSON) MarshalJSON() ([]byte, error) {
	if len(j) == 0 {
		return []byte("null"), nil
	}
	return j, nil
}

// UnmarshalJSON keeps a copy of the document.
func (j *JSON) UnmarshalJSON(b []byte) error {
	*j = append(JSON(nil), b...)
	return nil
}
