package store

import (
	"strings"
	"time"
)

// conds gathers the conditions of a list query (ANDed) and their arguments.
type conds struct {
	where []string
	args  []any
}

// add adds a condition with its arguments.
func (c *conds) add(cond string, args ...any) {
	c.where, c.args = append(c.where, cond), append(c.args, args...)
}

// eq adds col = v unless v is "".
func (c *conds) eq(col, v string) {
	if v != "" {
		c.add(col+" = ?", v)
	}
}

// within adds from <= col < to for the bounds that are set.
func (c *conds) within(col string, from, to time.Time) {
	if !from.IsZero() {
		c.add(col+" >= ?", Time(from))
	}
	if !to.IsZero() {
		c.add(col+" < ?", Time(to))
	}
}

// sql is the WHERE clause ("" without conditions).
func (c *conds) sql() string {
	if len(c.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.where, " AND ")
}
