// Package match decides which registered specified critical computers
// (§4) a vulnerability affects (§42): CPE 2.3 name matching per NISTIR
// 7696, version ranges under the versioning scheme the record names, and
// package URLs with version ranges.
//
// # Pieces
//
//   - [CompareValues] and [CompareCPE] are NISTIR 7696 name matching: ANY,
//     NA, wildcards, and the SUPERSET/SUBSET/EQUAL/DISJOINT relations.
//   - [CompareVersions] orders versions under a [Scheme]; [VersionStatus]
//     is the CVE JSON 5 algorithm that says whether one version is
//     affected.
//   - [AffectsCPE] and [AffectsPURL] say whether one affected product
//     (a cve.Affected) covers one asset.
//   - An [Index] holds vulnerabilities and assets, gives the full match
//     ([Index.Pairs]) and what one change to either side changes
//     ([Index.PutVulnerability], [Index.PutAsset], …).
//
// # What counts as affected
//
// An asset is affected by a vulnerability when one of the vulnerability's
// affected products covers it: the affected product's CPE (the source) is
// SUPERSET or EQUAL of the asset's CPE name (the target) in every
// attribute but the version, and the asset's version is one the record
// says is affected. An asset whose version is not known is affected only
// by a record that affects every version. The reasons, and the version
// ordering rules, are in docs/vuln-matching.md.
package match
