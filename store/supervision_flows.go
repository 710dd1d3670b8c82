package store

import (
	"context"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
)

// EnsureSupervisionFlows deploys and publishes the processes e-supervision starts
// (standard.Supervision: rectification and complaint) whose content is not yet published,
// like EnsureStandardFlows; it returns the versions it published.
func EnsureSupervisionFlows(ctx context.Context, db *DB, by string) ([]DefinitionVersion, error) {
	var out []DefinitionVersion
	for _, f := range standard.Supervision() {
		var published *DefinitionVersion
		err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			d, err := ensureStandardFlow(ctx, tx, f, by)
			published = d
			return err
		})
		if err != nil {
			return nil, err
		}
		if published != nil {
			out = append(out, *published)
		}
	}
	return out, nil
}
