package machine

import (
	"fmt"
	"time"

	"onewindow/definitions"
)

// Zone is where timer dates written without a zone are read: the service
// centre's local time (China has one zone and no daylight saving).
var Zone = time.FixedZone("CST", 8*3600)

// Due computes when a timer armed at base fires: working days through
// addWorkingDays (nil counts calendar days), ISO 8601 dates, durations and
// cycles. ok is false when a cycle has no firing left.
func Due(spec TimerSpec, base time.Time, addWorkingDays func(time.Time, float64) time.Time) (due time.Time, ok bool, err error) {
	switch {
	case spec.WorkingDays > 0:
		if addWorkingDays == nil {
			return base.Add(time.Duration(spec.WorkingDays * float64(24*time.Hour))), true, nil
		}
		return addWorkingDays(base, spec.WorkingDays), true, nil
	case spec.Date != "":
		t, err := definitions.ParseTimeDateIn(spec.Date, Zone)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("timer date: %w", err)
		}
		return t, true, nil
	case spec.Duration != "":
		d, err := definitions.ParseDuration(spec.Duration)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("timer duration: %w", err)
		}
		return d.AddTo(base), true, nil
	case spec.Cycle != "":
		c, err := definitions.ParseCycleIn(spec.Cycle, Zone)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("timer cycle: %w", err)
		}
		t, ok := c.At(base, spec.Fired)
		return t, ok, nil
	}
	return time.Time{}, false, fmt.Errorf("timer has no date, duration, cycle or working days")
}
