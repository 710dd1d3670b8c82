// Package demo loads a demo county-level city modelled on the source document (北流市, 广西):
// its government tree, service centre with windows, eight departments with their approval
// sections, two townships and a village with service stations, and a user for every role.
//
// The data is plain Go values so that later areas can add their own sections here and to Load;
// catalogue.go holds the catalogue (items and delegation grants).
package demo

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"onewindow/app"
	"onewindow/store"
)

// Password is the password of every demo user.
const Password = "onewindow-demo"

// Unit is one org unit of the demo, placed under the unit whose code is Parent.
type Unit struct {
	Code, Parent, Kind, Level, Name string
}

// Department is a department of the county-level city with its approval section; its reviewer
// is the user reviewer-<Code>.
type Department struct {
	Code, Name, Section string
}

// Departments are the departments stationed at the service centre.
var Departments = []Department{
	{"fgj", "北流市发展和改革局", "行政审批股"},
	{"zjj", "北流市住房和城乡建设局", "行政审批股"},
	{"zrzyj", "北流市自然资源局", "行政审批股"},
	{"scjgj", "北流市市场监督管理局", "行政审批股"},
	{"gaj", "北流市公安局", "行政审批科"},
	{"mzj", "北流市民政局", "行政审批股"},
	{"rsj", "北流市人力资源和社会保障局", "行政审批股"},
	{"wjj", "北流市卫生健康局", "行政审批股"},
}

// Codes of the units that users and later demo data refer to.
const (
	RegionCode     = "450000"    // 广西壮族自治区
	CityCode       = "450900"    // 玉林市
	CountyCode     = "450981"    // 北流市 (county-level city)
	CentreCode     = "zwzx"      // 北流市政务服务中心
	Township1      = "450981101" // 民乐镇
	Township2      = "450981102" // 塘岸镇
	VillageCode    = "450981101201"
	VillageStation = "luozheng-fwz"
)

// SectionCode is the code of the approval section of department code.
func SectionCode(department string) string { return department + "-xzsp" }

// Units returns the demo org units, each after its parent.
func Units() []Unit {
	us := []Unit{
		{RegionCode, "", store.KindGovernment, store.LevelRegion, "广西壮族自治区"},
		{CityCode, RegionCode, store.KindGovernment, store.LevelCity, "玉林市"},
		{CountyCode, CityCode, store.KindGovernment, store.LevelCounty, "北流市"},
		{CentreCode, CountyCode, store.KindCentre, "", "北流市政务服务中心"},
		{"zwzx-01", CentreCode, store.KindWindow, "", "综合受理一号窗口"},
		{"zwzx-02", CentreCode, store.KindWindow, "", "综合受理二号窗口"},
		{"zwzx-03", CentreCode, store.KindWindow, "", "投资项目并联审批窗口"},
		{"zwzx-04", CentreCode, store.KindWindow, "", "商事登记窗口"},
		{"zwzx-05", CentreCode, store.KindWindow, "", "社会事务窗口"},
	}
	for _, d := range Departments {
		us = append(us,
			Unit{d.Code, CountyCode, store.KindDepartment, "", d.Name},
			Unit{SectionCode(d.Code), d.Code, store.KindSection, "", d.Name + d.Section})
	}
	return append(us,
		Unit{Township1, CountyCode, store.KindGovernment, store.LevelTownship, "民乐镇"},
		Unit{"minle-fwz", Township1, store.KindStation, "", "民乐镇便民服务中心"},
		Unit{Township2, CountyCode, store.KindGovernment, store.LevelTownship, "塘岸镇"},
		Unit{"tangan-fwz", Township2, store.KindStation, "", "塘岸镇便民服务中心"},
		Unit{VillageCode, Township1, store.KindGovernment, store.LevelVillage, "罗政村"},
		Unit{VillageStation, VillageCode, store.KindStation, "", "罗政村便民服务站"},
	)
}

// Grant is a role in the unit with code Unit.
type Grant struct {
	Unit, Role string
}

// User is a demo user. System users have no password (they use API keys).
type User struct {
	Username, DisplayName, Kind string
	RealName, IDCard, Phone     string // applicants
	Grants                      []Grant
}

