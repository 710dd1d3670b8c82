package calendar

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Kind says whether a listed Day is a day off or a working day.
type Kind string

// Kinds of listed days.
const (
	// Holiday is a day off on a date that would otherwise be a working
	// day (a public holiday, a local day off), or a day off restated.
	Holiday Kind = "holiday"
	// Workday is a working day on a date that would otherwise be off: a
	// make-up working day (调休) on a Saturday or Sunday, or a correction
	// that cancels a holiday.
	Workday Kind = "workday"
)

// Day is one entry of a holiday table: the library's official arrangement,
// or an override an admin keeps for a year the library does not know yet or
// for a local day off. Listing a date decides it outright; dates not listed
// follow the weekday rule (Monday to Friday work, Saturday and Sunday off).
type Day struct {
	Date Date   `json:"date"`
	Kind Kind   `json:"kind"`
	Name string `json:"name,omitempty"`
}

// MaxNameLen is the longest Day.Name accepted, in characters.
const MaxNameLen = 64

// Problem codes of a ValidationError, stable for API clients.
const (
	CodeInvalidDate     = "invalid_date"      // no such date, e.g. 2026-02-30
	CodeYearOutOfRange  = "year_out_of_range" // outside MinYear–MaxYear
	CodeDuplicateDate   = "duplicate_date"    // the same date listed twice with the same kind
	CodeConflictingDate = "conflicting_date"  // the same date listed as holiday and as workday
	CodeUnknownKind     = "unknown_kind"      // kind is neither holiday nor workday
	CodeNameTooLong     = "name_too_long"     // name longer than MaxNameLen
	CodeInvalidHours    = "invalid_hours"     // a working-hours schedule that cannot be used
)

// Problem is one thing wrong with a holiday table or a working-hours
// schedule. Field names the offending element ("days[3].date"), Date the
// date concerned ("" for hours), Code is one of the Code constants and
// Message says what is wrong in words, naming the date.
type Problem struct {
	Field   string `json:"field"`
	Date    string `json:"date,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ValidationError lists every problem found, in input order, so that an
// admin can fix a table in one go.
type ValidationError struct {
	Problems []Problem `json:"problems"`
}

// Error joins the messages of all problems.
func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return "calendar: " + strings.Join(msgs, "; ")
}

// ValidateDays checks a holiday table: every date must exist and lie within
// MinYear–MaxYear, every kind must be holiday or workday, names must be
// short, and no date may be listed twice. It returns nil or a
// *ValidationError naming each bad date.
func ValidateDays(days []Day) error {
	var probs []Problem
	add := func(i int, field string, d Date, code, msg string) {
		probs = append(probs, Problem{
			Field:   fmt.Sprintf("days[%d].%s", i, field),
			Date:    d.String(),
			Code:    code,
			Message: d.String() + ": " + msg,
		})
	}
	first := make(map[Date]int, len(days))
	for i, d := range days {
		if code, msg := d.Date.check(); code != "" {
			add(i, "date", d.Date, code, msg)
		} else if j, seen := first[d.Date]; seen {
			if days[j].Kind == d.Kind {
				add(i, "date", d.Date, CodeDuplicateDate,
					fmt.Sprintf("listed twice (entries %d and %d)", j, i))
			} else {
				add(i, "date", d.Date, CodeConflictingDate,
					fmt.Sprintf("listed as %s (entry %d) and as %s (entry %d)", days[j].Kind, j, d.Kind, i))
			}
		} else {
			first[d.Date] = i
		}
		if d.Kind != Holiday && d.Kind != Workday {
			add(i, "kind", d.Date, CodeUnknownKind,
				fmt.Sprintf("unknown kind %q (want %q or %q)", d.Kind, Holiday, Workday))
		}
		if n := utf8.RuneCountInString(d.Name); n > MaxNameLen {
			add(i, "name", d.Date, CodeNameTooLong,
				fmt.Sprintf("name is %d characters long (at most %d)", n, MaxNameLen))
		}
	}
	if len(probs) > 0 {
		return &ValidationError{Problems: probs}
	}
	return nil
}

// sortDays sorts days by date, in place.
func sortDays(days []Day) {
	sort.Slice(days, func(i, j int) bool { return days[i].Date.num() < days[j].Date.num() })
}
