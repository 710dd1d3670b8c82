package store

// Checking the audit chain, and the daily heads that are published so that a chain rewritten
// from some row to its end (with its head) is still found out.

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// AuditBreak is the first row where the chain does not hold, and why.
type AuditBreak struct {
	Seq    int64
	Day    string
	At     time.Time // zero when the row is missing
	Action string
	Actor  string
	Reason string
}

// Error describes the break for people.
func (b *AuditBreak) Error() string {
	if b.At.IsZero() {
		return fmt.Sprintf("audit row %d: %s", b.Seq, b.Reason)
	}
	return fmt.Sprintf("audit row %d (%s, %s by %s at %s): %s", b.Seq, b.Day, b.Action, b.Actor,
		b.At.In(CaseZone).Format("2006-01-02 15:04:05"), b.Reason)
}

// AuditCheck is what VerifyAudit found: the rows checked and the first break, if any.
type AuditCheck struct {
	From   string // the first day checked ("" from the start)
	Rows   int64
	First  int64 // the first row checked
	Last   AuditHead
	Head   AuditHead // as audit_head records it
	Heads  int       // published heads checked
	Broken *AuditBreak
}

// AuditDayHead is the last row of a chain day: publishing its hash fixes the day and every
// day before it.
type AuditDayHead struct {
	Day  string `db:"day" json:"day"`
	Seq  int64  `db:"seq" json:"seq"`
	Hash string `db:"hash" json:"hash"`
}

// String is the day head as one line of an export: "DAY SEQ HASH".
func (h AuditDayHead) String() string { return fmt.Sprintf("%s %d %s", h.Day, h.Seq, h.Hash) }

// auditPage is how many rows VerifyAudit reads at a time.
const auditPage = 2000

// VerifyAudit checks the chain from the first row of day from ("" from the first row): each
// row's hash against its content, its link to the row before, that no row number is missing,
// that the head matches the last row, and that every published head (from an export) is
// still there with its hash. It stops at the first break. It reads one snapshot, so rows
// appended while it runs (by a server still at work) are not taken for a moved head.
func VerifyAudit(ctx context.Context, db *DB, from string, published []AuditDayHead) (c *AuditCheck, err error) {
	err = db.Snapshot(ctx, func(q Q) error {
		c, err = verifyAudit(ctx, q, from, published)
		return err
	})
	return c, err
}

func verifyAudit(ctx context.Context, q Q, from string, published []AuditDayHead) (*AuditCheck, error) {
	c := &AuditCheck{From: from}
	head, err := GetAuditHead(ctx, q)
	if err != nil {
		return nil, err
	}
	c.Head = head
	var prev *AuditRow
	after := int64(0)
	if from != "" {
		if _, err := time.Parse(auditDay, from); err != nil {
			return nil, fmt.Errorf("from %q: want a date YYYY-MM-DD", from)
		}
		// Start at the day's first row (after the last row when no row is that late), linked
		// to the row before it when that is kept.
		var first sql.NullInt64
		if err := q.GetContext(ctx, &first, q.Rebind(`SELECT MIN(seq) FROM audit_log WHERE day >= ?`), from); err != nil {
			return nil, classify(err, "first audit row of %s", from)
		}
		after = first.Int64 - 1
		if !first.Valid {
			if err := q.GetContext(ctx, &after, `SELECT COALESCE(MAX(seq), 0) FROM audit_log`); err != nil {
				return nil, classify(err, "last audit row")
			}
		}
		if after > 0 {
			rows, err := auditRows(ctx, q, after-1, 1)
			if err != nil {
				return nil, err
			}
			if len(rows) == 1 && rows[0].Seq == after {
				prev = &rows[0]
				c.Last = AuditHead{Seq: prev.Seq, Day: prev.Day, Hash: prev.Hash}
			}
		}
	}
	for {
		rows, err := auditRows(ctx, q, after, auditPage)
		if err != nil {
			return nil, err
		}
		for i := range rows {
			r := &rows[i]
			if c.Rows == 0 {
				c.First = r.Seq
			}
			if b := checkLink(prev, r, after); b != nil {
				c.Broken = b
				return c, nil
			}
			c.Rows++
			c.Last = AuditHead{Seq: r.Seq, Day: r.Day, Hash: r.Hash}
			prev, after = r, r.Seq
		}
		if len(rows) < auditPage {
			break
		}
	}
	if c.Broken = checkHead(c, head); c.Broken != nil {
		return c, nil
	}
	c.Broken, err = checkPublished(ctx, q, c, published)
	return c, err
}

