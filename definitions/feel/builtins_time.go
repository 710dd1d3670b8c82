package feel

var (
	dayNames   = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December"}
)

// dateFn registers a function of one date (or date and time) parameter named "date".
func dateFn(fn func(d Date) Value) sig {
	return sig{params: []string{"date"}, fn: func(c *bcall, a []Value) Value {
		d, ok := dateOf(unwrapSingleton(a[0]))
		if !ok {
			if a[0] == nil {
				return nil
			}
			return c.fail("date must be a date, not a %s", TypeName(a[0]))
		}
		return fn(d)
	}}
}

// isoWeek returns the ISO 8601 week number of d.
func isoWeek(d Date) int {
	// The week's Thursday decides the year the week belongs to.
	thursday := d.epochDay() - int64(d.Weekday()) + 4
	td := civilFromDays(thursday)
	jan1 := daysFromCivil(td.Year, 1, 1)
	return int((thursday-jan1)/7) + 1
}

func registerTemporal(reg func(string, ...sig)) {
	reg("day of year", dateFn(func(d Date) Value {
		return Int(d.epochDay() - daysFromCivil(d.Year, 1, 1) + 1)
	}))
	reg("day of week", dateFn(func(d Date) Value { return dayNames[d.Weekday()-1] }))
	reg("month of year", dateFn(func(d Date) Value { return monthNames[d.Month-1] }))
	reg("week of year", dateFn(func(d Date) Value { return Int(int64(isoWeek(d))) }))
	reg("now", sig{fn: func(c *bcall, a []Value) Value {
		t := c.ev.now()
		_, off := t.Zone()
		return DateTime{
			Date: Date{t.Year(), int(t.Month()), t.Day()},
			Time: Time{Hour: t.Hour(), Minute: t.Minute(), Second: t.Second(), Nano: t.Nanosecond(), HasOffset: true, Offset: off},
		}
	}})
	reg("today", sig{fn: func(c *bcall, a []Value) Value {
		t := c.ev.now()
		return Date{t.Year(), int(t.Month()), t.Day()}
	}})
	reg("is", sig{params: []string{"value1", "value2"}, fn: func(c *bcall, a []Value) Value {
		return identical(a[0], a[1])
	}}, sig{params: []string{"value2"}, fn: func(c *bcall, a []Value) Value {
		return identical(nil, a[0])
	}}, sig{params: []string{"value1"}, fn: func(c *bcall, a []Value) Value {
		return identical(a[0], nil)
	}})
}

// identical is is(): the same kind and the same value, and for times and date and times the
// same way of giving the zone.
func identical(a, b Value) bool {
	switch x := a.(type) {
	case Time:
		y, ok := b.(Time)
		return ok && x == y
	case DateTime:
		y, ok := b.(DateTime)
		return ok && x == y
	case nil:
		return b == nil
	}
	if TypeName(a) != TypeName(b) {
		return false
	}
	return Equal(a, b) == true
}
