package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions"
	"onewindow/definitions/standard"
	"onewindow/engine/machine"
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
	// ItemStates lists the item states.
	ItemStates = []string{ItemDraft, ItemPublished, ItemUnpublished}
)

// Material is one required material of an item (申请材料).
type Material struct {
	// Code identifies the material within its item; notices and
	// supplements name materials by it.
	Code string `json:"code" validate:"required,max=32" example:"M01"`
	Name string `json:"name" validate:"required,max=128" example:"营业执照申请书"`
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
	Name     string `json:"name" validate:"required" example:"工本费"`
	Standard string `json:"standard" validate:"required" example:"每证10元"`
	Basis    string `json:"basis,omitempty" example:"桂价费〔2012〕1号"`
}

// SpecialProcedure is a procedure whose time does not count toward the
// item's limits (特别程序: hearing, expert review, on-site survey, public
// notice, ...).
type SpecialProcedure struct {
	Name string `json:"name" validate:"required" example:"专家评审"`
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
	Code string `json:"code" validate:"required,max=64" example:"450981-FGJ-XK-001"`
	Name string `json:"name" validate:"required,max=128" example:"企业投资项目核准"`
	// Kind is one of ItemKinds.
	Kind string `json:"kind" validate:"required,oneof=licence confirmation payment ruling reward levy otherPower publicService" example:"licence"`
	// HandlingType is immediate or promised.
	HandlingType string `json:"handlingType" validate:"required,oneof=immediate promised" example:"promised"`
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
	Result string `json:"result,omitempty" example:"项目核准批复文件"`
	// DefinitionKey is the flow the item runs: a standard flow
	// (std-immediate, std-promised, std-parallel, std-proxy) or a
	// published custom definition.
	DefinitionKey string `json:"definitionKey" validate:"required,max=255" example:"std-parallel"`
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
	it.normalize()
	if r.CurrentVersion != nil {
		it.CurrentVersion = *r.CurrentVersion
		var cur ItemContent
		if err := json.Unmarshal(r.CurrentContent, &cur); err != nil {
			return nil, fmt.Errorf("item %s: decode version %d: %w", r.ID, it.CurrentVersion, err)
		}
		cur.normalize()
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

// normalize gives nil lists and maps their empty value, so that content
// reads back the way it was written and compares equal.
func (c *ItemContent) normalize() {
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
}

func sameContent(a, b *ItemContent) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

var (
	itemCodeRE     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	materialCodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)
)

// CheckItem checks an item's content against the catalogue's rules and the
// database (org units, the definition it runs) and normalises it: it fills
// in ImplementingBodyID (the department) and material counts of 0 (1). A
// broken rule is an *InvalidError naming the field by its JSON path, e.g.
// "materials[2].code", "promisedDays", "definitionKey".
func CheckItem(ctx context.Context, q Q, c *ItemContent) error {
	c.normalize()
	c.Code, c.Name = strings.TrimSpace(c.Code), strings.TrimSpace(c.Name)
	if !itemCodeRE.MatchString(c.Code) {
		return Invalid("code", "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	if c.Name == "" || len([]rune(c.Name)) > 128 {
		return Invalid("name", "is required, at most 128 characters")
	}
	if !slices.Contains(ItemKinds, c.Kind) {
		return Invalid("kind", "must be one of %s", strings.Join(ItemKinds, ", "))
	}
	if !slices.Contains(HandlingTypes, c.HandlingType) {
		return Invalid("handlingType", "must be immediate or promised")
	}
	for i, o := range c.ServiceObjects {
		if !slices.Contains(ServiceObjects, o) {
			return Invalid(fmt.Sprintf("serviceObjects[%d]", i), "must be one of %s", strings.Join(ServiceObjects, ", "))
		}
	}
	if strings.TrimSpace(c.LegalBasis) == "" {
		return Invalid("legalBasis", "is required: the law or regulation that sets up the item")
	}

	// Time limits.
	if c.StatutoryDays < 0 || c.PromisedDays < 0 {
		field := "statutoryDays"
		if c.PromisedDays < 0 {
			field = "promisedDays"
		}
		return Invalid(field, "cannot be negative")
	}
	if c.PromisedDays > c.StatutoryDays {
		return Invalid("promisedDays", "the promised limit (%g working days) is longer than the statutory limit (%g working days)", c.PromisedDays, c.StatutoryDays)
	}
	if c.HandlingType == HandlingImmediate && c.PromisedDays != 0 {
		return Invalid("promisedDays", "an immediate item is done on the spot: its promised limit is 0, not %g", c.PromisedDays)
	}
	if c.HandlingType == HandlingPromised && c.PromisedDays <= 0 {
		return Invalid("promisedDays", "a promised item needs a promised limit of more than 0 working days")
	}
	if c.WarnDays > c.PromisedDays {
		return Invalid("warnDays", "the warning (%g working days before the limit) would come before the promised limit of %g working days starts", c.WarnDays, c.PromisedDays)
	}
	for i, p := range c.SpecialProcedures {
		if strings.TrimSpace(p.Name) == "" {
			return Invalid(fmt.Sprintf("specialProcedures[%d].name", i), "is required")
		}
		if p.LimitDays < 0 {
			return Invalid(fmt.Sprintf("specialProcedures[%d].limitDays", i), "cannot be negative")
		}
	}
	if c.OnSiteVisits < 0 || c.OnSiteVisits > 5 {
		return Invalid("onSiteVisits", "must be from 0 to 5")
	}

	// Materials: codes unique within the item.
	seen := map[string]int{}
	for i := range c.Materials {
		m := &c.Materials[i]
		f := fmt.Sprintf("materials[%d].", i)
		m.Code, m.Name = strings.TrimSpace(m.Code), strings.TrimSpace(m.Name)
		if !materialCodeRE.MatchString(m.Code) {
			return Invalid(f+"code", "must be 1-32 letters, digits, '.', '_' or '-', starting with a letter or digit")
		}
		if j, dup := seen[m.Code]; dup {
			return Invalid(f+"code", "duplicate material code %q (materials[%d] has it too)", m.Code, j)
		}
		seen[m.Code] = i
		if m.Name == "" {
			return Invalid(f+"name", "is required")
		}
		if !slices.Contains(MaterialForms, m.Form) {
			return Invalid(f+"form", "must be one of %s", strings.Join(MaterialForms, ", "))
		}
		if m.Count == 0 {
			m.Count = 1
		}
		if m.Count < 1 || m.Count > 99 {
			return Invalid(f+"count", "must be from 1 to 99")
		}
		if !slices.Contains(Requirements, m.Requirement) {
			return Invalid(f+"requirement", "must be required or conditional")
		}
		if m.Requirement == RequirementConditional && strings.TrimSpace(m.Condition) == "" {
			return Invalid(f+"condition", "a conditional material says when it is required")
		}
	}
	for i, fee := range c.Fees {
		if strings.TrimSpace(fee.Name) == "" || strings.TrimSpace(fee.Standard) == "" {
			return Invalid(fmt.Sprintf("fees[%d]", i), "a fee needs a name and a standard")
		}
	}

	// Channels and contacts.
	if len(c.Channels) == 0 {
		return Invalid("channels", "name at least one of %s", strings.Join(Channels, ", "))
	}
	for i, ch := range c.Channels {
		if !slices.Contains(Channels, ch) {
			return Invalid(fmt.Sprintf("channels[%d]", i), "must be one of %s", strings.Join(Channels, ", "))
		}
		if slices.Index(c.Channels, ch) != i {
			return Invalid(fmt.Sprintf("channels[%d]", i), "%s is listed twice", ch)
		}
	}
	if strings.TrimSpace(c.Enquiry.Phone) == "" {
		return Invalid("enquiry.phone", "is required: where applicants enquire")
	}
	if strings.TrimSpace(c.Complaint.Phone) == "" {
		return Invalid("complaint.phone", "is required: where applicants complain")
	}

	// Org units.
	dept, err := unitOfKind(ctx, q, "departmentId", c.DepartmentID, KindDepartment)
	if err != nil {
		return err
	}
	if c.ImplementingBodyID == "" {
		c.ImplementingBodyID = c.DepartmentID
	}
	if _, err := unitOfKind(ctx, q, "implementingBodyId", c.ImplementingBodyID, KindGovernment, KindDepartment, KindCentre, KindStation); err != nil {
		return err
	}
	lead, err := unitOfKind(ctx, q, "leadSectionId", c.LeadSectionID, KindSection)
	if err != nil {
		return err
	}
	if lead.ParentID != dept.ID {
		return Invalid("leadSectionId", "%s (%s) is not a section of the competent department %s", lead.Name, lead.Code, dept.Name)
	}
	for i, id := range c.CoReviewerSectionIDs {
		f := fmt.Sprintf("coReviewerSectionIds[%d]", i)
		if _, err := unitOfKind(ctx, q, f, id, KindSection); err != nil {
			return err
		}
		if slices.Index(c.CoReviewerSectionIDs, id) != i {
			return Invalid(f, "section %s is listed twice", id)
		}
	}

	// The flow: a published definition, and what the standard flows need.
	if err := checkItemFlow(ctx, q, c); err != nil {
		return err
	}
	return nil
}

// unitOfKind loads org unit id for field and checks its kind.
func unitOfKind(ctx context.Context, q Q, field, id string, kinds ...string) (*OrgUnit, error) {
	if id == "" {
		return nil, Invalid(field, "is required")
	}
	u, err := GetOrgUnit(ctx, q, id)
	if errors.Is(err, ErrNotFound) {
		return nil, Invalid(field, "org unit %q does not exist", id)
	}
	if err != nil {
		return nil, err
	}
	if !slices.Contains(kinds, u.Kind) {
		return nil, Invalid(field, "%s (%s) is a %s, not a %s", u.Name, u.Code, u.Kind, strings.Join(kinds, " or "))
	}
	return u, nil
}

func checkItemFlow(ctx context.Context, q Q, c *ItemContent) error {
	if c.DefinitionKey == "" {
		return Invalid("definitionKey", "is required: a standard flow (%s) or a published definition", strings.Join(standardKeys(), ", "))
	}
	if c.DefinitionVersion < 0 {
		return Invalid("definitionVersion", "cannot be negative")
	}
	fc := newFlowCache()
	p, _, err := fc.process(ctx, q, c.DefinitionKey, c.DefinitionVersion)
	if err != nil {
		return err
	}
	if f, ok := standard.Get(c.DefinitionKey); ok {
		if c.HandlingType != f.HandlingType {
			return Invalid("handlingType", "the standard flow %s is for %s items, not %s ones", f.Key, f.HandlingType, c.HandlingType)
		}
		switch f.Key {
		case standard.Parallel:
			if len(c.CoReviewerSectionIDs) < 2 {
				return Invalid("coReviewerSectionIds", "parallel approval needs the sections of at least two co-reviewing departments")
			}
		default:
			if len(c.CoReviewerSectionIDs) > 0 {
				return Invalid("coReviewerSectionIds", "the standard flow %s has no parallel review; co-reviewers are for %s", f.Key, standard.Parallel)
			}
		}
		if f.Key == standard.Proxy && !slices.Contains(c.Channels, ChannelStation) {
			return Invalid("channels", "the village proxy flow %s needs the channel station", f.Key)
		}
	}
	// Step limits name user tasks of the flow.
	tasks := map[string]bool{}
	var names []string
	for _, n := range p.Nodes {
		if n.Kind == definitions.UserTask {
			tasks[n.ID] = true
			names = append(names, n.ID)
		}
	}
	for _, el := range slices.Sorted(maps.Keys(c.StepLimits)) {
		d := c.StepLimits[el]
		f := "stepLimits." + el
		if !tasks[el] {
			return Invalid(f, "the flow %s has no user task %q (its tasks: %s)", c.DefinitionKey, el, strings.Join(names, ", "))
		}
		if d <= 0 {
			return Invalid(f, "must be more than 0 working days")
		}
		if c.PromisedDays > 0 && d > c.PromisedDays {
			return Invalid(f, "%g working days exceed the item's promised limit of %g", d, c.PromisedDays)
		}
	}
	// Every candidate group of the flow can be resolved from the start
	// variables the item provides (a custom flow may read a variable no
	// item sets).
	vars := previewVars(c)
	for _, n := range p.Nodes {
		if n.Kind != definitions.UserTask || n.Assignment == nil {
			continue
		}
		if _, err := taskGroups(n, vars); err != nil {
			return Invalid("definitionKey", "task %s of %s: its candidate groups cannot be resolved from an item's start variables (docs/standard-flows.md): %v",
				n.ID, c.DefinitionKey, err)
		}
	}
	return nil
}

func standardKeys() []string {
	var out []string
	for _, f := range standard.Flows() {
		out = append(out, f.Key)
	}
	return out
}

// flowCache keeps parsed processes by definition key and version, and org
// unit codes by id, during one operation over many items.
type flowCache struct {
	procs    map[string]*definitions.Process // by key and version
	resolved map[string]int                  // key and version asked (0: latest published) → version
	codes    map[string]string
}

func newFlowCache() *flowCache {
	return &flowCache{procs: map[string]*definitions.Process{}, resolved: map[string]int{}, codes: map[string]string{}}
}

// process returns the executable process of version of key (0: the latest
// published) and the version it resolved to. A definition that is missing
// or not published is an *InvalidError on definitionKey or definitionVersion.
func (fc *flowCache) process(ctx context.Context, q Q, key string, version int) (*definitions.Process, int, error) {
	asked := fmt.Sprintf("%s\x00%d", key, version)
	if r, ok := fc.resolved[asked]; ok {
		return fc.procs[fmt.Sprintf("%s\x00%d", key, r)], r, nil
	}
	d, err := GetDefinition(ctx, q, key, version)
	switch {
	case errors.Is(err, ErrNotFound) && version == 0:
		if _, e2 := GetDefinition(ctx, q, key, 1); e2 == nil {
			return nil, 0, Invalid("definitionKey", "definition %q has no published version: publish it before binding an item to it", key)
		}
		return nil, 0, Invalid("definitionKey", "there is no definition %q (the standard flows are %s)", key, strings.Join(standardKeys(), ", "))
	case errors.Is(err, ErrNotFound):
		return nil, 0, Invalid("definitionVersion", "definition %q has no version %d", key, version)
	case err != nil:
		return nil, 0, err
	}
	if d.State != DefinitionPublished {
		return nil, 0, Invalid("definitionVersion", "version %d of definition %q is a draft: publish it before binding an item to it", d.Version, key)
	}
	ck := fmt.Sprintf("%s\x00%d", key, d.Version)
	if p := fc.procs[ck]; p != nil {
		fc.resolved[asked] = d.Version
		return p, d.Version, nil
	}
	p, err := parsedProcess(d)
	if err != nil {
		return nil, 0, err
	}
	fc.procs[ck] = p
	fc.resolved[asked] = d.Version
	return p, d.Version, nil
}

// parsed keeps parsed processes by content hash and key: published
// definitions never change, so a hash names one process forever.
var parsed sync.Map

// parsedProcess parses the executable process of d, once per content. The
// result is shared: callers must not change it.
func parsedProcess(d *DefinitionVersion) (*definitions.Process, error) {
	ck := d.Hash + "\x00" + d.Key
	if p, ok := parsed.Load(ck); ok {
		return p.(*definitions.Process), nil
	}
	defs, problems, err := definitions.Parse(d.XML)
	if err != nil || definitions.HasErrors(problems) {
		return nil, fmt.Errorf("definition %s v%d does not parse: %v %v", d.Key, d.Version, err, problems)
	}
	p, problems := definitions.ExecutableProcess(defs, d.Key)
	if p == nil {
		return nil, fmt.Errorf("definition %s v%d: %v", d.Key, d.Version, problems)
	}
	p.Index()
	parsed.Store(ck, p)
	return p, nil
}

// previewVars are start variables for checking a flow against an item
// before any case: org units by id (codes are resolved at case start).
func previewVars(c *ItemContent) map[string]any {
	co := make([]any, len(c.CoReviewerSectionIDs))
	for i, id := range c.CoReviewerSectionIDs {
		co[i] = id
	}
	return startVars(c, "", 0, map[string]string{}, co, CaseStart{Channel: ChannelWindow}, "")
}

// taskGroups resolves the candidate groups of user task n over vars, as
// the engine will when it creates the task (every instance of a
// multi-instance task).
func taskGroups(n *definitions.Node, vars map[string]any) ([]string, error) {
	return machine.CandidateGroups(n, vars)
}

// ItemStep is one user task of an item's flow as a case of the item will
// see it.
type ItemStep struct {
	Element string `json:"element" example:"acceptance"`
	Name    string `json:"name" example:"受理"`
	// Kind is the task's ow:stepKind ("" when it has none).
	Kind string `json:"kind" example:"acceptance"`
	// LimitDays is the step's limit: the item's override or the flow's ow:timeLimit.
	LimitDays float64 `json:"limitDays" example:"1"`
	// Groups are the task's candidate groups (org unit codes) for a case of
	// the item; groups that depend on the case (a station) are missing.
	Groups []string `json:"groups" example:"fgj-xzsp"`
	// MultiInstance marks one task per group (a countersign).
	MultiInstance bool `json:"multiInstance"`
}

// ItemSteps lists the user tasks of the flow c runs (its pinned definition
// version, or the latest published one) with the candidate groups they get
// from c's start variables, in document order.
func ItemSteps(ctx context.Context, q Q, c *ItemContent) ([]ItemStep, error) {
	return itemSteps(ctx, q, newFlowCache(), c)
}

func itemSteps(ctx context.Context, q Q, fc *flowCache, c *ItemContent) ([]ItemStep, error) {
	p, _, err := fc.process(ctx, q, c.DefinitionKey, c.DefinitionVersion)
	if err != nil {
		return nil, err
	}
	codes, err := fc.unitCodes(ctx, q, append([]string{c.DepartmentID, c.ImplementingBodyID, c.LeadSectionID}, c.CoReviewerSectionIDs...))
	if err != nil {
		return nil, err
	}
	co := make([]any, len(c.CoReviewerSectionIDs))
	for i, id := range c.CoReviewerSectionIDs {
		co[i] = codes[id]
	}
	vars := startVars(c, "", 0, codes, co, CaseStart{Channel: ChannelWindow}, "")
	out := []ItemStep{}
	for _, n := range p.Nodes {
		if n.Kind != definitions.UserTask {
			continue
		}
		s := ItemStep{Element: n.ID, Name: n.Name, Groups: []string{}, MultiInstance: n.Loop != nil && n.Loop.MultiInstance}
		var flowDays float64
		if n.Step != nil {
			s.Kind, flowDays = n.Step.Kind, n.Step.LimitDays
		}
		s.LimitDays = c.StepLimit(n.ID, flowDays)
		if g, err := taskGroups(n, vars); err == nil && g != nil {
			s.Groups = g
		}
		out = append(out, s)
	}
	return out, nil
}

// unitCodes maps org unit ids to their codes ("" ids are skipped).
func (fc *flowCache) unitCodes(ctx context.Context, q Q, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		if id == "" || out[id] != "" {
			continue
		}
		if code, ok := fc.codes[id]; ok {
			out[id] = code
			continue
		}
		u, err := GetOrgUnit(ctx, q, id)
		if err != nil {
			return nil, fmt.Errorf("org unit of an item: %w", err)
		}
		out[id], fc.codes[id] = u.Code, u.Code
	}
	return out, nil
}

// CreateItem checks c and stores it as a new draft item.
func CreateItem(ctx context.Context, q Q, c ItemContent, by string) (*Item, error) {
	if err := CheckItem(ctx, q, &c); err != nil {
		return nil, err
	}
	content, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode item %s: %w", c.Code, err)
	}
	id, now := NewID(), Now()
	_, err = q.ExecContext(ctx, q.Rebind(`INSERT INTO items (id, code, name, kind, handling_type, department_id, definition_key, content,
		state, created_by, created_at, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?)`),
		id, c.Code, c.Name, c.Kind, c.HandlingType, c.DepartmentID, c.DefinitionKey, string(content), by, now, by, now)
	if err != nil {
		if IsUniqueViolation(err) {
			return nil, fmt.Errorf("item code %q is already used: %w", c.Code, ErrConflict)
		}
		return nil, classify(err, "create item %s", c.Code)
	}
	return GetItem(ctx, q, id)
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
	// Search is a substring of the code or name.
	Search string
	Limit  int // default 100
	Offset int
}

