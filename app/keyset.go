package app

// Keyset paging for the lists of the integration area (events, webhooks, deliveries,
// publicity, disclosure requests): a cursor holds the ordering key of the last row of a page,
// and the next page reads the rows after it through an index, however deep it is.

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// keysetPrefix marks a keyset cursor this server made.
const keysetPrefix = "k1."

// keysetCursor is the cursor after a row with ordering key vals.
func keysetCursor(vals ...string) string {
	b, _ := json.Marshal(vals)
	return base64.RawURLEncoding.EncodeToString(append([]byte(keysetPrefix), b...))
}

// keysetAfter reads the ordering key (n values) of page p's cursor; nil for the first page.
func keysetAfter(p Page, n int) ([]string, error) {
	if p.After == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(p.After)
	if err == nil {
		if s, ok := strings.CutPrefix(string(raw), keysetPrefix); ok {
			var vals []string
			if json.Unmarshal([]byte(s), &vals) == nil && len(vals) == n {
				return vals, nil
			}
		}
	}
	return nil, badCursor(p)
}

// keysetPage makes a page from items read with one more than the page size: the extra row
// says there is a next page, which starts after the key of the page's last row.
func keysetPage[T any](items []T, p Page, key func(T) []string) *List[T] {
	l := &List[T]{Items: items, Limit: p.limit()}
	if len(items) > l.Limit {
		l.Items = items[:l.Limit]
		l.Next = keysetCursor(key(l.Items[l.Limit-1])...)
	}
	if l.Items == nil {
		l.Items = []T{}
	}
	return l
}

// badCursor refuses page p's cursor.
func badCursor(p Page) error {
	return refuse(Invalid, "validation_failed", "after: %q is not a cursor of this list: pass the next value of the page before", p.After).onField("after")
}

// keysetSeq reads a cursor that holds a sequence number (0 for the first page).
func keysetSeq(p Page) (int64, error) {
	after, err := keysetAfter(p, 1)
	if err != nil || after == nil {
		return 0, err
	}
	n, err := strconv.ParseInt(after[0], 10, 64)
	if err != nil || n < 0 {
		return 0, badCursor(p)
	}
	return n, nil
}

// keysetTimeID reads a cursor that holds a time and an id (zero and "" for the first page).
func keysetTimeID(p Page) (time.Time, string, error) {
	after, err := keysetAfter(p, 2)
	if err != nil || after == nil {
		return time.Time{}, "", err
	}
	t, err := time.Parse(time.RFC3339Nano, after[0])
	if err != nil {
		return time.Time{}, "", badCursor(p)
	}
	return t, after[1], nil
}

// timeIDKey is the ordering key of a row ordered by time and id.
func timeIDKey(t time.Time, id string) []string {
	return []string{t.UTC().Format(time.RFC3339Nano), id}
}

// seqKey is the ordering key of a row ordered by a sequence number.
func seqKey(n int64) []string { return []string{strconv.FormatInt(n, 10)} }
