package stix

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// kind is what part of the specification an object type belongs to.
type kind int

const (
	kindSDO kind = iota
	kindSRO
	kindSCO
	kindMarking      // marking-definition
	kindExtensionDef // extension-definition
	kindLanguage     // language-content
)

// knownKind returns the kind of a type the specification defines.
func knownKind(typ string) (kind, bool) {
	switch typ {
	case "attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident",
		"indicator", "infrastructure", "intrusion-set", "location", "malware", "malware-analysis",
		"note", "observed-data", "opinion", "report", "threat-actor", "tool", "vulnerability":
		return kindSDO, true
	case "relationship", "sighting":
		return kindSRO, true
	case "artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message",
		"file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process",
		"software", "url", "user-account", "windows-registry-key", "x509-certificate":
		return kindSCO, true
	case "marking-definition":
		return kindMarking, true
	case "extension-definition":
		return kindExtensionDef, true
	case "language-content":
		return kindLanguage, true
	}
	return 0, false
}

// check checks the value of one property; path names it for errors.
type check func(v *validator, path string, val any) error

// prop is one property of an object type.
type prop struct {
	name     string
	required bool
	check    check
}

// validator checks objects. embedded, when not nil, holds the keys of the
// deprecated observable container being checked: references inside it are
// such keys rather than identifiers, and its objects have no ids.
type validator struct {
	embedded map[string]bool
}

// object checks a top-level object and returns its type and, when well
// formed, its id (for error messages even when err is not nil).
func (v *validator) object(o *jsonObject) (typ, id string, err error) {
	tv, ok := o.get("type")
	if !ok {
		return "", "", fieldError("type", "required")
	}
	typ, ok = tv.(string)
	if !ok {
		return "", "", fieldError("type", "want a string, have %s", describe(tv))
	}
	if err := checkTypeName(typ); err != nil {
		return "", "", fieldError("type", "%v", err)
	}
	if v.embedded == nil || o.has("id") {
		iv, ok := o.get("id")
		if !ok {
			return typ, "", fieldError("id", "required")
		}
		s, ok := iv.(string)
		if !ok {
			return typ, "", fieldError("id", "want a string, have %s", describe(iv))
		}
		if err := checkID(s, typ); err != nil {
			return typ, "", fieldError("id", "%v", err)
		}
		id = s
	}

	k, known := knownKind(typ)
	if !known {
		// A custom object (deprecated in 2.1) or one of a new-sdo/new-sco
		// extension: SDO-like if it has the SDO timestamps.
		k = kindSCO
		if o.has("created") || o.has("modified") {
			k = kindSDO
		}
	}
	if v.embedded != nil && k != kindSCO {
		return typ, id, fieldError("type", "%s is not a cyber-observable", quote(typ))
	}

	// spec_version
	switch sv, ok := o.get("spec_version"); {
	case !ok && k != kindSCO:
		return typ, id, fieldError("spec_version", "required: \"2.1\"")
	case ok && sv != SpecVersion:
		if s, _ := sv.(string); s == "2.0" {
			return typ, id, fieldError("spec_version", "\"2.0\": only STIX 2.1 is accepted")
		}
		return typ, id, fieldError("spec_version", "%s: want \"2.1\"", jsonText(sv))
	}

	props := commonProps(k)
	props = append(props, typeProps(typ)...)
	defined := map[string]bool{"type": true, "id": true, "spec_version": true}
	for _, p := range props {
		defined[p.name] = true
		val, ok := o.get(p.name)
		if !ok {
			if p.required {
				return typ, id, fieldError(p.name, "required")
			}
			continue
		}
		if val == nil {
			return typ, id, fieldError(p.name, "null is not allowed; leave the property out instead")
		}
		if err := p.check(v, p.name, val); err != nil {
			return typ, id, err
		}
	}
	for _, name := range o.keys {
		if defined[name] {
			continue
		}
		if err := v.customProp(name, o.vals[name]); err != nil {
			return typ, id, err
		}
	}
	if err := v.constraints(typ, k, o); err != nil {
		return typ, id, err
	}
	return typ, id, nil
}

// checkID checks that s is an identifier of an object of type typ.
func checkID(s, typ string) error {
	t, _, err := ParseID(s)
	if err != nil {
		return err
	}
	if t != typ {
		return fmt.Errorf("%s does not match type %s", quote(s), quote(typ))
	}
	return nil
}

