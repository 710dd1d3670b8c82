package engine

// Decisions of business rule tasks: the Load Definition activity loads the DMN files a
// definition's business rule tasks name together with the definition, so that they are in
// the workflow's history and a replay evaluates the same versions.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"onewindow/definitions"
	"onewindow/definitions/dmn"
)

// DecisionRecord is one stored DMN file a case evaluates: the decision Key it was loaded
// for at Version ("" for a file loaded because another imports it), with its content.
type DecisionRecord struct {
	Key       string
	Version   int
	Namespace string
	Hash      string
	XML       []byte `json:",omitempty"`
}

// DecisionSource is implemented by a Store that holds decisions (package store does). With
// a store that does not, business rule tasks find no decision and raise incidents.
type DecisionSource interface {
	// Decision returns the .dmn file of decision key at version (0: the latest published);
	// ErrNotFound when there is none.
	Decision(ctx context.Context, key string, version int) (*DecisionRecord, error)
	// DecisionFile returns the latest published .dmn file with namespace ns; ErrNotFound
	// when there is none.
	DecisionFile(ctx context.Context, ns string) (*DecisionRecord, error)
}

// maxDecisionFiles bounds the files one definition loads (decisions and their imports).
const maxDecisionFiles = 64

// decisionRefs are the decisions a definition's business rule tasks name, by content hash:
// published versions never change, so each is parsed once.
var decisionRefs sync.Map // hash -> []definitions.DecisionRef

// loadDecisions adds to rec the DMN files its business rule tasks evaluate and the files
// they import. A decision that is not published is left out: its task raises an incident
// saying so.
func (a *activities) loadDecisions(ctx context.Context, rec *DefinitionRecord) error {
	src, ok := a.e.store.(DecisionSource)
	if !ok {
		return nil
	}
	refs, err := refsOf(rec)
	if err != nil || len(refs) == 0 {
		return err
	}
	seen := map[string]bool{} // hashes
	var queue []*DecisionRecord
	for _, ref := range refs {
		version := 0
		if ref.Binding == "version" {
			version = ref.Version
		}
		d, err := src.Decision(ctx, ref.ID, version)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("loading decision %s of definition %s: %w", ref.ID, rec.Key, err)
		}
		rec.Decisions = append(rec.Decisions, *d)
		if !seen[d.Hash] {
			seen[d.Hash] = true
			queue = append(queue, d)
		}
	}
	for len(queue) > 0 && len(rec.Decisions) < maxDecisionFiles {
		d := queue[0]
		queue = queue[1:]
		model, err := dmn.Parse(d.XML)
		if err != nil {
			continue // it parsed when it was deployed; evaluating it will say why not
		}
		for _, im := range model.Imports {
			f, err := src.DecisionFile(ctx, im.Namespace)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("loading the import %s of decision %s: %w", im.Namespace, d.Key, err)
			}
			if !seen[f.Hash] {
				seen[f.Hash] = true
				f.Key, f.Version = "", 0
				rec.Decisions = append(rec.Decisions, *f)
				queue = append(queue, f)
			}
		}
	}
	return nil
}

// refsOf lists the decision references of rec's business rule tasks, in document order.
func refsOf(rec *DefinitionRecord) ([]definitions.DecisionRef, error) {
	if v, ok := decisionRefs.Load(rec.Hash); ok {
		return v.([]definitions.DecisionRef), nil
	}
	defs, _, err := definitions.Parse(rec.XML)
	if err != nil {
		return nil, fmt.Errorf("engine: definition %s v%d does not parse: %w", rec.Key, rec.Version, err)
	}
	refs := []definitions.DecisionRef{}
	for _, p := range defs.Processes {
		for _, n := range p.Nodes {
			if n.Kind == definitions.BusinessRuleTask && n.Decision != nil && n.Decision.ID != "" && !slices.Contains(refs, *n.Decision) {
				refs = append(refs, *n.Decision)
			}
		}
	}
	decisionRefs.Store(rec.Hash, refs)
	return refs, nil
}

// compileDecisions parses and links the DMN files of rec, and returns the model of each
// decision key.
func compileDecisions(rec *DefinitionRecord) (map[string]*dmn.Definitions, error) {
	if len(rec.Decisions) == 0 {
		return nil, nil
	}
	byHash := map[string]*dmn.Definitions{}
	var models []*dmn.Definitions
	out := map[string]*dmn.Definitions{}
	for _, d := range rec.Decisions {
		m := byHash[d.Hash]
		if m == nil {
			var err error
			if m, err = dmn.Parse(d.XML); err != nil {
				return nil, fmt.Errorf("engine: decision %s v%d of definition %s does not parse: %w", d.Key, d.Version, rec.Key, err)
			}
			byHash[d.Hash] = m
			models = append(models, m)
		}
		if d.Key != "" {
			out[d.Key] = m
		}
	}
	// An import that did not resolve makes only the models that need it fail, when evaluated.
	_ = dmn.Link(models...)
	return out, nil
}

// decisionKey extends a model cache key with the decisions' versions.
func decisionKey(rec *DefinitionRecord) string {
	k := ""
	for _, d := range rec.Decisions {
		k += "\x00" + d.Key + "\x00" + d.Hash
	}
	return k
}
