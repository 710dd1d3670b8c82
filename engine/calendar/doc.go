// Package calendar counts time limits in working days the way the law
// counts them. It is pure: no database, no clock (every instant is an
// argument, never time.Now), so the engine can call it from a workflow
// activity and replay the result deterministically.
//
// Which days work: Monday to Friday, except the public holidays, plus the
// make-up working days (调休) on Saturdays and Sundays, as the State Council
// arranges them each year. National takes that arrangement from
// github.com/6tail/lunar-go (HolidayUtil); New lays overrides on top (a year
// the library does not know yet, a local day off, a correction), and a Set
// keeps one calendar per implementing body (org unit) with fallback to the
// national one. Dates are read in Asia/Shanghai unless set otherwise.
//
// How limits count (行政许可法 §42, §82; 民法典 §201, §203):
//   - the day of acceptance is not counted: N working days from an
//     acceptance on day D end on the N-th working day after D, whatever the
//     hour of acceptance;
//   - the period ends when business stops on that day: the end of its last
//     working period (17:30 with the default hours 09:00–12:00 and
//     13:30–17:30), not 24:00. §203 reads "the last day ends at 24:00; where
//     there are business hours, at the time business stops", and a service
//     centre has business hours. A calendar whose hours are 00:00–24:00
//     gives the 24:00 reading;
//   - a fraction of a day is that share of a working day's hours (0.5 day
//     = 3.5 hours with the default hours), counted on from the same point;
//     AddWorkingHours counts hours from the instant itself, for items whose
//     limit is in hours;
//   - clock pauses (waiting for a supplement, special procedures) do not
//     count; the working time inside them moves the due time later.
//
// Working time is a line that advances only during working hours of working
// days. Due times are the earliest instant at which enough working time has
// run, so a limit that ends with a working day is due at its close, not at
// the next opening. Working days are kept as a bitmap with running counts
// (rank/select), so a due date costs the same for 20 or 60 days (~0.1 µs).
package calendar
