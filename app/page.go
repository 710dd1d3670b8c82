package app

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Page says which page of a list to read: up to Limit rows (1-200, default 50) after the
// cursor After, which the previous page's Next gave. Count asks the lists that can count
// their matches for the total (up to MaxCount).
type Page struct {
	Limit int
	After string
	Count bool
}

// MaxCount is the most a list counts: a count stops there ("at least") rather than walk every
// row of a large list on every call.
const MaxCount = 10000

// MaxPageSize is the most rows one page holds.
const MaxPageSize = 200

func (p Page) limit() int {
	switch {
	case p.Limit <= 0:
		return 50
	case p.Limit > MaxPageSize:
		return MaxPageSize
	}
	return p.Limit
}

// cursorPrefix marks a cursor this server made; anything else is refused.
const cursorPrefix = "o1."

// offset is the row the page starts at.
func (p Page) offset() (int, error) {
	if p.After == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(p.After)
	if err == nil {
		s, ok := strings.CutPrefix(string(raw), cursorPrefix)
		if n, cerr := strconv.Atoi(s); ok && cerr == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, refuse(Invalid, "validation_failed", "after: %q is not a cursor of this list: pass the next value of the page before", p.After).onField("after")
}

func cursorAt(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(offset)))
}

// List is a page of a list: its items, the page size, the cursor of the next page ("" on the
// last page), and, where the list counts them (count=true on the large lists), how many match
// in all; TotalCapped says the count stopped at MaxCount and there are at least that many.
type List[T any] struct {
	Items       []T    `json:"items"`
	Limit       int    `json:"limit" example:"50"`
	Next        string `json:"next,omitempty" example:"bzEuNTA"`
	Total       *int   `json:"total,omitempty" example:"1"`
	TotalCapped bool   `json:"totalCapped,omitempty"`
}

// withTotal sets l's total from a count capped at MaxCount, when p asks for it.
func (l *List[T]) withTotal(p Page, count func(most int) (int, error)) (*List[T], error) {
	if !p.Count {
		return l, nil
	}
	n, err := count(MaxCount + 1)
	if err != nil {
		return nil, err
	}
	if n > MaxCount {
		n, l.TotalCapped = MaxCount, true
	}
	l.Total = &n
	return l, nil
}

// pageOf makes the page of items that starts at offset, of total matches.
func pageOf[T any](items []T, total int, p Page, offset int) *List[T] {
	if items == nil {
		items = []T{}
	}
	l := &List[T]{Items: items, Total: &total, Limit: p.limit()}
	if end := offset + len(items); end < total && len(items) > 0 {
		l.Next = cursorAt(end)
	}
	return l
}

// probedPage makes the page that starts at offset from items read with one more than the
// page size: the extra row says there is a next page; nothing is counted.
func probedPage[T any](items []T, p Page, offset int) *List[T] {
	if items == nil {
		items = []T{}
	}
	l := &List[T]{Items: items, Limit: p.limit()}
	if len(items) > l.Limit {
		l.Items = items[:l.Limit]
		l.Next = cursorAt(offset + l.Limit)
	}
	return l
}
