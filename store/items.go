package store

// The catalogue (事项目录): items, their drafts and published versions. The rules an item's
// content must follow are the use cases' (app/item_rules.go); these functions store and read
// content that has passed them.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Kinds of item, after the national implementation list (国家政务服务事项基本目录).
const (
	ItemLicence       = "licence"       // 行政许可
	ItemConfirmation  = "confirmation"  // 行政确认
	ItemPayment       = "payment"       // 行政给付
	ItemRuling        = "ruling"        // 行政裁决
	ItemReward        = "reward"        // 行政奖励
	ItemLevy          = "levy"          // 行政征收
	ItemOtherPower    = "otherPower"    // 其他行政权力
	ItemPublicService = "publicService" // 公共服务
)

// Handling types of item.
const (
	HandlingImmediate = "immediate" // 即办件: done on the spot
	HandlingPromised  = "promised"  // 承诺件: done within a promised number of working days
)

// Service channels through which an item is applied for.
const (
	ChannelWindow  = "window"  // at a window of a service centre
	ChannelOnline  = "online"  // online, with pre-review (网上预审)
	ChannelStation = "station" // through a proxy agent at a township or village station (代办)
)

// Forms of a required material.
const (
	MaterialOriginal        = "original"        // 原件
	MaterialCopy            = "copy"            // 复印件
	MaterialOriginalAndCopy = "originalAndCopy" // 原件及复印件
)

// Whether a material is always required or only in some cases.
const (
	RequirementRequired    = "required"    // 必要
	RequirementConditional = "conditional" // 容缺/视情形: required when Condition holds
)

// Service objects (服务对象).
const (
	ObjectNaturalPerson = "naturalPerson" // 自然人
	ObjectLegalPerson   = "legalPerson"   // 法人或其他组织
)

// Themes of item (主题分类), what the public looks for an item by.
const (
	ThemeHousehold          = "household"          // 户籍
	ThemeSocialSecurity     = "socialSecurity"     // 社保
	ThemeBusinessStartup    = "businessStartup"    // 企业开办
	ThemeInvestment         = "investment"         // 投资建设
	ThemeRealEstate         = "realEstate"         // 不动产
	ThemeMarriage           = "marriage"           // 婚姻
	ThemeSocialAssistance   = "socialAssistance"   // 社会救助
	ThemeHealth             = "health"             // 医疗卫生
	ThemeBirth              = "birth"              // 生育
	ThemeEmployment         = "employment"         // 就业
	ThemeEducation          = "education"          // 教育
	ThemeSocialOrganisation = "socialOrganisation" // 社会组织
	ThemeOther              = "other"              // 其他
)

// Item states.
const (
	ItemDraft       = "draft"       // never published
	ItemPublished   = "published"   // new cases start with its current version
	ItemUnpublished = "unpublished" // no new cases; running ones go on
)

var (
	// ItemKinds lists the valid item kinds.
	ItemKinds = []string{ItemLicence, ItemConfirmation, ItemPayment, ItemRuling, ItemReward, ItemLevy, ItemOtherPower, ItemPublicService}
	// HandlingTypes lists the valid handling types.
	HandlingTypes = []string{HandlingImmediate, HandlingPromised}
	// Channels lists the valid service channels.
	Channels = []string{ChannelWindow, ChannelOnline, ChannelStation}
	// MaterialForms lists the valid material forms.
	MaterialForms = []string{MaterialOriginal, MaterialCopy, MaterialOriginalAndCopy}
	// Requirements lists the valid material requirements.
	Requirements = []string{RequirementRequired, RequirementConditional}
	// ServiceObjects lists the valid service objects.
	ServiceObjects = []string{ObjectNaturalPerson, ObjectLegalPerson}
	// ItemThemes lists the valid themes, ItemLevels the valid levels (the validate tags of
	// ItemContent and of the catalogue's filters spell the same lists).
	ItemThemes = []string{ThemeHousehold, ThemeSocialSecurity, ThemeBusinessStartup, ThemeInvestment, ThemeRealEstate,
		ThemeMarriage, ThemeSocialAssistance, ThemeHealth, ThemeBirth, ThemeEmployment, ThemeEducation,
		ThemeSocialOrganisation, ThemeOther}
	ItemLevels = []string{LevelRegion, LevelCity, LevelCounty, LevelTownship}
	// ItemStates lists the item states.
	ItemStates = []string{ItemDraft, ItemPublished, ItemUnpublished}
)