// commonProps returns the common properties of objects of kind k (§3.2,
// §6.1, §7.2), apart from type, id and spec_version.
func commonProps(k kind) []prop {
	markings := []prop{
		{"object_marking_refs", false, topLevel(refList(refTo("marking-definition")))},
		{"granular_markings", false, granularMarkings},
		{"extensions", false, extensions},
	}
	switch k {
	case kindSCO:
		return append(markings, prop{"defanged", false, boolean})
	case kindMarking:
		return append(markings,
			prop{"created_by_ref", false, ref(refTo("identity"))},
			prop{"created", true, timestamp(false)},
			prop{"external_references", false, externalReferences},
			prop{"name", false, text},
			prop{"definition_type", false, text},
			prop{"definition", false, object},
		)
	}
	return append(markings,
		prop{"created_by_ref", k == kindExtensionDef, ref(refTo("identity"))},
		prop{"created", true, timestamp(true)},
		prop{"modified", true, timestamp(true)},
		prop{"revoked", false, boolean},
		prop{"labels", false, list(text)},
		prop{"confidence", false, integer(0, 100)},
		prop{"lang", false, text},
		prop{"external_references", false, externalReferences},
	)
}

// typeProps returns the properties of one type beyond the common ones.
// Types it does not know have none; their properties are checked as
// custom ones.
func typeProps(typ string) []prop {
	killChain := prop{"kill_chain_phases", false, killChainPhases}
	switch typ {
	case "attack-pattern":
		return []prop{{"name", true, text}, {"description", false, text}, {"aliases", false, list(text)}, killChain}
	case "campaign":
		return []prop{{"name", true, text}, {"description", false, text}, {"aliases", false, list(text)},
			{"first_seen", false, timestamp(false)}, {"last_seen", false, timestamp(false)}, {"objective", false, text}}
	case "course-of-action":
		return []prop{{"name", true, text}, {"description", false, text}}
	case "grouping":
		return []prop{{"name", false, text}, {"description", false, text}, {"context", true, text},
			{"object_refs", true, refList(refAny)}}
	case "identity":
		return []prop{{"name", true, text}, {"description", false, text}, {"roles", false, list(text)},
			{"identity_class", false, text}, {"sectors", false, list(text)}, {"contact_information", false, text}}
	case "incident":
		return []prop{{"name", true, text}, {"description", false, text}, killChain}
	case "indicator":
		return []prop{{"name", false, text}, {"description", false, text}, {"indicator_types", false, list(text)},
			{"pattern", true, text}, {"pattern_type", true, text}, {"pattern_version", false, text},
			{"valid_from", true, timestamp(false)}, {"valid_until", false, timestamp(false)}, killChain}
	case "infrastructure":
		return []prop{{"name", true, text}, {"description", false, text}, {"infrastructure_types", false, list(text)},
			{"aliases", false, list(text)}, killChain, {"first_seen", false, timestamp(false)}, {"last_seen", false, timestamp(false)}}
	case "intrusion-set":
		return []prop{{"name", true, text}, {"description", false, text}, {"aliases", false, list(text)},
			{"first_seen", false, timestamp(false)}, {"last_seen", false, timestamp(false)}, {"goals", false, list(text)},
			{"resource_level", false, text}, {"primary_motivation", false, text}, {"secondary_motivations", false, list(text)}}
	case "location":
		return []prop{{"name", false, text}, {"description", false, text}, {"latitude", false, number(-90, 90)},
			{"longitude", false, number(-180, 180)}, {"precision", false, number(0, math.MaxFloat64)}, {"region", false, text},
			{"country", false, text}, {"administrative_area", false, text}, {"city", false, text},
			{"street_address", false, text}, {"postal_code", false, text}}
	case "malware":
		return []prop{{"name", false, text}, {"description", false, text}, {"malware_types", false, list(text)},
			{"is_family", true, boolean}, {"aliases", false, list(text)}, killChain,
			{"first_seen", false, timestamp(false)}, {"last_seen", false, timestamp(false)},
			{"operating_system_refs", false, refList(refTo("software"))}, {"architecture_execution_envs", false, list(text)},
			{"implementation_languages", false, list(text)}, {"capabilities", false, list(text)},
			{"sample_refs", false, refList(refTo("file", "artifact"))}}
	case "malware-analysis":
		return []prop{{"product", true, text}, {"version", false, text}, {"host_vm_ref", false, ref(refTo("software"))},
			{"operating_system_ref", false, ref(refTo("software"))}, {"installed_software_refs", false, refList(refTo("software"))},
			{"configuration_version", false, text}, {"modules", false, list(text)}, {"analysis_engine_version", false, text},
			{"analysis_definition_version", false, text}, {"submitted", false, timestamp(false)},
			{"analysis_started", false, timestamp(false)}, {"analysis_ended", false, timestamp(false)},
			{"result_name", false, text}, {"result", false, text}, {"analysis_sco_refs", false, refList(refSCO)},
			{"sample_ref", false, ref(refTo("file", "artifact", "network-traffic"))}}
	case "note":
		return []prop{{"abstract", false, text}, {"content", true, text}, {"authors", false, list(text)},
			{"object_refs", true, refList(refAny)}}
	case "observed-data":
		return []prop{{"first_observed", true, timestamp(false)}, {"last_observed", true, timestamp(false)},
			{"number_observed", true, integer(1, 999999999)}, {"objects", false, observableContainer},
			{"object_refs", false, refList(refSCOorSRO)}}
	case "opinion":
		return []prop{{"explanation", false, text}, {"authors", false, list(text)},
			{"opinion", true, enum("strongly-disagree", "disagree", "neutral", "agree", "strongly-agree")},
			{"object_refs", true, refList(refAny)}}
	case "report":
		return []prop{{"name", true, text}, {"description", false, text}, {"report_types", false, list(text)},
			{"published", true, timestamp(false)}, {"object_refs", true, refList(refAny)}}
	case "threat-actor":
		return []prop{{"name", true, text}, {"description", false, text}, {"threat_actor_types", false, list(text)},
			{"aliases", false, list(text)}, {"first_seen", false, timestamp(false)}, {"last_seen", false, timestamp(false)},
			{"roles", false, list(text)}, {"goals", false, list(text)}, {"sophistication", false, text},
			{"resource_level", false, text}, {"primary_motivation", false, text}, {"secondary_motivations", false, list(text)},
			{"personal_motivations", false, list(text)}}
	case "tool":
		return []prop{{"name", true, text}, {"description", false, text}, {"tool_types", false, list(text)},
			{"aliases", false, list(text)}, killChain, {"tool_version", false, text}}
	case "vulnerability":
		return []prop{{"name", true, text}, {"description", false, text}}
	case "relationship":
		return []prop{{"relationship_type", true, relationshipType}, {"description", false, text},
			{"source_ref", true, ref(refSDOorSCO)}, {"target_ref", true, ref(refSDOorSCO)},
			{"start_time", false, timestamp(false)}, {"stop_time", false, timestamp(false)}}
	case "sighting":
		return []prop{{"description", false, text}, {"first_seen", false, timestamp(false)}, {"last_seen", false, timestamp(false)},
			{"count", false, integer(0, 999999999)}, {"sighting_of_ref", true, ref(refSDO)},
			{"observed_data_refs", false, refList(refTo("observed-data"))},
			{"where_sighted_refs", false, refList(refTo("identity", "location"))}, {"summary", false, boolean}}
	case "extension-definition":
		return []prop{{"name", true, text}, {"description", false, text}, {"schema", true, text}, {"version", true, text},
			{"extension_types", true, list(enum(ExtensionNewSDO, ExtensionNewSCO, ExtensionNewSRO, ExtensionProperty, ExtensionToplevelProperty))},
			{"extension_properties", false, list(text)}}
	case "language-content":
		return []prop{{"object_ref", true, ref(refAny)}, {"object_modified", false, timestamp(true)}, {"contents", true, dictionary}}

	// Cyber-observables.
	case "ipv4-addr":
		return []prop{{"value", true, ipValue(4)}, {"resolves_to_refs", false, refList(refTo("mac-addr"))},
			{"belongs_to_refs", false, refList(refTo("autonomous-system"))}}
	case "ipv6-addr":
		return []prop{{"value", true, ipValue(6)}, {"resolves_to_refs", false, refList(refTo("mac-addr"))},
			{"belongs_to_refs", false, refList(refTo("autonomous-system"))}}
	case "domain-name":
		return []prop{{"value", true, domainValue}, {"resolves_to_refs", false, refList(refTo("ipv4-addr", "ipv6-addr", "domain-name"))}}
	case "url":
		return []prop{{"value", true, urlValue}}
	case "email-addr":
		return []prop{{"value", true, emailValue}, {"display_name", false, text}, {"belongs_to_ref", false, ref(refTo("user-account"))}}
	case "file":
		return []prop{{"hashes", false, hashes}, {"size", false, integer(0, math.MaxInt64)}, {"name", false, text},
			{"name_enc", false, text}, {"magic_number_hex", false, hexString}, {"mime_type", false, text},
			{"ctime", false, timestamp(false)}, {"mtime", false, timestamp(false)}, {"atime", false, timestamp(false)},
			{"parent_directory_ref", false, ref(refTo("directory"))}, {"contains_refs", false, refList(refSCO)},
			{"content_ref", false, ref(refTo("artifact"))}}
	case "artifact":
		return []prop{{"mime_type", false, text}, {"payload_bin", false, binary}, {"url", false, urlValue}, {"hashes", false, hashes}}
	case "autonomous-system":
		return []prop{{"number", true, integer(0, math.MaxUint32)}, {"name", false, text}, {"rir", false, text}}
	case "directory":
		return []prop{{"path", true, text}}
	case "mac-addr":
		return []prop{{"value", true, text}}
	case "mutex":
		return []prop{{"name", true, text}}
	case "network-traffic":
		return []prop{{"protocols", true, list(text)}}
	case "software":
		return []prop{{"name", true, text}}
	case "email-message":
		return []prop{{"is_multipart", true, boolean}}
	}
	return nil
}

