package app

// Public statistics (决策参考, 两公开): per month and department or item, how many cases came
// in and finished, the on-time rate, the working days they took, satisfaction and complaints.
// They are the scorecards' own figures and rates (store.Scorecards and score), month by month:
// one computation, so the portal and e-supervision never disagree.

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"onewindow/store"
)

// MaxStatisticsMonths is the longest period the statistics cover at once.
const MaxStatisticsMonths = 24

// StatisticsQuery selects statistics: By department or item, the months From to To (YYYY-MM,
// Beijing time; both default to this month), optionally of one department or item.
type StatisticsQuery struct {
	By           string
	From, To     string
	DepartmentID string
	ItemID       string
}

// StatisticsRow is one department's or item's figures for one month.
type StatisticsRow struct {
	Month string `json:"month" example:"2025-11"`
	// ID and Name are the department's or the item's; DepartmentID is an item's department.
	ID           string `json:"id"`
	Name         string `json:"name" example:"北流市市场监督管理局"`
	DepartmentID string `json:"departmentId,omitempty"`
	Received     int    `json:"received" example:"120"`
	Finished     int    `json:"finished" example:"110"`
	// OnTimeRate is the share of the finished cases with a limit that finished by it.
	OnTimeRate *float64 `json:"onTimeRate,omitempty" example:"0.98"`
	// AvgWorkingDays is the mean of the working days the finished cases used, pauses left out.
	AvgWorkingDays *float64 `json:"avgWorkingDays,omitempty" example:"3.2"`
	// Satisfaction is the mean rating (1 very dissatisfied to 5 very satisfied) of Ratings.
	Satisfaction *float64 `json:"satisfaction,omitempty" example:"4.6"`
	Ratings      int      `json:"ratings" example:"80"`
	Complaints   int      `json:"complaints" example:"0"`
	Warnings     int      `json:"warnings" example:"2"`
	Overdue      int      `json:"overdue" example:"0"`
}

// StatisticsReport is the statistics of a period, by month then id.
type StatisticsReport struct {
	By   string          `json:"by" enums:"department,item" example:"department"`
	From string          `json:"from" example:"2025-10"`
	To   string          `json:"to" example:"2025-11"`
	Rows []StatisticsRow `json:"rows"`
}

// Statistics computes the public statistics of a period.
func (a *App) Statistics(ctx context.Context, q StatisticsQuery) (*StatisticsReport, error) {
	level := map[string]string{"department": store.LevelDepartment, "item": store.LevelItem}[q.By]
	if level == "" {
		return nil, store.Invalid("by", "must be department or item, not %q", q.By)
	}
	this := a.now().In(store.CaseZone).Format("2006-01")
	from, _, err := monthRange("from", firstOf(q.From, q.To, this))
	if err != nil {
		return nil, err
	}
	last, _, err := monthRange("to", firstOf(q.To, q.From, this))
	if err != nil {
		return nil, err
	}
	months := 0
	for m := from; !m.After(last); m = m.AddDate(0, 1, 0) {
		if months++; months > MaxStatisticsMonths {
			return nil, store.Invalid("to", "the statistics cover at most %d months at once; ask for %s to %s in parts",
				MaxStatisticsMonths, from.Format("2006-01"), last.Format("2006-01"))
		}
	}
	if months == 0 {
		return nil, store.Invalid("to", "must not be before from")
	}
	w, err := a.weights(ctx)
	if err != nil {
		return nil, err
	}
	var depts map[string]string
	if level == store.LevelItem {
		if depts, err = store.ItemDepartments(ctx, a.db); err != nil {
			return nil, err
		}
	}
	rep := &StatisticsReport{By: q.By, From: from.Format("2006-01"), To: last.Format("2006-01"), Rows: []StatisticsRow{}}
	for m := from; !m.After(last); m = m.AddDate(0, 1, 0) {
		figures, err := store.Scorecards(ctx, a.db, a.cals, store.ScorecardFilter{Level: level, From: m, To: m.AddDate(0, 1, 0)})
		if err != nil {
			return nil, err
		}
		for _, f := range figures {
			row := statisticsRow(m, score(f, w))
			if level == store.LevelItem {
				row.DepartmentID = depts[f.ID]
			}
			if (q.ItemID != "" && (level != store.LevelItem || row.ID != q.ItemID)) ||
				(q.DepartmentID != "" && row.ID != q.DepartmentID && row.DepartmentID != q.DepartmentID) {
				continue
			}
			rep.Rows = append(rep.Rows, row)
		}
	}
	slices.SortStableFunc(rep.Rows, func(x, y StatisticsRow) int {
		if c := strings.Compare(x.Month, y.Month); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return rep, nil
}

// statisticsRow is a scorecard's figures and rates as a month's row.
func statisticsRow(month time.Time, c Scorecard) StatisticsRow {
	return StatisticsRow{Month: month.Format("2006-01"), ID: c.ID, Name: c.Name, Received: c.Received, Finished: c.Finished,
		OnTimeRate: c.OnTimeRate, AvgWorkingDays: c.AvgDaysUsed, Satisfaction: c.AvgRating, Ratings: c.RatingCount,
		Complaints: c.Complaints, Warnings: c.Warnings, Overdue: c.Overdue}
}

// StatisticsColumns are the columns of the statistics as CSV, in order.
var StatisticsColumns = []string{"month", "id", "name", "departmentId", "received", "finished", "onTimeRate", "avgWorkingDays",
	"satisfaction", "ratings", "complaints", "warnings", "overdue"}

// Record is the row as CSV fields, in the order of StatisticsColumns.
func (r StatisticsRow) Record() []string {
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	itoa := strconv.Itoa
	return []string{r.Month, r.ID, r.Name, r.DepartmentID, itoa(r.Received), itoa(r.Finished), num(r.OnTimeRate), num(r.AvgWorkingDays),
		num(r.Satisfaction), itoa(r.Ratings), itoa(r.Complaints), itoa(r.Warnings), itoa(r.Overdue)}
}
