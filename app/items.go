package app

// The catalogue (事项目录): designers create, edit, publish and unpublish items; staff read
// them, their published versions and the steps their flows give a case. The rules an item
// follows are in item_rules.go.

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/store"
)

// StaffRoles are the roles of the people who work in the centre: they read the catalogue
// and the delegation grants.
var StaffRoles = []string{store.RoleAdmin, store.RoleDesigner, store.RoleClerk, store.RoleReviewer, store.RoleAgent, store.RoleSupervisor}

// designerRoles edit the catalogue and deploy definitions.
var designerRoles = []string{store.RoleDesigner, store.RoleAdmin}

// allowRoles refuses an actor who holds none of roles; what names what they asked for.
func allowRoles(p *Actor, what string, roles ...string) error {
	if p != nil && p.HasRole(roles...) {
		return nil
	}
	who := "nobody signed in"
	if p != nil {
		who = p.Username + " (" + describeRoles(p.Roles) + ")"
	}
	return refuse(Forbidden, CodeForbidden, "%s is for %s; %s may not", what, strings.Join(roles, ", "), who)
}

// wholeList is a list answered whole, not paged: a few rows by nature (the steps of a flow,
// the standard flows).
func wholeList[T any](items []T) *List[T] {
	if items == nil {
		items = []T{}
	}
	n := len(items)
	return &List[T]{Items: items, Limit: n, Total: &n}
}

// ItemRequest is an item's content as a designer sends it: the content-information table
// (事项内容信息表), the same type a published version freezes.
type ItemRequest = store.ItemContent

// StandardFlow is a standard flow with its published version.
type StandardFlow struct {
	standard.Flow
	// PublishedVersion is the latest published version of the flow (0: none yet).
	PublishedVersion int `json:"publishedVersion" example:"1"`
}

// StandardFlows lists the standard flows items can run, with the versions an item binds to.
func (a *App) StandardFlows(ctx context.Context, p *Actor) (*List[StandardFlow], error) {
	if err := allowRoles(p, "the standard flows", StaffRoles...); err != nil {
		return nil, err
	}
	var out []StandardFlow
	for _, f := range standard.Flows() {
		sf := StandardFlow{Flow: f}
		if d, err := store.GetDefinition(ctx, a.db, f.Key, 0); err == nil {
			sf.PublishedVersion = d.Version
		}
		out = append(out, sf)
	}
	return wholeList(out), nil
}

// ItemQuery filters the catalogue; zero fields match everything.
type ItemQuery struct {
	DepartmentID  string
	State         string
	Kind          string
	HandlingType  string
	DefinitionKey string
	// Theme and Level are one of store.ItemThemes and store.ItemLevels.
	Theme string
	Level string
	// Search is a part of the code or name.
	Search string
	Page   Page
}

// Items lists catalogue items by code.
func (a *App) Items(ctx context.Context, p *Actor, q ItemQuery) (*List[store.Item], error) {
	if err := allowRoles(p, "the catalogue's drafts", StaffRoles...); err != nil {
		return nil, err
	}
	offset, err := q.Page.offset()
	if err != nil {
		return nil, err
	}
	items, err := store.ListItems(ctx, a.db, store.ItemFilter{DepartmentID: q.DepartmentID, State: q.State, Kind: q.Kind,
		HandlingType: q.HandlingType, DefinitionKey: q.DefinitionKey, Theme: q.Theme, Level: q.Level, Search: q.Search,
		Limit: q.Page.limit() + 1, Offset: offset})
	if err != nil {
		return nil, err
	}
	return probedPage(items, q.Page, offset), nil
}

// Item reads item id: its draft, state and current version.
func (a *App) Item(ctx context.Context, p *Actor, id string) (*store.Item, error) {
	if err := allowRoles(p, "the catalogue's drafts", StaffRoles...); err != nil {
		return nil, err
	}
	return store.GetItem(ctx, a.db, id)
}

// ItemSteps lists the user tasks of the flow item id's draft runs, with their step kinds,
// limits (the item's overrides applied) and the candidate groups a case of the item gives
// them.
func (a *App) ItemSteps(ctx context.Context, p *Actor, id string) (*List[ItemStep], error) {
	it, err := a.Item(ctx, p, id)
	if err != nil {
		return nil, err
	}
	steps, err := a.stepReader(a.db).steps(ctx, &it.ItemContent)
	if err != nil {
		return nil, err
	}
	return wholeList(steps), nil
}

// ItemVersions lists item id's published versions, newest first.
func (a *App) ItemVersions(ctx context.Context, p *Actor, id string, page Page) (*List[store.ItemVersion], error) {
	if _, err := a.Item(ctx, p, id); err != nil {
		return nil, err
	}
	offset, err := page.offset()
	if err != nil {
		return nil, err
	}
	vs, err := store.ListItemVersions(ctx, a.db, id, page.limit()+1, offset)
	if err != nil {
		return nil, err
	}
	return probedPage(vs, page, offset), nil
}

// ItemVersion reads one published version of item id: what its cases run.
func (a *App) ItemVersion(ctx context.Context, p *Actor, id string, version int) (*store.ItemVersion, error) {
	if err := allowRoles(p, "the catalogue's versions", StaffRoles...); err != nil {
		return nil, err
	}
	return store.GetItemVersion(ctx, a.db, id, version)
}

