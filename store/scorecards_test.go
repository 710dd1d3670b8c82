package store_test

import (
	"context"

	"github.com/jmoiron/sqlx"
	"math"
	"onewindow/demo/demotest"
	"slices"
	"testing"
	"time"

	"onewindow/store"
	"onewindow/store/storetest"
)

func cstAt(d, h, m int) time.Time { return time.Date(2025, 11, d, h, m, 0, 0, cst) }

// month builds November 2025 at 北流市 (no public holiday that month): cases of 发改局 (A1-A5)
// and 住建局 (B1, B2), accepted at window 1 by clerk1, at window 2 by clerk2 or by 住建局's
// reviewer, with their notices, pauses, alerts, ratings and complaints. Each scorecard
// expectation below is worked out by hand from these rows.
func month(t *testing.T, db *store.DB) (unit, user func(string) string) {
	t.Helper()
	ctx := context.Background()
	unit, user = demotest.Demo(t, db)
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, db.Rebind(query), args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	now := store.Now()
	for _, it := range [][2]string{{"IA", "fgj"}, {"IB", "zjj"}} {
		exec(`INSERT INTO items (id, code, name, kind, handling_type, department_id, definition_key, content, state, current_version,
			created_by, created_at, updated_by, updated_at) VALUES (?, ?, ?, 'licence', 'promised', ?, 'std-promised', '{}', 'published', 1, 'test', ?, 'test', ?)`,
			it[0], "SC-"+it[0], "事项"+it[0], unit(it[1]), now, now)
	}
	type kase struct {
		id, item, status, submitWindow         string
		received, accepted, stopped, ended     time.Time
		promised                               float64
		due                                    time.Time
		acceptedBy, acceptWindow, acceptedUnit string
	}
	var zero time.Time
	cases := []kase{
		{"A1", "IA", "completed", "", cstAt(3, 9, 0), cstAt(3, 10, 0), cstAt(6, 15, 0), cstAt(6, 16, 0), 5, cstAt(10, 17, 30), "clerk1", "zwzx-01", "fgj"},
		{"A2", "IA", "completed", "", cstAt(10, 9, 0), cstAt(10, 9, 30), cstAt(14, 9, 30), cstAt(14, 10, 0), 3, cstAt(13, 17, 30), "clerk1", "zwzx-01", "fgj"},
		{"A3", "IA", "completed", "", cstAt(17, 9, 0), cstAt(17, 10, 0), cstAt(25, 12, 0), cstAt(25, 12, 0), 5, cstAt(26, 17, 30), "clerk2", "zwzx-02", "fgj"},
		{"A4", "IA", "active", "", cstAt(27, 9, 0), cstAt(27, 10, 0), zero, zero, 5, time.Date(2025, 12, 4, 17, 30, 0, 0, cst), "clerk1", "zwzx-01", "fgj"},
		{"A5", "IA", "completed", "", time.Date(2025, 10, 30, 9, 0, 0, 0, cst), time.Date(2025, 10, 30, 10, 0, 0, 0, cst), cstAt(4, 17, 0), cstAt(4, 17, 0), 5, cstAt(6, 17, 30), "clerk1", "zwzx-01", "fgj"},
		{"B1", "IB", "completed", "zwzx-02", cstAt(5, 9, 0), cstAt(5, 10, 0), cstAt(7, 17, 30), cstAt(7, 17, 30), 2, cstAt(7, 17, 30), "reviewer-zjj", "", "zjj"},
		{"B2", "IB", "cancelled", "", cstAt(12, 9, 0), zero, zero, cstAt(13, 9, 0), 2, zero, "", "", ""},
	}
	opt := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return store.Time(t)
	}
	optS := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	for _, k := range cases {
		clock := "stopped"
		if k.status == "active" {
			clock = "running"
		} else if k.accepted.IsZero() {
			clock = "none"
		}
		exec(`INSERT INTO cases (id, definition_key, definition_version, status, variables, last_seq, started_at, updated_at, ended_at,
			clock_state, clock_started_at, clock_stopped_at, promised_days, due_at, item_id, received_at, window_id)
			VALUES (?, 'std-promised', 1, ?, '{}', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			k.id, k.status, store.Time(k.received), store.Time(k.received), opt(k.ended), clock, opt(k.accepted), opt(k.stopped),
			k.promised, opt(k.due), k.item, store.Time(k.received), optS(unitOr(unit, k.submitWindow)))
		if k.acceptedBy != "" {
			a := &store.Action{CaseID: k.id, TaskID: k.id + "/acc", ElementID: "acceptance", StepKind: "acceptance", Action: store.ActionComplete,
				Outcome: "accept", ActorID: user(k.acceptedBy), ActorName: k.acceptedBy, Public: true, At: k.accepted}
			if k.acceptWindow != "" {
				a.Authority, a.WindowID, a.DepartmentID = "delegation", unit(k.acceptWindow), unit(k.acceptedUnit)
			}
			if err := store.RecordAction(ctx, db, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A3 waited for a supplement from Tuesday 18 to Thursday 20 November, 09:00: two working days.
	exec(`INSERT INTO case_pauses (case_id, idx, holder, kind, reason, started_at, ended_at) VALUES ('A3', 0, 'i1', 'supplement', 'waiting', ?, ?)`,
		store.Time(cstAt(18, 9, 0)), store.Time(cstAt(20, 9, 0)))
	notice := func(id, caseID string, seq int) {
		exec(`INSERT INTO notices (id, case_id, seq, task_id, materials, note, state, issued_by, issued_at) VALUES (?, ?, ?, 't', '[]', '', 'answered', 'x', ?)`,
			id, caseID, seq, now)
	}
	notice("N1", "A1", 1)
	notice("N2", "A3", 1)
	notice("N3", "A3", 2)
	alert := func(id, caseID, kind, scope string, at time.Time, dept, window, person string) {
		exec(`INSERT INTO alerts (id, case_id, kind, scope, due_at, fired_at, department_id, window_id, person_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, caseID, kind, scope, store.Time(at), store.Time(at), optS(unitOr(unit, dept)), optS(unitOr(unit, window)), optS(userOr(user, person)))
	}
	alert("A2/case:warning", "A2", "warning", "case", cstAt(12, 17, 30), "fgj", "zwzx-01", "clerk1")
	alert("A2/case:overdue", "A2", "overdue", "case", cstAt(13, 17, 30), "fgj", "zwzx-01", "clerk1")
	alert("B1/task:x:overdue", "B1", "overdue", "task", cstAt(20, 10, 0), "zjj", "", "reviewer-zjj")
	alert("A5/case:warning", "A5", "warning", "case", time.Date(2025, 10, 31, 17, 30, 0, 0, cst), "fgj", "zwzx-01", "clerk1") // October
	rating := func(caseID, level string, score int, at time.Time, dept, window, person string) {
		exec(`INSERT INTO ratings (case_id, applicant_id, level, score, comment, department_id, window_id, person_id, rated_at) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?)`,
			caseID, user("applicant1"), level, score, unit(dept), optS(unitOr(unit, window)), optS(userOr(user, person)), store.Time(at))
	}
	rating("A1", "very_satisfied", 5, cstAt(7, 9, 0), "fgj", "zwzx-01", "clerk1")
	rating("A2", "dissatisfied", 2, cstAt(14, 11, 0), "fgj", "zwzx-01", "clerk1")
	rating("A3", "satisfied", 4, cstAt(25, 15, 0), "fgj", "zwzx-02", "clerk2")
	rating("A5", "satisfied", 4, cstAt(5, 9, 0), "fgj", "zwzx-01", "clerk1")
	rating("B1", "basically_satisfied", 3, cstAt(10, 9, 0), "zjj", "zwzx-02", "reviewer-zjj")
	exec(`INSERT INTO complaints (id, subject, case_id, window_id, department_id, person_id, contact_name, contact_phone, content, process_case_id, filed_at)
		VALUES ('K1', 'case', 'A2', ?, ?, ?, '李明', '13800000001', '超时', 'T-1', ?)`, unit("zwzx-01"), unit("fgj"), user("clerk1"), store.Time(cstAt(15, 9, 0)))
	exec(`INSERT INTO complaints (id, subject, window_id, contact_name, contact_phone, content, process_case_id, filed_at)
		VALUES ('K2', 'window', ?, '张三', '13900000000', '无人受理', 'T-2', ?)`, unit("zwzx-02"), store.Time(cstAt(19, 9, 0)))
	// The rows above were written past the store's functions: count them into the counters.
	if err := db.Tx(ctx, func(tx *sqlx.Tx) error { return store.RebuildScoreCounters(ctx, tx, &store.Calendars{DB: db}) }); err != nil {
		t.Fatal(err)
	}
	return unit, user
}