// ListItems returns the items matching f, ordered by code.
func ListItems(ctx context.Context, q Q, f ItemFilter) ([]Item, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, v string }{
		{"i.department_id", f.DepartmentID}, {"i.state", f.State}, {"i.kind", f.Kind},
		{"i.handling_type", f.HandlingType}, {"i.definition_key", f.DefinitionKey},
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
	query := itemSelect
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	query += " ORDER BY i.code LIMIT ? OFFSET ?"
	args = append(args, f.Limit, f.Offset)
	var rows []itemRow
	if err := q.SelectContext(ctx, &rows, q.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("list items: %w", err)
	}
	out := make([]Item, 0, len(rows))
	for i := range rows {
		it, err := rows[i].item()
		if err != nil {
			return nil, err
		}
		out = append(out, *it)
	}
	return out, nil
}

// UpdateItem replaces the draft content of item id. A published item stays
// published with its current version until it is published again.
func UpdateItem(ctx context.Context, q Q, id string, c ItemContent, by string) (*Item, error) {
	if _, err := GetItem(ctx, q, id); err != nil {
		return nil, err
	}
	if err := CheckItem(ctx, q, &c); err != nil {
		return nil, err
	}
	content, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode item %s: %w", c.Code, err)
	}
	_, err = q.ExecContext(ctx, q.Rebind(`UPDATE items SET code = ?, name = ?, kind = ?, handling_type = ?, department_id = ?,
		definition_key = ?, content = ?, updated_by = ?, updated_at = ? WHERE id = ?`),
		c.Code, c.Name, c.Kind, c.HandlingType, c.DepartmentID, c.DefinitionKey, string(content), by, Now(), id)
	if err != nil {
		if IsUniqueViolation(err) {
			return nil, fmt.Errorf("item code %q is already used: %w", c.Code, ErrConflict)
		}
		return nil, classify(err, "update item %s", id)
	}
	return GetItem(ctx, q, id)
}

