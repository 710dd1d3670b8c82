package store

// Maintained counters of the scorecards and the public statistics (migration 0100): per level,
// month (Beijing time) and unit, the figures a scorecard shows, kept in the transaction of the
// change they count, so that a scorecard or a month of statistics reads a few rows instead of
// every case of the period.
//
// A case's figures (received, notices, finished, on time, working days used) depend on several
// of its rows (the case, its item, its acceptance, its notices, its clock and pauses), so a
// change to any of them retracts what the case counted before and adds what it counts after
// (countCase): the counters are always the sum of each case's figures as Recount computes them
// from the base tables, whatever the order of the changes. Alerts, ratings and complaints count
// once, when they are attributed (countEvent). What a counter freezes: the working days of a
// finished case are counted on the calendar as it was when the case finished, and a case's
// window is the one of its accepting clerk when it was accepted; a later edit of a calendar, of
// an item's department or of a clerk's memberships changes the recount, not the counters, until
// RebuildScoreCounters.

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/engine"
	"onewindow/engine/calendar"
)

// scoreCount is one row's figures, or a change to them.
type scoreCount struct {
	Received, Notices, Finished, WithLimit, OnTime, Warnings, Overdue, Complaints int
	Ratings                                                                       [5]int // by RatingLevels
}

func (c *scoreCount) zero() bool { return *c == scoreCount{} }

// scoreKey is a counter row's key.
type scoreKey struct{ Level, Month, Unit string }

// daysKey is a histogram row's key: days in ten-thousandths of a working day.
type daysKey struct {
	scoreKey
	Days int64
}

// scoreDelta is a change to the counters, written by write.
type scoreDelta struct {
	counts map[scoreKey]*scoreCount
	days   map[daysKey]int
}

func newScoreDelta() *scoreDelta {
	return &scoreDelta{counts: map[scoreKey]*scoreCount{}, days: map[daysKey]int{}}
}

// add applies f to the row of each level's unit (a level without a unit counts nothing).
func (d *scoreDelta) add(month string, units map[string]string, f func(c *scoreCount)) {
	for level, unit := range units {
		if unit == "" {
			continue
		}
		k := scoreKey{level, month, unit}
		c := d.counts[k]
		if c == nil {
			c = &scoreCount{}
			d.counts[k] = c
		}
		f(c)
	}
}

// merge adds o's changes to d.
func (d *scoreDelta) merge(o *scoreDelta) {
	for k, oc := range o.counts {
		c := d.counts[k]
		if c == nil {
			c = &scoreCount{}
			d.counts[k] = c
		}
		c.Received += oc.Received
		c.Notices += oc.Notices
		c.Finished += oc.Finished
		c.WithLimit += oc.WithLimit
		c.OnTime += oc.OnTime
		c.Warnings += oc.Warnings
		c.Overdue += oc.Overdue
		c.Complaints += oc.Complaints
		for i := range c.Ratings {
			c.Ratings[i] += oc.Ratings[i]
		}
	}
	for k, n := range o.days {
		d.days[k] += n
	}
}

// pendingCounts holds the counter changes of each transaction that DB.Tx runs, written by
// flushCounts just before it commits. Writing them last, after the audit chain's head and the
// event lock, puts the counters' rows (hot: one per department and month) in the same place of
// every transaction's lock order, so that PostgreSQL transactions never wait on each other in a
// cycle (a case's step used to lock the audit head and then a counter, while a case's
// acceptance locked the counter and then the event lock), and holds them only for the commit.
var pendingCounts sync.Map // *sqlx.Tx → *scoreDelta

// keepCounts collects tx's counter changes until flushCounts.
func keepCounts(tx *sqlx.Tx) { pendingCounts.Store(tx, newScoreDelta()) }

// flushCounts writes tx's collected counter changes and forgets them.
func flushCounts(ctx context.Context, tx *sqlx.Tx) error {
	d, ok := pendingCounts.LoadAndDelete(tx)
	if !ok {
		return nil
	}
	return d.(*scoreDelta).write(ctx, tx)
}