// Users returns the demo users: admin, designer, supervisor, clerk1, clerk2, agent1,
// applicant1, reviewer-<department code> for each department, and system-scjgj.
func Users() []User {
	us := []User{
		{Username: "admin", DisplayName: "系统管理员", Kind: store.UserStaff, Grants: []Grant{{CountyCode, store.RoleAdmin}}},
		{Username: "designer", DisplayName: "流程设计员", Kind: store.UserStaff, Grants: []Grant{{CentreCode, store.RoleDesigner}}},
		{Username: "supervisor", DisplayName: "电子监察员", Kind: store.UserStaff, Grants: []Grant{{CountyCode, store.RoleSupervisor}}},
		{Username: "clerk1", DisplayName: "一号窗口 王丽", Kind: store.UserStaff, Grants: []Grant{{"zwzx-01", store.RoleClerk}}},
		{Username: "clerk2", DisplayName: "二号窗口 陈刚", Kind: store.UserStaff, Grants: []Grant{{"zwzx-02", store.RoleClerk}, {"zwzx-03", store.RoleClerk}}},
		{Username: "agent1", DisplayName: "罗政村代办员 黄芳", Kind: store.UserStaff, Grants: []Grant{{VillageStation, store.RoleAgent}}},
		{Username: "applicant1", DisplayName: "李明", Kind: store.UserApplicant, RealName: "李明", IDCard: "450981199001011230", Phone: "13800000001"},
	}
	for _, d := range Departments {
		us = append(us, User{Username: "reviewer-" + d.Code, DisplayName: d.Name + d.Section + "审核员", Kind: store.UserStaff,
			Grants: []Grant{{SectionCode(d.Code), store.RoleReviewer}}})
	}
	return append(us, User{Username: "system-scjgj", DisplayName: "市场监督管理局业务系统", Kind: store.UserSystem,
		Grants: []Grant{{"scjgj", store.RoleSystem}}})
}

// Load writes the demo data in one transaction if the database has no org units and no users,
// and reports whether it did; a database with any of them is left alone. The data includes the
// catalogue: the standard flows, the items of Items (published) and every department's grants
// to the centre's windows.
func Load(ctx context.Context, db *store.DB) (bool, error) {
	hash, err := store.HashPassword(Password) // one hash for all: bcrypt is slow on purpose
	if err != nil {
		return false, err
	}
	loaded := false
	err = db.Tx(ctx, func(tx *sqlx.Tx) error {
		loaded = false
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT (SELECT COUNT(*) FROM org_units) + (SELECT COUNT(*) FROM users)`); err != nil {
			return fmt.Errorf("count existing rows: %w", err)
		}
		if n > 0 {
			return nil
		}
		ids := map[string]string{} // code → id
		for _, u := range Units() {
			ou := &store.OrgUnit{ParentID: ids[u.Parent], Kind: u.Kind, Level: u.Level, Code: u.Code, Name: u.Name}
			if err := store.CreateOrgUnit(ctx, tx, ou); err != nil {
				return fmt.Errorf("demo unit %s: %w", u.Code, err)
			}
			ids[u.Code] = ou.ID
		}
		users := map[string]string{} // username → id
		for _, du := range Users() {
			u := &store.User{Username: du.Username, DisplayName: du.DisplayName, Kind: du.Kind,
				RealName: du.RealName, IDCard: du.IDCard, Phone: du.Phone}
			if du.Kind != store.UserSystem {
				u.PasswordHash = hash
			}
			if err := store.CreateUser(ctx, tx, u); err != nil {
				return fmt.Errorf("demo user %s: %w", du.Username, err)
			}
			users[du.Username] = u.ID
			for _, g := range du.Grants {
				if err := store.AddMembership(ctx, tx, &store.Membership{UserID: u.ID, OrgUnitID: ids[g.Unit], Role: g.Role}); err != nil {
					return fmt.Errorf("demo user %s: %w", du.Username, err)
				}
			}
		}
		if err := loadCatalogue(ctx, app.New(app.Config{DB: db}), tx, ids, users["designer"], users["admin"]); err != nil {
			return err
		}
		loaded = true
		return nil
	})
	return loaded, err
}