// DeleteItem deletes a draft item that was never published and that no
// grant names. A published item is unpublished instead (its versions stay
// for the cases that ran them): ErrConflict.
func DeleteItem(ctx context.Context, q Q, id string) error {
	it, err := GetItem(ctx, q, id)
	if err != nil {
		return err
	}
	if it.State != ItemDraft {
		return fmt.Errorf("item %s has published versions; unpublish it instead: %w", it.Code, ErrConflict)
	}
	var n int
	if err := q.GetContext(ctx, &n, q.Rebind(`SELECT COUNT(*) FROM delegation_grant_items WHERE item_id = ?`), id); err != nil {
		return fmt.Errorf("grants of item %s: %w", id, err)
	}
	if n > 0 {
		return fmt.Errorf("item %s is named by %d delegation grant(s); change or revoke them first: %w", it.Code, n, ErrConflict)
	}
	if _, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM items WHERE id = ?`), id); err != nil {
		return classify(err, "delete item %s", id)
	}
	return nil
}

// PublishItem checks the draft of item id again, pins the definition
// version it runs (its DefinitionVersion, or the latest published one) and
// makes it the version new cases start with. Publishing a draft equal to
// the current version (after an unpublish, say) reuses that version. Run it
// in a Tx.
func PublishItem(ctx context.Context, q Q, id, by string) (*ItemVersion, error) {
	it, err := GetItem(ctx, q, id)
	if err != nil {
		return nil, err
	}
	c := it.ItemContent
	if err := CheckItem(ctx, q, &c); err != nil {
		return nil, err
	}
	_, v, err := newFlowCache().process(ctx, q, c.DefinitionKey, c.DefinitionVersion)
	if err != nil {
		return nil, err
	}
	c.DefinitionVersion = v
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
			content, published_by, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			id, version, c.Code, c.Name, c.DefinitionKey, c.DefinitionVersion, string(content), by, Now())
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

// UnpublishItem stops new cases of item id; running cases go on with their
// version. Unpublishing an item that is not published is ErrConflict.
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
	v.normalize()
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

// ListItemVersions returns the published versions of item itemID, newest first.
func ListItemVersions(ctx context.Context, q Q, itemID string) ([]ItemVersion, error) {
	var rows []itemVersionRow
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT item_id, version, content, published_by, published_at FROM item_versions
		WHERE item_id = ? ORDER BY version DESC`), itemID)
	if err != nil {
		return nil, fmt.Errorf("versions of item %s: %w", itemID, err)
	}
	out := make([]ItemVersion, 0, len(rows))
	for i := range rows {
		v, err := rows[i].version()
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
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

// CaseStart is what a new case adds to its item version's start variables.
type CaseStart struct {
	// Channel is how the application came in: window, online or station.
	Channel string
	// ApplicantID is the applicant's user id ("" for a walk-in applicant
	// without an account); ApplicantName their name.
	ApplicantID   string
	ApplicantName string
	// StationID is the station where a proxy agent submitted (channel
	// station), and AgentID the agent's user id.
	StationID string
	AgentID   string
}

// StartVariables turns an item version and a new case's applicant and
// channel into the start variables of the item's flow (documented in
// docs/standard-flows.md). Org units are given by their current codes, the
// candidate groups of the flow's tasks. A channel the item does not offer,
// or a station submission without a station, is an *InvalidError.
func StartVariables(ctx context.Context, q Q, iv *ItemVersion, in CaseStart) (map[string]any, error) {
	if !slices.Contains(Channels, in.Channel) {
		return nil, Invalid("channel", "must be one of %s", strings.Join(Channels, ", "))
	}
	if !slices.Contains(iv.Channels, in.Channel) {
		return nil, Invalid("channel", "item %s is not offered through the channel %s (it is through %s)", iv.Code, in.Channel, strings.Join(iv.Channels, ", "))
	}
	stationCode := ""
	if in.Channel == ChannelStation || in.StationID != "" {
		st, err := unitOfKind(ctx, q, "stationId", in.StationID, KindStation)
		if err != nil {
			return nil, err
		}
		stationCode = st.Code
	}
	codes, err := newFlowCache().unitCodes(ctx, q, append([]string{iv.DepartmentID, iv.ImplementingBodyID, iv.LeadSectionID}, iv.CoReviewerSectionIDs...))
	if err != nil {
		return nil, err
	}
	co := make([]any, len(iv.CoReviewerSectionIDs))
	for i, id := range iv.CoReviewerSectionIDs {
		co[i] = codes[id]
	}
	return startVars(&iv.ItemContent, iv.ItemID, iv.Version, codes, co, in, stationCode), nil
}

// startVars builds the start variables; numbers are float64, as they come
// back from JSON.
func startVars(c *ItemContent, itemID string, version int, codes map[string]string, coReviewers []any, in CaseStart, station string) map[string]any {
	code := func(id string) string {
		if s, ok := codes[id]; ok {
			return s
		}
		return id
	}
	limits := map[string]any{}
	for k, v := range c.StepLimits {
		limits[k] = v
	}
	return map[string]any{
		"itemId":           itemID,
		"itemCode":         c.Code,
		"itemName":         c.Name,
		"itemVersion":      float64(version),
		"itemKind":         c.Kind,
		"handlingType":     c.HandlingType,
		"department":       code(c.DepartmentID),
		"implementingBody": code(c.ImplementingBodyID),
		"leadSection":      code(c.LeadSectionID),
		"coReviewers":      coReviewers,
		"statutoryDays":    c.StatutoryDays,
		"promisedDays":     c.PromisedDays,
		"stepLimits":       limits,
		"onSiteVisits":     float64(c.OnSiteVisits),
		"channel":          in.Channel,
		"applicant":        in.ApplicantID,
		"applicantName":    in.ApplicantName,
		"station":          station,
		"agent":            in.AgentID,
	}
}

// StartVariableNames lists the start variables StartVariables sets, sorted.
func StartVariableNames() []string {
	v := startVars(&ItemContent{}, "", 0, nil, nil, CaseStart{}, "")
	names := slices.Collect(maps.Keys(v))
	sort.Strings(names)
	return names
}

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
