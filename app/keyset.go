package app

// Keyset paging for the lists of the integration area (events, webhooks, deliveries,
// publicity, disclosure requests): a cursor holds the ordering key of the last row of a page,
// and the next page reads the rows after it through an index, however deep it is.

import (
	"encoding/base64"
	"encoding/json"
	"strings"
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
	return nil, refuse(Invalid, "validation_failed", "after: %q is not a cursor of this list: pass the next value of the page before", p.After).onField("after")
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
