package juel

import "testing"

// FuzzParseEval: no input makes the parser or the evaluator panic.
func FuzzParseEval(f *testing.F) {
	for _, s := range []string{"${a > 1}", "kermit_${loopCounter}", "${dateTime().plusWeeks(1).toDate()}", "${x == null ? 'a' : x.substring(1, 2)}",
		"${variables:get(a)}", "${[1, 2][0] + 'x'}", "${", "${'}", "#{a.b[c](d)}", `\${x}`, "${empty empty}", "${a ? b : c ? d : e}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			return
		}
		_, _ = e.Eval(env())
		_ = e.Names()
	})
}
