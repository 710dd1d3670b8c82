package handlers

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/store"
	"onewindow/store/storetest"
)

// page GETs a plain page and checks that it is HTML without a script.
func (s *testServer) page(t *testing.T, path string, status int) string {
	t.Helper()
	r := s.do("GET", path, "")
	if r.Code != status {
		t.Fatalf("GET %s: %d, want %d: %.300s", path, r.Code, status, r.Body)
	}
	if ct := r.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET %s: content type %q", path, ct)
	}
	body := r.Body.String()
	if strings.Contains(body, "<script") {
		t.Fatalf("GET %s: the plain page holds a script", path)
	}
	return html.UnescapeString(body)
}

// The catalogue and an item's service guide read without JavaScript (issue 16): the same
// items and figures as the JSON API, the theme and level filters with the same 400.
func TestPlainCatalogueAndGuide(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		var list app.List[app.ServiceGuide]
		s.do("GET", "/api/v1/public/items?limit=200", "").json(t, &list)
		body := s.page(t, "/public/items", http.StatusOK)
		for _, g := range list.Items {
			if !strings.Contains(body, `<a href="/public/items/`+g.ItemID+`">`+g.Name+`</a>`) {
				t.Errorf("the plain catalogue lacks %s %s", g.Code, g.Name)
			}
			if !strings.Contains(body, `<option value="`+g.Department.ID+`">`+g.Department.Name+`</option>`) {
				t.Errorf("the department filter lacks %s", g.Department.Name)
			}
		}
		if n := strings.Count(body, `<option value="01`); n != 8 {
			t.Errorf("%d departments to filter by, want the demo's 8", n)
		}
		body = s.page(t, "/public/items?theme=household", http.StatusOK)
		if !strings.Contains(body, "户口迁移（准予迁入）") || strings.Contains(body, "企业投资项目核准") || !strings.Contains(body, `<option value="household" selected>户籍</option>`) {
			t.Errorf("theme=household: %s", body)
		}
		body = s.page(t, "/public/items?level=province", http.StatusBadRequest)
		if !strings.Contains(body, "query parameter level must be one of") {
			t.Errorf("a bad level is not explained: %s", body)
		}
		if r := s.do("GET", "/public/nothing", ""); r.Code != http.StatusNotFound {
			t.Errorf("/public/nothing: %d", r.Code)
		}

		var g *app.ServiceGuide
		for i := range list.Items {
			if list.Items[i].Code == "450981-FGJ-XK-001" {
				g = &list.Items[i]
			}
		}
		if g == nil {
			t.Fatal("no 450981-FGJ-XK-001 in the demo catalogue")
		}
		var proc app.ItemProcess
		s.do("GET", "/api/v1/public/items/"+g.ItemID+"/process", "").json(t, &proc)
		body = s.page(t, "/public/items/"+g.ItemID, http.StatusOK)
		for _, want := range []string{"<h1>企业投资项目核准 服务指南</h1>", g.LegalBasis, "<dd>投资建设</dd>", "<dd>区县级</dd>", "专家评审：15 个工作日"} {
			if !strings.Contains(body, want) {
				t.Errorf("the guide lacks %q", want)
			}
		}
		for _, m := range g.Materials {
			if !strings.Contains(body, "<td>"+m.Name) {
				t.Errorf("the guide lacks the material %s", m.Name)
			}
		}
		if len(proc.Steps) < 3 {
			t.Fatalf("process %+v", proc)
		}
		for _, st := range proc.Steps {
			row := regexp.MustCompile(`<tr data-step="` + st.Element + `">(.*)</tr>`).FindStringSubmatch(body)
			if row == nil || !strings.Contains(row[1], "<td>"+st.Name+"</td>") || !strings.Contains(row[1], plainDays(st.LimitDays)) {
				t.Errorf("step %s (%s, %v days): %v", st.Element, st.Name, st.LimitDays, row)
			}
		}
		s.page(t, "/public/items/"+store.NewID(), http.StatusNotFound)
		s.page(t, "/public/items/not-an-id", http.StatusBadRequest)
	})
}

// plainDays is how the guide shows a step's limit.
func plainDays(d float64) string {
	if d == 0 {
		return "<td>—</td>"
	}
	return "<td>" + strconv.FormatFloat(d, 'f', -1, 64) + " 个工作日</td>"
}

