package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"
)

// User is a person or system that signs in.
type User struct {
	ID           string `db:"id" json:"id"`
	Username     string `db:"username" json:"username" example:"clerk1"`
	DisplayName  string `db:"display_name" json:"displayName" example:"一号窗口 王丽"`
	PasswordHash string `db:"password_hash" json:"-"`
	Kind         string `db:"kind" json:"kind" example:"staff"`
	RealName     string `db:"real_name" json:"realName,omitempty"` // applicants
	IDCard       string `db:"id_card" json:"idCard,omitempty"`     // applicants
	Phone        string `db:"phone" json:"phone,omitempty"`
	Disabled     bool   `db:"disabled" json:"disabled"`
	// TokenVersion is carried by the user's access tokens; raising it revokes those issued
	// before.
	TokenVersion int       `db:"token_version" json:"-"`
	CreatedAt    time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt    time.Time `db:"updated_at" json:"updatedAt"`
}

const userCols = `id, username, display_name, password_hash, kind, COALESCE(real_name, '') AS real_name,
	COALESCE(id_card, '') AS id_card, COALESCE(phone, '') AS phone, disabled, token_version, created_at, updated_at`

// CreateUser inserts u, filling in ID (if empty) and the timestamps. A duplicate username or
// ID-card number is ErrConflict. What a user of each kind needs is app's rule.
func CreateUser(ctx context.Context, q Q, u *User) error {
	if err := checkPlain("username", u.Username, "displayName", u.DisplayName, "realName", u.RealName); err != nil {
		return err
	}
	if u.ID == "" {
		u.ID = NewID()
	}
	u.CreatedAt = Now()
	u.UpdatedAt = u.CreatedAt
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO users (id, username, display_name, password_hash, kind, real_name, id_card, phone, disabled, token_version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		u.ID, u.Username, u.DisplayName, u.PasswordHash, u.Kind, nullable(u.RealName), nullable(u.IDCard), nullable(u.Phone),
		u.Disabled, u.TokenVersion, u.CreatedAt, u.UpdatedAt)
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
	Kinds     []string // of these kinds
	OrgUnitID string   // members of this unit (with Role, in that role)
	Role      string   // members holding this role (in OrgUnitID, if given)
	// Within, when not nil, keeps the users with a membership in one of these units.
	Within []string
	Search string // a substring of username, display name or real name
	Limit  int    // at most this many (0: no limit)
	Offset int
}

// ListUsers returns the users matching f, ordered by username (unique: its index serves the
// order and the page).
func ListUsers(ctx context.Context, q Q, f UserFilter) ([]User, error) {
	var where []string
	var args []any
	if len(f.Kinds) > 0 {
		where, args = append(where, "kind IN (?)"), append(args, f.Kinds)
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
	if f.Within != nil {
		if len(f.Within) == 0 {
			return []User{}, nil
		}
		where, args = append(where, "id IN (SELECT user_id FROM memberships WHERE org_unit_id IN (?))"), append(args, f.Within)
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
	query, args = pageClause(query+" ORDER BY username", args, f.Limit, f.Offset)
	query, args, err := sqlx.In(query, args...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
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
	// RevokeTokens raises the user's token version: every token issued before stops working.
	RevokeTokens bool
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
	if p.RevokeTokens {
		u.TokenVersion++
	}
	if p.DisplayName != nil { // only what changes: a legacy name must not block disabling its user
		if err := checkPlain("displayName", u.DisplayName); err != nil {
			return nil, err
		}
	}
	u.UpdatedAt = Now()
	// The version is raised in SQL, so that two revocations at once both count.
	_, err = q.ExecContext(ctx, q.Rebind(`UPDATE users SET display_name = ?, password_hash = ?, phone = ?, disabled = ?,
		token_version = token_version + ?, updated_at = ? WHERE id = ?`),
		u.DisplayName, u.PasswordHash, nullable(u.Phone), u.Disabled, boolInt(p.RevokeTokens), u.UpdatedAt, id)
	if err != nil {
		return nil, classify(err, "update user %q", id)
	}
	return u, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// HashPassword returns the bcrypt hash of password, or bcrypt.ErrPasswordTooLong for one of
// more than MaxPasswordBytes bytes.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// MaxPasswordBytes is bcrypt's limit: it reads no more of a password than this.
const MaxPasswordBytes = 72

// ErrPasswordTooLong is HashPassword's refusal of a password over MaxPasswordBytes.
var ErrPasswordTooLong = bcrypt.ErrPasswordTooLong

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
