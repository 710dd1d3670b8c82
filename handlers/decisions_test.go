package handlers

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"onewindow/app"
	"onewindow/demo"
	"onewindow/store"
	"onewindow/store/storetest"
)

// dmnXML wraps DMN elements in a DMN 1.3 <definitions> of namespace ns.
func dmnXML(ns, body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d_` + ns + `" name="` + ns + `" namespace="https://example.org/` + ns + `">` + body + `</definitions>`
}

// feeXML is a decision table of fees by applicant kind and area.
var feeXML = dmnXML("fees", `<decision id="fee" name="登记费">
  <decisionTable id="feeTable" hitPolicy="UNIQUE">
    <input id="kind"><inputExpression id="kindExpr" typeRef="string"><text>applicantKind</text></inputExpression></input>
    <input id="area"><inputExpression id="areaExpr" typeRef="number"><text>area</text></inputExpression></input>
    <output id="amount" name="amount" typeRef="number"/>
    <rule id="home"><inputEntry id="h1"><text>"person"</text></inputEntry><inputEntry id="h2"><text>-</text></inputEntry><outputEntry id="h3"><text>80</text></outputEntry></rule>
    <rule id="firm"><inputEntry id="f1"><text>"firm"</text></inputEntry><inputEntry id="f2"><text>&lt;= 1000</text></inputEntry><outputEntry id="f3"><text>550</text></outputEntry></rule>
    <rule id="bigFirm"><inputEntry id="b1"><text>"firm"</text></inputEntry><inputEntry id="b2"><text>&gt; 1000</text></inputEntry><outputEntry id="b3"><text>550 + (area - 1000) * 0.1</text></outputEntry></rule>
  </decisionTable>
</decision>`)

// feeFlowXML charges the fee its business rule task decides.
var feeFlowXML = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">
<process id="registration" isExecutable="true">
  <startEvent id="s"/>
  <businessRuleTask id="decideFee" camunda:decisionRef="fee" camunda:mapDecisionResult="singleEntry" camunda:resultVariable="fee"/>
  <userTask id="collect" name="收取登记费 ${fee} 元" camunda:candidateGroups="fgj-xzsp"/>
  <endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="decideFee"/>
  <sequenceFlow id="f2" sourceRef="decideFee" targetRef="collect"/>
  <sequenceFlow id="f3" sourceRef="collect" targetRef="e"/>
</process></definitions>`

// Decisions deploy beside processes: one definition per decision, the same versioning, and
// the problems of a .dmn file located by element and line.
func TestDeployDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		tok := s.login("designer")

		// A business rule task naming a decision nobody deployed is refused.
		ct, body := multipartBody(t, "registration.bpmn", feeFlowXML)
		r := s.send(tok, "POST", "/api/v1/definitions", ct, body)
		var bad DefinitionProblemsResponse
		if r.json(t, &bad); r.Code != http.StatusUnprocessableEntity || bad.Problems[0].Code != app.ProblemDecisionMissing || bad.Problems[0].ElementID != "decideFee" {
			t.Fatalf("a flow without its decision: %d %s", r.Code, r.Body)
		}
		// Deployed together, both are stored: the decision under its id.
		ct, body = multipartBody(t, "fees.dmn", feeXML, "registration.bpmn", feeFlowXML)
		r = s.send(tok, "POST", "/api/v1/definitions", ct, body)
		var dep app.Deployment
		if r.json(t, &dep); r.Code != http.StatusCreated || len(dep.Definitions) != 2 || dep.Definitions[0].Key != "fee" ||
			dep.Definitions[0].Kind != store.KindDMN || dep.Definitions[1].Kind != store.KindBPMN || dep.Definitions[0].FileName != "fees.dmn" {
			t.Fatalf("deployment: %d %s", r.Code, r.Body)
		}
		var m app.DefinitionModel
		r = s.as(tok, "GET", "/api/v1/definitions/fee/versions/1", "")
		if r.json(t, &m); r.Code != http.StatusOK || len(m.Decisions) != 1 || m.Decisions[0].HitPolicy != "UNIQUE" || m.Decisions[0].Logic != "decisionTable" {
			t.Fatalf("decision model: %d %s", r.Code, r.Body)
		}
		// A changed table is the next version.
		ct, body = multipartBody(t, "fees.dmn", strings.Replace(feeXML, "<text>80</text>", "<text>90</text>", 1))
		r = s.send(tok, "POST", "/api/v1/definitions", ct, body)
		if r.json(t, &dep); r.Code != http.StatusCreated || dep.Definitions[0].Version != 2 {
			t.Fatalf("a new version: %d %s", r.Code, r.Body)
		}

		cases := []struct {
			name, file, code, element string
		}{
			{"an import nothing resolves", dmnXML("imp", `<import name="rates" namespace="https://example.org/rates" importType="https://www.omg.org/spec/DMN/20191111/MODEL/" locationURI="rates.dmn"/>