// dropCounts forgets tx's collected counter changes (it rolled back).
func dropCounts(tx *sqlx.Tx) { pendingCounts.Delete(tx) }

// record writes d in q's transaction: at its end when DB.Tx runs it, at once otherwise.
func (d *scoreDelta) record(ctx context.Context, q Q) error {
	if tx, ok := q.(*sqlx.Tx); ok {
		if p, ok := pendingCounts.Load(tx); ok {
			p.(*scoreDelta).merge(d)
			return nil
		}
	}
	return d.write(ctx, q)
}

// monthOf is the month (YYYY-MM, Beijing time) t counts in.
func monthOf(t time.Time) string { return t.In(CaseZone).Format("2006-01") }

// daysUnits is a number of working days in the histogram's unit (rounded to 1/10,000 day).
func daysUnits(d float64) int64 { return int64(math.Round(d * 1e4)) }

var scoreColumns = []string{"received", "notices", "finished", "with_limit", "on_time", "warnings", "overdue", "complaints",
	"rating_very_satisfied", "rating_satisfied", "rating_basically_satisfied", "rating_dissatisfied", "rating_very_dissatisfied"}

func (c *scoreCount) values() []any {
	v := []any{c.Received, c.Notices, c.Finished, c.WithLimit, c.OnTime, c.Warnings, c.Overdue, c.Complaints}
	for _, r := range c.Ratings {
		v = append(v, r)
	}
	return v
}

