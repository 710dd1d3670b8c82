package app

// Definitions (权力运行流程图) as designers read and publish them: the processes, their
// versions, a version's model and its original bytes. Deploying is deploy.go's.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions"
	"onewindow/store"
)

// DefinitionVersionInfo is one stored version of a process, without its XML.
type DefinitionVersionInfo struct {
	Key     string `json:"key" example:"approval"`
	Version int    `json:"version" example:"1"`
	// Kind is bpmn for a process (the key is its id), dmn for a decision (the key is the
	// decision's id, the file its .dmn file).
	Kind         string                `json:"kind" enums:"bpmn,dmn" example:"bpmn"`
	Name         string                `json:"name" example:"企业投资项目备案"`
	Hash         string                `json:"hash" example:"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`
	FileName     string                `json:"fileName" example:"approval.bpmn"`
	State        string                `json:"state" enums:"draft,published" example:"draft"`
	DeploymentID string                `json:"deploymentId" example:"01jd5q3k8m0000000000000000"`
	Warnings     []definitions.Problem `json:"warnings"`
	CreatedBy    string                `json:"createdBy" example:"01jd5q3k8m0000000000000000"`
	CreatedAt    time.Time             `json:"createdAt"`
	PublishedBy  string                `json:"publishedBy,omitempty" example:"01jd5q3k8m0000000000000000"`
	PublishedAt  *time.Time            `json:"publishedAt,omitempty"`
	// CreatedByName and PublishedByName are the display names of those users (in the list of
	// versions), so that a designer, who may not read accounts, sees who rather than an id.
	CreatedByName   string `json:"createdByName,omitempty" example:"流程设计员"`
	PublishedByName string `json:"publishedByName,omitempty" example:"流程设计员"`
}

func versionInfo(d *store.DefinitionVersion) DefinitionVersionInfo {
	v := DefinitionVersionInfo{
		Key: d.Key, Version: d.Version, Kind: d.Kind, Name: d.Name, Hash: d.Hash, FileName: d.FileName, State: d.State,
		DeploymentID: d.DeploymentID, Warnings: []definitions.Problem{}, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt,
	}
	if len(d.Warnings) > 0 {
		// Stored by the deployment from the same type; a row that does not decode shows no
		// warnings rather than failing the read.
		_ = json.Unmarshal(d.Warnings, &v.Warnings)
	}
	if d.PublishedBy.Valid {
		v.PublishedBy = d.PublishedBy.String
	}
	if d.PublishedAt.Valid {
		at := d.PublishedAt.Time
		v.PublishedAt = &at
	}
	return v
}

// Definitions lists the processes with their latest and published versions, by key.
func (a *App) Definitions(ctx context.Context, p *Actor, page Page) (*List[store.DefinitionSummary], error) {
	if err := allowRoles(p, "the definitions", designerRoles...); err != nil {
		return nil, err
	}
	offset, err := page.offset()
	if err != nil {
		return nil, err
	}
	list, err := store.ListDefinitions(ctx, a.db, page.limit()+1, offset)
	if err != nil {
		return nil, err
	}
	return probedPage(list, page, offset), nil
}

// DefinitionVersions lists the versions of process key, newest first.
func (a *App) DefinitionVersions(ctx context.Context, p *Actor, key string, page Page) (*List[DefinitionVersionInfo], error) {
	if err := allowRoles(p, "the definitions", designerRoles...); err != nil {
		return nil, err
	}
	offset, err := page.offset()
	if err != nil {
		return nil, err
	}
	versions, err := store.ListDefinitionVersions(ctx, a.db, key, page.limit()+1, offset)
	if err != nil {
		return nil, err
	}
	if len(versions) == 0 && offset == 0 {
		return nil, refuse(NotFound, "not_found", "no process %q has been deployed", key)
	}
	out := make([]DefinitionVersionInfo, len(versions))
	names := map[string]string{}
	for i := range versions {
		out[i] = versionInfo(&versions[i])
		if out[i].CreatedByName, err = a.userName(ctx, names, out[i].CreatedBy); err != nil {
			return nil, err
		}
		if out[i].PublishedByName, err = a.userName(ctx, names, out[i].PublishedBy); err != nil {
			return nil, err
		}
	}
	return probedPage(out, page, offset), nil
}

// userName is the display name of user id, read once per names (the cache of one answer). An
// id that names no account (the demo's and migrations' "system") is shown as it is.
func (a *App) userName(ctx context.Context, names map[string]string, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	if n, ok := names[id]; ok {
		return n, nil
	}
	u, err := store.GetUser(ctx, a.db, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		names[id] = id
	case err != nil:
		return "", fmt.Errorf("name of user %s: %w", id, err)
	default:
		names[id] = u.DisplayName
		if names[id] == "" {
			names[id] = u.Username
		}
	}
	return names[id], nil
}

// DefinitionModel is a stored version with a summary of its process model, or for a
// decision, of the decisions of its .dmn file.
type DefinitionModel struct {
	DefinitionVersionInfo
	Process ProcessSummary `json:"process"`
	Nodes   []NodeSummary  `json:"nodes"`
	Flows   []FlowSummary  `json:"flows"`
	// Decisions lists the decisions of a decision's .dmn file (kind dmn).
	Decisions []DecisionSummary `json:"decisions,omitempty"`
}

