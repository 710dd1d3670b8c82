package expression

import "testing"

// The cost of one condition as the engine evaluates it at a gateway (compiled once, cached
// by the model), in each language.
func BenchmarkCondition(b *testing.B) {
	vars := map[string]any{"amount": float64(1500), "approved": true, "outcome": "accept",
		"departments": []any{map[string]any{"code": "fgj", "days": float64(5)}, map[string]any{"code": "zjj", "days": float64(10)}}}
	for _, src := range []string{
		"${outcome == 'accept'}",
		"${amount > 100 && approved}",
		"${execution.getVariable('amount') > 1000}",
		"=outcome = \"accept\"",
		"=amount > 100 and approved",
		"=some d in departments satisfies d.days > 5",
	} {
		e := MustCompile(src)
		b.Run(src, func(b *testing.B) {
			for b.Loop() {
				if _, err := e.Bool(vars); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCompile is what validating one expression costs.
func BenchmarkCompile(b *testing.B) {
	for _, src := range []string{"${amount > 100 && approved}", "=amount > 100 and approved"} {
		b.Run(src, func(b *testing.B) {
			for b.Loop() {
				if _, err := Compile(src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