// write adds the delta to the counters, in key order (two transactions touching the same rows
// lock them in the same order on PostgreSQL).
func (d *scoreDelta) write(ctx context.Context, q Q) error {
	keys := make([]scoreKey, 0, len(d.counts))
	for k, c := range d.counts {
		if !c.zero() {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
	sets := make([]string, len(scoreColumns))
	for i, col := range scoreColumns {
		sets[i] = col + ` = score_counters.` + col + ` + excluded.` + col
	}
	upsert := q.Rebind(`INSERT INTO score_counters (level, month, unit_id, ` + strings.Join(scoreColumns, ", ") + `)
		VALUES (?, ?, ?` + strings.Repeat(", ?", len(scoreColumns)) + `)
		ON CONFLICT (level, month, unit_id) DO UPDATE SET ` + strings.Join(sets, ", "))
	for _, k := range keys {
		if _, err := q.ExecContext(ctx, upsert, append([]any{k.Level, k.Month, k.Unit}, d.counts[k].values()...)...); err != nil {
			return fmt.Errorf("score counters of %s %s %s: %w", k.Level, k.Unit, k.Month, err)
		}
	}
	days := make([]daysKey, 0, len(d.days))
	for k, n := range d.days {
		if n != 0 {
			days = append(days, k)
		}
	}
	sort.Slice(days, func(i, j int) bool {
		if days[i].scoreKey != days[j].scoreKey {
			return days[i].less(days[j].scoreKey)
		}
		return days[i].Days < days[j].Days
	})
	upsertDays := q.Rebind(`INSERT INTO score_days (level, month, unit_id, days, n) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (level, month, unit_id, days) DO UPDATE SET n = score_days.n + excluded.n`)
	for _, k := range days {
		if _, err := q.ExecContext(ctx, upsertDays, k.Level, k.Month, k.Unit, k.Days, d.days[k]); err != nil {
			return fmt.Errorf("working days of %s %s %s: %w", k.Level, k.Unit, k.Month, err)
		}
	}
	return nil
}

func (k scoreKey) less(o scoreKey) bool {
	if k.Level != o.Level {
		return k.Level < o.Level
	}
	if k.Month != o.Month {
		return k.Month < o.Month
	}
	return k.Unit < o.Unit
}

// scoredCaseColumns reads a case's scorecard inputs (alias c, items i, disclosure requests d):
// the case, its department and item, the window and clerk of its last acceptance and its
// notices. scoredCaseFrom is the FROM clause, with the condition that it is an item's case or an
// information-disclosure request's (rectifications and complaints do not count).
const scoredCaseColumns = `c.id, c.status, c.received_at, c.started_at, c.ended_at,
	c.due_at, c.clock_started_at, c.clock_stopped_at, c.calendar_unit, COALESCE(i.department_id, d.department_id) AS department_id,
	i.id AS item_id, c.window_id, ` + acceptColumns + `,
	(SELECT COUNT(*) FROM notices n WHERE n.case_id = c.id) AS notices`

// acceptColumns are the window and the clerk of a case's last acceptance.
const acceptColumns = `(SELECT a.window_id FROM case_actions a WHERE a.case_id = c.id AND a.step_kind = 'acceptance' AND a.action = 'complete'
		AND a.window_id IS NOT NULL ORDER BY a.at DESC LIMIT 1) AS accept_window,
	(SELECT a.actor_id FROM case_actions a WHERE a.case_id = c.id AND a.step_kind = 'acceptance' AND a.action = 'complete'
		ORDER BY a.at DESC LIMIT 1) AS accept_person`

const scoredCaseFrom = ` FROM cases c LEFT JOIN items i ON i.id = c.item_id LEFT JOIN disclosure_requests d ON d.process_case_id = c.id
	WHERE (i.id IS NOT NULL OR d.id IS NOT NULL)`

// units are the department, window, person and item a case counts for, by level. windows maps
// a clerk to their first window (userWindows).
func (k *scoredCase) units(windows map[string]string) map[string]string {
	window := deref(k.AcceptWindow)
	if window == "" && k.AcceptPerson != nil {
		window = windows[*k.AcceptPerson]
	}
	if window == "" {
		window = deref(k.SubmitWindow)
	}
	return map[string]string{LevelDepartment: deref(k.DepartmentID), LevelItem: deref(k.ItemID), LevelWindow: window,
		LevelPerson: deref(k.AcceptPerson)}
}

// receivedAt is when a case counts as received: its receipt, else its start.
func (k *scoredCase) receivedAt() time.Time {
	if k.ReceivedAt != nil {
		return *k.ReceivedAt
	}
	return k.StartedAt
}

// finished reports whether the case completed, and so counts as finished in its end's month.
func (k *scoredCase) finished() bool { return k.Status == "completed" && k.EndedAt != nil }

// daysUsed is the working days a finished case used on its calendar, pauses left out, rounded
// to the histogram's unit; ok is false for a case without a clock.
func (k *scoredCase) daysUsed(ctx context.Context, cals engine.Calendars, pauses []calendar.Pause) (int64, bool, error) {
	if k.ClockStartedAt == nil || !k.finished() {
		return 0, false, nil
	}
	cal, err := cals.Calendar(ctx, deref(k.CalendarUnit))
	if err != nil {
		return 0, false, fmt.Errorf("calendar of case %s: %w", k.ID, err)
	}
	end := *k.EndedAt
	if k.ClockStoppedAt != nil {
		end = *k.ClockStoppedAt
	}
	return daysUnits(cal.Used(*k.ClockStartedAt, end, pauses)), true, nil
}

// addCase adds sign times a case's figures to d; days is its working days used (ok false for none).
func (d *scoreDelta) addCase(k *scoredCase, units map[string]string, days int64, hasDays bool, sign int) {
	d.add(monthOf(k.receivedAt()), units, func(c *scoreCount) { c.Received += sign; c.Notices += sign * k.Notices })
	if !k.finished() {
		return
	}
	month := monthOf(*k.EndedAt)
	d.add(month, units, func(c *scoreCount) {
		c.Finished += sign
		if k.DueAt != nil {
			c.WithLimit += sign
			if !k.EndedAt.After(*k.DueAt) {
				c.OnTime += sign
			}
		}
	})
	if hasDays {
		for level, unit := range units {
			if unit != "" {
				d.days[daysKey{scoreKey{level, month, unit}, days}] += sign
			}
		}
	}
}

// addCasesWhere adds sign times the figures of the cases matching cond (on alias c) to d.
// Without calendars the working days are left out: a change that cannot alter a finished case's
// days (a notice, an acceptance) retracts and adds the same, so they cancel.
func addCasesWhere(ctx context.Context, q Q, cals engine.Calendars, d *scoreDelta, sign int, cond string, args ...any) error {
	var cases []scoredCase
	if err := q.SelectContext(ctx, &cases, q.Rebind(`SELECT `+scoredCaseColumns+scoredCaseFrom+` AND `+cond), args...); err != nil {
		return fmt.Errorf("scored cases: %w", err)
	}
	if len(cases) == 0 {
		return nil
	}
	windows, err := userWindows(ctx, q)
	if err != nil {
		return err
	}
	var pauses map[string][]calendar.Pause
	for i := range cases {
		k := &cases[i]
		var days int64
		has := false
		if cals != nil && k.finished() && k.ClockStartedAt != nil {
			if pauses == nil {
				if pauses, err = pausesWhere(ctx, q, cond, args...); err != nil {
					return err
				}
			}
			if days, has, err = k.daysUsed(ctx, cals, pauses[k.ID]); err != nil {
				return err
			}
		}
		d.addCase(k, k.units(windows), days, has, sign)
	}
	return nil
}

// pausesWhere returns the pauses of the cases matching cond (on alias c), by case.
func pausesWhere(ctx context.Context, q Q, cond string, args ...any) (map[string][]calendar.Pause, error) {
	var rows []struct {
		CaseID string     `db:"case_id"`
		From   time.Time  `db:"started_at"`
		To     *time.Time `db:"ended_at"`
	}
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT p.case_id, p.started_at, p.ended_at FROM case_pauses p JOIN cases c ON c.id = p.case_id
		WHERE `+cond+` ORDER BY p.case_id, p.idx`), args...)
	if err != nil {
		return nil, fmt.Errorf("pauses: %w", err)
	}
	out := map[string][]calendar.Pause{}
	for _, r := range rows {
		p := calendar.Pause{From: r.From}
		if r.To != nil {
			p.To = *r.To
		}
		out[r.CaseID] = append(out[r.CaseID], p)
	}
	return out, nil
}

// countCase runs change in q's transaction and moves the case's figures in the counters from
// what it counted before to what it counts after. cals counts a finished case's working days;
// nil for a change that cannot alter them.
func countCase(ctx context.Context, q Q, cals engine.Calendars, caseID string, change func() error) error {
	d := newScoreDelta()
	if err := addCasesWhere(ctx, q, cals, d, -1, `c.id = ?`, caseID); err != nil {
		return err
	}
	if err := change(); err != nil {
		return err
	}
	if err := addCasesWhere(ctx, q, cals, d, 1, `c.id = ?`, caseID); err != nil {
		return err
	}
	return d.record(ctx, q)
}

// countEvent adds an alert, rating or complaint at t to the counters of its units.
func countEvent(ctx context.Context, q Q, at time.Time, units map[string]string, f func(c *scoreCount)) error {
	d := newScoreDelta()
	d.add(monthOf(at), units, f)
	return d.record(ctx, q)
}

// caseItem is a case's item ("" for none or no case).
func caseItem(ctx context.Context, q Q, caseID *string) (string, error) {
	if caseID == nil || *caseID == "" {
		return "", nil
	}
	var rows []struct {
		Item *string `db:"item_id"`
	}
	if err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT item_id FROM cases WHERE id = ?`), *caseID); err != nil {
		return "", fmt.Errorf("item of case %s: %w", *caseID, err)
	}
	if len(rows) == 0 {
		return "", nil
	}
	return deref(rows[0].Item), nil
}

