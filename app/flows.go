package app

import (
	"context"
	"fmt"
	"sync"

	"onewindow/definitions"
	"onewindow/store"
)

// flowCache keeps what the case and task use cases need of a definition version: its
// elements (for names in the timeline) and the completion contract of each user task.
// Published versions never change, so an entry lives as long as the process.
type flowCache struct {
	mu sync.Mutex
	m  map[string]*flow
}

func newFlowCache() *flowCache { return &flowCache{m: map[string]*flow{}} }

// flow is one definition version as the case use cases read it.
type flow struct {
	Key       string
	Version   int
	proc      *definitions.Process
	contracts map[string]*definitions.Contract
}

// flow returns definition key at version.
func (a *App) flow(ctx context.Context, key string, version int) (*flow, error) {
	id := fmt.Sprintf("%s\x00%d", key, version)
	a.flows.mu.Lock()
	f := a.flows.m[id]
	a.flows.mu.Unlock()
	if f != nil {
		return f, nil
	}
	d, err := store.GetDefinition(ctx, a.db, key, version)
	if err != nil {
		return nil, err
	}
	_, proc, problems := definitions.Check(d.XML, key)
	if proc == nil {
		return nil, fmt.Errorf("definition %s v%d does not parse: %v", key, version, problems)
	}
	f = &flow{Key: key, Version: d.Version, proc: proc, contracts: definitions.Contracts(proc, key)}
	a.flows.mu.Lock()
	a.flows.m[id] = f
	a.flows.mu.Unlock()
	return f, nil
}

// name returns the name of element id ("" unknown), or its id when it has none.
func (f *flow) name(id string) string {
	if f == nil || id == "" {
		return id
	}
	if n := f.proc.Node(id); n != nil && n.Name != "" {
		return n.Name
	}
	return id
}

// node returns element id, or nil.
func (f *flow) node(id string) *definitions.Node {
	if f == nil {
		return nil
	}
	return f.proc.Node(id)
}

// contract returns the completion contract of user task element id (an empty one for an
// element without one).
func (f *flow) contract(id string) *definitions.Contract {
	if c := f.contracts[id]; c != nil {
		return c
	}
	return &definitions.Contract{Element: id, Requires: map[string][]string{}, Reads: map[string]string{}}
}