// Material is one required material of an item (申请材料).
type Material struct {
	// Code identifies the material within its item; notices and
	// supplements name materials by it.
	Code string `json:"code" validate:"required,max=32,plaintext" example:"M01"`
	Name string `json:"name" validate:"required,max=128,plaintext" example:"营业执照申请书"`
	// Form is original, copy or originalAndCopy.
	Form string `json:"form" validate:"required,oneof=original copy originalAndCopy" example:"original"`
	// Count is the number of copies (份数), at least 1.
	Count int `json:"count" validate:"min=0,max=99" example:"1"`
	// Requirement is required or conditional; a conditional material
	// says when it is needed in Condition.
	Requirement string `json:"requirement" validate:"required,oneof=required conditional" example:"required"`
	Condition   string `json:"condition,omitempty" example:""`
	// Sample references a sample or blank template: an uploaded file's id
	// or a URL.
	Sample string `json:"sample,omitempty" validate:"max=512" example:"https://zwfw.example.gov.cn/samples/M01.pdf"`
	Note   string `json:"note,omitempty"`
}

// Fee is one charge of an item (收费项目); an item without fees is free.
type Fee struct {
	Name     string `json:"name" validate:"required,max=128,plaintext" example:"工本费"`
	Standard string `json:"standard" validate:"required" example:"每证10元"`
	Basis    string `json:"basis,omitempty" example:"桂价费〔2012〕1号"`
}

// SpecialProcedure is a procedure whose time does not count toward the
// item's limits (特别程序: hearing, expert review, on-site survey, public
// notice, ...).
type SpecialProcedure struct {
	Name string `json:"name" validate:"required,max=128,plaintext" example:"专家评审"`
	// LimitDays is the procedure's own limit in working days (0: none).
	LimitDays float64 `json:"limitDays" validate:"min=0" example:"10"`
	Basis     string  `json:"basis,omitempty"`
}

// Contact is where to enquire or complain.
type Contact struct {
	Phone   string `json:"phone" validate:"required,max=64" example:"0775-1234567"`
	Address string `json:"address,omitempty" example:"北流市政务服务中心一楼咨询台"`
}

