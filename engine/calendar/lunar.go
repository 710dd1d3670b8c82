package calendar

import (
	"sync"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// The library's years are searched within these bounds; its table starts
// with the 2002 arrangement (from 29 December 2001).
const (
	libraryFirstSearch = 2000
	libraryLastSearch  = 2100
)

// library reads lunar-go's holiday tables once. HolidayUtil keeps them in a
// package variable that HolidayUtil.Fix can change; onewindow never calls
// Fix (an admin's corrections are overrides, kept in onewindow's store), and
// the snapshot taken here is what the national calendar uses.
var library = sync.OnceValues(func() ([]Day, [2]int) {
	var days []Day
	var years [2]int
	for y := libraryFirstSearch; y <= libraryLastSearch; y++ {
		l := HolidayUtil.GetHolidaysByYear(y)
		if l.Len() == 0 {
			continue
		}
		if years[0] == 0 {
			years[0] = y
		}
		years[1] = y
		for e := l.Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			date, err := ParseDate(h.GetDay())
			if err != nil {
				// The table is compiled into the library and tested; a bad
				// row would be a library bug, and skipping it is safer than
				// refusing to start.
				continue
			}
			kind := Holiday
			if h.IsWork() {
				kind = Workday
			}
			days = append(days, Day{Date: date, Kind: kind, Name: h.GetName()})
		}
	}
	sortDays(days)
	return days, years
})

func libraryDays() []Day {
	days, _ := library()
	return days
}

// LibraryYears returns the first and the last year for which lunar-go has
// the official arrangement (2001 and 2027 with v1.4.7). Dates after last
// follow the weekday rule until an admin adds the year's arrangement as
// overrides.
func LibraryYears() (first, last int) {
	_, y := library()
	return y[0], y[1]
}
