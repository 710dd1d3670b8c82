package tests

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"onewindow/definitions/dmn/tck"
	"onewindow/tests/corpus"
)

// tckBaseline lists the DMN TCK cases that passed when it was last written, one
// "LEVEL/DIR/FILE/CASE" per line: a case listed there that fails now is a regression. Rewrite
// it with ONEWINDOW_DMN_TCK_BASELINE=write when the pass rate goes up.
const tckBaseline = "dmn_tck_baseline.txt"

func TestDMNTCK(t *testing.T) {
	// The kit: $ONEWINDOW_DMN_TCK, or shared/dmn-tck beside the repository.
	kit := corpus.Shared(t, "dmn-tck", "ONEWINDOW_DMN_TCK")
	var all []tck.Row
	var ids []string
	passed := map[string]bool{}
	for _, level := range []string{"compliance-level-2", "compliance-level-3"} {
		rows, err := tck.RunDirs([]string{filepath.Join(kit, level)}, tck.Options{})
		if err != nil {
			t.Fatalf("%s: %v", level, err)
		}
		if len(rows) == 0 {
			t.Fatalf("%s: no test cases found", level)
		}
		t.Logf("%s: %s", level, tck.Summary(rows))
		for _, r := range rows {
			id := level + "/" + r.ID()
			ids = append(ids, id)
			if r.Result == tck.Success {
				passed[id] = true
			}
		}
		all = append(all, rows...)
	}

	var buf bytes.Buffer
	if err := tck.WriteCSV(&buf, all); err != nil {
		t.Fatal(err)
	}
	out := os.Getenv("ONEWINDOW_DMN_TCK_RESULTS")
	if out == "" {
		out = filepath.Join(t.TempDir(), "tck_results.csv")
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	if os.Getenv("ONEWINDOW_DMN_TCK_BASELINE") == "write" {
		var lines []string
		for _, id := range ids {
			if passed[id] {
				lines = append(lines, id)
			}
		}
		sort.Strings(lines)
		if err := os.WriteFile(tckBaseline, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: %d passing cases", tckBaseline, len(lines))
		return
	}

	f, err := os.Open(tckBaseline)
	if err != nil {
		t.Fatalf("baseline: %v", err)
	}
	defer f.Close()
	details := map[string]string{}
	for _, r := range all {
		details[r.ID()] = r.Result + " " + r.Detail
	}
	listed, regressions := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		id := strings.TrimSpace(sc.Text())
		if id == "" {
			continue
		}
		listed++
		if !passed[id] {
			regressions++
			_, rowID, _ := strings.Cut(id, "/")
			t.Errorf("regression: %s passed before and now gives %s", id, details[rowID])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if listed == 0 {
		t.Fatal("the baseline lists no case")
	}
	if gained := len(passed) - (listed - regressions); gained > 0 {
		t.Logf("%d cases pass that the baseline does not list: rewrite it with ONEWINDOW_DMN_TCK_BASELINE=write", gained)
	}
}
