// Package vuln keeps the vulnerabilities ACD knows of and which registered
// specified critical computers (§4) each affects (§42, Basic Act §7).
//
// # Intake
//
// Service.Import reads a stream of records — a CVE JSON 5 record, an NVD
// CVE API 2.0 item or response, a JSON array or NDJSON of them (see
// package cve) — and stores each good record as received, keyed by its CVE
// id (a later record of the same id replaces it). A bad record is refused
// with its place in the stream, its id and the JSON path of the field; the
// records around it are imported all the same.
//
// # Matching
//
// A match.Index, loaded from the database at start-up, holds the
// vulnerabilities and the assets. Each import, and each asset change that
// package reporting reports through its AssetObserver hook, updates the
// index and stores what changed in the pairs (asset × vulnerability, with
// first seen and resolved times) in the same transaction as the audit-log
// entry. When new pairs appear, the affected operator is told in its inbox
// which of its assets are affected by which vulnerabilities.
//
// The index is changed only under the service's mutex and only outside
// reporting's transactions: inside one, the hook just marks the asset's
// new state (table vuln_assets, dirty); after commit the service applies
// it. A change whose transaction fails is undone in the index (an import)
// or retried at the next change or start-up (an asset). At start-up the
// stored pairs are reconciled with the full match.
//
// # Exploited in Japan
//
// Analysts mark a vulnerability exploited in Japan with its evidence:
// incident report ids, finding ids, a note and the date it was first seen
// exploited (Service.SetExploited), and optionally the catalogue fields.
// The marked vulnerabilities form the public catalogue of vulnerabilities
// exploited in Japan in the shape of CISA's KEV catalogue, with the public
// part of the evidence (counts and a date, never ids or notes):
// Service.Catalogue, CatalogueCSV and Service.CatalogueAtom. CISA's own
// catalogue (DecodeKEV) is imported as candidates only (Service.ImportKEV,
// Service.Candidates): it marks nothing.
//
// # Who sees what
//
// Any reader sees a vulnerability's record. Of the pairs, an operator sees
// its own assets', a ministry its sectors' (the sector exposure), the
// Cabinet Office all of them and the national view (counts per
// vulnerability and sector). The HTTP layer checks the action
// (auth.VulnRead); this package checks the scope.
package vuln
