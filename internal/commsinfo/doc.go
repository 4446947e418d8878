// Package commsinfo keeps what automated selection yields and everything
// done with it (Act ch.3–7, §23, §27): the selection runs sensors upload,
// the selected records (mechanical information only), the anomalies the
// commission should look at, the analysts' findings, §27 cooperation
// requests, and provisions — the one record of selected data or findings
// leaving for another organisation. docs/commsinfo.md describes the upload
// protocol and the HTTP API (package commsinfoapi).
//
// # Runs
//
// [Service.Upload] reads the exact output of acd select
// (acd.selection.output/v1: a run header, records, a summary) as a stream:
// line by line with a bounded line length, hashed as it is read, records
// inserted in batches while the run stays pending and invisible. The
// header's criteria hash (and approval, when named) must be the approval's;
// the body must end in a summary; otherwise nothing is kept. The server
// recomputes the SHA-256 and size of everything before the summary: a
// mismatch stores the run flagged and its records quarantined — never
// searched, never provided. Each upload is one audit-log entry with counts
// and hashes, never record content.
//
// # Anomalies
//
// On upload a run is judged against its approval: started or finished
// outside the validity window, a revoked approval, selected traffic in a
// direction the approval does not cover, a selected/seen packet ratio far
// above the approval's history (Config.RatioFactor × the median of the
// previous runs, once there are Config.RatioMinHistory), a hash mismatch.
//
// # Who sees what
//
// The HTTP layer checks the action with the one policy; this package
// checks the record. Analysts and the commission see every run, record,
// finding, cooperation request and provision; an agency sees the
// cooperation requests it filed or was asked and the provisions addressed
// to it, and answers ErrNotFound for others. Every search of selected
// records, and every read of provided records, is an audit-log entry.
//
// # Provisions
//
// [Service.Provide] is the only way selected records or findings leave for
// another organisation. Each legal basis has a [BasisChecker]: the §23
// bases (an accepted §27 cooperation request, an active measure case, the
// operator party of the records' own agreement) are built in; the sharing
// capability adds §28 and §39 with [Service.RegisterBasis]. A provision
// without a valid basis is refused and the attempt written to the audit
// log.
//
// # Retention
//
// [Service.Purge] deletes selected records older than their approval's
// retention period; [Service.RunRetention] runs it periodically. Each
// deletion is an audit-log entry.
//
// # Dependencies
//
// Approvals come from the oversight capability through the [Approvals]
// interface and measure cases through [MeasureCases]; this package imports
// neither.
package commsinfo
