package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/store"
	"onewindow/store/storetest"
)

// A grant is stored with its terms, changed and revoked, every step audited; a revoked grant
// neither changes nor is revoked again. (Which grants the rules allow is app's test.)
func TestGrantStorage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		par := c.Published("BL-001", "fgj", standard.Parallel)
		g := c.MustGrant(store.GrantInput{DepartmentID: c.ID("zjj"), WindowID: c.ID("w1"), UserID: c.Users["clerk1"].ID,
			StepKinds: []string{"review", "acceptance"}, Note: "住建局授权一号窗口"})
		if g.SectionCode != "zjj-xzsp" || !reflect.DeepEqual(g.StepKinds, []string{"acceptance", "review"}) || len(g.ItemIDs) != 0 ||
			g.WindowCode != "w1" || !g.ActiveAt(time.Now()) || g.Note != "住建局授权一号窗口" {
			t.Fatalf("grant %+v", g)
		}
		in := store.GrantInput{DepartmentID: g.DepartmentID, SectionID: g.SectionID, WindowID: g.WindowID, UserID: g.UserID,
			StepKinds: []string{"review"}, ItemIDs: []string{par.ItemID}, ValidFrom: g.ValidFrom}
		update := func(by string) (*store.Grant, error) {
			var out *store.Grant
			err := db.Tx(ctx, func(tx *sqlx.Tx) (err error) {
				out, err = store.UpdateGrant(ctx, tx, g.ID, in, by)
				return err
			})
			return out, err
		}
		changed, err := update("admin2")
		if err != nil || !reflect.DeepEqual(changed.ItemIDs, in.ItemIDs) || !reflect.DeepEqual(changed.StepKinds, in.StepKinds) ||
			changed.UpdatedBy != "admin2" || changed.Note != "" {
			t.Fatalf("changed %+v %v", changed, err)
		}
		revoke := func() (*store.Grant, error) {
			var r *store.Grant
			err := db.Tx(ctx, func(tx *sqlx.Tx) (err error) {
				r, err = store.RevokeGrant(ctx, tx, g.ID, "admin3", "窗口调整")
				return err
			})
			return r, err
		}
		r, err := revoke()
		if err != nil || r.RevokedBy != "admin3" || r.RevokeReason != "窗口调整" || r.ActiveAt(time.Now().Add(time.Second)) {
			t.Fatalf("revoked %+v %v", r, err)
		}
		if _, err := revoke(); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("revoke twice: %v", err)
		}
		if _, err := update("admin"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("change a revoked grant: %v", err)
		}
		audit, err := store.GrantAudit(ctx, db, g.ID, 10, 0)
		if err != nil || len(audit) != 3 {
			t.Fatalf("audit %+v %v", audit, err)
		}
		var actions, actors []string
		for _, a := range audit {
			actions, actors = append(actions, a.Action), append(actors, a.Actor)
		}
		if strings.Join(actions, ",") != "granted,changed,revoked" || strings.Join(actors, ",") != "admin,admin2,admin3" {
			t.Fatalf("audit %v by %v", actions, actors)
		}
		var last struct {
			Grant  store.Grant `json:"grant"`
			Reason string      `json:"reason"`
		}
		if err := json.Unmarshal(audit[2].Detail, &last); err != nil || last.Reason != "窗口调整" || last.Grant.RevokedAt == nil {
			t.Fatalf("revocation detail %s %v", audit[2].Detail, err)
		}
		if page, _ := store.GrantAudit(ctx, db, g.ID, 1, 1); len(page) != 1 || page[0].Action != "changed" {
			t.Fatalf("audit page 2 of 1: %+v", page)
		}
		if gs, _ := store.ListGrants(ctx, db, store.GrantFilter{WindowID: c.ID("w1"), ActiveAt: time.Now()}); len(gs) != 0 {
			t.Fatalf("active grants after the revocation: %+v", gs)
		}
	})
}
