package store

// Copying the application tables from one database to another (onewindow migrate-store):
// every table the migrations made, parents before children, in batches, in one transaction
// on the destination, with the row counts compared at the end. It reads the tables and their
// foreign keys from SQLite's catalogue, so a table added by a later migration is copied too.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// TableCount is a table and its rows.
type TableCount struct {
	Table string
	Rows  int64
}

// AppTables lists the application tables of an SQLite database, parents before children
// (by their foreign keys), without schema_migrations, which every database keeps its own.
func AppTables(ctx context.Context, src *DB) ([]string, error) {
	if src.Dialect() != SQLite {
		return nil, fmt.Errorf("the tables are read from an SQLite database")
	}
	var names []string
	if err := src.SelectContext(ctx, &names, `SELECT name FROM sqlite_schema WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	parents := map[string][]string{}
	for _, t := range names {
		var refs []string
		if err := src.SelectContext(ctx, &refs, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`, t); err != nil {
			return nil, fmt.Errorf("foreign keys of %s: %w", t, err)
		}
		parents[t] = slices.DeleteFunc(refs, func(r string) bool { return r == t })
	}
	var order []string
	done := map[string]bool{}
	var visit func(t string, path []string) error
	visit = func(t string, path []string) error {
		if done[t] {
			return nil
		}
		if slices.Contains(path, t) {
			return fmt.Errorf("tables refer to each other in a circle: %s", strings.Join(append(path, t), " -> "))
		}
		for _, p := range parents[t] {
			if err := visit(p, append(path, t)); err != nil {
				return err
			}
		}
		done[t] = true
		order = append(order, t)
		return nil
	}
	for _, t := range names {
		if err := visit(t, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// CountRows counts the rows of each table.
func CountRows(ctx context.Context, q Q, tables []string) ([]TableCount, error) {
	out := make([]TableCount, 0, len(tables))
	for _, t := range tables {
		var n int64
		if err := q.GetContext(ctx, &n, `SELECT COUNT(*) FROM `+quoteIdent(t)); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		out = append(out, TableCount{Table: t, Rows: n})
	}
	return out, nil
}

// SeedRows are the rows the migrations themselves insert, per table (a fresh database has
// them): counted on a scratch SQLite database migrated for the purpose.
func SeedRows(ctx context.Context) (map[string]int64, error) {
	dir, err := os.MkdirTemp("", "onewindow-seed-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := Open(ctx, "sqlite:"+filepath.Join(dir, "seed.db"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	tables, err := AppTables(ctx, db)
	if err != nil {
		return nil, err
	}
	counts, err := CountRows(ctx, db, tables)
	if err != nil {
		return nil, err
	}
	seeds := map[string]int64{}
	for _, c := range counts {
		if c.Rows > 0 {
			seeds[c.Table] = c.Rows
		}
	}
	return seeds, nil
}

// CopyTables copies tables (in that order) from src to dst, whose seeded rows it replaces, in
// batches of up to batch rows, all in one transaction on dst; progress is told each table's
// count. On PostgreSQL the identity columns' sequences are moved past the copied ids.
func CopyTables(ctx context.Context, src, dst *DB, tables []string, batch int, progress func(TableCount)) error {
	return dst.Tx(ctx, func(tx *sqlx.Tx) error {
		if DialectOf(tx) == Postgres {
			// Parents come before children; rows of one table that refer to each other (an org
			// unit moved under a later one) need the checks off until the end, as pg_dump does.
			if _, err := tx.ExecContext(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
				return fmt.Errorf("turn the foreign-key triggers off for the copy (the destination's user needs to be its owner or a superuser): %w", err)
			}
		}
		for i := len(tables) - 1; i >= 0; i-- {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(tables[i])); err != nil {
				return fmt.Errorf("clear the seeded rows of %s: %w", tables[i], err)
			}
		}
		for _, t := range tables {
			n, err := copyTable(ctx, src, tx, t, batch)
			if err != nil {
				return err
			}
			if err := resetIdentity(ctx, tx, t); err != nil {
				return err
			}
			if progress != nil {
				progress(TableCount{Table: t, Rows: n})
			}
		}
		return nil
	})
}

// copyTable copies table t in rowid order, batch rows at a time.
func copyTable(ctx context.Context, src *DB, tx *sqlx.Tx, t string, batch int) (int64, error) {
	types, err := columnTypes(ctx, tx, t)
	if err != nil {
		return 0, err
	}
	cols := make([]string, 0, len(types))
	for c := range types {
		cols = append(cols, c)
	}
	slices.Sort(cols)
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quoteIdent(c)
	}
	// PostgreSQL takes at most 65535 parameters a statement.
	per := max(1, min(batch, 60000/len(cols)))
	var copied int64
	last := int64(-1 << 62)
	for {
		rows, err := src.QueryContext(ctx, `SELECT rowid, `+strings.Join(quoted, ", ")+` FROM `+quoteIdent(t)+
			` WHERE rowid > ? ORDER BY rowid LIMIT ?`, last, per)
		if err != nil {
			return copied, fmt.Errorf("read %s: %w", t, err)
		}
		var args []any
		n := 0
		for rows.Next() {
			vals := make([]any, len(cols)+1)
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return copied, fmt.Errorf("read %s: %w", t, err)
			}
			last = vals[0].(int64)
			for i, c := range cols {
				v, err := convert(vals[i+1], types[c])
				if err != nil {
					rows.Close()
					return copied, fmt.Errorf("%s.%s of row %d: %w", t, c, last, err)
				}
				args = append(args, v)
			}
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return copied, fmt.Errorf("read %s: %w", t, err)
		}
		if n == 0 {
			return copied, nil
		}
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		stmt := `INSERT INTO ` + quoteIdent(t) + ` (` + strings.Join(quoted, ", ") + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		if _, err := tx.ExecContext(ctx, tx.Rebind(stmt), args...); err != nil {
			return copied, fmt.Errorf("write %d rows of %s: %w", n, t, err)
		}
		copied += int64(n)
	}
}

