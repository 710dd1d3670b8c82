package store_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
	"onewindow/store/storetest"
)

// planRecorder is a store.Q that runs queries on db and keeps their text and arguments, so
// that the test can ask the database how it plans exactly what the list functions run.
type planRecorder struct {
	*store.DB
	queries []recorded
}

type recorded struct {
	sql  string
	args []any
}

func (r *planRecorder) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	r.queries = append(r.queries, recorded{query, args})
	return r.DB.SelectContext(ctx, dest, query, args...)
}

func (r *planRecorder) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	r.queries = append(r.queries, recorded{query, args})
	return r.DB.GetContext(ctx, dest, query, args...)
}

// fullScan matches a plan line that reads a whole table of cases or tasks: SQLite's
// "SCAN c" without an index, PostgreSQL's "Seq Scan on cases".
var fullScan = regexp.MustCompile(`(?m)(^|\s)SCAN (c|cases|t|tasks|pc|pt|st|lt)(\s*$| \()|Seq Scan on (cases|tasks)\b`)

// tableScan matches a plan line that reads the whole table (alias or name): SQLite's "SCAN x"
// without an index, PostgreSQL's "Seq Scan on table".
func tableScan(alias, table string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)(^|\s)SCAN (` + alias + `|` + table + `)(\s*$| \()|Seq Scan on ` + table + `\b`)
}

// hashedOverCases answers the table of a PostgreSQL subplan that reads cases, tasks or
// subscriptions without the outer case's id (every open acceptance task, say): the planner
// hashes such a subplan once per call (EXPLAIN shows "hashed SubPlan" only in its VERBOSE
// output lists), reading the rows of all the cases where a per-row probe by case reads a page's.
func hashedOverCases(plan string) string {
	lines := strings.Split(plan, "\n")
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
	scan := regexp.MustCompile(` on (cases|tasks|subscriptions) `)
	for i, l := range lines {
		if !regexp.MustCompile(`^SubPlan \d+$`).MatchString(strings.TrimSpace(l)) || i+1 >= len(lines) {
			continue
		}
		t := scan.FindStringSubmatch(lines[i+1])
		if t == nil {
			continue
		}
		correlated := false
		for _, b := range lines[i+1:] {
			if b != lines[i+1] && indent(b) <= indent(l) {
				break
			}
			correlated = correlated || strings.Contains(b, "c.id")
		}
		if !correlated {
			return t[1]
		}
	}
	return ""
}

// TestListQueryPlans asks each database how it runs the large lists (case list for each kind
// of scope, inbox, supervision list and counts, visibility of one case, complaints, open
// commitments, incidents, the done list) over a few thousand cases with fresh statistics, and
// fails on a full scan of cases or tasks (or of a list's own table), and on PostgreSQL on a
// subplan hashing rows of all the cases: every list walks an index in its order, or starts from
// the caller's side. On PostgreSQL sequential scans are
// disabled for the session, so one in the plan means no index can serve the query.
func TestListQueryPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		fillCases(t, db, c, 3000)
		if err := store.Analyze(ctx, db); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
		clerk := &store.CaseScope{UserID: c.Users["clerk1"].ID, Username: "clerk1", UnitIDs: []string{c.ID("w1")}, UnitCodes: []string{"w1"},
			Grants: []store.GrantReach{{SectionCode: "fgj-xzsp", StepKinds: []string{"acceptance"}}}}
		reviewer := &store.CaseScope{UserID: c.Users["reviewer"].ID, Username: "reviewer", UnitIDs: []string{c.ID("fgj-xzsp")}, UnitCodes: []string{"fgj-xzsp"}}
		sup := &store.CaseScope{UserID: "sup", Username: "sup", Within: []string{c.ID("bl"), c.ID("zx"), c.ID("w1"), c.ID("w2"), c.ID("fgj")}}
		applicant := &store.CaseScope{UserID: "applicant-7", Username: "applicant-7"}
		after := store.CaseKey{ReceivedAt: now.Add(-24 * time.Hour), ID: "zz"}
		reach := &store.TaskReach{UserID: c.Users["clerk1"].ID, Username: "clerk1", Units: []string{"w1"},
			Grants: []store.GrantReach{{SectionCode: "fgj-xzsp", StepKinds: []string{"acceptance"}}}}
		over := &store.Oversight{Scope: sup, Units: []string{c.ID("zx"), c.ID("w1"), c.ID("w2"), c.ID("fgj")}}
		checks := []struct {
			name string
			run  func(q store.Q) error
			// scan, when set, matches a full scan of the list's own table instead of fullScan.
			scan *regexp.Regexp
		}{
			{"case list, clerk", func(q store.Q) error {
				_, err := store.ListCases(ctx, q, store.CaseFilter{Scope: clerk, Limit: 51})
				return err
			}, nil},
			{"case list, clerk, next page", func(q store.Q) error {
				_, err := store.ListCases(ctx, q, store.CaseFilter{Scope: clerk, Limit: 51, After: after})
				return err
			}, nil},
			{"case list, reviewer, open", func(q store.Q) error {
				_, err := store.ListCases(ctx, q, store.CaseFilter{Scope: reviewer, State: store.CasesOpen, Limit: 51})
				return err
			}, nil},
			{"case list, supervisor", func(q store.Q) error {
				_, err := store.ListCases(ctx, q, store.CaseFilter{Scope: sup, Limit: 51})
				return err
			}, nil},
			{"case list, applicant", func(q store.Q) error {
				_, err := store.ListCases(ctx, q, store.CaseFilter{Scope: applicant, Limit: 51})
				return err
			}, nil},
			{"case list, one item", func(q store.Q) error {
				_, err := store.ListCases(ctx, q, store.CaseFilter{Scope: clerk, ItemID: "item-3", Limit: 51})
				return err
			}, nil},
			{"visibility of one case", func(q store.Q) error { _, err := store.CanSeeCase(ctx, q, clerk, "case-00042"); return err }, nil},
			{"inbox", func(q store.Q) error {
				_, err := store.ListInbox(ctx, q, store.InboxFilter{Reach: reach, Holders: []string{reach.UserID, "clerk1"}, Now: now, Limit: 51})
				return err
			}, nil},
			{"inbox, next page", func(q store.Q) error {
				_, err := store.ListInbox(ctx, q, store.InboxFilter{Reach: reach, Now: now, Limit: 51,
					After: store.InboxKey{DueAt: now, CreatedAt: now.Add(-time.Hour), ID: "task-01000"}})
				return err
			}, nil},
			{"supervision list", func(q store.Q) error {
				_, err := store.SupervisedPage(ctx, q, store.SupervisionFilter{Oversight: &store.Oversight{Scope: sup}, Now: now, Sort: store.SortRemaining, Limit: 51})
				return err
			}, nil},
			{"supervision list by start", func(q store.Q) error {
				_, err := store.SupervisedPage(ctx, q, store.SupervisionFilter{Oversight: &store.Oversight{Scope: sup}, Now: now, Sort: store.SortStarted, Desc: true, Limit: 51})
				return err
			}, nil},
			{"complaints, supervisor", func(q store.Q) error {
				_, err := store.ListComplaints(ctx, q, store.ComplaintFilter{Oversight: over, Limit: 51})
				return err
			}, tableScan("k", "complaints")},
			{"complaints, next page", func(q store.Q) error {
				_, err := store.ListComplaints(ctx, q, store.ComplaintFilter{Oversight: over, Limit: 51, BeforeAt: now.Add(-48 * time.Hour), BeforeID: "zz"})
				return err
			}, tableScan("k", "complaints")},
			{"open commitments, clerk", func(q store.Q) error {
				_, err := store.ListOpenCommitments(ctx, q, clerk, store.CommitmentKey{PromisedDate: "2025-06-01", ID: "cm-00015"}, 51)
				return err
			}, tableScan("m", "case_commitments")},
			{"incidents, supervisor", func(q store.Q) error {
				_, err := store.ListIncidents(ctx, q, store.IncidentFilter{Scope: sup, Limit: 51, AfterAt: now.Add(-30 * 24 * time.Hour), AfterID: "x"})
				return err
			}, tableScan("i", "incidents")},
			{"done tasks, mine", func(q store.Q) error {
				_, err := store.DoneTasks(ctx, q, store.DoneFilter{ActorID: c.Users["clerk1"].ID, Limit: 51})
				return err
			}, tableScan("a", "case_actions")},
			{"done tasks, window, next page", func(q store.Q) error {
				_, err := store.DoneTasks(ctx, q, store.DoneFilter{WindowID: c.ID("w1"), Limit: 51, BeforeAt: now.Add(-24 * time.Hour), BeforeID: "zz"})
				return err
			}, tableScan("a", "case_actions")},
		}
		for _, ch := range checks {
			rec := &planRecorder{DB: db}
			if err := ch.run(rec); err != nil {
				t.Fatalf("%s: %v", ch.name, err)
			}
			if len(rec.queries) == 0 {
				t.Fatalf("%s: no query recorded", ch.name)
			}
			for _, q := range rec.queries {
				plan := explain(t, db, q)
				if testing.Verbose() {
					t.Logf("%s:\n%s", ch.name, plan)
				}
				if fullScan.MatchString(plan) {
					t.Errorf("%s: a full scan of cases or tasks:\n%s\nquery: %s", ch.name, plan, q.sql)
				}
				if table := hashedOverCases(plan); table != "" {
					t.Errorf("%s: a hash of %s built on every call:\n%s\nquery: %s", ch.name, table, plan, q.sql)
				}
				if ch.scan != nil && ch.scan.MatchString(plan) {
					t.Errorf("%s: a full scan of the list's table:\n%s\nquery: %s", ch.name, plan, q.sql)
				}
			}
		}
	})
}

// explain answers the plan of q as text, one line per step.
func explain(t *testing.T, db *store.DB, q recorded) string {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	prefix := `EXPLAIN QUERY PLAN `
	if db.Dialect() == store.Postgres {
		prefix = `EXPLAIN `
		if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(ctx, `RESET enable_seqscan`) //nolint:errcheck
	}
	rows, err := conn.QueryxContext(ctx, prefix+q.sql, q.args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q.sql, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		vals, err := rows.SliceScan()
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// fillCases writes n cases of c's county (received over the past days, a third of them
// ended), each with a task offered to a section or window, and an action of clerk1 on every
// tenth: enough rows that the planner's statistics tell an index from a scan.
func fillCases(t *testing.T, db *store.DB, c *storetest.Centre, n int) {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	windows := []string{c.ID("w1"), c.ID("w2")}
	groups := []string{"fgj-xzsp", "zjj-xzsp", "zrzyj-xzsp", "w1", "w2"}
	submitters := []string{c.Users["clerk1"].ID, c.Users["clerk2"].ID, c.Users["clerk3"].ID, c.Users["agent"].ID}
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		for i := range 10 {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO items (id, code, name, kind, handling_type, department_id, definition_key, content, state,
				current_version, created_by, created_at, updated_by, updated_at) VALUES (?, ?, ?, 'licence', 'promised', ?, 'p', '{}', 'published', 1, 't', ?, 't', ?)`),
				fmt.Sprintf("item-%d", i), fmt.Sprintf("QP-%d", i), "item", c.ID([]string{"fgj", "zjj", "zrzyj"}[i%3]), base, base); err != nil {
				return err
			}
		}
		for i := range n {
			id := fmt.Sprintf("case-%05d", i)
			received := base.Add(-time.Duration(i) * 7 * time.Minute)
			var ended any
			status := "active"
			if i%3 == 0 {
				ended, status = received.Add(time.Hour), "completed"
			}
			due := received.Add(time.Duration(5+i%10) * 24 * time.Hour)
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO cases (id, definition_key, definition_version, status, variables, last_seq,
				started_at, updated_at, ended_at, number, item_id, item_name, channel, applicant_id, applicant_name, submitted_by, window_id,
				received_at, calendar_unit, clock_state, clock_started_at, promised_days, warn_at, due_at)
				VALUES (?, 'p', 1, ?, '{}', 1, ?, ?, ?, ?, ?, 'item', 'window', ?, '张三', ?, ?, ?, ?, 'running', ?, 10, ?, ?)`),
				id, status, received, received, ended, fmt.Sprintf("N-%05d", i), fmt.Sprintf("item-%d", i%10),
				fmt.Sprintf("applicant-%d", i%500), submitters[i%len(submitters)], windows[i%2], received, c.ID("bl"), received,
				due.Add(-48*time.Hour), due); err != nil {
				return err
			}
			state := "open"
			if i%3 == 0 {
				state = "completed"
			}
			task := fmt.Sprintf("task-%05d", i)
			var assignee any
			if i%4 == 0 {
				assignee = submitters[i%len(submitters)]
			}
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO tasks (id, case_id, element_id, name, state, step_kind, loop_counter,
				created_at, due_at, limit_days, warn_days, assignee) VALUES (?, ?, 'accept', '受理', ?, 'acceptance', -1, ?, ?, 1, 0.5, ?)`),
				task, id, state, received, due, assignee); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO task_candidates (task_id, kind, value) VALUES (?, 'group', ?)`),
				task, groups[i%len(groups)]); err != nil {
				return err
			}
			if i%10 == 0 {
				if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO case_actions (id, case_id, task_id, action, actor_id, actor_name,
					comment, public, detail, at) VALUES (?, ?, ?, 'claim', ?, 'clerk1', '', FALSE, '{}', ?)`),
					"act-"+id, id, task, c.Users["clerk1"].ID, received); err != nil {
					return err
				}
			}
			if i%3 == 0 { // completed at a window: the done lists
				if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO case_actions (id, case_id, task_id, action, actor_id, actor_name, window_id,
					comment, public, detail, at) VALUES (?, ?, ?, 'complete', ?, 'x', ?, '', FALSE, '{}', ?)`),
					"done-"+id, id, task, submitters[i%len(submitters)], windows[i%2], received.Add(time.Hour)); err != nil {
					return err
				}
			}
			if i%20 == 0 {
				if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO complaints (id, subject, case_id, window_id, department_id, contact_name,
					contact_phone, content, process_case_id, filed_at) VALUES (?, 'case', ?, ?, ?, '李明', '13800000001', '慢', ?, ?)`),
					"k-"+id, id, windows[i%2], c.ID("fgj"), "T-"+id, received.Add(2*time.Hour)); err != nil {
					return err
				}
			}
			if i%15 == 0 {
				if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO case_commitments (id, case_id, task_id, material_code, material_name,
					promised_date, reason, state, created_by, created_at) VALUES (?, ?, ?, 'M1', '材料', ?, '容缺', ?, 'x', ?)`),
					fmt.Sprintf("cm-%05d", i), id, task, received.AddDate(0, 0, 10).Format("2006-01-02"), []string{"open", "fulfilled"}[i%2], received); err != nil {
					return err
				}
			}
			if i%25 == 0 {
				if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO incidents (id, case_id, element_id, message, state, created_at)
					VALUES (?, ?, 'svc', 'failed', ?, ?)`), id+"/x", id, []string{"open", "resolved"}[i%2], received); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
