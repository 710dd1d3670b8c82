package feel

import "time"

// FromTime returns the date and time of t, with t's offset.
func FromTime(t time.Time) DateTime {
	_, off := t.Zone()
	return DateTime{
		Date: Date{t.Year(), int(t.Month()), t.Day()},
		Time: Time{Hour: t.Hour(), Minute: t.Minute(), Second: t.Second(), Nano: t.Nanosecond(), HasOffset: true, Offset: off},
	}
}

// Instant returns the instant of dt; a date and time without a zone is read in loc. ok is
// false for years Go's time cannot hold.
func (dt DateTime) Instant(loc *time.Location) (time.Time, bool) {
	if dt.Year < -9999 || dt.Year > 9999 {
		return time.Time{}, false
	}
	if off, zoned := dt.zoneOffset(); zoned {
		return time.Date(dt.Year, time.Month(dt.Month), dt.Day, dt.Hour, dt.Minute, dt.Second, dt.Nano, time.FixedZone("", off)), true
	}
	return time.Date(dt.Year, time.Month(dt.Month), dt.Day, dt.Hour, dt.Minute, dt.Second, dt.Nano, loc), true
}