// constraints checks the rules that tie properties together.
func (v *validator) constraints(typ string, k kind, o *jsonObject) error {
	if k == kindSDO || k == kindSRO || k == kindExtensionDef || k == kindLanguage {
		if err := notBefore(o, "modified", "created"); err != nil {
			return err
		}
	}
	switch typ {
	case "indicator":
		if err := after(o, "valid_until", "valid_from"); err != nil {
			return err
		}
		pt, _ := o.str("pattern_type")
		pat, _ := o.str("pattern")
		if len(pat) > MaxPatternLen {
			return fieldError("pattern", "longer than %d bytes", MaxPatternLen)
		}
		if pt == "stix" {
			if _, err := ParsePattern(pat); err != nil {
				return &Error{Index: -1, Path: "pattern", Err: err}
			}
		}
	case "malware":
		if fam, _ := o.vals["is_family"].(bool); fam && !o.has("name") {
			return fieldError("name", "required when is_family is true")
		}
		return notBefore(o, "last_seen", "first_seen")
	case "campaign", "infrastructure", "intrusion-set", "threat-actor", "sighting":
		return notBefore(o, "last_seen", "first_seen")
	case "observed-data":
		switch objs, refs := o.has("objects"), o.has("object_refs"); {
		case objs && refs:
			return fieldError("objects", "not allowed together with object_refs")
		case !objs && !refs:
			return fieldError("object_refs", "required (or the deprecated objects)")
		}
		return notBefore(o, "last_observed", "first_observed")
	case "relationship":
		return after(o, "stop_time", "start_time")
	case "extension-definition":
		if o.has("extension_properties") {
			types, _ := o.vals["extension_types"].([]any)
			top := false
			for _, t := range types {
				top = top || t == ExtensionToplevelProperty
			}
			if !top {
				return fieldError("extension_properties", "allowed only with extension type %q", ExtensionToplevelProperty)
			}
		}
	case "marking-definition":
		return markingConstraints(o)
	case "location":
		lat, long := o.has("latitude"), o.has("longitude")
		if lat != long {
			return fieldError("longitude", "latitude and longitude go together")
		}
		if !lat && !o.has("region") && !o.has("country") {
			return fieldError("", "a location needs region, country, or latitude and longitude")
		}
	case "malware-analysis":
		if !o.has("result") && !o.has("analysis_sco_refs") {
			return fieldError("result", "required unless analysis_sco_refs is present")
		}
	case "file":
		if !o.has("hashes") && !o.has("name") {
			return fieldError("", "a file needs hashes or name")
		}
	case "artifact":
		if !o.has("payload_bin") && !o.has("url") {
			return fieldError("", "an artifact needs payload_bin or url")
		}
	}
	return nil
}

