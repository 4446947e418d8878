// Package stixmap maps incident reports (§5) to and from STIX 2.1
// bundles: [Import] reads what an operator submits by the STIX endpoint,
// [Export] writes a version of a report for sharing. docs/stix.md is the
// guide for operators.
//
// # The extension
//
// STIX's incident object has a name and a description and little else, so
// ACD publishes an extension-definition ([ExtensionDefinition],
// [ExtensionID]), a property-extension of incident whose properties
// ([ExtensionSchema], served at [SchemaURL]) carry the rest of a report:
// report_id (ACD's id, set when a bundle files a later stage), stage,
// purpose ("cybersecurity": §5's purpose limitation), kind, aware_at,
// occurred_at, status, status_detail, contact, impact, affected_assets,
// measures_taken, timeline, root_cause and recurrence.
//
// # The mapping
//
//	report field          STIX
//	Title, Summary        the incident's name and description
//	stage, kind, … above  the incident's ACD extension
//	Indicators            indicator with pattern_type stix and a pattern of one comparison,
//	                      [ipv4-addr:value = '…'], ipv6-addr:value, domain-name:value, url:value,
//	                      email-addr:value, file:hashes.MD5, file:hashes.'SHA-1', file:hashes.'SHA-256';
//	                      the indicator's description is the indicator's
//	Observations          observed-data (first_observed, last_observed, number_observed) with
//	                      object_refs to ipv4-addr, ipv6-addr, domain-name, url, email-addr and
//	                      file (hashes only) observables in the bundle, or the deprecated objects
//	Malware               malware: name, is_family, malware_types
//	Techniques            attack-pattern with an external reference from mitre-attack whose
//	                      external_id is the technique id (T1190, T1059.001)
//	Attachments           every other object, as submitted
//
// On import, relationships between the incident and a mapped object, the
// observables of mapped observed data, ACD's own objects, the TLP marking
// definitions and the identity that created the incident are consumed
// too: they hold nothing a report field lacks. An indicator with any other
// pattern, observed data with an observable that does not map whole, an
// attack pattern without an ATT&CK id: these stay attachments, so nothing
// submitted is lost. Properties of mapped objects that no report field
// holds (an indicator's valid_until, a malware's aliases, the markings of
// the submitter's objects) are not kept.
//
// Export writes the same mapping back, relating every indicator, observed
// data, malware and attack pattern to the incident with related-to, so
// that importing an export gives back the report's content; times come
// back in UTC, and the description of an observed value, which STIX
// observables have no place for, is not exported.
package stixmap
