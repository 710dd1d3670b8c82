package store_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

// upload records a file of user as if it had been uploaded.
func upload(t *testing.T, db *store.DB, userID, name string) string {
	t.Helper()
	f := &store.FileInfo{Name: name, ContentType: "application/pdf", Size: 4, SHA256: strings.Repeat("ab", 32), Path: "x/" + name, UploadedBy: userID}
	if err := store.CreateFile(context.Background(), db, f); err != nil {
		t.Fatal(err)
	}
	return f.ID
}

// submitCase creates a case of iv submitted by user (a clerk at w1) in one transaction.
func submitCase(t *testing.T, db *store.DB, c *storetest.Centre, iv *store.ItemVersion, user string, at time.Time, ms ...store.MaterialInput) (*store.Case, error) {
	t.Helper()
	var out *store.Case
	err := db.Tx(context.Background(), func(tx *sqlx.Tx) (err error) {
		out, err = store.CreateCase(context.Background(), tx, &store.NewCase{Item: iv, Channel: store.ChannelWindow,
			Applicant:   store.Applicant{Name: "李明", Kind: store.ObjectNaturalPerson, CertType: store.CertIDCard, CertNo: "450981199001011230"},
			SubmittedBy: c.Users[user].ID, WindowID: c.ID("w1"), ReceivedAt: at, Vars: map[string]any{"itemId": iv.ItemID},
			Materials: ms, ActorName: user})
		return err
	})
	return out, err
}

var numberRE = regexp.MustCompile(`^(\d{8})-(.+)-(\d{4})$`)

// Concurrent submissions of one item on one day get the numbers 1..n, each once; another
// item and another (local) day start again at 1.
func TestCaseNumbersUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := storetest.NewCentre(t, db)
		iv := c.Published("BL-XK-001", "fgj", standard.Promised)
		other := c.Published("BL-XK-002", "zjj", standard.Promised)
		// 2025-11-26 23:30 in Beijing is 15:30 UTC.
		at := time.Date(2025, 11, 26, 15, 30, 0, 0, time.UTC)
		const n = 12
		numbers := make([]string, n)
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k, err := submitCase(t, db, c, iv, "clerk1", at)
				if err != nil {
					errs <- err
					return
				}
				numbers[i] = k.Number
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		sort.Strings(numbers)
		for i, num := range numbers {
			want := fmt.Sprintf("20251126-BL-XK-001-%04d", i+1)
			if num != want {
				t.Fatalf("numbers %v: #%d is %s, want %s", numbers, i, num, want)
			}
		}
		k, err := submitCase(t, db, c, other, "clerk1", at)
		if err != nil || k.Number != "20251126-BL-XK-002-0001" {
			t.Fatalf("other item: %v %v", k, err)
		}
		// 16:30 UTC is 00:30 the next day in Beijing.
		k, err = submitCase(t, db, c, iv, "clerk1", at.Add(time.Hour))
		if err != nil || k.Number != "20251127-BL-XK-001-0001" {
			t.Fatalf("next day: %v %v", k, err)
		}
		if m := numberRE.FindStringSubmatch(k.Number); m == nil {
			t.Fatalf("number %s does not read date-item-sequence", k.Number)
		}
		if len(k.QueryCode) != 8 || k.QueryCode == numbers[0] {
			t.Fatalf("query code %q", k.QueryCode)
		}
		if k.Status != "starting" || k.ItemCode != "BL-XK-001" || k.ItemVersion != iv.Version || k.DefinitionKey != standard.Promised {
			t.Fatalf("case %+v", k)
		}
		got, err := store.GetCaseByNumber(context.Background(), db, k.Number)
		if err != nil || got.ID != k.ID {
			t.Fatalf("by number: %v %v", got, err)
		}
	})
}

func TestQueryCodesDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := store.NewQueryCode()
		if seen[c] || len(c) != 8 || strings.ContainsAny(c, "01ILOU") {
			t.Fatalf("query code %q (seen %v)", c, seen[c])
		}
		seen[c] = true
	}
}