// markingConstraints checks a marking-definition's definition (§7.2.1):
// a statement, a TLP 1.0 level under its fixed id, or an extension such as
// TLP 2.0 under its fixed ids.
func markingConstraints(o *jsonObject) error {
	id, _ := o.str("id")
	dt, hasType := o.str("definition_type")
	def, hasDef := o.vals["definition"].(*jsonObject)
	switch {
	case hasType != hasDef:
		return fieldError("definition", "definition_type and definition go together")
	case !hasType && !o.has("extensions"):
		return fieldError("definition_type", "required unless an extension defines the marking")
	}
	switch dt {
	case "statement":
		s, ok := def.get("statement")
		if !ok {
			return fieldError("definition.statement", "required")
		}
		if _, ok := s.(string); !ok {
			return fieldError("definition.statement", "want a string, have %s", describe(s))
		}
	case "tlp":
		level, _ := def.str("tlp")
		want, ok := tlp1(level)
		if !ok {
			return fieldError("definition.tlp", "%s: want white, green, amber or red", jsonText(def.vals["tlp"]))
		}
		if id != want {
			return fieldError("id", "a TLP:%s marking must have the id %s", strings.ToUpper(level), want)
		}
	}
	exts, _ := o.vals["extensions"].(*jsonObject)
	if exts == nil {
		return nil
	}
	ext, ok := exts.vals[TLP2Extension].(*jsonObject)
	if !ok {
		return nil
	}
	path := join("extensions", TLP2Extension) + ".tlp_2_0"
	level, _ := ext.str("tlp_2_0")
	want, name, ok := tlp2(level)
	if !ok {
		return fieldError(path, "%s: want clear, green, amber, amber+strict or red", jsonText(ext.vals["tlp_2_0"]))
	}
	if id != want {
		return fieldError("id", "a %s marking must have the id %s", name, want)
	}
	if n, ok := o.str("name"); ok && n != name {
		return fieldError("name", "%s: want %q", quote(n), name)
	}
	return nil
}

