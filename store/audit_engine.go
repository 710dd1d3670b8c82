package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/engine"
)

// auditStep appends the engine's step b of a case to the audit trail, in the transaction that
// writes it (ApplyBatch): what the step entered and left, the tasks, timers and incidents it
// made or closed, and the case's status after it.
func auditStep(ctx context.Context, tx *sqlx.Tx, b *engine.Batch) error {
	type event struct {
		Kind    string `json:"kind"`
		Element string `json:"element,omitempty"`
		ID      string `json:"id,omitempty"`
		Detail  string `json:"detail,omitempty"`
	}
	d := struct {
		Seq        int       `json:"seq"`
		At         time.Time `json:"at"`
		Status     string    `json:"status"`
		Definition string    `json:"definition,omitempty"`
		Version    int       `json:"version,omitempty"`
		Events     []event   `json:"events,omitempty"`
		Clock      string    `json:"clock,omitempty"`
	}{Seq: b.Seq, At: Time(b.At), Status: b.Status, Definition: b.Definition, Version: b.Version}
	for _, h := range b.History {
		d.Events = append(d.Events, event{Kind: h.Kind, Element: h.Element, Detail: h.Detail})
	}
	for _, t := range b.Tasks {
		d.Events = append(d.Events, event{Kind: "taskCreated", Element: t.Element, ID: t.ID})
	}
	for _, t := range b.Timers {
		d.Events = append(d.Events, event{Kind: "timerArmed", Element: t.Element, ID: t.ID, Detail: Time(t.Due).Format(time.RFC3339)})
	}
	for _, c := range b.Closed {
		d.Events = append(d.Events, event{Kind: c.Kind + "Closed", ID: c.ID, Detail: c.Reason})
	}
	for _, x := range b.Incidents {
		d.Events = append(d.Events, event{Kind: "incident", Element: x.Element, ID: x.ID, Detail: x.Message})
	}
	for _, id := range b.Resolved {
		d.Events = append(d.Events, event{Kind: "incidentResolved", ID: id})
	}
	if b.Clock != nil {
		d.Clock = b.Clock.State
	}
	return AppendAudit(ctx, tx, Now(), AuditEntry{ActorID: AuditEngine, ActorName: AuditEngine, Action: "case.step",
		CaseID: b.CaseID, Subject: "case:" + b.CaseID, Detail: d})
}
