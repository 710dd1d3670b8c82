package main

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
	"onewindow/definitions/dmn/tck"
	"onewindow/definitions/feel"
)

const decisionsUsage = `usage: onewindow decisions validate FILE.dmn...
       onewindow decisions evaluate FILE.dmn [IMPORTED.dmn...] --decision ID --input JSON
       onewindow decisions tck DIR... [--csv FILE]`

// runDecisions implements "onewindow decisions SUBCOMMAND ..." and returns the exit code.
func runDecisions(args []string) int {
	return decisionsCommand(args, os.Stdout, os.Stderr)
}

func decisionsCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, decisionsUsage)
		return 2
	}
	switch args[0] {
	case "validate":
		return validateDecisions(args[1:], stdout, stderr)
	case "evaluate":
		return evaluateDecision(args[1:], stdout, stderr)
	case "tck":
		return runTCK(args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "onewindow decisions: unknown subcommand %q (want validate, evaluate or tck)\n", args[0])
		return 2
	}
}

// parseInterleaved parses flags that may come before, between or after the positional
// arguments ("tck DIR --csv FILE"), returning the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// loadDMN parses .dmn files and links their imports; problems are printed as
// "FILE:LINE:COL: ELEMENT_ID: message".
func loadDMN(files []string, out io.Writer) ([]*dmn.Definitions, bool) {
	var models []*dmn.Definitions
	ok := true
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(out, "%s: %v\n", f, err)
			return nil, false
		}
		d, err := dmn.Parse(data)
		if err != nil {
			fmt.Fprintf(out, "%s: %v\n", f, err)
			return nil, false
		}
		models = append(models, d)
	}
	linkErr := dmn.Link(models...)
	for i, d := range models {
		printProblems(out, files[i], d.Problems())
		if definitions.HasErrors(d.Problems()) {
			ok = false
		}
	}
	return models, ok && linkErr == nil
}

// validateDecisions checks .dmn files (imports among them resolve); exit 1 on any error.
func validateDecisions(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("onewindow decisions validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, decisionsUsage)
		return 2
	}
	models, ok := loadDMN(files, stdout)
	if !ok {
		return 1
	}
	for i, d := range models {
		fmt.Fprintf(stdout, "%s: ok (%d decisions, %d input data, %d business knowledge models)\n",
			files[i], len(d.Decisions), len(d.Inputs), len(d.BKMs))
	}
	return 0
}

// evaluateDecision evaluates one decision of the first file with JSON inputs and prints
// {"decision": …, "value": …, "errors": […]}.
func evaluateDecision(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("onewindow decisions evaluate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	decision := fs.String("decision", "", "name or id of the decision (or decision service) to evaluate")
	input := fs.String("input", "{}", "the input data as a JSON object, by name (or @FILE to read it from a file)")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(files) == 0 || *decision == "" {
		fmt.Fprintln(stderr, decisionsUsage)
		return 2
	}
	models, _ := loadDMN(files, stderr)
	if models == nil {
		return 1
	}
	model := models[0]
	raw, err := readJSONInput(*input)
	if err != nil {
		fmt.Fprintf(stderr, "onewindow decisions evaluate: --input: %v\n", err)
		return 2
	}
	inputs, err := model.InputsFromJSON(raw)
	if err != nil {
		fmt.Fprintf(stderr, "onewindow decisions evaluate: --input: %v\n", err)
		return 2
	}
	req := dmn.Request{Inputs: inputs}
	res, err := model.Evaluate(*decision, req)
	if errors.Is(err, dmn.ErrUnknownDecision) {
		res, err = model.EvaluateService(*decision, req)
		if errors.Is(err, dmn.ErrUnknownDecision) {
			err = fmt.Errorf("%s has no decision or decision service %q", files[0], *decision)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "onewindow decisions evaluate: %v\n", err)
		return 1
	}
	out := struct {
		Decision string   `json:"decision"`
		Value    any      `json:"value"`
		Errors   []string `json:"errors,omitempty"`
	}{*decision, feel.ToJSON(res.Value), res.Errors}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(stderr, "onewindow decisions evaluate: %v\n", err)
		return 1
	}
	return 0
}

func readJSONInput(s string) (map[string]any, error) {
	data := []byte(s)
	if strings.HasPrefix(s, "@") {
		var err error
		if data, err = os.ReadFile(s[1:]); err != nil {
			return nil, err
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	return raw, nil
}

// runTCK runs DMN TCK test directories, prints one CSV row per test case and a summary line;
// exit 1 when a case does not succeed.
func runTCK(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("onewindow decisions tck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	csvFile := fs.String("csv", "", "also write the rows to this file (tck_results.csv)")
	dirs, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(dirs) == 0 {
		fmt.Fprintln(stderr, decisionsUsage)
		return 2
	}
	rows, err := tck.RunDirs(dirs, tck.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "onewindow decisions tck: %v\n", err)
		return 1
	}
	if err := tck.WriteCSV(stdout, rows); err != nil {
		fmt.Fprintf(stderr, "onewindow decisions tck: %v\n", err)
		return 1
	}
	if *csvFile != "" {
		var buf bytes.Buffer
		if err := tck.WriteCSV(&buf, rows); err == nil {
			err = os.WriteFile(*csvFile, buf.Bytes(), 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "onewindow decisions tck: --csv: %v\n", err)
			return 1
		}
	}
	fmt.Fprintln(stdout, tck.Summary(rows))
	if tck.Count(rows)[tck.Success] != len(rows) {
		return 1
	}
	return 0
}
