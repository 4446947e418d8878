// Package csaf publishes ACD's advisories (§41) as CSAF 2.0 documents
// from a CSAF trusted provider: the Cabinet Office's published TLP:CLEAR
// and TLP:GREEN advisories, each as a signed, hashed document in the
// provider layout of CSAF 2.0 §7, for vendors' and operators' tools to
// fetch.
//
//	p, err := csaf.New(csaf.Deps{Sharing: shr, Ring: ring}, csaf.Config{BaseURL: "https://acd.example.go.jp"})
//	csafapi.Register(router, p)
//
// # Source and labels
//
// The documents are built from package sharing (Service.CSAFItems and
// Service.CSAFItem): for each advisory, its latest revision that was
// published — published still, or withdrawn since. CSAF 2.0 uses TLP 1.0:
// TLP:CLEAR is served as WHITE, TLP:GREEN as GREEN; TLP:AMBER,
// TLP:AMBER+STRICT and TLP:RED are never served, and an advisory whose
// latest revision is one of them is not served at all. TLP:WHITE is
// public; TLP:GREEN is served, after a login, to readers who may read it
// in ACD (council members holding the clearance it requires), and is 404
// to anyone else. A TLP:GREEN document or list read is recorded as
// sharing's reads are.
//
// # Documents
//
// An advisory that names products for at least one vulnerability is a
// csaf_security_advisory: a product tree vendor → product name →
// product_version_range (the affected vers range) or product_version
// (the fixed version), with the CPE on the affected product; per
// vulnerability the CVE, the CWE (when its name is known: see cweNames),
// notes (description, how to investigate, end of vendor support, a CVSS
// 4.0 vector, which CSAF 2.0 cannot score), product status known_affected
// and fixed, the remediations, a CVSS 3.x score recomputed from the vector
// (test 6.1.9), and the threat exploit_status when the vulnerability is
// exploited in Japan. Any other advisory is a csaf_informational_advisory.
// Both carry the executive part, the technical summary, the hunting
// guidance, the indicators and the ATT&CK techniques as notes, a self
// reference and a reference to the advisory in ACD.
//
// The tracking id is "JP-ACD-" and the advisory id in upper case; the
// file name follows §5.1. Each publication of a revision is a version of
// the document (integer versioning: version n is revision n), dated when
// it was published, with status final. A withdrawn advisory stays served,
// as CSAF 2.1's profile "Withdrawn" would have it and as CSAF 2.0 allows:
// category "Withdrawn" (profile CSAF Base), title "Withdrawn: …", one more
// version for the withdrawal, a note "Reasoning for Withdrawal", no
// product tree or vulnerabilities.
//
// A document's bytes depend only on the advisory revision, its state and
// the configuration, so its hashes are stable; the signature depends on
// the signing key too. Built documents are cached in memory by advisory,
// revision, state and key. Before a document is served, Check runs CSAF's
// mandatory tests on it; a document that fails is logged and not served.
//
// # Layout
//
// Under /.well-known/csaf/: provider-metadata.json, service.json (ROLIE
// service document), openpgp/FINGERPRINT.asc, and white/ and green/ each
// with csaf-feed-tlp-LABEL.json (ROLIE feed), index.txt, changes.csv and
// YYYY/FILE.json with FILE.json.sha256, .sha512 and .asc, and HTML
// listings of each folder. The year is that of the initial release.
//
// # Signatures
//
// Documents are signed by the ring's advisory-signing key (Ed25519) as an
// OpenPGP key (package pgp), whose creation time is the key's, so its
// fingerprint is the same at every start. After a rotation the old keys
// stay listed in the metadata and served, and documents are signed again
// with the new key.
package csaf
