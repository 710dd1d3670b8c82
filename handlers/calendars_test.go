package handlers

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/definitions"
	"onewindow/demo"
	"onewindow/engine"
	"onewindow/engine/enginetest"
	"onewindow/store"
	"onewindow/store/storetest"
)

func calendarYearOf(t *testing.T, s *testServer, token, unit string, year string) app.CalendarYear {
	t.Helper()
	r := s.as(token, "GET", "/api/v1/calendars/"+unit+"/days?year="+year, "")
	if r.Code != http.StatusOK {
		t.Fatalf("GET calendar %s %s: %d %s", unit, year, r.Code, r.Body)
	}
	var v app.CalendarYear
	r.json(t, &v)
	return v
}

// kinds maps each listed date of a year to its kind.
func kinds(v app.CalendarYear) map[string]string {
	out := map[string]string{}
	for _, d := range v.Days {
		out[d.Date] = d.Kind
	}
	return out
}

func TestCalendarAPIShowsTheOfficialArrangements(t *testing.T) {
	s := newTestServer(t, nil)
	tok := s.login("applicant1") // anyone signed in reads calendars
	for _, c := range []struct {
		year     string
		holidays []string
		workdays []string
	}{
		// 2025: Spring Festival 28 January to 4 February with make-up Sunday 26 January and
		// Saturday 8 February; National Day and Mid-Autumn 1 to 8 October with make-up Sunday
		// 28 September and Saturday 11 October.
		{"2025", []string{"2025-01-28", "2025-01-31", "2025-02-04", "2025-10-01", "2025-10-06", "2025-10-08"},
			[]string{"2025-01-26", "2025-02-08", "2025-09-28", "2025-10-11"}},
		// 2026: Spring Festival 15 to 23 February with make-up Saturdays 14 and 28 February;
		// National Day 1 to 7 October with make-up Sunday 20 September and Saturday 10 October.
		{"2026", []string{"2026-02-15", "2026-02-17", "2026-02-23", "2026-10-01", "2026-10-07"},
			[]string{"2026-02-14", "2026-02-28", "2026-09-20", "2026-10-10"}},
	} {
		v := calendarYearOf(t, s, tok, "national", c.year)
		k := kinds(v)
		for _, d := range c.holidays {
			if k[d] != "holiday" {
				t.Errorf("%s: %s is %q, want holiday", c.year, d, k[d])
			}
		}
		for _, d := range c.workdays {
			if k[d] != "workday" {
				t.Errorf("%s: %s is %q, want workday (调休)", c.year, d, k[d])
			}
		}
		if v.Workdays != 248 || v.InheritsFrom != "" || len(v.Overrides) != 0 {
			t.Errorf("%s: %d working days, inherits %q, %d overrides; want 248, national, none", c.year, v.Workdays, v.InheritsFrom, len(v.Overrides))
		}
	}
}

func TestCalendarAPIEditsAndInheritance(t *testing.T) {
	s := newTestServer(t, nil)
	admin := s.login("admin")
	county, township, station := s.unitID(demo.CountyCode), s.unitID(demo.Township1), s.unitID(demo.VillageStation)

	// 北流市 gives Monday 29 September 2025 off, between the make-up Sunday and National Day.
	r := s.as(admin, "PUT", "/api/v1/calendars/"+county+"/days?year=2025", `{"days":[{"date":"2025-09-29","kind":"holiday","name":"县放假"}]}`)
	if r.Code != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Code, r.Body)
	}
	var put app.CalendarYear
	r.json(t, &put)
	if len(put.Overrides) != 1 || put.Overrides[0].Date != "2025-09-29" || put.Workdays != 247 || put.InheritsFrom != "national" {
		t.Fatalf("after PUT: %+v", put)
	}
	v := calendarYearOf(t, s, admin, station, "2025")
	if v.InheritsFrom != county || kinds(v)["2025-09-29"] != "holiday" || v.Workdays != 247 || len(v.Overrides) != 0 {
		t.Fatalf("village station: inherits %q, 29 September %q, %d working days; want the county's day off", v.InheritsFrom, kinds(v)["2025-09-29"], v.Workdays)
	}
	// The township works that day after all: the station now inherits from the township.
	r = s.as(admin, "PUT", "/api/v1/calendars/"+township+"/days?year=2025", `{"days":[{"date":"2025-09-29","kind":"workday","name":"正常上班"}]}`)
	if r.Code != http.StatusOK {
		t.Fatalf("PUT township: %d %s", r.Code, r.Body)
	}
	if v := calendarYearOf(t, s, admin, station, "2025"); v.InheritsFrom != township || kinds(v)["2025-09-29"] != "workday" || v.Workdays != 248 {
		t.Fatalf("station after the township's edit: %+v", v)
	}
	// The national calendar for a year the library does not know.
	r = s.as(admin, "PUT", "/api/v1/calendars/national/days?year=2099", `{"days":[{"date":"2099-01-01","kind":"holiday","name":"元旦"},{"date":"2099-01-02","kind":"holiday","name":"元旦"}]}`)
	if r.Code != http.StatusOK {
		t.Fatalf("PUT national 2099: %d %s", r.Code, r.Body)
	}
	if v := calendarYearOf(t, s, admin, station, "2099"); kinds(v)["2099-01-02"] != "holiday" {
		t.Fatalf("the station follows the national overrides: %+v", v.Days)
	}
	// An empty list clears the year.
	if r := s.as(admin, "PUT", "/api/v1/calendars/"+township+"/days?year=2025", `{"days":[]}`); r.Code != http.StatusOK {
		t.Fatalf("clear: %d %s", r.Code, r.Body)
	}
	if v := calendarYearOf(t, s, admin, station, "2025"); v.InheritsFrom != county {
		t.Fatalf("after clearing the township: inherits %q, want the county", v.InheritsFrom)
	}
}

