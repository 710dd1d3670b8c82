package app

// Department systems (部门业务系统对接): a department keeps its own back-office software, which
// signs in as a system user with an API key, reads its department's tasks and cases, claims
// and completes tasks through the same task use cases as staff (so onewindow still sees every
// step and its time), and attaches a step's result documents to the case. A system user's
// membership (role system) in its department is its scope: it acts with the authority of its
// department's sections, and sees nothing of other departments.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

// systemDepartments are the departments of a system actor: the units of kind department
// where it holds the role system.
func systemDepartments(p *Actor) []string {
	var out []string
	for _, m := range p.Memberships {
		if m.Role == store.RoleSystem && m.OrgUnitKind == store.KindDepartment && !slices.Contains(out, m.OrgUnitID) {
			out = append(out, m.OrgUnitID)
		}
	}
	return out
}

// withSystemSections adds to the memberships ms of a user, for each membership of role system
// in a department, one in each of the department's sections: a department's system acts on
// its sections' tasks as the section would.
func (a *App) withSystemSections(ctx context.Context, q store.Q, ms []store.Membership) ([]store.Membership, error) {
	out := ms
	for _, m := range ms {
		if m.Role != store.RoleSystem || m.OrgUnitKind != store.KindDepartment {
			continue
		}
		codes, err := store.SectionCodes(ctx, q, m.OrgUnitID)
		if err != nil {
			return nil, err
		}
		for _, code := range codes {
			out = append(slices.Clip(out), store.Membership{UserID: m.UserID, Role: store.RoleSystem, OrgUnitCode: code, OrgUnitKind: store.KindSection})
		}
	}
	return out, nil
}

// systemScope is the case scope of a system: the cases of its departments' items.
func (a *App) systemScope(ctx context.Context, p *Actor, s *store.CaseScope) error {
	depts := systemDepartments(p)
	if len(depts) == 0 {
		return nil
	}
	units, err := store.UnitsBelow(ctx, a.db, depts)
	if err != nil {
		return err
	}
	s.Within = append(s.Within, units...)
	return nil
}

// keyedSystemUser reads user id, who must be a system user with a department to scope its
// keys to.
func keyedSystemUser(ctx context.Context, q store.Q, id string) (*store.User, error) {
	u, err := systemUser(ctx, q, id)
	if err != nil {
		return nil, err
	}
	ms, err := store.UserMemberships(ctx, q, u.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.Role == store.RoleSystem && m.OrgUnitKind == store.KindDepartment {
			return u, nil
		}
	}
	return nil, refuse(Unprocessable, "no_department", "%s has no department: give it the role system in its department first, which scopes its keys", u.Username).onField("userId")
}

// Codes of key rotation.
const CodeKeyRevoked = "key_revoked" // 409: the key to rotate is revoked or expired

// MaxKeyOverlap is the longest a rotated key keeps working beside its successor.
const MaxKeyOverlap = 30 * 24 * time.Hour

// RotateKeyRequest rotates an API key: a new key, and the old one working for Overlap more.
type RotateKeyRequest struct {
	// Name of the new key (default: the old key's name).
	Name string `json:"name,omitempty" validate:"max=64,plaintext" example:"result push 2026"`
	// Overlap is how long the old key keeps working (a Go duration such as "24h"; default 24h,
	// at most 720h; "0s" stops it at once).
	Overlap string `json:"overlap,omitempty" validate:"max=16" example:"24h"`
}

// RotatedAPIKey answers a rotation: the new key (shown this once) and the old key's record
// with the time it stops working.
type RotatedAPIKey struct {
	NewAPIKey
	Previous store.APIKey `json:"previous"`
}

