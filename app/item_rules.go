package app

// The rules of the catalogue (事项目录): what an item's content must hold, the flow it runs,
// and the steps that flow gives a case of the item.

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"onewindow/definitions"
	"onewindow/definitions/standard"
	"onewindow/engine/machine"
	"onewindow/store"
)

var (
	itemCodeRE     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	materialCodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)
)

// checkItem checks an item's content against the catalogue's rules and the database (org
// units, the definition it runs) and completes it: it fills in ImplementingBodyID (the
// department) and material counts of 0 (1). A broken rule is a *store.InvalidError naming
// the field by its JSON path, e.g. "materials[2].code", "promisedDays", "definitionKey".
func (a *App) checkItem(ctx context.Context, q store.Q, c *store.ItemContent) error {
	c.Normalize()
	c.Code, c.Name = strings.TrimSpace(c.Code), strings.TrimSpace(c.Name)
	if !itemCodeRE.MatchString(c.Code) {
		return store.Invalid("code", "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	if c.Name == "" || len([]rune(c.Name)) > 128 {
		return store.Invalid("name", "is required, at most 128 characters")
	}
	if !slices.Contains(store.ItemKinds, c.Kind) {
		return store.Invalid("kind", "must be one of %s", strings.Join(store.ItemKinds, ", "))
	}
	if !slices.Contains(store.HandlingTypes, c.HandlingType) {
		return store.Invalid("handlingType", "must be immediate or promised")
	}
	for i, o := range c.ServiceObjects {
		if !slices.Contains(store.ServiceObjects, o) {
			return store.Invalid(fmt.Sprintf("serviceObjects[%d]", i), "must be one of %s", strings.Join(store.ServiceObjects, ", "))
		}
	}
	if strings.TrimSpace(c.LegalBasis) == "" {
		return store.Invalid("legalBasis", "is required: the law or regulation that sets up the item")
	}

	// Time limits.
	if c.StatutoryDays < 0 || c.PromisedDays < 0 {
		field := "statutoryDays"
		if c.PromisedDays < 0 {
			field = "promisedDays"
		}
		return store.Invalid(field, "cannot be negative")
	}
	if c.PromisedDays > c.StatutoryDays {
		return store.Invalid("promisedDays", "the promised limit (%g working days) is longer than the statutory limit (%g working days)", c.PromisedDays, c.StatutoryDays)
	}
	if c.HandlingType == store.HandlingImmediate && c.PromisedDays != 0 {
		return store.Invalid("promisedDays", "an immediate item is done on the spot: its promised limit is 0, not %g", c.PromisedDays)
	}
	if c.HandlingType == store.HandlingPromised && c.PromisedDays <= 0 {
		return store.Invalid("promisedDays", "a promised item needs a promised limit of more than 0 working days")
	}
	if c.WarnDays > c.PromisedDays {
		return store.Invalid("warnDays", "the warning (%g working days before the limit) would come before the promised limit of %g working days starts", c.WarnDays, c.PromisedDays)
	}
	for i, p := range c.SpecialProcedures {
		if strings.TrimSpace(p.Name) == "" {
			return store.Invalid(fmt.Sprintf("specialProcedures[%d].name", i), "is required")
		}
		if p.LimitDays < 0 {
			return store.Invalid(fmt.Sprintf("specialProcedures[%d].limitDays", i), "cannot be negative")
		}
	}
	if c.OnSiteVisits < 0 || c.OnSiteVisits > 5 {
		return store.Invalid("onSiteVisits", "must be from 0 to 5")
	}

	// Materials: codes unique within the item.
	seen := map[string]int{}
	for i := range c.Materials {
		m := &c.Materials[i]
		f := fmt.Sprintf("materials[%d].", i)
		m.Code, m.Name = strings.TrimSpace(m.Code), strings.TrimSpace(m.Name)
		if !materialCodeRE.MatchString(m.Code) {
			return store.Invalid(f+"code", "must be 1-32 letters, digits, '.', '_' or '-', starting with a letter or digit")
		}
		if j, dup := seen[m.Code]; dup {
			return store.Invalid(f+"code", "duplicate material code %q (materials[%d] has it too)", m.Code, j)
		}
		seen[m.Code] = i
		if m.Name == "" {
			return store.Invalid(f+"name", "is required")
		}
		if !slices.Contains(store.MaterialForms, m.Form) {
			return store.Invalid(f+"form", "must be one of %s", strings.Join(store.MaterialForms, ", "))
		}
		if m.Count < 1 || m.Count > 99 {
			return store.Invalid(f+"count", "must be from 1 to 99")
		}
		if !slices.Contains(store.Requirements, m.Requirement) {
			return store.Invalid(f+"requirement", "must be required or conditional")
		}
		if m.Requirement == store.RequirementConditional && strings.TrimSpace(m.Condition) == "" {
			return store.Invalid(f+"condition", "a conditional material says when it is required")
		}
	}
	for i, fee := range c.Fees {
		if strings.TrimSpace(fee.Name) == "" || strings.TrimSpace(fee.Standard) == "" {
			return store.Invalid(fmt.Sprintf("fees[%d]", i), "a fee needs a name and a standard")
		}
	}

	// Channels and contacts.
	if len(c.Channels) == 0 {
		return store.Invalid("channels", "name at least one of %s", strings.Join(store.Channels, ", "))
	}
	for i, ch := range c.Channels {
		if !slices.Contains(store.Channels, ch) {
			return store.Invalid(fmt.Sprintf("channels[%d]", i), "must be one of %s", strings.Join(store.Channels, ", "))
		}
		if slices.Index(c.Channels, ch) != i {
			return store.Invalid(fmt.Sprintf("channels[%d]", i), "%s is listed twice", ch)
		}
	}
	if strings.TrimSpace(c.Enquiry.Phone) == "" {
		return store.Invalid("enquiry.phone", "is required: where applicants enquire")
	}
	if strings.TrimSpace(c.Complaint.Phone) == "" {
		return store.Invalid("complaint.phone", "is required: where applicants complain")
	}

	// Org units.
	dept, err := store.UnitOfKind(ctx, q, "departmentId", c.DepartmentID, store.KindDepartment)
	if err != nil {
		return err
	}
	if _, err := store.UnitOfKind(ctx, q, "implementingBodyId", c.ImplementingBodyID, store.KindGovernment, store.KindDepartment, store.KindCentre, store.KindStation); err != nil {
		return err
	}
	lead, err := store.UnitOfKind(ctx, q, "leadSectionId", c.LeadSectionID, store.KindSection)
	if err != nil {
		return err
	}
	if lead.ParentID != dept.ID {
		return store.Invalid("leadSectionId", "%s (%s) is not a section of the competent department %s", lead.Name, lead.Code, dept.Name)
	}
	for i, id := range c.CoReviewerSectionIDs {
		f := fmt.Sprintf("coReviewerSectionIds[%d]", i)
		if _, err := store.UnitOfKind(ctx, q, f, id, store.KindSection); err != nil {
			return err
		}
		if slices.Index(c.CoReviewerSectionIDs, id) != i {
			return store.Invalid(f, "section %s is listed twice", id)
		}
	}

	// The flow: a published definition, and what the standard flows need.
	if err := a.checkItemFlow(ctx, q, c); err != nil {
		return err
	}
	return nil
}

// checkItemFlow checks the flow item content c runs: a published definition that fits a
// standard flow's needs, step limits of its user tasks, candidate groups an item resolves.
func (a *App) checkItemFlow(ctx context.Context, q store.Q, c *store.ItemContent) error {
	if c.DefinitionKey == "" {
		return store.Invalid("definitionKey", "is required: a standard flow (%s) or a published definition", strings.Join(standardKeys(), ", "))
	}
	if c.DefinitionVersion < 0 {
		return store.Invalid("definitionVersion", "cannot be negative")
	}
	fl, err := a.boundFlow(ctx, q, c.DefinitionKey, c.DefinitionVersion)
	if err != nil {
		return err
	}
	p := fl.proc
	if f, ok := standard.Get(c.DefinitionKey); ok {
		if c.HandlingType != f.HandlingType {
			return store.Invalid("handlingType", "the standard flow %s is for %s items, not %s ones", f.Key, f.HandlingType, c.HandlingType)
		}
		switch f.Key {
		case standard.Parallel:
			if len(c.CoReviewerSectionIDs) < 2 {
				return store.Invalid("coReviewerSectionIds", "parallel approval needs the sections of at least two co-reviewing departments")
			}
		default:
			if len(c.CoReviewerSectionIDs) > 0 {
				return store.Invalid("coReviewerSectionIds", "the standard flow %s has no parallel review; co-reviewers are for %s", f.Key, standard.Parallel)
			}
		}
		if f.Key == standard.Proxy && !slices.Contains(c.Channels, store.ChannelStation) {
			return store.Invalid("channels", "the village proxy flow %s needs the channel station", f.Key)
		}
	}
	// Step limits name user tasks of the flow.
	tasks := map[string]bool{}
	var names []string
	for _, n := range p.Nodes {
		if n.Kind == definitions.UserTask {
			tasks[n.ID] = true
			names = append(names, n.ID)
		}
	}
	for _, el := range slices.Sorted(maps.Keys(c.StepLimits)) {
		d := c.StepLimits[el]
		f := "stepLimits." + el
		if !tasks[el] {
			return store.Invalid(f, "the flow %s has no user task %q (its tasks: %s)", c.DefinitionKey, el, strings.Join(names, ", "))
		}
		if d <= 0 {
			return store.Invalid(f, "must be more than 0 working days")
		}
		if c.PromisedDays > 0 && d > c.PromisedDays {
			return store.Invalid(f, "%g working days exceed the item's promised limit of %g", d, c.PromisedDays)
		}
	}
	// Every candidate group of the flow can be resolved from the start
	// variables the item provides (a custom flow may read a variable no
	// item sets).
	vars := previewVars(c)
	for _, n := range p.Nodes {
		if n.Kind != definitions.UserTask || n.Assignment == nil {
			continue
		}
		if _, err := machine.CandidateGroups(n, vars); err != nil {
			return store.Invalid("definitionKey", "task %s of %s: its candidate groups cannot be resolved from an item's start variables (docs/standard-flows.md): %v",
				n.ID, c.DefinitionKey, err)
		}
	}
	return nil
}

// previewVars are start variables for checking a flow against an item before any case: org
// units by id (codes are resolved at case start).
func previewVars(c *store.ItemContent) map[string]any {
	return store.StartVars(c, "", 0, nil, store.CaseStart{Channel: store.ChannelWindow}, "")
}

// ItemStep is one user task of an item's flow as a case of the item will see it.
type ItemStep struct {
	Element string `json:"element" example:"acceptance"`
	Name    string `json:"name" example:"受理"`
	// Kind is the task's ow:stepKind ("" when it has none).
	Kind string `json:"kind" example:"acceptance"`
	// LimitDays is the step's limit: the item's override or the flow's ow:timeLimit.
	LimitDays float64 `json:"limitDays" example:"1"`
	// Groups are the task's candidate groups (org unit codes) for a case of the item; groups
	// that depend on the case (a station) are missing.
	Groups []string `json:"groups" example:"fgj-xzsp"`
	// MultiInstance marks one task per group (a countersign).
	MultiInstance bool `json:"multiInstance"`
}

// stepReader reads the steps of many items' flows, resolving each definition and org unit
// once: a grant's check and the delegation report read every item's.
type stepReader struct {
	a     *App
	q     store.Q
	flows map[string]*flow // by key and version asked (0: the latest published)
	codes map[string]string
}

func (a *App) stepReader(q store.Q) *stepReader {
	return &stepReader{a: a, q: q, flows: map[string]*flow{}, codes: map[string]string{}}
}

// steps lists the user tasks of the flow c runs (its pinned definition version, or the latest
// published one) with the candidate groups they get from c's start variables, in document
// order.
func (r *stepReader) steps(ctx context.Context, c *store.ItemContent) ([]ItemStep, error) {
	asked := fmt.Sprintf("%s\x00%d", c.DefinitionKey, c.DefinitionVersion)
	f := r.flows[asked]
	if f == nil {
		var err error
		if f, err = r.a.boundFlow(ctx, r.q, c.DefinitionKey, c.DefinitionVersion); err != nil {
			return nil, err
		}
		r.flows[asked] = f
	}
	if err := store.UnitCodes(ctx, r.q, store.ItemUnits(c), r.codes); err != nil {
		return nil, err
	}
	vars := store.StartVars(c, "", 0, r.codes, store.CaseStart{Channel: store.ChannelWindow}, "")
	out := []ItemStep{}
	for _, n := range f.proc.Nodes {
		if n.Kind != definitions.UserTask {
			continue
		}
		s := ItemStep{Element: n.ID, Name: n.Name, Groups: []string{}, MultiInstance: n.Loop != nil && n.Loop.MultiInstance}
		var flowDays float64
		if n.Step != nil {
			s.Kind, flowDays = n.Step.Kind, n.Step.LimitDays
		}
		s.LimitDays = c.StepLimit(n.ID, flowDays)
		if g, err := machine.CandidateGroups(n, vars); err == nil && g != nil {
			s.Groups = g
		}
		out = append(out, s)
	}
	return out, nil
}
