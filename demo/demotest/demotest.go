// Package demotest gives tests the demo city: loaded into a database, with lookups of its units
// and users.
package demotest

import (
	"context"
	"testing"

	"onewindow/demo"
	"onewindow/store"
)

// Demo loads the demo organisation into db and returns lookups of unit ids by code and user
// ids by username.
func Demo(t testing.TB, db *store.DB) (unit, user func(string) string) {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	unit = func(code string) string {
		t.Helper()
		u, err := store.GetOrgUnitByCode(ctx, db, code)
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	user = func(name string) string {
		t.Helper()
		u, err := store.GetUserByUsername(ctx, db, name)
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	return unit, user
}
