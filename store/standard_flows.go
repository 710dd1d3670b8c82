package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions"
	"onewindow/definitions/standard"
)

// EnsureStandardFlows deploys and publishes each standard flow
// (definitions/standard) whose content is not yet published under its key,
// so that items can run them. Running it again changes nothing; a release
// that ships a changed flow adds a version (items pinned to the old one,
// and cases running it, keep it). It returns the versions it published.
func EnsureStandardFlows(ctx context.Context, db *DB, by string) ([]DefinitionVersion, error) {
	var out []DefinitionVersion
	for _, f := range standard.Flows() {
		var published *DefinitionVersion
		err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			published = nil
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

// ensureStandardFlow deploys and publishes flow f in q unless its content
// is published already; it returns the version it published, if any.
func ensureStandardFlow(ctx context.Context, q Q, f standard.Flow, by string) (*DefinitionVersion, error) {
	data, err := standard.XML(f.Key)
	if err != nil {
		return nil, err
	}
	_, _, problems := definitions.Check(data, f.Key)
	if definitions.HasErrors(problems) {
		return nil, fmt.Errorf("standard flow %s does not validate: %v", f.Key, problems)
	}
	warnings, _ := json.Marshal(problems)
	d := &DefinitionVersion{Key: f.Key, Name: f.Name, XML: data, FileName: f.File, DeploymentID: NewID(), CreatedBy: by, Warnings: JSON(warnings)}
	if _, err := DeployDefinition(ctx, q, d); err != nil {
		return nil, fmt.Errorf("deploy standard flow %s: %w", f.Key, err)
	}
	if d.State == DefinitionPublished {
		return nil, nil
	}
	p, err := PublishDefinition(ctx, q, f.Key, d.Version, by)
	if err != nil {
		return nil, fmt.Errorf("publish standard flow %s: %w", f.Key, err)
	}
	return p, nil
}

// EnsureStandardFlowsIn is EnsureStandardFlows inside a transaction the
// caller holds (the demo loads its catalogue in one).
func EnsureStandardFlowsIn(ctx context.Context, q Q, by string) error {
	for _, f := range standard.Flows() {
		if _, err := ensureStandardFlow(ctx, q, f, by); err != nil {
			return err
		}
	}
	return nil
}
