package main

// Issue 15's points, each on a file written in the style of Camunda 7, Camunda 8 or
// Flowable (testdata/modellers): what validate accepts, the engine's machine runs.

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"onewindow/engine/machine"
	"onewindow/engine/simulate"
	"onewindow/tests/corpus"
)

func modellerFile(name string) string { return filepath.Join("testdata", "modellers", name) }

// simulateFiles starts the first file's process with the models of files (decisions too),
// as "definitions simulate" does.
func simulateFiles(t *testing.T, opts simulate.Options, vars map[string]any, waitAt []string, files ...string) *simulate.Sim {
	t.Helper()
	var out strings.Builder
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = modellerFile(f)
	}
	models, main, ok := loadModels(paths, "", waitAt, &out)
	if !ok {
		t.Fatalf("loading %v:\n%s", files, out.String())
	}
	s, err := simulate.New(models, main, vars, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func openTask(t *testing.T, s *simulate.Sim, id string) []*machine.Wait {
	t.Helper()
	var out []*machine.Wait
	for _, w := range s.Tasks() {
		if w.Element == id {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no open task %s (active %v, incident %+v)", id, s.Result().Active, s.Result().Incident)
	}
	return out
}

func step(t *testing.T, s *simulate.Sim, st simulate.Step) {
	t.Helper()
	if err := s.Step(st); err != nil {
		t.Fatalf("step %+v: %v (result %+v)", st, err, s.Result())
	}
}

func TestModellerFilesValidate(t *testing.T) {
	for _, f := range []string{"breakfast.bpmn", "invoice.bpmn", "dispatch.bpmn", "notify.bpmn", "payment.bpmn", "payment-check.bpmn", "archive.bpmn"} {
		code, out, _ := runCLI("validate", modellerFile(f))
		if code != 0 || !strings.Contains(out, ": ok: process") {
			t.Errorf("validate %s: exit %d\n%s", f, code, out)
		}
	}
	// A message throw event without a message runs as a none event: a warning, not an error.
	_, out, _ := runCLI("validate", modellerFile("notify.bpmn"))
	for _, id := range []string{"noticeSent", "resultSent"} {
		if !strings.Contains(out, id+": warning: ") || !strings.Contains(out, "[message-without-ref]") {
			t.Errorf("notify.bpmn: no message-without-ref warning on %s:\n%s", id, out)
		}
	}
}

// FEEL conditions and expressions run on the FEEL implementation: is defined, not(), null,
// ranges, in, some/every, for, filters, paths, instance of, names with spaces, temporal
// literals, in conditions, assignments, due dates, collections, completion conditions and
// timers.
func TestModellerFEEL(t *testing.T) {
	vars := func() map[string]any {
		return map[string]any{
			"guest":            map[string]any{"name": "王芳", "cook": "li", "address": map[string]any{"city": "南宁"}},
			"cooks":            []any{map[string]any{"group": "kitchen"}, map[string]any{"group": "bakery"}},
			"Number of Guests": float64(3),
			"dishes": []any{
				map[string]any{"name": "粥", "calories": float64(300), "rating": float64(5), "taster": "wang"},
				map[string]any{"name": "油条", "calories": float64(900), "rating": float64(4), "taster": "zhao"},
				map[string]any{"name": "包子", "calories": float64(500), "rating": float64(4), "taster": "sun"},
			},
			"served": "2026-01-05", "served clock": "08:10:00", "thanking minutes": float64(10),
		}
	}
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, machine.Zone)
	s := simulateFiles(t, simulate.Options{Start: start}, vars(), nil, "breakfast.bpmn")
	cook := openTask(t, s, "cook")[0].Task
	if cook.Assignee != "li" || !reflect.DeepEqual(cook.CandidateGroups, []string{"kitchen", "bakery"}) {
		t.Errorf("cook: assignee %q, groups %v; want li, [kitchen bakery]", cook.Assignee, cook.CandidateGroups)
	}
	if want := "2026-01-05T08:30:00+08:00"; cook.DueDate != want {
		t.Errorf("cook due %q, want %q (now() is the case's clock)", cook.DueDate, want)
	}
	step(t, s, simulate.Step{Complete: "cook"})
	if eat := openTask(t, s, "eat")[0].Task; !reflect.DeepEqual(eat.CandidateGroups, []string{"table", "kitchen"}) {
		t.Errorf("eat groups %v, want [table kitchen] (Number of Guests > 2)", eat.CandidateGroups)
	}
	step(t, s, simulate.Step{Complete: "eat"})
	tasters := openTask(t, s, "taste")
	if len(tasters) != 2 || tasters[0].Task.Assignee != "wang" || tasters[1].Task.Assignee != "sun" {
		t.Fatalf("taste: %d tasks, want the two dishes under 800 calories (wang, sun)", len(tasters))
	}
	// The completion condition ends the tasting at the first spat-out dish.
	step(t, s, simulate.Step{Complete: "taste", Outcome: "spit"})
	openTask(t, s, "thanks")
	step(t, s, simulate.Step{Advance: "PT11M"})
	if r := s.Result(); r.State != "completed" || !slices.Contains(r.Entered, "tooSlow") {
		t.Errorf("after 11 minutes: %s, entered %v; want the 10-minute FEEL timer to have fired", r.State, r.Entered)
	}

	// Breakfast already prepared: straight to eating; served early, the nap.
	v := vars()
	v["breakfastPrepared"] = true
	v["served clock"] = "06:30:00"
	v["dishes"] = []any{map[string]any{"calories": float64(100), "rating": float64(2), "taster": "wang"}}
	s = simulateFiles(t, simulate.Options{Start: start}, v, nil, "breakfast.bpmn")
	openTask(t, s, "eat")
	step(t, s, simulate.Step{Complete: "eat"})
	step(t, s, simulate.Step{Complete: "taste"})
	openTask(t, s, "nap")

	// A condition over a variable that is not set is an incident naming it, as in Zeebe.
	v = vars()
	delete(v, "served clock")
	v["dishes"] = []any{map[string]any{"calories": float64(100), "rating": float64(2), "taster": "wang"}}
	s = simulateFiles(t, simulate.Options{Start: start}, v, nil, "breakfast.bpmn")
	step(t, s, simulate.Step{Complete: "cook"})
	step(t, s, simulate.Step{Complete: "eat"})
	step(t, s, simulate.Step{Complete: "taste"})
	if r := s.Result(); r.Incident == nil || !strings.Contains(r.Incident.Message, `no variable "served clock"`) {
		t.Errorf("incident %+v, want one naming the variable served clock", r.Incident)
	}
}

// Camunda 7's JUEL context: dateTime().plusWeeks(1).toDate() as a due date (the invoice
// example that validated but stopped in an incident), execution.getVariable, ${x == null},
// string methods, authenticatedUserId, variables:get, currentUser(); and a business rule task
// whose decision table picks the approvers (mapDecisionResult collectEntries).
func TestModellerJUELInvoice(t *testing.T) {
	start := time.Date(2025, 9, 28, 10, 0, 0, 0, machine.Zone)
	vars := map[string]any{"invoiceNumber": "inv-2025-7", "creditor": "Great Pizza for Everyone Inc.", "amount": float64(1500),
		"invoiceCategory": "Misc", "clerk": "zhou"}
	s := simulateFiles(t, simulate.Options{Start: start, Initiator: "demo"}, vars, nil, "invoice.bpmn", "invoice-approvers.dmn")
	if got := s.Result().Variables["approverGroups"]; !reflect.DeepEqual(got, []any{"accounting", "management"}) {
		t.Fatalf("approverGroups = %#v, want [accounting management] from the decision table", got)
	}
	tasks := openTask(t, s, "approve")
	if len(tasks) != 2 {
		t.Fatalf("%d approve tasks, want one per approver group", len(tasks))
	}
	a := tasks[1].Task
	if !reflect.DeepEqual(a.CandidateGroups, []string{"management"}) || a.Name != "Approve invoice INV-2025-7" || a.Priority != "80" {
		t.Errorf("approve task: %+v", a)
	}
	if want := start.AddDate(0, 0, 7).Format(time.RFC3339); a.DueDate != want {
		t.Errorf("due date %q, want %q (a week after the start)", a.DueDate, want)
	}
	if want := "Approve the invoice of Great Pizza for Everyone Inc. for 1500 (entered by demo)."; a.Documentation != want {
		t.Errorf("documentation %q, want %q", a.Documentation, want)
	}
	step(t, s, simulate.Step{Complete: "approve"})
	step(t, s, simulate.Step{Complete: "approve"})
	prep := openTask(t, s, "prepare")[0].Task
	if !reflect.DeepEqual(prep.CandidateUsers, []string{"zhou", "demo"}) {
		t.Errorf("prepare candidate users %v, want [zhou demo]", prep.CandidateUsers)
	}
	step(t, s, simulate.Step{Complete: "prepare"})
	r := s.Result()
	if r.State != "completed" || r.Variables["archiveKey"] != "inv/2025/7-case" {
		t.Errorf("state %s, archiveKey %#v; want completed, inv/2025/7-case", r.State, r.Variables["archiveKey"])
	}

	// A rejection ends the approvals early and goes to the initiator's review.
	vars["amount"] = float64(200)
	s = simulateFiles(t, simulate.Options{Start: start, Initiator: "demo"}, vars, nil, "invoice.bpmn", "invoice-approvers.dmn")
	if got := s.Result().Variables["approverGroups"]; !reflect.DeepEqual(got, []any{"accounting", "sales"}) {
		t.Fatalf("approverGroups = %#v, want [accounting sales]", got)
	}
	step(t, s, simulate.Step{Complete: "approve", Variables: map[string]any{"rejected": true}})
	review := openTask(t, s, "review")[0].Task
	if review.Assignee != "demo" || review.DueDate != "2025-09-30T00:00:00+08:00" {
		t.Errorf("review task: assignee %q due %q; want demo, 2025-09-30T00:00:00+08:00", review.Assignee, review.DueDate)
	}
}

// zeebe:calledDecision: the decision's value (a context of the first rule's outputs) in the
// result variable; today() is the case's clock.
func TestModellerZeebeDecision(t *testing.T) {
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, machine.Zone)
	s := simulateFiles(t, simulate.Options{Start: start}, map[string]any{"order": map[string]any{"weight": float64(2), "due": "2026-01-06"}},
		nil, "dispatch.bpmn", "dispatch-priority.dmn")
	if got := s.Result().Variables["shipping"]; !reflect.DeepEqual(got, map[string]any{"priority": "express", "team": "couriers"}) {
		t.Fatalf("shipping = %#v", got)
	}
	if g := openTask(t, s, "courier")[0].Task.CandidateGroups; !reflect.DeepEqual(g, []string{"couriers"}) {
		t.Errorf("courier groups %v", g)
	}
	s = simulateFiles(t, simulate.Options{Start: start}, map[string]any{"order": map[string]any{"weight": float64(40), "due": "2026-01-06"}},
		nil, "dispatch.bpmn", "dispatch-priority.dmn")
	openTask(t, s, "post")
}