// RotateAPIKey makes a successor of a system user's key and lets the old one work on for the
// overlap, so that the system switches without a gap (admins).
func (a *App) RotateAPIKey(ctx context.Context, p *Actor, userID, keyID string, in RotateKeyRequest) (*RotatedAPIKey, error) {
	if err := needAdmin(p, "rotating API keys"); err != nil {
		return nil, err
	}
	overlap := 24 * time.Hour
	if in.Overlap != "" {
		d, err := time.ParseDuration(in.Overlap)
		if err != nil || d < 0 || d > MaxKeyOverlap {
			return nil, invalidField("overlap", "must be a duration from 0s to 720h such as 24h, not %q", in.Overlap)
		}
		overlap = d
	}
	now := a.now()
	var out RotatedAPIKey
	err := a.change(ctx, func(tx *sqlx.Tx, box *Outbox) error {
		box.Audit(p, "apikey.rotate", "", "user:"+userID, map[string]any{"key": keyID, "overlap": in.Overlap})
		if _, err := keyedSystemUser(ctx, tx, userID); err != nil {
			return err
		}
		old, err := store.GetAPIKey(ctx, tx, userID, keyID)
		if err != nil {
			return err
		}
		if old.RevokedAt != nil || (old.ExpiresAt != nil && !now.Before(*old.ExpiresAt)) {
			return refuse(Conflict, CodeKeyRevoked, "API key %s (%s) no longer works: make a new key instead", old.Prefix, old.Name)
		}
		name := strings.TrimSpace(in.Name)
		if name == "" {
			name = old.Name
		}
		if err := store.ExpireAPIKey(ctx, tx, userID, keyID, now.Add(overlap)); err != nil {
			return err
		}
		key, rec, err := store.CreateAPIKey(ctx, tx, userID, name)
		if err != nil {
			return err
		}
		prev, err := store.GetAPIKey(ctx, tx, userID, keyID)
		if err != nil {
			return err
		}
		out = RotatedAPIKey{NewAPIKey: NewAPIKey{Key: key, APIKey: *rec}, Previous: *prev}
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.log.Info("API key rotated", "user", userID, "key", keyID, "new", out.APIKey.ID, "overlap", overlap)
	return &out, nil
}

// keyExpired refuses a rotated key past its overlap.
func (a *App) keyExpired(k *store.APIKey) error {
	if k.ExpiresAt != nil && !a.now().Before(*k.ExpiresAt) {
		return invalidToken("the API key was rotated and stopped working at %s: use its successor",
			k.ExpiresAt.In(store.CaseZone).Format("2006-01-02 15:04"))
	}
	return nil
}

// DocumentRequest attaches uploaded files (POST /api/v1/files first) to a case as the result
// documents of one of its steps.
type DocumentRequest struct {
	// TaskID is the step whose result they are; the actor acted on it or may act on it.
	TaskID  string   `json:"taskId" validate:"required,max=512,plaintext" example:"01jd5q3k8m0000000000000100~approval"`
	FileIDs []string `json:"fileIds" validate:"required,min=1,max=20,dive,id"`
	// Name names the documents ("" : each file's name).
	Name string `json:"name,omitempty" validate:"max=128,plaintext" example:"食品经营许可证（正本）"`
}

// AttachDocuments attaches result documents to the case of a step: the uploader attaches
// their own files to a step they completed, hold, or may act on.
func (a *App) AttachDocuments(ctx context.Context, p *Actor, caseID string, in DocumentRequest) ([]store.CaseDocument, error) {
	if !p.IsStaff() {
		return nil, refuse(Forbidden, CodeForbidden, "result documents are attached by the department's staff or system")
	}
	tc, err := a.loadTask(ctx, p, in.TaskID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse(NotFound, "not_found", "no task %s", in.TaskID).onField("taskId")
	}
	if err != nil {
		return nil, err
	}
	if tc.k.ID != internalID(caseID) {
		return nil, store.Invalid("taskId", "task %s is a step of case %s, not of %s", PublicID(tc.t.ID), PublicID(tc.k.ID), caseID)
	}
	if !tc.mayKnow() {
		return nil, tc.noAuthority()
	}
	now := a.now()
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		out.Audit(p, "case.attachDocuments", tc.k.ID, "task:"+tc.t.ID, map[string]any{"files": in.FileIDs, "name": in.Name})
		for _, id := range in.FileIDs {
			f, err := store.GetFile(ctx, tx, id)
			if errors.Is(err, store.ErrNotFound) || (err == nil && f.UploadedBy != p.UserID) {
				return refuse(NotFound, "not_found", "no file %s uploaded by %s: upload it with POST /api/v1/files first", id, p.Username).onField("fileIds")
			}
			if err != nil {
				return err
			}
			d := &store.CaseDocument{CaseID: tc.k.ID, TaskID: tc.t.ID, FileID: id, Name: firstOf(strings.TrimSpace(in.Name), f.Name),
				AttachedBy: p.UserID, AttachedAt: now}
			if err := store.AttachDocument(ctx, tx, d); err != nil {
				return err
			}
		}
		return store.RecordAction(ctx, tx, &store.Action{CaseID: tc.k.ID, TaskID: tc.t.ID, ElementID: tc.t.ElementID, StepKind: deref(tc.t.StepKind),
			Action: store.ActionAttach, ActorID: p.UserID, ActorName: p.DisplayName, Public: true, At: now,
			Detail: map[string]any{"files": anySlice(in.FileIDs)}})
	})
	if err != nil {
		return nil, err
	}
	return a.CaseDocuments(ctx, p, caseID)
}

// CaseDocuments lists the result documents of a case the actor may see.
func (a *App) CaseDocuments(ctx context.Context, p *Actor, caseID string) ([]store.CaseDocument, error) {
	k, err := a.CaseFor(ctx, p, caseID)
	if err != nil {
		return nil, err
	}
	docs, err := store.CaseDocuments(ctx, a.db, k.ID)
	if err != nil {
		return nil, fmt.Errorf("documents of %s: %w", caseID, err)
	}
	for i := range docs {
		docs[i].CaseID, docs[i].TaskID = PublicID(docs[i].CaseID), PublicID(docs[i].TaskID)
	}
	return docs, nil
}
