// Package tck runs the test cases of the DMN Technology Compatibility Kit
// (https://github.com/dmn-tck/tck): directories of .dmn models and *-test-NN.xml files of
// inputs and expected results, reported in the kit's CSV format.
package tck

import (
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"onewindow/definitions/dmn"
	"onewindow/definitions/feel"
)

// Results of a test case, as the TCK names them.
const (
	Success = "SUCCESS"
	Failure = "FAILURE"
	Error   = "ERROR"
	Ignored = "IGNORED"
)

// Row is one line of tck_results.csv: a test case and its result.
type Row struct {
	Dir, File, Case, Result, Detail string
}

// ID returns "dir/file/case", the key of a test case in a baseline.
func (r Row) ID() string { return r.Dir + "/" + r.File + "/" + r.Case }

type testCases struct {
	ModelName string     `xml:"modelName"`
	Cases     []testCase `xml:"testCase"`
}

type testCase struct {
	ID            string       `xml:"id,attr"`
	Type          string       `xml:"type,attr"`
	InvocableName string       `xml:"invocableName,attr"`
	Inputs        []inputNode  `xml:"inputNode"`
	Results       []resultNode `xml:"resultNode"`
}

type inputNode struct {
	Name      string `xml:"name,attr"`
	Namespace string `xml:"namespace,attr"`
	valueType
}

type resultNode struct {
	Name        string     `xml:"name,attr"`
	ErrorResult string     `xml:"errorResult,attr"`
	Expected    *valueType `xml:"expected"`
}

// Options tune a run.
type Options struct {
	// MaxSteps bounds the FEEL work of each evaluation (0: feel.DefaultMaxSteps).
	MaxSteps int
}

// RunDirs runs the test directories given, and the test directories below them (a directory
// holding .dmn files and *-test-*.xml files is a test directory).
func RunDirs(dirs []string, opts Options) ([]Row, error) {
	var rows []Row
	for _, d := range dirs {
		var testDirs []string
		err := filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				if tests, _ := filepath.Glob(filepath.Join(p, "*-test-*.xml")); len(tests) > 0 {
					testDirs = append(testDirs, p)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(testDirs)
		for _, td := range testDirs {
			rs, err := RunDir(td, opts)
			if err != nil {
				return nil, err
			}
			rows = append(rows, rs...)
		}
	}
	return rows, nil
}

// RunDir runs every test file of one test directory.
func RunDir(dir string, opts Options) ([]Row, error) {
	models, loadErrs := loadModels(dir)
	tests, err := filepath.Glob(filepath.Join(dir, "*-test-*.xml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(tests)
	var rows []Row
	for _, tf := range tests {
		data, err := os.ReadFile(tf)
		if err != nil {
			return nil, err
		}
		var tc testCases
		file := strings.TrimSuffix(filepath.Base(tf), ".xml")
		base := Row{Dir: filepath.Base(dir), File: file}
		if err := xml.Unmarshal(data, &tc); err != nil {
			r := base
			r.Case, r.Result, r.Detail = "*", Error, "test file: "+err.Error()
			rows = append(rows, r)
			continue
		}
		model := models[tc.ModelName]
		for i, c := range tc.Cases {
			r := base
			r.Case = c.ID
			if r.Case == "" {
				r.Case = fmt.Sprint(i + 1)
			}
			if model == nil {
				r.Result, r.Detail = Error, "model "+tc.ModelName+" not loaded"
				if e := loadErrs[tc.ModelName]; e != nil {
					r.Detail += ": " + e.Error()
				}
			} else {
				r.Result, r.Detail = runCase(model, &c, opts)
			}
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// loadModels parses every .dmn file of dir and links their imports.
func loadModels(dir string) (map[string]*dmn.Definitions, map[string]error) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.dmn"))
	models := map[string]*dmn.Definitions{}
	errs := map[string]error{}
	var all []*dmn.Definitions
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil {
			var d *dmn.Definitions
			if d, err = dmn.Parse(data); err == nil {
				models[filepath.Base(f)] = d
				all = append(all, d)
				continue
			}
		}
		errs[filepath.Base(f)] = err
	}
	_ = dmn.Link(all...) // an unresolved import fails the cases of its model only
	return models, errs
}

// runCase evaluates one test case and compares each result node.
func runCase(model *dmn.Definitions, c *testCase, opts Options) (result, detail string) {
	req := dmn.Request{Inputs: map[string]feel.Value{}, Imported: map[string]map[string]feel.Value{}, MaxSteps: opts.MaxSteps}
	for i := range c.Inputs {
		in := &c.Inputs[i]
		v, err := in.valueType.toFEEL()
		if err != nil {
			return Error, fmt.Sprintf("input %q: %v", in.Name, err)
		}
		if in.Namespace != "" && in.Namespace != model.Namespace {
			if req.Imported[in.Namespace] == nil {
				req.Imported[in.Namespace] = map[string]feel.Value{}
			}
			req.Imported[in.Namespace][in.Name] = v
		} else {
			req.Inputs[in.Name] = v
		}
	}
	var service *dmn.Result
	if c.Type == "decisionService" {
		res, err := model.EvaluateService(c.InvocableName, req)
		if err != nil {
			return Error, err.Error()
		}
		service = res
	}
	var problems []string
	for _, rn := range c.Results {
		expected, err := rn.Expected.toFEEL()
		if err != nil {
			return Error, fmt.Sprintf("expected value of %q: %v", rn.Name, err)
		}
		res := service
		if res == nil {
			if res, err = model.Evaluate(rn.Name, req); err != nil {
				if rn.ErrorResult == "true" {
					continue
				}
				return Error, err.Error()
			}
		}
		actual := res.Value
		if service != nil {
			actual = res.Outputs[rn.Name]
		}
		if !same(expected, actual) {
			msg := fmt.Sprintf("%s: expected %s, got %s", rn.Name, show(expected), show(actual))
			if len(res.Errors) > 0 {
				msg += " (" + strings.Join(res.Errors, "; ") + ")"
			}
			problems = append(problems, msg)
		}
	}
	if len(problems) > 0 {
		return Failure, strings.Join(problems, " | ")
	}
	return Success, ""
}

func show(v feel.Value) string {
	s := feel.Format(v)
	if _, ok := v.(string); ok {
		s = fmt.Sprintf("%q", s)
	}
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}

// WriteCSV writes rows in the TCK's tck_results.csv format (every field quoted).
func WriteCSV(w io.Writer, rows []Row) error {
	for _, r := range rows {
		fields := []string{r.Dir, r.File, r.Case, r.Result, strings.ReplaceAll(r.Detail, "\n", " ")}
		for i, f := range fields {
			fields[i] = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
		}
		if _, err := io.WriteString(w, strings.Join(fields, ",")+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// ReadCSV reads rows written by WriteCSV.
func ReadCSV(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 5
	var rows []Row
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, Row{rec[0], rec[1], rec[2], rec[3], rec[4]})
	}
}

// Count returns how many rows have each result.
func Count(rows []Row) map[string]int {
	n := map[string]int{}
	for _, r := range rows {
		n[r.Result]++
	}
	return n
}

// Summary is the one-line count of a run: "2721 tests: 2700 SUCCESS, 15 FAILURE, 6 ERROR".
func Summary(rows []Row) string {
	n := Count(rows)
	var parts []string
	for _, k := range []string{Success, Failure, Error, Ignored} {
		if n[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[k], k))
		}
	}
	return fmt.Sprintf("%d tests: %s", len(rows), strings.Join(parts, ", "))
}