// The pages of a finished case without JavaScript (issue 16): its progress by number and query
// code (never cached, a wrong code 404), the result publicity with the applicant's name masked,
// and the statistics table holding the JSON API's figures.
func TestPlainPagesOfAFinishedCase(t *testing.T) {
	v := newLiveEnv(t, false, nil)
	k := v.finishedFoodCase()
	month := time.Now().In(store.CaseZone).Format("2006-01")

	q := url.Values{"number": {k.Number}, "code": {k.QueryCode}}.Encode()
	r := v.do("GET", "/public/progress?"+q, "")
	if cc := r.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("progress Cache-Control %q, want no-store", cc)
	}
	body := v.page(t, "/public/progress?"+q, http.StatusOK)
	var js app.PublicProgress
	v.do("GET", "/api/v1/public/progress?"+q, "").json(t, &js)
	if !strings.Contains(body, `<dd data-test="stage">`+js.StageText.Zh+`</dd>`) || js.Stage != app.StageFinished || !strings.Contains(body, js.ItemName) {
		t.Errorf("progress page lacks the stage %q or item %q", js.StageText.Zh, js.ItemName)
	}
	v.page(t, "/public/progress", http.StatusOK) // the form alone
	wrong := v.page(t, "/public/progress?"+url.Values{"number": {k.Number}, "code": {"WRONG123"}}.Encode(), http.StatusNotFound)
	if strings.Contains(wrong, js.ItemName) || !strings.Contains(wrong, "未找到该办件") {
		t.Errorf("a wrong code: %s", wrong)
	}

	body = v.page(t, "/public/results?month="+month, http.StatusOK)
	row := regexp.MustCompile(`<tr data-number="` + regexp.QuoteMeta(k.Number) + `">(.*)</tr>`).FindStringSubmatch(body)
	if row == nil || !strings.Contains(row[1], "<td>李*</td>") || !strings.Contains(row[1], "<td>准予</td>") {
		t.Errorf("result publicity row %v, want 李* and 准予", row)
	}
	v.page(t, "/public/results?month=2025-13", http.StatusBadRequest)

	for _, by := range []string{"department", "item"} {
		var stats app.StatisticsReport
		v.do("GET", "/api/v1/public/statistics?by="+by, "").json(t, &stats)
		if len(stats.Rows) == 0 {
			t.Fatalf("no statistics by %s", by)
		}
		body = v.page(t, "/public/statistics?by="+by, http.StatusOK)
		for _, st := range stats.Rows {
			m := regexp.MustCompile(`<tr data-row="` + st.Month + "/" + st.ID + `">(.*)</tr>`).FindStringSubmatch(body)
			want := "<td>" + st.Month + "</td><td>" + st.Name + "</td>" + `<td class="n">` + strconv.Itoa(st.Received) + `</td><td class="n">` +
				strconv.Itoa(st.Finished) + `</td><td class="n">` + plainPercent(st.OnTimeRate) + `</td><td class="n">` + plainNumber(st.AvgWorkingDays) +
				`</td><td class="n">` + plainNumber(st.Satisfaction) + `</td><td class="n">` + strconv.Itoa(st.Ratings) + `</td><td class="n">` +
				strconv.Itoa(st.Complaints) + `</td><td class="n">` + strconv.Itoa(st.Overdue) + "</td>"
			if m == nil || m[1] != want {
				t.Errorf("statistics by %s, row %s/%s:\n got %v\nwant %s", by, st.Month, st.Name, m, want)
			}
		}
	}
	if body := v.page(t, "/public/statistics", http.StatusOK); !strings.Contains(body, `<option value="department" selected>`) {
		t.Error("the statistics page does not open on the departments")
	}
	if !strings.Contains(v.page(t, "/public/statistics?by=item", http.StatusOK), "100.0%") {
		t.Error("the finished case's on-time rate is not shown as 100.0%")
	}
	// No page holds the applicant's name, ID-card number or phone.
	for _, path := range []string{"/public/progress?" + q, "/public/results?month=" + month, "/public/statistics?by=department",
		"/public/statistics?by=item", "/public/items"} {
		body := v.page(t, path, http.StatusOK)
		for _, secret := range []string{"李明", "450981199001011230", "13800000001"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s holds %q", path, secret)
			}
		}
	}
}