<decision id="withImport" name="x"><literalExpression><text>rates.base</text></literalExpression></decision>`), "unresolved-import", "rates"},
			{"FEEL that does not parse", dmnXML("bad", `<decision id="badFeel" name="y"><literalExpression id="lit"><text>1 +* 2</text></literalExpression></decision>`), "invalid-feel", "lit"},
			{"a decision id that is a process", dmnXML("clash", `<decision id="registration" name="z"><literalExpression><text>1</text></literalExpression></decision>`), app.ProblemKeyTaken, "registration"},
			{"no decision", dmnXML("empty", ``), app.ProblemNoDecision, "d_empty"},
		}
		for _, c := range cases {
			ct, body := multipartBody(t, "x.dmn", c.file)
			r := s.send(tok, "POST", "/api/v1/definitions", ct, body)
			var bad DefinitionProblemsResponse
			r.json(t, &bad)
			if r.Code != http.StatusUnprocessableEntity || len(bad.Problems) == 0 {
				t.Errorf("%s: %d %s", c.name, r.Code, r.Body)
				continue
			}
			p := bad.Problems[0]
			if p.Code != c.code || p.ElementID != c.element || p.File != "x.dmn" || (c.code != app.ProblemNoDecision && p.Line == 0) {
				t.Errorf("%s: problem %+v, want %s at %s", c.name, p, c.code, c.element)
			}
		}
		// The import resolves once a file of its namespace is published.
		rates := dmnXML("rates", `<decision id="base" name="base"><literalExpression><text>10</text></literalExpression></decision>`)
		ct, body = multipartBody(t, "rates.dmn", rates)
		if r = s.send(tok, "POST", "/api/v1/definitions", ct, body); r.Code != http.StatusCreated {
			t.Fatalf("rates: %d %s", r.Code, r.Body)
		}
		if r = s.as(tok, "POST", "/api/v1/definitions/base/versions/1/publish", ""); r.Code != http.StatusOK {
			t.Fatalf("publish rates: %d %s", r.Code, r.Body)
		}
		ct, body = multipartBody(t, "x.dmn", cases[0].file)
		if r = s.send(tok, "POST", "/api/v1/definitions", ct, body); r.Code != http.StatusCreated {
			t.Fatalf("an import of a published namespace: %d %s", r.Code, r.Body)
		}
		// An item cannot run a decision.
		ctx := context.Background()
		if _, err := store.PublishDefinition(ctx, db, "fee", 1, "t"); err != nil {
			t.Fatal(err)
		}
		kind, err := store.DefinitionKind(ctx, db, "fee")
		if err != nil || kind != store.KindDMN {
			t.Fatalf("kind of fee: %q %v", kind, err)
		}
	})
}

// The demo item whose countersign departments a decision table picks from the application
// form runs end to end through the API: the table's departments review, and a smaller
// project of another kind is reviewed by the lead department alone.
func TestDemoDecisionPicksReviewers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		v := newCaseEnv(t, db)
		iv := v.demoItem(demo.InvestmentItem)
		if iv.DefinitionKey != demo.InvestmentFlow {
			t.Fatalf("demo item %+v", iv)
		}
		application := func(kind string, investment float64) map[string]any {
			ms := []map[string]any{}
			for _, c := range []string{"M01", "M02", "YYZZ"} {
				ms = append(ms, map[string]any{"code": c, "fileIds": []string{v.file("applicant1", c+".pdf")}})
			}
			return map[string]any{"itemId": iv.ItemID, "channel": "online", "materials": ms,
				"form": map[string]any{"projectName": "北流市陶瓷产业园", "projectKind": kind, "investment": investment}}
		}
		k := v.submitted(v.apply("applicant1", application("房地产", 12000)))
		acc := v.open(k.ID, "acceptance")
		v.ok(v.act("clerk1", acc, "complete", map[string]any{"outcome": "accept"}), "accept")
		want := []string{"fgj-xzsp", "zrzyj-xzsp", "zjj-xzsp", "rsj-xzsp"} // in the order of the rules
		signers := v.openBy(k.ID, "countersign", len(want))
		for _, sec := range want {
			if signers[sec] == "" {
				t.Fatalf("no countersign task for %s: %v", sec, signers)
			}
		}
		c, err := store.GetCase(context.Background(), db, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Vars()["coReviewers"]; !slices.Equal(toStrings(got), want) {
			t.Fatalf("coReviewers = %v, want %v", got, want)
		}
		for _, sec := range want {
			user := "reviewer-" + strings.TrimSuffix(sec, "-xzsp")
			v.ok(v.act(user, signers[sec], "complete", map[string]any{"outcome": "agree"}), "agree "+sec)
		}
		jd := v.open(k.ID, "jointDecision")
		v.ok(v.act("reviewer-fgj", jd, "complete", map[string]any{"outcome": "approve"}), "approve")
		v.ok(v.act("clerk1", v.open(k.ID, "delivery"), "complete", map[string]any{}), "deliver")
		v.x.WaitStatus(k.ID, "completed")

		k2 := v.submitted(v.apply("applicant1", application("农业", 800)))
		v.ok(v.act("clerk1", v.open(k2.ID, "acceptance"), "complete", map[string]any{"outcome": "accept"}), "accept")
		if signers := v.openBy(k2.ID, "countersign", 1); signers["fgj-xzsp"] == "" {
			t.Fatalf("a small farm project: countersign %v, want 发改局 alone", signers)
		}
	})
}

func toStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, x := range l {
		out[i], _ = x.(string)
	}
	return out
}