// DecisionSummary is one decision of a .dmn file: its id, name, logic and requirements.
type DecisionSummary struct {
	ID   string `json:"id" example:"reviewers"`
	Name string `json:"name,omitempty" example:"会审部门"`
	// Logic is the kind of its decision logic: decisionTable, literalExpression, context, ...
	Logic string `json:"logic,omitempty" example:"decisionTable"`
	// HitPolicy is a decision table's hit policy.
	HitPolicy string `json:"hitPolicy,omitempty" example:"COLLECT"`
	// Requires lists the decisions and input data it requires, by reference.
	Requires []string `json:"requires,omitempty"`
	Line     int      `json:"line" example:"12"`
	Column   int      `json:"column" example:"3"`
}

// ProcessSummary names the process of a version.
type ProcessSummary struct {
	ID   string `json:"id" example:"approval"`
	Name string `json:"name,omitempty" example:"企业投资项目备案"`
}

// NodeSummary is one flow node, in document order; parent is the containing sub-process (""
// at process level).
type NodeSummary struct {
	ID             string                         `json:"id" example:"review"`
	Kind           string                         `json:"kind" example:"userTask"`
	Name           string                         `json:"name,omitempty" example:"部门审查"`
	Parent         string                         `json:"parent,omitempty"`
	Line           int                            `json:"line" example:"12"`
	Column         int                            `json:"column" example:"3"`
	Step           *definitions.Step              `json:"step,omitempty"`
	Assignment     *definitions.Assignment        `json:"assignment,omitempty"`
	Loop           *definitions.Loop              `json:"loop,omitempty"`
	Events         []*definitions.EventDefinition `json:"events,omitempty"`
	AttachedTo     string                         `json:"attachedTo,omitempty"`
	CancelActivity *bool                          `json:"cancelActivity,omitempty"`
	CalledElement  string                         `json:"calledElement,omitempty"`
	Implementation string                         `json:"implementation,omitempty"`
	Clock          string                         `json:"clock,omitempty"`
	Default        string                         `json:"default,omitempty"`
	Documentation  string                         `json:"documentation,omitempty"`
}

// FlowSummary is one sequence flow, in document order.
type FlowSummary struct {
	ID        string `json:"id" example:"f3"`
	Name      string `json:"name,omitempty"`
	Source    string `json:"source" example:"review"`
	Target    string `json:"target" example:"approve"`
	Parent    string `json:"parent,omitempty"`
	Condition string `json:"condition,omitempty" example:"${countersignResult == 'agreed'}"`
	// Default marks the default flow of its source.
	Default bool `json:"default,omitempty"`
}

// DefinitionModel reads version version of process key with a summary of its model: nodes,
// flows, warnings.
func (a *App) DefinitionModel(ctx context.Context, p *Actor, key string, version int) (*DefinitionModel, error) {
	d, err := a.DefinitionVersion(ctx, p, key, version)
	if err != nil {
		return nil, err
	}
	if d.Kind == store.KindDMN {
		return decisionModel(d)
	}
	f, err := a.flowOf(d)
	if err != nil {
		// Stored bytes passed the same parser at deployment.
		return nil, fmt.Errorf("definition %s v%d no longer parses: %w", d.Key, d.Version, err)
	}
	proc := f.proc
	m := &DefinitionModel{
		DefinitionVersionInfo: versionInfo(d),
		Process:               ProcessSummary{ID: proc.ID, Name: proc.Name},
		Nodes:                 make([]NodeSummary, 0, len(proc.Nodes)),
		Flows:                 make([]FlowSummary, 0, len(proc.Flows)),
	}
	defaults := map[string]bool{}
	for _, n := range proc.Nodes {
		s := NodeSummary{ID: n.ID, Kind: string(n.Kind), Name: n.Name, Parent: n.Parent, Line: n.Line, Column: n.Column,
			Step: n.Step, Assignment: n.Assignment, Loop: n.Loop, Events: n.Events, AttachedTo: n.AttachedTo,
			CalledElement: n.CalledElement, Implementation: n.Implementation, Clock: n.Clock, Default: n.Default,
			Documentation: n.Documentation}
		if n.Kind == definitions.BoundaryEvent {
			cancel := n.CancelActivity
			s.CancelActivity = &cancel
		}
		if n.Default != "" {
			defaults[n.Default] = true
		}
		m.Nodes = append(m.Nodes, s)
	}
	for _, f := range proc.Flows {
		m.Flows = append(m.Flows, FlowSummary{ID: f.ID, Name: f.Name, Source: f.Source, Target: f.Target, Parent: f.Parent,
			Condition: f.Condition, Default: defaults[f.ID]})
	}
	return m, nil
}

// DefinitionVersion reads version version of process key with its original bytes.
func (a *App) DefinitionVersion(ctx context.Context, p *Actor, key string, version int) (*store.DefinitionVersion, error) {
	if err := allowRoles(p, "the definitions", designerRoles...); err != nil {
		return nil, err
	}
	return store.GetDefinition(ctx, a.db, key, version)
}

// PublishDefinition publishes version version of process key: new cases and call activities
// start the latest published version, and a published version never changes. Publishing it
// again changes nothing.
func (a *App) PublishDefinition(ctx context.Context, p *Actor, key string, version int) (*DefinitionVersionInfo, error) {
	if err := allowRoles(p, "publishing definitions", designerRoles...); err != nil {
		return nil, err
	}
	var d *store.DefinitionVersion
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) (err error) {
		if d, err = store.PublishDefinition(ctx, tx, key, version, p.UserID); err != nil {
			return err
		}
		out.Audit(p, "definition.publish", "", fmt.Sprintf("definition:%s/%d", key, version), versionInfo(d))
		return nil
	})
	if err != nil {
		return nil, err
	}
	v := versionInfo(d)
	return &v, nil
}
