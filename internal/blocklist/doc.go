// Package blocklist keeps ACD's defensive blocklist and renders it as the
// feeds that ISPs and operators pull to block and warn their users, as
// the ACTIVE programme gave ISPs lists of C2 and malware sites (DESIGN.md,
// pillar 4). ACD takes no measure on a network itself: the blocklist is
// the defensive side of a measure case, and analysts' indicators.
//
// # Entries
//
// An entry is an IP address, a network (CIDR) or a domain name, with a
// reason and an expiry ([ParseValue] normalises the value and derives its
// kind; special-purpose addresses and names are refused). Analysts and
// officers add entries one by one ([Service.Add]) or take every target of
// a measure case that has taken a measure, executing or closed
// ([Service.AddCase], through the [Cases] dependency). One value has at
// most one active entry. Entries leave the feeds when they expire (90 days
// by default, at most a year) or are removed with a reason
// ([Service.Remove]); they are never deleted. Every addition and removal
// is in the audit log in the same transaction.
//
// # Feeds
//
// [Service.Feed] renders the entries active now in one of three formats:
// an RPZ zone for DNS resolvers ([FormatRPZ]; domains and addresses), a
// plain list of networks for firewalls ([FormatTXT]; addresses only) and
// a STIX 2.1 bundle of indicators ([FormatSTIX]). A feed's bytes are a
// function of the blocklist's state alone, so its ETag (the SHA-256 of the
// body) and LastModified (the last addition, removal or expiry) let
// subscribers poll cheaply with conditional requests.
// [Service.Preview] shows analysts, officers and commanders the same
// bytes.
//
// # Subscribers
//
// A subscriber is an ISP or operator registered by the Cabinet Office
// ([Service.CreateSubscriber]) with the formats it may pull. It gets a feed
// token ([FeedTokenPrefix]), shown once and stored only as a SHA-256 hash;
// [Service.ResolveFeedToken] turns it into a principal with
// Principal.Subscriber set, whom the policy lets do nothing but pull
// (auth.BlocklistFeed). Creation and revocation are audited; pulls are
// counted per subscriber, not audited.
package blocklist
