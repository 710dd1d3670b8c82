package app

// The public side of the two disclosures (两公开), for the portal and anyone without an
// account: result publicity (办件结果公示) of the items marked to publish, each item's
// flowchart (权力运行流程图) for a viewer and its process as JSON, and the statistics
// (statistics.go). Nothing here shows personal data: an applicant's name is masked (张*三; an
// organisation's is public), and no certificate number, phone or address is read at all.

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"onewindow/definitions"
	"onewindow/store"
)

// PublicResult is a finished case as result publicity shows it.
type PublicResult struct {
	Number       string `json:"number" example:"20251126-450981-SCJGJ-XK-001-0001"`
	ItemID       string `json:"itemId"`
	ItemCode     string `json:"itemCode" example:"450981-SCJGJ-XK-001"`
	ItemName     string `json:"itemName" example:"食品经营许可"`
	DepartmentID string `json:"departmentId"`
	// Applicant is the applicant's name, masked for a person (张*三), in full for an organisation.
	Applicant string `json:"applicant" example:"张*三"`
	// Decision is approve (准予), reject (不予准予) or refuse (不予受理); Result says it in Chinese.
	Decision   string     `json:"decision" enums:"approve,reject,refuse" example:"approve"`
	Result     string     `json:"result" example:"准予"`
	DecidedAt  *time.Time `json:"decidedAt,omitempty"`
	FinishedAt time.Time  `json:"finishedAt"`
}

// ResultQuery filters result publicity; zero fields do not filter.
type ResultQuery struct {
	ItemID       string
	DepartmentID string
	// Month is a month (2025-11, Beijing time) the cases finished in.
	Month string
	Page  Page
}

// PublicResults lists the finished cases of the items that publish their results, the most
// recently finished first.
func (a *App) PublicResults(ctx context.Context, q ResultQuery) (*List[PublicResult], error) {
	f := store.FinishedFilter{Limit: q.Page.limit() + 1}
	if q.Month != "" {
		from, to, err := monthRange("month", q.Month)
		if err != nil {
			return nil, err
		}
		f.From, f.To = from, to
	}
	var err error
	if f.BeforeAt, f.BeforeID, err = keysetTimeID(q.Page); err != nil {
		return nil, err
	}
	items, err := store.PublishingItems(ctx, a.db, q.DepartmentID)
	if err != nil {
		return nil, err
	}
	if q.ItemID != "" {
		items = slices.DeleteFunc(items, func(id string) bool { return id != q.ItemID })
	}
	f.ItemIDs = items
	rows, err := store.FinishedCases(ctx, a.db, f)
	if err != nil {
		return nil, err
	}
	out := make([]PublicResult, len(rows))
	keys := make(map[string]string, len(rows)) // number → case id, for the cursor
	for i, r := range rows {
		out[i] = PublicResult{Number: r.Number, ItemID: r.ItemID, ItemCode: r.ItemCode, ItemName: r.ItemName, DepartmentID: r.DepartmentID,
			Applicant: MaskName(r.ApplicantName, r.ApplicantKind), Decision: r.Decision, Result: decisionWords[r.Decision].Zh,
			DecidedAt: r.DecidedAt, FinishedAt: r.EndedAt}
		keys[r.Number] = r.ID
	}
	return keysetPage(out, q.Page, func(r PublicResult) []string { return timeIDKey(r.FinishedAt, keys[r.Number]) }), nil
}

// MaskName is a name as the public reads it: an organisation's (legalPerson) in full, a
// person's with all but the first and last characters starred (张*三, 欧阳**锋; 李* for two).
func MaskName(name, kind string) string {
	name = strings.TrimSpace(name)
	if kind == store.ObjectLegalPerson {
		return name
	}
	r := []rune(name)
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// monthRange is the month s (YYYY-MM) of request field field, in Beijing time.
func monthRange(field, s string) (time.Time, time.Time, error) {
	t, err := time.ParseInLocation("2006-01", s, store.CaseZone)
	if err != nil {
		return time.Time{}, time.Time{}, store.Invalid(field, "must be a month such as 2025-11, not %q", s)
	}
	return t, t.AddDate(0, 1, 0), nil
}

// publishedItem reads the current published version of item id; an item that does not exist
// or is not published has none (not found).
func (a *App) publishedItem(ctx context.Context, id string) (*store.ItemVersion, error) {
	v, err := store.ItemForCase(ctx, a.db, id)
	if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrNotFound) {
		return nil, refuse(NotFound, "not_found", "no published item %s", id)
	}
	return v, err
}

