package machine

import "time"

// CommandKind says what the world must do.
type CommandKind string

// Command kinds.
const (
	// OpenWait: create the task row, arm the timer, subscribe to the message
	// or signal, start the child case or run the handler.
	OpenWait CommandKind = "openWait"
	// CloseWait: the wait is over (Reason completed, fired or cancelled):
	// mark the task, cancel the timer, drop the subscription, cancel the child.
	CloseWait CommandKind = "closeWait"
	// Record: append an element event to the case's history.
	Record CommandKind = "record"
	// ThrowSignal: deliver a signal to every other case waiting on it.
	ThrowSignal CommandKind = "throwSignal"
	// SendMessage: a message throw event, end event or send task fired.
	SendMessage CommandKind = "sendMessage"
	// RaiseIncident and ResolveIncident: a token is stuck, or moves again.
	RaiseIncident   CommandKind = "raiseIncident"
	ResolveIncident CommandKind = "resolveIncident"
	// Finish: the case has ended (see Result).
	Finish CommandKind = "finish"
)

// Command is one thing the shell must do, in order.
type Command struct {
	Kind CommandKind `json:"kind"`
	// Wait is set for OpenWait and CloseWait.
	Wait *Wait `json:"wait,omitempty"`
	// Reason is why a wait closed: "completed", "fired" or "cancelled".
	Reason string `json:"reason,omitempty"`
	// Entry is set for Record.
	Entry *Entry `json:"entry,omitempty"`
	// Name and Vars are set for ThrowSignal and SendMessage.
	Name string         `json:"name,omitempty"`
	Vars map[string]any `json:"vars,omitempty"`
	// Incident is set for RaiseIncident and ResolveIncident.
	Incident *Incident `json:"incident,omitempty"`
	// Result and Error are set for Finish.
	Result Result     `json:"result,omitempty"`
	Error  *BPMNError `json:"error,omitempty"`
}

// EntryKind is the kind of a history entry.
type EntryKind string

// History entry kinds.
const (
	EntryEntered   EntryKind = "entered"
	EntryCompleted EntryKind = "completed"
	EntryCancelled EntryKind = "cancelled"
	EntryFired     EntryKind = "timerFired"
	EntryMoved     EntryKind = "moved"
	EntryVariables EntryKind = "variablesSet"
)

// Entry is one element event of the case's history.
type Entry struct {
	Kind     EntryKind `json:"kind"`
	Element  string    `json:"element"`
	Instance string    `json:"instance,omitempty"`
	Detail   string    `json:"detail,omitempty"`
}

// EventKind is the kind of an event delivered to the machine.
type EventKind string

// Event kinds.
const (
	TaskCompleted   EventKind = "taskCompleted"
	TimerFired      EventKind = "timerFired"
	MessageReceived EventKind = "message"
	SignalReceived  EventKind = "signal"
	ChildFinished   EventKind = "childFinished"
	HandlerFinished EventKind = "handlerFinished"
	CancelCase      EventKind = "cancel"
	RetryIncident   EventKind = "retry"
	// MoveToken cancels a waiting user task and starts Target, a node of the
	// same scope: returning a case to an earlier step (退回) or withdrawing
	// a completion (撤回).
	MoveToken EventKind = "move"
	// AddInstance adds a signer to a running parallel multi-instance body
	// (加签); RemoveInstance cancels one signer's task (减签).
	AddInstance    EventKind = "addInstance"
	RemoveInstance EventKind = "removeInstance"
	// ReopenInstance takes back one completed instance of a running parallel
	// body (a signer recalls their opinion, 撤回意见): WaitID is the body,
	// Item the instance's loop counter, Outcome the outcome it completed with.
	ReopenInstance EventKind = "reopenInstance"
	// SetVariables sets variables on the process scope without moving a token.
	SetVariables EventKind = "setVariables"
)

// Event is something that happened to a case.
type Event struct {
	Kind EventKind `json:"kind"`
	// WaitID names the wait for task, timer, child and handler events, the
	// task for MoveToken and RemoveInstance, the body for AddInstance, the
	// incident for RetryIncident.
	WaitID string `json:"waitId,omitempty"`
	// Name is the message or signal name.
	Name string `json:"name,omitempty"`
	// Outcome is a task's outcome (accept, refuse, approve, ...).
	Outcome string         `json:"outcome,omitempty"`
	Vars    map[string]any `json:"vars,omitempty"`
	// Local sets Vars on the task's own instance instead of the process.
	Local bool `json:"local,omitempty"`
	// Error is the BPMN error a child case or handler ended with.
	Error *BPMNError `json:"error,omitempty"`
	// Failure is a technical failure of a child case or handler: the
	// activity becomes an incident that a retry runs again.
	Failure string `json:"failure,omitempty"`
	// Target is the node MoveToken starts.
	Target string `json:"target,omitempty"`
	// Item is the element value of an added multi-instance instance.
	Item any `json:"item,omitempty"`
	// At is when the event happened in the case's time (what now() and dateTime() give while
	// it is handled); User is who caused it (authenticatedUserId). Shells set both so that a
	// replay evaluates expressions alike.
	At   time.Time `json:"at,omitzero"`
	User string    `json:"user,omitempty"`
}
