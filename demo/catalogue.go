package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/app"
	"onewindow/definitions/standard"
	"onewindow/store"
)

// Item is a demo catalogue item: its content-information table with org
// units named by code.
type Item struct {
	Code, Name, Kind, HandlingType string
	// Department is the competent department's code; its section leads.
	Department string
	// CoReviewers are the codes of the departments reviewing in parallel.
	CoReviewers []string
	Flow        string
	LegalBasis  string
	Conditions  string
	Result      string
	Statutory   float64
	Promised    float64
	Visits      int
	Channels    []string
	Materials   []store.Material
	Fees        []store.Fee
	Special     []store.SpecialProcedure
	// DepartmentDecides keeps approval and certification with the
	// department (not delegated to the windows).
	DepartmentDecides bool
}

// themes is each demo item's theme (主题分类), by code: what the portal's catalogue finds it under.
var themes = map[string]string{
	"450981-FGJ-XK-001": store.ThemeInvestment, "450981-FGJ-QT-002": store.ThemeInvestment, InvestmentItem: store.ThemeInvestment,
	"450981-FGJ-XK-003": store.ThemeInvestment, "450981-ZJJ-XK-001": store.ThemeInvestment, "450981-ZJJ-XK-002": store.ThemeRealEstate,
	"450981-ZJJ-QT-003": store.ThemeInvestment, "450981-ZRZYJ-XK-001": store.ThemeInvestment, "450981-ZRZYJ-QR-002": store.ThemeRealEstate,
	"450981-ZRZYJ-XK-003": store.ThemeRealEstate, "450981-SCJGJ-XK-001": store.ThemeBusinessStartup,
	"450981-SCJGJ-XK-002": store.ThemeBusinessStartup, "450981-SCJGJ-XK-003": store.ThemeBusinessStartup,
	"450981-GAJ-XK-001": store.ThemeHousehold, "450981-GAJ-GG-002": store.ThemeHousehold, "450981-MZJ-QR-001": store.ThemeMarriage,
	"450981-MZJ-JF-002": store.ThemeSocialAssistance, "450981-MZJ-XK-003": store.ThemeSocialOrganisation,
	"450981-RSJ-JF-001": store.ThemeSocialSecurity, "450981-RSJ-GG-002": store.ThemeSocialSecurity, "450981-WJJ-XK-001": store.ThemeHealth,
	"450981-WJJ-XK-002": store.ThemeHealth, "450981-WJJ-GG-003": store.ThemeBirth,
}

// levelOf is the level of government that implements a demo item: the county's departments,
// except the items run through the village proxy flow, which the townships' stations take in and
// review first (乡镇初审).
func levelOf(it Item) string {
	if it.Flow == standard.Proxy {
		return store.LevelTownship
	}
	return store.LevelCounty
}

// ComplaintPhone is the centre's e-supervision hotline, every item's complaint contact.
const ComplaintPhone = "0775-6812345"

func m(code, name, form string, count int) store.Material {
	return store.Material{Code: code, Name: name, Form: form, Count: count, Requirement: store.RequirementRequired}
}

func cond(code, name, form, condition string) store.Material {
	return store.Material{Code: code, Name: name, Form: form, Count: 1, Requirement: store.RequirementConditional, Condition: condition}
}

const (
	orig = store.MaterialOriginal
	cp   = store.MaterialCopy
	both = store.MaterialOriginalAndCopy
)

var (
	windowOnline  = []string{store.ChannelWindow, store.ChannelOnline}
	allChannels   = []string{store.ChannelWindow, store.ChannelOnline, store.ChannelStation}
	windowStation = []string{store.ChannelWindow, store.ChannelStation}
	idCard        = m("SFZ", "申请人身份证", both, 1)
	licence       = m("YYZZ", "营业执照", cp, 1)
	proxy         = cond("WTS", "授权委托书及受托人身份证", orig, "委托他人代办的")
)