// columnTypes are the destination table's columns and their types.
func columnTypes(ctx context.Context, tx *sqlx.Tx, t string) (map[string]string, error) {
	var cols []struct {
		Name string `db:"name"`
		Type string `db:"type"`
	}
	var err error
	if DialectOf(tx) == Postgres {
		err = tx.SelectContext(ctx, &cols, `SELECT column_name AS name, data_type AS type FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1`, t)
	} else {
		err = tx.SelectContext(ctx, &cols, `SELECT name, type FROM pragma_table_info(?)`, t)
	}
	if err != nil || len(cols) == 0 {
		return nil, fmt.Errorf("columns of %s on the destination: %v (is it migrated?)", t, err)
	}
	out := map[string]string{}
	for _, c := range cols {
		out[c.Name] = strings.ToLower(c.Type)
	}
	return out, nil
}

// convert turns a value read from SQLite into what the destination column of type typ takes.
func convert(v any, typ string) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64:
		if typ == "boolean" {
			return x != 0, nil
		}
	case []byte:
		if typ != "bytea" && typ != "blob" {
			return string(x), nil
		}
	case string:
		if strings.HasPrefix(typ, "timestamp") {
			t, err := parseSQLiteTime(x)
			if err != nil {
				return nil, err
			}
			return t, nil
		}
	}
	return v, nil
}

// parseSQLiteTime reads a time as SQLite may hold it as text.
func parseSQLiteTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time", s)
}

// resetIdentity moves the sequences of table t's identity columns past their largest value.
func resetIdentity(ctx context.Context, tx *sqlx.Tx, t string) error {
	if DialectOf(tx) != Postgres {
		return nil
	}
	var cols []string
	if err := tx.SelectContext(ctx, &cols, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'`, t); err != nil {
		return fmt.Errorf("identity columns of %s: %w", t, err)
	}
	for _, c := range cols {
		_, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX(`+quoteIdent(c)+`) FROM `+quoteIdent(t)+`), 0) + 1, false)`, t, c)
		if err != nil {
			return fmt.Errorf("move the sequence of %s.%s: %w", t, c, err)
		}
	}
	return nil
}

// quoteIdent quotes a table or column name.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// OpenWork counts what the engine has not finished on a database: cases not ended, case
// starts not handed over, signals not delivered.
func OpenWork(ctx context.Context, q Q) (cases, starts, signals int, err error) {
	var w struct {
		Cases   int `db:"cases"`
		Starts  int `db:"starts"`
		Signals int `db:"signals"`
	}
	err = q.GetContext(ctx, &w, `SELECT
		(SELECT COUNT(*) FROM cases WHERE status IN ('active', 'incident')) AS cases,
		(SELECT COUNT(*) FROM process_starts WHERE started_at IS NULL) AS starts,
		(SELECT COUNT(*) FROM signal_outbox) AS signals`)
	return w.Cases, w.Starts, w.Signals, classify(err, "open work")
}
