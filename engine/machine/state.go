package machine

import "sort"

// State is everything the machine knows about one case. It is a plain value:
// it can be encoded as JSON, snapshotted and compared. Slices keep creation
// order; maps are used for lookup only, never ranged over in an order that
// matters.
type State struct {
	// Seq numbers instances, waits and incidents ("i1", "w2", "x3").
	Seq       int         `json:"seq"`
	Instances []*Instance `json:"instances"`
	Joins     []*Join     `json:"joins,omitempty"`
	Incidents []*Incident `json:"incidents,omitempty"`
	// Result is set when the case has ended.
	Result Result `json:"result,omitempty"`
	// Error is the unhandled BPMN error a called process ended with.
	Error *BPMNError `json:"error,omitempty"`
	// Case is the case's id and Initiator the user who started it, for expressions
	// (execution.processInstanceId, authenticatedUserId).
	Case      string `json:"case,omitempty"`
	Initiator string `json:"initiator,omitempty"`
}

// Result says how a case ended.
type Result string

// Results.
const (
	Running    Result = ""
	Completed  Result = "completed"
	Terminated Result = "terminated"
	Cancelled  Result = "cancelled"
	Failed     Result = "failed" // ended by an unhandled BPMN error (a called process)
)

// InstanceKind says what an element instance is.
type InstanceKind string

// Instance kinds.
const (
	ProcessInstance  InstanceKind = "process"
	ActivityInstance InstanceKind = "activity" // a task or call activity that waits
	ScopeInstance    InstanceKind = "scope"    // an embedded sub-process
	EventSubInstance InstanceKind = "eventSub" // a running event sub-process
	BodyInstance     InstanceKind = "body"     // a multi-instance body
	EventInstance    InstanceKind = "event"    // a catch event or event-based gateway that waits
)

// Instance is one activation of a flow node that outlives a single step: a
// waiting task or event, a running scope, or a multi-instance body.
type Instance struct {
	ID      string       `json:"id"`
	Kind    InstanceKind `json:"kind"`
	Element string       `json:"element,omitempty"`
	Parent  string       `json:"parent,omitempty"`
	// Vars are the instance's local variables.
	Vars  map[string]any `json:"vars,omitempty"`
	Waits []*Wait        `json:"waits,omitempty"`
	// MI is the bookkeeping of a multi-instance body.
	MI *MIState `json:"mi,omitempty"`
	// Inner marks one instance of a multi-instance body.
	Inner bool `json:"inner,omitempty"`
	// Loop counts the iterations of a standard loop.
	Loop int `json:"loop,omitempty"`
	// Interrupting marks an event sub-process started by an interrupting start.
	Interrupting bool `json:"interrupting,omitempty"`
}

// MIState is the bookkeeping of a multi-instance body.
type MIState struct {
	Total     int   `json:"total"`
	Completed int   `json:"completed"`
	Active    int   `json:"active"`
	Next      int   `json:"next"`
	Items     []any `json:"items,omitempty"`
	// Outcomes counts the outcomes the instances completed with, in the
	// order each outcome first appeared.
	Outcomes []OutcomeCount `json:"outcomes,omitempty"`
}

// OutcomeCount is how many instances completed with one outcome.
type OutcomeCount struct {
	Outcome string `json:"outcome"`
	Count   int    `json:"count"`
}

// WaitKind says what a wait waits for.
type WaitKind string

// Wait kinds.
const (
	TaskWait    WaitKind = "task"    // a user task: completed through the API
	TimerWait   WaitKind = "timer"   // a timer: fires at a due time
	MessageWait WaitKind = "message" // a message correlated by name to this case
	SignalWait  WaitKind = "signal"  // a signal broadcast by name
	ChildWait   WaitKind = "child"   // a called process started as a child case
	HandlerWait WaitKind = "handler" // a built-in service handler run by the shell
)

// WaitRole says what triggering a wait does.
type WaitRole string

// Wait roles.
const (
	MainRole     WaitRole = "main"     // completes its instance
	BoundaryRole WaitRole = "boundary" // starts a boundary event's path
	EventSubRole WaitRole = "eventSub" // starts an event sub-process
	BranchRole   WaitRole = "branch"   // wins an event-based gateway
	StartRole    WaitRole = "start"    // a timer or message start event of the process
)

