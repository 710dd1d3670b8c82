package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"onewindow/definitions"
	"onewindow/definitions/standard"
	"onewindow/store"
)

// flowCache keeps what the use cases need of a definition version: its process (the item
// rules read its user tasks, the timeline its element names) and the completion contract of
// each user task. A version never changes (changed content is a new version), so an entry
// lives as long as the process; one parse serves every area.
type flowCache struct {
	mu sync.Mutex
	m  map[string]*flow
}

func newFlowCache() *flowCache { return &flowCache{m: map[string]*flow{}} }

// flow is one definition version as the use cases read it.
type flow struct {
	Key       string
	Version   int
	proc      *definitions.Process
	contracts map[string]*definitions.Contract
}

// flow returns definition key at version (0: the latest published).
func (a *App) flow(ctx context.Context, key string, version int) (*flow, error) {
	if f := a.flows.get(key, version); f != nil {
		return f, nil
	}
	d, err := store.GetDefinition(ctx, a.db, key, version)
	if err != nil {
		return nil, err
	}
	return a.flowOf(d)
}

func (c *flowCache) get(key string, version int) *flow {
	if version == 0 {
		return nil // "the latest published" changes with each publication
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[fmt.Sprintf("%s\x00%d", key, version)]
}

// flowOf returns the flow of definition version d, parsed once per process.
func (a *App) flowOf(d *store.DefinitionVersion) (*flow, error) {
	if f := a.flows.get(d.Key, d.Version); f != nil {
		return f, nil
	}
	_, proc, problems := definitions.Check(d.XML, d.Key)
	if proc == nil {
		return nil, fmt.Errorf("definition %s v%d does not parse: %v", d.Key, d.Version, problems)
	}
	proc.Index() // shared between goroutines from here on: index it before
	f := &flow{Key: d.Key, Version: d.Version, proc: proc, contracts: definitions.Contracts(proc, d.Key)}
	a.flows.mu.Lock()
	a.flows.m[fmt.Sprintf("%s\x00%d", d.Key, d.Version)] = f
	a.flows.mu.Unlock()
	return f, nil
}

// boundFlow returns the flow an item runs: definition key at version (0: the latest
// published), which must be published. A definition that is missing or not published is an
// *store.InvalidError on definitionKey or definitionVersion, the item's fields.
func (a *App) boundFlow(ctx context.Context, q store.Q, key string, version int) (*flow, error) {
	d, err := store.GetDefinition(ctx, q, key, version)
	switch {
	case errors.Is(err, store.ErrNotFound) && version == 0:
		if _, e2 := store.GetDefinition(ctx, q, key, 1); e2 == nil {
			return nil, store.Invalid("definitionKey", "definition %q has no published version: publish it before binding an item to it", key)
		}
		return nil, store.Invalid("definitionKey", "there is no definition %q (the standard flows are %s)", key, strings.Join(standardKeys(), ", "))
	case errors.Is(err, store.ErrNotFound):
		return nil, store.Invalid("definitionVersion", "definition %q has no version %d", key, version)
	case err != nil:
		return nil, err
	}
	if d.Kind == store.KindDMN {
		return nil, store.Invalid("definitionKey", "%q is a decision: an item runs a process (a business rule task of the process evaluates the decision)", key)
	}
	if d.State != store.DefinitionPublished {
		return nil, store.Invalid("definitionVersion", "version %d of definition %q is a draft: publish it before binding an item to it", d.Version, key)
	}
	return a.flowOf(d)
}

func standardKeys() []string {
	var out []string
	for _, f := range standard.Flows() {
		out = append(out, f.Key)
	}
	return out
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
