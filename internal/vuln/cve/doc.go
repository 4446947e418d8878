// Package cve reads vulnerability records into ACD's model of a
// vulnerability (§42, Basic Act §7): CVE JSON 5 records as the CVE Program
// publishes them, and NVD CVE API 2.0 items with their CPE match
// configurations.
//
// # Model
//
// A [Vulnerability] has its CVE id, descriptions, CVSS base scores, CWE
// ids, mitigations (CVE 5 solutions and workarounds) and its [Affected]
// products. Each affected product is one CPE pattern or one package URL
// (parsed with package product, never here) with [Versions]: a list of
// single versions and ranges with a status, in CVE 5's terms, which both
// formats map to. Which asset versions a Versions affects is decided in
// package match, which knows how to order versions.
//
// # Reading
//
// [ParseCVE5], [ParseNVD] and [Parse] read one record. A [Reader] reads a
// stream — a JSON array, NDJSON, or an NVD API response — one record at a
// time, reports [Progress], and goes on past a bad record.
//
// # Errors
//
// A bad record is refused with a [*RecordError] naming the record (its
// index in the stream and its CVE id) and the JSON path of the field at
// fault:
//
//	record 3 (CVE-2024-3400): containers.cna.affected[0].versions[4].status: "fixed": want affected, unaffected or unknown
//
// How records are read into the model — derived CPEs, placeholders such as
// "unspecified", AND configurations — is written down in
// docs/vuln-matching.md.
package cve
