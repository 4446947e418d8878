package stix_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/stix"
)

// Objects for the tests, valid as they are.
const (
	bundleID = "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"
	indID    = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
	malID    = "malware--fdd60b30-b67c-41e3-b0b9-f01faf20d111"
	ipID     = "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"

	indicator = `{"type":"indicator","spec_version":"2.1","id":"` + indID + `","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.3']","pattern_type":"stix","valid_from":"2025-05-16T09:00:00Z"}`
	malware   = `{"type":"malware","spec_version":"2.1","id":"` + malID + `","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","name":"Emotet","is_family":true}`
	ipv4      = `{"type":"ipv4-addr","id":"` + ipID + `","value":"198.51.100.3"}`
)

// bundle wraps objects in a bundle.
func bundle(objects ...string) string {
	return `{"type":"bundle","id":"` + bundleID + `","objects":[` + strings.Join(objects, ",") + `]}`
}

// with returns obj with its JSON properties changed: a value of nil
// removes the property.
func with(obj string, props map[string]any) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(obj), &m); err != nil {
		panic(err)
	}
	for k, v := range props {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestParseBundleErrors(t *testing.T) {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	tests := []struct {
		name, in, want string
	}{
		{"not JSON", `{"type":"bundle"`, `invalid JSON: unexpected end`},
		{"not an object", `[]`, `a bundle is a JSON object, not a list`},
		{"data after", bundle(indicator) + ` {}`, `data after the bundle`},
		{"wrong type", `{"type":"report","id":"` + bundleID + `"}`, `type: "report": want "bundle"`},
		{"no id", `{"type":"bundle"}`, `id: required`},
		{"id of another type", `{"type":"bundle","id":"report--5d0092c5-5f74-4287-9642-33f4c354e56d"}`, `id: "report--5d0092c5-5f74-4287-9642-33f4c354e56d" does not match type "bundle"`},
		{"STIX 2.0", `{"type":"bundle","id":"` + bundleID + `","spec_version":"2.0","objects":[` + indicator + `]}`, `spec_version: "2.0": a STIX 2.1 bundle has no spec_version (STIX 2.0 is not accepted)`},
		{"empty objects", `{"type":"bundle","id":"` + bundleID + `","objects":[]}`, `objects: empty list; leave the property out instead`},
		{"objects not a list", `{"type":"bundle","id":"` + bundleID + `","objects":{}}`, `objects: want a list, have an object`},
		{"duplicate bundle property", `{"type":"bundle","type":"bundle"}`, `type: property appears twice`},
		{"object not an object", bundle(`"x"`), `objects[0]: an object is a JSON object, not a string`},
		{"duplicate object property", bundle(`{"type":"x-a","id":"x-a--5d0092c5-5f74-4287-9642-33f4c354e56d","id":"x"}`), `objects[0]: id: property appears twice`},
		{"no type", bundle(with(indicator, map[string]any{"type": nil})), `objects[0]: type: required`},
		{"bad type name", bundle(with(indicator, map[string]any{"type": "Indicator"})), `objects[0]: type: type "Indicator" must start with a lower-case letter`},
		{"id of another type", bundle(with(indicator, map[string]any{"id": malID})), `objects[0]: id: "malware--fdd60b30-b67c-41e3-b0b9-f01faf20d111" does not match type "indicator"`},
		{"UUID version 0", bundle(with(indicator, map[string]any{"id": "indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f"})), `objects[0]: id: "indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f" is not an identifier: "8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f" is a UUID of version 0, want 1 to 5`},
		{"not a UUID", bundle(with(indicator, map[string]any{"id": "indicator--1"})), `objects[0]: id: "indicator--1" is not an identifier (type--UUID)`},
		{"no spec_version", bundle(with(indicator, map[string]any{"spec_version": nil})), `objects[0] (` + indID + `): spec_version: required: "2.1"`},
		{"STIX 2.0 object", bundle(with(indicator, map[string]any{"spec_version": "2.0"})), `objects[0] (` + indID + `): spec_version: "2.0": only STIX 2.1 is accepted`},
		{"created to the second", bundle(with(indicator, map[string]any{"created": "2025-05-16T09:00:00Z"})), `objects[0] (` + indID + `): created: "2025-05-16T09:00:00Z" must be precise to the millisecond (like 2025-05-16T09:00:00.000Z)`},
		{"created with offset", bundle(with(indicator, map[string]any{"created": "2025-05-16T18:00:00.000+09:00"})), `objects[0] (` + indID + `): created: "2025-05-16T18:00:00.000+09:00" is not an RFC 3339 timestamp in UTC (like 2025-05-16T09:00:00.000Z)`},
		{"February 30", bundle(with(indicator, map[string]any{"created": "2025-02-30T09:00:00.000Z"})), `objects[0] (` + indID + `): created: "2025-02-30T09:00:00.000Z" is not an RFC 3339 timestamp in UTC (like 2025-05-16T09:00:00.000Z)`},
		{"modified before created", bundle(with(indicator, map[string]any{"modified": "2025-05-16T08:59:59.999Z"})), `objects[0] (` + indID + `): modified: 2025-05-16T08:59:59.999Z is before created 2025-05-16T09:00:00.000Z`},
		{"no pattern", bundle(with(indicator, map[string]any{"pattern": nil})), `objects[0] (` + indID + `): pattern: required`},
		{"bad pattern", bundle(with(indicator, map[string]any{"pattern": "[ipv4-addr:value = ]"})), `objects[0] (` + indID + `): pattern: unexpected "]" at offset 19: want a literal`},
		{"valid_until not after valid_from", bundle(with(indicator, map[string]any{"valid_until": "2025-05-16T09:00:00Z"})), `objects[0] (` + indID + `): valid_until: 2025-05-16T09:00:00.000Z must be after valid_from 2025-05-16T09:00:00.000Z`},
		{"null", bundle(with(indicator, map[string]any{"name": raw("null")})), `objects[0] (` + indID + `): name: null is not allowed; leave the property out instead`},
		{"number for string", bundle(with(indicator, map[string]any{"name": 5})), `objects[0] (` + indID + `): name: want a string, have a number`},
		{"created_by_ref to malware", bundle(with(indicator, map[string]any{"created_by_ref": malID})), `objects[0] (` + indID + `): created_by_ref: "` + malID + `" must refer to an identity`},
		{"marking ref to malware", bundle(with(indicator, map[string]any{"object_marking_refs": []string{stix.TLPAmber, malID}})), `objects[0] (` + indID + `): object_marking_refs[1]: "` + malID + `" must refer to a marking-definition`},
		{"empty labels", bundle(with(indicator, map[string]any{"labels": []string{}})), `objects[0] (` + indID + `): labels: empty list; leave the property out instead`},
		{"confidence 101", bundle(with(indicator, map[string]any{"confidence": 101})), `objects[0] (` + indID + `): confidence: 101: want an integer from 0 to 100`},
		{"confidence 1.5", bundle(with(indicator, map[string]any{"confidence": 1.5})), `objects[0] (` + indID + `): confidence: "1.5": want an integer from 0 to 100`},
		{"external reference without source", bundle(with(indicator, map[string]any{"external_references": []any{map[string]any{"url": "https://x.example"}}})), `objects[0] (` + indID + `): external_references[0].source_name: required`},
		{"external reference with only a source", bundle(with(indicator, map[string]any{"external_references": []any{map[string]any{"source_name": "x"}}})), `objects[0] (` + indID + `): external_references[0]: needs description, url or external_id besides source_name`},
		{"bad CVE id", bundle(with(indicator, map[string]any{"external_references": []any{map[string]any{"source_name": "cve", "external_id": "CVE-24-1"}}})), `objects[0] (` + indID + `): external_references[0].external_id: "CVE-24-1": want a CVE id like CVE-2024-3400`},
		{"granular marking with lang and ref", bundle(with(indicator, map[string]any{"granular_markings": []any{map[string]any{"selectors": []string{"name"}, "lang": "ja", "marking_ref": stix.TLPRed}}})), `objects[0] (` + indID + `): granular_markings[0]: needs exactly one of lang and marking_ref`},
		{"bad selector", bundle(with(indicator, map[string]any{"granular_markings": []any{map[string]any{"selectors": []string{"Name"}, "marking_ref": stix.TLPRed}}})), `objects[0] (` + indID + `): granular_markings[0].selectors[0]: "Name" is not a selector like "description" or "external_references.[0].url"`},
		{"bad extension key", bundle(with(indicator, map[string]any{"extensions": map[string]any{"acd": map[string]any{"a": 1}}})), `objects[0] (` + indID + `): extensions.acd: an extension key is an extension-definition id or a name ending in -ext`},
		{"extension without type", bundle(with(indicator, map[string]any{"extensions": map[string]any{"extension-definition--e170f430-e1c7-4b54-a014-3910855fbcc0": map[string]any{"a": 1}}})), `objects[0] (` + indID + `): extensions.extension-definition--e170f430-e1c7-4b54-a014-3910855fbcc0.extension_type: required`},
		{"custom property name", bundle(with(indicator, map[string]any{"X_foo": 1})), `objects[0] (` + indID + `): "X_foo": a custom property name is 3 to 250 characters of a-z, 0-9 and _`},
		{"reserved property", bundle(with(indicator, map[string]any{"severity": "high"})), `objects[0] (` + indID + `): severity: reserved by STIX 2.1; not allowed`},
		{"custom _ref", bundle(with(indicator, map[string]any{"x_acd_owner_ref": "nobody"})), `objects[0] (` + indID + `): x_acd_owner_ref: "nobody" is not an identifier (type--UUID)`},
		{"nested custom _refs", bundle(with(indicator, map[string]any{"x_acd": map[string]any{"list": []any{map[string]any{"thing_refs": []string{"x"}}}}})), `objects[0] (` + indID + `): x_acd.list[0].thing_refs[0]: "x" is not an identifier (type--UUID)`},
		{"family without name", bundle(with(malware, map[string]any{"name": nil})), `objects[0] (` + malID + `): name: required when is_family is true`},
		{"no is_family", bundle(with(malware, map[string]any{"is_family": nil})), `objects[0] (` + malID + `): is_family: required`},
		{"sample_refs to a url", bundle(with(malware, map[string]any{"sample_refs": []string{"url--5d0092c5-5f74-5287-9642-33f4c354e56d"}})), `objects[0] (` + malID + `): sample_refs[0]: "url--5d0092c5-5f74-5287-9642-33f4c354e56d" must refer to a file or artifact`},
		{"bad IPv4", bundle(with(ipv4, map[string]any{"value": "300.1.1.1"})), `objects[0] (` + ipID + `): value: "300.1.1.1" is not an IPv4 address or CIDR prefix`},
		{"IPv6 in ipv4-addr", bundle(with(ipv4, map[string]any{"value": "2001:db8::1"})), `objects[0] (` + ipID + `): value: "2001:db8::1" is not an IPv4 address or CIDR prefix`},
		{"SCO spec_version", bundle(with(ipv4, map[string]any{"spec_version": "2.2"})), `objects[0] (` + ipID + `): spec_version: "2.2": want "2.1"`},
		{"SCO without id", bundle(with(ipv4, map[string]any{"id": nil})), `objects[0]: id: required`},
		{"file without hashes or name", bundle(`{"type":"file","id":"file--5d0092c5-5f74-5287-9642-33f4c354e56d","size":1}`), `objects[0] (file--5d0092c5-5f74-5287-9642-33f4c354e56d): a file needs hashes or name`},
		{"short MD5", bundle(`{"type":"file","id":"file--5d0092c5-5f74-5287-9642-33f4c354e56d","hashes":{"MD5":"abc"}}`), `objects[0] (file--5d0092c5-5f74-5287-9642-33f4c354e56d): hashes.MD5: "abc" is not a valid MD5 hash`},
		{"email with display name", bundle(`{"type":"email-addr","id":"email-addr--5d0092c5-5f74-5287-9642-33f4c354e56d","value":"Eve <eve@example.com>"}`), `objects[0] (email-addr--5d0092c5-5f74-5287-9642-33f4c354e56d): value: "Eve <eve@example.com>" is not an e-mail address (without display name)`},
		{"relative url", bundle(`{"type":"url","id":"url--5d0092c5-5f74-5287-9642-33f4c354e56d","value":"/a/b"}`), `objects[0] (url--5d0092c5-5f74-5287-9642-33f4c354e56d): value: "/a/b" is not an absolute URL (RFC 3986)`},
		{"relationship to a marking", bundle(`{"type":"relationship","spec_version":"2.1","id":"relationship--5d0092c5-5f74-4287-9642-33f4c354e56d","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","relationship_type":"related-to","source_ref":"` + indID + `","target_ref":"` + stix.TLPRed + `"}`), `objects[0] (relationship--5d0092c5-5f74-4287-9642-33f4c354e56d): target_ref: "` + stix.TLPRed + `" must refer to an SDO or a cyber-observable`},
		{"relationship type", bundle(`{"type":"relationship","spec_version":"2.1","id":"relationship--5d0092c5-5f74-4287-9642-33f4c354e56d","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","relationship_type":"Related To","source_ref":"` + indID + `","target_ref":"` + malID + `"}`), `objects[0] (relationship--5d0092c5-5f74-4287-9642-33f4c354e56d): relationship_type: "Related To": a relationship type is a-z, 0-9 and hyphens`},
		{"sighting of an SCO", bundle(`{"type":"sighting","spec_version":"2.1","id":"sighting--5d0092c5-5f74-4287-9642-33f4c354e56d","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","sighting_of_ref":"` + ipID + `"}`), `objects[0] (sighting--5d0092c5-5f74-4287-9642-33f4c354e56d): sighting_of_ref: "` + ipID + `" must refer to an SDO`},
		{"observed-data with both", bundle(`{"type":"observed-data","spec_version":"2.1","id":"observed-data--5d0092c5-5f74-4287-9642-33f4c354e56d","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","first_observed":"2025-05-16T09:00:00Z","last_observed":"2025-05-16T09:00:00Z","number_observed":1,"object_refs":["` + ipID + `"],"objects":{"0":{"type":"ipv4-addr","value":"198.51.100.3"}}}`), `objects[0] (observed-data--5d0092c5-5f74-4287-9642-33f4c354e56d): objects: not allowed together with object_refs`},
		{"observed-data zero times", bundle(`{"type":"observed-data","spec_version":"2.1","id":"observed-data--5d0092c5-5f74-4287-9642-33f4c354e56d","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","first_observed":"2025-05-16T09:00:00Z","last_observed":"2025-05-16T09:00:00Z","number_observed":0,"object_refs":["` + ipID + `"]}`), `objects[0] (observed-data--5d0092c5-5f74-4287-9642-33f4c354e56d): number_observed: 0: want an integer from 1 to 999999999`},
		{"observed-data refers to an SDO", bundle(`{"type":"observed-data","spec_version":"2.1","id":"observed-data--5d0092c5-5f74-4287-9642-33f4c354e56d","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","first_observed":"2025-05-16T09:00:00Z","last_observed":"2025-05-16T09:00:00Z","number_observed":1,"object_refs":["` + indID + `"]}`), `objects[0] (observed-data--5d0092c5-5f74-4287-9642-33f4c354e56d): object_refs[0]: "` + indID + `" must refer to a cyber-observable or an SRO`},
		{"embedded reference to a missing key", bundle(`{"type":"observed-data","spec_version":"2.1","id":"observed-data--5d0092c5-5f74-4287-9642-33f4c354e56d","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","first_observed":"2025-05-16T09:00:00Z","last_observed":"2025-05-16T09:00:00Z","number_observed":1,"objects":{"0":{"type":"domain-name","value":"example.com","resolves_to_refs":["1"]}}}`), `objects[0] (observed-data--5d0092c5-5f74-4287-9642-33f4c354e56d): objects.0.resolves_to_refs[0]: "1" is not a key of the observed-data objects`},
		{"TLP 1 under another id", bundle(`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--5d0092c5-5f74-4287-9642-33f4c354e56d","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","definition":{"tlp":"red"}}`), `objects[0] (marking-definition--5d0092c5-5f74-4287-9642-33f4c354e56d): id: a TLP:RED marking must have the id ` + stix.TLP1Red},
		{"TLP 2 under another id", bundle(`{"type":"marking-definition","spec_version":"2.1","id":"` + stix.TLPRed + `","created":"2022-10-01T00:00:00.000Z","name":"TLP:AMBER","extensions":{"` + stix.TLP2Extension + `":{"extension_type":"property-extension","tlp_2_0":"amber"}}}`), `objects[0] (` + stix.TLPRed + `): id: a TLP:AMBER marking must have the id ` + stix.TLPAmber},
		{"statement without text", bundle(`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--5d0092c5-5f74-4287-9642-33f4c354e56d","created":"2017-01-20T00:00:00.000Z","definition_type":"statement","definition":{"text":"x"}}`), `objects[0] (marking-definition--5d0092c5-5f74-4287-9642-33f4c354e56d): definition.statement: required`},
		{"marking without a definition", bundle(`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--5d0092c5-5f74-4287-9642-33f4c354e56d","created":"2017-01-20T00:00:00.000Z"}`), `objects[0] (marking-definition--5d0092c5-5f74-4287-9642-33f4c354e56d): definition_type: required unless an extension defines the marking`},
		{"extension-definition without creator", bundle(`{"type":"extension-definition","spec_version":"2.1","id":"extension-definition--e170f430-e1c7-4b54-a014-3910855fbcc0","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","name":"x","schema":"x","version":"1","extension_types":["property-extension"]}`), `objects[0] (extension-definition--e170f430-e1c7-4b54-a014-3910855fbcc0): created_by_ref: required`},
		{"unknown extension type", bundle(`{"type":"extension-definition","spec_version":"2.1","id":"extension-definition--e170f430-e1c7-4b54-a014-3910855fbcc0","created_by_ref":"identity--2d15ba79-49c7-4922-a31b-d3bd2649caee","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","name":"x","schema":"x","version":"1","extension_types":["new-thing"]}`), `objects[0] (extension-definition--e170f430-e1c7-4b54-a014-3910855fbcc0): extension_types[0]: "new-thing": want one of new-sdo, new-sco, new-sro, property-extension, toplevel-property-extension`},
		{"second object", bundle(indicator, malware, with(ipv4, map[string]any{"value": "x"})), `objects[2] (` + ipID + `): value: "x" is not an IPv4 address or CIDR prefix`},
		{"too deep", bundle(with(indicator, map[string]any{"x_deep": raw(strings.Repeat("[", 40) + strings.Repeat("]", 40))})), `objects[0]: x_deep[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: nested more than 32 levels deep`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := stix.ParseBundle([]byte(tt.in))
			if err == nil {
				t.Fatalf("ParseBundle succeeded, want %q\n%s", tt.want, tt.in)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("ParseBundle error:\n got %s\nwant %s", got, tt.want)
			}
			var se *stix.Error
			if !errors.As(err, &se) {
				t.Errorf("error is a %T, want *stix.Error", err)
			}
		})
	}
}
