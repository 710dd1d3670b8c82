package simulate

// What a script says besides its steps: when the case starts, which service tasks wait.

import (
	"fmt"
	"slices"
	"time"

	"onewindow/definitions"
	"onewindow/engine/machine"
)

// DefaultStart is when a simulated case starts unless told: Monday 2026-01-05 09:00 CST.
var DefaultStart = time.Date(2026, 1, 5, 9, 0, 0, 0, machine.Zone)

// ParseStart reads a script's start: RFC 3339, or a local date and time or date in Beijing
// time (a date alone at 09:00).
func ParseStart(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(machine.Zone), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, machine.Zone); err == nil {
			return t, nil
		}
	}
	if t, err := time.ParseInLocation("2006-01-02", s, machine.Zone); err == nil {
		return t.Add(9 * time.Hour), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: write 2025-09-28, 2025-09-28T10:00 or 2025-09-28T10:00:00+08:00", s)
}

// WaitAt lists the ids the script's fail and complete steps name: a service task among them
// must wait for the script instead of passing (machine.Options.WaitAt).
func (s Script) WaitAt() []string {
	var out []string
	for _, st := range s.Steps {
		for _, id := range []string{st.Fail, st.Complete} {
			if id != "" && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// parseDuration parses an advance step's ISO 8601 duration.
func parseDuration(iso string) (func(time.Time) time.Time, error) {
	d, err := definitions.ParseDuration(iso)
	if err != nil {
		return nil, err
	}
	return d.AddTo, nil
}
