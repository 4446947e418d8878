// Package vendors keeps the suppliers' side of vulnerabilities (Act §42,
// Basic Act §7): vendor organisations' products and the support periods
// they state, the vulnerability notices and formal requests to act that
// the Cabinet Office sends them, their answers, and the publication of
// the mitigation.
//
// A vendor registers its products, each identified by its CPE 2.3 vendor
// and product and, optionally, by the names CVE records give it. For a
// vulnerability the Cabinet Office has imported (package vuln), Concerned
// lists the vendors whose products the record names and how many
// specified critical computers it affects. Send then addresses one vendor:
//
//   - a vulnerability notice (§42(1), information) when no operator's
//     specified critical computer is affected;
//   - a request to act (§42(2)) when some are, with a deadline kept by the
//     deadline service (reminder, overdue notice).
//
// The vendor answers in the app: affected or not, fixed versions per
// product, the mitigation, how to investigate, the end of support. An
// answer that the product is affected publishes the mitigation at once as
// an advisory (package sharing, at the level the analyst chose when
// sending: TLP:CLEAR or TLP:GREEN, authorised by that analyst), and every
// operator whose specified critical computers are affected is told which.
// A request that reaches its deadline unanswered lapses: Sweep publishes
// what is known from the vulnerability record (the record's solutions and
// workarounds) and says the vendor has not answered; a later answer
// publishes a correcting revision. A later amended answer does too.
//
//	sent ──answer──▶ answered ──answer──▶ answered (correction)
//	  │  └─deadline (request)─▶ lapsed ──answer──▶ answered (correction)
//	  └─close──▶ closed   (also from answered and lapsed)
//
// Every change is an audit-log entry in its transaction; RegisterResolvers
// lets `acd log verify` check products and requests.
package vendors