// Items returns the demo catalogue: 23 items of the eight departments, three
// of them parallel approvals by three departments, one a parallel approval whose
// departments a decision table picks (InvestmentItem), and two run through the village
// proxy flow.
func Items() []Item {
	return []Item{
		// 发展和改革局
		{Code: "450981-FGJ-XK-001", Name: "企业投资项目核准", Kind: store.ItemLicence, HandlingType: store.HandlingPromised,
			Department: "fgj", CoReviewers: []string{"fgj", "zrzyj", "zjj"}, Flow: standard.Parallel,
			LegalBasis: "《企业投资项目核准和备案管理条例》（国务院令第673号）第三条、第九条",
			Conditions: "属于《政府核准的投资项目目录》范围内、由县级核准的企业投资项目", Result: "项目核准批复文件",
			Statutory: 20, Promised: 10, Visits: 1, Channels: windowOnline, DepartmentDecides: true,
			Materials: []store.Material{m("M01", "项目核准申请书", orig, 1), m("M02", "项目申请报告", orig, 2),
				m("M03", "用地预审与选址意见书", cp, 1), licence, proxy},
			Special: []store.SpecialProcedure{{Name: "专家评审", LimitDays: 15, Basis: "《企业投资项目核准和备案管理条例》第十条"}}},
		{Code: "450981-FGJ-QT-002", Name: "企业投资项目备案", Kind: store.ItemOtherPower, HandlingType: store.HandlingImmediate,
			Department: "fgj", Flow: standard.Immediate, LegalBasis: "《企业投资项目核准和备案管理条例》第十三条",
			Conditions: "实行备案管理的企业投资项目", Result: "项目备案证明", Channels: windowOnline,
			Materials: []store.Material{m("M01", "项目备案信息表", orig, 1), licence}},
		{Code: InvestmentItem, Name: "政府投资项目可行性研究报告审批", Kind: store.ItemLicence, HandlingType: store.HandlingPromised,
			Department: "fgj", Flow: InvestmentFlow,
			LegalBasis: "《政府投资条例》（国务院令第712号）第九条、第十一条",
			Conditions: "由本级政府投资、列入年度投资计划的项目；会审部门由决策表按申请表的项目类别和总投资确定",
			Result:     "可行性研究报告批复", Statutory: 20, Promised: 12, Visits: 1, Channels: windowOnline,
			Materials: []store.Material{m("M01", "可行性研究报告审批申请文件", orig, 1), m("M02", "项目可行性研究报告", orig, 2), licence}},
		{Code: "450981-FGJ-XK-003", Name: "固定资产投资项目节能审查", Kind: store.ItemLicence, HandlingType: store.HandlingPromised,
			Department: "fgj", Flow: standard.Promised, LegalBasis: "《中华人民共和国节约能源法》第十五条；《固定资产投资项目节能审查办法》",
			Result: "节能审查意见", Statutory: 20, Promised: 12, Visits: 1, Channels: windowOnline,
			Materials: []store.Material{m("M01", "节能审查申请函", orig, 1), m("M02", "节能报告", orig, 2), licence}},
		// 住房和城乡建设局
		{Code: "450981-ZJJ-XK-001", Name: "建筑工程施工许可证核发", Kind: store.ItemLicence, HandlingType: store.HandlingPromised,
			Department: "zjj", CoReviewers: []string{"zjj", "zrzyj", "rsj"}, Flow: standard.Parallel,
			LegalBasis: "《中华人民共和国建筑法》第七条、第八条", Conditions: "工程投资额在30万元以上或建筑面积在300平方米以上的房屋建筑工程",
			Result: "建筑工程施工许可证", Statutory: 7, Promised: 5, Visits: 1, Channels: windowOnline, DepartmentDecides: true,
			Materials: []store.Material{m("M01", "建筑工程施工许可申请表", orig, 1), m("M02", "建设工程规划许可证", cp, 1),
				m("M03", "施工合同及中标通知书", cp, 1), m("M04", "农民工工资支付保障材料", cp, 1), licence, proxy}},
		{Code: "450981-ZJJ-XK-002", Name: "商品房预售许可", Kind: store.ItemLicence, HandlingType: store.HandlingPromised,
			Department: "zjj", Flow: standard.Promised, LegalBasis: "《中华人民共和国城市房地产管理法》第四十五条",
			Result: "商品房预售许可证", Statutory: 10, Promised: 7, Visits: 1, Channels: windowOnline,
			Materials: []store.Material{m("M01", "商品房预售许可申请表", orig, 1), m("M02", "土地使用权证明", cp, 1),
				m("M03", "建设工程规划许可证和施工许可证", cp, 1), m("M04", "商品房预售方案", orig, 1), licence}},
		{Code: "450981-ZJJ-QT-003", Name: "房屋建筑工程竣工验收备案", Kind: store.ItemOtherPower, HandlingType: store.HandlingPromised,
			Department: "zjj", Flow: standard.Promised, LegalBasis: "《建设工程质量管理条例》第四十九条",
			Result: "竣工验收备案证明", Statutory: 15, Promised: 5, Channels: windowOnline,
			Materials: []store.Material{m("M01", "竣工验收备案表", orig, 2), m("M02", "工程竣工验收报告", orig, 1), m("M03", "消防验收意见", cp, 1)}},
		// 自然资源局
		{Code: "450981-ZRZYJ-XK-001", Name: "建设项目用地预审与选址意见书核发", Kind: store.ItemLicence, HandlingType: store.HandlingPromised,
			Department: "zrzyj", CoReviewers: []string{"zrzyj", "fgj", "zjj"}, Flow: standard.Parallel,
			LegalBasis: "《中华人民共和国土地管理法》第五十二条；《中华人民共和国城乡规划法》第三十六条",
			Result:     "建设项目用地预审与选址意见书", Statutory: 20, Promised: 12, Visits: 1, Channels: windowOnline, DepartmentDecides: true,
			Materials: []store.Material{m("M01", "用地预审与选址申请表", orig, 1), m("M02", "建设项目用地位置图", orig, 1),
				m("M03", "项目建议书或可行性研究报告", cp, 1), licence}},
		{Code: "450981-ZRZYJ-QR-002", Name: "不动产首次登记", Kind: store.ItemConfirmation, HandlingType: store.HandlingPromised,
			Department: "zrzyj", Flow: standard.Promised, LegalBasis: "《不动产登记暂行条例》第十四条、第二十条",
			Result: "不动产权证书", Statutory: 30, Promised: 5, Visits: 1, Channels: windowOnline,
			Materials: []store.Material{m("M01", "不动产登记申请书", orig, 1), idCard, m("M02", "不动产权属来源证明", both, 1),
				m("M03", "不动产界址、空间界限、面积等材料", orig, 1)},
			Fees: []store.Fee{{Name: "不动产登记费", Standard: "住宅每件80元，非住宅每件550元", Basis: "发改价格规〔2016〕2559号"}}},
		{Code: "450981-ZRZYJ-XK-003", Name: "农村村民宅基地用地审批", Kind: store.ItemLicence, HandlingType: store.HandlingPromised,
			Department: "zrzyj", Flow: standard.Proxy, LegalBasis: "《中华人民共和国土地管理法》第六十二条",
			Conditions: "本集体经济组织成员，一户一宅", Result: "农村宅基地批准书", Statutory: 20, Promised: 15, Visits: 1, Channels: windowStation,
			Materials: []store.Material{m("M01", "农村宅基地和建房（规划许可）申请表", orig, 1), idCard, m("M02", "户口簿", both, 1),
				m("M03", "村民小组会议记录及公示材料", orig, 1)}},
		// 市场监督管理局
		{Code: "450981-SCJGJ-XK-001", Name: "个体工商户设立登记", Kind: store.ItemLicence, HandlingType: store.HandlingImmediate,
			Department: "scjgj", Flow: standard.Immediate, LegalBasis: "《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》第三条",
			Result: "个体工商户营业执照", Channels: allChannels,
			Materials: []store.Material{m("M01", "个体工商户登记（备案）申请书", orig, 1), idCard, m("M02", "经营场所使用证明", cp, 1)}},
		{Code: "450981-SCJGJ-XK-002", Name: "食品经营许可", Kind: store.ItemLicence, HandlingType: store.HandlingPromised,
			Department: "scjgj", Flow: standard.Promised, LegalBasis: "《中华人民共和国食品安全法》第三十五条",
			Result: "食品经营许可证", Statutory: 20, Promised: 10, Visits: 1, Channels: windowOnline,
			Materials: []store.Material{m("M01", "食品经营许可申请书", orig, 1), licence, m("M02", "与食品经营相适应的主要设备设施布局、操作流程等文件", orig, 1),
				m("M03", "食品安全管理制度", orig, 1)},
			Special: []store.SpecialProcedure{{Name: "现场核查", LimitDays: 5}}},
		{Code: "450981-SCJGJ-XK-003", Name: "企业设立登记", Kind: store.ItemLicence, HandlingType: store.HandlingPromised,
			Department: "scjgj", Flow: standard.Promised, LegalBasis: "《中华人民共和国市场主体登记管理条例》第十九条",
			Result: "营业执照", Statutory: 15, Promised: 3, Channels: windowOnline,
			Materials: []store.Material{m("M01", "公司登记（备案）申请书", orig, 1), m("M02", "公司章程", orig, 1),
				m("M03", "股东主体资格证明", cp, 1), m("M04", "住所使用证明", cp, 1), proxy}},
		// 公安局
		{Code: "450981-GAJ-XK-001", Name: "户口迁移（准予迁入）", Kind: store.ItemLicence, HandlingType: store.HandlingPromised,
			Department: "gaj", Flow: standard.Promised, LegalBasis: "《中华人民共和国户口登记条例》第十条",
			Result: "准予迁入证明", Statutory: 20, Promised: 10, Channels: allChannels,
			Materials: []store.Material{m("M01", "户口迁移申请表", orig, 1), idCard, m("M02", "户口簿", both, 1), m("M03", "合法稳定住所证明", cp, 1)}},
		{Code: "450981-GAJ-GG-002", Name: "居民户口簿补领", Kind: store.ItemPublicService, HandlingType: store.HandlingImmediate,
			Department: "gaj", Flow: standard.Immediate, LegalBasis: "《中华人民共和国户口登记条例》", Result: "居民户口簿",
			Channels: []string{store.ChannelWindow}, Visits: 1,
			Materials: []store.Material{m("M01", "户口簿补领申请表", orig, 1), idCard},
			Fees:      []store.Fee{{Name: "户口簿工本费", Standard: "每本8元"}}},
		// 民政局
		{Code: "450981-MZJ-QR-001", Name: "内地居民婚姻登记", Kind: store.ItemConfirmation, HandlingType: store.HandlingImmediate,
			Department: "mzj", Flow: standard.Immediate, LegalBasis: "《婚姻登记条例》第四条、第五条", Result: "结婚证",
			Channels: []string{store.ChannelWindow}, Visits: 1,
			Materials: []store.Material{m("M01", "双方居民身份证", both, 2), m("M02", "双方户口簿", both, 2), m("M03", "双方近期半身免冠合影照片", orig, 3)}},
		{Code: "450981-MZJ-JF-002", Name: "最低生活保障待遇审核确认", Kind: store.ItemPayment, HandlingType: store.HandlingPromised,
			Department: "mzj", Flow: standard.Proxy, LegalBasis: "《社会救助暂行办法》第十一条", Conditions: "共同生活的家庭成员人均收入低于当地最低生活保障标准",
			Result: "最低生活保障金领取证", Statutory: 30, Promised: 20, Channels: windowStation,
			Materials: []store.Material{m("M01", "最低生活保障申请书", orig, 1), idCard, m("M02", "家庭收入和财产状况声明", orig, 1),
				cond("M03", "残疾人证或疾病诊断证明", cp, "家庭成员有残疾或重病的")},
			Special: []store.SpecialProcedure{{Name: "入户调查和民主评议", LimitDays: 10}, {Name: "审核结果公示", LimitDays: 7}}},
		{Code: "450981-MZJ-XK-003", Name: "社会团体成立登记", Kind: store.ItemLicence, HandlingType: store.HandlingPromised,
			Department: "mzj", Flow: standard.Promised, LegalBasis: "《社会团体登记管理条例》第九条、第十一条",
			Result: "社会团体法人登记证书", Statutory: 60, Promised: 30, Channels: windowOnline,
			Materials: []store.Material{m("M01", "社会团体成立登记申请书", orig, 1), m("M02", "业务主管单位批准文件", orig, 1),
				m("M03", "章程草案", orig, 1), m("M04", "验资报告", orig, 1)}},
		// 人力资源和社会保障局
		{Code: "450981-RSJ-JF-001", Name: "失业保险金申领", Kind: store.ItemPayment, HandlingType: store.HandlingPromised,
			Department: "rsj", Flow: standard.Promised, LegalBasis: "《失业保险条例》第十四条、第十六条",
			Result: "失业保险金核定通知", Statutory: 10, Promised: 5, Channels: allChannels,
			Materials: []store.Material{idCard, m("M01", "终止或解除劳动合同证明", cp, 1), m("M02", "社会保障卡或银行账户", cp, 1)}},
		{Code: "450981-RSJ-GG-002", Name: "城乡居民基本养老保险参保登记", Kind: store.ItemPublicService, HandlingType: store.HandlingImmediate,
			Department: "rsj", Flow: standard.Immediate, LegalBasis: "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
			Result: "参保登记信息", Channels: allChannels,
			Materials: []store.Material{m("M01", "城乡居民基本养老保险参保登记表", orig, 1), idCard}},
		// 卫生健康局
		{Code: "450981-WJJ-XK-001", Name: "医疗机构执业登记", Kind: store.ItemLicence, HandlingType: store.HandlingPromised,
			Department: "wjj", Flow: standard.Promised, LegalBasis: "《医疗机构管理条例》第十五条",
			Result: "医疗机构执业许可证", Statutory: 45, Promised: 20, Visits: 1, Channels: windowOnline, DepartmentDecides: true,
			Materials: []store.Material{m("M01", "医疗机构执业登记申请书", orig, 1), m("M02", "医疗机构设置批准书", cp, 1),
				m("M03", "医疗机构用房产权证明或使用证明", cp, 1), m("M04", "医疗卫生技术人员名录及执业证书", cp, 1)},
			Special: []store.SpecialProcedure{{Name: "现场审核", LimitDays: 10}}},
		{Code: "450981-WJJ-XK-002", Name: "公共场所卫生许可", Kind: store.ItemLicence, HandlingType: store.HandlingPromised,
			Department: "wjj", Flow: standard.Promised, LegalBasis: "《公共场所卫生管理条例》第八条",
			Result: "公共场所卫生许可证", Statutory: 20, Promised: 10, Visits: 1, Channels: windowOnline,
			Materials: []store.Material{m("M01", "公共场所卫生许可申请表", orig, 1), licence, m("M02", "卫生检测报告", orig, 1),
				m("M03", "从业人员健康合格证明", cp, 1)}},
		{Code: "450981-WJJ-GG-003", Name: "出生医学证明首次签发", Kind: store.ItemPublicService, HandlingType: store.HandlingImmediate,
			Department: "wjj", Flow: standard.Immediate, LegalBasis: "《中华人民共和国母婴保健法》第二十三条", Result: "出生医学证明",
			Channels: []string{store.ChannelWindow}, Visits: 1,
			Materials: []store.Material{m("M01", "出生医学证明首次签发登记表", orig, 1), m("M02", "父母双方身份证", both, 2)}},
	}
}