// Wait is something an instance waits for. Its ID names the signal channel
// or timer in the shell, so it is unique within the case and reproduced
// exactly by replay.
type Wait struct {
	ID   string   `json:"id"`
	Kind WaitKind `json:"kind"`
	Role WaitRole `json:"role"`
	// Element is the node the wait belongs to: the task or catch event
	// itself, a boundary event, an event sub-process's start event, or an
	// event-based gateway's target.
	Element string `json:"element"`
	// Instance is the id of the instance that owns the wait.
	Instance     string `json:"instance"`
	Interrupting bool   `json:"interrupting,omitempty"`
	// Name is the message or signal name, or the handler of a handler wait.
	Name    string       `json:"name,omitempty"`
	Task    *TaskSpec    `json:"task,omitempty"`
	Timer   *TimerSpec   `json:"timer,omitempty"`
	Child   *ChildSpec   `json:"child,omitempty"`
	Handler *HandlerSpec `json:"handler,omitempty"`
}

// TaskSpec is what the shell needs to create a user task row.
type TaskSpec struct {
	Name            string   `json:"name,omitempty"`
	Assignee        string   `json:"assignee,omitempty"`
	CandidateUsers  []string `json:"candidateUsers,omitempty"`
	CandidateGroups []string `json:"candidateGroups,omitempty"`
	DueDate         string   `json:"dueDate,omitempty"`
	FormKey         string   `json:"formKey,omitempty"`
	Priority        string   `json:"priority,omitempty"`
	Documentation   string   `json:"documentation,omitempty"`
	// StepKind, LimitDays and WarnDays come from onewindow's extension.
	StepKind  string  `json:"stepKind,omitempty"`
	LimitDays float64 `json:"limitDays,omitempty"`
	WarnDays  float64 `json:"warnDays,omitempty"`
	// LoopCounter is the index of a multi-instance task, -1 otherwise.
	LoopCounter int `json:"loopCounter"`
	// Body is the id of the multi-instance body the task belongs to.
	Body string `json:"body,omitempty"`
}

// TimerSpec is a timer as the definition states it; the shell turns it into
// a due time (working days through the calendar).
type TimerSpec struct {
	Date        string  `json:"date,omitempty"`
	Duration    string  `json:"duration,omitempty"`
	Cycle       string  `json:"cycle,omitempty"`
	WorkingDays float64 `json:"workingDays,omitempty"`
	// Fired counts how often a cycle timer has fired before this arming.
	Fired int `json:"fired,omitempty"`
}

// ChildSpec is a called process to start as a child case.
type ChildSpec struct {
	Process string         `json:"process"`
	Vars    map[string]any `json:"vars,omitempty"`
}

// HandlerSpec is a built-in service handler to run.
type HandlerSpec struct {
	Handler string         `json:"handler"`
	Vars    map[string]any `json:"vars,omitempty"`
}

// Join holds the tokens that have arrived at a parallel or inclusive
// gateway with several incoming flows, per scope instance.
type Join struct {
	Scope   string `json:"scope"`
	Gateway string `json:"gateway"`
	// Arrived lists the incoming flow of each waiting token, in arrival order.
	Arrived []string `json:"arrived"`
}

// Incident is a token that could not move: a condition that failed, a
// missing variable, no outgoing flow. Retrying runs its step again.
type Incident struct {
	ID      string `json:"id"`
	Element string `json:"element"`
	Message string `json:"message"`
	Step    job    `json:"step"`
}

// BPMNError is a BPMN error thrown by an error end event or a handler.
type BPMNError struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
}

// instance returns the live instance with the given id, or nil.
func (s *State) instance(id string) *Instance {
	for _, in := range s.Instances {
		if in.ID == id {
			return in
		}
	}
	return nil
}

// wait returns the open wait with the given id and its owner, or nils.
func (s *State) wait(id string) (*Wait, *Instance) {
	for _, in := range s.Instances {
		for _, w := range in.Waits {
			if w.ID == id {
				return w, in
			}
		}
	}
	return nil, nil
}

// children returns the live instances whose parent is id, in creation order.
func (s *State) children(id string) []*Instance {
	var out []*Instance
	for _, in := range s.Instances {
		if in.Parent == id {
			out = append(out, in)
		}
	}
	return out
}

// Root returns the process instance, or nil once the case has ended.
func (s *State) Root() *Instance {
	for _, in := range s.Instances {
		if in.Kind == ProcessInstance {
			return in
		}
	}
	return nil
}

// OpenWaits returns every open wait in creation order of their instances.
func (s *State) OpenWaits() []*Wait {
	var out []*Wait
	for _, in := range s.Instances {
		out = append(out, in.Waits...)
	}
	return out
}

// sortedKeys returns m's keys in order, so that writes happen deterministically.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
