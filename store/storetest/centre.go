package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/store"
)

// Centre is a small county for catalogue tests: three departments with one
// approval section each (fgj, zjj, zrzyj) and one with two (two-a, two-b),
// a service centre with two windows, a village station, and users.
type Centre struct {
	T     testing.TB
	DB    *store.DB
	Units map[string]*store.OrgUnit // by code
	Users map[string]*store.User    // by username
}

// NewCentre builds the county in db, with the standard flows published.
func NewCentre(t testing.TB, db *store.DB) *Centre {
	t.Helper()
	ctx := context.Background()
	c := &Centre{T: t, DB: db, Units: map[string]*store.OrgUnit{}, Users: map[string]*store.User{}}
	add := func(code, parent, kind, level string) {
		u := &store.OrgUnit{Code: code, Name: "unit " + code, Kind: kind, Level: level}
		if parent != "" {
			u.ParentID = c.Units[parent].ID
		}
		if err := store.CreateOrgUnit(ctx, db, u); err != nil {
			t.Fatalf("create %s: %v", code, err)
		}
		c.Units[code] = u
	}
	add("gx", "", store.KindGovernment, store.LevelRegion)
	add("yl", "gx", store.KindGovernment, store.LevelCity)
	add("bl", "yl", store.KindGovernment, store.LevelCounty)
	add("zx", "bl", store.KindCentre, "")
	add("w1", "zx", store.KindWindow, "")
	add("w2", "zx", store.KindWindow, "")
	for _, d := range []string{"fgj", "zjj", "zrzyj"} {
		add(d, "bl", store.KindDepartment, "")
		add(d+"-xzsp", d, store.KindSection, "")
	}
	add("two", "bl", store.KindDepartment, "")
	add("two-a", "two", store.KindSection, "")
	add("two-b", "two", store.KindSection, "")
	add("ml", "bl", store.KindGovernment, store.LevelTownship)
	add("st1", "ml", store.KindStation, "")
	user := func(name string, grants ...[2]string) {
		u := &store.User{Username: name, DisplayName: name, Kind: store.UserStaff}
		if err := store.CreateUser(ctx, db, u); err != nil {
			t.Fatal(err)
		}
		for _, g := range grants {
			if err := store.AddMembership(ctx, db, &store.Membership{UserID: u.ID, OrgUnitID: c.Units[g[0]].ID, Role: g[1]}); err != nil {
				t.Fatal(err)
			}
		}
		c.Users[name] = u
	}
	user("clerk1", [2]string{"w1", store.RoleClerk})
	user("clerk2", [2]string{"w2", store.RoleClerk})
	user("clerk3", [2]string{"w1", store.RoleClerk})
	user("reviewer", [2]string{"fgj-xzsp", store.RoleReviewer})
	user("agent", [2]string{"st1", store.RoleAgent})
	user("designer", [2]string{"zx", store.RoleDesigner})
	if _, err := store.EnsureStandardFlows(ctx, db, "test"); err != nil {
		t.Fatal(err)
	}
	return c
}

// ID returns the id of the unit with code.
func (c *Centre) ID(code string) string {
	c.T.Helper()
	u, ok := c.Units[code]
	if !ok {
		c.T.Fatalf("no unit %s", code)
	}
	return u.ID
}

// Content returns a valid item of department dept running flow.
func (c *Centre) Content(code, dept, flow string) store.ItemContent {
	it := store.ItemContent{
		Code: code, Name: "事项 " + code, Kind: store.ItemLicence, HandlingType: store.HandlingPromised,
		DepartmentID: c.ID(dept), LegalBasis: "《中华人民共和国行政许可法》",
		Materials: []store.Material{
			{Code: "M01", Name: "申请书", Form: store.MaterialOriginal, Count: 1, Requirement: store.RequirementRequired},
			{Code: "M02", Name: "可行性研究报告", Form: store.MaterialOriginalAndCopy, Count: 2, Requirement: store.RequirementRequired},
			{Code: "M03", Name: "授权委托书", Form: store.MaterialOriginal, Requirement: store.RequirementConditional, Condition: "委托办理的"},
		},
		StatutoryDays: 20, PromisedDays: 10, Channels: []string{store.ChannelWindow, store.ChannelOnline},
		Enquiry: store.Contact{Phone: "0775-1"}, Complaint: store.Contact{Phone: "0775-2"},
		DefinitionKey: flow, LeadSectionID: c.ID(dept + "-xzsp"),
	}
	if dept == "two" {
		it.LeadSectionID = c.ID("two-a")
	}
	switch flow {
	case standard.Immediate:
		it.HandlingType, it.PromisedDays, it.StatutoryDays = store.HandlingImmediate, 0, 0
	case standard.Parallel:
		it.CoReviewerSectionIDs = []string{c.ID("fgj-xzsp"), c.ID("zjj-xzsp"), c.ID("zrzyj-xzsp")}
	case standard.Proxy:
		it.Channels = append(it.Channels, store.ChannelStation)
	}
	return it
}

// Published creates and publishes an item of Content(code, dept, flow) on the latest
// published version of flow. The content follows the catalogue's rules by construction; the
// rules themselves are the use cases' (app) and are not run here.
func (c *Centre) Published(code, dept, flow string) *store.ItemVersion {
	c.T.Helper()
	ctx := context.Background()
	by := c.Users["designer"].ID
	var v *store.ItemVersion
	err := c.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		it, err := store.CreateItem(ctx, tx, c.Content(code, dept, flow), by)
		if err != nil {
			return err
		}
		v, err = store.PublishItem(ctx, tx, it.ID, by)
		return err
	})
	if err != nil {
		c.T.Fatalf("publish %s: %v", code, err)
	}
	return v
}

// Grant stores a delegation grant as admin, naming the department's section when in names
// none. Its terms must follow the delegation rules; they are the use cases' (app) and are
// not run here.
func (c *Centre) Grant(in store.GrantInput) (*store.Grant, error) {
	ctx := context.Background()
	var g *store.Grant
	err := c.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if in.SectionID == "" {
			secs, err := store.ListOrgUnits(ctx, tx, store.OrgUnitFilter{ParentID: in.DepartmentID, Kind: store.KindSection})
			if err != nil {
				return err
			}
			if len(secs) != 1 {
				return fmt.Errorf("department %s has %d sections: name one", in.DepartmentID, len(secs))
			}
			in.SectionID = secs[0].ID
		}
		var err error
		g, err = store.InsertGrant(ctx, tx, in, "admin")
		return err
	})
	return g, err
}

// MustGrant is Grant failing the test on an error.
func (c *Centre) MustGrant(in store.GrantInput) *store.Grant {
	c.T.Helper()
	g, err := c.Grant(in)
	if err != nil {
		c.T.Fatalf("grant %+v: %v", in, err)
	}
	return g
}
