package stixmap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/stix"
)

// ExportInput is one version of a report to export.
type ExportInput struct {
	// ReportID is ACD's id of the report; required.
	ReportID string
	// OrgName is the name of the operator that filed the report; when not
	// empty the bundle has an identity for it, which created the report's
	// objects (otherwise ACD's identity did).
	OrgName string
	// Stage and Version are the stage and number of this version.
	Stage   reporting.Stage
	Version int
	// Created is when the report was first filed (required); Modified when
	// this version was (Created if zero).
	Created, Modified time.Time
	// Content is the report as it stood in this version.
	Content reporting.Content
}

// Export writes one version of a report as a STIX 2.1 bundle, compact JSON
// ending in a newline: ACD's
// identity, the extension-definition, the purpose marking and TLP:AMBER,
// the incident with ACD's extension, and for the content indicators,
// observed data with its observables, malware and attack patterns, each
// related to the incident, then the attachments as they were submitted.
// Every object that carries report content is marked with the purpose
// marking and TLP:AMBER.
//
// The output is a function of in: object ids are UUIDv5 of the report id,
// the version and the object's position, except the incident's, which is
// the same in every version of the report so that STIX consumers see the
// versions as versions of one incident. The bundle is checked with
// [stix.ParseBundle] before it is returned, so content that cannot be
// valid STIX (an observation counted zero times, say) is an error.
func Export(in ExportInput) ([]byte, error) {
	if in.ReportID == "" {
		return nil, errors.New("export: no report id")
	}
	if in.Created.IsZero() {
		return nil, errors.New("export: no creation time")
	}
	modified := in.Modified
	if modified.IsZero() {
		modified = in.Created
	}
	if modified.Before(in.Created) {
		return nil, fmt.Errorf("export: modified %s is before created %s", stix.FormatTime(modified), stix.FormatTime(in.Created))
	}
	c := &in.Content
	ns := namespace()
	counters := map[string]int{}
	newID := func(typ string) string {
		n := counters[typ]
		counters[typ]++
		return stix.NewIDv5(typ, ns, fmt.Sprintf("%s/%d/%s/%d", in.ReportID, in.Version, typ, n))
	}
	incidentID := stix.NewIDv5("incident", ns, in.ReportID)
	markings := []string{PurposeMarkingID, stix.TLPAmber}
	tlp, _ := stix.TLPMarking("amber")

	objs := []stix.Object{Identity(), ExtensionDefinition(), PurposeMarking(), tlp}
	creator := IdentityID
	if in.OrgName != "" {
		org := operatorIdentity(in.OrgName)
		objs = append(objs, org)
		creator = org.ID
	}
	common := func(typ, id string, created time.Time) stix.Common {
		return stix.Common{
			Type: typ, SpecVersion: stix.SpecVersion, ID: id, CreatedByRef: creator,
			Created: stix.TS(created), Modified: stix.TS(modified), ObjectMarkingRefs: markings,
		}
	}

	ext, err := json.Marshal(newExtension(in.ReportID, in.Stage, c))
	if err != nil {
		return nil, fmt.Errorf("export: extension: %w", err)
	}
	incident := &stix.Incident{Common: common("incident", incidentID, in.Created), Name: title(c, in.ReportID), Description: c.Summary}
	incident.Extensions = map[string]json.RawMessage{ExtensionID: ext}
	objs = append(objs, incident)

	var related []string // ids to relate to the incident, in order
	validFrom := c.OccurredAt
	if validFrom.IsZero() {
		validFrom = c.AwareAt
	}
	if validFrom.IsZero() {
		validFrom = in.Created
	}
	for i, ind := range c.Indicators {
		path, ok := patternPath(ind.Type)
		if !ok {
			return nil, fmt.Errorf("export: indicators[%d].type: %s has no STIX pattern", i, quote(string(ind.Type)))
		}
		o := &stix.Indicator{
			Common:      common("indicator", newID("indicator"), modified),
			Name:        ind.Value,
			Description: ind.Description,
			Pattern:     stix.EqualityPattern(path, ind.Value),
			PatternType: "stix",
			ValidFrom:   stix.TS(validFrom),
		}
		switch c.Kind {
		case reporting.KindIncident:
			o.IndicatorTypes = []string{"malicious-activity"}
		case reporting.KindPrecursor:
			o.IndicatorTypes = []string{"anomalous-activity"}
		}
		objs = append(objs, o)
		related = append(related, o.ID)
	}
	// Observables already in the bundle: those written for earlier
	// observations and those among the attachments, which are written as
	// they were submitted.
	seen := map[string]bool{}
	for _, a := range c.Attachments {
		seen[a.ID] = true
	}
	for i, obs := range c.Observations {
		od := &stix.ObservedData{
			Common:         common("observed-data", newID("observed-data"), modified),
			FirstObserved:  stix.TS(obs.First),
			LastObserved:   stix.TS(obs.Last),
			NumberObserved: obs.Count,
		}
		var scos []stix.Object
		for j, v := range obs.Objects {
			sco, err := observable(v, markings)
			if err != nil {
				return nil, fmt.Errorf("export: observations[%d].objects[%d]: %w", i, j, err)
			}
			od.ObjectRefs = append(od.ObjectRefs, sco.ObjectID())
			if !seen[sco.ObjectID()] {
				seen[sco.ObjectID()] = true
				scos = append(scos, sco)
			}
		}
		objs = append(objs, od)
		objs = append(objs, scos...)
		related = append(related, od.ID)
	}
	for _, m := range c.Malware {
		o := &stix.Malware{Common: common("malware", newID("malware"), modified), Name: m.Name, IsFamily: m.IsFamily, MalwareTypes: m.Types}
		objs = append(objs, o)
		related = append(related, o.ID)
	}
	for _, t := range c.Techniques {
		o := &stix.AttackPattern{Common: common("attack-pattern", newID("attack-pattern"), modified), Name: t}
		o.ExternalReferences = []stix.ExternalReference{{SourceName: "mitre-attack", ExternalID: t, URL: techniqueURL(t)}}
		objs = append(objs, o)
		related = append(related, o.ID)
	}
	for _, id := range related {
		objs = append(objs, &stix.Relationship{
			Common:           common("relationship", newID("relationship"), modified),
			RelationshipType: "related-to",
			SourceRef:        incidentID,
			TargetRef:        id,
		})
	}
	for _, a := range c.Attachments {
		objs = append(objs, &stix.Raw{Type: a.Type, ID: a.ID, JSON: a.Object})
	}

	b := &stix.Bundle{Type: "bundle", ID: stix.NewIDv5("bundle", ns, fmt.Sprintf("%s/%d", in.ReportID, in.Version)), Objects: objs}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if _, err := stix.ParseBundle(out.Bytes()); err != nil {
		return nil, fmt.Errorf("export: the report does not make a valid STIX bundle: %w", err)
	}
	return out.Bytes(), nil
}

