package bench

import (
	"context"
	"fmt"

	"onewindow/definitions/standard"
	"onewindow/store"
)

// idleFlow deploys the definition the engine-idle scenario's cases run and answers its key
// and start variables: the bench's small waiting flow, or the standard flow flow names (its
// cases wait at acceptance, as a centre's cases do after submission), whose XML is the size
// of a real definition's.
func idleFlow(ctx context.Context, db *store.DB, flow string) (string, map[string]any, error) {
	if flow == "" {
		return "waiting", nil, deploy(ctx, db, "waiting", waitingFlow)
	}
	if !standard.IsStandard(flow) {
		return "", nil, fmt.Errorf("--flow %q: want a standard flow (std-immediate, std-promised, std-parallel, std-proxy)", flow)
	}
	xml, err := standard.XML(flow)
	if err != nil {
		return "", nil, err
	}
	vars := map[string]any{"leadSection": "fgj-xzsp", "coReviewers": []any{"zjj-xzsp", "zrzyj-xzsp"}, "station": "station-1",
		"itemId": "bench-item", "channel": "window"}
	return flow, vars, deploy(ctx, db, flow, xml)
}
