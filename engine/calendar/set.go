package calendar

import (
	"fmt"
	"sort"
	"sync"
)

// Nationwide is the org-unit key of the national overrides in a Set.
const Nationwide = ""

// Set holds the calendars in force: the national one (a library base plus
// the overrides an admin keeps nationally, e.g. a year the library does not
// know yet) and one per implementing body (org unit) that has its own
// overrides (local days off), each built on the national one. For returns a
// unit's calendar or, when it has none, the national one. The store layer
// loads the override lists into a Set at start and after each edit. A Set
// is safe for concurrent use; the calendars it returns are immutable
// snapshots.
type Set struct {
	mu       sync.RWMutex
	base     *Calendar
	national *Calendar
	days     map[string][]Day     // overrides by unit, Nationwide included
	units    map[string]*Calendar // built calendars of units with overrides
}

// NewSet returns a Set on base (nil means National()) with no overrides.
func NewSet(base *Calendar) *Set {
	if base == nil {
		base = National()
	}
	return &Set{base: base, national: base, days: map[string][]Day{}, units: map[string]*Calendar{}}
}

// Put replaces the overrides of unit (Nationwide for the national ones);
// an empty list removes them. Changing the national overrides rebuilds
// every unit's calendar on the new national one. On error (a
// *ValidationError, or a unit whose calendar no longer builds) the Set is
// unchanged.
func (s *Set) Put(unit string, days []Day) error {
	days = append([]Day(nil), days...)
	s.mu.Lock()
	defer s.mu.Unlock()
	if unit != Nationwide {
		if len(days) == 0 {
			delete(s.days, unit)
			delete(s.units, unit)
			return nil
		}
		c, err := New(s.national, days)
		if err != nil {
			return fmt.Errorf("calendar of %q: %w", unit, err)
		}
		s.days[unit], s.units[unit] = days, c
		return nil
	}
	national := s.base
	if len(days) > 0 {
		var err error
		if national, err = New(s.base, days); err != nil {
			return fmt.Errorf("national calendar: %w", err)
		}
	}
	units := make(map[string]*Calendar, len(s.units))
	for u := range s.units {
		c, err := New(national, s.days[u])
		if err != nil {
			return fmt.Errorf("calendar of %q: %w", u, err)
		}
		units[u] = c
	}
	if len(days) == 0 {
		delete(s.days, Nationwide)
	} else {
		s.days[Nationwide] = days
	}
	s.national, s.units = national, units
	return nil
}

// Delete removes the overrides of unit, which then follows the national
// calendar (Nationwide: the national overrides, leaving the library base).
func (s *Set) Delete(unit string) {
	// Removing overrides cannot fail to build.
	_ = s.Put(unit, nil)
}

// Overrides returns a copy of the overrides of unit (Nationwide for the
// national ones), sorted by date.
func (s *Set) Overrides(unit string) []Day {
	s.mu.RLock()
	days := append([]Day(nil), s.days[unit]...)
	s.mu.RUnlock()
	sortDays(days)
	return days
}

// Units returns the org units that have their own overrides, sorted.
func (s *Set) Units() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.units))
	for u := range s.units {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// National returns the national calendar: the base with the national
// overrides.
func (s *Set) National() *Calendar {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.national
}

// For returns the calendar of unit, or the national calendar when unit has
// no overrides of its own.
func (s *Set) For(unit string) *Calendar {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if c, ok := s.units[unit]; ok {
		return c
	}
	return s.national
}