// ratingIndex is a rating level's place in scoreCount.Ratings (-1 for none).
func ratingIndex(level string) int {
	for i, l := range RatingLevels {
		if l == level {
			return i
		}
	}
	return -1
}

// WarmCalendars builds, outside any transaction, the calendars of the units the finished cases
// count on, so that RebuildScoreCounters run in a transaction soon after reads none: on SQLite a
// read through another connection from inside a write transaction can wait for a connection
// that a writer queued behind that transaction holds. Give cals a CheckEvery longer than the
// rebuild.
func WarmCalendars(ctx context.Context, q Q, cals engine.Calendars) error {
	var units []struct {
		Unit *string `db:"calendar_unit"`
	}
	if err := q.SelectContext(ctx, &units, `SELECT DISTINCT calendar_unit FROM cases WHERE status = 'completed' AND clock_started_at IS NOT NULL`); err != nil {
		return fmt.Errorf("calendar units of finished cases: %w", err)
	}
	for _, u := range units {
		if _, err := cals.Calendar(ctx, deref(u.Unit)); err != nil {
			return err
		}
	}
	return nil
}

// RebuildScoreCounters recomputes the counters from the cases, alerts, ratings and complaints,
// in one transaction of q (the migration that creates them, the bulk loader, an operator after
// editing a calendar).
func RebuildScoreCounters(ctx context.Context, q Q, cals engine.Calendars) error {
	for _, t := range []string{"score_counters", "score_days"} {
		if _, err := q.ExecContext(ctx, `DELETE FROM `+t); err != nil {
			return fmt.Errorf("clear %s: %w", t, err)
		}
	}
	d := newScoreDelta()
	if err := addCasesWhere(ctx, q, cals, d, 1, `1 = 1`); err != nil {
		return err
	}
	var alerts []struct {
		Kind string    `db:"kind"`
		At   time.Time `db:"fired_at"`
		Item *string   `db:"item_id"`
		Dept *string   `db:"department_id"`
		Win  *string   `db:"window_id"`
		Pers *string   `db:"person_id"`
	}
	if err := q.SelectContext(ctx, &alerts, `SELECT kind, fired_at, item_id, department_id, window_id, person_id FROM alerts
		WHERE kind IN ('warning', 'overdue')`); err != nil {
		return fmt.Errorf("alerts: %w", err)
	}
	for _, a := range alerts {
		d.add(monthOf(a.At), eventUnits(a.Item, a.Dept, a.Win, a.Pers), alertCount(a.Kind))
	}
	var events []struct {
		Table string    `db:"t"`
		Level string    `db:"level"`
		At    time.Time `db:"at"`
		Item  *string   `db:"item_id"`
		Dept  *string   `db:"department_id"`
		Win   *string   `db:"window_id"`
		Pers  *string   `db:"person_id"`
	}
	if err := q.SelectContext(ctx, &events, `SELECT 'rating' AS t, r.level, r.rated_at AS at, c.item_id, r.department_id, r.window_id, r.person_id
		FROM ratings r LEFT JOIN cases c ON c.id = r.case_id
		UNION ALL SELECT 'complaint' AS t, '' AS level, k.filed_at AS at, c.item_id, k.department_id, k.window_id, k.person_id
		FROM complaints k LEFT JOIN cases c ON c.id = k.case_id`); err != nil {
		return fmt.Errorf("ratings and complaints: %w", err)
	}
	for _, e := range events {
		units := eventUnits(e.Item, e.Dept, e.Win, e.Pers)
		if e.Table == "complaint" {
			d.add(monthOf(e.At), units, func(c *scoreCount) { c.Complaints++ })
		} else if i := ratingIndex(e.Level); i >= 0 {
			d.add(monthOf(e.At), units, func(c *scoreCount) { c.Ratings[i]++ })
		}
	}
	return d.write(ctx, q)
}

