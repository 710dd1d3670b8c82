package engine

import (
	"fmt"
	"time"

	"onewindow/engine/machine"
)

// TimerRequest asks the Apply activity to compute a timer's due time.
type TimerRequest struct {
	WaitID  string            `json:"waitId"`
	Element string            `json:"element"`
	Spec    machine.TimerSpec `json:"spec"`
	// Base is when the timer was first armed; a cycle counts from it.
	Base time.Time `json:"base"`
}

// timerDue computes when a timer of a case fires.
func (e *Engine) timerDue(caseID string, spec machine.TimerSpec, base time.Time) (time.Time, bool, error) {
	var days func(time.Time, float64) time.Time
	if e.calendar != nil {
		days = func(t time.Time, n float64) time.Time { return e.calendar.AddWorkingDays(caseID, t, n) }
	}
	return machine.Due(spec, base, days)
}

// timerText is a timer as written, for the timers table.
func timerText(spec machine.TimerSpec) string {
	switch {
	case spec.WorkingDays > 0:
		return fmt.Sprintf("%g working days", spec.WorkingDays)
	case spec.Date != "":
		return spec.Date
	case spec.Duration != "":
		return spec.Duration
	}
	return spec.Cycle
}

// CalendarOf counts working days with one calendar for every case (the
// national one, with its admin overrides).
func CalendarOf(c interface {
	AddWorkingDays(start time.Time, days float64) time.Time
}) Calendar {
	return oneCalendar{c}
}

type oneCalendar struct {
	c interface {
		AddWorkingDays(start time.Time, days float64) time.Time
	}
}

func (o oneCalendar) AddWorkingDays(_ string, start time.Time, days float64) time.Time {
	return o.c.AddWorkingDays(start, days)
}
