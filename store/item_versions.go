package store

// Published versions of items: what publishing freezes, what a case runs.

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// PublishItem makes the draft of item id (checked by the use cases) the version new cases
// start with, pinning the latest published version of its definition when the draft pins
// none: the current version again when the draft equals it (after an unpublish, say), else a
// new version. Run it in a Tx.
func PublishItem(ctx context.Context, q Q, id, by string) (*ItemVersion, error) {
	it, err := GetItem(ctx, q, id)
	if err != nil {
		return nil, err
	}
	c := it.ItemContent
	if c.DefinitionVersion == 0 {
		d, err := GetDefinition(ctx, q, c.DefinitionKey, 0)
		if err != nil {
			return nil, fmt.Errorf("publish item %s: %w", it.Code, err)
		}
		c.DefinitionVersion = d.Version
	}
	version := it.CurrentVersion
	if it.CurrentVersion > 0 {
		cur, err := GetItemVersion(ctx, q, id, it.CurrentVersion)
		if err != nil {
			return nil, err
		}
		if !sameContent(&cur.ItemContent, &c) {
			version = 0
		}
	}
	if version == 0 {
		if err := q.GetContext(ctx, &version, q.Rebind(`SELECT COALESCE(MAX(version), 0) + 1 FROM item_versions WHERE item_id = ?`), id); err != nil {
			return nil, fmt.Errorf("next version of item %s: %w", id, err)
		}
		content, err := json.Marshal(c)
		if err != nil {
			return nil, fmt.Errorf("encode item %s: %w", c.Code, err)
		}
		_, err = q.ExecContext(ctx, q.Rebind(`INSERT INTO item_versions (item_id, version, code, name, definition_key, definition_version,
			content, publish_results, published_by, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			id, version, c.Code, c.Name, c.DefinitionKey, c.DefinitionVersion, string(content), c.PublishResults, by, Now())
		if err != nil {
			return nil, classify(err, "publish item %s v%d", id, version)
		}
	}
	_, err = q.ExecContext(ctx, q.Rebind(`UPDATE items SET state = 'published', current_version = ?, updated_by = ?, updated_at = ? WHERE id = ?`),
		version, by, Now(), id)
	if err != nil {
		return nil, classify(err, "publish item %s", id)
	}
	return GetItemVersion(ctx, q, id, version)
}

// ListCurrentVersions returns the versions new cases of the items matching f start with (the
// service guides, for f.State published), ordered by item code. Items never published are
// left out.
func ListCurrentVersions(ctx context.Context, q Q, f ItemFilter) ([]ItemVersion, error) {
	where, args := f.where()
	var rows []itemVersionRow
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT v.item_id, v.version, v.content, v.published_by, v.published_at
		FROM items i JOIN item_versions v ON v.item_id = i.id AND v.version = i.current_version WHERE `+where), args...)
	if err != nil {
		return nil, fmt.Errorf("list item versions: %w", err)
	}
	return versionsOf(rows)
}

// DepartmentsWithPublishedItems returns the ids of the departments that have a published item,
// without reading the items' content (the catalogue's department filter offers them).
func DepartmentsWithPublishedItems(ctx context.Context, q Q) ([]string, error) {
	var ids []string
	if err := q.SelectContext(ctx, &ids, `SELECT DISTINCT department_id FROM items WHERE state = 'published' ORDER BY department_id`); err != nil {
		return nil, fmt.Errorf("departments of the published items: %w", err)
	}
	return ids, nil
}

type itemVersionRow struct {
	ItemID      string    `db:"item_id"`
	Version     int       `db:"version"`
	Content     JSON      `db:"content"`
	PublishedBy string    `db:"published_by"`
	PublishedAt time.Time `db:"published_at"`
}

func (r *itemVersionRow) version() (*ItemVersion, error) {
	v := &ItemVersion{ItemID: r.ItemID, Version: r.Version, PublishedBy: r.PublishedBy, PublishedAt: r.PublishedAt}
	if err := json.Unmarshal(r.Content, &v.ItemContent); err != nil {
		return nil, fmt.Errorf("item %s v%d: decode content: %w", r.ItemID, r.Version, err)
	}
	v.Normalize()
	return v, nil
}

// GetItemVersion returns version of item itemID, or ErrNotFound.
func GetItemVersion(ctx context.Context, q Q, itemID string, version int) (*ItemVersion, error) {
	var r itemVersionRow
	err := q.GetContext(ctx, &r, q.Rebind(`SELECT item_id, version, content, published_by, published_at FROM item_versions
		WHERE item_id = ? AND version = ?`), itemID, version)
	if err != nil {
		return nil, classify(err, "item %s version %d", itemID, version)
	}
	return r.version()
}

// ListItemVersions returns up to limit published versions of item itemID from offset, newest
// first (the primary key's order).
func ListItemVersions(ctx context.Context, q Q, itemID string, limit, offset int) ([]ItemVersion, error) {
	var rows []itemVersionRow
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT item_id, version, content, published_by, published_at FROM item_versions
		WHERE item_id = ? ORDER BY version DESC LIMIT ? OFFSET ?`), itemID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("versions of item %s: %w", itemID, err)
	}
	return versionsOf(rows)
}

func versionsOf(rows []itemVersionRow) ([]ItemVersion, error) {
	return decodeEach(rows, (*itemVersionRow).version)
}

// ItemForCase returns the item version a new case of item itemID starts
// with (and keeps): its current published version. A missing item is
// ErrNotFound; an item that is not published is an *InvalidError on itemId.
func ItemForCase(ctx context.Context, q Q, itemID string) (*ItemVersion, error) {
	it, err := GetItem(ctx, q, itemID)
	if err != nil {
		return nil, err
	}
	if it.State != ItemPublished {
		return nil, Invalid("itemId", "item %s (%s) is %s: it takes no applications", it.Code, it.Name, it.State)
	}
	return GetItemVersion(ctx, q, itemID, it.CurrentVersion)
}
