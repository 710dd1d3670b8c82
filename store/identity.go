package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
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

// OrgUnit is a node of the organisation tree.
type OrgUnit struct {
	ID        string    `db:"id" json:"id"`
	ParentID  string    `db:"parent_id" json:"parentId,omitempty"` // "" for the root
	Kind      string    `db:"kind" json:"kind"`
	Level     string    `db:"level" json:"level,omitempty"` // governments only
	Code      string    `db:"code" json:"code"`
	Name      string    `db:"name" json:"name"`
	CreatedAt time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt time.Time `db:"updated_at" json:"updatedAt"`
}

// orgUnitColumns lists the columns of OrgUnit, qualified with table alias t when t is not "".
func orgUnitColumns(t string) string {
	if t != "" {
		t += "."
	}
	return strings.NewReplacer("%", t).Replace(
		`%id, COALESCE(%parent_id, '') AS parent_id, %kind, COALESCE(%level, '') AS level, %code, %name, %created_at, %updated_at`)
}

var orgUnitCols = orgUnitColumns("")

// nullable turns "" into NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CheckPlacement reports whether a unit of the given kind and level may sit under parent (nil
// for a root): a region is the only root; each government level sits under the one above;
// departments and centres under a government; sections under a department; windows under a
// centre; stations under a township or village government.
func CheckPlacement(kind, level string, parent *OrgUnit) error {
	if !slices.Contains(OrgKinds, kind) {
		return Invalid("kind", "must be one of %s", strings.Join(OrgKinds, ", "))
	}
	if kind == KindGovernment {
		i := slices.Index(Levels, level)
		if i < 0 {
			return Invalid("level", "a government needs a level, one of %s", strings.Join(Levels, ", "))
		}
		if i == 0 {
			if parent != nil {
				return Invalid("parentId", "a region government is a root and has no parent")
			}
			return nil
		}
		if parent == nil || parent.Kind != KindGovernment || parent.Level != Levels[i-1] {
			return Invalid("parentId", "a %s government must sit under a %s government", level, Levels[i-1])
		}
		return nil
	}
	if level != "" {
		return Invalid("level", "only a government has a level")
	}
	if parent == nil {
		return Invalid("parentId", "a %s needs a parent", kind)
	}
	ok := false
	want := ""
	switch kind {
	case KindDepartment, KindCentre:
		ok, want = parent.Kind == KindGovernment, "a government"
	case KindSection:
		ok, want = parent.Kind == KindDepartment, "a department"
	case KindWindow:
		ok, want = parent.Kind == KindCentre, "a centre"
	case KindStation:
		ok = parent.Kind == KindGovernment && (parent.Level == LevelTownship || parent.Level == LevelVillage)
		want = "a township or village government"
	}
	if !ok {
		return Invalid("parentId", "a %s must sit under %s", kind, want)
	}
	return nil
}

// CreateOrgUnit inserts u after checking its placement under its parent, filling in ID (if
// empty) and the timestamps. A duplicate code is ErrConflict.
func CreateOrgUnit(ctx context.Context, q Q, u *OrgUnit) error {
	var parent *OrgUnit
	if u.ParentID != "" {
		p, err := GetOrgUnit(ctx, q, u.ParentID)
		if errors.Is(err, ErrNotFound) {
			return Invalid("parentId", "org unit %q does not exist", u.ParentID)
		}
		if err != nil {
			return err
		}
		parent = p
	}
	if err := CheckPlacement(u.Kind, u.Level, parent); err != nil {
		return err
	}
	if u.ID == "" {
		u.ID = NewID()
	}
	u.CreatedAt = Now()
	u.UpdatedAt = u.CreatedAt
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO org_units (id, parent_id, kind, level, code, name, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		u.ID, nullable(u.ParentID), u.Kind, nullable(u.Level), u.Code, u.Name, u.CreatedAt, u.UpdatedAt)
	return classify(err, "create org unit %q", u.Code)
}