// notBefore checks that the timestamp later is not before earlier when
// both are present.
func notBefore(o *jsonObject, later, earlier string) error {
	l, e, ok := times(o, later, earlier)
	if ok && l.Before(e) {
		return fieldError(later, "%s is before %s %s", FormatTime(l), earlier, FormatTime(e))
	}
	return nil
}

// after checks that the timestamp later is after earlier when both are
// present.
func after(o *jsonObject, later, earlier string) error {
	l, e, ok := times(o, later, earlier)
	if ok && !l.After(e) {
		return fieldError(later, "%s must be after %s %s", FormatTime(l), earlier, FormatTime(e))
	}
	return nil
}

func times(o *jsonObject, a, b string) (ta, tb time.Time, ok bool) {
	sa, oka := o.str(a)
	sb, okb := o.str(b)
	if !oka || !okb {
		return ta, tb, false
	}
	ta, erra := ParseTime(sa)
	tb, errb := ParseTime(sb)
	return ta, tb, erra == nil && errb == nil
}

// customProp checks a property the object's type does not define (§11.1):
// its name, reserved names, and the rules that name suffixes imply.
func (v *validator) customProp(name string, val any) error {
	switch name {
	case "severity", "action", "username", "phone_numbers":
		return fieldError(name, "reserved by STIX 2.1; not allowed")
	}
	if len(name) < 3 || len(name) > 250 || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return fieldError(quote(name), "a custom property name is 3 to 250 characters of a-z, 0-9 and _")
	}
	if val == nil {
		return fieldError(name, "null is not allowed; leave the property out instead")
	}
	if l, ok := val.([]any); ok && len(l) == 0 {
		return fieldError(name, "empty list; leave the property out instead")
	}
	switch {
	case strings.HasSuffix(name, "_hex"):
		return hexString(v, name, val)
	case strings.HasSuffix(name, "_bin"):
		return binary(v, name, val)
	}
	return v.nestedRefs(name, val)
}

