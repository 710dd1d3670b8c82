package store

// Identity: the organisation tree (orgunits.go), users (users.go), their memberships
// (memberships.go), API keys (apikeys.go) and revoked access tokens (tokens.go). This file
// holds the words they share. Who may change them, and the rules of the tree and of
// memberships, are app's.

import (
	"unicode"
	"unicode/utf8"
)

// Kinds of org unit.
const (
	KindGovernment = "government" // a people's government at one of the five levels
	KindDepartment = "department" // a functional department of a government (局, 委)
	KindSection    = "section"    // a department's approval section (行政审批股/科)
	KindCentre     = "centre"     // a government's service centre (政务服务中心)
	KindWindow     = "window"     // a counter of a centre (窗口)
	KindStation    = "station"    // a township or village service station (便民服务站)
)

// Levels of a government, from the top.
const (
	LevelRegion   = "region"   // 自治区/省
	LevelCity     = "city"     // 设区市
	LevelCounty   = "county"   // 县/县级市/区
	LevelTownship = "township" // 乡镇/街道
	LevelVillage  = "village"  // 村/社区
)

// Kinds of user.
const (
	UserStaff     = "staff"     // works in an org unit; signs in with a password
	UserApplicant = "applicant" // a member of the public, registered by themselves
	UserSystem    = "system"    // a department business system; signs in with API keys
)

// Roles a membership grants in its org unit.
const (
	RoleAdmin      = "admin"
	RoleDesigner   = "designer"
	RoleClerk      = "clerk"
	RoleReviewer   = "reviewer"
	RoleAgent      = "agent"
	RoleSupervisor = "supervisor"
	RoleApplicant  = "applicant"
	RoleSystem     = "system"
)

var (
	// OrgKinds lists the valid org unit kinds.
	OrgKinds = []string{KindGovernment, KindDepartment, KindSection, KindCentre, KindWindow, KindStation}
	// Levels lists the government levels from the top.
	Levels = []string{LevelRegion, LevelCity, LevelCounty, LevelTownship, LevelVillage}
	// UserKinds lists the valid user kinds.
	UserKinds = []string{UserStaff, UserApplicant, UserSystem}
	// Roles lists the valid membership roles.
	Roles = []string{RoleAdmin, RoleDesigner, RoleClerk, RoleReviewer, RoleAgent, RoleSupervisor, RoleApplicant, RoleSystem}
)

// PlainText reports whether s holds no control characters (but for tab and newline), no
// format characters (Unicode Cf: bidirectional overrides, zero-width characters) and no
// invalid UTF-8: what codes, usernames and names may hold, so that what people read is what
// is stored.
func PlainText(s string) bool {
	for _, r := range s {
		if (unicode.IsControl(r) && r != '\t' && r != '\n') || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// notPlain is the message of a field that is not PlainText.
const notPlain = "must not hold control or invisible formatting characters (such as NUL, right-to-left overrides or zero-width spaces)"

// checkPlain refuses the first of the (field, value) pairs whose value is not PlainText. The
// store checks it on every write of a code or name, so that no path around the API's
// validation (a loader, a tool) stores one.
func checkPlain(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if !PlainText(pairs[i+1]) {
			return Invalid(pairs[i], notPlain)
		}
	}
	return nil
}
