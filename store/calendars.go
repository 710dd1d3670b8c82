package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"onewindow/engine"
	"onewindow/engine/calendar"
)

// NationalCalendar is the unit name of the national calendar's overrides.
const NationalCalendar = "national"

// CalendarDay is a day an admin listed for a calendar, with who listed it.
type CalendarDay struct {
	Unit      string        `db:"unit" json:"-"`
	Date      string        `db:"day" json:"date" example:"2027-02-06"`
	Kind      calendar.Kind `db:"kind" json:"kind" example:"holiday"`
	Name      string        `db:"name" json:"name" example:"春节"`
	UpdatedBy string        `db:"updated_by" json:"updatedBy"`
	UpdatedAt time.Time     `db:"updated_at" json:"updatedAt"`
}

// Day converts a stored day to the calendar package's form.
func (d CalendarDay) Day() (calendar.Day, error) {
	date, err := calendar.ParseDate(d.Date)
	if err != nil {
		return calendar.Day{}, fmt.Errorf("calendar day of %s: %w", d.Unit, err)
	}
	return calendar.Day{Date: date, Kind: d.Kind, Name: d.Name}, nil
}

// CalendarDays lists the days listed for unit (NationalCalendar or an org unit id) in year (0:
// every year), by date.
func CalendarDays(ctx context.Context, q Q, unit string, year int) ([]CalendarDay, error) {
	query := `SELECT unit, day, kind, name, updated_by, updated_at FROM calendar_days WHERE unit = ?`
	args := []any{unit}
	if year != 0 {
		query += ` AND day >= ? AND day <= ?`
		args = append(args, fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year))
	}
	out := []CalendarDay{}
	if err := q.SelectContext(ctx, &out, q.Rebind(query+` ORDER BY day`), args...); err != nil {
		return nil, fmt.Errorf("calendar days of %s: %w", unit, err)
	}
	return out, nil
}

// calendarEdits counts this process's edits of calendar_days, so that a Calendars in the same
// process sees an edit at once instead of at its next revision check.
var calendarEdits atomic.Int64

// PutCalendarDays replaces the days listed for unit (NationalCalendar or an org unit id) in
// year with days, checked by the use cases (app/calendars.go), and bumps the calendar
// revision. Run it in a Tx.
func PutCalendarDays(ctx context.Context, q Q, unit string, year int, days []calendar.Day, by string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM calendar_days WHERE unit = ? AND day >= ? AND day <= ?`),
		unit, fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year))
	if err != nil {
		return classify(err, "clear calendar days of %s in %d", unit, year)
	}
	now := Now()
	for _, d := range days {
		_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO calendar_days (unit, day, kind, name, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)`),
			unit, d.Date.String(), string(d.Kind), d.Name, by, now)
		if err != nil {
			return classify(err, "calendar day %s of %s", d.Date, unit)
		}
	}
	if _, err := q.ExecContext(ctx, q.Rebind(`UPDATE calendar_revision SET revision = revision + 1, updated_at = ? WHERE id = 1`), now); err != nil {
		return classify(err, "bump calendar revision")
	}
	calendarEdits.Add(1)
	return nil
}

// CalendarRevision returns the revision of calendar_days: it changes with every edit.
func CalendarRevision(ctx context.Context, q Q) (int64, error) {
	var rev int64
	if err := q.GetContext(ctx, &rev, `SELECT revision FROM calendar_revision WHERE id = 1`); err != nil {
		return 0, fmt.Errorf("calendar revision: %w", err)
	}
	return rev, nil
}

// Calendars are the working-day calendars in force, from the database: the national calendar
// of the holiday library with the national overrides, and for each org unit the calendar of
// its nearest ancestor with days of its own (or the national one) with the unit's own days on
// top. So a county's local day off applies to its townships too, unless a township lists the
// date itself. It implements engine.Calendars.
//
// Built calendars are cached. Every process notices an edit within CheckEvery: a cheap read of
// the calendar revision and of the org tree's last change (a unit moved under another parent
// changes its calendar); an edit made in this process is seen at once.
type Calendars struct {
	DB *DB
	// CheckEvery bounds how often the revision is read; 0 means one second, a negative value
	// reads it on every call.
	CheckEvery time.Duration
	Logger     *slog.Logger

	mu      sync.Mutex
	sig     calendarSig
	edits   int64
	checked time.Time
	days    map[string][]calendar.Day // overrides by unit
	built   map[string]*calendar.Calendar
	from    map[string]string // unit → the unit its calendar inherits from (NationalCalendar for none)
}

var _ engine.Calendars = (*Calendars)(nil)

// calendarSig identifies one state of the calendars and the org tree.
type calendarSig struct {
	Revision  int64  `db:"revision"`
	Units     int    `db:"units"`
	UnitsEdit string `db:"units_edit"` // the last change of org_units, as text on both databases
}

// Calendar returns the calendar of org unit unit ("" or NationalCalendar: the national one). A
// unit that does not exist (any more) counts on the national calendar: a case's limits must
// keep counting.
func (c *Calendars) Calendar(ctx context.Context, unit string) (*calendar.Calendar, error) {
	cal, _, err := c.Resolve(ctx, unit)
	return cal, err
}