// checkLink checks row r against its content and the row before it (prev, nil when r is the
// first row checked, whose number follows after).
func checkLink(prev, r *AuditRow, after int64) *AuditBreak {
	at := func(reason string, args ...any) *AuditBreak {
		return &AuditBreak{Seq: r.Seq, Day: r.Day, At: r.At, Action: r.Action, Actor: r.ActorName, Reason: fmt.Sprintf(reason, args...)}
	}
	switch {
	case prev == nil && after == 0 && r.Seq != 1:
		return &AuditBreak{Seq: 1, Reason: fmt.Sprintf("rows 1 to %d are missing: the log starts at row %d", r.Seq-1, r.Seq)}
	case prev == nil && after == 0 && r.PrevHash != AuditGenesis:
		return at("the first row does not start the chain (its previous hash is not the genesis hash)")
	case prev != nil && r.Seq != prev.Seq+1:
		return &AuditBreak{Seq: prev.Seq + 1, Reason: fmt.Sprintf("missing: the log jumps from row %d to row %d (rows were removed)", prev.Seq, r.Seq)}
	case prev != nil && r.PrevHash != prev.Hash:
		return at("its previous hash does not match row %d's hash: row %d was changed or replaced", prev.Seq, prev.Seq)
	case r.Hash != r.ComputeHash():
		return at("its hash does not match its content: the row was changed after it was written")
	case prev != nil && r.Day < prev.Day:
		return at("its day %s comes before row %d's day %s", r.Day, prev.Seq, prev.Day)
	}
	return nil
}

// checkHead compares the last row checked with the chain's head: rows cut off the end leave
// the head pointing past the last row.
func checkHead(c *AuditCheck, head AuditHead) *AuditBreak {
	switch {
	case head.Seq > c.Last.Seq:
		return &AuditBreak{Seq: c.Last.Seq + 1, Reason: fmt.Sprintf("missing: the chain's head records row %d but the log ends at row %d (rows were cut off the end)",
			head.Seq, c.Last.Seq)}
	case c.Last.Seq > 0 && head.Seq < c.Last.Seq:
		return &AuditBreak{Seq: head.Seq + 1, Reason: fmt.Sprintf("the chain's head records row %d but the log goes on to row %d (rows were added around the head)", head.Seq, c.Last.Seq)}
	case c.Last.Seq > 0 && head.Hash != c.Last.Hash:
		return &AuditBreak{Seq: c.Last.Seq, Day: c.Last.Day, Reason: "its hash differs from the hash the chain's head records: the last row was replaced"}
	}
	return nil
}

// checkPublished checks that every published head is still in the chain with its hash.
func checkPublished(ctx context.Context, q Q, c *AuditCheck, published []AuditDayHead) (*AuditBreak, error) {
	for _, p := range published {
		if c.From != "" && p.Day < c.From {
			continue
		}
		c.Heads++
		var hash string
		err := q.GetContext(ctx, &hash, q.Rebind(`SELECT hash FROM audit_log WHERE seq = ?`), p.Seq)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return &AuditBreak{Seq: p.Seq, Day: p.Day, Reason: fmt.Sprintf("missing: it was published as the head of %s (hash %s) and the log now ends at row %d: the tail was cut off",
				p.Day, short(p.Hash), c.Last.Seq)}, nil
		case err != nil:
			return nil, classify(err, "audit row %d", p.Seq)
		case hash != p.Hash:
			return &AuditBreak{Seq: p.Seq, Day: p.Day, Reason: fmt.Sprintf("its hash %s is not the hash published as the head of %s (%s): the chain was rewritten up to here",
				short(hash), p.Day, short(p.Hash))}, nil
		}
	}
	return nil, nil
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12] + "…"
	}
	return hash
}

// AuditHeads lists the head of each chain day from day from to day to (either "" for no
// bound), oldest first; the last one is the head of a day that may not be over.
func AuditHeads(ctx context.Context, q Q, from, to string) ([]AuditDayHead, error) {
	if to == "" {
		to = "9999-12-31"
	}
	var heads []AuditDayHead
	err := q.SelectContext(ctx, &heads, q.Rebind(`SELECT l.day, l.seq, l.hash FROM audit_log l
		JOIN (SELECT day, MAX(seq) AS seq FROM audit_log WHERE day >= ? AND day <= ? GROUP BY day) d ON d.seq = l.seq
		ORDER BY l.seq`), from, to)
	return heads, classify(err, "audit heads from %q to %q", from, to)
}

// ReadAuditHeads parses an export of day heads: one "DAY SEQ HASH" a line; blank lines and
// lines starting with # are skipped.
func ReadAuditHeads(r io.Reader) ([]AuditDayHead, error) {
	var heads []AuditDayHead
	s := bufio.NewScanner(r)
	for n := 1; s.Scan(); n++ {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d: want DAY SEQ HASH, got %q", n, line)
		}
		if _, err := time.Parse(auditDay, f[0]); err != nil {
			return nil, fmt.Errorf("line %d: %q is not a date YYYY-MM-DD", n, f[0])
		}
		seq, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || seq < 1 {
			return nil, fmt.Errorf("line %d: %q is not a row number", n, f[1])
		}
		if len(f[2]) != 64 {
			return nil, fmt.Errorf("line %d: %q is not a SHA-256 hash in hex", n, f[2])
		}
		heads = append(heads, AuditDayHead{Day: f[0], Seq: seq, Hash: f[2]})
	}
	return heads, s.Err()
}
