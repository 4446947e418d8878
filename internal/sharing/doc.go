// Package sharing keeps the council (Act ch.9) and what is shared in it:
// council membership, groups of members, clearances, two-part advisories
// under TLP 2.0 and one-voice public alerts (§41), the checkers of the
// provision of analysis information (§28, §39), and the council's requests
// for materials.
//
// # Council
//
// Government organisations (ministries, the Cabinet Office, police, the
// SDF, the cabinet, the NPSC, MOFA, MOD and other agencies) are members by
// what they are ([AgencyKind]); operators and vendors join only with a
// recorded consent that accepts the duty of secrecy ([CurrentTerms], §82),
// and withdrawing it ends the membership at once. The Cabinet Office may
// suspend and reinstate any member. The commission and the system's
// organisation are never members. Groups of members ("electricity ISAC")
// are kept by the Cabinet Office, which chooses per group whether its
// member list is visible to its members; a member never sees the full
// member list.
//
// # Visibility
//
// [Service.Reader] resolves a principal to a [tlp.Reader] — its
// organisation's membership now and the user's clearance — and every read
// decides with [tlp.Scale.Visible], the one decision the pages, the API and
// the TAXII server share. Every read of an item that is not TLP:CLEAR is an
// audit-log entry "shared.read" naming the reader, the items and their
// TLP; a list is one entry naming every non-CLEAR id it returned.
//
// # Advisories
//
// An [Advisory] has a technical part for analysts (indicators, ATT&CK
// techniques, threat-hunting guidance) and an executive part (background,
// the attacker's purpose, business impact, recommended actions). It moves
// draft → in_review → published (or back to draft with a comment) →
// withdrawn; a second analyst reviews and publishes, never the author. A
// published revision is immutable: a correction is a new revision that
// supersedes it. Publishing is one transaction: the audit entry, the
// notices to the recipients, and the STIX objects handed to the
// [Publisher] (the TAXII server); a correction also hands it a revoked
// new version of each object of the superseded revision that it dropped.
// A recipient organisation of a TLP:AMBER item may forward it to another
// member ([Service.Forward]).
//
// # Audit
//
// Every change is an audit-log entry in its transaction, on one of four
// resources: advisory/ID (every revision of the advisory and its
// forwards), clearance/USER, council_member/ORG (the membership with its
// history) and council_group/ID (the group with its members). The
// payload is the resource's rows as stored after the change, every
// column; [RegisterResolvers] (called by New) lets auditlog.Verify read
// the same rows and so find any record changed, added or removed without
// an entry. A revoked clearance is kept, marked revoked, so its entry has
// a record to match.
//
// # Refusals
//
// The HTTP layer checks each action with the one policy (auth.Policy);
// this package decides the record. A step the council's rules forbid
// answers a [*Refusal] with a stable code, its status (403 or 409) and
// messages in English and Japanese; invalid input a [*FieldError]; a
// record the caller may not see ErrNotFound.
//
// docs/sharing.md describes the workflow, the visibility table, the
// refusal codes and the configuration.
package sharing
