package stixmap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/stix"
)

// Submission is an incident report read from a STIX bundle.
type Submission struct {
	// ReportID is ACD's id of the report the bundle updates, from the
	// extension's report_id; empty for a new report.
	ReportID string
	// Stage is the stage the bundle files.
	Stage reporting.Stage
	// Content is the report.
	Content reporting.Content
}

// Import reads an incident report from a STIX 2.1 bundle. The bundle must
// be valid STIX (see [stix.ParseBundle]) and hold exactly one incident
// that carries ACD's extension (ExtensionID). Objects map to the report as
// the package documentation describes; every object that maps to no
// field becomes an Attachment holding its JSON as submitted.
//
// Import checks STIX and the extension's schema, not the reporting rules
// (which fields each stage needs, the form of indicator values): the
// reporting service checks those. Errors are [*stix.Error]s naming the
// object and the property.
func Import(data []byte) (Submission, error) {
	var sub Submission
	b, err := stix.ParseBundle(data)
	if err != nil {
		return sub, err
	}
	objs := b.Objects
	objErr := func(i int, path, format string, args ...any) error {
		return &stix.Error{Index: i, ID: objs[i].ObjectID(), Path: path, Err: fmt.Errorf(format, args...)}
	}

	// The incident and its extension.
	inc := -1
	for i, o := range objs {
		if _, ok := o.(*stix.Incident); !ok {
			continue
		}
		if inc >= 0 {
			return sub, objErr(i, "", "a second incident (the first is objects[%d]); a report bundle holds exactly one", inc)
		}
		inc = i
	}
	if inc < 0 {
		return sub, &stix.Error{Index: -1, Path: "objects", Err: fmt.Errorf("no incident; a report bundle holds exactly one, with the ACD extension %s", ExtensionID)}
	}
	incident := objs[inc].(*stix.Incident)
	ext, ok := incident.Extensions[ExtensionID]
	if !ok {
		return sub, objErr(inc, "extensions", "the ACD incident report extension %s is missing", ExtensionID)
	}
	if err := decodeExtension(ext, &sub); err != nil {
		if e, ok := err.(*stix.Error); ok {
			e.Index, e.ID = inc, incident.ID
		}
		return sub, err
	}
	c := &sub.Content
	c.Title, c.Summary = incident.Name, incident.Description

	consumed := make([]bool, len(objs))
	consumed[inc] = true
	mapped := map[string]bool{} // ids of objects that became report fields
	byID := map[string]int{}
	for i, o := range objs {
		if _, dup := byID[o.ObjectID()]; !dup {
			byID[o.ObjectID()] = i
		}
		// Objects that say nothing beyond their id: ACD's own, the TLP
		// markings, and the submitter's identity.
		switch id := o.ObjectID(); {
		case id == IdentityID, id == ExtensionID, id == PurposeMarkingID, id == incident.CreatedByRef:
			consumed[i] = true
		case o.ObjectType() == "marking-definition":
			if _, _, tlp := stix.TLPLevel(id); tlp {
				consumed[i] = true
			}
		}
	}

	for i, o := range objs {
		switch o := o.(type) {
		case *stix.Indicator:
			if in, ok := indicatorOf(o); ok {
				c.Indicators = append(c.Indicators, in)
				consumed[i], mapped[o.ID] = true, true
			}
		case *stix.Malware:
			c.Malware = append(c.Malware, reporting.Malware{Name: o.Name, IsFamily: o.IsFamily, Types: o.MalwareTypes})
			consumed[i], mapped[o.ID] = true, true
		case *stix.AttackPattern:
			if t, ok := techniqueOf(o); ok {
				c.Techniques = append(c.Techniques, t)
				consumed[i], mapped[o.ID] = true, true
			}
		}
	}

	// Observed data whose every observable maps; the observables it
	// refers to are consumed unless observed data kept as an attachment
	// also refers to them.
	usedBy := map[string]bool{}   // SCO ids referred to by mapped observed-data
	neededBy := map[string]bool{} // SCO ids referred to by observed-data kept whole
	for i, o := range objs {
		od, ok := o.(*stix.ObservedData)
		if !ok {
			continue
		}
		obs, ok := observationOf(od, objs, byID)
		if !ok {
			for _, r := range od.ObjectRefs {
				neededBy[r] = true
			}
			continue
		}
		c.Observations = append(c.Observations, obs)
		consumed[i], mapped[od.ID] = true, true
		for _, r := range od.ObjectRefs {
			usedBy[r] = true
		}
	}
	for i, o := range objs {
		if id := o.ObjectID(); usedBy[id] && !neededBy[id] {
			consumed[i] = true
		}
	}

	// Relationships between the incident and a mapped object.
	for i, o := range objs {
		if r, ok := o.(*stix.Relationship); ok {
			if r.SourceRef == incident.ID && mapped[r.TargetRef] || r.TargetRef == incident.ID && mapped[r.SourceRef] {
				consumed[i] = true
			}
		}
	}

	for i, o := range objs {
		if consumed[i] {
			continue
		}
		var raw bytes.Buffer
		if err := json.Compact(&raw, b.RawObject(i)); err != nil {
			return sub, objErr(i, "", "keep as attachment: %v", err)
		}
		c.Attachments = append(c.Attachments, reporting.Attachment{Type: o.ObjectType(), ID: o.ObjectID(), Object: raw.Bytes()})
	}
	return sub, nil
}

