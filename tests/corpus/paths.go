package corpus

import "onewindow/engine/simulate"

// Path is one documented path through Flowable files of the corpus: the
// steps to take and what the case must show afterwards (see MANIFEST.tsv).
// The simulator's tests and the engine's conformance tests both run them.
type Path struct {
	Name    string
	Files   []string // under flowable-engine/
	Process string
	Vars    map[string]any
	Steps   []simulate.Step
	State   string   // completed, active or incident
	Active  []string // the nodes waiting at the end, in any order
	Entered []string // the whole entered sequence, when given
	Saw     []string // nodes that must have been entered
	NotSaw  []string // nodes that must not have been entered
}

func complete(id string, vars map[string]any) simulate.Step {
	return simulate.Step{Complete: id, Variables: vars}
}

func advance(iso string) simulate.Step { return simulate.Step{Advance: iso} }

// Paths lists every documented path of the executable Flowable files.
func Paths() []Path {
	return []Path{
		// GatewaysAndTasks

		{Name: "xor input 1", Files: []string{"ExclusiveGatewayTest.testDefaultSequenceFlow.bpmn20.xml"}, Process: "exclusiveGwDefaultSequenceFlow", Vars: map[string]any{"input": 1.0},
			State: "active", Active: []string{"theTask1"}},
		{Name: "xor input 3", Files: []string{"ExclusiveGatewayTest.testDefaultSequenceFlow.bpmn20.xml"}, Process: "exclusiveGwDefaultSequenceFlow", Vars: map[string]any{"input": 3.0},
			State: "active", Active: []string{"theTask3"}},
		{Name: "xor default", Files: []string{"ExclusiveGatewayTest.testDefaultSequenceFlow.bpmn20.xml"}, Process: "exclusiveGwDefaultSequenceFlow", Vars: map[string]any{"input": 5.0},
			Steps: []simulate.Step{complete("theTask2", nil)}, State: "completed", Saw: []string{"theTask2", "theEnd"}, NotSaw: []string{"theTask1", "theTask3"}},
		{Name: "inclusive 1", Files: []string{"InclusiveGatewayTest.testDecisionFunctionality.bpmn20.xml"}, Process: "inclusiveGateway", Vars: map[string]any{"input": 1.0},
			State: "active", Active: []string{"theTask1", "theTask2", "theTask3"}},
		{Name: "inclusive 2", Files: []string{"InclusiveGatewayTest.testDecisionFunctionality.bpmn20.xml"}, Process: "inclusiveGateway", Vars: map[string]any{"input": 2.0},
			State: "active", Active: []string{"theTask2", "theTask3"}},
		{Name: "inclusive 3 then end", Files: []string{"InclusiveGatewayTest.testDecisionFunctionality.bpmn20.xml"}, Process: "inclusiveGateway", Vars: map[string]any{"input": 3.0},
			Steps: []simulate.Step{complete("theTask3", nil)}, State: "completed"},
		{Name: "inclusive no flow is an incident", Files: []string{"InclusiveGatewayTest.testDecisionFunctionality.bpmn20.xml"}, Process: "inclusiveGateway", Vars: map[string]any{"input": 4.0},
			State: "incident", Active: nil},
		{Name: "financial report", Files: []string{"FinancialReportProcess.bpmn20.xml"}, Process: "financialReport",
			Steps: []simulate.Step{complete("writeReportTask", nil), complete("verifyReportTask", nil)}, State: "completed",
			Entered: []string{"theStart", "writeReportTask", "verifyReportTask", "theEnd"}},
		{Name: "fork join", Files: []string{"ParallelGatewayTest.testForkJoin.bpmn20.xml"}, Process: "forkJoin",
			Steps: []simulate.Step{complete("receivePayment", nil), complete("shipOrder", nil)}, State: "active", Active: []string{"archiveOrder"}},
		{Name: "fork join, one branch done", Files: []string{"ParallelGatewayTest.testForkJoin.bpmn20.xml"}, Process: "forkJoin",
			Steps: []simulate.Step{complete("shipOrder", nil)}, State: "active", Active: []string{"receivePayment"}},
		{Name: "unbalanced fork join", Files: []string{"ParallelGatewayTest.testUnbalancedForkJoin.bpmn20.xml"}, Process: "UnbalancedForkJoin",
			Steps: []simulate.Step{complete("task1", nil), complete("task3", nil), complete("task2", nil)}, State: "active", Active: []string{"task4"}},
		{Name: "unbalanced fork join to end", Files: []string{"ParallelGatewayTest.testUnbalancedForkJoin.bpmn20.xml"}, Process: "UnbalancedForkJoin",
			Steps: []simulate.Step{complete("task1", nil), complete("task2", nil), complete("task4", nil), complete("task3", nil)}, State: "completed"},
		{Name: "inclusive join after sub-processes, both", Files: []string{"InclusiveGatewayTest.testJoinAfterSubprocesses.bpmn20.xml"}, Process: "InclusiveGateway",
			Vars:  map[string]any{"a": 1.0, "b": 1.0},
			Steps: []simulate.Step{complete("usertask1", nil)}, State: "active", Active: []string{"usertask2"}},
		{Name: "inclusive join after sub-processes, both done", Files: []string{"InclusiveGatewayTest.testJoinAfterSubprocesses.bpmn20.xml"}, Process: "InclusiveGateway",
			Vars:  map[string]any{"a": 1.0, "b": 1.0},
			Steps: []simulate.Step{complete("usertask1", nil), complete("usertask2", nil)}, State: "active", Active: []string{"usertask3"}},
		{Name: "inclusive join waits only for activated branch", Files: []string{"InclusiveGatewayTest.testJoinAfterSubprocesses.bpmn20.xml"}, Process: "InclusiveGateway",
			Vars:  map[string]any{"a": 1.0, "b": 2.0},
			Steps: []simulate.Step{complete("usertask1", nil), complete("usertask3", nil)}, State: "completed", NotSaw: []string{"subprocess2", "usertask2"}},
		{Name: "vacation approved", Files: []string{"VacationRequest.bpmn20.xml"}, Process: "vacationRequest",
			Vars:  map[string]any{"employeeName": "kermit", "numberOfDays": 3.0, "vacationMotivation": "rest"},
			Steps: []simulate.Step{complete("handleRequest", map[string]any{"vacationApproved": "true"})}, State: "completed",
			Saw: []string{"sendApprovalMail", "theEnd1"}},
		{Name: "vacation rejected, resent, approved", Files: []string{"VacationRequest.bpmn20.xml"}, Process: "vacationRequest",
			Vars: map[string]any{"employeeName": "kermit", "numberOfDays": 3.0, "vacationMotivation": "rest"},
			Steps: []simulate.Step{
				complete("handleRequest", map[string]any{"vacationApproved": "false", "managerMotivation": "busy"}),
				complete("adjustVacationRequestTask", map[string]any{"resendRequest": "true"}),
				complete("handleRequest", map[string]any{"vacationApproved": "true"}),
			}, State: "completed", Saw: []string{"adjustVacationRequestTask", "theEnd1"}, NotSaw: []string{"theEnd2"}},
		{Name: "vacation rejected, given up", Files: []string{"VacationRequest.bpmn20.xml"}, Process: "vacationRequest",
			Vars: map[string]any{"employeeName": "kermit", "numberOfDays": 3.0, "vacationMotivation": "rest"},
			Steps: []simulate.Step{
				complete("handleRequest", map[string]any{"vacationApproved": "false", "managerMotivation": "busy"}),
				complete("adjustVacationRequestTask", map[string]any{"resendRequest": "false"}),
			}, State: "completed", Saw: []string{"theEnd2"}, NotSaw: []string{"sendApprovalMail"}},
		// Timers

		{Name: "intermediate timer waits", Files: []string{"IntermediateTimerEventTest.testCatchingTimerEvent.bpmn20.xml"}, Process: "intermediateTimerEventExample",
			Steps: []simulate.Step{advance("PT4M")}, State: "active", Active: []string{"timer"}},
		{Name: "intermediate timer fires", Files: []string{"IntermediateTimerEventTest.testCatchingTimerEvent.bpmn20.xml"}, Process: "intermediateTimerEventExample",
			Steps: []simulate.Step{advance("PT5M")}, State: "completed"},
		{Name: "interrupting timer escalates", Files: []string{"BoundaryTimerEventTest.testInterruptingTimerDuration.bpmn20.xml"}, Process: "escalationExample",
			Steps: []simulate.Step{advance("PT5M")}, State: "active", Active: []string{"handleEscalation"}},
		{Name: "task done before timer", Files: []string{"BoundaryTimerEventTest.testInterruptingTimerDuration.bpmn20.xml"}, Process: "escalationExample",
			Steps: []simulate.Step{complete("firstLineSupport", nil), advance("PT1H")}, State: "completed", NotSaw: []string{"handleEscalation"}},
		{Name: "first of three timers wins", Files: []string{"BoundaryTimerEventTest.testMultipleTimersOnUserTask.bpmn20.xml"}, Process: "multipleTimersOnUserTask",
			Steps: []simulate.Step{advance("PT5H")}, State: "active", Active: []string{"thirdTask"},
			NotSaw: []string{"secondTask", "fourthTask"}},
		{Name: "completing first cancels the timers", Files: []string{"BoundaryTimerEventTest.testMultipleTimersOnUserTask.bpmn20.xml"}, Process: "multipleTimersOnUserTask",
			Steps: []simulate.Step{complete("firstTask", nil), advance("PT5H")}, State: "completed", NotSaw: []string{"thirdTask"}},
		{Name: "reminder then interrupt, reminder branch goes on", Files: []string{"BoundaryTimerEventTest.test2Boundary1IntermediateTimerEvents.bpmn20.xml"}, Process: "threeTimersProcess",
			Steps: []simulate.Step{advance("PT1H"), complete("reminderTask", nil), advance("PT3H")}, State: "completed",
			Saw: []string{"reminderTimer", "afterReminderTimer", "fireExecution"}},
		{Name: "reminder open while first task waits", Files: []string{"BoundaryTimerEventTest.test2Boundary1IntermediateTimerEvents.bpmn20.xml"}, Process: "threeTimersProcess",
			Steps: []simulate.Step{advance("PT90M")}, State: "active", Active: []string{"firstTask", "reminderTask"}},
		{Name: "interrupt with reminder still waiting", Files: []string{"BoundaryTimerEventTest.test2Boundary1IntermediateTimerEvents.bpmn20.xml"}, Process: "threeTimersProcess",
			Steps: []simulate.Step{advance("PT4H")}, State: "active", Active: []string{"reminderTask"}},
		{Name: "first task done, reminder never fires", Files: []string{"BoundaryTimerEventTest.test2Boundary1IntermediateTimerEvents.bpmn20.xml"}, Process: "threeTimersProcess",
			Steps: []simulate.Step{complete("firstTask", nil), advance("PT5H")}, State: "completed", NotSaw: []string{"reminderTask"}},
		{Name: "non-interrupting timer on concurrent tasks", Files: []string{"BoundaryTimerNonInterruptingEventTest.testTimerOnConcurrentTasks.bpmn20.xml"}, Process: "nonInterruptingOnConcurrentTasks",
			Steps: []simulate.Step{advance("PT1H")}, State: "active", Active: []string{"firstTask", "secondTask", "timerFiredTask"}},
		{Name: "non-interrupting timer, all done", Files: []string{"BoundaryTimerNonInterruptingEventTest.testTimerOnConcurrentTasks.bpmn20.xml"}, Process: "nonInterruptingOnConcurrentTasks",
			Steps: []simulate.Step{advance("PT1H"), complete("firstTask", nil), complete("secondTask", nil), complete("timerFiredTask", nil)}, State: "completed",
			Saw: []string{"join", "theEnd", "nonInterruptingEnd"}},
		{Name: "join done, timer task still open", Files: []string{"BoundaryTimerNonInterruptingEventTest.testTimerOnConcurrentTasks.bpmn20.xml"}, Process: "nonInterruptingOnConcurrentTasks",
			Steps: []simulate.Step{advance("PT1H"), complete("firstTask", nil), complete("secondTask", nil)}, State: "active", Active: []string{"timerFiredTask"}},
		{Name: "sub-process timer cancels both tasks", Files: []string{"SubProcessTest.fixSystemFailureProcess.bpmn20.xml"}, Process: "fixSystemFailure",
			Steps: []simulate.Step{complete("task1", nil), advance("PT4H")}, State: "active", Active: []string{"taskAfterTimer"}},
		{Name: "sub-process completes before timer", Files: []string{"SubProcessTest.fixSystemFailureProcess.bpmn20.xml"}, Process: "fixSystemFailure",
			Steps: []simulate.Step{complete("task1", nil), complete("task2", nil), advance("PT5H"), complete("taskAfterSubProcess", nil)}, State: "completed",
			NotSaw: []string{"taskAfterTimer"}},
		// Events

		{Name: "event gateway: signal wins", Files: []string{"EventBasedGatewayTest.testCatchAlertAndTimer.bpmn20.xml"}, Process: "catchSignal",
			Steps: []simulate.Step{{Signal: "alert"}, advance("PT1M")}, State: "active", Active: []string{"task2"}, NotSaw: []string{"timerEvent", "task1"}},
		{Name: "event gateway: timer wins", Files: []string{"EventBasedGatewayTest.testCatchAlertAndTimer.bpmn20.xml"}, Process: "catchSignal",
			Steps: []simulate.Step{advance("PT10S"), {Signal: "alert"}}, State: "active", Active: []string{"task1"}, NotSaw: []string{"signalEvent", "task2"}},
		{Name: "event gateway waits", Files: []string{"EventBasedGatewayTest.testCatchAlertAndTimer.bpmn20.xml"}, Process: "catchSignal",
			State: "active", Active: []string{"gw1"}},
		{Name: "message catch", Files: []string{"MessageIntermediateEventTest.testSingleIntermediateMessageEvent.bpmn20.xml"}, Process: "process",
			Steps: []simulate.Step{{Message: "newInvoiceMessage"}, complete("task", nil)}, State: "completed"},
		{Name: "non-interrupting message twice", Files: []string{"MessageNonInterruptingBoundaryEventTest.testSingleNonInterruptingBoundaryMessageEvent.bpmn20.xml"}, Process: "process",
			Steps: []simulate.Step{{Message: "messageName"}, {Message: "messageName"}}, State: "active", Active: []string{"task", "taskAfterMessage", "taskAfterMessage"}},
		{Name: "non-interrupting message, then all done", Files: []string{"MessageNonInterruptingBoundaryEventTest.testSingleNonInterruptingBoundaryMessageEvent.bpmn20.xml"}, Process: "process",
			Steps: []simulate.Step{{Message: "messageName"}, complete("task", nil), complete("taskAfterTask", nil), complete("taskAfterMessage", nil)}, State: "completed"},
		{Name: "non-interrupting signal", Files: []string{"SignalEventTest.testNonInterruptingSignal.bpmn20.xml"}, Process: "nonInterruptingSignalEvent",
			Steps: []simulate.Step{{Signal: "alert"}}, State: "active", Active: []string{"theUserTask", "theUserTask2"}},
		{Name: "non-interrupting signal, both done", Files: []string{"SignalEventTest.testNonInterruptingSignal.bpmn20.xml"}, Process: "nonInterruptingSignalEvent",
			Steps: []simulate.Step{{Signal: "alert"}, complete("theUserTask", nil), complete("theUserTask2", nil)}, State: "completed", Saw: []string{"theEnd", "theEnd2"}},
		{Name: "signal between parallel paths cancels the countersign", Files: []string{"SignalEventTest.testUseSignalForExceptionsBetweenParallelPaths.bpmn20.xml"}, Process: "processWithSignal",
			Steps: []simulate.Step{
				complete("enterDevs", map[string]any{"developers": []any{"a", "b", "c"}}),
				complete("developSpecs", nil),
				complete("negotiate", map[string]any{"negotationFailed": true}),
			}, State: "completed", Saw: []string{"boundarysignal1", "signalintermediatethrowevent1", "parallelgateway2", "endevent1"}},
		{Name: "no signal: all specs written", Files: []string{"SignalEventTest.testUseSignalForExceptionsBetweenParallelPaths.bpmn20.xml"}, Process: "processWithSignal",
			Steps: []simulate.Step{
				complete("enterDevs", map[string]any{"developers": []any{"a", "b"}}),
				complete("negotiate", map[string]any{"negotationFailed": false}),
				complete("developSpecs", nil),
				complete("developSpecs", nil),
			}, State: "completed", NotSaw: []string{"boundarysignal1", "signalintermediatethrowevent1"}},
		// ErrorsAndSubProcesses

		{Name: "error end caught on embedded sub-process", Files: []string{"BoundaryErrorEventTest.testCatchErrorOnEmbeddedSubprocess.bpmn20.xml"}, Process: "boundaryErrorOnEmbeddedSubprocess",
			Steps: []simulate.Step{complete("subprocessTask", nil)}, State: "active", Active: []string{"taskAfterErrorCatch"}, NotSaw: []string{"theEnd"}},
		{Name: "error end caught, then done", Files: []string{"BoundaryErrorEventTest.testCatchErrorOnEmbeddedSubprocess.bpmn20.xml"}, Process: "boundaryErrorOnEmbeddedSubprocess",
			Steps: []simulate.Step{complete("subprocessTask", nil), complete("taskAfterErrorCatch", nil)}, State: "completed"},
		{Name: "error from called process caught on call activity",
			Files:   []string{"BoundaryErrorEventTest.testCatchErrorOnCallActivity-parent.bpmn20.xml", "BoundaryErrorEventTest.subprocess.bpmn20.xml"},
			Process: "catchErrorOnCallActivity",
			Steps:   []simulate.Step{complete("task", nil)}, State: "active", Active: []string{"escalatedTask"}, Saw: []string{"catchError"}},
		{Name: "call activity waits for the child",
			Files:   []string{"orderProcess.bpmn20.xml", "checkCreditProcess.bpmn20.xml"},
			Process: "orderProcess", State: "active", Active: []string{"callCheckCreditProcess", "verifyCreditHistoryTask"}},
		{Name: "credit approved",
			Files:   []string{"orderProcess.bpmn20.xml", "checkCreditProcess.bpmn20.xml"},
			Process: "orderProcess",
			Steps:   []simulate.Step{complete("verifyCreditHistoryTask", map[string]any{"creditApproved": true}), complete("prepareAndShipTask", nil)},
			State:   "completed", Saw: []string{"receiveOrder", "normalEnd", "theEnd"}, NotSaw: []string{"contactCustomerTask"}},
		{Name: "credit not approved",
			Files:   []string{"orderProcess.bpmn20.xml", "checkCreditProcess.bpmn20.xml"},
			Process: "orderProcess",
			Steps:   []simulate.Step{complete("verifyCreditHistoryTask", map[string]any{"creditApproved": false}), complete("contactCustomerTask", nil)},
			State:   "active", Active: []string{"prepareAndShipTask"}, Saw: []string{"customerContactedEnd"}},
		{Name: "sales lead: enough information", Files: []string{"reviewSalesLead.bpmn20.xml"}, Process: "reviewSaledLead",
			Vars: map[string]any{"initiator": "kermit"},
			Steps: []simulate.Step{
				complete("provideNewSalesLead", map[string]any{"customerName": "Acme", "details": "x"}),
				complete("reviewCustomerRating", nil),
				complete("reviewProfitability", map[string]any{"notEnoughInformation": "false"}),
			}, State: "completed", Saw: []string{"storeLeadInCrmSystem", "processEnd"}},
		{Name: "sales lead: not enough information loops back", Files: []string{"reviewSalesLead.bpmn20.xml"}, Process: "reviewSaledLead",
			Vars: map[string]any{"initiator": "kermit"},
			Steps: []simulate.Step{
				complete("provideNewSalesLead", map[string]any{"customerName": "Acme", "details": "x"}),
				complete("reviewProfitability", map[string]any{"notEnoughInformation": "true"}),
				complete("provideAdditionalDetails", map[string]any{"details": "more"}),
			}, State: "active", Active: []string{"reviewCustomerRating", "reviewProfitability"},
			Saw: []string{"catchNotEnoughInformationError"}},
		// MultiInstance

		{Name: "parallel MI completion condition 3 of 5", Files: []string{"MultiInstanceTest.testParallelUserTasksCompletionCondition.bpmn20.xml"}, Process: "miParallelUserTasksCompletionCondition",
			Steps: []simulate.Step{complete("miTasks", nil), complete("miTasks", nil)}, State: "active", Active: []string{"miTasks", "miTasks", "miTasks"}},
		{Name: "parallel MI third completion ends it", Files: []string{"MultiInstanceTest.testParallelUserTasksCompletionCondition.bpmn20.xml"}, Process: "miParallelUserTasksCompletionCondition",
			Steps: []simulate.Step{complete("miTasks", nil), complete("miTasks", nil), complete("miTasks", nil)}, State: "completed"},
		{Name: "parallel MI over a collection", Files: []string{"MultiInstanceTest.testParallelUserTasksBasedOnCollection.bpmn20.xml"}, Process: "miParallelUserTasksBasedOnCollection",
			Vars:  map[string]any{"assigneeList": []any{"kermit", "gonzo", "mispiggy", "fozzie", "bubba"}},
			Steps: []simulate.Step{complete("miTasks", nil), complete("miTasks", nil), complete("miTasks", nil)}, State: "completed"},
		{Name: "sequential MI one at a time", Files: []string{"MultiInstanceTest.sequentialUserTasks.bpmn20.xml"}, Process: "miSequentialUserTasks",
			Vars:  map[string]any{"nrOfLoops": 3.0},
			Steps: []simulate.Step{complete("miTasks", nil)}, State: "active", Active: []string{"miTasks"}},
		{Name: "sequential MI runs nrOfLoops times", Files: []string{"MultiInstanceTest.sequentialUserTasks.bpmn20.xml"}, Process: "miSequentialUserTasks",
			Vars:  map[string]any{"nrOfLoops": 3.0},
			Steps: []simulate.Step{complete("miTasks", nil), complete("miTasks", nil), complete("miTasks", nil)}, State: "completed"},
		{Name: "sequential MI stops at 5 of 7", Files: []string{"MultiInstanceTest.sequentialUserTasks.bpmn20.xml"}, Process: "miSequentialUserTasks",
			Vars: map[string]any{"nrOfLoops": 7.0},
			Steps: []simulate.Step{complete("miTasks", nil), complete("miTasks", nil), complete("miTasks", nil),
				complete("miTasks", nil), complete("miTasks", nil)}, State: "completed"},
		{Name: "sequential MI timer cancels all", Files: []string{"MultiInstanceTest.sequentialUserTasks.bpmn20.xml"}, Process: "miSequentialUserTasks",
			Vars:  map[string]any{"nrOfLoops": 3.0},
			Steps: []simulate.Step{complete("miTasks", nil), advance("PT2H")}, State: "active", Active: []string{"taskAfterTimer"}},
		{Name: "parallel MI sub-Process: one instance done cancels the other", Files: []string{"MultiInstanceTest.testParallelSubProcessCompletionCondition.bpmn20.xml"}, Process: "miParallelSubprocessCompletionCondition",
			Steps: []simulate.Step{complete("subProcessTask1", nil), complete("subProcessTask2", nil)}, State: "completed", Saw: []string{"theEnd"}},
		{Name: "parallel MI sub-Process: half an instance is not enough", Files: []string{"MultiInstanceTest.testParallelSubProcessCompletionCondition.bpmn20.xml"}, Process: "miParallelSubprocessCompletionCondition",
			Steps: []simulate.Step{complete("subProcessTask1", nil), complete("subProcessTask1", nil)}, State: "active",
			Active: []string{"subProcessTask2", "subProcessTask2"}},
		{Name: "sequential MI sub-process ends after 3 of 4", Files: []string{"MultiInstanceTest.testSequentialSubProcessCompletionCondition.bpmn20.xml"}, Process: "miSequentialSubprocessCompletionCondition",
			Steps: []simulate.Step{
				complete("subProcessTask1", nil), complete("subProcessTask2", nil),
				complete("subProcessTask1", nil), complete("subProcessTask2", nil),
				complete("subProcessTask1", nil), complete("subProcessTask2", nil),
			}, State: "completed"},
	}
}
