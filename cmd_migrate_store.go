package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"onewindow/store"
)

// runMigrateStore implements "onewindow migrate-store --from sqlite:PATH --to postgres://...".
func runMigrateStore(args []string) int {
	return migrateStore(context.Background(), args, os.Stdout, os.Stderr)
}

// migrateStore copies the application tables of an SQLite centre into an empty PostgreSQL
// database. The engine's own state (go-workflows' history in engine.db) cannot be carried to
// Redis, so the cases must be drained first: open work on the source is refused unless
// --force (docs/deployment.md).
func migrateStore(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("onewindow migrate-store", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the SQLite application database: sqlite:PATH")
	to := fs.String("to", "", "the PostgreSQL database to fill: postgres://USER@HOST:5432/DB (empty, or freshly migrated)")
	batch := fs.Int("batch", 1000, "rows per INSERT")
	force := fs.Bool("force", false, "copy even though cases are still open on the source (they will not move on: see docs/deployment.md)")
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}
	if !strings.HasPrefix(*from, "sqlite:") || !(strings.HasPrefix(*to, "postgres://") || strings.HasPrefix(*to, "postgresql://")) || fs.NArg() > 0 || *batch < 1 {
		fmt.Fprintln(stderr, "usage: onewindow migrate-store --from sqlite:PATH --to postgres://USER@HOST:5432/DB [--batch N] [--force]")
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "onewindow migrate-store:", err)
		return 1
	}
	src, err := store.Open(ctx, *from)
	if err != nil {
		return fail(err)
	}
	defer src.Close()
	// Both databases at this binary's schema, so that they have the same tables.
	if _, err := src.Migrate(ctx); err != nil {
		return fail(fmt.Errorf("source: %w", err))
	}
	cases, starts, signals, err := store.OpenWork(ctx, src)
	if err != nil {
		return fail(err)
	}
	if cases+starts+signals > 0 && !*force {
		return fail(fmt.Errorf("%d cases are still open on %s (%d starts and %d signals wait for the engine): the engine's state in engine.db cannot be carried over, "+
			"so let them finish first (stop taking applications, work the inboxes until none is open), then copy; --force copies anyway and those cases will not move on",
			cases, *from, starts, signals))
	}
	dst, err := store.Open(ctx, *to)
	if err != nil {
		return fail(err)
	}
	defer dst.Close()
	if _, err := dst.Migrate(ctx); err != nil {
		return fail(fmt.Errorf("destination: %w", err))
	}
	tables, err := store.AppTables(ctx, src)
	if err != nil {
		return fail(err)
	}
	seeds, err := store.SeedRows(ctx)
	if err != nil {
		return fail(err)
	}
	before, err := store.CountRows(ctx, dst, tables)
	if err != nil {
		return fail(fmt.Errorf("destination: %w", err))
	}
	for _, c := range before {
		if c.Rows > seeds[c.Table] {
			return fail(fmt.Errorf("the destination is not empty: %s has %d rows; copy into a new database", c.Table, c.Rows))
		}
	}
	start := time.Now()
	err = store.CopyTables(ctx, src, dst, tables, *batch, func(c store.TableCount) {
		if c.Rows > 0 {
			fmt.Fprintf(stdout, "%-28s %9d rows\n", c.Table, c.Rows)
		}
	})
	if err != nil {
		return fail(fmt.Errorf("nothing was copied: %w", err))
	}
	want, err := store.CountRows(ctx, src, tables)
	if err != nil {
		return fail(err)
	}
	got, err := store.CountRows(ctx, dst, tables)
	if err != nil {
		return fail(err)
	}
	var total int64
	var mismatch []string
	for i := range want {
		total += want[i].Rows
		if want[i].Rows != got[i].Rows {
			mismatch = append(mismatch, fmt.Sprintf("%s: %d on the source, %d copied", want[i].Table, want[i].Rows, got[i].Rows))
		}
	}
	if len(mismatch) > 0 {
		return fail(errors.New("row counts differ: " + strings.Join(mismatch, "; ")))
	}
	// The audit chain must hold on the copy as it did on the source: same bytes, same hashes.
	check, err := store.VerifyAudit(ctx, dst, "", nil)
	if err != nil {
		return fail(err)
	}
	if check.Broken != nil {
		return fail(fmt.Errorf("the copied audit chain does not verify: %v", check.Broken))
	}
	fmt.Fprintf(stdout, "copied %d tables, %d rows in %s; row counts equal; audit chain verified (%d rows)\n",
		len(tables), total, time.Since(start).Round(time.Millisecond), check.Rows)
	if cases > 0 {
		fmt.Fprintf(stdout, "warning: %d cases were open on the source: they will not move on the new engine store\n", cases)
	}
	return 0
}
