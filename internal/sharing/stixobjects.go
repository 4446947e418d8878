package sharing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/stix"
)

// namespace is the UUIDv5 namespace of the ids of advisories' STIX
// objects: the same advisory always gives the same ids, so that its
// revisions, and its withdrawal, are versions of the same objects.
func namespace() stix.UUID {
	u, _ := stix.ParseUUID("ceba7573-c54f-44ba-a372-9053fbcebe6a")
	return u
}

// identityCreated is the created and modified time of the Cabinet
// Office's identity: the day the Act was enacted.
var identityCreated = time.Date(2025, 5, 16, 0, 0, 0, 0, time.UTC)

// IdentityID is the STIX id of the Cabinet Office's identity, the creator
// of every advisory's objects.
var IdentityID = stix.NewIDv5("identity", namespace(), "cabinet-office")

// Identity returns the identity of the Cabinet Office. It is public
// information and marked TLP:CLEAR in every bundle.
func Identity() *stix.Identity {
	return &stix.Identity{
		Common: stix.Common{Type: "identity", SpecVersion: stix.SpecVersion, ID: IdentityID,
			Created: stix.TS(identityCreated), Modified: stix.TS(identityCreated), ObjectMarkingRefs: []string{stix.TLPClear}},
		Name:          "Cabinet Office, National Cybersecurity Office",
		Description:   "Publishes the advisories and alerts of the Government of Japan under the Act on Active Cyber Defense for Critical Infrastructure (§41), and shares them with the council (ch.9).",
		IdentityClass: "organization",
		Sectors:       []string{"government-national"},
	}
}

// STIXObjects returns the STIX 2.1 objects of a published advisory
// revision: the Cabinet Office's identity, the TLP 2.0 marking-definition
// of its level, a report whose description holds the executive and the
// technical part, an indicator per indicator, and an attack-pattern per
// ATT&CK technique (with its mitre-attack external reference), every one
// but the marking-definition with object_marking_refs. The objects'
// modified time is the publication, or the withdrawal for a withdrawn
// revision, whose objects are revoked. The objects are checked as a
// bundle with stix.ParseBundle before they are returned.
func STIXObjects(a Advisory) ([]stix.Object, error) {
	if a.PublishedAt.IsZero() {
		return nil, fmt.Errorf("stix objects of advisory %s: revision %d is not published", a.ID, a.Revision)
	}
	modified, revoked := a.PublishedAt, false
	if a.State == StateWithdrawn {
		modified, revoked = a.WithdrawnAt, true
	}
	return stixObjects(a, modified, revoked)
}

// stixObjects is STIXObjects with the objects' modified time and revoked
// flag given.
func stixObjects(a Advisory, modified time.Time, revoked bool) ([]stix.Object, error) {
	md, ok := stix.TLPMarking(string(a.Marking.Level))
	if !ok {
		return nil, fmt.Errorf("stix objects of advisory %s: no TLP 2.0 marking for %q", a.ID, a.Marking.Level)
	}
	ns := namespace()
	common := func(typ, name string) stix.Common {
		return stix.Common{Type: typ, SpecVersion: stix.SpecVersion, ID: stix.NewIDv5(typ, ns, a.ID+"/"+name), CreatedByRef: IdentityID,
			Created: stix.TS(a.FirstCreatedAt), Modified: stix.TS(modified), Revoked: revoked, ObjectMarkingRefs: []string{md.ID}}
	}
	objs := []stix.Object{Identity(), md}
	var refs []string
	for i, in := range a.Technical.Indicators {
		pattern, err := indicatorPattern(in)
		if err != nil {
			return nil, fmt.Errorf("stix objects of advisory %s: technical.indicators[%d]: %w", a.ID, i, err)
		}
		name := in.Value
		if name == "" {
			name = fmt.Sprintf("Indicator %d of %s", i+1, a.Title)
		}
		o := &stix.Indicator{Common: common("indicator", pattern), Name: name, Description: in.Description,
			IndicatorTypes: []string{"malicious-activity"}, Pattern: pattern, PatternType: "stix", ValidFrom: stix.TS(a.PublishedAt)}
		objs, refs = append(objs, o), append(refs, o.ID)
	}
	for _, t := range a.Technical.Techniques {
		name := t.Name
		if name == "" {
			name = t.ID
		}
		o := &stix.AttackPattern{Common: common("attack-pattern", t.ID), Name: name}
		o.ExternalReferences = []stix.ExternalReference{{SourceName: "mitre-attack", ExternalID: t.ID, URL: techniqueURL(t.ID)}}
		objs, refs = append(objs, o), append(refs, o.ID)
	}
	for _, v := range a.Technical.Vulnerabilities {
		o := &stix.Vulnerability{Common: common("vulnerability", v.CVE), Name: v.CVE, Description: v.Description}
		o.ExternalReferences = []stix.ExternalReference{{SourceName: "cve", ExternalID: v.CVE}}
		objs, refs = append(objs, o), append(refs, o.ID)
	}
	if len(refs) == 0 {
		refs = []string{IdentityID}
	}
	rc := common("report", "report")
	rc.ExternalReferences = []stix.ExternalReference{{SourceName: "acd", ExternalID: fmt.Sprintf("%s:%d", a.ID, a.Revision),
		Description: "ACD advisory and revision"}}
	objs = append(objs, &stix.Report{Common: rc, Name: a.Title, Description: ReportText(a), ReportTypes: []string{"threat-report"},
		Published: stix.TS(a.PublishedAt), ObjectRefs: refs})
	if _, err := stix.ParseBundle(bundleJSON(objs)); err != nil {
		return nil, fmt.Errorf("stix objects of advisory %s: not valid STIX: %w", a.ID, err)
	}
	return objs, nil
}