// Materials are checked against the item and the uploader; a supplement adds versions.
func TestCaseMaterialsAndVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		iv := c.Published("BL-XK-001", "fgj", standard.Promised)
		clerk, other := c.Users["clerk1"].ID, c.Users["clerk2"].ID
		mine, theirs := upload(t, db, clerk, "a.pdf"), upload(t, db, other, "b.pdf")
		at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

		_, err := submitCase(t, db, c, iv, "clerk1", at, store.MaterialInput{Code: "M09", FileIDs: []string{mine}})
		wantInvalid(t, err, "materials[0].code")
		_, err = submitCase(t, db, c, iv, "clerk1", at, store.MaterialInput{Code: "M01", FileIDs: []string{theirs}})
		wantInvalid(t, err, "materials[0].fileIds[0]")
		_, err = submitCase(t, db, c, iv, "clerk1", at, store.MaterialInput{Code: "M01", FileIDs: []string{store.NewID()}})
		wantInvalid(t, err, "materials[0].fileIds[0]")
		_, err = submitCase(t, db, c, iv, "clerk1", at, store.MaterialInput{Code: "OTHER", FileIDs: []string{mine}})
		wantInvalid(t, err, "materials[0].name")
		_, err = submitCase(t, db, c, iv, "clerk1", at, store.MaterialInput{Code: "M01", FileIDs: []string{mine}}, store.MaterialInput{Code: "M01", FileIDs: []string{mine}})
		wantInvalid(t, err, "materials[1].code")
		// Nothing of the refused submissions was kept, not even a number.
		k, err := submitCase(t, db, c, iv, "clerk1", at, store.MaterialInput{Code: "M01", FileIDs: []string{mine}},
			store.MaterialInput{Code: "OTHER", Name: "情况说明", FileIDs: []string{mine}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(k.Number, "-0001") {
			t.Fatalf("number %s after refused submissions", k.Number)
		}
		second := upload(t, db, clerk, "a2.pdf")
		err = db.Tx(ctx, func(tx *sqlx.Tx) error {
			return store.AddCaseMaterials(ctx, tx, k, []store.MaterialInput{{Code: "M01", FileIDs: []string{second, mine}}, {Code: "M02", FileIDs: []string{second}}}, "S1", clerk, at.Add(time.Hour))
		})
		if err != nil {
			t.Fatal(err)
		}
		ms, err := store.CaseMaterials(ctx, db, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			var files []string
			for _, f := range m.Files {
				files = append(files, f.Name)
			}
			got = append(got, fmt.Sprintf("%s v%d %s %s [%s]", m.Code, m.Version, m.Name, m.SupplementID, strings.Join(files, " ")))
		}
		want := []string{"M01 v1 申请书  [a.pdf]", "M01 v2 申请书 S1 [a2.pdf a.pdf]", "M02 v1 可行性研究报告 S1 [a2.pdf]", "OTHER v1 情况说明  [a.pdf]"}
		if !slices.Equal(got, want) {
			t.Fatalf("materials\n got %q\nwant %q", got, want)
		}
		cases, err := store.FileCases(ctx, db, mine)
		if err != nil || !slices.Equal(cases, []string{k.ID}) {
			t.Fatalf("cases of the file: %v %v", cases, err)
		}
	})
}

// A decision and a withdrawal exclude each other, whichever comes first.
func TestDecisionAndWithdrawal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		iv := c.Published("BL-XK-001", "fgj", standard.Promised)
		at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
		a, _ := submitCase(t, db, c, iv, "clerk1", at)
		b, _ := submitCase(t, db, c, iv, "clerk1", at)
		if err := store.SetCaseDecision(ctx, db, a.ID, store.DecisionApprove, "", at); err != nil {
			t.Fatal(err)
		}
		if err := store.WithdrawCase(ctx, db, a.ID, "不办了", at); !errors.Is(err, store.ErrDecided) {
			t.Fatalf("withdraw a decided case: %v", err)
		}
		if err := store.WithdrawCase(ctx, db, b.ID, "不办了", at); err != nil {
			t.Fatal(err)
		}
		if err := store.WithdrawCase(ctx, db, b.ID, "again", at); !errors.Is(err, store.ErrWithdrawn) {
			t.Fatalf("withdraw twice: %v", err)
		}
		if err := store.SetCaseDecision(ctx, db, b.ID, store.DecisionApprove, "", at); !errors.Is(err, store.ErrWithdrawn) || !errors.Is(err, store.ErrConflict) {
			t.Fatalf("decide a withdrawn case: %v", err)
		}
		got, _ := store.GetCase(ctx, db, b.ID)
		if got.WithdrawReason != "不办了" || got.WithdrawnAt == nil || got.Decided() {
			t.Fatalf("withdrawn case %+v", got)
		}
		if err := store.ClearCaseDecision(ctx, db, a.ID); err != nil {
			t.Fatal(err)
		}
		if err := store.WithdrawCase(ctx, db, a.ID, "", at); err != nil {
			t.Fatalf("withdraw after the decision was recalled: %v", err)
		}
	})
}

