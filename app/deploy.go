package app

// Deploying BPMN definitions (权力运行流程图) and DMN decisions (决策表, deploy_dmn.go):
// designers upload files; each BPMN file must validate as executable, names hold plain text,
// a call activity names a process and a business rule task a decision deployed along or
// already published. One problem anywhere and nothing is stored.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions"
	"onewindow/definitions/dmn"
	"onewindow/definitions/expression"
	"onewindow/store"
)

// Problem codes a deployment adds to the validator's (definitions.Code*).
const (
	ProblemDuplicateProcess = "duplicate-process"      // two files of one request hold the same process id
	ProblemCalledMissing    = "called-process-missing" // a call activity names a process neither deployed along nor published
	ProblemNameNotPlain     = "name-not-plain"         // a process name holds control or format characters
)

// DeployFile is one uploaded BPMN or DMN file: its name ("" when the upload gave none) and
// bytes.
type DeployFile struct {
	Name string
	Data []byte
}

// DeployedDefinition is a process stored by a deployment: created is false when the same
// content was already stored (the existing version is shown).
type DeployedDefinition struct {
	DefinitionVersionInfo
	Created bool `json:"created" example:"true"`
}

// Deployment lists the processes of a deployment in the order of their files. Versions
// created by it carry its deploymentId, which is absent when every file was already stored.
type Deployment struct {
	DeploymentID string               `json:"deploymentId,omitempty" example:"01jd5q3k8m0000000000000000"`
	Definitions  []DeployedDefinition `json:"definitions"`
}

// FileProblem is a validation problem of one file of a deployment. Line and column are
// 1-based, 0 when the problem concerns the whole file.
type FileProblem struct {
	File      string `json:"file" example:"approval.bpmn"`
	Code      string `json:"code" example:"flow-target-missing"`
	Message   string `json:"message" example:"sequence flow f1 points to nowhere: no flow node has id \"review\""`
	ElementID string `json:"elementId" example:"f1"`
	Line      int    `json:"line" example:"12"`
	Column    int    `json:"column" example:"5"`
	Severity  string `json:"severity" enums:"error,warning" example:"error"`
}

// DefinitionProblems refuses a deployment with an error in a file: Message says what is
// wrong in one line, Problems lists every problem of every file, errors and warnings.
type DefinitionProblems struct {
	Message  string
	Problems []FileProblem
}

func (e *DefinitionProblems) Error() string { return e.Message }

// deployFile is an uploaded file as the deployment checks it.
type deployFile struct {
	DeployFile
	defs     *definitions.Definitions
	proc     *definitions.Process
	warnings []definitions.Problem
	// isDMN marks a .dmn file; dmn is its model once parsed.
	isDMN bool
	dmn   *dmn.Definitions
}

// DeployDefinitions checks every file and stores each file's executable process byte for
// byte under its process id: the same content again is the existing version, changed content
// the next version, a draft. Any error in any file refuses the whole deployment with
// *DefinitionProblems, and nothing is stored.
func (a *App) DeployDefinitions(ctx context.Context, p *Actor, uploads []DeployFile) (*Deployment, error) {
	if err := allowRoles(p, "deploying definitions", designerRoles...); err != nil {
		return nil, err
	}
	files := make([]*deployFile, len(uploads))
	for i, u := range uploads {
		if !store.PlainText(u.Name) {
			return nil, store.Invalid("fileName", "file name %q holds control or invisible formatting characters", u.Name)
		}
		files[i] = &deployFile{DeployFile: u}
	}
	problems, err := a.checkDeployment(ctx, a.db, files)
	if err != nil {
		return nil, err
	}
	if msg := problemSummary(problems); msg != "" {
		return nil, &DefinitionProblems{Message: msg, Problems: problems}
	}
	dep := &Deployment{}
	deploymentID := store.NewID()
	// Two designers deploying the same key at once on PostgreSQL can both pick the same next
	// version: the loser's insert conflicts, and a new attempt sees the winner's row.
	for attempt := 0; attempt < 5; attempt++ {
		err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) (err error) {
			if dep.Definitions, err = storeDeployment(ctx, tx, files, deploymentID, p.UserID); err != nil {
				return err
			}
			out.Audit(p, "definition.deploy", "", "deployment:"+deploymentID, dep.Definitions)
			return nil
		})
		if !errors.Is(err, store.ErrConflict) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	for _, d := range dep.Definitions {
		if d.Created {
			dep.DeploymentID = deploymentID
		}
	}
	return dep, nil
}