// GrantsFrom is when the demo departments' grants took effect.
var GrantsFrom = time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))

// windowsOf lists the centre's windows a department delegates to: the
// comprehensive acceptance window 综合受理一号窗口 (clerk1) and its thematic
// window: 投资项目并联审批窗口 (clerk2) for the investment departments,
// 商事登记窗口 for market regulation, 社会事务窗口 for the others.
// 综合受理二号窗口 holds no grant.
func windowsOf(department string) []string {
	thematic := map[string]string{"fgj": "zwzx-03", "zjj": "zwzx-03", "zrzyj": "zwzx-03", "scjgj": "zwzx-04"}[department]
	if thematic == "" {
		thematic = "zwzx-05"
	}
	return []string{"zwzx-01", thematic}
}

// enquiryPhone is a department's enquiry number.
func enquiryPhone(i int) string { return fmt.Sprintf("0775-68%05d", 10001+i) }

// loadCatalogue publishes the standard flows and the demo items, and the
// grants of every department to the centre's windows: the handling steps
// (acceptance, review, coordination, delivery) of all its items, and
// approval and certification of all but the items it decides itself.
// The app checks each item and grant by the rules the API applies.
func loadCatalogue(ctx context.Context, ap *app.App, tx *sqlx.Tx, ids map[string]string, designer, admin string) error {
	if err := store.EnsureStandardFlowsIn(ctx, tx, "system"); err != nil {
		return err
	}
	files, err := flowFiles()
	if err != nil {
		return err
	}
	if _, err := ap.LoadDefinitions(ctx, tx, files, designer); err != nil {
		return fmt.Errorf("demo flows: %w", err)
	}
	deptIndex := map[string]int{}
	for i, d := range Departments {
		deptIndex[d.Code] = i
	}
	itemIDs := map[string][]string{} // department → items
	decides := map[string][]string{} // department → items it decides itself
	for _, di := range Items() {
		c := store.ItemContent{
			Code: di.Code, Name: di.Name, Kind: di.Kind, HandlingType: di.HandlingType, Theme: themes[di.Code], Level: levelOf(di),
			DepartmentID: ids[di.Department], ImplementingBodyID: ids[di.Department],
			LegalBasis: di.LegalBasis, Conditions: di.Conditions, Materials: di.Materials, Fees: di.Fees,
			StatutoryDays: di.Statutory, PromisedDays: di.Promised, SpecialProcedures: di.Special, OnSiteVisits: di.Visits,
			Channels:  di.Channels,
			Enquiry:   store.Contact{Phone: enquiryPhone(deptIndex[di.Department]), Address: "北流市政务服务中心咨询台"},
			Complaint: store.Contact{Phone: ComplaintPhone, Address: "北流市政务服务中心电子监察室"},
			Location:  "北流市政务服务中心", Hours: "法定工作日 9:00-12:00，13:30-17:30", Result: di.Result,
			DefinitionKey: di.Flow, LeadSectionID: ids[SectionCode(di.Department)],
			ServiceObjects: []string{store.ObjectNaturalPerson, store.ObjectLegalPerson},
			// 双公示: the decisions on administrative licences are published.
			PublishResults: di.Kind == store.ItemLicence,
		}
		for _, d := range di.CoReviewers {
			c.CoReviewerSectionIDs = append(c.CoReviewerSectionIDs, ids[SectionCode(d)])
		}
		v, err := ap.LoadItem(ctx, tx, c, designer)
		if err != nil {
			return fmt.Errorf("demo item %s: %w", di.Code, err)
		}
		itemIDs[di.Department] = append(itemIDs[di.Department], v.ItemID)
		if di.DepartmentDecides {
			decides[di.Department] = append(decides[di.Department], v.ItemID)
		}
	}
	for _, d := range Departments {
		own, err := ap.SectionOwnership(ctx, tx, ids[SectionCode(d.Code)])
		if err != nil {
			return err
		}
		owned := func(kinds []string, items []string) []string {
			var out []string
			for _, k := range kinds {
				for id, ks := range own {
					if (items == nil || slices.Contains(items, id)) && slices.Contains(ks, k) && !slices.Contains(out, k) {
						out = append(out, k)
					}
				}
			}
			return out
		}
		handling := owned(app.HandlingStepKinds, nil)
		var delegated []string // items whose decision is delegated: nil for all
		if len(decides[d.Code]) > 0 {
			for id := range own {
				if !slices.Contains(decides[d.Code], id) {
					delegated = append(delegated, id)
				}
			}
			slices.Sort(delegated)
		}
		decision := owned(app.DecisionStepKinds, delegated)
		if len(decides[d.Code]) > 0 && len(delegated) == 0 {
			decision = nil
		}
		for _, w := range windowsOf(d.Code) {
			for _, g := range []store.GrantInput{
				{StepKinds: handling, Note: "受理、审核、协调处置、办理结果送达权授予窗口"},
				{StepKinds: decision, ItemIDs: delegated, Note: "审批、制证权授予窗口"},
			} {
				if len(g.StepKinds) == 0 {
					continue
				}
				g.DepartmentID, g.SectionID, g.WindowID, g.ValidFrom = ids[d.Code], ids[SectionCode(d.Code)], ids[w], GrantsFrom
				if _, err := ap.LoadGrant(ctx, tx, g, admin); err != nil {
					return fmt.Errorf("demo grant of %s to %s: %w", d.Code, w, err)
				}
			}
		}
	}
	return nil
}

// LoadCatalogue adds the demo catalogue (standard flows, items, grants) to a
// database that has the demo organisation but no items yet (one loaded
// before the catalogue existed), in one transaction, and reports whether it
// did. Load includes it for a new database.
func LoadCatalogue(ctx context.Context, db *store.DB) (bool, error) {
	loaded := false
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		loaded = false
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM items`); err != nil {
			return fmt.Errorf("count items: %w", err)
		}
		if n > 0 {
			return nil
		}
		ids := map[string]string{}
		for _, u := range Units() {
			ou, err := store.GetOrgUnitByCode(ctx, tx, u.Code)
			if err != nil {
				return nil // not the demo organisation: leave it alone
			}
			ids[u.Code] = ou.ID
		}
		designer, err := store.GetUserByUsername(ctx, tx, "designer")
		if err != nil {
			return nil
		}
		admin, err := store.GetUserByUsername(ctx, tx, "admin")
		if err != nil {
			return nil
		}
		if err := loadCatalogue(ctx, app.New(app.Config{DB: db}), tx, ids, designer.ID, admin.ID); err != nil {
			return err
		}
		loaded = true
		return nil
	})
	return loaded, err
}