// Who sees which case: the applicant, the submitter, units with a task, delegation grants.
func TestCaseScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		iv := c.Published("BL-XK-001", "fgj", standard.Promised)
		at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
		k, err := submitCase(t, db, c, iv, "clerk1", at)
		if err != nil {
			t.Fatal(err)
		}
		applyCase(t, db, &engine.Batch{CaseID: k.ID, At: at, Status: "active", Definition: standard.Promised, Version: 1,
			Tasks: []engine.TaskRow{{ID: k.ID + "/w1", CaseID: k.ID, Element: "review", Name: "审核", StepKind: "review",
				CandidateGroups: []string{"fgj-xzsp"}, LoopCounter: -1, Created: at}}})
		sees := func(s store.CaseScope) bool {
			t.Helper()
			ok, err := store.CanSeeCase(ctx, db, &s, k.ID)
			if err != nil {
				t.Fatal(err)
			}
			list, total, err := listAndCount(ctx, db, store.CaseFilter{Scope: &s})
			if err != nil {
				t.Fatal(err)
			}
			if (total == 1 && len(list) == 1 && list[0].ID == k.ID) != ok {
				t.Fatalf("CanSeeCase %v but list %d", ok, total)
			}
			return ok
		}
		for _, x := range []struct {
			name  string
			scope store.CaseScope
			want  bool
		}{
			{"all", store.CaseScope{All: true}, true},
			{"submitter", store.CaseScope{UserID: c.Users["clerk1"].ID}, true},
			{"a clerk of the submitting window", store.CaseScope{UserID: c.Users["clerk3"].ID, UnitIDs: []string{c.ID("w1")}}, true},
			{"a clerk of another window", store.CaseScope{UserID: c.Users["clerk2"].ID, UnitIDs: []string{c.ID("w2")}, UnitCodes: []string{"w2"}}, false},
			{"the reviewing section", store.CaseScope{UserID: c.Users["reviewer"].ID, UnitCodes: []string{"fgj-xzsp"}}, true},
			{"another section", store.CaseScope{UserID: "x", UnitCodes: []string{"zjj-xzsp"}}, false},
			{"a grant for review", store.CaseScope{UserID: "x", Grants: []store.GrantReach{{SectionCode: "fgj-xzsp", StepKinds: []string{"review"}}}}, true},
			{"a grant for another step", store.CaseScope{UserID: "x", Grants: []store.GrantReach{{SectionCode: "fgj-xzsp", StepKinds: []string{"approval"}}}}, false},
			{"a grant for another item", store.CaseScope{UserID: "x", Grants: []store.GrantReach{{SectionCode: "fgj-xzsp", StepKinds: []string{"review"}, ItemIDs: []string{"other"}}}}, false},
			{"a grant for the item", store.CaseScope{UserID: "x", Grants: []store.GrantReach{{SectionCode: "fgj-xzsp", StepKinds: []string{"review"}, ItemIDs: []string{iv.ItemID}}}}, true},
		} {
			if got := sees(x.scope); got != x.want {
				t.Errorf("%s: sees %v, want %v", x.name, got, x.want)
			}
		}
		// Filters.
		list, total, err := listAndCount(ctx, db, store.CaseFilter{Search: k.Number[len(k.Number)-6:], State: store.CasesOpen, ItemID: iv.ItemID})
		if err != nil || total != 1 || list[0].ID != k.ID {
			t.Fatalf("search: %d %v", total, err)
		}
		_, total, _ = listAndCount(ctx, db, store.CaseFilter{Search: "100%"})
		if total != 0 {
			t.Fatalf("a search with %% matched %d", total)
		}
		_, total, _ = listAndCount(ctx, db, store.CaseFilter{State: store.CasesEnded})
		if total != 0 {
			t.Fatalf("ended cases: %d", total)
		}
	})
}

