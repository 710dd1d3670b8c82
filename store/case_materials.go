package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// MaterialInput is a material handed in with an application or a supplement.
type MaterialInput struct {
	// Code is a material code of the item, or OTHER with a Name.
	Code    string   `json:"code" validate:"required,max=64" example:"M01"`
	Name    string   `json:"name,omitempty" validate:"max=200"`
	FileIDs []string `json:"fileIds" validate:"required,min=1,max=20,dive,id" example:"01jd5q3k8m0000000000000200"`
	Note    string   `json:"note,omitempty" validate:"max=500"`
}

// CaseMaterial is one version of one material of a case.
type CaseMaterial struct {
	ID           string     `json:"id"`
	Code         string     `json:"code" example:"M01"`
	Name         string     `json:"name" example:"营业执照申请书"`
	Version      int        `json:"version" example:"1"`
	SupplementID string     `json:"supplementId,omitempty"`
	Note         string     `json:"note,omitempty"`
	AddedBy      string     `json:"addedBy"`
	AddedAt      time.Time  `json:"addedAt"`
	Files        []FileInfo `json:"files"`
}

// checkMaterials checks materials against item version iv: known codes (or OTHER with a
// name), no code twice, files that exist and were uploaded by uploader.
func checkMaterials(ctx context.Context, q Q, iv *ItemVersion, ms []MaterialInput, uploader, field string) error {
	seen := map[string]bool{}
	for i := range ms {
		m := &ms[i]
		f := fmt.Sprintf("%s[%d].", field, i)
		m.Code = strings.TrimSpace(m.Code)
		m.Name = strings.TrimSpace(m.Name)
		if m.Code == OtherMaterial {
			if m.Name == "" {
				return Invalid(f+"name", "a material the item does not list (code %s) needs a name", OtherMaterial)
			}
		} else {
			j := slices.IndexFunc(iv.Materials, func(x Material) bool { return x.Code == m.Code })
			if j < 0 {
				codes := make([]string, len(iv.Materials))
				for k, x := range iv.Materials {
					codes[k] = x.Code
				}
				return Invalid(f+"code", "item %s has no material %q (its materials: %s; use %s for another document)",
					iv.Code, m.Code, strings.Join(codes, ", "), OtherMaterial)
			}
			if m.Name == "" {
				m.Name = iv.Materials[j].Name
			}
			if seen[m.Code] {
				return Invalid(f+"code", "material %s is given twice: list all its files under one entry", m.Code)
			}
			seen[m.Code] = true
		}
		if len(m.FileIDs) == 0 {
			return Invalid(f+"fileIds", "a material needs at least one uploaded file")
		}
		for k, id := range m.FileIDs {
			if slices.Contains(m.FileIDs[:k], id) {
				return Invalid(fmt.Sprintf("%sfileIds[%d]", f, k), "file %s is listed twice", id)
			}
			fi, err := GetFile(ctx, q, id)
			if errors.Is(err, ErrNotFound) {
				return Invalid(fmt.Sprintf("%sfileIds[%d]", f, k), "file %s does not exist: upload it first (POST /api/v1/files)", id)
			}
			if err != nil {
				return err
			}
			if fi.UploadedBy != uploader {
				return Invalid(fmt.Sprintf("%sfileIds[%d]", f, k), "file %s was not uploaded by you", id)
			}
		}
	}
	return nil
}

// addMaterials writes the next version of each material of case caseID.
func addMaterials(ctx context.Context, q Q, caseID string, ms []MaterialInput, supplementID, by string, at time.Time) error {
	others := 0
	for _, m := range ms {
		code := m.Code
		var version int
		if err := q.GetContext(ctx, &version, q.Rebind(`SELECT COALESCE(MAX(version), 0) + 1 FROM case_materials WHERE case_id = ? AND code = ?`),
			caseID, code); err != nil {
			return fmt.Errorf("next version of material %s of case %s: %w", code, caseID, err)
		}
		if code == OtherMaterial {
			// Several unlisted documents in one request are versions of OTHER in order.
			version += others
			others++
		}
		id := NewID()
		_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO case_materials (id, case_id, code, name, version, supplement_id, note, added_by, added_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), id, caseID, code, m.Name, version, nullable(supplementID), m.Note, by, Time(at))
		if err != nil {
			return classify(err, "material %s of case %s", code, caseID)
		}
		for i, f := range m.FileIDs {
			if _, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO case_material_files (material_id, file_id, position) VALUES (?, ?, ?)`),
				id, f, i); err != nil {
				return classify(err, "file %s of material %s of case %s", f, code, caseID)
			}
		}
	}
	return nil
}

// AddCaseMaterials checks ms against the case's item version and writes the next version of
// each (a supplement's materials, with its id). Run it in a Tx.
func AddCaseMaterials(ctx context.Context, q Q, c *Case, ms []MaterialInput, supplementID, by string, at time.Time) error {
	iv, err := GetItemVersion(ctx, q, c.ItemID, c.ItemVersion)
	if err != nil {
		return err
	}
	if err := checkMaterials(ctx, q, iv, ms, by, "materials"); err != nil {
		return err
	}
	return addMaterials(ctx, q, c.ID, ms, supplementID, by, at)
}

// CaseMaterials lists every version of every material of a case, by code then version.
func CaseMaterials(ctx context.Context, q Q, caseID string) ([]CaseMaterial, error) {
	var rows []struct {
		ID           string    `db:"id"`
		Code         string    `db:"code"`
		Name         string    `db:"name"`
		Version      int       `db:"version"`
		SupplementID *string   `db:"supplement_id"`
		Note         string    `db:"note"`
		AddedBy      string    `db:"added_by"`
		AddedAt      time.Time `db:"added_at"`
	}
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT id, code, name, version, supplement_id, note, added_by, added_at
		FROM case_materials WHERE case_id = ? ORDER BY code, version`), caseID)
	if err != nil {
		return nil, fmt.Errorf("materials of case %s: %w", caseID, err)
	}
	var files []struct {
		MaterialID string `db:"material_id"`
		FileInfo
	}
	err = q.SelectContext(ctx, &files, q.Rebind(`SELECT mf.material_id, `+fileColumns+` FROM case_material_files mf
		JOIN case_materials m ON m.id = mf.material_id JOIN files f ON f.id = mf.file_id
		WHERE m.case_id = ? ORDER BY mf.material_id, mf.position`), caseID)
	if err != nil {
		return nil, fmt.Errorf("material files of case %s: %w", caseID, err)
	}
	byMaterial := map[string][]FileInfo{}
	for _, f := range files {
		byMaterial[f.MaterialID] = append(byMaterial[f.MaterialID], f.FileInfo)
	}
	out := make([]CaseMaterial, len(rows))
	for i, r := range rows {
		out[i] = CaseMaterial{ID: r.ID, Code: r.Code, Name: r.Name, Version: r.Version, SupplementID: deref(r.SupplementID),
			Note: r.Note, AddedBy: r.AddedBy, AddedAt: r.AddedAt, Files: byMaterial[r.ID]}
		if out[i].Files == nil {
			out[i].Files = []FileInfo{}
		}
	}
	return out, nil
}
