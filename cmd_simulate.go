package main

// "onewindow definitions simulate": a flowchart run in memory with virtual time.

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"onewindow/definitions"
	"onewindow/definitions/dmn"
	"onewindow/definitions/expression"
	"onewindow/engine/calendar"
	"onewindow/engine/machine"
	"onewindow/engine/simulate"
)

const simulateUsage = `usage: onewindow definitions simulate FILE... [--process ID] [--script SCRIPT.json]

exit status: 0 the script ran and the case is active or completed; 1 a file does not
validate; 2 bad usage, a bad script, or a step that names something nothing waits for;
3 the case ended in an incident (the result, with the incident, is printed all the same)`

// exitIncident is simulate's exit status when the case ends in an incident: the script ran,
// but the flowchart (or the variables the script gave it) does not carry a case through.
const exitIncident = 3

// simulateDefinitions runs a process of the files through the engine's
// token machine with virtual time and prints simulate.Result as JSON. Every
// process of every file can be called by a call activity. It returns 0 when
// the script ran and the case is active or completed, exitIncident (3) when
// it ran into an incident, 1 when a file does not validate (its problems
// printed as validate prints them), and 2 on bad usage, a bad script, or a
// step that names something nothing waits for.
func simulateDefinitions(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("onewindow definitions simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	processID := fs.String("process", "", "id of the process to run (default: the executable process of the first file)")
	scriptFile := fs.String("script", "", `JSON script: {"start":"2025-09-28T10:00","variables":{...},"steps":[{"complete":"taskId","outcome":"...","variables":{...}},{"advance":"PT2H"},{"message":"name"},{"signal":"name"},{"pause":"hearing-1","kind":"hearing"},{"resume":"hearing-1"},{"fail":"serviceTaskId","error":"code"}]}`)
	fs.Usage = func() {
		fmt.Fprintln(stderr, simulateUsage)
		fs.PrintDefaults()
	}
	// Flags may follow the files.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) == 0 {
		fs.Usage()
		return 2
	}
	script, err := readScript(*scriptFile)
	if err != nil {
		fmt.Fprintf(stderr, "onewindow definitions simulate: %v\n", err)
		return 2
	}
	models, main, ok := loadModels(files, *processID, script.WaitAt(), stdout)
	if !ok {
		return 1
	}
	res, err := simulate.Run(models, main, script, simulate.Options{Calendar: calendar.National()})
	if res != nil {
		stdout.Write(append(res.JSON(), '\n'))
	}
	switch {
	case errors.Is(err, simulate.ErrStep):
		fmt.Fprintf(stderr, "onewindow definitions simulate: %v\n", err)
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "onewindow definitions simulate: %v\n", err)
		return 1
	case res != nil && res.Incident != nil:
		at := res.Incident.ElementID
		if at == "" {
			at = "the process"
		}
		fmt.Fprintf(stderr, "onewindow definitions simulate: the case ended in an incident at %s: %s\n", at, res.Incident.Message)
		return exitIncident
	}
	return 0
}