// A called process ends in an error the caller catches: the caller's camunda:out mappings
// apply before the boundary path (Camunda's testPropagateOutputVariablesWhileThrowError).
func TestModellerCaughtErrorOutputs(t *testing.T) {
	vars := map[string]any{"card": map[string]any{"limit": float64(5000)}, "amount": float64(80), "attempts": float64(0)}
	s := simulateFiles(t, simulate.Options{}, vars, nil, "payment.bpmn", "payment-check.bpmn")
	task := openTask(t, s, "askAgain")[0].Task
	if task.Name != "Ask for another card: over the limit of 50" {
		t.Errorf("task name %q: the out mapping of reason did not apply", task.Name)
	}
	if got := s.Result().Variables["attempts"]; got != float64(1) {
		t.Errorf("attempts = %#v, want 1 (the sourceExpression out mapping)", got)
	}
	vars["amount"] = float64(20)
	s = simulateFiles(t, simulate.Options{}, vars, nil, "payment.bpmn", "payment-check.bpmn")
	if r := s.Result(); r.State != "completed" || r.Variables["attempts"] != float64(1) {
		t.Errorf("a paid case: %s, attempts %#v", r.State, r.Variables["attempts"])
	}
}

// Message throw events without a message send nothing and go on.
func TestModellerMessageThrowWithoutRef(t *testing.T) {
	s := simulateFiles(t, simulate.Options{}, nil, nil, "notify.bpmn")
	openTask(t, s, "answer")
	step(t, s, simulate.Step{Complete: "answer"})
	if r := s.Result(); r.State != "completed" || !slices.Contains(r.Entered, "resultSent") {
		t.Errorf("state %s, entered %v", r.State, r.Entered)
	}
}