// Claim, hand over, delegate, resolve and take: one winner for each race, clear conflicts.
func TestTaskClaimsAndDelegation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		iv := c.Published("BL-XK-001", "fgj", standard.Promised)
		at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
		k, _ := submitCase(t, db, c, iv, "clerk1", at)
		id := k.ID + "/w1"
		applyCase(t, db, &engine.Batch{CaseID: k.ID, At: at, Status: "active", Definition: standard.Promised, Version: 1,
			Tasks: []engine.TaskRow{{ID: id, CaseID: k.ID, Element: "review", Name: "审核", StepKind: "review",
				CandidateGroups: []string{"fgj-xzsp"}, LoopCounter: -1, Created: at}}})
		a, b, d := "ua", "ub", "ud"
		if err := store.ClaimTask(ctx, db, id, a, at); err != nil {
			t.Fatal(err)
		}
		if err := store.ClaimTask(ctx, db, id, a, at); err != nil {
			t.Fatalf("claim again: %v", err)
		}
		if err := store.ClaimTask(ctx, db, id, b, at); !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "claimed by ua") {
			t.Fatalf("claim a claimed task: %v", err)
		}
		if err := store.UnclaimTask(ctx, db, id, []string{b}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("unclaim another's: %v", err)
		}
		if err := store.TakeTaskFor(ctx, db, id, []string{b}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("take another's: %v", err)
		}
		if err := store.DelegateTask(ctx, db, id, []string{a}, a, d, at); err != nil {
			t.Fatal(err)
		}
		tk, _ := store.GetTask(ctx, db, id)
		if tk.Owner != a || *tk.Assignee != d || tk.Delegation != store.DelegationPending {
			t.Fatalf("delegated task %+v", tk)
		}
		if err := store.TakeTaskFor(ctx, db, id, []string{d}); !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "delegated") {
			t.Fatalf("the delegate completes: %v", err)
		}
		if err := store.HandOverTask(ctx, db, id, []string{d}, b, at); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("hand over a delegated task: %v", err)
		}
		if err := store.UnclaimTask(ctx, db, id, []string{d}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("unclaim a delegated task: %v", err)
		}
		if err := store.ResolveTask(ctx, db, id, at); err != nil {
			t.Fatal(err)
		}
		if err := store.ResolveTask(ctx, db, id, at); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("resolve twice: %v", err)
		}
		tk, _ = store.GetTask(ctx, db, id)
		if *tk.Assignee != a || tk.Delegation != store.DelegationResolved {
			t.Fatalf("resolved task %+v", tk)
		}
		if err := store.HandOverTask(ctx, db, id, []string{a}, b, at); err != nil {
			t.Fatal(err)
		}
		tk, _ = store.GetTask(ctx, db, id)
		if *tk.Assignee != b || tk.Owner != "" {
			t.Fatalf("handed over %+v", tk)
		}
		// Two racing takes: one wins.
		var wins, conflicts int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := db.Tx(ctx, func(tx *sqlx.Tx) error { return store.TakeTaskFor(ctx, tx, id, []string{b}) })
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.Is(err, store.ErrConflict):
					conflicts++
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 || conflicts != 1 {
			t.Fatalf("racing takes: %d wins, %d conflicts", wins, conflicts)
		}
		if err := store.ClaimTask(ctx, db, id, a, at); !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "completing") {
			t.Fatalf("claim a taken task: %v", err)
		}
		if err := store.ClaimTask(ctx, db, "nope", a, at); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("claim a missing task: %v", err)
		}
	})
}

