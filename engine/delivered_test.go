package engine_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"onewindow/engine"
	"onewindow/engine/enginetest"
	"onewindow/store"
	"onewindow/store/storetest"
)

// TestDeliveredSignalsLeaveTheOutbox: signals delivered by a running engine are removed from
// the outbox by its removal loop (in batches, after Deliver returns).
func TestDeliveredSignalsLeaveTheOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		queue := func(n int) []engine.OutboxSignal {
			sigs := make([]engine.OutboxSignal, n)
			err := db.Tx(ctx, func(tx *sqlx.Tx) error {
				for i := range sigs {
					// No such case: delivery drops the signal, which still leaves the outbox.
					sigs[i] = engine.OutboxSignal{CaseID: "C-none-" + store.NewID(), Channel: "control", Signal: engine.Signal{Kind: engine.SignalCancel}}
					if err := store.EnqueueSignal(ctx, tx, &sigs[i]); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return sigs
		}
		outbox := func() int {
			var n int
			if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM signal_outbox`); err != nil {
				t.Fatal(err)
			}
			return n
		}
		x := enginetest.Start(t, db, enginetest.Options{})
		if err := x.Engine.Deliver(ctx, queue(30)...); err != nil {
			t.Fatal(err)
		}
		x.Eventually("the delivered signals removed", func() bool { return outbox() == 0 })
	})
}
