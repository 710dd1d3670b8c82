package app

// The delegation report (三集中授权率): how much of a department's authority its grants hand
// to the windows.

import (
	"context"
	"slices"
	"strings"
	"time"

	"onewindow/definitions"
	"onewindow/store"
)

// Step-kind groups of the delegation report: the source reports 100% of the first and 80%+ of
// the second delegated to windows.
var (
	// HandlingStepKinds: acceptance, review, coordination, delivery.
	HandlingStepKinds = []string{definitions.StepAcceptance, definitions.StepReview, definitions.StepCoordination, definitions.StepDelivery}
	// DecisionStepKinds: approval, certification.
	DecisionStepKinds = []string{definitions.StepApproval, definitions.StepCertificate}
)

// covers reports whether grant g covers step kind of item.
func covers(g *store.Grant, kind, itemID string) bool {
	return slices.Contains(g.StepKinds, kind) && (len(g.ItemIDs) == 0 || slices.Contains(g.ItemIDs, itemID))
}

// DelegationShare is the delegated share of a department's items for one
// group of step kinds.
type DelegationShare struct {
	StepKinds []string `json:"stepKinds"`
	// Items counts the items in which the department holds a step of these kinds.
	Items int `json:"items"`
	// Delegated counts those in which every such step is covered by an active grant.
	Delegated int `json:"delegated"`
	// Share is Delegated/Items, 0 when Items is 0.
	Share float64 `json:"share" example:"1"`
}

// StepDelegation is one step kind of one item in a delegation report.
type StepDelegation struct {
	Kind string `json:"kind"`
	// Sections are the department's sections holding the step.
	Sections []string `json:"sections"`
	// GrantIDs are the active grants covering it.
	GrantIDs  []string `json:"grantIds"`
	Delegated bool     `json:"delegated"`
}

// ItemDelegation is one item in a delegation report.
type ItemDelegation struct {
	ItemID string           `json:"itemId"`
	Code   string           `json:"code"`
	Name   string           `json:"name"`
	Steps  []StepDelegation `json:"steps"`
}

// DelegationReport is a department's delegation rate (三集中授权率) at a time.
type DelegationReport struct {
	DepartmentID   string    `json:"departmentId"`
	DepartmentCode string    `json:"departmentCode"`
	DepartmentName string    `json:"departmentName"`
	At             time.Time `json:"at"`
	// Items counts the published items in which the department's sections hold a step.
	Items int `json:"items"`
	// Handling is the share for acceptance, review, coordination and delivery (the source: 100%).
	Handling DelegationShare `json:"handling"`
	// Decision is the share for approval and certification (the source: 80%+).
	Decision DelegationShare `json:"decision"`
	// Rows details every item.
	Rows []ItemDelegation `json:"rows"`
}

// DelegationReport computes the delegation report of department departmentID at time at
// (zero: now) over the published items, for admins and supervisors. An item counts in a
// group's share when the department holds a step of one of the group's kinds in it; it is
// delegated when, for each such kind and each of the department's sections holding it, an
// active grant of that section covers the kind for the item.
func (a *App) DelegationReport(ctx context.Context, p *Actor, departmentID string, at time.Time) (*DelegationReport, error) {
	if err := allowRoles(p, "the delegation report", store.RoleAdmin, store.RoleSupervisor); err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = a.now()
	}
	q := a.db
	dept, err := store.GetOrgUnit(ctx, q, departmentID)
	if err != nil {
		return nil, err
	}
	if dept.Kind != store.KindDepartment {
		return nil, store.Invalid("departmentId", "%s (%s) is a %s, not a department", dept.Name, dept.Code, dept.Kind)
	}
	secs, err := store.ListOrgUnits(ctx, q, store.OrgUnitFilter{ParentID: dept.ID, Kind: store.KindSection})
	if err != nil {
		return nil, err
	}
	idx, items, err := a.ownershipIndex(ctx, q, []string{store.ItemPublished})
	if err != nil {
		return nil, err
	}
	grants, err := store.ListGrants(ctx, q, store.GrantFilter{DepartmentID: dept.ID, ActiveAt: at})
	if err != nil {
		return nil, err
	}
	r := &DelegationReport{DepartmentID: dept.ID, DepartmentCode: dept.Code, DepartmentName: dept.Name, At: store.Time(at), Rows: []ItemDelegation{},
		Handling: DelegationShare{StepKinds: HandlingStepKinds}, Decision: DelegationShare{StepKinds: DecisionStepKinds}}

	// item id → kind → sections holding it
	held := map[string]map[string][]string{}
	for _, s := range secs {
		for itemID, kinds := range idx[s.Code] {
			if held[itemID] == nil {
				held[itemID] = map[string][]string{}
			}
			for _, k := range kinds {
				held[itemID][k] = append(held[itemID][k], s.Code)
			}
		}
	}
	ids := make([]string, 0, len(held))
	for id := range held {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return strings.Compare(items[a].Code, items[b].Code) })
	for _, id := range ids {
		it := items[id]
		row := ItemDelegation{ItemID: id, Code: it.Code, Name: it.Name, Steps: []StepDelegation{}}
		delegated := map[string]bool{}
		for _, k := range definitions.StepKinds {
			sections := held[id][k]
			if len(sections) == 0 {
				continue
			}
			sd := StepDelegation{Kind: k, Sections: sections, GrantIDs: []string{}, Delegated: true}
			for _, sec := range sections {
				covered := false
				for i := range grants {
					if grants[i].SectionCode == sec && covers(&grants[i], k, id) {
						sd.GrantIDs = append(sd.GrantIDs, grants[i].ID)
						covered = true
					}
				}
				sd.Delegated = sd.Delegated && covered
			}
			delegated[k] = sd.Delegated
			row.Steps = append(row.Steps, sd)
		}
		for _, sh := range []*DelegationShare{&r.Handling, &r.Decision} {
			holds, all := false, true
			for _, k := range sh.StepKinds {
				if d, ok := delegated[k]; ok {
					holds = true
					all = all && d
				}
			}
			if holds {
				sh.Items++
				if all {
					sh.Delegated++
				}
			}
		}
		r.Rows = append(r.Rows, row)
	}
	r.Items = len(r.Rows)
	for _, sh := range []*DelegationShare{&r.Handling, &r.Decision} {
		if sh.Items > 0 {
			sh.Share = float64(sh.Delegated) / float64(sh.Items)
		}
	}
	return r, nil
}