// readScript reads a simulation script; no file is a script without steps.
func readScript(file string) (simulate.Script, error) {
	var script simulate.Script
	if file == "" {
		return script, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return script, fmt.Errorf("script: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&script); err != nil {
		return script, fmt.Errorf("script %s is not a valid script: %w", file, err)
	}
	if dec.More() {
		return script, fmt.Errorf("script %s holds more than one JSON value", file)
	}
	if script.Start != "" {
		if _, err := simulate.ParseStart(script.Start); err != nil {
			return script, fmt.Errorf("script %s: start: %w", file, err)
		}
	}
	for i, st := range script.Steps {
		n := 0
		for _, set := range []bool{st.Complete != "", st.Advance != "", st.Message != "", st.Signal != "", st.Pause != "", st.Resume != "", st.Fail != ""} {
			if set {
				n++
			}
		}
		if n != 1 {
			return script, fmt.Errorf("script %s: step %d must have exactly one of complete, advance, message, signal, pause, resume or fail", file, i+1)
		}
		if st.Outcome != "" && st.Complete == "" {
			return script, fmt.Errorf("script %s: step %d: outcome goes with complete", file, i+1)
		}
		if st.Error != "" && st.Fail == "" {
			return script, fmt.Errorf("script %s: step %d: error goes with fail", file, i+1)
		}
		if (st.Kind != "" || st.Reason != "") && st.Pause == "" {
			return script, fmt.Errorf("script %s: step %d: kind and reason go with pause", file, i+1)
		}
	}
	return script, nil
}

// bpmnFile is one parsed file of a simulation.
type bpmnFile struct {
	name string
	defs *definitions.Definitions
}

// loadModels parses the files and compiles their processes, with the decisions of the .dmn
// files among them for their business rule tasks. The process to
// run (processID, or the first file's executable process) and every process
// its call activities name, directly or not, must validate as executable;
// other processes become models when they validate, and are left out
// otherwise. Problems are printed to out; ok is false when the run cannot
// start.
func loadModels(files []string, processID string, waitAt []string, out io.Writer) (models map[string]*machine.Model, main string, ok bool) {
	var parsed []bpmnFile
	ok = true
	decisions, files, ok := loadDecisions(files, out)
	for _, file := range files {
		data, readOK := readBPMNFile(file, out)
		if !readOK {
			ok = false
			continue
		}
		defs, problems, err := definitions.Parse(data)
		if err != nil || definitions.HasErrors(problems) {
			printProblems(out, file, problems)
			ok = false
			continue
		}
		parsed = append(parsed, bpmnFile{name: file, defs: defs})
	}
	if !ok {
		return nil, "", false
	}

	// Where each process is; a process id twice is ambiguous.
	where := map[string]bpmnFile{}
	for _, f := range parsed {
		for _, p := range f.defs.Processes {
			if other, dup := where[p.ID]; dup {
				printProblems(out, f.name, []definitions.Problem{{Code: "duplicate-process", ElementID: p.ID, Line: p.Line, Column: p.Column,
					Severity: definitions.SeverityError, Message: fmt.Sprintf("process %s is also in %s", p.ID, other.name)}})
				ok = false
				continue
			}
			where[p.ID] = f
		}
	}
	if !ok {
		return nil, "", false
	}

	// The process to run.
	first := parsed[0]
	if processID == "" {
		p, problems := definitions.ExecutableProcess(first.defs, "")
		if p == nil {
			printProblems(out, first.name, problems)
			return nil, "", false
		}
		main = p.ID
	} else {
		if _, found := where[processID]; !found {
			ids := make([]string, 0, len(where))
			for _, f := range parsed {
				for _, p := range f.defs.Processes {
					ids = append(ids, p.ID)
				}
			}
			printProblems(out, first.name, []definitions.Problem{{Code: definitions.CodeProcessNotFound, ElementID: processID,
				Severity: definitions.SeverityError, Message: fmt.Sprintf("no file has process %q (they have: %s)", processID, strings.Join(ids, ", "))}})
			return nil, "", false
		}
		main = processID
	}

	// The process to run and the processes it calls, in call order.
	needed := map[string]bool{main: true}
	queue := []string{main}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		f := where[id]
		p, problems := definitions.ValidateExecutable(f.defs, id)
		if definitions.HasErrors(problems) {
			printProblems(out, f.name, problems)
			ok = false
			continue
		}
		for _, n := range p.Nodes {
			called := strings.TrimSpace(n.CalledElement)
			if n.Kind != definitions.CallActivity || called == "" || expression.IsExpression(called) || needed[called] {
				continue
			}
			if _, found := where[called]; !found {
				printProblems(out, f.name, []definitions.Problem{{Code: "called-process-missing", ElementID: n.ID, Line: n.Line, Column: n.Column,
					Severity: definitions.SeverityError, Message: fmt.Sprintf("call activity %s calls process %q, which none of the files holds", n.ID, called)}})
				ok = false
				continue
			}
			needed[called] = true
			queue = append(queue, called)
		}
	}
	if !ok {
		return nil, "", false
	}

	models = map[string]*machine.Model{}
	for _, f := range parsed {
		for _, p := range f.defs.Processes {
			if !needed[p.ID] {
				// Only a call activity with a computed calledElement can reach
				// it; a process that does not validate is left out.
				if _, problems := definitions.ValidateExecutable(f.defs, p.ID); definitions.HasErrors(problems) {
					continue
				}
			}
			m, err := machine.Compile(f.defs, p.ID, machine.Options{Decisions: decisions, WaitAt: waitAt})
			if err != nil {
				if needed[p.ID] {
					fmt.Fprintf(out, "%s:%d:%d: %s: error: %v [not-compiled]\n", f.name, p.Line, p.Column, p.ID, err)
					return nil, "", false
				}
				continue
			}
			models[p.ID] = m
		}
	}
	return models, main, true
}

// loadDecisions parses the .dmn files among files and links their imports; it returns the
// model of each decision id and the other files. Problems are printed to out.
func loadDecisions(files []string, out io.Writer) (map[string]*dmn.Definitions, []string, bool) {
	decisions := map[string]*dmn.Definitions{}
	var models []*dmn.Definitions
	var rest []string
	ok := true
	for _, file := range files {
		if !strings.HasSuffix(strings.ToLower(file), ".dmn") {
			rest = append(rest, file)
			continue
		}
		data, readOK := readBPMNFile(file, out)
		if !readOK {
			ok = false
			continue
		}
		m, err := dmn.Parse(data)
		if err != nil {
			fmt.Fprintf(out, "%s:0:0: -: error: %v [%s]\n", file, err, dmn.CodeNotDMN)
			ok = false
			continue
		}
		if definitions.HasErrors(m.Problems()) {
			printProblems(out, file, m.Problems())
			ok = false
			continue
		}
		models = append(models, m)
		for _, d := range m.Decisions {
			decisions[d.ID] = m
		}
	}
	if err := dmn.Link(models...); err != nil {
		fmt.Fprintf(out, "decisions: error: %v [%s]\n", err, dmn.CodeUnresolvedImport)
		ok = false
	}
	return decisions, rest, ok
}
