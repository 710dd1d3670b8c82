package demo

// The bulk loader of open cases (LoadOpenCases): what the scale benchmark fills a database
// with. It drives a few template cases of every demo item through the use cases and the engine
// to realistic steps (waiting for acceptance, for review, for a decision), then copies their
// application rows (the case, its tasks and candidates, actions, materials, timers, alarms,
// viewers: every row keyed by the case) in batches of one transaction each, with new ids,
// numbers and receipt times spread over the past weeks. Copies have no go-workflows instance of
// their own: they are read-side load (lists, counts, scopes), not engine load.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/app"
	"onewindow/store"
)

// ErrNotEmpty refuses a bulk load into a database that already holds cases.
var ErrNotEmpty = errors.New("the database already holds cases: a bulk load adds thousands of made-up cases to it; pass force to load anyway")

// LoadOptions tune LoadOpenCases.
type LoadOptions struct {
	// Open is how many open cases the database holds afterwards (templates included).
	Open int
	// Batch is how many cases one transaction copies; default 500.
	Batch int
	// Force loads into a database that already holds cases.
	Force bool
	// Templates caps the cases driven through the engine (default: three of every demo item
	// that takes window applications).
	Templates int
	// Progress, if set, is told how many cases are loaded after every batch.
	Progress func(loaded int)
}

// LoadReport says what LoadOpenCases did.
type LoadReport struct {
	// Templates are the cases driven through the engine; Copies the rest.
	Templates, Copies int
	// Steps counts the templates' open tasks by step kind.
	Steps map[string]int
	// Took is the whole load; TemplatesTook the part spent driving templates.
	Took, TemplatesTook time.Duration
	// Number and QueryCode open the public progress page of the first template.
	Number, QueryCode string
}

// caseTables are the tables whose rows belong to one case, in an order that inserts parents
// first, with the column that names the case ("" for task_candidates, keyed by task). Tables a
// database does not have (an older schema) are skipped.
var caseTables = []struct{ name, caseCol string }{
	{"cases", "id"}, {"case_steps", "case_id"}, {"tasks", "case_id"}, {"task_candidates", ""},
	{"timers", "case_id"}, {"subscriptions", "case_id"}, {"case_history", "case_id"},
	{"case_materials", "case_id"}, {"case_actions", "case_id"}, {"case_pauses", "case_id"},
	{"alarms", "case_id"}, {"case_viewers", "case_id"},
}

// shiftedColumns are the times a copy moves back by its age: with them the due and warning
// times of cases and tasks, so that copies spread over the calendar as real cases do (some
// overdue). Alarms and timers keep theirs: a copy has no workflow to signal.
var shiftedColumns = map[string]bool{"received_at": true, "started_at": true, "updated_at": true,
	"created_at": true, "at": true, "accepted_at": true, "applied_at": true, "added_at": true,
	"clock_started_at": true, "due_at": true, "warn_at": true, "statutory_due_at": true}

// unshiftedTables keep every time of their template.
var unshiftedTables = map[string]bool{"alarms": true, "timers": true}

