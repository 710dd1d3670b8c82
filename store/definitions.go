package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Definition states.
const (
	DefinitionDraft     = "draft"
	DefinitionPublished = "published"
)

// Definition kinds: a BPMN process (its key is the process id) or a DMN decision (its key is
// the decision id; its bytes are the whole .dmn file).
const (
	KindBPMN = "bpmn"
	KindDMN  = "dmn"
)

// DefinitionVersion is one stored version of a BPMN process.
type DefinitionVersion struct {
	Key          string         `db:"definition_key" json:"key"`
	Version      int            `db:"version" json:"version"`
	Kind         string         `db:"kind" json:"kind"`
	Namespace    string         `db:"namespace" json:"-"`
	Name         string         `db:"name" json:"name"`
	Hash         string         `db:"hash" json:"hash"`
	XML          []byte         `db:"xml" json:"-"`
	FileName     string         `db:"file_name" json:"fileName"`
	State        string         `db:"state" json:"state"`
	DeploymentID string         `db:"deployment_id" json:"deploymentId"`
	Warnings     JSON           `db:"warnings" json:"warnings" swaggertype:"array,object"`
	CreatedBy    string         `db:"created_by" json:"createdBy"`
	CreatedAt    time.Time      `db:"created_at" json:"createdAt"`
	PublishedBy  sql.NullString `db:"published_by" json:"-"`
	PublishedAt  sql.NullTime   `db:"published_at" json:"-"`
}

const definitionCols = `definition_key, version, kind, namespace, name, hash, xml, file_name, state, deployment_id, warnings,
	created_by, created_at, published_by, published_at`

// HashXML is the content hash that identifies a definition's bytes.
func HashXML(xml []byte) string {
	sum := sha256.Sum256(xml)
	return hex.EncodeToString(sum[:])
}

// DeployDefinition stores d as the next version of d.Key, byte for byte,
// unless the same content is already stored under that key: then it returns
// the existing version and existed is true. Run it in a Tx so that the
// version number and the insert see the same rows.
func DeployDefinition(ctx context.Context, q Q, d *DefinitionVersion) (existed bool, err error) {
	d.Hash = HashXML(d.XML)
	if d.Kind == "" {
		d.Kind = KindBPMN
	}
	var existing DefinitionVersion
	err = q.GetContext(ctx, &existing, q.Rebind(`SELECT `+definitionCols+` FROM definitions WHERE definition_key = ? AND hash = ?`), d.Key, d.Hash)
	if err == nil {
		*d = existing
		return true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, classify(err, "find definition %s", d.Key)
	}
	var max sql.NullInt64
	if err := q.GetContext(ctx, &max, q.Rebind(`SELECT MAX(version) FROM definitions WHERE definition_key = ?`), d.Key); err != nil {
		return false, classify(err, "latest version of %s", d.Key)
	}
	d.Version = int(max.Int64) + 1
	d.State = DefinitionDraft
	d.CreatedAt = Now()
	if len(d.Warnings) == 0 {
		d.Warnings = JSON("[]")
	}
	_, err = q.ExecContext(ctx, q.Rebind(`INSERT INTO definitions (definition_key, version, kind, namespace, name, hash, xml, file_name, state,
		deployment_id, warnings, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		d.Key, d.Version, d.Kind, d.Namespace, d.Name, d.Hash, d.XML, d.FileName, d.State, d.DeploymentID, string(d.Warnings), d.CreatedBy, d.CreatedAt)
	if err != nil {
		return false, classify(err, "store definition %s v%d", d.Key, d.Version)
	}
	return false, nil
}

// GetDefinition returns version of key; version 0 is the latest published
// version. A missing one is ErrNotFound.
func GetDefinition(ctx context.Context, q Q, key string, version int) (*DefinitionVersion, error) {
	var d DefinitionVersion
	var err error
	if version == 0 {
		err = q.GetContext(ctx, &d, q.Rebind(`SELECT `+definitionCols+` FROM definitions
			WHERE definition_key = ? AND state = 'published' ORDER BY version DESC LIMIT 1`), key)
	} else {
		err = q.GetContext(ctx, &d, q.Rebind(`SELECT `+definitionCols+` FROM definitions WHERE definition_key = ? AND version = ?`), key, version)
	}
	if err != nil {
		if version == 0 {
			return nil, classify(err, "published definition %s", key)
		}
		return nil, classify(err, "definition %s v%d", key, version)
	}
	return &d, nil
}

// PublishDefinition marks version of key published. Publishing a published
// version again changes nothing.
func PublishDefinition(ctx context.Context, q Q, key string, version int, by string) (*DefinitionVersion, error) {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE definitions SET state = 'published', published_by = ?, published_at = ?
		WHERE definition_key = ? AND version = ? AND state = 'draft'`), by, Now(), key, version)
	if err != nil {
		return nil, classify(err, "publish definition %s v%d", key, version)
	}
	return GetDefinition(ctx, q, key, version)
}

