package demo

import (
	"embed"
	"path"

	"onewindow/app"
)

// Flows are the demo's own definitions beside the standard flows: a parallel approval whose
// co-reviewing departments a decision table picks from the application form.
//
//go:embed flows/*.bpmn flows/*.dmn
var flows embed.FS

// InvestmentFlow is the key of the demo flow whose countersign departments come from the
// decision table InvestmentReviewers on the form's projectKind and investment (万元).
const (
	InvestmentFlow      = "fgj-investment"
	InvestmentReviewers = "investment-reviewers"
	// InvestmentItem runs InvestmentFlow.
	InvestmentItem = "450981-FGJ-XK-004"
)

// flowFiles returns the demo's definition files, decisions first.
func flowFiles() ([]app.DeployFile, error) {
	var out []app.DeployFile
	for _, name := range []string{"investment-reviewers.dmn", "fgj-investment.bpmn"} {
		data, err := flows.ReadFile(path.Join("flows", name))
		if err != nil {
			return nil, err
		}
		out = append(out, app.DeployFile{Name: name, Data: data})
	}
	return out, nil
}