// ItemContent is an item's content-information table (事项内容信息表): what
// a designer fills in, what a published version freezes. Its validate tags
// give the API's shape checks; CheckItem applies every rule.
type ItemContent struct {
	// Code is the item's implementation code (实施编码), unique in the catalogue.
	Code string `json:"code" validate:"required,max=64,plaintext" example:"450981-FGJ-XK-001"`
	Name string `json:"name" validate:"required,max=128,plaintext" example:"企业投资项目核准"`
	// Kind is one of ItemKinds.
	Kind string `json:"kind" validate:"required,oneof=licence confirmation payment ruling reward levy otherPower publicService" example:"licence"`
	// HandlingType is immediate or promised.
	HandlingType string `json:"handlingType" validate:"required,oneof=immediate promised" example:"promised"`
	// Theme is one of ItemThemes (主题分类), what the public finds the item under; "" for none.
	Theme string `json:"theme,omitempty" validate:"omitempty,oneof=household socialSecurity businessStartup investment realEstate marriage socialAssistance health birth employment education socialOrganisation other" example:"investment"`
	// Level is the level of government that implements the item (行使层级: 省/市/区县/乡镇), one of
	// ItemLevels (the government levels of the org tree, village excepted); "" for none.
	Level string `json:"level,omitempty" validate:"omitempty,oneof=region city county township" example:"county"`
	// DepartmentID is the competent department (主管部门), an org unit of kind department.
	DepartmentID string `json:"departmentId" validate:"required,id" example:"01jd5q3k8m0000000000000000"`
	// ImplementingBodyID is the body in whose name the item is done (实施主体):
	// a government, department, centre or station at any level; the
	// competent department when empty.
	ImplementingBodyID string     `json:"implementingBodyId,omitempty" validate:"omitempty,id"`
	ServiceObjects     []string   `json:"serviceObjects,omitempty" validate:"dive,oneof=naturalPerson legalPerson" example:"legalPerson"`
	LegalBasis         string     `json:"legalBasis" validate:"required" example:"《企业投资项目核准和备案管理条例》第三条"`
	Conditions         string     `json:"conditions,omitempty" example:"属于《政府核准的投资项目目录》范围内的企业投资项目"`
	Materials          []Material `json:"materials" validate:"max=200,dive"`
	Fees               []Fee      `json:"fees" validate:"max=50,dive"`
	// StatutoryDays and PromisedDays are the limits in working days
	// (法定/承诺办结时限); promised ≤ statutory; 0 for an immediate item's
	// promised limit.
	StatutoryDays float64 `json:"statutoryDays" validate:"min=0,max=3650" example:"20"`
	PromisedDays  float64 `json:"promisedDays" validate:"min=0,max=3650" example:"10"`
	// WarnDays is how long before the promised limit e-supervision's yellow warning fires, in
	// working days; 0 means one working day. At most the promised limit.
	WarnDays          float64            `json:"warnDays,omitempty" validate:"min=0,max=3650" example:"2"`
	SpecialProcedures []SpecialProcedure `json:"specialProcedures" validate:"max=20,dive"`
	// OnSiteVisits is how often the applicant must come (到现场次数), 0 to 5.
	OnSiteVisits int `json:"onSiteVisits" validate:"min=0,max=5" example:"1"`
	// Channels are the ways to apply: window, online, station.
	Channels  []string `json:"channels" validate:"required,min=1,dive,oneof=window online station" example:"window,online"`
	Enquiry   Contact  `json:"enquiry"`
	Complaint Contact  `json:"complaint"`
	Location  string   `json:"location,omitempty" example:"北流市政务服务中心投资项目并联审批窗口"`
	Hours     string   `json:"hours,omitempty" example:"工作日 9:00-12:00 13:30-17:30"`
	// Result names what the applicant receives (审批结果), e.g. a licence.
	Result string `json:"result,omitempty" validate:"max=128,plaintext" example:"项目核准批复文件"`
	// DefinitionKey is the flow the item runs: a standard flow
	// (std-immediate, std-promised, std-parallel, std-proxy) or a
	// published custom definition.
	DefinitionKey string `json:"definitionKey" validate:"required,max=255,plaintext" example:"std-parallel"`
	// DefinitionVersion pins a published version of the definition; 0
	// takes the latest published one when the item is published. A
	// published item version always holds the version it pinned.
	DefinitionVersion int `json:"definitionVersion" validate:"min=0" example:"0"`
	// LeadSectionID is the competent department's section that accepts,
	// decides and delivers (the candidate group ${leadSection}).
	LeadSectionID string `json:"leadSectionId" validate:"required,id" example:"01jd5q3k8m0000000000000001"`
	// CoReviewerSectionIDs are the sections of the departments that review
	// in parallel (${coReviewers}); the lead's own section may be one.
	CoReviewerSectionIDs []string `json:"coReviewerSectionIds" validate:"max=30,dive,id"`
	// StepLimits overrides the flow's per-step limits (ow:timeLimit), in
	// working days, by user task id.
	StepLimits map[string]float64 `json:"stepLimits" validate:"max=50,dive,gt=0"`
	// PublishResults marks an item whose finished cases are published (办件结果公示):
	// number, item, the applicant's name masked, result and decision date.
	PublishResults bool `json:"publishResults,omitempty" example:"true"`
}

// StepLimit returns the time limit of the flow's user task element for a
// case of this item: the item's override if it has one, else flowDays (the
// task's ow:timeLimit). Supervision counts a task's limit with it.
func (c *ItemContent) StepLimit(element string, flowDays float64) float64 {
	if d, ok := c.StepLimits[element]; ok {
		return d
	}
	return flowDays
}