// LoadOpenCases fills db (with the demo city loaded and a running engine behind a) with
// o.Open open cases. A database that already holds cases is refused unless o.Force. The
// statistics are refreshed afterwards (store.Analyze) so the planner knows the new sizes.
func LoadOpenCases(ctx context.Context, a *app.App, db *store.DB, o LoadOptions) (*LoadReport, error) {
	start := time.Now()
	if o.Batch <= 0 {
		o.Batch = 500
	}
	var n int
	if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM cases`); err != nil {
		return nil, fmt.Errorf("count cases: %w", err)
	}
	if n > 0 && !o.Force {
		return nil, ErrNotEmpty
	}
	rep := &LoadReport{}
	want := o.Open
	if o.Templates > 0 {
		want = min(want, o.Templates)
	}
	tpl, err := driveTemplates(ctx, a, db, want, rep)
	if err != nil {
		return nil, err
	}
	rep.Templates, rep.TemplatesTook = len(tpl), time.Since(start)
	rows, err := readTemplates(ctx, db, tpl)
	if err != nil {
		return nil, err
	}
	stamp := time.Now().UTC()
	for done := len(tpl); done < o.Open; {
		k := min(o.Batch, o.Open-done)
		err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			for i := range k {
				age := time.Duration(done+i) * 20 * 24 * time.Hour / time.Duration(max(o.Open, 1))
				if err := copyCase(ctx, tx, rows[(done+i)%len(rows)], done+i, stamp.Add(-age)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("copy cases %d-%d: %w", done, done+k, err)
		}
		done += k
		rep.Copies += k
		if o.Progress != nil {
			o.Progress(done)
		}
	}
	// The copies were written row by row, past the scorecards' counters: count them again.
	cals := &store.Calendars{DB: db, CheckEvery: time.Hour}
	if err := store.WarmCalendars(ctx, db, cals); err != nil {
		return nil, err
	}
	if err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		return store.RebuildScoreCounters(ctx, tx, cals)
	}); err != nil {
		return nil, fmt.Errorf("score counters: %w", err)
	}
	if err := store.Analyze(ctx, db); err != nil {
		return nil, err
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// templateCase is one template: its rows by table, in caseTables order.
type templateCase struct {
	id     string
	tables [][]map[string]any
}

// driveTemplates submits cases of every demo item with a window channel (at clerk1's and
// clerk2's windows in turn) and moves them on: a third stays at acceptance, a third is
// accepted, a third is taken one step further. It answers the ids of the cases and their open
// tasks by step kind (in rep). It makes at most want cases.
func driveTemplates(ctx context.Context, a *app.App, db *store.DB, want int, rep *LoadReport) ([]string, error) {
	staff, err := actors(ctx, a, db)
	if err != nil {
		return nil, err
	}
	var ids []string
	rep.Steps = map[string]int{}
	items := Items()
	for i, it := range items {
		if !slices.Contains(it.Channels, "window") {
			continue
		}
		var itemID string
		if err := db.GetContext(ctx, &itemID, db.Rebind(`SELECT id FROM items WHERE code = ?`), it.Code); err != nil {
			return nil, fmt.Errorf("template item %s: %w", it.Code, err)
		}
		for stage := range 3 {
			if len(ids) >= want {
				break
			}
			clerk := staff[[]string{"clerk1", "clerk2"}[(i+stage)%2]]
			req := app.CreateCaseRequest{ItemID: itemID, Channel: "window", WindowID: clerk.Memberships[0].OrgUnitID,
				Applicant: &app.ApplicantInput{Name: fmt.Sprintf("批量申请人%02d", i), Kind: "naturalPerson", CertType: "idCard",
					CertNo: "450981199001011230", Phone: "13800000001"}}
			for _, m := range it.Materials {
				f, err := a.UploadFile(ctx, clerk, m.Code+".pdf", strings.NewReader("%PDF-1.4 bulk-loaded template material"))
				if err != nil {
					return nil, fmt.Errorf("template material %s: %w", m.Code, err)
				}
				req.Materials = append(req.Materials, store.MaterialInput{Code: m.Code, FileIDs: []string{f.ID}})
			}
			sub, err := a.CreateCase(ctx, clerk, "", req)
			if err != nil {
				return nil, fmt.Errorf("template case of %s: %w", it.Code, err)
			}
			kind, err := advance(ctx, a, db, staff, sub.CaseID, stage)
			if err != nil {
				return nil, fmt.Errorf("template case of %s: %w", it.Code, err)
			}
			rep.Steps[kind]++
			ids = append(ids, sub.CaseID)
			if rep.Number == "" {
				var k app.CaseSubmitted
				if err := json.Unmarshal(sub.Answer, &k); err != nil {
					return nil, fmt.Errorf("template case of %s: %w", it.Code, err)
				}
				rep.Number, rep.QueryCode = k.Number, k.QueryCode
			}
		}
	}
	if len(ids) == 0 {
		return nil, errors.New("no demo item takes window applications")
	}
	return ids, nil
}

// advance completes case id's open task stage times (accepting at acceptance, approving at
// approval) as whichever demo staff member may, and answers the step kind it then waits at.
func advance(ctx context.Context, a *app.App, db *store.DB, staff map[string]*app.Actor, id string, stage int) (string, error) {
	for s := 0; ; s++ {
		t, kind, err := waitOpenTask(ctx, db, id)
		if err != nil || s == stage || t == "" {
			return kind, err
		}
		var errs []error
		done := false
		for _, name := range staffOrder {
			d, err := a.Task(ctx, staff[name], app.PublicID(t))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			in := app.CompleteRequest{}
			if len(d.Outcomes) > 0 { // the first is the one that moves on: accept, approve, agree
				in.Outcome = d.Outcomes[0]
			}
			if _, err = a.CompleteTask(ctx, staff[name], app.PublicID(t), in); err == nil {
				done = true
				break
			}
			errs = append(errs, err)
		}
		if !done {
			return "", fmt.Errorf("complete %s task %s: %w", kind, t, errors.Join(errs...))
		}
		if err := waitTaskGone(ctx, db, t); err != nil {
			return "", err
		}
	}
}

// staffOrder is who the loader tries, in turn, to complete a template's task.
var staffOrder = func() []string {
	out := []string{"clerk1", "clerk2"}
	for _, d := range Departments {
		out = append(out, "reviewer-"+d.Code)
	}
	return append(out, "supervisor")
}()

// actors loads the demo staff the loader acts as.
func actors(ctx context.Context, a *app.App, db *store.DB) (map[string]*app.Actor, error) {
	out := map[string]*app.Actor{}
	for _, name := range staffOrder {
		u, err := store.GetUserByUsername(ctx, db, name)
		if err != nil {
			return nil, fmt.Errorf("demo user %s (is the demo loaded?): %w", name, err)
		}
		if out[name], err = a.LoadActor(ctx, u, "token"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// waitOpenTask waits (up to 30 s) for case id to have an open task, and answers it and its
// step kind; "" when the case ended instead.
func waitOpenTask(ctx context.Context, db *store.DB, id string) (string, string, error) {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		var rows []struct {
			ID   string  `db:"id"`
			Kind *string `db:"step_kind"`
		}
		if err := db.SelectContext(ctx, &rows, db.Rebind(`SELECT id, step_kind FROM tasks WHERE case_id = ? AND state = 'open' ORDER BY created_at, id`), id); err != nil {
			return "", "", err
		}
		if len(rows) > 0 {
			k := ""
			if rows[0].Kind != nil {
				k = *rows[0].Kind
			}
			return rows[0].ID, k, nil
		}
		var ended int
		if err := db.GetContext(ctx, &ended, db.Rebind(`SELECT COUNT(*) FROM cases WHERE id = ? AND ended_at IS NOT NULL`), id); err != nil {
			return "", "", err
		}
		if ended > 0 {
			return "", "ended", nil
		}
		select {
		case <-ctx.Done():
			return "", "", ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return "", "", fmt.Errorf("case %s: no open task after 30 s (is the engine running?)", id)
}

// waitTaskGone waits (up to 30 s) for the engine to close task id.
func waitTaskGone(ctx context.Context, db *store.DB, id string) error {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		var n int
		if err := db.GetContext(ctx, &n, db.Rebind(`SELECT COUNT(*) FROM tasks WHERE id = ? AND state IN ('open', 'completing')`), id); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return fmt.Errorf("task %s still open after 30 s", id)
}

// readTemplates reads the rows of the template cases.
func readTemplates(ctx context.Context, db *store.DB, ids []string) ([]templateCase, error) {
	out := make([]templateCase, len(ids))
	for i, id := range ids {
		out[i].id = id
		for _, t := range caseTables {
			var q string
			switch {
			case !store.HasTable(ctx, db, t.name):
				out[i].tables = append(out[i].tables, nil)
				continue
			case t.caseCol == "":
				q = `SELECT * FROM task_candidates WHERE task_id IN (SELECT id FROM tasks WHERE case_id = ?)`
			default:
				q = `SELECT * FROM ` + t.name + ` WHERE ` + t.caseCol + ` = ?`
			}
			rs, err := db.QueryxContext(ctx, db.Rebind(q), id)
			if err != nil {
				return nil, fmt.Errorf("read template %s rows: %w", t.name, err)
			}
			var rows []map[string]any
			for rs.Next() {
				m := map[string]any{}
				if err := rs.MapScan(m); err != nil {
					rs.Close()
					return nil, err
				}
				rows = append(rows, m)
			}
			rs.Close()
			out[i].tables = append(out[i].tables, rows)
		}
	}
	return out, nil
}

// copyCase inserts copy number n of template t, received at received.
func copyCase(ctx context.Context, tx *sqlx.Tx, t templateCase, n int, received time.Time) error {
	newCase := store.NewID()
	ids := map[string]string{t.id: newCase} // template id → copy id, for tasks and rows
	var shift time.Duration
	if rec, ok := t.tables[0][0]["received_at"].(time.Time); ok {
		shift = received.Sub(rec)
	}
	for ti, rows := range t.tables {
		name := caseTables[ti].name
		for _, r := range rows {
			cols := make([]string, 0, len(r))
			for c := range r {
				cols = append(cols, c)
			}
			slices.Sort(cols)
			vals := make([]any, len(cols))
			for i, c := range cols {
				v := r[c]
				switch {
				case c == "id" || c == "case_id" || c == "task_id":
					if s, ok := asString(v); ok {
						if ids[s] == "" {
							ids[s] = store.NewID()
						}
						v = ids[s]
					}
				case c == "number" && name == "cases":
					if s, ok := asString(v); ok {
						v = fmt.Sprintf("%s-B%07d", s[:strings.LastIndex(s, "-")], n)
					}
				case c == "query_code" && name == "cases":
					v = randomCode()
				case shiftedColumns[c] && !unshiftedTables[name]:
					if tm, ok := v.(time.Time); ok {
						v = tm.Add(shift)
					} else if s, ok := asString(v); ok {
						if tm, err := time.Parse(time.RFC3339Nano, s); err == nil {
							v = store.Time(tm.Add(shift))
						}
					}
				}
				vals[i] = v
			}
			q := `INSERT INTO ` + name + ` (` + strings.Join(cols, ", ") + `) VALUES (` + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + `)`
			if _, err := tx.ExecContext(ctx, tx.Rebind(q), vals...); err != nil {
				return fmt.Errorf("copy %s row: %w", name, err)
			}
		}
	}
	return nil
}

// asString reads a text column as SQLite (string or []byte) or PostgreSQL gives it.
func asString(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case []byte:
		return string(s), true
	}
	return "", false
}

// randomCode is a query code for a copy.
func randomCode() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