// eventUnits are the units of an alert, rating or complaint by level.
func eventUnits(item, dept, window, person *string) map[string]string {
	return map[string]string{LevelItem: deref(item), LevelDepartment: deref(dept), LevelWindow: deref(window), LevelPerson: deref(person)}
}

// alertCount counts an alert of kind (warning or overdue; others count nothing).
func alertCount(kind string) func(c *scoreCount) {
	return func(c *scoreCount) {
		switch kind {
		case AlertWarning:
			c.Warnings++
		case AlertOverdue:
			c.Overdue++
		}
	}
}

// monthAligned reports whether t is the first instant of a month in Beijing time.
func monthAligned(t time.Time) bool {
	c := t.In(CaseZone)
	return c.Day() == 1 && c.Hour() == 0 && c.Minute() == 0 && c.Second() == 0 && c.Nanosecond() == 0
}

// countedScorecards reads the figures of level over whole months [from, to) from the counters.
func countedScorecards(ctx context.Context, q Q, level string, from, to time.Time) (map[string]*ScoreFigures, error) {
	first, end := monthOf(from), monthOf(to)
	sums := make([]string, len(scoreColumns))
	for i, col := range scoreColumns {
		sums[i] = `CAST(COALESCE(SUM(` + col + `), 0) AS BIGINT) AS ` + col
	}
	var rows []struct {
		Unit string `db:"unit_id"`
		scoreCountRow
	}
	if err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT unit_id, `+strings.Join(sums, ", ")+` FROM score_counters
		WHERE level = ? AND month >= ? AND month < ? GROUP BY unit_id`), level, first, end); err != nil {
		return nil, fmt.Errorf("score counters: %w", err)
	}
	cards := map[string]*ScoreFigures{}
	for _, r := range rows {
		c := r.scoreCountRow
		if c == (scoreCountRow{}) {
			continue // every change to it cancelled out
		}
		f := &ScoreFigures{Level: level, ID: r.Unit, Received: c.Received, Notices: c.Notices, Finished: c.Finished,
			WithLimit: c.WithLimit, OnTime: c.OnTime, Warnings: c.Warnings, Overdue: c.Overdue, Complaints: c.Complaints,
			Ratings: map[string]int{}}
		for i, l := range RatingLevels {
			f.Ratings[l] = []int{c.R0, c.R1, c.R2, c.R3, c.R4}[i]
		}
		cards[r.Unit] = f
	}
	var days []struct {
		Unit string `db:"unit_id"`
		Days int64  `db:"days"`
		N    int    `db:"n"`
	}
	if err := q.SelectContext(ctx, &days, q.Rebind(`SELECT unit_id, days, CAST(SUM(n) AS BIGINT) AS n FROM score_days
		WHERE level = ? AND month >= ? AND month < ? GROUP BY unit_id, days ORDER BY unit_id, days`), level, first, end); err != nil {
		return nil, fmt.Errorf("working days: %w", err)
	}
	for _, r := range days {
		c := cards[r.Unit]
		if c == nil {
			continue
		}
		for range r.N {
			c.DaysUsed = append(c.DaysUsed, float64(r.Days)/1e4)
		}
	}
	return cards, nil
}

// scoreCountRow scans a sum of counter rows.
type scoreCountRow struct {
	Received   int `db:"received"`
	Notices    int `db:"notices"`
	Finished   int `db:"finished"`
	WithLimit  int `db:"with_limit"`
	OnTime     int `db:"on_time"`
	Warnings   int `db:"warnings"`
	Overdue    int `db:"overdue"`
	Complaints int `db:"complaints"`
	R0         int `db:"rating_very_satisfied"`
	R1         int `db:"rating_satisfied"`
	R2         int `db:"rating_basically_satisfied"`
	R3         int `db:"rating_dissatisfied"`
	R4         int `db:"rating_very_dissatisfied"`
}