// nestedRefs checks, at any depth under path, that properties named *_ref
// hold an identifier and properties named *_refs a list of them.
func (v *validator) nestedRefs(path string, val any) error {
	name := path[strings.LastIndexByte(path, '.')+1:]
	switch {
	case strings.HasSuffix(name, "_ref"):
		return ref(refAny)(v, path, val)
	case strings.HasSuffix(name, "_refs"):
		return refList(refAny)(v, path, val)
	}
	switch val := val.(type) {
	case *jsonObject:
		for _, k := range val.keys {
			if err := v.nestedRefs(join(path, k), val.vals[k]); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range val {
			if err := v.nestedRefs(index(path, i), e); err != nil {
				return err
			}
		}
	}
	return nil
}

// Property checks.

func text(v *validator, path string, val any) error {
	if _, ok := val.(string); !ok {
		return fieldError(path, "want a string, have %s", describe(val))
	}
	return nil
}

func boolean(v *validator, path string, val any) error {
	if _, ok := val.(bool); !ok {
		return fieldError(path, "want true or false, have %s", describe(val))
	}
	return nil
}

func object(v *validator, path string, val any) error {
	if _, ok := val.(*jsonObject); !ok {
		return fieldError(path, "want an object, have %s", describe(val))
	}
	return nil
}

func timestamp(millis bool) check {
	return func(v *validator, path string, val any) error {
		s, ok := val.(string)
		if !ok {
			return fieldError(path, "want a timestamp string, have %s", describe(val))
		}
		_, digits, err := parseTime(s)
		if err != nil {
			return fieldError(path, "%v", err)
		}
		if millis && digits < 3 {
			return fieldError(path, "%s must be precise to the millisecond (like 2025-05-16T09:00:00.000Z)", quote(s))
		}
		return nil
	}
}

func integer(min, max int64) check {
	return func(v *validator, path string, val any) error {
		n, ok := val.(json.Number)
		if !ok {
			return fieldError(path, "want an integer, have %s", describe(val))
		}
		i, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil {
			return fieldError(path, "%s: want an integer from %d to %d", quote(n.String()), min, max)
		}
		if i < min || i > max {
			return fieldError(path, "%d: want an integer from %d to %d", i, min, max)
		}
		return nil
	}
}

func number(min, max float64) check {
	return func(v *validator, path string, val any) error {
		n, ok := val.(json.Number)
		if !ok {
			return fieldError(path, "want a number, have %s", describe(val))
		}
		f, err := n.Float64()
		if err != nil || f < min || f > max {
			return fieldError(path, "%s: want a number from %g to %g", quote(n.String()), min, max)
		}
		return nil
	}
}

func enum(values ...string) check {
	return func(v *validator, path string, val any) error {
		s, ok := val.(string)
		if !ok {
			return fieldError(path, "want a string, have %s", describe(val))
		}
		for _, w := range values {
			if s == w {
				return nil
			}
		}
		return fieldError(path, "%s: want one of %s", quote(s), strings.Join(values, ", "))
	}
}

// list checks a non-empty list whose elements pass elem.
func list(elem check) check {
	return func(v *validator, path string, val any) error {
		l, ok := val.([]any)
		if !ok {
			return fieldError(path, "want a list, have %s", describe(val))
		}
		if len(l) == 0 {
			return fieldError(path, "empty list; leave the property out instead")
		}
		for i, e := range l {
			if err := elem(v, index(path, i), e); err != nil {
				return err
			}
		}
		return nil
	}
}

// refRule says which object types a reference may point to.
type refRule struct {
	want string // for errors, e.g. "an identity"
	ok   func(typ string) bool
}

func refTo(types ...string) refRule {
	want := types[0]
	if strings.IndexByte("aeiou", want[0]) >= 0 {
		want = "an " + want
	} else {
		want = "a " + want
	}
	for _, t := range types[1:] {
		want += " or " + t
	}
	return refRule{want: want, ok: func(t string) bool {
		for _, w := range types {
			if t == w {
				return true
			}
		}
		return false
	}}
}

var (
	refAny = refRule{"an object", func(string) bool { return true }}
	// refSDO: SDOs, including custom ones (§5.2: sighting_of_ref).
	refSDO = refRule{"an SDO", func(t string) bool {
		k, known := knownKind(t)
		return !known || k == kindSDO
	}}
	refSCO = refRule{"a cyber-observable", func(t string) bool {
		k, known := knownKind(t)
		return !known || k == kindSCO
	}}
	// refSCOorSRO: observed-data object_refs (§4.14).
	refSCOorSRO = refRule{"a cyber-observable or an SRO", func(t string) bool {
		k, known := knownKind(t)
		return !known || k == kindSCO || k == kindSRO
	}}
	// refSDOorSCO: relationship source_ref and target_ref (§5.1).
	refSDOorSCO = refRule{"an SDO or a cyber-observable", func(t string) bool {
		k, known := knownKind(t)
		return !known || k == kindSDO || k == kindSCO
	}}
)

func ref(r refRule) check {
	return func(v *validator, path string, val any) error {
		s, ok := val.(string)
		if !ok {
			return fieldError(path, "want an identifier string, have %s", describe(val))
		}
		if v.embedded != nil {
			if !v.embedded[s] {
				return fieldError(path, "%s is not a key of the observed-data objects", quote(s))
			}
			return nil
		}
		t, _, err := ParseID(s)
		if err != nil {
			return fieldError(path, "%v", err)
		}
		if !r.ok(t) {
			return fieldError(path, "%s must refer to %s", quote(s), r.want)
		}
		return nil
	}
}

func refList(r refRule) check { return list(ref(r)) }

// topLevel makes c check identifiers even inside the deprecated observable
// container (marking references point outside it).
func topLevel(c check) check {
	return func(_ *validator, path string, val any) error { return c(&validator{}, path, val) }
}

func relationshipType(v *validator, path string, val any) error {
	s, ok := val.(string)
	if !ok {
		return fieldError(path, "want a string, have %s", describe(val))
	}
	if s == "" || len(s) > 250 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return fieldError(path, "%s: a relationship type is a-z, 0-9 and hyphens", quote(s))
	}
	return nil
}

func externalReferences(v *validator, path string, val any) error {
	return list(func(v *validator, path string, val any) error {
		o, ok := val.(*jsonObject)
		if !ok {
			return fieldError(path, "want an object, have %s", describe(val))
		}
		src, ok := o.get("source_name")
		if !ok {
			return fieldError(join(path, "source_name"), "required")
		}
		for _, k := range []string{"source_name", "description", "url", "external_id"} {
			if x, ok := o.get(k); ok {
				if err := text(v, join(path, k), x); err != nil {
					return err
				}
			}
		}
		if !o.has("description") && !o.has("url") && !o.has("external_id") {
			return fieldError(path, "needs description, url or external_id besides source_name")
		}
		if u, ok := o.get("url"); ok {
			if err := urlValue(v, join(path, "url"), u); err != nil {
				return err
			}
		}
		if h, ok := o.get("hashes"); ok {
			if err := hashes(v, join(path, "hashes"), h); err != nil {
				return err
			}
		}
		eid, _ := o.str("external_id")
		switch src {
		case "cve":
			if !cveRE.MatchString(eid) {
				return fieldError(join(path, "external_id"), "%s: want a CVE id like CVE-2024-3400", quote(eid))
			}
		case "capec":
			if !capecRE.MatchString(eid) {
				return fieldError(join(path, "external_id"), "%s: want a CAPEC id like CAPEC-98", quote(eid))
			}
		}
		return nil
	})(v, path, val)
}

