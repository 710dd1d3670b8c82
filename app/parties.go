package app

// Whom a case concerns (e-supervision's attribution). An alert, a rating and a complaint are
// recorded with the item, department, window and person they concern, so that scorecards
// count them and the right people hear of them:
//   - the department is the department of the task's candidate-group section for a step (a
//     co-reviewing department's countersign concerns that department), else the case's
//     competent department (variables department, leadSection), else its item's department;
//   - the person is the task's assignee for a step, else the assignee of the case's oldest
//     assigned open task; for an evaluation (servedBy) the clerk responsible for the case:
//     who completed its acceptance (首问负责), else who holds or held it, else the last person
//     who held one of its tasks;
//   - the window is the window its acceptance was completed at under a department's
//     delegation, else the window of the clerk who completed or holds its acceptance, else
//     the window it was submitted at, else the person's window.

import (
	"context"
	"encoding/json"
	"errors"

	"onewindow/store"
)

// parties are whom a case, or one of its tasks, concerns ("" when unknown).
type parties struct {
	ItemID       string
	DepartmentID string
	WindowID     string
	PersonID     string
	// Groups are the candidate groups (org unit codes) of the tasks concerned.
	Groups []string
	// vars are the case's variables.
	vars map[string]any
}

// partiesOf returns whom case caseID, or its task taskID (when not ""), concerns.
func (a *App) partiesOf(ctx context.Context, q store.Q, caseID, taskID string) (*parties, error) {
	row, err := store.GetCaseState(ctx, q, caseID)
	if err != nil {
		return nil, err
	}
	p := &parties{vars: map[string]any{}}
	_ = json.Unmarshal(row.Variables, &p.vars)
	if p.ItemID, err = store.CaseItemID(ctx, q, caseID); err != nil {
		return nil, err
	}
	if taskID != "" {
		t, err := store.GetTask(ctx, q, taskID)
		if err != nil {
			return nil, err
		}
		p.PersonID = deref(t.Assignee)
		if _, p.Groups, err = store.TaskCandidates(ctx, q, taskID); err != nil {
			return nil, err
		}
	} else {
		holders, err := store.CaseHolders(ctx, q, caseID, true)
		if err != nil {
			return nil, err
		}
		if len(holders) > 0 {
			p.PersonID = holders[0]
		}
		if p.Groups, err = store.OpenTaskGroups(ctx, q, caseID); err != nil {
			return nil, err
		}
	}
	if p.DepartmentID, err = a.caseDepartment(ctx, q, caseID, p, taskID != ""); err != nil {
		return nil, err
	}
	if p.WindowID, err = a.servingWindow(ctx, q, caseID, p.PersonID); err != nil {
		return nil, err
	}
	return p, nil
}

// caseDepartment is the department a case concerns: with forTask, that of its task's
// candidate groups first; then the competent department its variables name; then its item's.
func (a *App) caseDepartment(ctx context.Context, q store.Q, caseID string, p *parties, forTask bool) (string, error) {
	var codes []string
	if forTask {
		codes = append(codes, p.Groups...)
	}
	codes = append(codes, varString(p.vars, "department"), varString(p.vars, "leadSection"))
	for _, code := range codes {
		if dept, err := departmentOfCode(ctx, q, code); err != nil || dept != "" {
			return dept, err
		}
	}
	return store.CaseItemDepartment(ctx, q, caseID)
}

// departmentOfCode returns the department of the unit with code: the unit itself when it is
// a department, its parent when it is a section; "" otherwise.
func departmentOfCode(ctx context.Context, q store.Q, code string) (string, error) {
	if code == "" {
		return "", nil
	}
	u, err := store.GetOrgUnitByCode(ctx, q, code)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	case u.Kind == store.KindDepartment:
		return u.ID, nil
	case u.Kind == store.KindSection:
		return u.ParentID, nil
	}
	return "", nil
}

// servingWindow returns the window that serves a case (see the top of the file).
func (a *App) servingWindow(ctx context.Context, q store.Q, caseID, person string) (string, error) {
	acc, err := store.CaseAcceptances(ctx, q, caseID)
	if err != nil {
		return "", err
	}
	var users []string
	for _, x := range acc {
		if x.WindowID != nil && *x.WindowID != "" {
			return *x.WindowID, nil
		}
		users = append(users, x.ActorID)
	}
	holders, err := store.AcceptanceHolders(ctx, q, caseID)
	if err != nil {
		return "", err
	}
	for _, u := range append(users, holders...) {
		if w, err := store.UserWindow(ctx, q, u); err != nil || w != "" {
			return w, err
		}
	}
	window, _, err := store.CaseCounter(ctx, q, caseID)
	if err != nil || window != "" {
		return window, err
	}
	if person != "" {
		return store.UserWindow(ctx, q, person)
	}
	return "", nil
}

// servedBy returns whom a case concerns for its evaluation (a rating, a complaint), with the
// clerk responsible for it as the person.
func (a *App) servedBy(ctx context.Context, q store.Q, caseID string) (*parties, error) {
	p, err := a.partiesOf(ctx, q, caseID, "")
	if err != nil {
		return nil, err
	}
	acc, err := store.CaseAcceptances(ctx, q, caseID)
	if err != nil {
		return nil, err
	}
	var people []string
	for _, x := range acc {
		people = append(people, x.ActorID)
	}
	holders, err := store.CaseHolders(ctx, q, caseID, false)
	if err != nil {
		return nil, err
	}
	if people = append(people, holders...); len(people) > 0 {
		p.PersonID = people[0]
	}
	if p.WindowID == "" && p.PersonID != "" {
		if p.WindowID, err = a.servingWindow(ctx, q, caseID, p.PersonID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// varString reads a string variable ("" when absent or not a string).
func varString(vars map[string]any, name string) string {
	s, _ := vars[name].(string)
	return s
}

// optional is s as a nullable column ("" is nil).
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