// CreateItem checks content c by the catalogue's rules and stores it as a draft item. A code
// taken by another item is a conflict.
func (a *App) CreateItem(ctx context.Context, p *Actor, c store.ItemContent) (*store.Item, error) {
	if err := allowRoles(p, "editing the catalogue", designerRoles...); err != nil {
		return nil, err
	}
	var it *store.Item
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) (err error) {
		if err := a.checkItem(ctx, tx, &c); err != nil {
			return err
		}
		if it, err = store.CreateItem(ctx, tx, c, p.UserID); err != nil {
			return err
		}
		out.Audit(p, "item.create", "", "item:"+it.ID, c)
		return nil
	})
	return it, err
}

// UpdateItem replaces item id's draft with c, checked as on creation. A published item keeps
// its current version for new cases until it is published again.
func (a *App) UpdateItem(ctx context.Context, p *Actor, id string, c store.ItemContent) (*store.Item, error) {
	if err := allowRoles(p, "editing the catalogue", designerRoles...); err != nil {
		return nil, err
	}
	var it *store.Item
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) (err error) {
		if _, err := store.GetItem(ctx, tx, id); err != nil {
			return err
		}
		if err := a.checkItem(ctx, tx, &c); err != nil {
			return err
		}
		out.Audit(p, "item.update", "", "item:"+id, c)
		it, err = store.UpdateItem(ctx, tx, id, c, p.UserID)
		return err
	})
	return it, err
}

// DeleteItem deletes a draft item that was never published and that no grant names. A
// published item is unpublished instead: its versions stay for the cases that ran them.
func (a *App) DeleteItem(ctx context.Context, p *Actor, id string) error {
	if err := allowRoles(p, "editing the catalogue", designerRoles...); err != nil {
		return err
	}
	return a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		out.Audit(p, "item.delete", "", "item:"+id, nil)
		it, err := store.GetItem(ctx, tx, id)
		if err != nil {
			return err
		}
		if it.State != store.ItemDraft {
			return fmt.Errorf("item %s has published versions; unpublish it instead: %w", it.Code, store.ErrConflict)
		}
		n, err := store.ItemGrantCount(ctx, tx, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("item %s is named by %d delegation grant(s); change or revoke them first: %w", it.Code, n, store.ErrConflict)
		}
		return store.DeleteItem(ctx, tx, id)
	})
}

// PublishItemRequest optionally binds the item to a definition version before publishing.
type PublishItemRequest struct {
	// DefinitionVersion pins this published version of the item's definition (0: the latest
	// published one); absent keeps the draft's.
	DefinitionVersion *int `json:"definitionVersion" validate:"omitempty,min=0" example:"1"`
}

// PublishItem checks item id's draft again (with the definition version in, if given, which
// the draft keeps), pins the definition version it runs (the draft's, or the latest
// published) and makes it the version new cases start with. Publishing content equal to the
// current version reuses that version.
func (a *App) PublishItem(ctx context.Context, p *Actor, id string, in PublishItemRequest) (*store.ItemVersion, error) {
	if err := allowRoles(p, "publishing items", designerRoles...); err != nil {
		return nil, err
	}
	var v *store.ItemVersion
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) (err error) {
		it, err := store.GetItem(ctx, tx, id)
		if err != nil {
			return err
		}
		c := it.ItemContent
		if in.DefinitionVersion != nil {
			c.DefinitionVersion = *in.DefinitionVersion
		}
		if v, err = a.publish(ctx, tx, id, c, p.UserID); err != nil {
			return err
		}
		out.Audit(p, "item.publish", "", "item:"+id, map[string]any{"version": v.Version, "definitionVersion": c.DefinitionVersion})
		return nil
	})
	return v, err
}

// publish checks content c and publishes it as item id's draft and current version.
func (a *App) publish(ctx context.Context, q store.Q, id string, c store.ItemContent, by string) (*store.ItemVersion, error) {
	if err := a.checkItem(ctx, q, &c); err != nil {
		return nil, err
	}
	// The draft is what gets published: it takes the checked content (a pinned version, the
	// defaults filled in).
	if _, err := store.UpdateItem(ctx, q, id, c, by); err != nil {
		return nil, err
	}
	return store.PublishItem(ctx, q, id, by)
}

// LoadItem checks content c by the catalogue's rules, stores it as an item and publishes it,
// through q, a transaction the caller holds: for loaders (the demo) that build a catalogue
// in one.
func (a *App) LoadItem(ctx context.Context, q store.Q, c store.ItemContent, by string) (*store.ItemVersion, error) {
	if err := a.checkItem(ctx, q, &c); err != nil {
		return nil, err
	}
	it, err := store.CreateItem(ctx, q, c, by)
	if err != nil {
		return nil, err
	}
	return store.PublishItem(ctx, q, it.ID, by)
}

// UnpublishItem stops new cases of item id; running cases go on with their version. An item
// that is not published is a conflict.
func (a *App) UnpublishItem(ctx context.Context, p *Actor, id string) (*store.Item, error) {
	if err := allowRoles(p, "publishing items", designerRoles...); err != nil {
		return nil, err
	}
	var it *store.Item
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) (err error) {
		out.Audit(p, "item.unpublish", "", "item:"+id, nil)
		it, err = store.UnpublishItem(ctx, tx, id, p.UserID)
		return err
	})
	return it, err
}