// DefinitionSummary is one process or decision key with its newest versions.
type DefinitionSummary struct {
	Key              string `db:"definition_key" json:"key"`
	Kind             string `db:"kind" json:"kind" enums:"bpmn,dmn"`
	Name             string `db:"name" json:"name"`
	LatestVersion    int    `db:"latest_version" json:"latestVersion"`
	PublishedVersion int    `db:"published_version" json:"publishedVersion"` // 0: none
}

// ListDefinitions lists up to limit process keys from offset, ordered by key.
func ListDefinitions(ctx context.Context, q Q, limit, offset int) ([]DefinitionSummary, error) {
	out := []DefinitionSummary{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT d.definition_key, d.kind, d.name, m.latest_version, m.published_version
		FROM definitions d JOIN (
			SELECT definition_key, MAX(version) AS latest_version,
				COALESCE(MAX(CASE WHEN state = 'published' THEN version END), 0) AS published_version
			FROM definitions GROUP BY definition_key
		) m ON m.definition_key = d.definition_key AND m.latest_version = d.version
		ORDER BY d.definition_key LIMIT ? OFFSET ?`), limit, offset)
	if err != nil {
		return nil, fmt.Errorf("list definitions: %w", err)
	}
	return out, nil
}

// ListDefinitionVersions lists up to limit versions of key from offset, newest first, without
// their XML.
func ListDefinitionVersions(ctx context.Context, q Q, key string, limit, offset int) ([]DefinitionVersion, error) {
	out := []DefinitionVersion{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT definition_key, version, kind, namespace, name, hash, ''  AS xml, file_name, state,
		deployment_id, warnings, created_by, created_at, published_by, published_at
		FROM definitions WHERE definition_key = ? ORDER BY version DESC LIMIT ? OFFSET ?`), key, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("list versions of %s: %w", key, err)
	}
	return out, nil
}

// HasPublishedDefinition reports whether key has a published version: what
// a call activity naming key needs to start the called process.
func HasPublishedDefinition(ctx context.Context, q Q, key string) (bool, error) {
	var n int
	err := q.GetContext(ctx, &n, q.Rebind(`SELECT COUNT(*) FROM definitions WHERE definition_key = ? AND kind = 'bpmn' AND state = 'published'`), key)
	if err != nil {
		return false, fmt.Errorf("published versions of %s: %w", key, err)
	}
	return n > 0, nil
}

// DefinitionKind returns the kind of the definitions stored under key ("" when none is).
func DefinitionKind(ctx context.Context, q Q, key string) (string, error) {
	var kind string
	err := q.GetContext(ctx, &kind, q.Rebind(`SELECT kind FROM definitions WHERE definition_key = ? ORDER BY version LIMIT 1`), key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("kind of definition %s: %w", key, err)
	}
	return kind, nil
}

// PublishedDecisionFile returns the latest published .dmn file with namespace ns (one of the
// decisions stored from it), or ErrNotFound: what an import of that namespace reads.
func PublishedDecisionFile(ctx context.Context, q Q, ns string) (*DefinitionVersion, error) {
	var d DefinitionVersion
	err := q.GetContext(ctx, &d, q.Rebind(`SELECT `+definitionCols+` FROM definitions
		WHERE namespace = ? AND state = 'published' AND kind = 'dmn' ORDER BY created_at DESC, definition_key LIMIT 1`), ns)
	if err != nil {
		return nil, classify(err, "published decisions of namespace %s", ns)
	}
	return &d, nil
}
