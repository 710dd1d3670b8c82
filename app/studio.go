package app

// The designer's studio (issue 16): checks and dry runs of a diagram being drawn, which is
// not stored, and publishing with a guard against two designers publishing over each other.

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"onewindow/definitions"
	"onewindow/engine/calendar"
	"onewindow/engine/machine"
	"onewindow/engine/simulate"
	"onewindow/store"
)

// Levels of a studio check's problems: model (well-formed BPMN) and executable (what the
// engine needs), as `definitions validate --level` names them.
const (
	LevelModel      = "model"
	LevelExecutable = "executable"
)

// DrawingProblem is a validation problem of a drawn diagram with the level that found it.
type DrawingProblem struct {
	definitions.Problem
	Level string `json:"level" enums:"model,executable" example:"executable"`
}

// DrawingCheck is what the studio shows on the diagram while it is drawn: every problem of
// both levels at its element, and whether a deployment would be refused.
type DrawingCheck struct {
	// ProcessID is the executable process the executable level checked ("" when none could be chosen).
	ProcessID string           `json:"processId,omitempty" example:"std-parallel"`
	Problems  []DrawingProblem `json:"problems"`
	Errors    int              `json:"errors" example:"1"`
	Warnings  int              `json:"warnings" example:"0"`
	// Deployable is false while an error remains: deployment would answer 422.
	Deployable bool `json:"deployable" example:"false"`
}

// CheckDrawing validates a diagram that is being drawn at both levels without storing it.
// A file that is no BPMN at all answers its one problem (not-xml, not-bpmn, ...).
func (a *App) CheckDrawing(ctx context.Context, p *Actor, xml []byte) (*DrawingCheck, error) {
	if err := allowRoles(p, "the studio", designerRoles...); err != nil {
		return nil, err
	}
	out := &DrawingCheck{Problems: []DrawingProblem{}}
	_, problems, err := definitions.Parse(xml)
	seen := map[definitions.Problem]bool{}
	add := func(level string, ps []definitions.Problem) {
		for _, pr := range ps {
			if seen[pr] {
				continue
			}
			seen[pr] = true
			out.Problems = append(out.Problems, DrawingProblem{Problem: pr, Level: level})
			if pr.Severity == definitions.SeverityError {
				out.Errors++
			} else {
				out.Warnings++
			}
		}
	}
	add(LevelModel, problems)
	if err == nil && !definitions.HasErrors(problems) {
		_, proc, all := definitions.Check(xml, "")
		if proc != nil {
			out.ProcessID = proc.ID
		}
		add(LevelExecutable, all)
	}
	out.Deployable = out.Errors == 0
	return out, nil
}

// DryRun is the answer of a dry run: the problems that kept it from starting, or the
// simulation's result and the error of a script step that could not be taken.
type DryRun struct {
	// Problems are the errors that keep the diagram from running (nothing ran).
	Problems []definitions.Problem `json:"problems"`
	Result   *simulate.Result      `json:"result,omitempty"`
	// StepError says why a step of the script could not be taken; the result is the state
	// before it.
	StepError string `json:"stepError,omitempty" example:"step 3: no open task approve"`
	// OpenTasks are the user and service tasks waiting for the script's next step.
	OpenTasks []string `json:"openTasks"`
}

// DryRunDrawing runs the executable process of a drawn diagram through the simulator with
// virtual time and script. It runs the one process alone: a call activity or a business rule
// task ends the dry run in an incident (the command line's simulate takes the other files).
func (a *App) DryRunDrawing(ctx context.Context, p *Actor, xml []byte, script simulate.Script) (*DryRun, error) {
	if err := allowRoles(p, "the studio", designerRoles...); err != nil {
		return nil, err
	}
	out := &DryRun{Problems: []definitions.Problem{}, OpenTasks: []string{}}
	defs, proc, problems := definitions.Check(xml, "")
	if definitions.HasErrors(problems) || proc == nil {
		for _, pr := range problems {
			if pr.Severity == definitions.SeverityError {
				out.Problems = append(out.Problems, pr)
			}
		}
		return out, nil
	}
	if script.Start != "" {
		if _, err := simulate.ParseStart(script.Start); err != nil {
			return nil, refuse(Invalid, "invalid_script", "script start: %v", err).onField("script.start")
		}
	}
	model, err := machine.Compile(defs, proc.ID, machine.Options{WaitAt: script.WaitAt()})
	if err != nil {
		out.Problems = append(out.Problems, definitions.Problem{Code: "not-compiled", ElementID: proc.ID, Severity: definitions.SeverityError,
			Message: err.Error()})
		return out, nil
	}
	models := map[string]*machine.Model{proc.ID: model}
	sim, err := simulate.New(models, proc.ID, script.Variables, simulateOptions(script))
	if err != nil {
		return nil, refuse(Unprocessable, "dry_run_failed", "the dry run cannot start: %v", err)
	}
	for i, st := range script.Steps {
		if err := sim.Step(st); err != nil {
			if !errors.Is(err, simulate.ErrStep) {
				return nil, refuse(Unprocessable, "dry_run_failed", "step %d: %v", i+1, err)
			}
			out.StepError = fmt.Sprintf("step %d: %v", i+1, err)
			break
		}
	}
	out.Result = sim.Result()
	out.OpenTasks = append(out.OpenTasks, sim.OpenTasks()...)
	return out, nil
}

// simulateOptions are the simulator's options of a script, as `definitions simulate` sets them.
func simulateOptions(script simulate.Script) simulate.Options {
	opts := simulate.Options{Calendar: calendar.National(), Limits: script.Limits, Initiator: script.Initiator}
	if script.Start != "" {
		opts.Start, _ = simulate.ParseStart(script.Start)
	}
	return opts
}

// PublishedVersionConflict is the code of a publication refused because another designer
// published a newer version of the definition since this one's was opened.
const PublishedVersionConflict = "published_by_another"

// PublishDrawing publishes version of key, which the designer drew from version basedOn (0:
// from nothing). When someone published a version newer than basedOn in the meantime, it
// refuses with a conflict naming that version and who published it, so that one designer does
// not replace another's published flow unseen.
func (a *App) PublishDrawing(ctx context.Context, p *Actor, key string, version, basedOn int) (*DefinitionVersionInfo, error) {
	if err := allowRoles(p, "publishing definitions", designerRoles...); err != nil {
		return nil, err
	}
	versions, err := store.ListDefinitionVersions(ctx, a.db, key, 200, 0)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(versions, func(d store.DefinitionVersion) bool { return d.Version == version }) {
		return nil, refuse(NotFound, "not_found", "definition %s has no version %d", key, version)
	}
	for _, d := range versions { // newest first
		if d.State != store.DefinitionPublished || d.Version <= basedOn || d.Version == version {
			continue
		}
		who := d.PublishedBy.String
		if u, err := store.GetUser(ctx, a.db, who); err == nil {
			who = u.DisplayName + " (" + u.Username + ")"
		}
		return nil, refuse(Conflict, PublishedVersionConflict,
			"version %d of %s was published by %s after you opened version %d: open version %d and apply your changes to it",
			d.Version, key, who, basedOn, d.Version)
	}
	return a.PublishDefinition(ctx, p, key, version)
}