// checkDeployment validates the files (naming those without a name after their process) and
// returns every problem found.
func (a *App) checkDeployment(ctx context.Context, q store.Q, files []*deployFile) ([]FileProblem, error) {
	var problems []FileProblem
	add := func(file string, list []definitions.Problem) {
		for _, p := range list {
			problems = append(problems, FileProblem{File: file, Code: p.Code, Message: p.Message, ElementID: p.ElementID,
				Line: p.Line, Column: p.Column, Severity: string(p.Severity)})
		}
	}
	deployed := map[string]string{} // process id → file
	for _, f := range files {
		if f.isDMN = isDMN(f); f.isDMN {
			if f.Name == "" {
				f.Name = "upload.dmn"
			}
			continue
		}
		defs, proc, list := definitions.Check(f.Data, "")
		f.defs, f.proc = defs, proc
		if proc != nil {
			if f.Name == "" {
				f.Name = proc.ID + ".bpmn"
			}
			if other, dup := deployed[proc.ID]; dup {
				list = append(list, definitions.Problem{Code: ProblemDuplicateProcess, ElementID: proc.ID, Line: proc.Line, Column: proc.Column,
					Severity: definitions.SeverityError, Message: fmt.Sprintf("process %s is also in %s: deploy each process once", proc.ID, other)})
			} else {
				deployed[proc.ID] = f.Name
			}
			if name := processName(f); !store.PlainText(name) {
				list = append(list, definitions.Problem{Code: ProblemNameNotPlain, ElementID: proc.ID, Line: proc.Line, Column: proc.Column,
					Severity: definitions.SeverityError, Message: fmt.Sprintf("the name of process %s (%q) holds control or invisible formatting characters (such as right-to-left overrides or zero-width spaces): remove them", proc.ID, name)})
			}
		}
		if f.Name == "" {
			f.Name = "upload.bpmn"
		}
		for _, p := range list {
			if p.Severity == definitions.SeverityWarning {
				f.warnings = append(f.warnings, p)
			}
		}
		add(f.Name, list)
	}
	dmnProblems, err := a.checkDecisionFiles(ctx, q, files, deployed)
	if err != nil {
		return nil, err
	}
	decided := map[string]bool{}
	for _, f := range files {
		if !f.isDMN {
			continue
		}
		for _, p := range dmnProblems[f] {
			if p.Severity == definitions.SeverityWarning {
				f.warnings = append(f.warnings, p)
			}
		}
		add(f.Name, dmnProblems[f])
		if f.dmn != nil {
			for _, d := range f.dmn.Decisions {
				decided[d.ID] = true
			}
		}
	}
	// A call activity starts the latest published version of the process it names: that
	// process must be deployed along or already published. A business rule task evaluates
	// the latest published version of its decision.
	for _, f := range files {
		if f.proc == nil {
			continue
		}
		list, err := a.checkDecisionRefs(ctx, q, f, decided)
		if err != nil {
			return nil, err
		}
		if kind, err := store.DefinitionKind(ctx, q, f.proc.ID); err != nil {
			return nil, err
		} else if kind == store.KindDMN {
			list = append(list, problemAt(ProblemKeyTaken, f.proc.ID, f.proc.Position, "process %s has the id of a deployed decision: give the process another id", f.proc.ID))
		}
		for _, n := range f.proc.Nodes {
			called := strings.TrimSpace(n.CalledElement)
			if n.Kind != definitions.CallActivity || called == "" || expression.IsExpression(called) {
				continue
			}
			if _, ok := deployed[called]; ok {
				continue
			}
			published, err := store.HasPublishedDefinition(ctx, q, called)
			if err != nil {
				return nil, err
			}
			if !published {
				list = append(list, definitions.Problem{Code: ProblemCalledMissing, ElementID: n.ID, Line: n.Line, Column: n.Column,
					Severity: definitions.SeverityError, Message: fmt.Sprintf(
						"call activity %s calls process %q, which is neither deployed in this request nor published", n.ID, called)})
			}
		}
		add(f.Name, list)
	}
	return problems, nil
}

// processName is the name a deployed process is stored under: its own, or its file's
// definitions element's.
func processName(f *deployFile) string {
	if f.proc.Name != "" {
		return f.proc.Name
	}
	return f.defs.Name
}

// storeDeployment stores the files' processes.
func storeDeployment(ctx context.Context, q store.Q, files []*deployFile, deploymentID, by string) ([]DeployedDefinition, error) {
	var out []DeployedDefinition
	for _, f := range files {
		warnings := f.warnings
		if warnings == nil {
			warnings = []definitions.Problem{}
		}
		data, err := json.Marshal(warnings)
		if err != nil {
			return nil, fmt.Errorf("encode warnings of %s: %w", f.Name, err)
		}
		var versions []*store.DefinitionVersion
		if f.isDMN {
			versions = decisionVersions(f, data, deploymentID, by)
		} else {
			versions = []*store.DefinitionVersion{{Key: f.proc.ID, Name: processName(f), XML: f.Data, FileName: f.Name,
				DeploymentID: deploymentID, Warnings: data, CreatedBy: by}}
		}
		for _, d := range versions {
			existed, err := store.DeployDefinition(ctx, q, d)
			if err != nil {
				return nil, err
			}
			out = append(out, DeployedDefinition{DefinitionVersionInfo: versionInfo(d), Created: !existed})
		}
	}
	return out, nil
}

// problemSummary says in one line what is wrong, or "" when no problem is an error.
func problemSummary(problems []FileProblem) string {
	var first *FileProblem
	errs := 0
	files := map[string]bool{}
	for i, p := range problems {
		if p.Severity != string(definitions.SeverityError) {
			continue
		}
		if first == nil {
			first = &problems[i]
		}
		errs++
		files[p.File] = true
	}
	if first == nil {
		return ""
	}
	where := fmt.Sprintf("%s:%d:%d", first.File, first.Line, first.Column)
	if first.ElementID != "" {
		where += ": " + first.ElementID
	}
	msg := fmt.Sprintf("%s: %s", where, first.Message)
	if errs > 1 {
		msg += fmt.Sprintf(" (and %d more %s in %d %s; see problems)", errs-1, countNoun(errs-1, "error", "errors"), len(files), countNoun(len(files), "file", "files"))
	}
	return "nothing was deployed: " + msg
}

func countNoun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