// The simulate steps fail (a BPMN error from a service task), complete (a service task, with
// variables), pause and resume, and a start time before National Day, from the CLI.
func TestModellerSimulateScript(t *testing.T) {
	code, out, errOut := runCLI("simulate", modellerFile("archive.bpmn"), "--script", modellerFile("archive.json"))
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	var res simulate.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	want := []string{"start", "store", "full", "clearSpace", "store", "checkShelf", "done"}
	if res.State != "completed" || !reflect.DeepEqual(res.Entered, want) || res.Variables["shelf"] != "B-12" {
		t.Errorf("result %+v, want completed through %v", res, want)
	}
	if res.Clock == nil || len(res.Clock.Pauses) != 1 || !res.Clock.Pauses[0].From.Equal(time.Date(2025, 9, 28, 10, 0, 0, 0, machine.Zone)) ||
		!res.Clock.Pauses[0].To.Equal(time.Date(2025, 9, 29, 10, 0, 0, 0, machine.Zone)) {
		t.Errorf("clock %+v, want the hearing paused from the script's start for one day", res.Clock)
	}
	// A fail without an error is a technical failure: an incident at the service task, exit 3.
	dir := t.TempDir()
	script := writeFile(t, dir, "tech.json", `{"steps":[{"fail":"store"}]}`)
	code, out, errOut = runCLI("simulate", modellerFile("archive.bpmn"), "--script", script)
	res = simulate.Result{}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("exit %d: %v\n%s%s", code, err, out, errOut)
	}
	if code != 3 || res.Incident == nil || res.Incident.ElementID != "store" || slices.Contains(res.Entered, "full") {
		t.Errorf("technical failure: exit %d, incident %+v, entered %v; want 3, an incident at store, the error boundary not taken",
			code, res.Incident, res.Entered)
	}
	// Bad scripts: an error without fail, two steps in one, a start that is no time.
	for body, want := range map[string]string{
		`{"steps":[{"complete":"store","error":"X"}]}`:  "error goes with fail",
		`{"steps":[{"fail":"store","pause":"h"}]}`:      "exactly one of complete, advance, message, signal, pause, resume or fail",
		`{"start":"next monday","steps":[]}`:            "is not a time",
		`{"steps":[{"fail":"checkShelf","error":"X"}]}`: "no service task",
	} {
		script := writeFile(t, dir, "s.json", body)
		code, out, errOut := runCLI("simulate", modellerFile("archive.bpmn"), "--script", script)
		if code != 2 || !strings.Contains(errOut+out, want) {
			t.Errorf("script %s: exit %d, %s%s; want 2 and %q", body, code, errOut, out, want)
		}
	}
}

