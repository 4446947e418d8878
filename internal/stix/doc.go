// Package stix holds STIX 2.1 objects and bundles and checks them against
// the OASIS STIX 2.1 specification. ACD speaks STIX at its edges: operators
// submit incident reports as bundles (package reporting/stixmap maps them),
// and the sharing endpoints serve TAXII 2.1 collections of these objects.
//
//	b, err := stix.ParseBundle(body)
//	if err != nil {
//		var se *stix.Error // says which object and which property
//		...
//	}
//	for _, o := range b.Objects {
//		switch o := o.(type) {
//		case *stix.Indicator:
//			p, _ := stix.ParsePattern(o.Pattern) // already checked
//			...
//		}
//	}
//
// # Objects
//
// Every object implements [Object]. The types this package defines — the
// SDOs incident, indicator, observed-data, malware, attack-pattern,
// identity, report and note, the SROs relationship and sighting, the
// meta-objects extension-definition and marking-definition, and the SCOs
// ipv4-addr, ipv6-addr, domain-name, url, file and email-addr — decode into
// structs; properties a struct has no field for (custom properties) are kept
// in its Custom map and written back on encoding. Any other type, from the
// specification (campaign, tool, …) or custom, decodes into a [Raw] that
// keeps the object's JSON as it came, so it survives a decode/encode round
// trip unchanged.
//
// # Validation
//
// [ParseBundle] and [ParseObject] accept only what the specification allows:
// identifiers of the form type--UUID whose type is the object's, timestamps
// in RFC 3339 with Z (created and modified to the millisecond), spec_version
// "2.1" on SDOs, SROs and meta-objects, every required property, references
// to objects of the types a property allows, the specification's closed
// enumerations, and for indicators with pattern_type "stix" a pattern that
// parses (see [ParsePattern]). Open vocabularies are not closed: any value
// of the right form is accepted, as the specification says. The first
// violation is returned as an [*Error] naming the object and the property.
//
// Inputs are bounded (see [MaxObjects] and the other limits) so a hostile
// bundle cannot make parsing take unbounded time or memory beyond the size
// of its own bytes; callers bound that size.
//
// # Identifiers and times
//
// [NewID] makes a random identifier (UUIDv4) for SDOs and SROs; [SCOID] and
// the SCO constructors ([NewIPv4Addr], …) make the deterministic UUIDv5
// identifiers the specification prescribes for cyber-observables;
// [NewIDv5] derives a stable identifier from a namespace and a name.
// [FormatTime] writes timestamps as STIX wants them: UTC, millisecond
// precision, Z.
package stix
