package app

// Service guides (服务指南): the public rendering of each published item, the version a new
// case starts with, with the org units it names by name. No account needed.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"onewindow/store"
)

// ServiceGuide is an item as applicants read it: its current published version, and the
// departments and sections that handle it by name (the version holds only their ids).
type ServiceGuide struct {
	store.ItemVersion
	// Department is the competent department (主管部门).
	Department GuideUnit `json:"department"`
	// ImplementingBody is the body in whose name the item is done (实施主体).
	ImplementingBody GuideUnit `json:"implementingBody"`
	// LeadSection is the department's section that accepts, decides and delivers.
	LeadSection GuideUnit `json:"leadSection"`
	// CoReviewers are the sections that review in parallel (并联审批), in the item's order.
	CoReviewers []GuideUnit `json:"coReviewers"`
}

// GuideUnit names an org unit for applicants; a section also names its department.
type GuideUnit struct {
	ID   string `json:"id" example:"01jd5q3k8m0000000000000001"`
	Code string `json:"code" example:"zjj-xzsp"`
	Name string `json:"name" example:"行政审批股"`
	// DepartmentName is the name of a section's department ("" for a unit that is no section).
	DepartmentName string `json:"departmentName,omitempty" example:"北流市住房和城乡建设局"`
}

// GuideQuery filters the service guides; zero fields match everything.
type GuideQuery struct {
	DepartmentID string
	Kind         string
	HandlingType string
	// Theme and Level are one of store.ItemThemes and store.ItemLevels (主题, 层级).
	Theme string
	Level string
	// Search is a part of the code or name.
	Search string
	Page   Page
}

// Guides lists the service guides of the published items, by item code.
func (a *App) Guides(ctx context.Context, q GuideQuery) (*List[ServiceGuide], error) {
	offset, err := q.Page.offset()
	if err != nil {
		return nil, err
	}
	vs, err := store.ListCurrentVersions(ctx, a.db, store.ItemFilter{DepartmentID: q.DepartmentID, State: store.ItemPublished,
		Kind: q.Kind, HandlingType: q.HandlingType, Theme: q.Theme, Level: q.Level, Search: q.Search, Limit: q.Page.limit() + 1, Offset: offset})
	if err != nil {
		return nil, err
	}
	units := unitNames{a: a, m: map[string]GuideUnit{}}
	out := make([]ServiceGuide, 0, len(vs))
	for _, v := range vs {
		g, err := units.guide(ctx, v)
		if err != nil {
			return nil, err
		}
		out = append(out, *g)
	}
	return probedPage(out, q.Page, offset), nil
}

// GuideDepartments lists the competent departments of the published items by name: what the
// catalogue can be filtered by.
func (a *App) GuideDepartments(ctx context.Context) ([]GuideUnit, error) {
	ids, err := store.DepartmentsWithPublishedItems(ctx, a.db)
	if err != nil {
		return nil, err
	}
	units := unitNames{a: a, m: map[string]GuideUnit{}}
	out := make([]GuideUnit, 0, len(ids))
	for _, id := range ids {
		u, err := units.unit(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	slices.SortFunc(out, func(x, y GuideUnit) int { return strings.Compare(x.Name, y.Name) })
	return out, nil
}

// Guide reads the service guide of published item id; an item that does not exist or is not
// published has none (not found).
func (a *App) Guide(ctx context.Context, id string) (*ServiceGuide, error) {
	v, err := store.ItemForCase(ctx, a.db, id)
	if errors.Is(err, store.ErrInvalid) {
		return nil, refuse(NotFound, "not_found", "no published item %s: it takes no applications", id)
	}
	if err != nil {
		return nil, err
	}
	units := unitNames{a: a, m: map[string]GuideUnit{}}
	return units.guide(ctx, *v)
}

// unitNames reads the org units guides name, each once.
type unitNames struct {
	a *App
	m map[string]GuideUnit
}

func (u *unitNames) guide(ctx context.Context, v store.ItemVersion) (*ServiceGuide, error) {
	g := &ServiceGuide{ItemVersion: v, CoReviewers: []GuideUnit{}}
	var err error
	if g.Department, err = u.unit(ctx, v.DepartmentID); err != nil {
		return nil, err
	}
	if g.ImplementingBody, err = u.unit(ctx, v.ImplementingBodyID); err != nil {
		return nil, err
	}
	if g.LeadSection, err = u.unit(ctx, v.LeadSectionID); err != nil {
		return nil, err
	}
	for _, id := range v.CoReviewerSectionIDs {
		s, err := u.unit(ctx, id)
		if err != nil {
			return nil, err
		}
		g.CoReviewers = append(g.CoReviewers, s)
	}
	return g, nil
}

func (u *unitNames) unit(ctx context.Context, id string) (GuideUnit, error) {
	if g, ok := u.m[id]; ok || id == "" {
		return g, nil
	}
	ou, err := store.GetOrgUnit(ctx, u.a.db, id)
	if err != nil {
		return GuideUnit{}, fmt.Errorf("org unit of a service guide: %w", err)
	}
	g := GuideUnit{ID: ou.ID, Code: ou.Code, Name: ou.Name}
	if ou.Kind == store.KindSection && ou.ParentID != "" {
		dept, err := u.unit(ctx, ou.ParentID)
		if err != nil {
			return GuideUnit{}, err
		}
		g.DepartmentName = dept.Name
	}
	u.m[id] = g
	return g, nil
}
