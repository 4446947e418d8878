// Package oversight keeps the legal process that lets ACD acquire and
// screen communications information (Act ch.3–7) and the commission's
// control of it (ch.10): agreements with operators, acquisition requests,
// the commission's motions, votes and decisions, the approvals that result
// with their signed manifests, and the sensor tokens that bind a sensor to
// one approval. docs/oversight.md describes the workflow and the API.
//
// # Agreements (ch.3)
//
// The Cabinet Office drafts an [Agreement] with an operator: the links and
// facilities covered, the directions, how long selected records are kept,
// what analysis results go back, and the criteria file the selection engine
// will run on. Either side may edit a draft, ask the other to consult (a
// [Consultation] with a response deadline kept by the deadline service; the
// other side must answer and may refuse only with a reason), sign the
// current revision, and terminate. When both sides have signed, the
// agreement is active and an [Approval] with basis ch3 and its manifest are
// issued; termination revokes it.
//
// # Acquisition requests (ch.4, ch.6) and the commission
//
// The Cabinet Office files an [Acquisition] request: the chapter (ch4:
// foreign→foreign transit through a specific facility; ch6: traffic
// between Japan and specific foreign equipment), the target, the suspicion,
// why other methods are extremely difficult, the period and directions, and
// the criteria file, whose exact bytes are kept. Domestic-domestic traffic
// is never in scope.
//
// The commission's chair or a member moves a [Motion] on a pending request:
// approve, approve narrowed (a [Narrowing] that only shrinks: a shorter
// window, fewer directions, rules or values; the narrowed file is written
// as the set's next version when the motion is moved, so that members vote
// on exact bytes), or refuse (reasons by [ReasonCategory]). Each chair or
// member votes once, with reasons; the chair closes the motion and the
// votes are counted under the [Quorum] rule. A carried motion decides the
// request; otherwise it stays pending for another motion. Nobody decides
// what they filed, and an account holding the analyst role takes no part.
//
// # Approvals, manifests and sensor tokens
//
// An approval's manifest (package manifest) names the approved criteria
// file by SHA-256 and is signed with the approval-manifest key when the
// approval is issued; [Service.Manifest] and [Service.ApprovalCriteria]
// return the exact bytes a sensor needs. The chair revokes approvals of the
// commission; [Service.Revocations] signs a fresh list of every revoked
// approval on each call. An analyst issues a [SensorToken] bound to one
// active approval, which [Service.ResolveSensorToken] turns into a sensor
// principal until it expires with the approval, is revoked, or its
// approval is.
//
// # Records
//
// Every state change is appended to the audit log in the transaction that
// makes it, with the record's public fields as payload (never a token or
// its hash). Notices go to the commission when a request is filed or a
// motion moved, to the filer when a request is decided, and to the other
// side of an agreement when it is drafted, revised, consulted on, signed or
// terminated.
package oversight
