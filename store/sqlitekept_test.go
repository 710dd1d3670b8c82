package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"

	"onewindow/store/storetest"
)

// TestKeptStatementsFollowTheSchema: queries through the statements SQLite connections keep
// (sqlitekept.go) answer what plain queries answer, also after the table they read changes
// shape (SQLite prepares them again), and a query that does not prepare fails as it would
// without them.
func TestKeptStatementsFollowTheSchema(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE kept (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := db.ExecContext(ctx, `INSERT INTO kept (id, name) VALUES (?, ?)`, i, fmt.Sprint("n", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 { // the same statement, bound to other values
		var name string
		if err := db.GetContext(ctx, &name, `SELECT name FROM kept WHERE id = ?`, i); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprint("n", i); name != want {
			t.Errorf("row %d: %q, want %q", i, name, want)
		}
	}
	if _, err := db.ExecContext(ctx, `ALTER TABLE kept ADD COLUMN extra TEXT NOT NULL DEFAULT 'x'`); err != nil {
		t.Fatal(err)
	}
	var name string // the statement kept before the change
	if err := db.GetContext(ctx, &name, `SELECT name FROM kept WHERE id = ?`, 2); err != nil || name != "n2" {
		t.Errorf("a kept statement after the table changed: %q %v, want n2", name, err)
	}
	var extra []string
	if err := db.SelectContext(ctx, &extra, `SELECT extra FROM kept ORDER BY id`); err != nil || len(extra) != 3 || extra[0] != "x" {
		t.Errorf("the new column through a kept statement: %v %v", extra, err)
	}
	if err := db.GetContext(ctx, new(int), `SELECT nothing FROM kept`); err == nil {
		t.Error("a query naming a missing column did not fail")
	}
}

// TestKeptStatementRunAgainWhileReading: on one connection (a transaction), a query run
// again while the rows of its first run are still being read gets a statement of its own,
// and both read every row.
func TestKeptStatementRunAgainWhileReading(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE pairs (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := db.ExecContext(ctx, `INSERT INTO pairs (id) VALUES (?)`, i); err != nil {
			t.Fatal(err)
		}
	}
	const q = `SELECT id FROM pairs WHERE id >= ? ORDER BY id`
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		outer, err := tx.QueryContext(ctx, q, 0)
		if err != nil {
			return err
		}
		defer outer.Close()
		n := 0
		for outer.Next() {
			var id int
			if err := outer.Scan(&id); err != nil {
				return err
			}
			var inner []int
			if err := tx.SelectContext(ctx, &inner, q, id); err != nil {
				return fmt.Errorf("the same query inside its own rows: %w", err)
			}
			if len(inner) != 3-id {
				t.Errorf("inner run from %d read %v, want %d rows", id, inner, 3-id)
			}
			n++
		}
		if n != 3 {
			t.Errorf("outer run read %d rows, want 3", n)
		}
		return outer.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
}
