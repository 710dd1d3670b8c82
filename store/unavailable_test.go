package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"onewindow/store"
	"onewindow/store/storetest"
)

// TestUnavailableWhenConnectionTerminated: a PostgreSQL connection closed by the server
// (pg_terminate_backend, as a restart does) fails the statement with an error IsUnavailable
// recognises, the transaction on it leaves nothing behind, and the pool serves the next
// statement on a new connection.
func TestUnavailableWhenConnectionTerminated(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE fault_probe (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	other := storetest.Postgres(t)
	var pid int
	if err := db.GetContext(ctx, &pid, `SELECT pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	if _, err := other.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	_, err := db.ExecContext(ctx, `INSERT INTO fault_probe (n) VALUES (1)`)
	if err == nil {
		// database/sql may have noticed the dead connection itself and retried on a new one.
		t.Log("the pool replaced the terminated connection before the statement")
	} else if !store.IsUnavailable(err) {
		t.Fatalf("statement on a terminated connection: %v (%T), not recognised as unavailable", err, errors.Unwrap(err))
	}

	// A transaction whose connection dies in its middle writes nothing.
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatalf("the pool did not recover: %v", err)
	}

	if err := tx.GetContext(ctx, &pid, `SELECT pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO fault_probe (n) VALUES (2)`); err != nil {
		t.Fatal(err)
	}
	if _, err := other.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO fault_probe (n) VALUES (2)`)
	if err == nil {
		err = tx.Commit()
	} else {
		_ = tx.Rollback()
	}
	if !store.IsUnavailable(err) {
		t.Fatalf("a transaction cut off: %v, want unavailable", err)
	}
	var n int
	if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM fault_probe WHERE n = 2`); err != nil {
		t.Fatalf("the pool did not recover: %v", err)
	}
	if n != 0 {
		t.Fatalf("%d rows of the cut-off transaction were written", n)
	}
	if store.IsUnavailable(fmt.Errorf("x: %w", store.ErrConflict)) || store.IsUnavailable(nil) {
		t.Fatal("a conflict is not unavailability")
	}
}
