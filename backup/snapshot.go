// Package backup takes a consistent online backup of an SQLite deployment (its SQLite
// databases and its uploaded files) into one archive, and restores it (docs/deployment.md).
//
// It knows SQLite files, not schemas: each database is copied page by page through SQLite's
// online backup API from a read transaction, so the engine store's schema can change without
// this package changing. The databases are copied as of one moment: the backup takes every
// database's write lock, starts a read transaction on each, and lets the writers go again
// before copying, so the server waits only for that instant (milliseconds), never for the copy.
package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
)

// Database is one SQLite file of a deployment: Name is its file name in the archive and in a
// restored data directory (onewindow.db, engine.db), Role what it holds (app, engine).
type Database struct {
	Name string
	Role string
	Path string
}

// openSQLite opens path without changing its settings (WAL stays as the server set it).
func openSQLite(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(20000)")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// snapshot copies every database in dbs, as of one moment, into dir under its Name, and
// returns how long the writers waited for it.
func snapshot(ctx context.Context, dbs []Database, dir string) (held time.Duration, err error) {
	type open struct {
		db             *sql.DB
		writer, reader *sql.Conn
	}
	opened := make([]*open, len(dbs))
	defer func() {
		for _, o := range opened {
			if o == nil {
				continue
			}
			for _, c := range []*sql.Conn{o.writer, o.reader} {
				if c != nil {
					_, _ = c.ExecContext(context.Background(), "ROLLBACK")
					c.Close()
				}
			}
			o.db.Close()
		}
	}()
	for i, d := range dbs {
		db, err := openSQLite(d.Path)
		if err != nil {
			return 0, err
		}
		o := &open{db: db}
		opened[i] = o
		if o.writer, err = db.Conn(ctx); err != nil {
			return 0, fmt.Errorf("%s: %w", d.Path, err)
		}
		if o.reader, err = db.Conn(ctx); err != nil {
			return 0, fmt.Errorf("%s: %w", d.Path, err)
		}
	}
	// Every write lock, in a fixed order (no server transaction holds two databases' locks);
	// then a read transaction on each, which sees the last commit of all of them; then the
	// writers go on.
	start := time.Now()
	for i, o := range opened {
		if _, err := o.writer.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			return 0, fmt.Errorf("lock %s for a moment: %w", dbs[i].Path, err)
		}
	}
	for i, o := range opened {
		if _, err := o.reader.ExecContext(ctx, "BEGIN"); err != nil {
			return 0, fmt.Errorf("read %s: %w", dbs[i].Path, err)
		}
		var n int
		if err := o.reader.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_schema").Scan(&n); err != nil {
			return 0, fmt.Errorf("read %s: %w", dbs[i].Path, err)
		}
	}
	for i, o := range opened {
		if _, err := o.writer.ExecContext(ctx, "ROLLBACK"); err != nil {
			return 0, fmt.Errorf("unlock %s: %w", dbs[i].Path, err)
		}
	}
	held = time.Since(start)
	for i, o := range opened {
		if err := copyDatabase(ctx, o.reader, filepath.Join(dir, dbs[i].Name)); err != nil {
			return held, fmt.Errorf("back up %s: %w", dbs[i].Path, err)
		}
	}
	return held, nil
}

// backuper is the modernc connection's online backup.
type backuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
}

// copyDatabase copies the database of conn, as its open read transaction sees it, to a new
// file dst, in one backup step (a step within the read transaction sees only its snapshot).
func copyDatabase(ctx context.Context, conn *sql.Conn, dst string) error {
	return conn.Raw(func(dc any) error {
		b, ok := dc.(backuper)
		if !ok {
			return errors.New("the SQLite driver has no online backup")
		}
		bk, err := b.NewBackup(dst)
		if err != nil {
			return err
		}
		if _, err := bk.Step(-1); err != nil {
			_ = bk.Finish()
			return err
		}
		return bk.Finish()
	})
}
