// Package criteria reads the approved criteria set that the selection engine
// screens traffic against (format acd.selection.criteria/v1, documented in
// docs/selection-criteria.md) and compiles it into a [Matcher] that answers
// per flow, without allocating, whether some rule selects it.
//
// # Identity
//
// The exact bytes of a criteria file are its identity: an approval manifest
// names them by SHA-256, and [Parse] keeps [Set.SHA256] of the bytes it was
// given. Parse is strict so that one file has one meaning: unknown fields,
// duplicate keys, null values, wrong types and invalid UTF-8 are errors, and
// addresses, ports and domain names must be written in their plain form.
//
// # Semantics
//
// A flow is selected when its direction is in [Set.Directions] (never
// domestic-domestic, 内内, which is out of scope by law and refused by Parse)
// and ANY rule matches it. A rule matches when EVERY condition it has
// matches:
//
//   - addresses: either endpoint is inside one of the listed addresses or
//     CIDR prefixes.
//   - ports: the protocol is the listed one and, when the entry names ports,
//     either endpoint's port is in the range.
//   - domains: a domain name seen in the flow (DNS query name, TLS SNI, HTTP
//     Host without its port, SMTP HELO/EHLO domain) equals an exact name, or
//     equals or ends, on a label boundary, with a suffix name: suffix
//     "evil.example" matches "evil.example" and "a.b.evil.example", not
//     "notevil.example". Comparison ignores ASCII case and one trailing dot.
//   - commands: a pattern occurs as a byte substring of a request or command
//     line (HTTP request line, SMTP command line); case-sensitive.
//
// A rule has at least one condition and tests domains or commands, not both.
//
// # Matching
//
// The engine calls [Matcher.MatchTuple] for a new flow; it reports rules
// that have no domain or command condition. When that fails,
// [Matcher.WantsApp] says whether a domain or command rule could still match
// the flow, and so whether application data is worth parsing at all; the
// engine then offers each name to [Matcher.MatchDomain] and each request or
// command line to [Matcher.MatchCommand]. Every Match method reports the
// lowest-numbered matching rule, so results do not depend on the order in
// which the engine asks. Direction scope is the engine's to check, with
// [Set.DirectionSet].
//
// Lookups cost nearly the same for ten rules or a hundred thousand: every
// condition kind has an index (a prefix table for addresses, per-protocol
// port tables for rules without addresses, hash maps for domain names, an
// Aho–Corasick automaton for command patterns), and a candidate found through
// one index has its other conditions checked against the flow's tuple.
//
// Nothing in this package logs or keeps the data it is asked about; error
// messages quote the criteria file only, never traffic.
package criteria
