package simulate

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"onewindow/definitions"
	"onewindow/engine/machine"
	"onewindow/tests/corpus"
)

// load parses corpus files and compiles each of their processes.
func load(t *testing.T, files ...string) map[string]*machine.Model {
	t.Helper()
	models := map[string]*machine.Model{}
	for _, f := range files {
		data, err := os.ReadFile(corpus.File(t, filepath.Join("flowable-engine", f)))
		if err != nil {
			t.Fatal(err)
		}
		defs, problems, err := definitions.Parse(data)
		if err != nil || definitions.HasErrors(problems) {
			t.Fatalf("%s: parse: %v %v", f, err, problems)
		}
		for _, p := range defs.Processes {
			m, err := machine.Compile(defs, p.ID, machine.Options{})
			if err != nil {
				t.Fatalf("%s: compile %s: %v", f, p.ID, err)
			}
			models[p.ID] = m
		}
	}
	return models
}

// path is one documented path through a corpus file (see MANIFEST.tsv).
type path struct {
	name    string
	files   []string
	process string
	vars    map[string]any
	steps   []Step
	state   string
	active  []string // the nodes waiting at the end, in any order
	entered []string // the whole entered sequence, when given
	saw     []string // nodes that must have been entered
	notSaw  []string // nodes that must not have been entered
	varsOK  func(map[string]any) bool
}

func (p path) run(t *testing.T) {
	t.Helper()
	models := load(t, p.files...)
	r, err := Run(models, p.process, Script{Variables: p.vars, Steps: p.steps}, Options{})
	if r == nil {
		t.Fatalf("run: %v", err)
	}
	if err != nil {
		t.Fatalf("run: %v\nentered: %v\nactive: %v", err, r.Entered, r.Active)
	}
	if r.State != p.state {
		t.Errorf("state = %s, want %s (incident %+v)", r.State, p.state, r.Incident)
	}
	if got, want := sorted(r.Active), sorted(p.active); !reflect.DeepEqual(got, want) {
		t.Errorf("active = %v, want %v", got, want)
	}
	if p.entered != nil && !reflect.DeepEqual(r.Entered, p.entered) {
		t.Errorf("entered = %v\nwant      %v", r.Entered, p.entered)
	}
	for _, id := range p.saw {
		if !contains(r.Entered, id) {
			t.Errorf("%s was never entered (entered %v)", id, r.Entered)
		}
	}
	for _, id := range p.notSaw {
		if contains(r.Entered, id) {
			t.Errorf("%s was entered, but must not be (entered %v)", id, r.Entered)
		}
	}
	if p.varsOK != nil && !p.varsOK(r.Variables) {
		t.Errorf("variables %v do not hold what the path sets", r.Variables)
	}
}

