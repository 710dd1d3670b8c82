package definitions

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The corpus of real BPMN files lives outside the repository
// (../shared/bpmn-corpus next to the main checkout, ../../shared next to a
// worktree); ONEWINDOW_BPMN_CORPUS overrides. The files are read as they
// are, never copied or edited.

// corpusDir returns the corpus directory, or "" when there is none.
func corpusDir(tb testing.TB) string {
	tb.Helper()
	if dir := os.Getenv("ONEWINDOW_BPMN_CORPUS"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); err != nil {
			tb.Fatalf("ONEWINDOW_BPMN_CORPUS=%s has no MANIFEST.tsv: %v", dir, err)
		}
		return dir
	}
	root, err := repoRoot()
	if err != nil {
		tb.Fatalf("finding the repository root: %v", err)
	}
	for _, rel := range []string{"../shared/bpmn-corpus", "../../shared/bpmn-corpus"} {
		dir := filepath.Join(root, rel)
		if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); err == nil {
			return dir
		}
	}
	return ""
}

// requireCorpus returns the corpus directory or skips the test; in CI
// (ONEWINDOW_TEST_REQUIRE_SERVICES=1) a missing corpus fails it.
func requireCorpus(tb testing.TB) string {
	tb.Helper()
	dir := corpusDir(tb)
	if dir == "" {
		msg := "BPMN corpus not found at ../shared/bpmn-corpus or ../../shared/bpmn-corpus from the repository root; set ONEWINDOW_BPMN_CORPUS to its directory"
		if os.Getenv("ONEWINDOW_TEST_REQUIRE_SERVICES") == "1" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return dir
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

type manifestEntry struct {
	path       string
	elements   map[string]int
	timers     []string
	executable bool
}

func readManifest(tb testing.TB, dir string) []manifestEntry {
	tb.Helper()
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []manifestEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	countRe := regexp.MustCompile(`^(.*)x(\d+)$`)
	header := true
	for sc.Scan() {
		if header {
			header = false
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 6 {
			continue
		}
		e := manifestEntry{path: cols[0], elements: map[string]int{}, executable: cols[5] == "yes"}
		elems, timers, _ := strings.Cut(cols[4], " | ")
		for _, item := range strings.Split(elems, ", ") {
			item = strings.TrimSpace(item)
			n := 1
			if m := countRe.FindStringSubmatch(item); m != nil {
				item = m[1]
				n, _ = strconv.Atoi(m[2])
			}
			e.elements[item] += n
		}
		if t, ok := strings.CutPrefix(timers, "timers: "); ok {
			for _, s := range strings.Split(t, ", ") {
				e.timers = append(e.timers, strings.TrimSpace(s))
			}
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(out) == 0 {
		tb.Fatal("MANIFEST.tsv lists no files")
	}
	return out
}

// knownLabels are the manifest labels the model represents; the others
// (data inputs, artifacts, resources, DI) are not modelled.
func knownLabel(l string) bool {
	base, _, _ := strings.Cut(l, "(")
	base, _, _ = strings.Cut(base, "[")
	if _, ok := nodeKinds[base]; ok {
		return true
	}
	switch base {
	case "eventSubProcess", "sequenceFlow", "defaultFlow", "multiInstance", "standardLoopCharacteristics",
		"lane", "participant", "messageFlow", "message", "signal", "error", "escalation", "collaboration",
		"completionCondition", "loopCardinality":
		return true
	}
	return false
}

// manifestCounts counts the model's elements in the manifest's vocabulary.
func manifestCounts(d *Definitions) (map[string]int, []string) {
	c := map[string]int{}
	timers := map[string]bool{}
	for _, p := range d.Processes {
		for _, n := range p.Nodes {
			label := string(n.Kind)
			if n.Kind == SubProcess && n.TriggeredByEvent {
				label = "eventSubProcess"
			}
			if n.Kind.IsEvent() {
				for _, ev := range n.Events {
					k := string(ev.Kind)
					if k == string(CompensateEvent) {
						k = "compensate"
					}
					label += "(" + k + ")"
				}
				if n.Kind == BoundaryEvent {
					if n.CancelActivity {
						label += "[interrupting]"
					} else {
						label += "[non-interrupting]"
					}
				}
				if n.Kind == StartEvent && !n.Interrupting {
					label += "[non-interrupting]"
				}
			}
			c[label]++
			if n.Default != "" && n.Kind.IsGateway() {
				// The manifest counts the default flows of gateways.
				c["defaultFlow"]++
			}
			if l := n.Loop; l != nil {
				switch {
				case !l.MultiInstance:
					c["standardLoopCharacteristics"]++
				case l.Sequential:
					c["multiInstance(sequential)"]++
				default:
					c["multiInstance(parallel)"]++
				}
				if l.CompletionCondition != "" {
					c["completionCondition"]++
				}
				if l.LoopCardinality != "" {
					c["loopCardinality"]++
				}
			}
			for _, ev := range n.Events {
				if ev.Kind != TimerEvent {
					continue
				}
				for _, t := range []struct{ k, v string }{{"timeDate", ev.TimeDate}, {"timeDuration", ev.TimeDuration}, {"timeCycle", ev.TimeCycle}} {
					if t.v != "" {
						timers[t.k+"="+t.v] = true
					}
				}
				if ev.TimeDate == "" && ev.TimeDuration == "" && ev.TimeCycle == "" {
					// An empty <timeDate/> and no child at all read alike.
					timers["(empty)"] = true
				}
			}
		}
		for _, f := range p.Flows {
			if f.ConditionSet {
				c["sequenceFlow(conditional)"]++
			} else {
				c["sequenceFlow"]++
			}
		}
		c["lane"] += len(p.Lanes)
	}
	for _, col := range d.Collaborations {
		c["collaboration"]++
		c["participant"] += len(col.Participants)
		c["messageFlow"] += len(col.MessageFlows)
	}
	c["message"] += len(d.Messages)
	c["signal"] += len(d.Signals)
	c["error"] += len(d.Errors)
	c["escalation"] += len(d.Escalations)
	var ts []string
	for t := range timers {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return c, ts
}

func TestCorpusParses(t *testing.T) {
	dir := requireCorpus(t)
	entries := readManifest(t, dir)
	for _, e := range entries {
		t.Run(e.path, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, e.path))
			if err != nil {
				t.Fatal(err)
			}
			d, problems, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			for _, p := range problems {
				if p.Severity == SeverityError {
					t.Errorf("well-formedness problem: %s [%s]", p.Error(), p.Code)
				}
			}
			got, timers := manifestCounts(d)
			labels := map[string]bool{}
			for l := range got {
				labels[l] = true
			}
			for l := range e.elements {
				labels[l] = true
			}
			for l := range labels {
				if !knownLabel(l) {
					continue
				}
				if got[l] != e.elements[l] {
					t.Errorf("%s: parsed %d, manifest lists %d", l, got[l], e.elements[l])
				}
			}
			var want []string
			wantEmpty := false
			for _, tm := range e.timers {
				if strings.HasSuffix(tm, "(empty)") {
					wantEmpty = true
				} else {
					want = append(want, tm)
				}
			}
			sort.Strings(want)
			var gotSet []string
			gotEmpty := false
			for _, tm := range timers {
				if tm == "(empty)" {
					gotEmpty = true
				} else {
					gotSet = append(gotSet, tm)
				}
			}
			if strings.Join(gotSet, ", ") != strings.Join(want, ", ") {
				t.Errorf("timers: parsed %v, manifest lists %v", gotSet, want)
			}
			if wantEmpty && !gotEmpty {
				t.Errorf("the manifest lists an empty timer, parsed none")
			}
			for _, p := range d.Processes {
				for _, n := range p.Nodes {
					if n.Line < 1 || n.Column < 1 {
						t.Errorf("node %s has no position", n.ID)
					}
				}
			}
		})
	}
}

// canonicalModel describes a model without its ids, which a re-export
// changes: nodes by kind, event kinds and name (with their scope), flows
// by the descriptions of their ends. Multisets, sorted.
func canonicalModel(d *Definitions) (nodes, flows []string) {
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, p := range d.Processes {
		desc := map[string]string{}
		var describe func(n *Node) string
		describe = func(n *Node) string {
			if s, ok := desc[n.ID]; ok {
				return s
			}
			s := string(n.Kind)
			for _, ev := range n.Events {
				s += "(" + string(ev.Kind) + ")"
			}
			s += " " + strconv.Quote(norm(n.Name))
			if l := n.Loop; l != nil {
				s += fmt.Sprintf(" loop(multi=%t,sequential=%t)", l.MultiInstance, l.Sequential)
			}
			if n.Kind == BoundaryEvent {
				if !n.CancelActivity {
					s += " non-interrupting"
				}
				if a := p.Node(n.AttachedTo); a != nil {
					s += " on " + describe(a)
				}
			}
			if parent := p.Node(n.Parent); parent != nil {
				s += " in " + describe(parent)
			}
			desc[n.ID] = s
			return s
		}
		for _, n := range p.Nodes {
			nodes = append(nodes, describe(n))
		}
		for _, f := range p.Flows {
			src, tgt := "?", "?"
			if n := p.Node(f.Source); n != nil {
				src = describe(n)
			}
			if n := p.Node(f.Target); n != nil {
				tgt = describe(n)
			}
			flows = append(flows, src+" -> "+tgt)
		}
	}
	sort.Strings(nodes)
	sort.Strings(flows)
	return nodes, flows
}

// TestMIWGExportsMatchReference checks that each MIWG reference model and
// its bpmn.io re-export give the same model. The export renames every id,
// so nodes are compared by kind, event kinds, name and scope, and flows by
// the nodes they connect.
func TestMIWGExportsMatchReference(t *testing.T) {
	dir := requireCorpus(t)
	exports, err := filepath.Glob(filepath.Join(dir, "bpmn-miwg-bpmn.io-export", "A.*-export.bpmn"))
	if err != nil || len(exports) == 0 {
		t.Fatalf("no bpmn.io exports in %s (%v)", dir, err)
	}
	for _, exp := range exports {
		name := strings.TrimSuffix(filepath.Base(exp), "-export.bpmn")
		t.Run(name, func(t *testing.T) {
			ref := filepath.Join(dir, "bpmn-miwg-test-suite", name+".bpmn")
			a := mustParseFile(t, ref)
			b := mustParseFile(t, exp)
			an, af := canonicalModel(a)
			bn, bf := canonicalModel(b)
			if len(an) == 0 || len(af) == 0 {
				t.Fatalf("%s: no nodes or flows parsed", ref)
			}
			if d := diffLists(an, bn); d != "" {
				t.Errorf("nodes differ (- reference, + export):\n%s", d)
			}
			if d := diffLists(af, bf); d != "" {
				t.Errorf("flows differ (- reference, + export):\n%s", d)
			}
		})
	}
}

// TestCanonicalModelDetectsDifferences guards the comparison above
// against passing vacuously.
func TestCanonicalModelDetectsDifferences(t *testing.T) {
	dir := requireCorpus(t)
	a := mustParseFile(t, filepath.Join(dir, "bpmn-miwg-test-suite", "A.1.0.bpmn"))
	b := mustParseFile(t, filepath.Join(dir, "bpmn-miwg-test-suite", "A.2.0.bpmn"))
	an, af := canonicalModel(a)
	bn, bf := canonicalModel(b)
	if diffLists(an, bn) == "" || diffLists(af, bf) == "" {
		t.Fatal("A.1.0 and A.2.0 compare equal")
	}
}

func mustParseFile(t *testing.T, path string) *Definitions {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

// diffLists returns the lines only in a (prefixed "-") or only in b ("+").
func diffLists(a, b []string) string {
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	var out []string
	for s, n := range count {
		for ; n > 0; n-- {
			out = append(out, "- "+s)
		}
		for ; n < 0; n++ {
			out = append(out, "+ "+s)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// TestCorpusFlowableExecutable validates every executable Flowable file as
// executable: it must have no error, or only unsupported-element errors
// naming an element (there are none today).
func TestCorpusFlowableExecutable(t *testing.T) {
	dir := requireCorpus(t)
	n := 0
	for _, e := range readManifest(t, dir) {
		if !e.executable {
			continue
		}
		n++
		t.Run(e.path, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, e.path))
			if err != nil {
				t.Fatal(err)
			}
			d, p, problems := Check(data, "")
			if d == nil || p == nil {
				t.Fatalf("no executable process: %v", problems)
			}
			for _, pr := range problems {
				if pr.Severity != SeverityError {
					continue
				}
				if pr.Code == CodeUnsupportedElement && pr.ElementID != "" {
					t.Logf("unsupported: %s", pr.Error())
					continue
				}
				t.Errorf("%s [%s]", pr.Error(), pr.Code)
			}
		})
	}
	if n == 0 {
		t.Fatal("the manifest marks no file executable")
	}
}
