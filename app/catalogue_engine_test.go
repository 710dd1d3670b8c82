package app

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/engine/enginetest"
	"onewindow/store"
	"onewindow/store/storetest"
)

// A parallel-approval item runs end to end on the real engine with three
// departments: a window clerk holding fgj's grant accepts (after one notice
// and a supplement), the three sections countersign, fgj decides and
// delivers. A clerk without the grant neither sees nor may act on the
// acceptance task.
func TestParallelItemEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { parallelItemEndToEnd(t, db) })
}

func parallelItemEndToEnd(t *testing.T, db *store.DB) {
	ctx := context.Background()
	c := storetest.NewCentre(t, db)
	ap := New(Config{DB: db})
	env := enginetest.Start(t, db, enginetest.Options{})
	iv := c.Published("BL-001", "fgj", standard.Parallel)
	c.MustGrant(store.GrantInput{DepartmentID: c.ID("fgj"), WindowID: c.ID("w1"), StepKinds: []string{"acceptance", "review", "coordination", "delivery"}, ValidFrom: time.Now().Add(-time.Minute)})

	// What issue 6 does to create a case.
	v, err := store.ItemForCase(ctx, db, iv.ItemID)
	if err != nil {
		t.Fatal(err)
	}
	vars, err := store.StartVariables(ctx, db, v, store.CaseStart{Channel: store.ChannelWindow, ApplicantName: "北流市某某实业有限公司"})
	if err != nil {
		t.Fatal(err)
	}
	caseID := "C-" + store.NewID()
	clerk1, clerk2 := c.Users["clerk1"].ID, c.Users["clerk2"].ID
	if err := env.Engine.StartCase(ctx, engine.CaseInput{CaseID: caseID, Definition: v.DefinitionKey, Version: v.DefinitionVersion, Vars: vars, Initiator: clerk1}); err != nil {
		t.Fatal(err)
	}

	acc := env.OpenTask(caseID, "acceptance")
	a, err := ap.CanActOnTask(ctx, clerk1, acc, time.Now())
	if err != nil || a.Kind != AuthorityDelegation || a.DepartmentID != c.ID("fgj") || a.WindowID != c.ID("w1") {
		t.Fatalf("clerk1 on the acceptance: %+v %v", a, err)
	}
	if _, err := ap.CanActOnTask(ctx, clerk2, acc, time.Now()); !errors.Is(err, ErrNoAuthority) {
		t.Fatalf("clerk2 on the acceptance: %v", err)
	}
	if got := visible(t, ap, clerk1, time.Now()); !slices.Equal(got, []string{acc}) {
		t.Fatalf("clerk1 sees %v", got)
	}
	if got := visible(t, ap, clerk2, time.Now()); len(got) != 0 {
		t.Fatalf("clerk2 sees %v", got)
	}

	// Notify once: the notice and the completion in one transaction.
	sig, err := engine.CompleteTask(acc, standard.OutcomeNotify, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.TakeTask(ctx, tx, acc); err != nil {
			return err
		}
		if err := store.InsertNotice(ctx, tx, &store.Notice{CaseID: caseID, Seq: 1, TaskID: acc, ItemID: v.ItemID, ItemVersion: v.Version,
			Materials: []store.NoticeItem{{MaterialCode: "M02", Problem: store.NoticeMissing}}, IssuedBy: clerk1}); err != nil {
			return err
		}
		return store.EnqueueSignal(ctx, tx, &sig)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Engine.Deliver(ctx, sig); err != nil {
		t.Fatal(err)
	}
	var wait string
	env.Eventually("the supplement wait", func() bool {
		subs, err := store.CaseSubscriptions(ctx, db, caseID, "open")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range subs {
			if s.ElementID == standard.SupplementElement {
				wait = s.ID
			}
		}
		return wait != ""
	})
	// The supplement, recorded and delivered in one transaction.
	msg, err := engine.DeliverMessage(wait, standard.SupplementMessage, map[string]any{"supplied": []any{"M02"}})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.RecordSupplement(ctx, tx, &store.Supplement{CaseID: caseID, Materials: []string{"M02"}, RecordedBy: "applicant"}); err != nil {
			return err
		}
		return store.EnqueueSignal(ctx, tx, &msg)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Engine.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	acc = env.OpenTask(caseID, "acceptance")
	// A second notice about a material that was not newly supplied.
	// (The engine started this case without an application: it has no case number.)
	k := &store.Case{ID: caseID, Number: caseID}
	err = checkNotice(k, acceptanceFacts(t, db, k), &store.Notice{CaseID: caseID, TaskID: acc, Materials: []store.NoticeItem{{MaterialCode: "M01", Problem: store.NoticeDefective}}})
	if !errors.Is(err, ErrNotifyOnce) {
		t.Fatalf("a second notice: %v", err)
	}
	env.Complete(acc, standard.OutcomeAccept, nil)

	// Three departments countersign, each through its own section.
	tasks := env.OpenTasks(caseID, 3)
	reviewers := map[string]string{}
	for _, tk := range tasks {
		if tk.ElementID != "countersign" {
			t.Fatalf("open task %s, want countersign", tk.ElementID)
		}
		info := groups(t, db, tk.ID)
		if len(info) != 1 {
			t.Fatalf("countersign task groups %v", info)
		}
		reviewers[info[0]] = tk.ID
	}
	for _, sec := range []string{"fgj-xzsp", "zjj-xzsp", "zrzyj-xzsp"} {
		if reviewers[sec] == "" {
			t.Fatalf("no countersign task for %s (%v)", sec, reviewers)
		}
	}
	// Review is delegated too: window 1 may act for fgj's section, not for zjj's.
	if a, err := ap.CanActOnTask(ctx, clerk1, reviewers["fgj-xzsp"], time.Now()); err != nil || a.Kind != AuthorityDelegation {
		t.Fatalf("clerk1 on fgj's review: %+v %v", a, err)
	}
	if _, err := ap.CanActOnTask(ctx, clerk1, reviewers["zjj-xzsp"], time.Now()); !errors.Is(err, ErrNoAuthority) {
		t.Fatalf("clerk1 on zjj's review: %v", err)
	}
	for _, sec := range []string{"fgj-xzsp", "zjj-xzsp", "zrzyj-xzsp"} {
		env.Complete(reviewers[sec], standard.OutcomeAgree, nil)
	}
	env.Complete(env.OpenTask(caseID, "jointDecision"), standard.OutcomeApprove, nil)
	env.Complete(env.OpenTask(caseID, "delivery"), "", nil)
	env.WaitStatus(caseID, "completed")

	row, err := store.GetCaseState(ctx, db, caseID)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		CountersignResult string `json:"countersignResult"`
		Outcome           string `json:"outcome"`
		ItemID            string `json:"itemId"`
	}
	if err := json.Unmarshal(row.Variables, &got); err != nil || got.CountersignResult != "agreed" || got.Outcome != "approve" || got.ItemID != v.ItemID {
		t.Fatalf("final variables %s (%v)", row.Variables, err)
	}
	hist, err := store.CaseHistory(ctx, db, caseID)
	if err != nil {
		t.Fatal(err)
	}
	var entered []string
	for _, h := range hist {
		if h.Kind == "entered" {
			entered = append(entered, h.ElementID)
		}
	}
	for _, el := range []string{"supplement", "countersign", "jointDecision", "delivery", "finished"} {
		if !slices.Contains(entered, el) {
			t.Errorf("the case never entered %s: %v", el, entered)
		}
	}
	if slices.Contains(entered, "coordination") || slices.Contains(entered, "refused") {
		t.Errorf("unexpected path: %v", entered)
	}
}

func groups(t *testing.T, db *store.DB, taskID string) []string {
	t.Helper()
	var out []string
	if err := db.Select(&out, db.Rebind(`SELECT value FROM task_candidates WHERE task_id = ? AND kind = 'group' ORDER BY value`), taskID); err != nil {
		t.Fatal(err)
	}
	return out
}