func unitOr(unit func(string) string, code string) string {
	if code == "" {
		return ""
	}
	return unit(code)
}

func userOr(user func(string) string, name string) string {
	if name == "" {
		return ""
	}
	return user(name)
}

func sameDays(got []float64, want ...float64) bool {
	got = slices.Sorted(slices.Values(got))
	slices.Sort(want)
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 0.0001 {
			return false
		}
	}
	return true
}

// The figures of each level over the month; app's tests score them.
func TestScorecardsOnAConstructedMonth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		unit, user := month(t, db)
		cals := &store.Calendars{DB: db}
		period := store.ScorecardFilter{From: cstAt(1, 0, 0), To: time.Date(2025, 12, 1, 0, 0, 0, 0, cst)}
		get := func(level string) map[string]store.ScoreFigures {
			t.Helper()
			f := period
			f.Level = level
			list, err := store.Scorecards(ctx, db, cals, f)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]store.ScoreFigures{}
			for _, c := range list {
				out[c.ID] = c
			}
			return out
		}
		// Used working days (the day of acceptance not counted; 7 working hours a day):
		// A1 Tue 4, Wed 5, Thu 6 to 15:00 = 2 + 4.5/7; A2 Tue 11 to Fri 14 09:30 = 3 + 0.5/7;
		// A3 Tue 18 to Tue 25 12:00 less the 2-day pause = 5 + 3/7 - 2; A5 Fri 31 October,
		// Mon 3, Tue 4 November to 17:00 = 2 + 6.5/7; B1 Thu 6, Fri 7 = 2.
		a1, a2, a3, a5 := 2+4.5/7, 3+0.5/7, 3+3.0/7, 2+6.5/7

		d := get(store.LevelDepartment)
		fgj := d[unit("fgj")]
		if fgj.Name != "北流市发展和改革局" || fgj.Received != 4 || fgj.Finished != 4 || fgj.WithLimit != 4 || fgj.OnTime != 3 {
			t.Errorf("发改局 volume: %+v", fgj)
		}
		if !sameDays(fgj.DaysUsed, a1, a2, a3, a5) {
			t.Errorf("发改局 days used: %v, want %v", fgj.DaysUsed, []float64{a1, a2, a3, a5})
		}
		if fgj.Warnings != 1 || fgj.Overdue != 1 || fgj.Notices != 3 || fgj.Complaints != 1 {
			t.Errorf("发改局 alerts, notices, complaints: %+v", fgj)
		}
		if fgj.Ratings["very_satisfied"] != 1 || fgj.Ratings["satisfied"] != 2 || fgj.Ratings["dissatisfied"] != 1 || fgj.Ratings["basically_satisfied"] != 0 {
			t.Errorf("发改局 ratings: %v", fgj.Ratings)
		}
		zjj := d[unit("zjj")]
		if zjj.Received != 2 || zjj.Finished != 1 || zjj.WithLimit != 1 || zjj.OnTime != 1 || !sameDays(zjj.DaysUsed, 2) ||
			zjj.Overdue != 1 || zjj.Warnings != 0 || zjj.Notices != 0 || zjj.Ratings["basically_satisfied"] != 1 || zjj.Complaints != 0 || len(d) != 2 {
			t.Errorf("住建局: %+v (%d departments)", zjj, len(d))
		}

		w := get(store.LevelWindow)
		w1, w2 := w[unit("zwzx-01")], w[unit("zwzx-02")]
		if w1.Received != 3 || w1.Finished != 3 || w1.OnTime != 2 || !sameDays(w1.DaysUsed, a1, a2, a5) ||
			w1.Warnings != 1 || w1.Overdue != 1 || w1.Notices != 1 || w1.Complaints != 1 {
			t.Errorf("window 1: %+v", w1)
		}
		// Window 2: A3 accepted there under delegation, B1 submitted at its counter (accepted
		// by 住建局's own reviewer); the complaint about the window itself.
		if w2.Received != 2 || w2.Finished != 2 || w2.OnTime != 2 || !sameDays(w2.DaysUsed, a3, 2) ||
			w2.Warnings+w2.Overdue != 0 || w2.Ratings["satisfied"] != 1 || w2.Ratings["basically_satisfied"] != 1 || w2.Complaints != 1 || len(w) != 2 {
			t.Errorf("window 2: %+v (%d windows)", w2, len(w))
		}

		p := get(store.LevelPerson)
		c1, c2, rz := p[user("clerk1")], p[user("clerk2")], p[user("reviewer-zjj")]
		if c1.Received != 3 || c1.Finished != 3 || c1.Overdue != 1 || c1.Complaints != 1 || c1.Name != "一号窗口 王丽" ||
			!slices.Contains(c1.MemberOf, unit("zwzx-01")) {
			t.Errorf("clerk1: %+v", c1)
		}
		if c2.Received != 1 || c2.Finished != 1 || c2.OnTime != 1 || c2.Complaints != 0 {
			t.Errorf("clerk2: %+v", c2)
		}
		if rz.Received != 1 || rz.Overdue != 1 || len(p) != 3 {
			t.Errorf("reviewer-zjj: %+v (%d people)", rz, len(p))
		}
	})
}
