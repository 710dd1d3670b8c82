package store

// The small conversions between Go values and SQL arguments that every table's file uses:
// kept here, once, rather than in whichever file needed them first.

import (
	"strings"
	"time"
)

// nullable turns "" into NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullTime stores a zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return Time(t)
}

// deref reads a nullable text column: NULL is "".
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// anys makes SQL arguments of strings.
func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// qmarks is n placeholders separated by commas, for an IN list.
func qmarks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