// operatorIdentity returns the identity of an operator. Its id and times
// depend on the name only, so every export has the same object for it.
func operatorIdentity(name string) *stix.Identity {
	return &stix.Identity{
		Common: stix.Common{
			Type: "identity", SpecVersion: stix.SpecVersion, ID: stix.NewIDv5("identity", namespace(), "operator/"+name),
			Created: published, Modified: published,
		},
		Name:          name,
		IdentityClass: "organization",
	}
}

// title returns the incident's name: the report's title, or the first line
// of its summary, or failing both a name made of the report id.
func title(c *reporting.Content, reportID string) string {
	if c.Title != "" {
		return c.Title
	}
	s := c.Summary
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if r := []rune(strings.TrimSpace(s)); len(r) > 80 {
		return string(r[:79]) + "…"
	} else if len(r) > 0 {
		return string(r)
	}
	return "Report " + reportID
}

// patternPath returns the object path that patterns for indicators of
// type t compare.
func patternPath(t reporting.IndicatorType) (string, bool) {
	switch t {
	case reporting.IndicatorIPv4:
		return "ipv4-addr:value", true
	case reporting.IndicatorIPv6:
		return "ipv6-addr:value", true
	case reporting.IndicatorDomain:
		return "domain-name:value", true
	case reporting.IndicatorURL:
		return "url:value", true
	case reporting.IndicatorEmail:
		return "email-addr:value", true
	case reporting.IndicatorMD5:
		return "file:hashes.MD5", true
	case reporting.IndicatorSHA1:
		return "file:hashes.'SHA-1'", true
	case reporting.IndicatorSHA256:
		return "file:hashes.'SHA-256'", true
	}
	return "", false
}

// observable returns the cyber-observable for an observed value, with
// its deterministic id and the given markings. An indicator's description
// has no place in an observable and is left out.
func observable(v reporting.Indicator, markings []string) (stix.Object, error) {
	hash := func(alg string) (stix.Object, error) {
		f, err := stix.NewFile("", map[string]string{alg: v.Value})
		if err != nil {
			return nil, err
		}
		f.ObjectMarkingRefs = markings
		return f, nil
	}
	switch v.Type {
	case reporting.IndicatorIPv4:
		o := stix.NewIPv4Addr(v.Value)
		o.ObjectMarkingRefs = markings
		return o, nil
	case reporting.IndicatorIPv6:
		o := stix.NewIPv6Addr(v.Value)
		o.ObjectMarkingRefs = markings
		return o, nil
	case reporting.IndicatorDomain:
		o := stix.NewDomainName(v.Value)
		o.ObjectMarkingRefs = markings
		return o, nil
	case reporting.IndicatorURL:
		o := stix.NewURL(v.Value)
		o.ObjectMarkingRefs = markings
		return o, nil
	case reporting.IndicatorEmail:
		o := stix.NewEmailAddr(v.Value)
		o.ObjectMarkingRefs = markings
		return o, nil
	case reporting.IndicatorMD5:
		return hash("MD5")
	case reporting.IndicatorSHA1:
		return hash("SHA-1")
	case reporting.IndicatorSHA256:
		return hash("SHA-256")
	}
	return nil, fmt.Errorf("type: %s has no cyber-observable", quote(string(v.Type)))
}

// techniqueURL returns the ATT&CK page of a technique: T1059.001 is
// https://attack.mitre.org/techniques/T1059/001/.
func techniqueURL(t string) string {
	return "https://attack.mitre.org/techniques/" + strings.ReplaceAll(strings.ToUpper(t), ".", "/") + "/"
}