// indicatorTypes maps the object paths of simple patterns to indicator
// types: "[ipv4-addr:value = '…']" is an IPv4 indicator.
func indicatorType(p stix.ObjectPath) (reporting.IndicatorType, bool) {
	if len(p.Steps) == 1 && p.Steps[0].Key == "value" && !p.Steps[0].IsIndex && !p.Steps[0].Any {
		switch p.ObjectType {
		case "ipv4-addr":
			return reporting.IndicatorIPv4, true
		case "ipv6-addr":
			return reporting.IndicatorIPv6, true
		case "domain-name":
			return reporting.IndicatorDomain, true
		case "url":
			return reporting.IndicatorURL, true
		case "email-addr":
			return reporting.IndicatorEmail, true
		}
	}
	if p.ObjectType == "file" && len(p.Steps) == 2 && p.Steps[0].Key == "hashes" && p.Steps[1].Key != "" {
		return hashType(p.Steps[1].Key)
	}
	return "", false
}

// hashType returns the indicator type of a hash algorithm name
// (hash-algorithm-ov), accepting any case and the names without hyphen.
func hashType(name string) (reporting.IndicatorType, bool) {
	switch strings.ToUpper(name) {
	case "MD5":
		return reporting.IndicatorMD5, true
	case "SHA-1", "SHA1":
		return reporting.IndicatorSHA1, true
	case "SHA-256", "SHA256":
		return reporting.IndicatorSHA256, true
	}
	return "", false
}

// indicatorOf maps an indicator whose pattern is one comparison of a
// supported object path with a string.
func indicatorOf(o *stix.Indicator) (reporting.Indicator, bool) {
	if o.PatternType != "stix" {
		return reporting.Indicator{}, false
	}
	p, err := stix.ParsePattern(o.Pattern)
	if err != nil {
		return reporting.Indicator{}, false
	}
	path, value, ok := p.SimpleEquality()
	if !ok {
		return reporting.Indicator{}, false
	}
	typ, ok := indicatorType(path)
	if !ok {
		return reporting.Indicator{}, false
	}
	return reporting.Indicator{Type: typ, Value: value, Description: o.Description}, true
}

var techniqueRE = regexp.MustCompile(`^[Tt][0-9]{4}(\.[0-9]{3})?$`)

// techniqueOf returns the ATT&CK technique id of an attack pattern: the
// external_id of its first external reference from mitre-attack.
func techniqueOf(o *stix.AttackPattern) (string, bool) {
	for _, r := range o.ExternalReferences {
		if r.SourceName == "mitre-attack" {
			return r.ExternalID, techniqueRE.MatchString(r.ExternalID)
		}
	}
	return "", false
}

// observationOf maps observed data whose observables all map to indicator
// values: by object_refs to observables in the bundle, or in the
// deprecated objects.
func observationOf(od *stix.ObservedData, objs []stix.Object, byID map[string]int) (reporting.Observation, bool) {
	obs := reporting.Observation{First: od.FirstObserved.Time, Last: od.LastObserved.Time, Count: od.NumberObserved}
	var scos []stix.Object
	if od.ObjectRefs != nil {
		for _, r := range od.ObjectRefs {
			i, ok := byID[r]
			if !ok {
				return obs, false
			}
			scos = append(scos, objs[i])
		}
	} else {
		_, embedded, err := od.Embedded()
		if err != nil {
			return obs, false
		}
		scos = embedded
	}
	for _, o := range scos {
		ins, ok := observableOf(o)
		if !ok {
			return obs, false
		}
		obs.Objects = append(obs.Objects, ins...)
	}
	return obs, len(obs.Objects) > 0
}

// observableOf maps an observable that holds nothing but its value (or,
// for a file, MD5, SHA-1 or SHA-256 hashes) to indicators.
func observableOf(o stix.Object) ([]reporting.Indicator, bool) {
	plain := func(c stix.ObservableCommon) bool {
		return !c.Defanged && c.Extensions == nil && c.Custom == nil
	}
	one := func(t reporting.IndicatorType, v string) ([]reporting.Indicator, bool) {
		return []reporting.Indicator{{Type: t, Value: v}}, true
	}
	switch o := o.(type) {
	case *stix.IPv4Addr:
		if plain(o.ObservableCommon) && o.ResolvesToRefs == nil && o.BelongsToRefs == nil {
			return one(reporting.IndicatorIPv4, o.Value)
		}
	case *stix.IPv6Addr:
		if plain(o.ObservableCommon) && o.ResolvesToRefs == nil && o.BelongsToRefs == nil {
			return one(reporting.IndicatorIPv6, o.Value)
		}
	case *stix.DomainName:
		if plain(o.ObservableCommon) && o.ResolvesToRefs == nil {
			return one(reporting.IndicatorDomain, o.Value)
		}
	case *stix.URL:
		if plain(o.ObservableCommon) {
			return one(reporting.IndicatorURL, o.Value)
		}
	case *stix.EmailAddr:
		if plain(o.ObservableCommon) && o.DisplayName == "" && o.BelongsToRef == "" {
			return one(reporting.IndicatorEmail, o.Value)
		}
	case *stix.File:
		bare := stix.File{ObservableCommon: o.ObservableCommon, Hashes: o.Hashes}
		if !plain(o.ObservableCommon) || !equalFile(o, &bare) {
			return nil, false
		}
		var ins []reporting.Indicator
		for _, alg := range []string{"MD5", "SHA-1", "SHA-256"} {
			if v, ok := o.Hashes[alg]; ok {
				t, _ := hashType(alg)
				ins = append(ins, reporting.Indicator{Type: t, Value: v})
			}
		}
		if len(ins) != len(o.Hashes) {
			return nil, false // another algorithm, which no indicator type holds
		}
		return ins, true
	}
	return nil, false
}

// equalFile reports whether a and b have the same properties.
func equalFile(a, b *stix.File) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// quote quotes s for an error message, cut to 64 characters.
func quote(s string) string {
	if utf8.RuneCountInString(s) <= 64 {
		return strconv.Quote(s)
	}
	return strconv.Quote(string([]rune(s)[:64])) + "…"
}
