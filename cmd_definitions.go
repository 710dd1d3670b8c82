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
		fmt.Fprintln(stderr, "usage: onewindow definitions validate [--process ID] FILE...")
		return 2
	}
	switch args[0] {
	case "validate":
		return validateDefinitions(args[1:], stdout, stderr)
	case "simulate":
		// TODO(engine): run a definition through the engine package with
		// scripted task outcomes; the lead wires it once engine/ exists.
		fmt.Fprintln(stderr, "onewindow definitions simulate: not implemented yet")
		return 2
	default:
		fmt.Fprintf(stderr, "onewindow definitions: unknown subcommand %q (want validate)\n", args[0])
		return 2
	}
}

// validateDefinitions parses and validates each file as executable. It
// prints one "FILE:LINE:COL: ELEMENT_ID: message" line per problem and, for
// a file without errors, a summary line; it returns 1 if any file has an
// error, 2 on bad usage, else 0.
func validateDefinitions(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("onewindow definitions validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	processID := fs.String("process", "", "id of the process to validate as executable (default: the one marked isExecutable)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: onewindow definitions validate [--process ID] FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	failed := false
	for _, file := range fs.Args() {
		if !validateFile(file, *processID, stdout) {
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
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(out, "%s:0:0: -: error: %v\n", file, err)
		return false
	}
	data, err := io.ReadAll(io.LimitReader(f, definitions.MaxSize+1))
	f.Close()
	if err != nil {
		fmt.Fprintf(out, "%s:0:0: -: error: reading: %v\n", file, err)
		return false
	}
	_, proc, problems := definitions.Check(data, processID)
	warnings := 0
	for _, p := range problems {
		if p.Severity == definitions.SeverityWarning {
			warnings++
		}
		id := p.ElementID
		if id == "" {
			id = "-"
		}
		fmt.Fprintf(out, "%s:%d:%d: %s: %s: %s [%s]\n", file, p.Line, p.Column, id, p.Severity, p.Message, p.Code)
	}
	if definitions.HasErrors(problems) {
		return false
	}
	fmt.Fprintf(out, "%s: ok: process %s, %d nodes, %d flows, %d warnings\n", file, proc.ID, len(proc.Nodes), len(proc.Flows), warnings)
	return true
}
