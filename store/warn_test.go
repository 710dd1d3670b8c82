package store_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/store"
	"onewindow/store/storetest"
)

// An item may set how long before its promised limit the yellow warning fires; a case of it
// starts with that warning. (That the warning comes within the limit is app's rule.)
func TestItemWarnDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		it := c.Content("W-1", "fgj", standard.Promised)
		it.WarnDays = 3
		created, err := store.CreateItem(ctx, db, it, c.Users["designer"].ID)
		if err != nil {
			t.Fatal(err)
		}
		var v *store.ItemVersion
		err = db.Tx(ctx, func(tx *sqlx.Tx) (err error) {
			v, err = store.PublishItem(ctx, tx, created.ID, c.Users["designer"].ID)
			return err
		})
		if err != nil || v.WarnDays != 3 {
			t.Fatalf("published %+v, %v: want warnDays 3 kept", v, err)
		}
		in, err := store.CaseStartInput(ctx, db, &store.Case{ID: "C-w", ItemID: v.ItemID, ItemVersion: v.Version, DefinitionKey: v.DefinitionKey})
		if err != nil || in.Limits == nil || in.Limits.WarnDays != 3 || in.Limits.PromisedDays != 10 {
			t.Fatalf("start input %+v, %v: want the item's warning of 3 working days", in.Limits, err)
		}
	})
}