// Item is a catalogue item as the designer edits it: the draft content,
// its state, and the version new cases start with.
type Item struct {
	ID string `json:"id"`
	ItemContent
	State string `json:"state" example:"published"`
	// CurrentVersion is the published version new cases start with (the
	// last one, when unpublished); 0 before the first publication.
	CurrentVersion int `json:"currentVersion"`
	// Changed says the draft differs from the current version: publish
	// again to let new cases see the changes.
	Changed   bool      `json:"changed"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedBy string    `json:"updatedBy"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// ItemVersion is a published version of an item: its content frozen with
// the definition version it runs (DefinitionVersion is never 0 here).
type ItemVersion struct {
	ItemID  string `json:"itemId"`
	Version int    `json:"version"`
	ItemContent
	PublishedBy string    `json:"publishedBy"`
	PublishedAt time.Time `json:"publishedAt"`
}

type itemRow struct {
	ID             string    `db:"id"`
	Content        JSON      `db:"content"`
	State          string    `db:"state"`
	CurrentVersion *int      `db:"current_version"`
	CurrentContent JSON      `db:"current_content"`
	CreatedBy      string    `db:"created_by"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedBy      string    `db:"updated_by"`
	UpdatedAt      time.Time `db:"updated_at"`
}

const itemSelect = `SELECT i.id, i.content, i.state, i.current_version, COALESCE(v.content, i.content) AS current_content,
	i.created_by, i.created_at, i.updated_by, i.updated_at
	FROM items i LEFT JOIN item_versions v ON v.item_id = i.id AND v.version = i.current_version`

func (r *itemRow) item() (*Item, error) {
	it := &Item{ID: r.ID, State: r.State, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal(r.Content, &it.ItemContent); err != nil {
		return nil, fmt.Errorf("item %s: decode content: %w", r.ID, err)
	}
	it.Normalize()
	if r.CurrentVersion != nil {
		it.CurrentVersion = *r.CurrentVersion
		var cur ItemContent
		if err := json.Unmarshal(r.CurrentContent, &cur); err != nil {
			return nil, fmt.Errorf("item %s: decode version %d: %w", r.ID, it.CurrentVersion, err)
		}
		cur.Normalize()
		// The version pins the definition version the draft may leave at 0.
		draft := it.ItemContent
		if draft.DefinitionVersion == 0 && draft.DefinitionKey == cur.DefinitionKey {
			draft.DefinitionVersion = cur.DefinitionVersion
		}
		it.Changed = !sameContent(&draft, &cur)
	} else {
		it.Changed = true
	}
	return it, nil
}

// Normalize gives nil lists and maps their empty value, so that content reads back the way
// it was written and compares equal, and fills in the defaults: the competent department as
// implementing body, one copy of a material.
func (c *ItemContent) Normalize() {
	if c.Materials == nil {
		c.Materials = []Material{}
	}
	if c.Fees == nil {
		c.Fees = []Fee{}
	}
	if c.SpecialProcedures == nil {
		c.SpecialProcedures = []SpecialProcedure{}
	}
	if c.Channels == nil {
		c.Channels = []string{}
	}
	if c.CoReviewerSectionIDs == nil {
		c.CoReviewerSectionIDs = []string{}
	}
	if c.StepLimits == nil {
		c.StepLimits = map[string]float64{}
	}
	if c.ServiceObjects == nil {
		c.ServiceObjects = []string{}
	}
	if c.ImplementingBodyID == "" {
		c.ImplementingBodyID = c.DepartmentID
	}
	for i := range c.Materials {
		if c.Materials[i].Count == 0 {
			c.Materials[i].Count = 1
		}
	}
}

func sameContent(a, b *ItemContent) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// GetItem returns the item with id, or ErrNotFound.
func GetItem(ctx context.Context, q Q, id string) (*Item, error) {
	var r itemRow
	if err := q.GetContext(ctx, &r, q.Rebind(itemSelect+` WHERE i.id = ?`), id); err != nil {
		return nil, classify(err, "item %s", id)
	}
	return r.item()
}

// ItemFilter selects items; zero fields match everything.
type ItemFilter struct {
	DepartmentID  string
	State         string
	Kind          string
	HandlingType  string
	DefinitionKey string
	Theme         string
	Level         string
	// Search is a substring of the code or name.
	Search string
	Limit  int // default 100
	Offset int
}

// where is f's condition on items alias i (with ? placeholders) and its arguments.
func (f ItemFilter) where() (string, []any) {
	where := []string{"1 = 1"}
	var args []any
	for _, c := range []struct{ col, v string }{
		{"i.department_id", f.DepartmentID}, {"i.state", f.State}, {"i.kind", f.Kind},
		{"i.handling_type", f.HandlingType}, {"i.definition_key", f.DefinitionKey},
		{"i.theme", f.Theme}, {"i.level", f.Level},
	} {
		if c.v != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.v)
		}
	}
	if f.Search != "" {
		where = append(where, "(i.code LIKE ? OR i.name LIKE ?)")
		s := "%" + strings.NewReplacer("%", "", "_", "").Replace(f.Search) + "%"
		args = append(args, s, s)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	return strings.Join(where, " AND ") + " ORDER BY i.code LIMIT ? OFFSET ?", append(args, limit, f.Offset)
}

// ListItems returns the items matching f, ordered by code (the unique code's index).
func ListItems(ctx context.Context, q Q, f ItemFilter) ([]Item, error) {
	where, args := f.where()
	var rows []itemRow
	if err := q.SelectContext(ctx, &rows, q.Rebind(itemSelect+" WHERE "+where), args...); err != nil {
		return nil, fmt.Errorf("list items: %w", err)
	}
	return itemsOf(rows)
}

// CreateItem stores content c (checked by the use cases, app/item_rules.go) as a new draft
// item. A code taken by another item is ErrConflict.
func CreateItem(ctx context.Context, q Q, c ItemContent, by string) (*Item, error) {
	c.Normalize()
	content, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode item %s: %w", c.Code, err)
	}
	id, now := NewID(), Now()
	_, err = q.ExecContext(ctx, q.Rebind(`INSERT INTO items (id, code, name, kind, handling_type, department_id, definition_key, theme, level,
		content, state, created_by, created_at, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?)`),
		id, c.Code, c.Name, c.Kind, c.HandlingType, c.DepartmentID, c.DefinitionKey, c.Theme, c.Level, string(content), by, now, by, now)
	if err != nil {
		if IsUniqueViolation(err) {
			return nil, fmt.Errorf("item code %q is already used: %w", c.Code, ErrConflict)
		}
		return nil, classify(err, "create item %s", c.Code)
	}
	return GetItem(ctx, q, id)
}

// UpdateItem replaces the draft content of item id with c. A published item stays published
// with its current version until it is published again. A code taken by another item is
// ErrConflict; a missing item ErrNotFound.
func UpdateItem(ctx context.Context, q Q, id string, c ItemContent, by string) (*Item, error) {
	c.Normalize()
	content, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode item %s: %w", c.Code, err)
	}
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE items SET code = ?, name = ?, kind = ?, handling_type = ?, department_id = ?,
		definition_key = ?, theme = ?, level = ?, content = ?, updated_by = ?, updated_at = ? WHERE id = ?`),
		c.Code, c.Name, c.Kind, c.HandlingType, c.DepartmentID, c.DefinitionKey, c.Theme, c.Level, string(content), by, Now(), id)
	if err != nil {
		if IsUniqueViolation(err) {
			return nil, fmt.Errorf("item code %q is already used: %w", c.Code, ErrConflict)
		}
		return nil, classify(err, "update item %s", id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, fmt.Errorf("item %s: %w", id, ErrNotFound)
	}
	return GetItem(ctx, q, id)
}

