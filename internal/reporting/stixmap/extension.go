package stixmap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/stix"
)

// reportExtension is the JSON of ACD's extension in an incident's
// extensions, as extension.schema.json defines it.
type reportExtension struct {
	ExtensionType  string           `json:"extension_type"`
	ReportID       string           `json:"report_id,omitempty"`
	Stage          reporting.Stage  `json:"stage"`
	Purpose        string           `json:"purpose,omitempty"`
	Kind           reporting.Kind   `json:"kind,omitempty"`
	AwareAt        stix.Timestamp   `json:"aware_at,omitzero"`
	OccurredAt     stix.Timestamp   `json:"occurred_at,omitzero"`
	Status         reporting.Status `json:"status,omitempty"`
	StatusDetail   string           `json:"status_detail,omitempty"`
	Contact        *extContact      `json:"contact,omitempty"`
	Impact         *extImpact       `json:"impact,omitempty"`
	AffectedAssets []string         `json:"affected_assets,omitempty"`
	MeasuresTaken  string           `json:"measures_taken,omitempty"`
	Timeline       []extEvent       `json:"timeline,omitempty"`
	RootCause      string           `json:"root_cause,omitempty"`
	Recurrence     string           `json:"recurrence,omitempty"`
}

type extContact struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

type extImpact struct {
	Level       reporting.ImpactLevel `json:"level,omitempty"`
	Description string                `json:"description,omitempty"`
}

type extEvent struct {
	Time        stix.Timestamp `json:"time"`
	Description string         `json:"description"`
}

// newExtension returns the extension for a report's content.
func newExtension(reportID string, stage reporting.Stage, c *reporting.Content) reportExtension {
	e := reportExtension{
		ExtensionType:  stix.ExtensionProperty,
		ReportID:       reportID,
		Stage:          stage,
		Purpose:        Purpose,
		Kind:           c.Kind,
		AwareAt:        stix.TS(c.AwareAt),
		OccurredAt:     stix.TS(c.OccurredAt),
		Status:         c.Status,
		StatusDetail:   c.StatusDetail,
		AffectedAssets: c.AffectedAssets,
		MeasuresTaken:  c.MeasuresTaken,
		RootCause:      c.RootCause,
		Recurrence:     c.Recurrence,
	}
	if c.Contact != (reporting.Contact{}) {
		e.Contact = &extContact{c.Contact.Name, c.Contact.Email, c.Contact.Phone}
	}
	if c.Impact != (reporting.Impact{}) {
		e.Impact = &extImpact{c.Impact.Level, c.Impact.Description}
	}
	for _, ev := range c.Timeline {
		e.Timeline = append(e.Timeline, extEvent{stix.TS(ev.Time), ev.Description})
	}
	return e
}

// extReader decodes the extension property by property, so that every
// error names the property as the extension's schema does.
type extReader struct {
	path  string // "extensions.extension-definition--…"
	props map[string]json.RawMessage
}

func (r *extReader) fail(prop, format string, args ...any) error {
	path := r.path
	if prop != "" {
		path += "." + prop
	}
	return &stix.Error{Index: -1, Path: path, Err: fmt.Errorf(format, args...)}
}

// str decodes a string property; ok is false when it is absent.
func (r *extReader) str(prop string) (s string, ok bool, err error) {
	raw, ok := r.props[prop]
	if !ok {
		return "", false, nil
	}
	if err := json.Unmarshal(raw, &s); err != nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return "", true, r.fail(prop, "want a string, have %s", kindOf(raw))
	}
	return s, true, nil
}

// strField is a string property and where to put it.
type strField struct {
	prop string
	dst  *string
}

// strs decodes string properties in order.
func (r *extReader) strs(fields ...strField) error {
	for _, f := range fields {
		s, _, err := r.str(f.prop)
		if err != nil {
			return err
		}
		*f.dst = s
	}
	return nil
}

// enum decodes a string property that must be one of values.
func (r *extReader) enum(prop string, values ...string) (string, error) {
	s, ok, err := r.str(prop)
	if err != nil || !ok {
		return "", err
	}
	for _, v := range values {
		if s == v {
			return s, nil
		}
	}
	return "", r.fail(prop, "%s: want %s", quote(s), strings.Join(values, ", "))
}

// timestamp decodes a timestamp property.
func (r *extReader) timestamp(prop string) (stix.Timestamp, error) {
	s, ok, err := r.str(prop)
	if err != nil || !ok {
		return stix.Timestamp{}, err
	}
	t, err := stix.ParseTime(s)
	if err != nil {
		return stix.Timestamp{}, r.fail(prop, "%v", err)
	}
	return stix.TS(t), nil
}

// object decodes an object property into a reader for its properties.
func (r *extReader) object(prop string) (*extReader, error) {
	raw, ok := r.props[prop]
	if !ok {
		return nil, nil
	}
	sub := &extReader{path: r.path + "." + prop}
	if err := json.Unmarshal(raw, &sub.props); err != nil || sub.props == nil {
		return nil, r.fail(prop, "want an object, have %s", kindOf(raw))
	}
	return sub, nil
}

// list decodes a list property; it must not be empty.
func (r *extReader) list(prop string) ([]json.RawMessage, error) {
	raw, ok := r.props[prop]
	if !ok {
		return nil, nil
	}
	var l []json.RawMessage
	if err := json.Unmarshal(raw, &l); err != nil || l == nil {
		return nil, r.fail(prop, "want a list, have %s", kindOf(raw))
	}
	if len(l) == 0 {
		return nil, r.fail(prop, "empty list; leave the property out instead")
	}
	return l, nil
}

