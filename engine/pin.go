package engine

// Definitions out of the cases' histories. A case's history used to hold its definition's
// XML (and its decisions' DMN) as the LoadDefinition activity's result, 13–18 KB for a
// standard flow in every open case. Now the activity answers a pin: the version's key,
// version number and content hash, and those of its decision files, without their content.
// The workflow takes the compiled model from the engine's model cache, keyed by those
// hashes; on a miss (a replay after a restart, or the activity ran in another process) it
// reads the pinned content again and checks it against the hashes. The argument that this
// keeps replays deterministic is in docs/architecture.md ("Definitions out of the history").

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"onewindow/engine/machine"
)

// DecisionFileSource is implemented by a Store that can read a decision file by its
// namespace and content hash (package store does): a pinned file that another imports has
// no key of its own, and its namespace may have been published again since.
type DecisionFileSource interface {
	DecisionFileByHash(ctx context.Context, ns, hash string) (*DecisionRecord, error)
}

// pin answers rec without its content: what the history records.
func pin(rec *DefinitionRecord) *DefinitionRecord {
	p := *rec
	p.XML = nil
	p.Decisions = make([]DecisionRecord, len(rec.Decisions))
	for i, d := range rec.Decisions {
		d.XML = nil
		p.Decisions[i] = d
	}
	if len(p.Decisions) == 0 {
		p.Decisions = nil
	}
	return &p
}

// pinnedReadFor bounds how long a workflow waits for the pinned content on a miss: under
// go-workflows' 40 s limit on a workflow task that does not yield.
const pinnedReadFor = 30 * time.Second

// model answers the compiled model of a definition record from the history: compiled from
// its content when the record carries it (cases started before pins), else from the cache
// or, on a miss, from the pinned content read again.
func (e *Engine) model(rec *DefinitionRecord) (*machine.Model, error) {
	if rec.XML != nil {
		return e.models.get(rec)
	}
	if m := e.models.lookup(rec); m != nil {
		return m, nil
	}
	// A miss: workflow code waits for an immutable, content-addressed read. A read fault
	// is no outcome of the case: it is retried, and if the content stays out of reach the
	// process stops (fail-stop, as go-workflows stops a workflow task that blocks 40 s), so
	// that the replay runs again after the restart instead of the case failing.
	ctx, cancel := context.WithTimeout(context.Background(), pinnedReadFor)
	defer cancel()
	wait := 100 * time.Millisecond
	for {
		full, err := e.pinnedContent(ctx, rec)
		if err == nil {
			return e.models.get(full)
		}
		if ctx.Err() != nil || errors.Is(err, errPinMismatch) {
			e.log.Error("a case's pinned definition cannot be read: stopping the process so that the case replays after a restart",
				"definition", rec.Key, "version", rec.Version, "hash", rec.Hash, "error", err)
			failStop(e.log, err)
		}
		e.log.Warn("reading a case's pinned definition", "definition", rec.Key, "version", rec.Version, "error", err)
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Second)
	}
}

// failStop ends the process; a variable for tests.
var failStop = func(log *slog.Logger, err error) {
	log.Error("fail-stop", "error", err)
	os.Exit(3)
}

// errPinMismatch: the stored content no longer has the pinned hash (published versions
// never change, so the database was edited by hand).
var errPinMismatch = errors.New("stored content differs from the pinned hash")

// pinnedContent reads the content of a pinned record again and checks it against the pin.
func (e *Engine) pinnedContent(ctx context.Context, p *DefinitionRecord) (*DefinitionRecord, error) {
	rec, err := e.store.Definition(ctx, p.Key, p.Version)
	if err != nil {
		return nil, fmt.Errorf("definition %s v%d: %w", p.Key, p.Version, err)
	}
	if got := contentHash(rec.XML); got != p.Hash {
		return nil, fmt.Errorf("definition %s v%d: %w (%s, pinned %s)", p.Key, p.Version, errPinMismatch, got, p.Hash)
	}
	full := *p
	full.XML = rec.XML
	full.Decisions = make([]DecisionRecord, len(p.Decisions))
	for i, d := range p.Decisions {
		var got *DecisionRecord
		switch src, byHash := e.store.(DecisionSource), e.store.(DecisionFileSource); {
		case d.Key != "" && src != nil:
			got, err = src.Decision(ctx, d.Key, d.Version)
		case byHash != nil:
			got, err = byHash.DecisionFileByHash(ctx, d.Namespace, d.Hash)
		default:
			err = errors.New("the store cannot read decision files")
		}
		if err != nil {
			return nil, fmt.Errorf("decision file %s (%s) of definition %s: %w", d.Key, d.Namespace, p.Key, err)
		}
		if h := contentHash(got.XML); h != d.Hash {
			return nil, fmt.Errorf("decision file %s (%s) of definition %s: %w", d.Key, d.Namespace, p.Key, errPinMismatch)
		}
		d.XML = got.XML
		full.Decisions[i] = d
	}
	return &full, nil
}

// contentHash is the content hash of a stored file (store.HashXML).
func contentHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
