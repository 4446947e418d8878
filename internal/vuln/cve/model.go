package cve

import (
	"fmt"
	"time"

	"github.com/acd-platform/acd/internal/product"
)

// Format says which kind of record a [Vulnerability] was read from.
type Format uint8

// The record formats.
const (
	// FormatCVE5 is a CVE JSON 5 record (CVE Record Format 5.x), as the
	// CVE Program publishes them (cvelistV5).
	FormatCVE5 Format = iota + 1
	// FormatNVD is a vulnerability item of the NVD CVE API 2.0: the object
	// under "vulnerabilities[].cve", or that object wrapped as {"cve": …}.
	FormatNVD
)

// String returns "cve5" or "nvd".
func (f Format) String() string {
	switch f {
	case FormatCVE5:
		return "cve5"
	case FormatNVD:
		return "nvd"
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// Vulnerability is one vulnerability as ACD holds it, whatever record it
// came from: its CVE id, texts, scores, weaknesses, mitigations and the
// products it affects.
type Vulnerability struct {
	// ID is the CVE id, e.g. "CVE-2024-3400".
	ID string
	// Format is the kind of record it was read from.
	Format Format
	// Rejected is true for a record the CVE Program rejected (CVE 5 state
	// REJECTED, NVD vulnStatus "Rejected"); such a record affects nothing.
	Rejected bool
	// Assigner is the CNA that assigned the id (CVE 5 assignerShortName,
	// NVD sourceIdentifier); "" if not given.
	Assigner string
	// Published and Updated are when the record was first published and
	// last updated, in UTC; zero if not given.
	Published, Updated time.Time
	// Title is the CNA's short title; "" if none (NVD has none).
	Title string
	// Descriptions are the descriptions in each language given; for a
	// rejected record, the reasons for rejection.
	Descriptions []Text
	// CVSS are the CVSS base scores given, in record order.
	CVSS []CVSS
	// CWEs are the CWE ids given ("CWE-79"), each once, in record order.
	CWEs []string
	// Mitigations are the solutions and workarounds given.
	Mitigations []Mitigation
	// References are the reference URLs, each once, in record order.
	References []string
	// Affected are the affected products, each one CPE pattern or one
	// package URL with the versions affected.
	Affected []Affected
}

// Text is a text in one language.
type Text struct {
	// Lang is a BCP 47 language tag such as "en" or "ja"; "" if not given.
	Lang string
	// Value is the text.
	Value string
}

// CVSS is one CVSS base score.
type CVSS struct {
	// Version is "2.0", "3.0", "3.1" or "4.0".
	Version string
	// BaseScore is the base score, 0.0 to 10.0.
	BaseScore float64
	// Vector is the vector string, e.g. "CVSS:3.1/AV:N/AC:L/…".
	Vector string
	// Source says who scored it: "cna", "adp:<short name>", or the NVD
	// source (e.g. "nvd@nist.gov").
	Source string
}

// MitigationKind says whether a [Mitigation] is a fix or a workaround.
type MitigationKind string

// The kinds of mitigation.
const (
	// Solution is a fix: an update, a fixed version (CVE 5 "solutions").
	Solution MitigationKind = "solution"
	// Workaround is a measure short of a fix (CVE 5 "workarounds").
	Workaround MitigationKind = "workaround"
)

// Mitigation is a solution or workaround the record gives.
type Mitigation struct {
	// Kind says whether it is a solution or a workaround.
	Kind MitigationKind
	// Lang is the language of Text.
	Lang string
	// Text is the mitigation as written.
	Text string
	// Source says who gave it: "cna" or "adp:<short name>".
	Source string
}

// Status is the status of a product version with respect to a
// vulnerability (CVE 5 "status" and "defaultStatus").
type Status uint8

// The statuses. The zero Status is StatusUnknown.
const (
	// StatusUnknown: not known whether the version is affected.
	StatusUnknown Status = iota
	// StatusAffected: the version is affected.
	StatusAffected
	// StatusUnaffected: the version is not affected.
	StatusUnaffected
)

// String returns "unknown", "affected" or "unaffected", as CVE 5 writes
// them.
func (s Status) String() string {
	switch s {
	case StatusUnknown:
		return "unknown"
	case StatusAffected:
		return "affected"
	case StatusUnaffected:
		return "unaffected"
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// parseStatus reads a CVE 5 status.
func parseStatus(s string) (Status, bool) {
	switch s {
	case "affected":
		return StatusAffected, true
	case "unaffected":
		return StatusUnaffected, true
	case "unknown":
		return StatusUnknown, true
	}
	return StatusUnknown, false
}

// Affected is one affected product: a CPE pattern or a package, and the
// versions of it affected. Exactly one of CPE and PURL is set, or neither
// when the record names a product ACD cannot identify (a vendor and
// product of "n/a", a package in an unknown repository); such an entry is
// kept for display and matches nothing.
type Affected struct {
	// Source says who gave it: "cna", "adp:<short name>" (CVE 5), or "nvd".
	Source string
	// Path is the JSON path of the entry in the record, e.g.
	// "containers.cna.affected[0]" or
	// "configurations[2].nodes[0].cpeMatch[3]".
	Path string
	// Vendor and Product are the names as the record writes them (CVE 5
	// vendor and product; for NVD, the CPE's vendor and product).
	Vendor, Product string
	// CollectionURL and PackageName are the CVE 5 package fields as
	// written; "" if not given.
	CollectionURL, PackageName string

	// CPE is the CPE name or pattern the product must match (the NVD
	// criteria; a CVE 5 "cpes" entry; or one derived from vendor and
	// product names, see DerivedCPE). When Versions has ranges, the
	// ranges, not the CPE's version attribute, say which versions are
	// affected: a CVE 5 entry's cpes have their version and update set to
	// ANY for that reason.
	CPE *product.CPE
	// DerivedCPE is true when CPE was made from the CVE 5 vendor and
	// product names (lower case, spaces as "_", part ANY) because the
	// record gives no CPE. Such a CPE matches only assets whose CPE uses
	// the same names.
	DerivedCPE bool
	// PURL is the package, without version, when the record names one
	// (a CVE 5 collectionURL of a known repository and packageName). Its
	// qualifiers and subpath, if any, must match too.
	PURL *product.PURL

	// Versions says which versions of the product are affected.
	Versions Versions

	// RunningOn lists the platforms of an NVD AND configuration (the
	// cpeMatch entries that are not vulnerable themselves): the product is
	// affected only when running on or with one of them. It is recorded
	// for display; matching does not require it (see docs/vuln-matching.md).
	RunningOn []product.CPE
	// Platforms are the CVE 5 platforms as written ("Windows", "x86");
	// recorded for display only.
	Platforms []string
}

// Versions says which versions of a product are affected, in the terms of
// CVE JSON 5: a list of single versions and ranges, each with a status,
// and a default status. The status of a version V is that of the first
// entry that contains V (a range's status refined by its changes); if none
// does, Default. V is affected when that status is StatusAffected.
//
// An NVD cpeMatch becomes one affected range with Default unaffected, or,
// with no range, no Ranges and Default affected (every version the CPE
// matches).
type Versions struct {
	// Default is the status of versions no entry contains.
	Default Status
	// Ranges are the entries in record order; the first that contains a
	// version decides its status.
	Ranges []Range
}

// All reports whether v says every version is affected: no ranges and a
// default of affected.
func (v Versions) All() bool { return len(v.Ranges) == 0 && v.Default == StatusAffected }

// Range is a single version or a range of versions with a status.
//
// A single version has Exact set and no bounds. A range has Exact empty
// and Start and/or End; with neither it is every version. Versions are
// compared as Scheme says (see package match).
type Range struct {
	// Status is the status of the versions in the range, before Changes.
	Status Status
	// Scheme is the versioning scheme, the CVE 5 versionType as written
	// ("semver", "custom", "git", "maven", …); "" if not given.
	Scheme string
	// Exact is the one version this entry is about; "" for a range.
	Exact string
	// Start is the lowest version in the range; "" for no lower bound.
	Start string
	// StartExcluded says Start itself is not in the range (NVD
	// versionStartExcluding, vers ">").
	StartExcluded bool
	// End is the upper bound; "" for no upper bound. It may end in "*",
	// CVE 5's "arbitrarily large number" ("1.*" is above every 1.x).
	End string
	// EndIncluded says End itself is in the range (CVE 5 lessThanOrEqual,
	// NVD versionEndIncluding).
	EndIncluded bool
	// Changes are the CVE 5 status changes within the range, as written
	// (not necessarily sorted): from version At on, the status is Status.
	Changes []Change
}

// Change is a status change within a [Range]: from version At on (up to
// the next change), the status is Status.
type Change struct {
	// At is the version from which Status holds.
	At string
	// Status is the status from At on.
	Status Status
}

// Severity is the qualitative severity rating CVSS v3.x and v4.0 give a
// base score: NONE (0), LOW (0.1–3.9), MEDIUM (4.0–6.9), HIGH (7.0–8.9)
// or CRITICAL (9.0–10.0).
func Severity(score float64) string {
	switch {
	case score == 0:
		return "NONE"
	case score < 4:
		return "LOW"
	case score < 7:
		return "MEDIUM"
	case score < 9:
		return "HIGH"
	}
	return "CRITICAL"
}
