package store_test

import (
	"context"
	"fmt"
	"testing"

	"onewindow/store/storetest"
)

// TestKeptStatementsFollowTheSchema: reads through SQLite's kept prepared statements answer
// what plain queries answer, also after the table they read changes shape (SQLite prepares
// them again), and a query that does not prepare fails as it would without the cache.
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