func sorted(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

func contains(s []string, x string) bool {
	for _, e := range s {
		if e == x {
			return true
		}
	}
	return false
}

func count(s []string, x string) int {
	n := 0
	for _, e := range s {
		if e == x {
			n++
		}
	}
	return n
}

func complete(id string, vars map[string]any) Step { return Step{Complete: id, Variables: vars} }
func advance(iso string) Step                      { return Step{Advance: iso} }

func TestCorpusGatewaysAndTasks(t *testing.T) {
	xor := "ExclusiveGatewayTest.testDefaultSequenceFlow.bpmn20.xml"
	incl := "InclusiveGatewayTest.testDecisionFunctionality.bpmn20.xml"
	paths := []path{
		{name: "xor input 1", files: []string{xor}, process: "exclusiveGwDefaultSequenceFlow", vars: map[string]any{"input": 1.0},
			state: "active", active: []string{"theTask1"}},
		{name: "xor input 3", files: []string{xor}, process: "exclusiveGwDefaultSequenceFlow", vars: map[string]any{"input": 3.0},
			state: "active", active: []string{"theTask3"}},
		{name: "xor default", files: []string{xor}, process: "exclusiveGwDefaultSequenceFlow", vars: map[string]any{"input": 5.0},
			steps: []Step{complete("theTask2", nil)}, state: "completed", saw: []string{"theTask2", "theEnd"}, notSaw: []string{"theTask1", "theTask3"}},
		{name: "inclusive 1", files: []string{incl}, process: "inclusiveGateway", vars: map[string]any{"input": 1.0},
			state: "active", active: []string{"theTask1", "theTask2", "theTask3"}},
		{name: "inclusive 2", files: []string{incl}, process: "inclusiveGateway", vars: map[string]any{"input": 2.0},
			state: "active", active: []string{"theTask2", "theTask3"}},
		{name: "inclusive 3 then end", files: []string{incl}, process: "inclusiveGateway", vars: map[string]any{"input": 3.0},
			steps: []Step{complete("theTask3", nil)}, state: "completed"},
		{name: "inclusive no flow is an incident", files: []string{incl}, process: "inclusiveGateway", vars: map[string]any{"input": 4.0},
			state: "incident", active: nil},
		{name: "financial report", files: []string{"FinancialReportProcess.bpmn20.xml"}, process: "financialReport",
			steps: []Step{complete("writeReportTask", nil), complete("verifyReportTask", nil)}, state: "completed",
			entered: []string{"theStart", "writeReportTask", "verifyReportTask", "theEnd"}},
		{name: "fork join", files: []string{"ParallelGatewayTest.testForkJoin.bpmn20.xml"}, process: "forkJoin",
			steps: []Step{complete("receivePayment", nil), complete("shipOrder", nil)}, state: "active", active: []string{"archiveOrder"}},
		{name: "fork join, one branch done", files: []string{"ParallelGatewayTest.testForkJoin.bpmn20.xml"}, process: "forkJoin",
			steps: []Step{complete("shipOrder", nil)}, state: "active", active: []string{"receivePayment"}},
		{name: "unbalanced fork join", files: []string{"ParallelGatewayTest.testUnbalancedForkJoin.bpmn20.xml"}, process: "UnbalancedForkJoin",
			steps: []Step{complete("task1", nil), complete("task3", nil), complete("task2", nil)}, state: "active", active: []string{"task4"}},
		{name: "unbalanced fork join to end", files: []string{"ParallelGatewayTest.testUnbalancedForkJoin.bpmn20.xml"}, process: "UnbalancedForkJoin",
			steps: []Step{complete("task1", nil), complete("task2", nil), complete("task4", nil), complete("task3", nil)}, state: "completed"},
		{name: "inclusive join after sub-processes, both", files: []string{"InclusiveGatewayTest.testJoinAfterSubprocesses.bpmn20.xml"}, process: "InclusiveGateway",
			vars:  map[string]any{"a": 1.0, "b": 1.0},
			steps: []Step{complete("usertask1", nil)}, state: "active", active: []string{"usertask2"}},
		{name: "inclusive join after sub-processes, both done", files: []string{"InclusiveGatewayTest.testJoinAfterSubprocesses.bpmn20.xml"}, process: "InclusiveGateway",
			vars:  map[string]any{"a": 1.0, "b": 1.0},
			steps: []Step{complete("usertask1", nil), complete("usertask2", nil)}, state: "active", active: []string{"usertask3"}},
		{name: "inclusive join waits only for activated branch", files: []string{"InclusiveGatewayTest.testJoinAfterSubprocesses.bpmn20.xml"}, process: "InclusiveGateway",
			vars:  map[string]any{"a": 1.0, "b": 2.0},
			steps: []Step{complete("usertask1", nil), complete("usertask3", nil)}, state: "completed", notSaw: []string{"subprocess2", "usertask2"}},
		{name: "vacation approved", files: []string{"VacationRequest.bpmn20.xml"}, process: "vacationRequest",
			vars:  map[string]any{"employeeName": "kermit", "numberOfDays": 3.0, "vacationMotivation": "rest"},
			steps: []Step{complete("handleRequest", map[string]any{"vacationApproved": "true"})}, state: "completed",
			saw: []string{"sendApprovalMail", "theEnd1"}},
		{name: "vacation rejected, resent, approved", files: []string{"VacationRequest.bpmn20.xml"}, process: "vacationRequest",
			vars: map[string]any{"employeeName": "kermit", "numberOfDays": 3.0, "vacationMotivation": "rest"},
			steps: []Step{
				complete("handleRequest", map[string]any{"vacationApproved": "false", "managerMotivation": "busy"}),
				complete("adjustVacationRequestTask", map[string]any{"resendRequest": "true"}),
				complete("handleRequest", map[string]any{"vacationApproved": "true"}),
			}, state: "completed", saw: []string{"adjustVacationRequestTask", "theEnd1"}, notSaw: []string{"theEnd2"}},
		{name: "vacation rejected, given up", files: []string{"VacationRequest.bpmn20.xml"}, process: "vacationRequest",
			vars: map[string]any{"employeeName": "kermit", "numberOfDays": 3.0, "vacationMotivation": "rest"},
			steps: []Step{
				complete("handleRequest", map[string]any{"vacationApproved": "false", "managerMotivation": "busy"}),
				complete("adjustVacationRequestTask", map[string]any{"resendRequest": "false"}),
			}, state: "completed", saw: []string{"theEnd2"}, notSaw: []string{"sendApprovalMail"}},
	}
	for _, p := range paths {
		t.Run(p.name, p.run)
	}
}

func TestCorpusTimers(t *testing.T) {
	paths := []path{
		{name: "intermediate timer waits", files: []string{"IntermediateTimerEventTest.testCatchingTimerEvent.bpmn20.xml"}, process: "intermediateTimerEventExample",
			steps: []Step{advance("PT4M")}, state: "active", active: []string{"timer"}},
		{name: "intermediate timer fires", files: []string{"IntermediateTimerEventTest.testCatchingTimerEvent.bpmn20.xml"}, process: "intermediateTimerEventExample",
			steps: []Step{advance("PT5M")}, state: "completed"},
		{name: "interrupting timer escalates", files: []string{"BoundaryTimerEventTest.testInterruptingTimerDuration.bpmn20.xml"}, process: "escalationExample",
			steps: []Step{advance("PT5M")}, state: "active", active: []string{"handleEscalation"}},
		{name: "task done before timer", files: []string{"BoundaryTimerEventTest.testInterruptingTimerDuration.bpmn20.xml"}, process: "escalationExample",
			steps: []Step{complete("firstLineSupport", nil), advance("PT1H")}, state: "completed", notSaw: []string{"handleEscalation"}},
		{name: "first of three timers wins", files: []string{"BoundaryTimerEventTest.testMultipleTimersOnUserTask.bpmn20.xml"}, process: "multipleTimersOnUserTask",
			steps: []Step{advance("PT5H")}, state: "active", active: []string{"thirdTask"},
			notSaw: []string{"secondTask", "fourthTask"}},
		{name: "completing first cancels the timers", files: []string{"BoundaryTimerEventTest.testMultipleTimersOnUserTask.bpmn20.xml"}, process: "multipleTimersOnUserTask",
			steps: []Step{complete("firstTask", nil), advance("PT5H")}, state: "completed", notSaw: []string{"thirdTask"}},
		{name: "reminder then interrupt, reminder branch goes on", files: []string{"BoundaryTimerEventTest.test2Boundary1IntermediateTimerEvents.bpmn20.xml"}, process: "threeTimersProcess",
			steps: []Step{advance("PT1H"), complete("reminderTask", nil), advance("PT3H")}, state: "completed",
			saw: []string{"reminderTimer", "afterReminderTimer", "fireExecution"}},
		{name: "reminder open while first task waits", files: []string{"BoundaryTimerEventTest.test2Boundary1IntermediateTimerEvents.bpmn20.xml"}, process: "threeTimersProcess",
			steps: []Step{advance("PT90M")}, state: "active", active: []string{"firstTask", "reminderTask"}},
		{name: "interrupt with reminder still waiting", files: []string{"BoundaryTimerEventTest.test2Boundary1IntermediateTimerEvents.bpmn20.xml"}, process: "threeTimersProcess",
			steps: []Step{advance("PT4H")}, state: "active", active: []string{"reminderTask"}},
		{name: "first task done, reminder never fires", files: []string{"BoundaryTimerEventTest.test2Boundary1IntermediateTimerEvents.bpmn20.xml"}, process: "threeTimersProcess",
			steps: []Step{complete("firstTask", nil), advance("PT5H")}, state: "completed", notSaw: []string{"reminderTask"}},
		{name: "non-interrupting timer on concurrent tasks", files: []string{"BoundaryTimerNonInterruptingEventTest.testTimerOnConcurrentTasks.bpmn20.xml"}, process: "nonInterruptingOnConcurrentTasks",
			steps: []Step{advance("PT1H")}, state: "active", active: []string{"firstTask", "secondTask", "timerFiredTask"}},
		{name: "non-interrupting timer, all done", files: []string{"BoundaryTimerNonInterruptingEventTest.testTimerOnConcurrentTasks.bpmn20.xml"}, process: "nonInterruptingOnConcurrentTasks",
			steps: []Step{advance("PT1H"), complete("firstTask", nil), complete("secondTask", nil), complete("timerFiredTask", nil)}, state: "completed",
			saw: []string{"join", "theEnd", "nonInterruptingEnd"}},
		{name: "join done, timer task still open", files: []string{"BoundaryTimerNonInterruptingEventTest.testTimerOnConcurrentTasks.bpmn20.xml"}, process: "nonInterruptingOnConcurrentTasks",
			steps: []Step{advance("PT1H"), complete("firstTask", nil), complete("secondTask", nil)}, state: "active", active: []string{"timerFiredTask"}},
		{name: "sub-process timer cancels both tasks", files: []string{"SubProcessTest.fixSystemFailureProcess.bpmn20.xml"}, process: "fixSystemFailure",
			steps: []Step{complete("task1", nil), advance("PT4H")}, state: "active", active: []string{"taskAfterTimer"}},
		{name: "sub-process completes before timer", files: []string{"SubProcessTest.fixSystemFailureProcess.bpmn20.xml"}, process: "fixSystemFailure",
			steps: []Step{complete("task1", nil), complete("task2", nil), advance("PT5H"), complete("taskAfterSubProcess", nil)}, state: "completed",
			notSaw: []string{"taskAfterTimer"}},
	}
	for _, p := range paths {
		t.Run(p.name, p.run)
	}
}

func TestCorpusEvents(t *testing.T) {
	ebg := "EventBasedGatewayTest.testCatchAlertAndTimer.bpmn20.xml"
	paths := []path{
		{name: "event gateway: signal wins", files: []string{ebg}, process: "catchSignal",
			steps: []Step{{Signal: "alert"}, advance("PT1M")}, state: "active", active: []string{"task2"}, notSaw: []string{"timerEvent", "task1"}},
		{name: "event gateway: timer wins", files: []string{ebg}, process: "catchSignal",
			steps: []Step{advance("PT10S"), {Signal: "alert"}}, state: "active", active: []string{"task1"}, notSaw: []string{"signalEvent", "task2"}},
		{name: "event gateway waits", files: []string{ebg}, process: "catchSignal",
			state: "active", active: []string{"gw1"}},
		{name: "message catch", files: []string{"MessageIntermediateEventTest.testSingleIntermediateMessageEvent.bpmn20.xml"}, process: "process",
			steps: []Step{{Message: "newInvoiceMessage"}, complete("task", nil)}, state: "completed"},
		{name: "non-interrupting message twice", files: []string{"MessageNonInterruptingBoundaryEventTest.testSingleNonInterruptingBoundaryMessageEvent.bpmn20.xml"}, process: "process",
			steps: []Step{{Message: "messageName"}, {Message: "messageName"}}, state: "active", active: []string{"task", "taskAfterMessage", "taskAfterMessage"}},
		{name: "non-interrupting message, then all done", files: []string{"MessageNonInterruptingBoundaryEventTest.testSingleNonInterruptingBoundaryMessageEvent.bpmn20.xml"}, process: "process",
			steps: []Step{{Message: "messageName"}, complete("task", nil), complete("taskAfterTask", nil), complete("taskAfterMessage", nil)}, state: "completed"},
		{name: "non-interrupting signal", files: []string{"SignalEventTest.testNonInterruptingSignal.bpmn20.xml"}, process: "nonInterruptingSignalEvent",
			steps: []Step{{Signal: "alert"}}, state: "active", active: []string{"theUserTask", "theUserTask2"}},
		{name: "non-interrupting signal, both done", files: []string{"SignalEventTest.testNonInterruptingSignal.bpmn20.xml"}, process: "nonInterruptingSignalEvent",
			steps: []Step{{Signal: "alert"}, complete("theUserTask", nil), complete("theUserTask2", nil)}, state: "completed", saw: []string{"theEnd", "theEnd2"}},
		{name: "signal between parallel paths cancels the countersign", files: []string{"SignalEventTest.testUseSignalForExceptionsBetweenParallelPaths.bpmn20.xml"}, process: "processWithSignal",
			steps: []Step{
				complete("enterDevs", map[string]any{"developers": []any{"a", "b", "c"}}),
				complete("developSpecs", nil),
				complete("negotiate", map[string]any{"negotationFailed": true}),
			}, state: "completed", saw: []string{"boundarysignal1", "signalintermediatethrowevent1", "parallelgateway2", "endevent1"}},
		{name: "no signal: all specs written", files: []string{"SignalEventTest.testUseSignalForExceptionsBetweenParallelPaths.bpmn20.xml"}, process: "processWithSignal",
			steps: []Step{
				complete("enterDevs", map[string]any{"developers": []any{"a", "b"}}),
				complete("negotiate", map[string]any{"negotationFailed": false}),
				complete("developSpecs", nil),
				complete("developSpecs", nil),
			}, state: "completed", notSaw: []string{"boundarysignal1", "signalintermediatethrowevent1"}},
	}
	for _, p := range paths {
		t.Run(p.name, p.run)
	}
}

func TestCorpusErrorsAndSubProcesses(t *testing.T) {
	paths := []path{
		{name: "error end caught on embedded sub-process", files: []string{"BoundaryErrorEventTest.testCatchErrorOnEmbeddedSubprocess.bpmn20.xml"}, process: "boundaryErrorOnEmbeddedSubprocess",
			steps: []Step{complete("subprocessTask", nil)}, state: "active", active: []string{"taskAfterErrorCatch"}, notSaw: []string{"theEnd"}},
		{name: "error end caught, then done", files: []string{"BoundaryErrorEventTest.testCatchErrorOnEmbeddedSubprocess.bpmn20.xml"}, process: "boundaryErrorOnEmbeddedSubprocess",
			steps: []Step{complete("subprocessTask", nil), complete("taskAfterErrorCatch", nil)}, state: "completed"},
		{name: "error from called process caught on call activity",
			files:   []string{"BoundaryErrorEventTest.testCatchErrorOnCallActivity-parent.bpmn20.xml", "BoundaryErrorEventTest.subprocess.bpmn20.xml"},
			process: "catchErrorOnCallActivity",
			steps:   []Step{complete("task", nil)}, state: "active", active: []string{"escalatedTask"}, saw: []string{"catchError"}},
		{name: "call activity waits for the child",
			files:   []string{"orderProcess.bpmn20.xml", "checkCreditProcess.bpmn20.xml"},
			process: "orderProcess", state: "active", active: []string{"callCheckCreditProcess", "verifyCreditHistoryTask"}},
		{name: "credit approved",
			files:   []string{"orderProcess.bpmn20.xml", "checkCreditProcess.bpmn20.xml"},
			process: "orderProcess",
			steps:   []Step{complete("verifyCreditHistoryTask", map[string]any{"creditApproved": true}), complete("prepareAndShipTask", nil)},
			state:   "completed", saw: []string{"receiveOrder", "normalEnd", "theEnd"}, notSaw: []string{"contactCustomerTask"}},
		{name: "credit not approved",
			files:   []string{"orderProcess.bpmn20.xml", "checkCreditProcess.bpmn20.xml"},
			process: "orderProcess",
			steps:   []Step{complete("verifyCreditHistoryTask", map[string]any{"creditApproved": false}), complete("contactCustomerTask", nil)},
			state:   "active", active: []string{"prepareAndShipTask"}, saw: []string{"customerContactedEnd"}},
		{name: "sales lead: enough information", files: []string{"reviewSalesLead.bpmn20.xml"}, process: "reviewSaledLead",
			vars: map[string]any{"initiator": "kermit"},
			steps: []Step{
				complete("provideNewSalesLead", map[string]any{"customerName": "Acme", "details": "x"}),
				complete("reviewCustomerRating", nil),
				complete("reviewProfitability", map[string]any{"notEnoughInformation": "false"}),
			}, state: "completed", saw: []string{"storeLeadInCrmSystem", "processEnd"}},
		{name: "sales lead: not enough information loops back", files: []string{"reviewSalesLead.bpmn20.xml"}, process: "reviewSaledLead",
			vars: map[string]any{"initiator": "kermit"},
			steps: []Step{
				complete("provideNewSalesLead", map[string]any{"customerName": "Acme", "details": "x"}),
				complete("reviewProfitability", map[string]any{"notEnoughInformation": "true"}),
				complete("provideAdditionalDetails", map[string]any{"details": "more"}),
			}, state: "active", active: []string{"reviewCustomerRating", "reviewProfitability"},
			saw: []string{"catchNotEnoughInformationError"}},
	}
	for _, p := range paths {
		t.Run(p.name, p.run)
	}
}

func TestCorpusMultiInstance(t *testing.T) {
	paths := []path{
		{name: "parallel MI completion condition 3 of 5", files: []string{"MultiInstanceTest.testParallelUserTasksCompletionCondition.bpmn20.xml"}, process: "miParallelUserTasksCompletionCondition",
			steps: []Step{complete("miTasks", nil), complete("miTasks", nil)}, state: "active", active: []string{"miTasks", "miTasks", "miTasks"}},
		{name: "parallel MI third completion ends it", files: []string{"MultiInstanceTest.testParallelUserTasksCompletionCondition.bpmn20.xml"}, process: "miParallelUserTasksCompletionCondition",
			steps: []Step{complete("miTasks", nil), complete("miTasks", nil), complete("miTasks", nil)}, state: "completed"},
		{name: "parallel MI over a collection", files: []string{"MultiInstanceTest.testParallelUserTasksBasedOnCollection.bpmn20.xml"}, process: "miParallelUserTasksBasedOnCollection",
			vars:  map[string]any{"assigneeList": []any{"kermit", "gonzo", "mispiggy", "fozzie", "bubba"}},
			steps: []Step{complete("miTasks", nil), complete("miTasks", nil), complete("miTasks", nil)}, state: "completed"},
		{name: "sequential MI one at a time", files: []string{"MultiInstanceTest.sequentialUserTasks.bpmn20.xml"}, process: "miSequentialUserTasks",
			vars:  map[string]any{"nrOfLoops": 3.0},
			steps: []Step{complete("miTasks", nil)}, state: "active", active: []string{"miTasks"}},
		{name: "sequential MI runs nrOfLoops times", files: []string{"MultiInstanceTest.sequentialUserTasks.bpmn20.xml"}, process: "miSequentialUserTasks",
			vars:  map[string]any{"nrOfLoops": 3.0},
			steps: []Step{complete("miTasks", nil), complete("miTasks", nil), complete("miTasks", nil)}, state: "completed"},
		{name: "sequential MI stops at 5 of 7", files: []string{"MultiInstanceTest.sequentialUserTasks.bpmn20.xml"}, process: "miSequentialUserTasks",
			vars: map[string]any{"nrOfLoops": 7.0},
			steps: []Step{complete("miTasks", nil), complete("miTasks", nil), complete("miTasks", nil),
				complete("miTasks", nil), complete("miTasks", nil)}, state: "completed"},
		{name: "sequential MI timer cancels all", files: []string{"MultiInstanceTest.sequentialUserTasks.bpmn20.xml"}, process: "miSequentialUserTasks",
			vars:  map[string]any{"nrOfLoops": 3.0},
			steps: []Step{complete("miTasks", nil), advance("PT2H")}, state: "active", active: []string{"taskAfterTimer"}},
		{name: "parallel MI sub-process: one instance done cancels the other", files: []string{"MultiInstanceTest.testParallelSubProcessCompletionCondition.bpmn20.xml"}, process: "miParallelSubprocessCompletionCondition",
			steps: []Step{complete("subProcessTask1", nil), complete("subProcessTask2", nil)}, state: "completed", saw: []string{"theEnd"}},
		{name: "parallel MI sub-process: half an instance is not enough", files: []string{"MultiInstanceTest.testParallelSubProcessCompletionCondition.bpmn20.xml"}, process: "miParallelSubprocessCompletionCondition",
			steps: []Step{complete("subProcessTask1", nil), complete("subProcessTask1", nil)}, state: "active",
			active: []string{"subProcessTask2", "subProcessTask2"}},
		{name: "sequential MI sub-process ends after 3 of 4", files: []string{"MultiInstanceTest.testSequentialSubProcessCompletionCondition.bpmn20.xml"}, process: "miSequentialSubprocessCompletionCondition",
			steps: []Step{
				complete("subProcessTask1", nil), complete("subProcessTask2", nil),
				complete("subProcessTask1", nil), complete("subProcessTask2", nil),
				complete("subProcessTask1", nil), complete("subProcessTask2", nil),
			}, state: "completed"},
	}
	for _, p := range paths {
		t.Run(p.name, p.run)
	}

	t.Run("parallel MI opens four tasks at once", func(t *testing.T) {
		models := load(t, "MultiInstanceTest.testParallelSubProcessCompletionCondition.bpmn20.xml")
		s, err := New(models, "miParallelSubprocessCompletionCondition", nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(s.OpenTasks()); n != 4 {
			t.Fatalf("open tasks = %d (%v), want 4", n, s.OpenTasks())
		}
	})
	t.Run("sequential MI assignees follow loopCounter", func(t *testing.T) {
		models := load(t, "MultiInstanceTest.sequentialUserTasks.bpmn20.xml")
		s, err := New(models, "miSequentialUserTasks", map[string]any{"nrOfLoops": 3.0}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := 0; i < 3; i++ {
			tasks := s.Tasks()
			if len(tasks) != 1 {
				t.Fatalf("turn %d: %d open tasks, want 1", i, len(tasks))
			}
			got = append(got, tasks[0].Task.Assignee)
			if err := s.Complete("miTasks", "", nil); err != nil {
				t.Fatal(err)
			}
		}
		if want := "kermit_0,kermit_1,kermit_2"; strings.Join(got, ",") != want {
			t.Fatalf("assignees = %v, want %s", got, want)
		}
	})
}

func TestStepNamingNothingIsAnError(t *testing.T) {
	models := load(t, "FinancialReportProcess.bpmn20.xml")
	for _, st := range []Step{complete("verifyReportTask", nil), {Message: "nobody"}} {
		if _, err := Run(models, "financialReport", Script{Steps: []Step{st}}, Options{}); err == nil {
			t.Errorf("step %+v: want an error", st)
		}
	}
}