// only fails if the object has a property not in names.
func (r *extReader) only(names ...string) error {
	keys := make([]string, 0, len(r.props))
	for k := range r.props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		known := false
		for _, n := range names {
			known = known || k == n
		}
		if !known {
			return r.fail(k, "not a property of the ACD incident report extension (%s)", SchemaURL)
		}
	}
	return nil
}

// kindOf names the JSON kind of raw for errors.
func kindOf(raw json.RawMessage) string {
	switch t := bytes.TrimSpace(raw); {
	case len(t) == 0:
		return "nothing"
	case t[0] == '"':
		return "a string"
	case t[0] == '{':
		return "an object"
	case t[0] == '[':
		return "a list"
	case t[0] == 't' || t[0] == 'f':
		return "a boolean"
	case t[0] == 'n':
		return "null"
	}
	return "a number"
}

// decodeExtension reads ACD's extension of an incident into sub, checking
// it against the extension's schema (types, enumerations, timestamps) but
// not against the reporting rules, which the reporting service applies.
func decodeExtension(raw json.RawMessage, sub *Submission) error {
	r := &extReader{path: "extensions." + ExtensionID}
	if err := json.Unmarshal(raw, &r.props); err != nil || r.props == nil {
		return r.fail("", "want an object, have %s", kindOf(raw))
	}
	if err := r.only("extension_type", "report_id", "stage", "purpose", "kind", "aware_at", "occurred_at", "status",
		"status_detail", "contact", "impact", "affected_assets", "measures_taken", "timeline", "root_cause", "recurrence"); err != nil {
		return err
	}
	if et, _, err := r.str("extension_type"); err != nil {
		return err
	} else if et != stix.ExtensionProperty {
		return r.fail("extension_type", "%s: want %q", quote(et), stix.ExtensionProperty)
	}
	c := &sub.Content
	var err error
	var ok bool
	if sub.ReportID, ok, err = r.str("report_id"); err != nil {
		return err
	} else if ok && (sub.ReportID == "" || len(sub.ReportID) > 128) {
		return r.fail("report_id", "want 1 to 128 characters, or leave it out for a new report")
	}
	stage, err := r.enum("stage", "quick", "full", "update", "final")
	if err != nil {
		return err
	}
	if stage == "" {
		return r.fail("stage", "required: quick, full, update or final")
	}
	sub.Stage = reporting.Stage(stage)
	if _, err := r.enum("purpose", Purpose); err != nil {
		return err
	}
	kind, err := r.enum("kind", "incident", "precursor")
	if err != nil {
		return err
	}
	c.Kind = reporting.Kind(kind)
	aware, err := r.timestamp("aware_at")
	if err != nil {
		return err
	}
	c.AwareAt = aware.Time
	occurred, err := r.timestamp("occurred_at")
	if err != nil {
		return err
	}
	c.OccurredAt = occurred.Time
	status, err := r.enum("status", "ongoing", "contained", "recovered")
	if err != nil {
		return err
	}
	c.Status = reporting.Status(status)
	if err := r.strs(strField{"status_detail", &c.StatusDetail}, strField{"measures_taken", &c.MeasuresTaken},
		strField{"root_cause", &c.RootCause}, strField{"recurrence", &c.Recurrence}); err != nil {
		return err
	}

	contact, err := r.object("contact")
	if err != nil {
		return err
	}
	if contact != nil {
		if err := contact.only("name", "email", "phone"); err != nil {
			return err
		}
		if err := contact.strs(strField{"name", &c.Contact.Name}, strField{"email", &c.Contact.Email}, strField{"phone", &c.Contact.Phone}); err != nil {
			return err
		}
	}
	impact, err := r.object("impact")
	if err != nil {
		return err
	}
	if impact != nil {
		if err := impact.only("level", "description"); err != nil {
			return err
		}
		level, err := impact.enum("level", "none", "low", "moderate", "high", "severe")
		if err != nil {
			return err
		}
		c.Impact.Level = reporting.ImpactLevel(level)
		if c.Impact.Description, _, err = impact.str("description"); err != nil {
			return err
		}
	}

	assets, err := r.list("affected_assets")
	if err != nil {
		return err
	}
	for i, raw := range assets {
		var a string
		if err := json.Unmarshal(raw, &a); err != nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			return r.fail(fmt.Sprintf("affected_assets[%d]", i), "want a string, have %s", kindOf(raw))
		}
		c.AffectedAssets = append(c.AffectedAssets, a)
	}
	events, err := r.list("timeline")
	if err != nil {
		return err
	}
	for i, raw := range events {
		prop := fmt.Sprintf("timeline[%d]", i)
		ev, err := (&extReader{path: r.path, props: map[string]json.RawMessage{prop: raw}}).object(prop)
		if err != nil {
			return err
		}
		if err := ev.only("time", "description"); err != nil {
			return err
		}
		if _, ok := ev.props["time"]; !ok {
			return ev.fail("time", "required")
		}
		t, err := ev.timestamp("time")
		if err != nil {
			return err
		}
		d, _, err := ev.str("description")
		if err != nil {
			return err
		}
		c.Timeline = append(c.Timeline, reporting.Event{Time: t.Time, Description: d})
	}
	return nil
}