// Bundle returns the objects as a STIX bundle, with an id derived from the
// advisory revision.
func Bundle(a Advisory, objs []stix.Object) []byte {
	b := &stix.Bundle{Type: "bundle", ID: stix.NewIDv5("bundle", namespace(), fmt.Sprintf("%s/%d/%s", a.ID, a.Revision, a.State)), Objects: objs}
	return encodeJSON(b)
}

func bundleJSON(objs []stix.Object) []byte {
	return encodeJSON(&stix.Bundle{Type: "bundle", ID: stix.NewIDv5("bundle", namespace(), "check"), Objects: objs})
}

func encodeJSON(v any) []byte {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte("{}")
	}
	return out.Bytes()
}

// indicatorPattern returns the STIX pattern of an indicator.
func indicatorPattern(in Indicator) (string, error) {
	if in.Type == IndicatorPattern {
		return in.Pattern, nil
	}
	path, ok := map[string]string{
		IndicatorIPv4: "ipv4-addr:value", IndicatorIPv6: "ipv6-addr:value", IndicatorDomain: "domain-name:value",
		IndicatorURL: "url:value", IndicatorEmail: "email-addr:value", IndicatorMD5: "file:hashes.MD5",
		IndicatorSHA1: "file:hashes.'SHA-1'", IndicatorSHA256: "file:hashes.'SHA-256'",
	}[in.Type]
	if !ok {
		return "", fmt.Errorf("type %q has no STIX pattern", in.Type)
	}
	return stix.EqualityPattern(path, in.Value), nil
}

// techniqueURL returns the ATT&CK page of a technique: T1059.001 is
// https://attack.mitre.org/techniques/T1059/001/.
func techniqueURL(t string) string {
	return "https://attack.mitre.org/techniques/" + strings.ReplaceAll(t, ".", "/") + "/"
}

// ExecutiveText is the executive part as plain text: the Atom feed's
// summary and the start of the STIX report's description.
func ExecutiveText(a Advisory) string {
	var b strings.Builder
	for _, p := range []struct{ head, text string }{
		{"Background", a.Executive.Background}, {"The attacker's purpose", a.Executive.Purpose},
		{"Business impact", a.Executive.Impact}, {"Recommended actions", a.Executive.Actions},
	} {
		if p.text == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(p.head + ": " + p.text)
	}
	return b.String()
}

// ReportText is the description of an advisory's STIX report: the
// executive part, then the technical summary and the threat-hunting
// guidance.
func ReportText(a Advisory) string {
	var b strings.Builder
	b.WriteString("Executive part\n\n" + ExecutiveText(a))
	b.WriteString("\n\nTechnical part\n\n" + a.Technical.Summary)
	if a.Technical.Hunting != "" {
		b.WriteString("\n\nThreat hunting: " + a.Technical.Hunting)
	}
	return b.String()
}
