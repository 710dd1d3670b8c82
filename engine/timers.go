package engine

import (
	"fmt"
	"time"

	"onewindow/engine/calendar"

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

// timerDue computes when a timer of a case fires, working days on cal.
func timerDue(cal *calendar.Calendar, spec machine.TimerSpec, base time.Time) (time.Time, bool, error) {
	return machine.Due(spec, base, cal.AddWorkingDays)
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
