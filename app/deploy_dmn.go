package app

// Deploying decisions (决策表, DMN): a .dmn file deploys beside the BPMN files, each of its
// decisions stored as a definition keyed by the decision's id, with the same versioning and
// publication as a process. Its imports must resolve among the .dmn files of the deployment
// or the published ones; a business rule task must name a decision deployed along or
// published.

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"onewindow/definitions"
	"onewindow/definitions/dmn"
	"onewindow/store"
)

// Problem codes of deployments with decisions.
const (
	ProblemDecisionMissing = "decision-missing" // a business rule task names a decision neither deployed along nor published
	ProblemKeyTaken        = "key-taken"        // a process id and a decision id are the same key
	ProblemNoDecision      = "no-decision"      // a .dmn file holds no decision
)

// isDMN reports whether an uploaded file is a DMN file: named .dmn, or with a DMN root.
func isDMN(f *deployFile) bool {
	if strings.HasSuffix(strings.ToLower(f.Name), ".dmn") {
		return true
	}
	dec := xml.NewDecoder(bytes.NewReader(f.Data))
	for range 64 {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local == "definitions" && strings.Contains(strings.ToUpper(se.Name.Space), "/DMN/")
		}
	}
	return false
}

// problemAt builds a deployment problem at an element of a file.
func problemAt(code, id string, pos definitions.Position, format string, args ...any) definitions.Problem {
	return definitions.Problem{Code: code, ElementID: id, Line: pos.Line, Column: pos.Column, Severity: definitions.SeverityError,
		Message: fmt.Sprintf(format, args...)}
}

// checkDecisionFiles parses the .dmn files, links their imports among them and the published
// decision files, and checks their decisions' keys; it returns each file's problems.
func (a *App) checkDecisionFiles(ctx context.Context, q store.Q, files []*deployFile, processes map[string]string) (map[*deployFile][]definitions.Problem, error) {
	out := map[*deployFile][]definitions.Problem{}
	var models []*dmn.Definitions
	namespaces := map[string]bool{}
	for _, f := range files {
		if !f.isDMN {
			continue
		}
		m, err := dmn.Parse(f.Data)
		if err != nil {
			out[f] = append(out[f], definitions.Problem{Code: dmn.CodeNotDMN, Severity: definitions.SeverityError,
				Message: strings.TrimPrefix(err.Error(), dmn.ErrNotDMN.Error()+": ")})
			continue
		}
		f.dmn = m
		models = append(models, m)
		namespaces[m.Namespace] = true
	}
	// Imports of namespaces the deployment does not hold come from the published files.
	linked := append([]*dmn.Definitions(nil), models...)
	for i := 0; i < len(linked) && i < 64; i++ {
		for _, im := range linked[i].Imports {
			if namespaces[im.Namespace] {
				continue
			}
			namespaces[im.Namespace] = true
			d, err := store.PublishedDecisionFile(ctx, q, im.Namespace)
			if errors.Is(err, store.ErrNotFound) {
				continue // Link names it
			}
			if err != nil {
				return nil, err
			}
			if m, err := dmn.Parse(d.XML); err == nil {
				linked = append(linked, m)
			}
		}
	}
	_ = dmn.Link(linked...)        // records every unresolved import as a problem of its model
	decided := map[string]string{} // decision id → file
	for _, f := range files {
		if f.dmn == nil {
			continue
		}
		list := append([]definitions.Problem(nil), f.dmn.Problems()...)
		if len(f.dmn.Decisions) == 0 {
			list = append(list, problemAt(ProblemNoDecision, f.dmn.ID, definitions.Position{}, "the file holds no decision: a business rule task evaluates a decision"))
		}
		for _, d := range f.dmn.Decisions {
			switch {
			case d.ID == "":
				list = append(list, problemAt(definitions.CodeMissingID, d.Name, d.Position, "decision %q has no id: a business rule task names a decision by its id", d.Name))
				continue
			case processes[d.ID] != "":
				list = append(list, problemAt(ProblemKeyTaken, d.ID, d.Position, "decision %s has the id of process %s in %s: give one of them another id", d.ID, d.ID, processes[d.ID]))
			case decided[d.ID] != "":
				list = append(list, problemAt(ProblemDuplicateProcess, d.ID, d.Position, "decision %s is also in %s: deploy each decision once", d.ID, decided[d.ID]))
			case !store.PlainText(d.Name):
				list = append(list, problemAt(ProblemNameNotPlain, d.ID, d.Position, "the name of decision %s (%q) holds control or invisible formatting characters: remove them", d.ID, d.Name))
			}
			decided[d.ID] = f.Name
			kind, err := store.DefinitionKind(ctx, q, d.ID)
			if err != nil {
				return nil, err
			}
			if kind == store.KindBPMN {
				list = append(list, problemAt(ProblemKeyTaken, d.ID, d.Position, "decision %s has the id of a deployed process: give the decision another id", d.ID))
			}
		}
		out[f] = list
	}
	return out, nil
}

