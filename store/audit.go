package store

// The audit trail (audit_log, audit_head; docs/audit.md): rows appended in the transaction of
// the change they record, each carrying SHA-256 over its content and the hash of the row
// before. One chain, cut into days: a day's last hash fixes every row up to it, so publishing
// it (AuditHeads) lets anyone find later that a row was changed or the tail cut off.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// Actors of audit rows that are no user.
const (
	// AuditSystem is the server acting on its own: sweepers, e-supervision's hooks, start-up.
	AuditSystem = "system"
	// AuditEngine is the workflow engine writing a step of a case.
	AuditEngine = "engine"
	// AuditPublic is someone without an account (a complaint filed anonymously).
	AuditPublic = "public"
)

// AuditGenesis is the prev_hash of the first row.
const AuditGenesis = "0000000000000000000000000000000000000000000000000000000000000000"

// auditDay is the layout of a chain day: the date in Beijing time (CaseZone).
const auditDay = "2006-01-02"

// AuditEntry is one change to append: who (a user's id and username, or AuditSystem or
// AuditEngine), what (an action code such as "task.complete"), about which case, to which
// subject ("task:ID", "user:ID"), and the detail, encoded as JSON.
type AuditEntry struct {
	ActorID   string
	ActorName string
	Action    string
	CaseID    string
	Subject   string
	Detail    any
}

// AuditRow is one row of the audit trail as stored.
type AuditRow struct {
	Seq       int64     `db:"seq" json:"seq" example:"1042"`
	Day       string    `db:"day" json:"day" example:"2025-11-26"`
	At        time.Time `db:"at" json:"at"`
	ActorID   string    `db:"actor_id" json:"actorId"`
	ActorName string    `db:"actor_name" json:"actorName" example:"clerk1"`
	Action    string    `db:"action" json:"action" example:"task.complete"`
	CaseID    *string   `db:"case_id" json:"caseId,omitempty"`
	Subject   string    `db:"subject" json:"subject" example:"task:0193a.../accept"`
	Detail    JSON      `db:"detail" json:"detail" swaggertype:"object"`
	PrevHash  string    `db:"prev_hash" json:"prevHash"`
	Hash      string    `db:"hash" json:"hash"`
}

// ComputeHash is the row's hash: SHA-256 over its fields, each written as a netstring
// (length:bytes,) so that no two different rows encode alike, starting with prev_hash.
func (r *AuditRow) ComputeHash() string {
	h := sha256.New()
	for _, f := range []string{r.PrevHash, strconv.FormatInt(r.Seq, 10), r.Day, r.At.UTC().Format("2006-01-02T15:04:05.000000Z"),
		r.ActorID, r.ActorName, r.Action, deref(r.CaseID), r.Subject, string(r.Detail)} {
		fmt.Fprintf(h, "%d:%s,", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AuditHead is the chain's last row: its number, day and hash.
type AuditHead struct {
	Seq  int64  `db:"seq" json:"seq"`
	Day  string `db:"day" json:"day"`
	Hash string `db:"hash" json:"hash"`
}

// AppendAudit appends entries, made at at, to the chain inside tx. It locks the chain's head
// first, so call it last in the transaction: the lock is held until commit, and every other
// writer's append waits for it (on SQLite every writer waits anyway).
func AppendAudit(ctx context.Context, tx *sqlx.Tx, at time.Time, entries ...AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	lock := `SELECT seq, day, hash FROM audit_head WHERE id = 1`
	if DialectOf(tx) == Postgres {
		lock += ` FOR UPDATE`
	}
	var head AuditHead
	if err := tx.GetContext(ctx, &head, lock); err != nil {
		return classify(err, "lock the audit chain's head")
	}
	at = Time(at)
	// The chain's days never go back, even when this process's clock is behind another's.
	day := max(at.In(CaseZone).Format(auditDay), head.Day)
	for _, e := range entries {
		detail := []byte("{}")
		if e.Detail != nil {
			var err error
			if detail, err = json.Marshal(e.Detail); err != nil {
				return fmt.Errorf("encode audit detail of %s: %w", e.Action, err)
			}
		}
		r := AuditRow{Seq: head.Seq + 1, Day: day, At: at, ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action,
			Subject: e.Subject, Detail: detail, PrevHash: head.Hash}
		if e.CaseID != "" {
			r.CaseID = &e.CaseID
		}
		r.Hash = r.ComputeHash()
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO audit_log (seq, day, at, actor_id, actor_name, action, case_id, subject,
			detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			r.Seq, r.Day, r.At, r.ActorID, r.ActorName, r.Action, r.CaseID, r.Subject, string(r.Detail), r.PrevHash, r.Hash)
		if err != nil {
			return classify(err, "append %s to the audit trail", e.Action)
		}
		head = AuditHead{Seq: r.Seq, Day: day, Hash: r.Hash}
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE audit_head SET seq = ?, day = ?, hash = ? WHERE id = 1`), head.Seq, head.Day, head.Hash)
	return classify(err, "move the audit chain's head to row %d", head.Seq)
}

const auditColumns = `seq, day, at, actor_id, actor_name, action, case_id, subject, detail, prev_hash, hash`

// AuditOfCase reads up to limit rows about case caseID after row afterSeq, in order.
func AuditOfCase(ctx context.Context, q Q, caseID string, afterSeq int64, limit int) ([]AuditRow, error) {
	var rows []AuditRow
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT `+auditColumns+` FROM audit_log
		WHERE case_id = ? AND seq > ? ORDER BY case_id, seq LIMIT ?`), caseID, afterSeq, limit)
	return rows, classify(err, "audit of case %s", caseID)
}

// AuditOfActor reads up to limit rows of what actorID did after row afterSeq, in order.
func AuditOfActor(ctx context.Context, q Q, actorID string, afterSeq int64, limit int) ([]AuditRow, error) {
	var rows []AuditRow
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT `+auditColumns+` FROM audit_log
		WHERE actor_id = ? AND seq > ? ORDER BY actor_id, seq LIMIT ?`), actorID, afterSeq, limit)
	return rows, classify(err, "audit of user %s", actorID)
}

// auditRows reads up to limit rows of the chain after row afterSeq, in order.
func auditRows(ctx context.Context, q Q, afterSeq int64, limit int) ([]AuditRow, error) {
	var rows []AuditRow
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT `+auditColumns+` FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`), afterSeq, limit)
	return rows, classify(err, "audit rows after %d", afterSeq)
}

// GetAuditHead reads the chain's head.
func GetAuditHead(ctx context.Context, q Q) (AuditHead, error) {
	var h AuditHead
	err := q.GetContext(ctx, &h, `SELECT seq, day, hash FROM audit_head WHERE id = 1`)
	return h, classify(err, "audit chain's head")
}
