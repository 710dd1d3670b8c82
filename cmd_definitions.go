package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"onewindow/definitions"
)

// runDefinitions implements "onewindow definitions SUBCOMMAND ..." and
// returns the exit code.
func runDefinitions(args []string) int {
	return definitionsCommand(args, os.Stdout, os.Stderr)
}

func definitionsCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: onewindow definitions validate [--level executable|model] [--process ID] FILE...")
		fmt.Fprintln(stderr, "       onewindow definitions simulate FILE... [--process ID] [--script SCRIPT.json]")
		return 2
	}
	switch args[0] {
	case "validate":
		return validateDefinitions(args[1:], stdout, stderr)
	case "simulate":
		return simulateDefinitions(args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "onewindow definitions: unknown subcommand %q (want validate or simulate)\n", args[0])
		return 2
	}
}

// Levels of "definitions validate".
const (
	levelExecutable = "executable" // the engine can run the file as it is (the server's check)
	levelModel      = "model"      // the file is well-formed BPMN (what a modelling tool exports)
)

// validateDefinitions parses and validates each file, as executable (the default) or only
// as a well-formed model. It prints one "FILE:LINE:COL: ELEMENT_ID: message" line per
// problem and, for a file without errors, a summary line; it returns 1 if any file has an
// error, 2 on bad usage, else 0.
func validateDefinitions(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("onewindow definitions validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	processID := fs.String("process", "", "id of the process to validate as executable (default: the one marked isExecutable)")
	level := fs.String("level", levelExecutable, "executable: the engine can run it, as the server checks a deployment; model: well-formed BPMN only (a non-executable file from a modelling tool)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: onewindow definitions validate [--level executable|model] [--process ID] FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 || (*level != levelExecutable && *level != levelModel) {
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "onewindow definitions validate: --level must be %s or %s, not %q\n", levelExecutable, levelModel, *level)
		}
		fs.Usage()
		return 2
	}
	failed := false
	for _, file := range fs.Args() {
		check := validateFile
		if *level == levelModel {
			check = validateModel
		}
		if !check(file, *processID, stdout) {
			failed = true
		}
	}
	if failed {
		return 1
	}
	return 0
}

// validateFile reports on one file and says whether it has no error.
func validateFile(file, processID string, out io.Writer) bool {
	data, ok := readBPMNFile(file, out)
	if !ok {
		return false
	}
	_, proc, problems := definitions.Check(data, processID)
	warnings := 0
	for _, p := range problems {
		if p.Severity == definitions.SeverityWarning {
			warnings++
		}
	}
	printProblems(out, file, problems)
	if definitions.HasErrors(problems) {
		return false
	}
	fmt.Fprintf(out, "%s: ok: process %s, %d nodes, %d flows, %d warnings\n", file, proc.ID, len(proc.Nodes), len(proc.Flows), warnings)
	return true
}

// validateModel reports on one file at the model level: well-formed BPMN (Parse's
// problems), whether or not the engine can run it.
func validateModel(file, _ string, out io.Writer) bool {
	data, ok := readBPMNFile(file, out)
	if !ok {
		return false
	}
	defs, problems, err := definitions.Parse(data)
	printProblems(out, file, problems)
	if err != nil || definitions.HasErrors(problems) {
		return false
	}
	nodes := 0
	for _, p := range defs.Processes {
		nodes += len(p.Nodes)
	}
	fmt.Fprintf(out, "%s: ok: well-formed, %d processes, %d nodes, %d warnings\n", file, len(defs.Processes), nodes, len(problems))
	return true
}

// readBPMNFile reads file (at most definitions.MaxSize+1 bytes, so that the
// parser reports a larger file), or prints why it cannot as a problem line.
func readBPMNFile(file string, out io.Writer) ([]byte, bool) {
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(out, "%s:0:0: -: error: %v\n", file, err)
		return nil, false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, definitions.MaxSize+1))
	if err != nil {
		fmt.Fprintf(out, "%s:0:0: -: error: reading: %v\n", file, err)
		return nil, false
	}
	return data, true
}

// printProblems prints one "FILE:LINE:COL: ELEMENT_ID: SEVERITY: message [code]" line per problem.
func printProblems(out io.Writer, file string, problems []definitions.Problem) {
	for _, p := range problems {
		id := p.ElementID
		if id == "" {
			id = "-"
		}
		fmt.Fprintf(out, "%s:%d:%d: %s: %s: %s [%s]\n", file, p.Line, p.Column, id, p.Severity, p.Message, p.Code)
	}
}
