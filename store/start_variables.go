package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

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
		st, err := UnitOfKind(ctx, q, "stationId", in.StationID, KindStation)
		if err != nil {
			return nil, err
		}
		stationCode = st.Code
	}
	codes := map[string]string{}
	if err := UnitCodes(ctx, q, ItemUnits(&iv.ItemContent), codes); err != nil {
		return nil, err
	}
	return StartVars(&iv.ItemContent, iv.ItemID, iv.Version, codes, in, stationCode), nil
}

// ItemUnits lists the org units item content c names: its department, implementing body,
// lead section and co-reviewing sections.
func ItemUnits(c *ItemContent) []string {
	return append([]string{c.DepartmentID, c.ImplementingBodyID, c.LeadSectionID}, c.CoReviewerSectionIDs...)
}

// UnitCodes adds the codes of the org units ids ("" skipped) to codes, reading those it does
// not hold yet.
func UnitCodes(ctx context.Context, q Q, ids []string, codes map[string]string) error {
	for _, id := range ids {
		if _, ok := codes[id]; ok || id == "" {
			continue
		}
		u, err := GetOrgUnit(ctx, q, id)
		if err != nil {
			return fmt.Errorf("org unit of an item: %w", err)
		}
		codes[id] = u.Code
	}
	return nil
}

// UnitOfKind loads org unit id, named by the request's field, and checks that it is of one
// of kinds: a missing id, a unit that does not exist and one of another kind are an
// *InvalidError on field.
func UnitOfKind(ctx context.Context, q Q, field, id string, kinds ...string) (*OrgUnit, error) {
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

// StartVars builds the start variables of a case of version version of item itemID with
// content c; numbers are float64, as they come back from JSON. codes maps org unit ids to
// the codes the flow's candidate groups hold; an id without one stands for itself (what a
// check of the flow before any case uses).
func StartVars(c *ItemContent, itemID string, version int, codes map[string]string, in CaseStart, station string) map[string]any {
	code := func(id string) string {
		if s, ok := codes[id]; ok {
			return s
		}
		return id
	}
	coReviewers := make([]any, len(c.CoReviewerSectionIDs))
	for i, id := range c.CoReviewerSectionIDs {
		coReviewers[i] = code(id)
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
	v := StartVars(&ItemContent{}, "", 0, nil, CaseStart{}, "")
	names := slices.Collect(maps.Keys(v))
	sort.Strings(names)
	return names
}
