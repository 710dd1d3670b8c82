package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestLatenciesRow(t *testing.T) {
	var l Latencies
	for i := 1; i <= 100; i++ {
		l = append(l, time.Duration(i)*time.Millisecond)
	}
	r := l.Row("op", 2*time.Second)
	if r.N != 100 || r.PerSec != 50 {
		t.Fatalf("n=%d perSec=%v, want 100 and 50", r.N, r.PerSec)
	}
	if time.Duration(r.P50) != 50*time.Millisecond || time.Duration(r.P90) != 90*time.Millisecond || time.Duration(r.P99) != 99*time.Millisecond {
		t.Fatalf("percentiles %v %v %v", r.P50, r.P90, r.P99)
	}
}

func TestPrintAndJSON(t *testing.T) {
	r := &Result{Scenario: "x", Machine: ThisMachine(), Rows: []Row{{Name: "list", N: 3, P50: Millis(1500 * time.Microsecond), Extra: map[string]float64{"rssMB": 12}}}, Notes: []string{"loaded in 1s"}}
	var b bytes.Buffer
	Print(&b, r)
	for _, want := range []string{"== x", "list", "1.50", "rssMB", "12.00", "loaded in 1s"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	j, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(j), `"p50Ms":1.5`) {
		t.Errorf("json %s", j)
	}
}