var (
	cveRE      = regexp.MustCompile(`^CVE-\d{4}-(0\d{3}|[1-9]\d{3,})$`)
	capecRE    = regexp.MustCompile(`^CAPEC-\d+$`)
	selectorRE = regexp.MustCompile(`^([a-z0-9_-]{3,249}(\.(\[\d+\]|[a-z0-9_-]{1,250}))*|id)$`)
)

func granularMarkings(v *validator, path string, val any) error {
	return list(func(v *validator, path string, val any) error {
		o, ok := val.(*jsonObject)
		if !ok {
			return fieldError(path, "want an object, have %s", describe(val))
		}
		sel, ok := o.get("selectors")
		if !ok {
			return fieldError(join(path, "selectors"), "required")
		}
		if err := list(func(v *validator, path string, val any) error {
			s, ok := val.(string)
			if !ok || !selectorRE.MatchString(s) {
				return fieldError(path, "%s is not a selector like \"description\" or \"external_references.[0].url\"", jsonText(val))
			}
			return nil
		})(v, join(path, "selectors"), sel); err != nil {
			return err
		}
		lang, hasLang := o.get("lang")
		mref, hasRef := o.get("marking_ref")
		switch {
		case hasLang == hasRef:
			return fieldError(path, "needs exactly one of lang and marking_ref")
		case hasLang:
			return text(v, join(path, "lang"), lang)
		}
		return topLevel(ref(refTo("marking-definition")))(v, join(path, "marking_ref"), mref)
	})(v, path, val)
}

func killChainPhases(v *validator, path string, val any) error {
	return list(func(v *validator, path string, val any) error {
		o, ok := val.(*jsonObject)
		if !ok {
			return fieldError(path, "want an object, have %s", describe(val))
		}
		for _, k := range []string{"kill_chain_name", "phase_name"} {
			x, ok := o.get(k)
			if !ok {
				return fieldError(join(path, k), "required")
			}
			if err := text(v, join(path, k), x); err != nil {
				return err
			}
		}
		return nil
	})(v, path, val)
}

// hashes checks a hashes dictionary (§2.6, hash-algorithm-ov).
func hashes(v *validator, path string, val any) error {
	o, err := nonEmptyObject(path, val)
	if err != nil {
		return err
	}
	for _, k := range o.keys {
		p := join(path, k)
		s, ok := o.vals[k].(string)
		if !ok {
			return fieldError(p, "want a string, have %s", describe(o.vals[k]))
		}
		var ok2 bool
		switch k {
		case "MD5":
			ok2 = isHex(s, 32)
		case "SHA-1":
			ok2 = isHex(s, 40)
		case "SHA-256", "SHA3-256":
			ok2 = isHex(s, 64)
		case "SHA-512", "SHA3-512":
			ok2 = isHex(s, 128)
		case "SSDEEP":
			ok2 = len(s) >= 1 && len(s) <= 128 && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/+:.") == ""
		case "TLSH":
			ok2 = len(s) == 70 && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == ""
		default:
			if len(k) < 3 || len(k) > 250 || strings.Trim(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" {
				return fieldError(p, "a custom hash name is 3 to 250 characters of letters, digits, _ and -")
			}
			ok2 = true
		}
		if !ok2 {
			return fieldError(p, "%s is not a valid %s hash", quote(s), k)
		}
	}
	return nil
}

// isHex reports whether s is n hexadecimal digits.
func isHex(s string, n int) bool {
	return len(s) == n && strings.Trim(s, "0123456789abcdefABCDEF") == ""
}

func hexString(v *validator, path string, val any) error {
	s, ok := val.(string)
	if !ok || len(s)%2 != 0 || strings.Trim(s, "0123456789abcdefABCDEF") != "" {
		return fieldError(path, "%s: want an even number of hexadecimal digits", jsonText(val))
	}
	return nil
}

func binary(v *validator, path string, val any) error {
	s, ok := val.(string)
	if !ok {
		return fieldError(path, "want a base64 string, have %s", describe(val))
	}
	if _, err := base64.StdEncoding.Strict().DecodeString(s); err != nil {
		return fieldError(path, "%s is not base64 (RFC 4648)", quote(s))
	}
	return nil
}

