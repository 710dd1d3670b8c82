package app

// The audit trail (docs/audit.md): every change a use case makes is recorded, in its own
// transaction, as a row of the hash-chained audit_log: who did it, what, to what, about which
// case, with the detail. Use cases queue their rows on the Outbox (Audit) and change appends
// them last, so that the chain's head is locked only from then until commit. Supervisors read
// the rows of a case and of a user they oversee.

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"onewindow/store"
)

// Audit queues a row of the audit trail for the change's transaction: actor p (nil for the
// system itself) did action (a code such as "grant.revoke") to subject ("grant:ID"), about
// case caseID ("" when about none), with detail (encoded as JSON; never a secret).
func (o *Outbox) Audit(p *Actor, action, caseID, subject string, detail any) {
	e := store.AuditEntry{ActorID: store.AuditSystem, ActorName: store.AuditSystem, Action: action, CaseID: caseID,
		Subject: subject, Detail: detail}
	if p != nil {
		e.ActorID, e.ActorName = p.UserID, p.Username
	}
	o.audit = append(o.audit, e)
}

// orAnyone is p, or for a request without an account the public.
func orAnyone(p *Actor) *Actor {
	if p == nil {
		return &Actor{UserID: store.AuditPublic, Username: store.AuditPublic}
	}
	return p
}

// CaseAudit lists the audit rows of a case the actor oversees (supervisors within their
// subtree, admins), oldest first. A case the actor does not oversee is no case at all.
func (a *App) CaseAudit(ctx context.Context, p *Actor, id string, page Page) (*List[store.AuditRow], error) {
	o, err := a.supervising(ctx, p)
	if err != nil {
		return nil, err
	}
	id = internalID(id)
	if _, err := store.GetCaseState(ctx, a.db, id); err != nil {
		return nil, err
	}
	if ok, err := store.Oversees(ctx, a.db, o, id); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("case %s: %w", id, store.ErrNotFound)
	}
	return auditPage(page, func(after int64, limit int) ([]store.AuditRow, error) {
		return store.AuditOfCase(ctx, a.db, id, after, limit)
	})
}

// UserAudit lists what a user did, oldest first: for an admin any user, for a supervisor the
// staff and systems of their subtree (as they read accounts).
func (a *App) UserAudit(ctx context.Context, p *Actor, id string, page Page) (*List[store.AuditRow], error) {
	if _, err := a.supervising(ctx, p); err != nil {
		return nil, err
	}
	if _, _, err := a.accountFor(ctx, p, id); err != nil {
		return nil, err
	}
	return auditPage(page, func(after int64, limit int) ([]store.AuditRow, error) {
		return store.AuditOfActor(ctx, a.db, id, after, limit)
	})
}

// auditCursor marks a cursor of an audit list: the last row number of the page before.
const auditCursor = "a1."

// auditPage reads a page of audit rows after the row the cursor names (keyset paging on the
// row number), reading one row more than the page to tell whether another follows.
func auditPage(p Page, read func(after int64, limit int) ([]store.AuditRow, error)) (*List[store.AuditRow], error) {
	var after int64
	if p.After != "" {
		raw, err := base64.RawURLEncoding.DecodeString(p.After)
		s, ok := strings.CutPrefix(string(raw), auditCursor)
		n, cerr := strconv.ParseInt(s, 10, 64)
		if err != nil || !ok || cerr != nil || n < 0 {
			return nil, refuse(Invalid, "validation_failed", "after: %q is not a cursor of this list: pass the next value of the page before", p.After).onField("after")
		}
		after = n
	}
	rows, err := read(after, p.limit()+1)
	if err != nil {
		return nil, err
	}
	l := &List[store.AuditRow]{Items: rows, Limit: p.limit()}
	if l.Items == nil {
		l.Items = []store.AuditRow{}
	}
	if len(rows) > l.Limit {
		l.Items = rows[:l.Limit]
		l.Next = base64.RawURLEncoding.EncodeToString([]byte(auditCursor + strconv.FormatInt(l.Items[l.Limit-1].Seq, 10)))
	}
	return l, nil
}

// Act records action x in its case's action log and in the audit trail, in the change's
// transaction.
func (o *Outbox) Act(p *Actor, x *store.Action) error {
	if err := store.RecordAction(o.ctx, o.tx, x); err != nil {
		return err
	}
	action, subject := "case."+x.Action, "case:"+x.CaseID
	if x.TaskID != "" {
		action, subject = "task."+x.Action, "task:"+x.TaskID
	}
	o.Audit(p, action, x.CaseID, subject, x)
	return nil
}