// The inbox lists open tasks by clause and filters, most urgent first.
func TestInbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		iv := c.Published("BL-XK-001", "fgj", standard.Promised)
		at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
		k, _ := submitCase(t, db, c, iv, "clerk1", at)
		applyCase(t, db, &engine.Batch{CaseID: k.ID, At: at, Status: "active", Definition: standard.Promised, Version: 1,
			Tasks: []engine.TaskRow{
				{ID: k.ID + "/w1", CaseID: k.ID, Element: "review", Name: "审核", StepKind: "review", CandidateGroups: []string{"fgj-xzsp"}, LoopCounter: -1, Created: at},
				{ID: k.ID + "/w2", CaseID: k.ID, Element: "other", Name: "其他", StepKind: "approval", CandidateGroups: []string{"zjj-xzsp"}, LoopCounter: -1, Created: at.Add(time.Second)},
			},
			TaskDues: []engine.TaskDueRow{{TaskID: k.ID + "/w2", Warn: at.Add(time.Hour), Due: at.Add(2 * time.Hour)}}})
		list := func(f store.InboxFilter) []string {
			t.Helper()
			items, err := store.ListInbox(ctx, db, f)
			if err != nil {
				t.Fatal(err)
			}
			total, err := store.CountInbox(ctx, db, f, 100)
			if err != nil {
				t.Fatal(err)
			}
			if total != len(items) && f.Limit == 0 && f.After.ID == "" {
				t.Fatalf("total %d, %d items", total, len(items))
			}
			out := []string{}
			for _, it := range items {
				if it.CaseNumber != k.Number || it.ItemName != iv.Name || len(it.CandidateGroups) != 1 {
					t.Fatalf("inbox task %+v", it)
				}
				out = append(out, it.ElementID)
			}
			return out
		}
		if got := list(store.InboxFilter{}); !slices.Equal(got, []string{"other", "review"}) {
			t.Fatalf("all, due first: %v", got)
		}
		if got := list(store.InboxFilter{Reach: &store.TaskReach{UserID: "u", Username: "u", Units: []string{"fgj-xzsp"}}}); !slices.Equal(got, []string{"review"}) {
			t.Fatalf("by reach: %v", got)
		}
		if got := list(store.InboxFilter{StepKind: "approval"}); !slices.Equal(got, []string{"other"}) {
			t.Fatalf("by step kind: %v", got)
		}
		if got := list(store.InboxFilter{Status: store.InboxWarning, Now: at.Add(90 * time.Minute)}); !slices.Equal(got, []string{"other"}) {
			t.Fatalf("warning: %v", got)
		}
		if got := list(store.InboxFilter{Status: store.InboxOverdue, Now: at.Add(90 * time.Minute)}); len(got) != 0 {
			t.Fatalf("overdue: %v", got)
		}
		if got := list(store.InboxFilter{DueBefore: at.Add(3 * time.Hour)}); !slices.Equal(got, []string{"other"}) {
			t.Fatalf("due before: %v", got)
		}
		_ = store.ClaimTask(ctx, db, k.ID+"/w1", "u1", at)
		if got := list(store.InboxFilter{Status: store.InboxClaimed, Holders: []string{"u1"}}); !slices.Equal(got, []string{"review"}) {
			t.Fatalf("claimed: %v", got)
		}
		if got := list(store.InboxFilter{Status: store.InboxUnclaimed}); !slices.Equal(got, []string{"other"}) {
			t.Fatalf("unclaimed: %v", got)
		}
		// Pages: the task with a due time, then after it the one without.
		first, err := store.ListInbox(ctx, db, store.InboxFilter{Limit: 1})
		if err != nil || len(first) != 1 || first[0].ElementID != "other" {
			t.Fatalf("first page: %v %v", first, err)
		}
		if got := list(store.InboxFilter{Limit: 1, After: first[0].Key()}); !slices.Equal(got, []string{"review"}) {
			t.Fatalf("second page: %v", got)
		}
		if got := list(store.InboxFilter{Limit: 1, After: store.InboxKey{Undue: true, CreatedAt: at.Add(time.Hour), ID: "z"}}); len(got) != 0 {
			t.Fatalf("past the last: %v", got)
		}
	})
}

func TestIdempotencyKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := &store.IdempotentResponse{UserID: "u", Key: "k1", RequestHash: "h", Status: 201, Response: store.JSON(`{"a":1}`)}
		if _, err := store.GetIdempotent(ctx, db, "u", "k1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		if err := store.SaveIdempotent(ctx, db, r); err != nil {
			t.Fatal(err)
		}
		if err := store.SaveIdempotent(ctx, db, r); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("save twice: %v", err)
		}
		got, err := store.GetIdempotent(ctx, db, "u", "k1")
		if err != nil || got.Status != 201 || got.RequestHash != "h" || !strings.Contains(string(got.Response), `"a"`) {
			t.Fatalf("got %+v %v", got, err)
		}
		if _, err := store.GetIdempotent(ctx, db, "other", "k1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatal("a key is per caller")
		}
	})
}

func TestCheckCreditCode(t *testing.T) {
	// 91350100M000100Y43 is a published example code.
	if err := store.CheckCreditCode("91350100M000100Y43"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"91350100M000100Y44", "91350100M000100Y4", "9135010OM000100Y43"} {
		if store.CheckCreditCode(bad) == nil {
			t.Errorf("%s passed", bad)
		}
	}
	a := store.Applicant{Name: " 某公司 ", Kind: store.ObjectLegalPerson, CertNo: "91350100m000100y43"}
	if err := a.Check("applicant."); err != nil || a.CertType != store.CertCreditCode || a.Name != "某公司" || a.CertNo != "91350100M000100Y43" {
		t.Fatalf("%+v %v", a, err)
	}
	a = store.Applicant{Name: "x", Kind: store.ObjectNaturalPerson, CertNo: "450981199001011231"}
	wantInvalid(t, a.Check("applicant."), "applicant.certNo")
}

// listAndCount lists the first page of f and counts its matches, checking that the two agree.
func listAndCount(ctx context.Context, db *store.DB, f store.CaseFilter) ([]store.ListedCase, int, error) {
	list, err := store.ListCases(ctx, db, f)
	if err != nil {
		return nil, 0, err
	}
	n, err := store.CountCases(ctx, db, f, 1000)
	if err == nil && len(list) != n {
		err = fmt.Errorf("listed %d cases but counted %d", len(list), n)
	}
	return list, n, err
}