// nonEmptyObject returns val as an object with at least one property.
func nonEmptyObject(path string, val any) (*jsonObject, error) {
	o, ok := val.(*jsonObject)
	if !ok {
		return nil, fieldError(path, "want an object, have %s", describe(val))
	}
	if len(o.keys) == 0 {
		return nil, fieldError(path, "empty; leave the property out instead")
	}
	return o, nil
}

// dictionary checks a dictionary (§2.4): a non-empty object whose keys are
// 1 to 250 letters, digits, _ and -.
func dictionary(v *validator, path string, val any) error {
	o, err := nonEmptyObject(path, val)
	if err != nil {
		return err
	}
	for _, k := range o.keys {
		if k == "" || len(k) > 250 || strings.Trim(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" {
			return fieldError(join(path, k), "a dictionary key is 1 to 250 letters, digits, _ and -")
		}
	}
	return nil
}

// extensions checks the extensions property (§7.3): keys are
// extension-definition ids or predefined extension names ending in -ext,
// values non-empty objects; an extension-definition's extension names its
// extension_type.
func extensions(v *validator, path string, val any) error {
	o, err := nonEmptyObject(path, val)
	if err != nil {
		return err
	}
	for _, k := range o.keys {
		p := join(path, k)
		ext, ok := o.vals[k].(*jsonObject)
		if !ok {
			return fieldError(p, "want an object, have %s", describe(o.vals[k]))
		}
		if len(ext.keys) == 0 {
			return fieldError(p, "empty extension")
		}
		switch {
		case strings.HasPrefix(k, "extension-definition--"):
			if err := checkID(k, "extension-definition"); err != nil {
				return fieldError(p, "%v", err)
			}
			et, ok := ext.get("extension_type")
			if !ok {
				return fieldError(join(p, "extension_type"), "required")
			}
			if err := enum(ExtensionNewSDO, ExtensionNewSCO, ExtensionNewSRO, ExtensionProperty, ExtensionToplevelProperty)(v, join(p, "extension_type"), et); err != nil {
				return err
			}
		case strings.HasSuffix(k, "-ext") && checkTypeName(k) == nil:
		default:
			return fieldError(p, "an extension key is an extension-definition id or a name ending in -ext")
		}
		for _, name := range ext.keys {
			if err := v.nestedRefs(join(p, name), ext.vals[name]); err != nil {
				return err
			}
		}
	}
	return nil
}

// observableContainer checks the deprecated objects property of
// observed-data: a dictionary of cyber-observables without ids whose
// references are keys of the dictionary.
func observableContainer(v *validator, path string, val any) error {
	if err := dictionary(v, path, val); err != nil {
		return err
	}
	o := val.(*jsonObject)
	inner := &validator{embedded: map[string]bool{}}
	for _, k := range o.keys {
		inner.embedded[k] = true
	}
	for _, k := range o.keys {
		p := join(path, k)
		obj, ok := o.vals[k].(*jsonObject)
		if !ok {
			return fieldError(p, "want an object, have %s", describe(o.vals[k]))
		}
		if _, _, err := inner.object(obj); err != nil {
			if e, ok := err.(*Error); ok {
				e.Path = join(p, e.Path)
				return e
			}
			return err
		}
	}
	return nil
}

func ipValue(version int) check {
	return func(v *validator, path string, val any) error {
		s, ok := val.(string)
		if !ok {
			return fieldError(path, "want a string, have %s", describe(val))
		}
		var a netip.Addr
		if p, err := netip.ParsePrefix(s); err == nil {
			a = p.Addr()
		} else if a, err = netip.ParseAddr(s); err != nil {
			return fieldError(path, "%s is not an IPv%d address or CIDR prefix", quote(s), version)
		}
		if version == 4 && !a.Is4() || version == 6 && !a.Is6() {
			return fieldError(path, "%s is not an IPv%d address or CIDR prefix", quote(s), version)
		}
		return nil
	}
}

func domainValue(v *validator, path string, val any) error {
	s, ok := val.(string)
	if !ok {
		return fieldError(path, "want a string, have %s", describe(val))
	}
	if s == "" || len(s) > 255 || strings.ContainsAny(s, " \t\r\n/\\@:") {
		return fieldError(path, "%s is not a domain name", quote(s))
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fieldError(path, "%s is not a domain name", quote(s))
		}
	}
	return nil
}

func urlValue(v *validator, path string, val any) error {
	s, ok := val.(string)
	if !ok {
		return fieldError(path, "want a string, have %s", describe(val))
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return fieldError(path, "%s is not an absolute URL (RFC 3986)", quote(s))
	}
	return nil
}

func emailValue(v *validator, path string, val any) error {
	s, ok := val.(string)
	if !ok {
		return fieldError(path, "want a string, have %s", describe(val))
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return fieldError(path, "%s is not an e-mail address (without display name)", quote(s))
	}
	return nil
}