// ItemFlowchart returns the BPMN XML of the flowchart (权力运行流程图) a published item's cases
// run, with its diagram, for the portal's viewer (bpmn-js).
func (a *App) ItemFlowchart(ctx context.Context, id string) ([]byte, error) {
	v, err := a.publishedItem(ctx, id)
	if err != nil {
		return nil, err
	}
	d, err := store.GetDefinition(ctx, a.db, v.DefinitionKey, v.DefinitionVersion)
	if err != nil {
		return nil, err
	}
	return d.XML, nil
}

// ProcessStep is one step of an item's process as the public reads it.
type ProcessStep struct {
	Element  string `json:"element" example:"approval"`
	Name     string `json:"name" example:"审批"`
	StepKind string `json:"stepKind,omitempty" example:"approval"`
	// LimitDays is the step's own limit in working days (absent: none of its own).
	LimitDays float64 `json:"limitDays,omitempty" example:"3"`
	// Units are the org units that work the step (a village step: the applicant's station).
	Units []GuideUnit `json:"units"`
	// Countersign is set for a step every co-reviewing department signs (会签).
	Countersign string `json:"countersign,omitempty" example:"all"`
}

// ItemProcess is the process (权力运行流程) of a published item: its steps in order, who works
// each, and the limits.
type ItemProcess struct {
	ItemID            string        `json:"itemId"`
	ItemCode          string        `json:"itemCode"`
	ItemName          string        `json:"itemName"`
	DefinitionKey     string        `json:"definitionKey" example:"std-promised"`
	DefinitionVersion int           `json:"definitionVersion" example:"1"`
	HandlingType      string        `json:"handlingType" example:"promised"`
	PromisedDays      float64       `json:"promisedDays" example:"10"`
	StatutoryDays     float64       `json:"statutoryDays" example:"20"`
	Steps             []ProcessStep `json:"steps"`
}

// ItemProcess describes the process of published item id.
func (a *App) ItemProcess(ctx context.Context, id string) (*ItemProcess, error) {
	v, err := a.publishedItem(ctx, id)
	if err != nil {
		return nil, err
	}
	f, err := a.flow(ctx, v.DefinitionKey, v.DefinitionVersion)
	if err != nil {
		return nil, err
	}
	codes := map[string]string{}
	if err := store.UnitCodes(ctx, a.db, store.ItemUnits(&v.ItemContent), codes); err != nil {
		return nil, err
	}
	vars := store.StartVars(&v.ItemContent, v.ItemID, v.Version, codes, store.CaseStart{Channel: firstOf(v.Channels...)}, "")
	out := &ItemProcess{ItemID: v.ItemID, ItemCode: v.Code, ItemName: v.Name, DefinitionKey: v.DefinitionKey, DefinitionVersion: v.DefinitionVersion,
		HandlingType: v.HandlingType, PromisedDays: v.PromisedDays, StatutoryDays: v.StatutoryDays, Steps: []ProcessStep{}}
	units := unitNames{a: a, m: map[string]GuideUnit{}}
	for _, n := range f.proc.Nodes {
		if n.Kind != definitions.UserTask {
			continue
		}
		s := ProcessStep{Element: n.ID, Name: firstOf(n.Name, n.ID), Units: []GuideUnit{}}
		if n.Step != nil {
			s.StepKind, s.LimitDays, s.Countersign = n.Step.Kind, v.StepLimit(n.ID, n.Step.LimitDays), n.Step.Countersign
		}
		for _, code := range stepGroups(n, vars) {
			if code == "" {
				s.Units = append(s.Units, GuideUnit{Name: "申请人所在村（社区）便民服务站"})
				continue
			}
			u, err := store.GetOrgUnitByCode(ctx, a.db, code)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			g, err := units.unit(ctx, u.ID)
			if err != nil {
				return nil, err
			}
			s.Units = append(s.Units, g)
		}
		out.Steps = append(out.Steps, s)
	}
	return out, nil
}

// stepGroups are the org unit codes that work user task n of a case started with vars: its
// candidate groups, a "${name}" read from the variables, the element variable of a
// multi-instance step from its collection. A group the variables leave empty (a station, known
// only when a case is submitted) is "".
func stepGroups(n *definitions.Node, vars map[string]any) []string {
	if n.Assignment == nil {
		return nil
	}
	var out []string
	for _, g := range n.Assignment.CandidateGroups {
		name, isVar := strings.CutPrefix(g, "${")
		if !isVar {
			out = append(out, g)
			continue
		}
		name = strings.TrimSuffix(name, "}")
		if n.Loop != nil && n.Loop.ElementVariable == name {
			name = strings.TrimSuffix(strings.TrimPrefix(n.Loop.Collection, "${"), "}")
		}
		out = append(out, stringList(vars[name])...)
		if vars[name] == nil || vars[name] == "" {
			out = append(out, "")
		}
	}
	return out
}