// GetOrgUnit returns the unit with the given id, or ErrNotFound.
func GetOrgUnit(ctx context.Context, q Q, id string) (*OrgUnit, error) {
	var u OrgUnit
	err := q.GetContext(ctx, &u, q.Rebind(`SELECT `+orgUnitCols+` FROM org_units WHERE id = ?`), id)
	if err != nil {
		return nil, classify(err, "org unit %q", id)
	}
	return &u, nil
}

// GetOrgUnitByCode returns the unit with the given code, or ErrNotFound.
func GetOrgUnitByCode(ctx context.Context, q Q, code string) (*OrgUnit, error) {
	var u OrgUnit
	err := q.GetContext(ctx, &u, q.Rebind(`SELECT `+orgUnitCols+` FROM org_units WHERE code = ?`), code)
	if err != nil {
		return nil, classify(err, "org unit with code %q", code)
	}
	return &u, nil
}

// OrgUnitFilter selects org units; zero fields match everything.
type OrgUnitFilter struct {
	ParentID string // children of this unit
	Roots    bool   // only units without a parent
	Kind     string
	Level    string
}

// ListOrgUnits returns the units matching f, ordered by code.
func ListOrgUnits(ctx context.Context, q Q, f OrgUnitFilter) ([]OrgUnit, error) {
	var where []string
	var args []any
	if f.ParentID != "" {
		where, args = append(where, "parent_id = ?"), append(args, f.ParentID)
	}
	if f.Roots {
		where = append(where, "parent_id IS NULL")
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if f.Level != "" {
		where, args = append(where, "level = ?"), append(args, f.Level)
	}
	query := `SELECT ` + orgUnitCols + ` FROM org_units`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	units := []OrgUnit{}
	if err := q.SelectContext(ctx, &units, q.Rebind(query+" ORDER BY code"), args...); err != nil {
		return nil, fmt.Errorf("list org units: %w", err)
	}
	return units, nil
}

// OrgUnitPatch holds the fields UpdateOrgUnit changes; nil fields stay as they are.
type OrgUnitPatch struct {
	Code     *string
	Name     *string
	ParentID *string // move the unit; its kind and level must fit under the new parent
}

// UpdateOrgUnit applies p to the unit id and returns the result. A move that would put the
// unit under itself or one of its descendants is ErrInvalid. Run it in a Tx so that the checks
// and the update see the same tree.
func UpdateOrgUnit(ctx context.Context, q Q, id string, p OrgUnitPatch) (*OrgUnit, error) {
	u, err := GetOrgUnit(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if p.Code != nil {
		u.Code = *p.Code
	}
	if p.Name != nil {
		u.Name = *p.Name
	}
	if p.ParentID != nil && *p.ParentID != u.ParentID {
		var parent *OrgUnit
		if *p.ParentID != "" {
			if parent, err = GetOrgUnit(ctx, q, *p.ParentID); errors.Is(err, ErrNotFound) {
				return nil, Invalid("parentId", "org unit %q does not exist", *p.ParentID)
			} else if err != nil {
				return nil, err
			}
			inside, err := IsWithin(ctx, q, parent.ID, u.ID)
			if err != nil {
				return nil, err
			}
			if inside {
				return nil, Invalid("parentId", "cannot move a unit under itself or one of its descendants")
			}
		}
		if err := CheckPlacement(u.Kind, u.Level, parent); err != nil {
			return nil, err
		}
		u.ParentID = *p.ParentID
	}
	u.UpdatedAt = Now()
	_, err = q.ExecContext(ctx, q.Rebind(`UPDATE org_units SET code = ?, name = ?, parent_id = ?, updated_at = ? WHERE id = ?`),
		u.Code, u.Name, nullable(u.ParentID), u.UpdatedAt, id)
	if err != nil {
		return nil, classify(err, "update org unit %q", id)
	}
	return u, nil
}

// OrgUnitAncestors returns the units above id, from the root down to its parent (empty for a
// root), or ErrNotFound if id does not exist.
func OrgUnitAncestors(ctx context.Context, q Q, id string) ([]OrgUnit, error) {
	if _, err := GetOrgUnit(ctx, q, id); err != nil {
		return nil, err
	}
	units := []OrgUnit{}
	err := q.SelectContext(ctx, &units, q.Rebind(`
		WITH RECURSIVE up (id, parent_id, depth) AS (
			SELECT id, parent_id, 0 FROM org_units WHERE id = ?
			UNION ALL
			SELECT o.id, o.parent_id, up.depth + 1 FROM org_units o JOIN up ON o.id = up.parent_id
		)
		SELECT `+orgUnitColumns("o")+` FROM org_units o JOIN up ON o.id = up.id
		WHERE up.depth > 0 ORDER BY up.depth DESC`), id)
	if err != nil {
		return nil, fmt.Errorf("ancestors of org unit %q: %w", id, err)
	}
	return units, nil
}

// OrgUnitDescendants returns the units below id, breadth first (children, then grandchildren,
// ...; by code within a depth), or ErrNotFound if id does not exist.
func OrgUnitDescendants(ctx context.Context, q Q, id string) ([]OrgUnit, error) {
	if _, err := GetOrgUnit(ctx, q, id); err != nil {
		return nil, err
	}
	units := []OrgUnit{}
	err := q.SelectContext(ctx, &units, q.Rebind(`
		WITH RECURSIVE down (id, depth) AS (
			SELECT id, 0 FROM org_units WHERE id = ?
			UNION ALL
			SELECT o.id, down.depth + 1 FROM org_units o JOIN down ON o.parent_id = down.id
		)
		SELECT `+orgUnitColumns("o")+` FROM org_units o JOIN down ON o.id = down.id
		WHERE down.depth > 0 ORDER BY down.depth, o.code`), id)
	if err != nil {
		return nil, fmt.Errorf("descendants of org unit %q: %w", id, err)
	}
	return units, nil
}

// IsWithin reports whether unit id is ancestorID itself or lies below it, for scoping a role
// held in ancestorID to a subtree.
func IsWithin(ctx context.Context, q Q, id, ancestorID string) (bool, error) {
	if id == ancestorID {
		return true, nil
	}
	var n int
	err := q.GetContext(ctx, &n, q.Rebind(`
		WITH RECURSIVE up (id, parent_id) AS (
			SELECT id, parent_id FROM org_units WHERE id = ?
			UNION ALL
			SELECT o.id, o.parent_id FROM org_units o JOIN up ON o.id = up.parent_id
		)
		SELECT COUNT(*) FROM up WHERE id = ?`), id, ancestorID)
	if err != nil {
		return false, fmt.Errorf("is %q within %q: %w", id, ancestorID, err)
	}
	return n > 0, nil
}

// User is a person or system that signs in.
type User struct {
	ID           string    `db:"id" json:"id"`
	Username     string    `db:"username" json:"username"`
	DisplayName  string    `db:"display_name" json:"displayName"`
	PasswordHash string    `db:"password_hash" json:"-"`
	Kind         string    `db:"kind" json:"kind"`
	RealName     string    `db:"real_name" json:"realName,omitempty"` // applicants
	IDCard       string    `db:"id_card" json:"idCard,omitempty"`     // applicants
	Phone        string    `db:"phone" json:"phone,omitempty"`
	Disabled     bool      `db:"disabled" json:"disabled"`
	CreatedAt    time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt    time.Time `db:"updated_at" json:"updatedAt"`
}

const userCols = `id, username, display_name, password_hash, kind, COALESCE(real_name, '') AS real_name,
	COALESCE(id_card, '') AS id_card, COALESCE(phone, '') AS phone, disabled, created_at, updated_at`

// CreateUser inserts u, filling in ID (if empty) and the timestamps. An applicant needs a real
// name and a valid ID-card number. A duplicate username or ID-card number is ErrConflict.
func CreateUser(ctx context.Context, q Q, u *User) error {
	if !slices.Contains(UserKinds, u.Kind) {
		return Invalid("kind", "must be one of %s", strings.Join(UserKinds, ", "))
	}
	if u.Kind == UserApplicant {
		if u.RealName == "" {
			return Invalid("realName", "is required for an applicant")
		}
		if err := CheckIDCard(u.IDCard); err != nil {
			return Invalid("idCard", "%v", err)
		}
		u.IDCard = strings.ToUpper(u.IDCard)
	}
	if u.ID == "" {
		u.ID = NewID()
	}
	u.CreatedAt = Now()
	u.UpdatedAt = u.CreatedAt
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO users (id, username, display_name, password_hash, kind, real_name, id_card, phone, disabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		u.ID, u.Username, u.DisplayName, u.PasswordHash, u.Kind, nullable(u.RealName), nullable(u.IDCard), nullable(u.Phone),
		u.Disabled, u.CreatedAt, u.UpdatedAt)
	return classify(err, "create user %q", u.Username)
}

// GetUser returns the user with the given id, or ErrNotFound.
func GetUser(ctx context.Context, q Q, id string) (*User, error) {
	var u User
	if err := q.GetContext(ctx, &u, q.Rebind(`SELECT `+userCols+` FROM users WHERE id = ?`), id); err != nil {
		return nil, classify(err, "user %q", id)
	}
	return &u, nil
}

// GetUserByUsername returns the user with the given username, or ErrNotFound.
func GetUserByUsername(ctx context.Context, q Q, username string) (*User, error) {
	var u User
	if err := q.GetContext(ctx, &u, q.Rebind(`SELECT `+userCols+` FROM users WHERE username = ?`), username); err != nil {
		return nil, classify(err, "user %q", username)
	}
	return &u, nil
}

// UserFilter selects users; zero fields match everything.
type UserFilter struct {
	Kind      string
	OrgUnitID string // members of this unit (with Role, in that role)
	Role      string // members holding this role (in OrgUnitID, if given)
	Search    string // a substring of username, display name or real name
	Limit     int    // at most this many (default 100)
	Offset    int
}

// ListUsers returns the users matching f, ordered by username.
func ListUsers(ctx context.Context, q Q, f UserFilter) ([]User, error) {
	var where []string
	var args []any
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if f.OrgUnitID != "" || f.Role != "" {
		sub := "SELECT user_id FROM memberships WHERE 1 = 1"
		if f.OrgUnitID != "" {
			sub += " AND org_unit_id = ?"
			args = append(args, f.OrgUnitID)
		}
		if f.Role != "" {
			sub += " AND role = ?"
			args = append(args, f.Role)
		}
		where = append(where, "id IN ("+sub+")")
	}
	if f.Search != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(f.Search)) + "%"
		where = append(where, `(LOWER(username) LIKE ? ESCAPE '\' OR LOWER(display_name) LIKE ? ESCAPE '\' OR LOWER(COALESCE(real_name, '')) LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like)
	}
	query := `SELECT ` + userCols + ` FROM users`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	query += " ORDER BY username LIMIT ? OFFSET ?"
	args = append(args, f.Limit, f.Offset)
	users := []User{}
	if err := q.SelectContext(ctx, &users, q.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// UserPatch holds the fields UpdateUser changes; nil fields stay as they are.
type UserPatch struct {
	DisplayName  *string
	PasswordHash *string
	Phone        *string
	Disabled     *bool
}

// UpdateUser applies p to user id and returns the result.
func UpdateUser(ctx context.Context, q Q, id string, p UserPatch) (*User, error) {
	u, err := GetUser(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if p.DisplayName != nil {
		u.DisplayName = *p.DisplayName
	}
	if p.PasswordHash != nil {
		u.PasswordHash = *p.PasswordHash
	}
	if p.Phone != nil {
		u.Phone = *p.Phone
	}
	if p.Disabled != nil {
		u.Disabled = *p.Disabled
	}
	u.UpdatedAt = Now()
	_, err = q.ExecContext(ctx, q.Rebind(`UPDATE users SET display_name = ?, password_hash = ?, phone = ?, disabled = ?, updated_at = ? WHERE id = ?`),
		u.DisplayName, u.PasswordHash, nullable(u.Phone), u.Disabled, u.UpdatedAt, id)
	if err != nil {
		return nil, classify(err, "update user %q", id)
	}
	return u, nil
}

// HashPassword returns the bcrypt hash of password.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// dummyHash is compared against when a username does not exist, so that the answer takes as
// long as for a wrong password and timing does not tell which part was wrong.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("onewindow-no-such-user"), bcrypt.DefaultCost)

// CheckPassword reports whether password matches hash. An empty hash (a user that may not sign
// in with a password) never matches, but takes as long as a real comparison.
func CheckPassword(hash, password string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// CheckIDCard reports whether s is a valid 18-character resident ID-card number (GB 11643-1999):
// a six-digit area code, a birth date YYYYMMDD, a three-digit sequence, and a check character
// (0-9 or X) equal to (12 - Σ digit×weight mod 11) mod 11, X standing for 10.
func CheckIDCard(s string) error {
	if len(s) != 18 {
		return fmt.Errorf("an ID-card number has 18 characters, got %d", len([]rune(s)))
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return fmt.Errorf("character %d of an ID-card number must be a digit", i+1)
		}
		sum += int(c-'0') * weights[i]
	}
	if s[0] == '0' {
		return errors.New("an ID-card number cannot start with 0 (no such area code)")
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(time.Now()) {
		return fmt.Errorf("the birth date %s in the ID-card number is not a valid date", s[6:14])
	}
	want := "10X98765432"[sum%11]
	got := s[17]
	if got == 'x' {
		got = 'X'
	}
	if got != want {
		return fmt.Errorf("the check character of the ID-card number is %c but should be %c", s[17], want)
	}
	return nil
}

// Membership grants a user a role in an org unit. The OrgUnit fields are filled in on reads.
type Membership struct {
	UserID      string    `db:"user_id" json:"userId"`
	OrgUnitID   string    `db:"org_unit_id" json:"orgUnitId"`
	Role        string    `db:"role" json:"role"`
	CreatedAt   time.Time `db:"created_at" json:"createdAt"`
	OrgUnitCode string    `db:"org_unit_code" json:"orgUnitCode"`
	OrgUnitName string    `db:"org_unit_name" json:"orgUnitName"`
	OrgUnitKind string    `db:"org_unit_kind" json:"orgUnitKind"`
}

// AddMembership grants m.Role in m.OrgUnitID to m.UserID. A missing user or unit is ErrInvalid
// naming it, a grant that exists already is ErrConflict.
func AddMembership(ctx context.Context, q Q, m *Membership) error {
	if !slices.Contains(Roles, m.Role) {
		return Invalid("role", "must be one of %s", strings.Join(Roles, ", "))
	}
	u, err := GetUser(ctx, q, m.UserID)
	if errors.Is(err, ErrNotFound) {
		return Invalid("userId", "user %q does not exist", m.UserID)
	} else if err != nil {
		return err
	}
	if (m.Role == RoleSystem) != (u.Kind == UserSystem) {
		return Invalid("role", "the role system is for system users only, and system users hold only it")
	}
	if (m.Role == RoleApplicant) != (u.Kind == UserApplicant) {
		return Invalid("role", "the role applicant is for applicant users only, and applicants hold only it")
	}
	unit, err := GetOrgUnit(ctx, q, m.OrgUnitID)
	if errors.Is(err, ErrNotFound) {
		return Invalid("orgUnitId", "org unit %q does not exist", m.OrgUnitID)
	} else if err != nil {
		return err
	}
	m.CreatedAt = Now()
	m.OrgUnitCode, m.OrgUnitName, m.OrgUnitKind = unit.Code, unit.Name, unit.Kind
	_, err = q.ExecContext(ctx, q.Rebind(`INSERT INTO memberships (user_id, org_unit_id, role, created_at) VALUES (?, ?, ?, ?)`),
		m.UserID, m.OrgUnitID, m.Role, m.CreatedAt)
	return classify(err, "grant %s in %q to user %q", m.Role, m.OrgUnitID, m.UserID)
}

// RemoveMembership revokes role in orgUnitID from userID, or returns ErrNotFound.
func RemoveMembership(ctx context.Context, q Q, userID, orgUnitID, role string) error {
	res, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM memberships WHERE user_id = ? AND org_unit_id = ? AND role = ?`),
		userID, orgUnitID, role)
	if err != nil {
		return fmt.Errorf("revoke %s in %q from user %q: %w", role, orgUnitID, userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("membership %s in %q of user %q: %w", role, orgUnitID, userID, ErrNotFound)
	}
	return nil
}

// UserMemberships returns the memberships of userID, ordered by org unit code and role.
func UserMemberships(ctx context.Context, q Q, userID string) ([]Membership, error) {
	ms := []Membership{}
	err := q.SelectContext(ctx, &ms, q.Rebind(`
		SELECT m.user_id, m.org_unit_id, m.role, m.created_at, o.code AS org_unit_code, o.name AS org_unit_name, o.kind AS org_unit_kind
		FROM memberships m JOIN org_units o ON o.id = m.org_unit_id
		WHERE m.user_id = ? ORDER BY o.code, m.role`), userID)
	if err != nil {
		return nil, fmt.Errorf("memberships of user %q: %w", userID, err)
	}
	return ms, nil
}

// APIKey describes a key a system user signs in with. The key itself is never stored.
type APIKey struct {
	ID         string     `db:"id" json:"id"`
	UserID     string     `db:"user_id" json:"userId"`
	Name       string     `db:"name" json:"name"`
	Prefix     string     `db:"prefix" json:"prefix"`
	KeyHash    string     `db:"key_hash" json:"-"`
	CreatedAt  time.Time  `db:"created_at" json:"createdAt"`
	LastUsedAt *time.Time `db:"last_used_at" json:"lastUsedAt,omitempty"`
	RevokedAt  *time.Time `db:"revoked_at" json:"revokedAt,omitempty"`
}

const apiKeyCols = `id, user_id, name, prefix, key_hash, created_at, last_used_at, revoked_at`

// apiKeyPrefix starts every key, so that a leaked key is recognisable (e.g. by secret scanners).
const apiKeyPrefix = "owk_"

func hashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// CreateAPIKey makes a new key for the system user userID and returns it with its record; the
// key is shown to the caller this once. A user that is not a system user is ErrInvalid.
func CreateAPIKey(ctx context.Context, q Q, userID, name string) (string, *APIKey, error) {
	u, err := GetUser(ctx, q, userID)
	if err != nil {
		return "", nil, err
	}
	if u.Kind != UserSystem {
		return "", nil, Invalid("userId", "only system users have API keys; %q is a %s user", u.Username, u.Kind)
	}
	var b [20]byte
	_, _ = rand.Read(b[:])
	key := apiKeyPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
	k := &APIKey{ID: NewID(), UserID: userID, Name: name, Prefix: key[:len(apiKeyPrefix)+6], KeyHash: hashAPIKey(key), CreatedAt: Now()}
	_, err = q.ExecContext(ctx, q.Rebind(`INSERT INTO api_keys (id, user_id, name, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
		k.ID, k.UserID, k.Name, k.Prefix, k.KeyHash, k.CreatedAt)
	if err != nil {
		return "", nil, classify(err, "create API key for %q", userID)
	}
	return key, k, nil
}

// ListAPIKeys returns the keys of userID, newest first, revoked ones included.
func ListAPIKeys(ctx context.Context, q Q, userID string) ([]APIKey, error) {
	keys := []APIKey{}
	if err := q.SelectContext(ctx, &keys, q.Rebind(`SELECT `+apiKeyCols+` FROM api_keys WHERE user_id = ? ORDER BY id DESC`), userID); err != nil {
		return nil, fmt.Errorf("API keys of %q: %w", userID, err)
	}
	return keys, nil
}

// RevokeAPIKey revokes key keyID of userID; a missing or already revoked key is ErrNotFound.
func RevokeAPIKey(ctx context.Context, q Q, userID, keyID string) error {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`),
		Now(), keyID, userID)
	if err != nil {
		return fmt.Errorf("revoke API key %q: %w", keyID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("API key %q of user %q: %w", keyID, userID, ErrNotFound)
	}
	return nil
}

// apiKeyTouchEvery bounds how often a key's last_used_at is written, so that a busy system
// user does not turn every read request into a write.
const apiKeyTouchEvery = time.Minute

// UserByAPIKey returns the enabled user owning the unrevoked key, or ErrNotFound, and records
// the use (at most once a minute).
func UserByAPIKey(ctx context.Context, q Q, key string) (*User, error) {
	if !strings.HasPrefix(key, apiKeyPrefix) {
		return nil, fmt.Errorf("API key: %w", ErrNotFound)
	}
	var k APIKey
	err := q.GetContext(ctx, &k, q.Rebind(`SELECT `+apiKeyCols+` FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL`), hashAPIKey(key))
	if err != nil {
		return nil, classify(err, "API key")
	}
	u, err := GetUser(ctx, q, k.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, fmt.Errorf("API key of disabled user %q: %w", u.Username, ErrNotFound)
	}
	now := Now()
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= apiKeyTouchEvery {
		if _, err := q.ExecContext(ctx, q.Rebind(`UPDATE api_keys SET last_used_at = ? WHERE id = ?`), now, k.ID); err != nil {
			return nil, fmt.Errorf("record use of API key %q: %w", k.ID, err)
		}
	}
	return u, nil
}

// LoginFailures returns how many sign-ins under username failed in a row and when the last did
// (zero values when none).
func LoginFailures(ctx context.Context, q Q, username string) (int, time.Time, error) {
	var row struct {
		Failures int       `db:"failures"`
		Last     time.Time `db:"last_failure_at"`
	}
	err := q.GetContext(ctx, &row, q.Rebind(`SELECT failures, last_failure_at FROM login_attempts WHERE username = ?`), username)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("login failures of %q: %w", username, err)
	}
	return row.Failures, row.Last, nil
}

// RecordLoginFailure counts a failed sign-in under username at time at and returns the count
// in a row. A previous failure before forgetBefore is forgotten, so the count starts again at 1.
func RecordLoginFailure(ctx context.Context, q Q, username string, at, forgetBefore time.Time) (int, error) {
	var n int
	err := q.GetContext(ctx, &n, q.Rebind(`
		INSERT INTO login_attempts (username, failures, last_failure_at) VALUES (?, 1, ?)
		ON CONFLICT (username) DO UPDATE SET
			failures = CASE WHEN login_attempts.last_failure_at < ? THEN 1 ELSE login_attempts.failures + 1 END,
			last_failure_at = excluded.last_failure_at
		RETURNING failures`), username, Time(at), Time(forgetBefore))
	if err != nil {
		return 0, fmt.Errorf("record login failure of %q: %w", username, err)
	}
	return n, nil
}

// ClearLoginFailures forgets the failed sign-ins under username, after a successful one.
func ClearLoginFailures(ctx context.Context, q Q, username string) error {
	if _, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM login_attempts WHERE username = ?`), username); err != nil {
		return fmt.Errorf("clear login failures of %q: %w", username, err)
	}
	return nil
}