// validate --level model accepts every MIWG reference file (non-executable interchange
// models), which the executable level refuses.
func TestValidateModelLevelMIWG(t *testing.T) {
	dir := corpus.Dir(t) // $ONEWINDOW_BPMN_CORPUS or shared/bpmn-corpus; skipped (CI: failed) without it
	var files []string
	for _, sub := range []string{"bpmn-miwg-test-suite", "bpmn-miwg-bpmn.io-export"} {
		m, _ := filepath.Glob(filepath.Join(dir, sub, "*.bpmn"))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatalf("no MIWG files under %s", dir)
	}
	refused := 0
	for _, f := range files {
		code, out, _ := runCLI("validate", "--level", "model", f)
		if code != 0 {
			t.Errorf("validate --level model %s: exit %d\n%s", f, code, out)
		}
		if code, _, _ := runCLI("validate", f); code != 0 {
			refused++
		}
	}
	if refused == 0 {
		t.Errorf("the executable level accepted every MIWG file; the model level is not what makes them pass")
	}
	if code, _, errOut := runCLI("validate", "--level", "model-ish", files[0]); code != 2 || !strings.Contains(errOut, "--level must be") {
		t.Errorf("a bad level: exit %d, %s", code, errOut)
	}
}

// Validation and execution agree: an expression the engine could not compile, in any
// attribute it evaluates, is refused by validate with the element and the column.
func TestValidateCompilesEveryExpression(t *testing.T) {
	cases := []struct{ attr, code string }{
		{`<userTask id="t" camunda:assignee="${dateTime().plusWeek(1)}"/>`, "invalid-expression"},
		{`<userTask id="t" camunda:dueDate="${fn()}"/>`, "invalid-expression"},
		{`<userTask id="t" camunda:candidateGroups="a, =b +"/>`, "invalid-expression"},
		{`<userTask id="t" camunda:priority="${1 +}"/>`, "invalid-expression"},
		{`<userTask id="t"><multiInstanceLoopCharacteristics camunda:collection="${list[}"/></userTask>`, "invalid-expression"},
		{`<userTask id="t"><multiInstanceLoopCharacteristics><loopCardinality>=count(</loopCardinality></multiInstanceLoopCharacteristics></userTask>`, "invalid-loop-cardinality"},
		{`<userTask id="t"><multiInstanceLoopCharacteristics><loopCardinality>3</loopCardinality><completionCondition>=nrOfCompletedInstances &gt;</completionCondition></multiInstanceLoopCharacteristics></userTask>`, "invalid-completion-condition"},
		{`<callActivity id="t" calledElement="${'open}"/>`, "invalid-expression"},
		{`<callActivity id="t" calledElement="x"><extensionElements><camunda:in sourceExpression="${a b}" target="y"/></extensionElements></callActivity>`, "invalid-expression"},
		{`<scriptTask id="t" scriptFormat="feel" camunda:resultVariable="r"><script>a +* b</script></scriptTask>`, "invalid-expression"},
		{`<userTask id="t"/><boundaryEvent id="b" attachedToRef="t"><timerEventDefinition><timeDuration>=duration(</timeDuration></timerEventDefinition></boundaryEvent>`, "invalid-timer"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		src := `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn">
<process id="p" isExecutable="true"><startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>` + c.attr + `
<sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/></process></definitions>`
		file := writeFile(t, dir, "x.bpmn", src)
		code, out, _ := runCLI("validate", file)
		if code != 1 || !strings.Contains(out, "["+c.code+"]") || !strings.Contains(out, "column") {
			t.Errorf("%s: exit %d, want 1 and %s with a column:\n%s", c.attr, code, c.code, out)
		}
	}
}