// ItemGrantCount counts the delegation grants that name item id.
func ItemGrantCount(ctx context.Context, q Q, id string) (int, error) {
	var n int
	if err := q.GetContext(ctx, &n, q.Rebind(`SELECT COUNT(*) FROM delegation_grant_items WHERE item_id = ?`), id); err != nil {
		return 0, fmt.Errorf("grants of item %s: %w", id, err)
	}
	return n, nil
}

// DeleteItem deletes the draft item id; a published one (it has versions) is ErrConflict.
func DeleteItem(ctx context.Context, q Q, id string) error {
	res, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM items WHERE id = ? AND state = 'draft'`), id)
	if err != nil {
		return classify(err, "delete item %s", id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := GetItem(ctx, q, id); err != nil {
			return err
		}
		return fmt.Errorf("item %s has published versions: %w", id, ErrConflict)
	}
	return nil
}

// UnpublishItem stops new cases of item id; running cases go on with their version. An
// item that is not published (any more) is ErrConflict.
func UnpublishItem(ctx context.Context, q Q, id, by string) (*Item, error) {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE items SET state = 'unpublished', updated_by = ?, updated_at = ? WHERE id = ? AND state = 'published'`),
		by, Now(), id)
	if err != nil {
		return nil, classify(err, "unpublish item %s", id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		it, err := GetItem(ctx, q, id)
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("item %s is %s, not published: %w", it.Code, it.State, ErrConflict)
	}
	return GetItem(ctx, q, id)
}

// AllItems lists every item (in states, when given), ordered by code: what the ownership of
// step kinds is computed over.
func AllItems(ctx context.Context, q Q, states []string) ([]Item, error) {
	query := itemSelect
	var args []any
	if len(states) > 0 {
		var err error
		query, args, err = sqlx.In(query+` WHERE i.state IN (?)`, states)
		if err != nil {
			return nil, err
		}
	}
	var rows []itemRow
	if err := q.SelectContext(ctx, &rows, q.Rebind(query+` ORDER BY i.code`), args...); err != nil {
		return nil, fmt.Errorf("items: %w", err)
	}
	return itemsOf(rows)
}

func itemsOf(rows []itemRow) ([]Item, error) { return decodeEach(rows, (*itemRow).item) }

// decodeEach decodes each of rows with decode.
func decodeEach[R, T any](rows []R, decode func(*R) (*T, error)) ([]T, error) {
	out := make([]T, 0, len(rows))
	for i := range rows {
		v, err := decode(&rows[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}