// checkDecisionRefs checks that the business rule tasks of a BPMN file name decisions
// deployed along (decided: decision id → file) or published.
func (a *App) checkDecisionRefs(ctx context.Context, q store.Q, f *deployFile, decided map[string]bool) ([]definitions.Problem, error) {
	var list []definitions.Problem
	for _, n := range f.proc.Nodes {
		if n.Kind != definitions.BusinessRuleTask || n.Decision == nil || n.Decision.ID == "" || decided[n.Decision.ID] {
			continue
		}
		d, err := store.GetDefinition(ctx, q, n.Decision.ID, 0)
		if errors.Is(err, store.ErrNotFound) {
			list = append(list, problemAt(ProblemDecisionMissing, n.ID, n.Position,
				"business rule task %s evaluates decision %q, which is neither deployed in this request nor published: deploy its .dmn file along", n.ID, n.Decision.ID))
			continue
		}
		if err != nil {
			return nil, err
		}
		if d.Kind != store.KindDMN {
			list = append(list, problemAt(ProblemDecisionMissing, n.ID, n.Position, "business rule task %s names %q, which is a process, not a decision", n.ID, n.Decision.ID))
		}
	}
	return list, nil
}

// decisionVersions are the definitions a .dmn file is stored as: one per decision.
func decisionVersions(f *deployFile, warnings []byte, deploymentID, by string) []*store.DefinitionVersion {
	var out []*store.DefinitionVersion
	for _, d := range f.dmn.Decisions {
		name := d.Name
		if name == "" {
			name = d.ID
		}
		out = append(out, &store.DefinitionVersion{Key: d.ID, Kind: store.KindDMN, Namespace: f.dmn.Namespace, Name: name,
			XML: f.Data, FileName: f.Name, DeploymentID: deploymentID, Warnings: warnings, CreatedBy: by})
	}
	return out
}

// decisionModel summarises the decisions of a stored decision's .dmn file.
func decisionModel(d *store.DefinitionVersion) (*DefinitionModel, error) {
	m, err := dmn.Parse(d.XML)
	if err != nil {
		// Stored bytes passed the same parser at deployment.
		return nil, fmt.Errorf("decision %s v%d no longer parses: %w", d.Key, d.Version, err)
	}
	out := &DefinitionModel{DefinitionVersionInfo: versionInfo(d), Nodes: []NodeSummary{}, Flows: []FlowSummary{}}
	for _, dec := range m.Decisions {
		s := DecisionSummary{ID: dec.ID, Name: dec.Name, Line: dec.Position.Line, Column: dec.Position.Column,
			Requires: append(append([]string(nil), dec.RequiredDecisions...), dec.RequiredInputs...)}
		s.Logic = dmn.LogicKind(dec.Logic)
		if t, ok := dec.Logic.(*dmn.Table); ok {
			s.HitPolicy = t.HitPolicy
		}
		out.Decisions = append(out.Decisions, s)
	}
	return out, nil
}

// LoadDefinitions deploys and publishes files in q (the caller's transaction) by the rules
// of DeployDefinitions: what the demo loader uses for its own flows and decisions.
func (a *App) LoadDefinitions(ctx context.Context, q store.Q, uploads []DeployFile, by string) ([]DefinitionVersionInfo, error) {
	files := make([]*deployFile, len(uploads))
	for i, u := range uploads {
		files[i] = &deployFile{DeployFile: u}
	}
	problems, err := a.checkDeployment(ctx, q, files)
	if err != nil {
		return nil, err
	}
	if msg := problemSummary(problems); msg != "" {
		return nil, &DefinitionProblems{Message: msg, Problems: problems}
	}
	deployed, err := storeDeployment(ctx, q, files, store.NewID(), by)
	if err != nil {
		return nil, err
	}
	var out []DefinitionVersionInfo
	for _, d := range deployed {
		p, err := store.PublishDefinition(ctx, q, d.Key, d.Version, by)
		if err != nil {
			return nil, err
		}
		out = append(out, versionInfo(p))
	}
	return out, nil
}