func TestCalendarAPIRefusesBadInput(t *testing.T) {
	s := newTestServer(t, nil)
	admin := s.login("admin")
	path := "/api/v1/calendars/national/days?year=2027"
	for _, c := range []struct {
		name, body, field, mentions string
	}{
		{"overlapping dates", `{"days":[{"date":"2027-10-01","kind":"holiday"},{"date":"2027-10-01","kind":"workday"}]}`, "days[1].date", "2027-10-01"},
		{"a date listed twice", `{"days":[{"date":"2027-10-01","kind":"holiday"},{"date":"2027-10-02","kind":"holiday"},{"date":"2027-10-01","kind":"holiday"}]}`, "days[2].date", "2027-10-01"},
		{"an impossible date", `{"days":[{"date":"2027-02-30","kind":"holiday"}]}`, "days[0].date", "2027-02-30"},
		{"a date that is not a date", `{"days":[{"date":"2027-2-3","kind":"holiday"}]}`, "days[0].date", "2027-2-3"},
		{"a date outside the year", `{"days":[{"date":"2028-01-01","kind":"holiday"}]}`, "days[0].date", "2028-01-01"},
		{"an unknown kind", `{"days":[{"date":"2027-05-03","kind":"rest"}]}`, "days[0].kind", "2027-05-03"},
		{"no days at all", `{}`, "days", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := expectError(t, s.as(admin, "PUT", path, c.body), http.StatusBadRequest, codeValidation)
			if len(e.Fields) == 0 || e.Fields[0].Field != c.field || !strings.Contains(e.Message+e.Fields[0].Message, c.mentions) {
				t.Fatalf("error %+v, want field %s naming %q", e, c.field, c.mentions)
			}
		})
	}
	expectError(t, s.as(admin, "PUT", "/api/v1/calendars/national/days", `{"days":[]}`), http.StatusBadRequest, codeValidation)
	expectError(t, s.as(admin, "PUT", "/api/v1/calendars/national/days?year=99999", `{"days":[]}`), http.StatusBadRequest, codeValidation)
	expectError(t, s.as(admin, "GET", "/api/v1/calendars/01jd5q3k8m0000000000000000/days?year=2025", ""), http.StatusNotFound, codeNotFound)
	expectError(t, s.as(admin, "GET", "/api/v1/calendars/county/days", ""), http.StatusBadRequest, codeInvalidID)
	expectError(t, s.as(s.login("clerk1"), "PUT", path, `{"days":[]}`), http.StatusForbidden, codeForbidden)
	expectError(t, s.do("GET", path, ""), http.StatusUnauthorized, codeUnauthenticated)
	if v := calendarYearOf(t, s, admin, "national", "2027"); len(v.Overrides) != 0 {
		t.Fatalf("refused edits stored days: %+v", v.Overrides)
	}
}

// The engine counts a case's limits on its implementing body's calendar as the API edited it.
var receiptXML = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:flowable="http://flowable.org/bpmn" xmlns:ow="` + definitions.ExtensionNS + `" targetNamespace="t">
<process id="receipt" isExecutable="true"><startEvent id="s"/>
  <intermediateThrowEvent id="deemed" ow:clock="startAtReceipt"/><userTask id="work" flowable:candidateGroups="zwzx-01"/><endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="deemed"/><sequenceFlow id="f2" sourceRef="deemed" targetRef="work"/>
  <sequenceFlow id="f3" sourceRef="work" targetRef="e"/></process></definitions>`)

func TestEngineCountsOnTheEditedCalendar(t *testing.T) {
	db := storetest.SQLite(t)
	x := enginetest.Start(t, db, enginetest.Options{Calendars: &store.Calendars{DB: db}})
	s := newTestServer(t, db, func(d *testConfig) { d.Engine = x.Engine })
	x.Deploy("receipt", receiptXML)
	county, station := s.unitID(demo.CountyCode), s.unitID(demo.VillageStation)
	if r := s.as(s.login("admin"), "PUT", "/api/v1/calendars/"+county+"/days?year=2025", `{"days":[{"date":"2025-09-29","kind":"holiday","name":"县放假"}]}`); r.Code != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Code, r.Body)
	}
	ctx := context.Background()
	friday := time.Date(2025, 9, 26, 10, 0, 0, 0, cst)
	due := map[string]time.Time{}
	for unit, id := range map[string]string{"station": station, "national": ""} {
		caseID := "C-" + store.NewID()
		if err := x.Engine.StartCase(ctx, engine.CaseInput{CaseID: caseID, Definition: "receipt", ReceivedAt: friday, CalendarUnit: id,
			Limits: &engine.Limits{PromisedDays: 3, StatutoryDays: 20}}); err != nil {
			t.Fatal(err)
		}
		x.Eventually("the clock of "+unit, func() bool {
			c, err := store.GetCaseState(ctx, db, caseID)
			if err == nil && c.DueAt != nil {
				due[unit] = c.DueAt.In(cst)
			}
			return err == nil && c.DueAt != nil
		})
	}
	if want := time.Date(2025, 10, 9, 17, 30, 0, 0, cst); !due["station"].Equal(want) {
		t.Errorf("village station (under the county's day off): due %v, want %v", due["station"], want)
	}
	if want := time.Date(2025, 9, 30, 17, 30, 0, 0, cst); !due["national"].Equal(want) {
		t.Errorf("national: due %v, want %v (make-up Sunday 28 September counted)", due["national"], want)
	}
}

var cst = time.FixedZone("CST", 8*3600)
