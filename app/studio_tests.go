package app

// A definition's test cases (issue 16): dry-run scripts the designer keeps with the definition,
// each with the state it must end in; publishing a version through the studio runs them on it.

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"onewindow/engine/simulate"
	"onewindow/store"
)

// Code of a publication refused because a test case of the definition fails on the version.
const CodeTestFailed = "test_failed"

// DefinitionTestInput is one test case: a name, a dry-run script and the state it must end in.
type DefinitionTestInput struct {
	Name   string          `json:"name" validate:"required,max=128,plaintext" example:"全部同意到办结"`
	Script simulate.Script `json:"script"`
	// Expect is the state the run must end in: completed, active or incident; stepError when a
	// step must find nothing waiting.
	Expect string `json:"expect" validate:"required,oneof=completed active incident stepError" example:"completed"`
}

// DefinitionTestsRequest replaces the test cases of a definition.
type DefinitionTestsRequest struct {
	Tests []DefinitionTestInput `json:"tests" validate:"max=50,dive"`
}

// DefinitionTestsView lists a definition's test cases, in order (at most 50: no paging).
type DefinitionTestsView struct {
	Key   string                 `json:"key" example:"std-parallel"`
	Tests []store.DefinitionTest `json:"tests"`
}

// DefinitionTests lists the test cases kept with definition key.
func (a *App) DefinitionTests(ctx context.Context, p *Actor, key string) (*DefinitionTestsView, error) {
	if err := allowRoles(p, "the studio", designerRoles...); err != nil {
		return nil, err
	}
	tests, err := store.DefinitionTests(ctx, a.db, key)
	if err != nil {
		return nil, err
	}
	return &DefinitionTestsView{Key: key, Tests: tests}, nil
}

// PutDefinitionTests makes in the test cases of definition key (which need not be deployed yet:
// a designer keeps tests while drawing).
func (a *App) PutDefinitionTests(ctx context.Context, p *Actor, key string, in DefinitionTestsRequest) (*DefinitionTestsView, error) {
	if err := allowRoles(p, "the studio", designerRoles...); err != nil {
		return nil, err
	}
	if key == "" || len(key) > 255 {
		return nil, store.Invalid("key", "must be a process id of 1 to 255 characters")
	}
	tests := make([]store.DefinitionTest, 0, len(in.Tests))
	seen := map[string]bool{}
	for i, t := range in.Tests {
		if seen[t.Name] {
			return nil, store.Invalid(fmt.Sprintf("tests[%d].name", i), "%q is the name of another test case", t.Name)
		}
		seen[t.Name] = true
		script, err := json.Marshal(t.Script)
		if err != nil {
			return nil, fmt.Errorf("test case %q: %w", t.Name, err)
		}
		tests = append(tests, store.DefinitionTest{Key: key, Name: t.Name, Script: script, Expect: t.Expect})
	}
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		if err := store.ReplaceDefinitionTests(ctx, tx, key, tests, p.UserID, a.now()); err != nil {
			return err
		}
		names := make([]string, len(tests))
		for i, t := range tests {
			names[i] = t.Name
		}
		out.Audit(p, "definition.tests", "", "definition:"+key, map[string]any{"tests": names})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a.DefinitionTests(ctx, p, key)
}

// runDefinitionTests runs every test case of key on version version and refuses with the
// first that does not end as it expects.
func (a *App) runDefinitionTests(ctx context.Context, key string, version int) error {
	tests, err := store.DefinitionTests(ctx, a.db, key)
	if err != nil || len(tests) == 0 {
		return err
	}
	d, err := store.GetDefinition(ctx, a.db, key, version)
	if err != nil {
		return err
	}
	for _, t := range tests {
		var script simulate.Script
		if err := json.Unmarshal(t.Script, &script); err != nil {
			return fmt.Errorf("test case %q of %s: %w", t.Name, key, err)
		}
		got := "invalid"
		run, err := dryRun(d.XML, script)
		switch {
		case err != nil:
			got = err.Error()
		case len(run.Problems) > 0:
		case run.StepError != "":
			got = "stepError (" + run.StepError + ")"
			if t.Expect == "stepError" {
				continue
			}
		default:
			got = run.Result.State
		}
		if got != t.Expect {
			return refuse(Unprocessable, CodeTestFailed, "test case %q of %s ends %s on version %d, not %s: nothing was published",
				t.Name, key, got, version, t.Expect)
		}
	}
	return nil
}
