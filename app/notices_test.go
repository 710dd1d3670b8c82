package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/store"
	"onewindow/store/storetest"
)

func TestNotifyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		iv := c.Published("XK-001", "fgj", standard.Promised)
		const caseID = "C-1"
		notice := func(items ...store.NoticeItem) *store.Notice {
			return &store.Notice{CaseID: caseID, TaskID: caseID + "/w1", ItemID: iv.ItemID, ItemVersion: iv.Version, Materials: items, IssuedBy: "clerk1"}
		}
		// The rule reads the case's materials: a case of the item with none.
		issue := func(n *store.Notice) error {
			return db.Tx(ctx, func(tx *sqlx.Tx) error {
				k := &store.Case{ID: n.CaseID, Number: n.CaseID, ItemID: n.ItemID, ItemVersion: n.ItemVersion}
				if err := checkNotice(k, acceptanceFacts(t, tx, k), n); err != nil {
					return err
				}
				return store.InsertNotice(ctx, tx, n)
			})
		}
		supply := func(codes ...string) error {
			return db.Tx(ctx, func(tx *sqlx.Tx) error {
				return store.RecordSupplement(ctx, tx, &store.Supplement{CaseID: caseID, Materials: codes, RecordedBy: "applicant"})
			})
		}

		// Bad notices are refused before the rule is looked at.
		wantInvalid(t, issue(notice()), "notice.materials")
		wantInvalid(t, issue(notice(store.NoticeItem{MaterialCode: "M09", Problem: store.NoticeMissing})), "notice.materials[0].materialCode")
		wantInvalid(t, issue(notice(store.NoticeItem{MaterialCode: "M01", Problem: "late"})), "notice.materials[0].problem")
		wantInvalid(t, issue(notice(store.NoticeItem{MaterialCode: "M01", Problem: store.NoticeMissing},
			store.NoticeItem{MaterialCode: "M01", Problem: store.NoticeDefective})), "notice.materials[1].materialCode")
		wantInvalid(t, issue(notice(store.NoticeItem{Problem: store.NoticeMissing})), "notice.materials[0].name")

		// A supplement without a notice.
		if err := supply("M01"); !errors.Is(err, store.ErrNoOpenNotice) || !errors.Is(err, store.ErrConflict) {
			t.Fatalf("supplement without a notice: %v", err)
		}

		// The one notice lists everything.
		first := notice(
			store.NoticeItem{MaterialCode: "M02", Problem: store.NoticeMissing, Detail: "未提交"},
			store.NoticeItem{MaterialCode: "M01", Problem: store.NoticeDefective, Detail: "缺少法定代表人签字"},
			store.NoticeItem{Name: "环境影响评价批复", Problem: store.NoticeMissing},
		)
		if err := issue(first); err != nil {
			t.Fatal(err)
		}
		if first.Seq != 1 || first.State != store.NoticeOpen || first.Materials[0].Name != "可行性研究报告" {
			t.Fatalf("first notice %+v", first)
		}
		// A second notice while the first waits for its supplement.
		err := issue(notice(store.NoticeItem{MaterialCode: "M03", Problem: store.NoticeMissing}))
		if !errors.Is(err, ErrNotifyOnce) || !strings.Contains(err.Error(), "waiting for its supplement") {
			t.Fatalf("second notice while the first is open: %v", err)
		}
		wantInvalid(t, supply("M01", "M01"), "materials[1]")
		wantInvalid(t, supply("M77"), "materials[0]")
		if err := supply("M02", "M01"); err != nil {
			t.Fatal(err)
		}
		if _, err := store.OpenNotice(ctx, db, caseID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("open notice after the supplement: %v", err)
		}

		// After the supplement: raising a material that was not newly
		// supplied, or calling a supplied one missing, is refused ...
		for _, items := range [][]store.NoticeItem{
			{{MaterialCode: "M02", Problem: store.NoticeDefective}, {MaterialCode: "M03", Problem: store.NoticeMissing}},
			{{MaterialCode: "M02", Problem: store.NoticeDefective}, {Name: "其他材料", Problem: store.NoticeMissing}},
			{{MaterialCode: "M02", Problem: store.NoticeMissing}},
		} {
			err := issue(notice(items...))
			if !errors.Is(err, ErrNotifyOnce) || !strings.Contains(err.Error(), "newly supplied") {
				t.Fatalf("second notice with %+v: %v", items, err)
			}
		}
		// ... a defect in a newly supplied material may be raised.
		second := notice(store.NoticeItem{MaterialCode: "M02", Problem: store.NoticeDefective, Detail: "报告未盖章"})
		if err := issue(second); err != nil {
			t.Fatalf("a defect in a newly supplied material: %v", err)
		}
		if second.Seq != 2 {
			t.Fatalf("second notice seq %d", second.Seq)
		}
		if err := supply("M02"); err != nil {
			t.Fatal(err)
		}
		// Only the last supplement counts: M01 was supplied the time before.
		if err := issue(notice(store.NoticeItem{MaterialCode: "M01", Problem: store.NoticeDefective})); !errors.Is(err, ErrNotifyOnce) {
			t.Fatalf("a defect in a material of an earlier supplement: %v", err)
		}

		ns, err := store.CaseNotices(ctx, db, caseID)
		if err != nil || len(ns) != 2 || ns[0].State != store.NoticeAnswered || ns[1].State != store.NoticeAnswered || ns[0].ClosedAt == nil {
			t.Fatalf("notices %+v %v", ns, err)
		}
		sups, err := store.CaseSupplements(ctx, db, caseID)
		if err != nil || len(sups) != 2 || sups[0].NoticeID != ns[0].ID || strings.Join(sups[0].Materials, ",") != "M02,M01" {
			t.Fatalf("supplements %+v %v", sups, err)
		}

		// Another case is not affected; a withdrawn case closes its notice.
		other := &store.Notice{CaseID: "C-2", TaskID: "C-2/w1", Materials: []store.NoticeItem{{Name: "身份证", Problem: store.NoticeMissing}}}
		if err := issue(other); err != nil {
			t.Fatal(err)
		}
		if ok, err := store.WithdrawNotice(ctx, db, "C-2"); !ok || err != nil {
			t.Fatalf("withdraw: %v %v", ok, err)
		}
		if ok, _ := store.WithdrawNotice(ctx, db, "C-2"); ok {
			t.Fatal("withdrew twice")
		}
	})
}

func wantInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var inv *store.InvalidError
	if !errors.As(err, &inv) || inv.Field != field {
		t.Fatalf("err = %v, want an invalid %s", err, field)
	}
}

// acceptanceFacts reads what an acceptance of case k decides on, as store.LoadTaskScene does.
func acceptanceFacts(t *testing.T, q store.Q, k *store.Case) *store.AcceptanceFacts {
	t.Helper()
	ctx := context.Background()
	f := &store.AcceptanceFacts{}
	var err error
	if k.ItemID != "" {
		iv, err := store.GetItemVersion(ctx, q, k.ItemID, k.ItemVersion)
		if err != nil {
			t.Fatal(err)
		}
		f.ItemMaterials = iv.Materials
	}
	if f.CaseMaterials, err = store.CaseMaterials(ctx, q, k.ID); err != nil {
		t.Fatal(err)
	}
	if f.Notices, err = store.CaseNotices(ctx, q, k.ID); err != nil {
		t.Fatal(err)
	}
	if f.Supplements, err = store.CaseSupplements(ctx, q, k.ID); err != nil {
		t.Fatal(err)
	}
	return f
}