// Resolve returns the calendar of unit and the unit it inherits from: the nearest ancestor
// with days of its own, or NationalCalendar.
func (c *Calendars) Resolve(ctx context.Context, unit string) (*calendar.Calendar, string, error) {
	if unit == "" {
		unit = NationalCalendar
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.refresh(ctx); err != nil {
		return nil, "", err
	}
	return c.build(ctx, unit)
}

// Invalidate drops every cached calendar.
func (c *Calendars) Invalidate() {
	c.mu.Lock()
	c.days = nil
	c.mu.Unlock()
}

// calendarPoolWait bounds how long a check of cached calendars waits for a pooled connection.
const calendarPoolWait = 50 * time.Millisecond

// refresh reloads the overrides when the revision, the org tree or this process's edits
// changed since the last check.
func (c *Calendars) refresh(ctx context.Context) error {
	every := c.CheckEvery
	if every == 0 {
		every = time.Second
	}
	edits := calendarEdits.Load()
	now := time.Now()
	if c.days != nil && edits == c.edits && every > 0 && now.Sub(c.checked) < every {
		return nil
	}
	// The check reads through a pooled connection of its own, and its caller may hold a
	// transaction (score counters are written last in a step's transaction, and count working
	// days): waiting for the pool there is a deadlock the database cannot see when the pool's
	// connections are all held by transactions waiting on that caller's locks (PostgreSQL,
	// api + worker processes, 50 clerks: requests stalled until their clients gave up). With
	// calendars cached, a pool that has no connection within calendarPoolWait keeps them
	// until the next check; only the first load waits.
	qctx := ctx
	if c.days != nil {
		var cancel context.CancelFunc
		qctx, cancel = context.WithTimeout(ctx, calendarPoolWait)
		defer cancel()
	}
	conn, err := c.DB.Connx(qctx)
	if err != nil {
		if c.days != nil && ctx.Err() == nil {
			c.checked = now
			return nil
		}
		return fmt.Errorf("calendar revision: %w", err)
	}
	defer conn.Close()
	var sig calendarSig
	err = conn.GetContext(ctx, &sig, `SELECT (SELECT revision FROM calendar_revision WHERE id = 1) AS revision,
		(SELECT COUNT(*) FROM org_units) AS units, (SELECT COALESCE(CAST(MAX(updated_at) AS TEXT), '') FROM org_units) AS units_edit`)
	if err != nil {
		return fmt.Errorf("calendar revision: %w", err)
	}
	c.checked, c.edits = now, edits
	if c.days != nil && sig == c.sig {
		return nil
	}
	var rows []CalendarDay
	if err := conn.SelectContext(ctx, &rows, `SELECT unit, day, kind, name, updated_by, updated_at FROM calendar_days ORDER BY unit, day`); err != nil {
		return fmt.Errorf("calendar days: %w", err)
	}
	days := map[string][]calendar.Day{}
	for _, r := range rows {
		d, err := r.Day()
		if err != nil {
			return err
		}
		days[r.Unit] = append(days[r.Unit], d)
	}
	c.sig, c.days = sig, days
	c.built, c.from = map[string]*calendar.Calendar{}, map[string]string{}
	return nil
}

// build returns the calendar of unit, building it (and its ancestors') when not cached.
func (c *Calendars) build(ctx context.Context, unit string) (*calendar.Calendar, string, error) {
	if cal, ok := c.built[unit]; ok {
		return cal, c.from[unit], nil
	}
	national := c.built[NationalCalendar]
	if national == nil {
		national = calendar.National()
		if days := c.days[NationalCalendar]; len(days) > 0 {
			var err error
			if national, err = calendar.New(national, days); err != nil {
				return nil, "", fmt.Errorf("national calendar: %w", err)
			}
		}
		c.built[NationalCalendar], c.from[NationalCalendar] = national, ""
	}
	if unit == NationalCalendar {
		return national, "", nil
	}
	ancestors, err := OrgUnitAncestors(ctx, c.DB, unit)
	if errors.Is(err, ErrNotFound) {
		if c.Logger != nil {
			c.Logger.Warn("calendar of an org unit that does not exist: the national calendar counts", "unit", unit)
		}
		return national, NationalCalendar, nil
	}
	if err != nil {
		return nil, "", err
	}
	cal, from := national, NationalCalendar
	for _, u := range append(ancestors, OrgUnit{ID: unit}) {
		if days := c.days[u.ID]; len(days) > 0 {
			next, err := calendar.New(cal, days)
			if err != nil {
				return nil, "", fmt.Errorf("calendar of org unit %s: %w", u.ID, err)
			}
			if u.ID != unit {
				from = u.ID
			}
			cal = next
		}
	}
	c.built[unit], c.from[unit] = cal, from
	return cal, from, nil
}

// CalendarUnits lists the units that have days of their own (NationalCalendar included when
// the national calendar has overrides), sorted.
func CalendarUnits(ctx context.Context, q Q) ([]string, error) {
	out := []string{}
	if err := q.SelectContext(ctx, &out, `SELECT DISTINCT unit FROM calendar_days`); err != nil {
		return nil, fmt.Errorf("calendar units: %w", err)
	}
	sort.Strings(out)
	return out, nil
}
