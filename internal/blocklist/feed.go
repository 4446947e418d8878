package blocklist

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/svcerr"
)

// Content types of the feeds.
const (
	ContentTypeRPZ  = "text/dns" // RFC 4027: a DNS master file
	ContentTypeTXT  = "text/plain; charset=utf-8"
	ContentTypeSTIX = "application/stix+json;version=2.1"
)

// Feed is one rendering of the blocklist. The body is a function of the
// entries active at the time and of the blocklist's last change: the same
// state always gives the same bytes, so ETag changes exactly when the
// content does.
type Feed struct {
	Format      Format
	Body        []byte
	ContentType string
	// ETag is the strong entity tag of Body: its SHA-256 in hex, quoted.
	ETag string
	// LastModified is the blocklist's last change at the time of
	// rendering: the latest time an entry was added, removed, or expired
	// (expiries later than the rendering are not changes yet). It is the
	// Unix epoch for a blocklist that never had an entry.
	LastModified time.Time
	// Entries is how many entries the feed holds (for txt, only addresses
	// and networks).
	Entries int
}

// Feed renders a feed for a subscriber (a principal from
// ResolveFeedToken) and counts the pull. A format the subscriber was not
// given, or a revoked subscriber, is ErrForbidden.
func (s *Service) Feed(ctx context.Context, p *auth.Principal, f Format) (Feed, error) {
	if _, err := ParseFormat("format", string(f)); err != nil {
		return Feed{}, err
	}
	sub, err := s.subscriberFor(ctx, p)
	if err != nil {
		return Feed{}, err
	}
	if !sub.Allows(f) {
		return Feed{}, svcerr.Forbiddenf("subscriber %s may pull %s, not %s", sub.ID, joinFormats(sub.Formats), f)
	}
	now := s.now()
	feed, err := s.render(ctx, f, now)
	if err != nil {
		return Feed{}, err
	}
	if err := s.recordPull(ctx, sub.ID, now); err != nil {
		return Feed{}, err
	}
	return feed, nil
}

// Preview renders a feed exactly as subscribers get it, for those who may
// read the blocklist.
func (s *Service) Preview(ctx context.Context, p *auth.Principal, f Format) (Feed, error) {
	if !s.allowed(p, auth.BlocklistRead) {
		return Feed{}, svcerr.Forbiddenf("you may not read the blocklist")
	}
	if _, err := ParseFormat("format", string(f)); err != nil {
		return Feed{}, err
	}
	return s.render(ctx, f, s.now())
}

func joinFormats(fs []Format) string {
	ss := make([]string, len(fs))
	for i, f := range fs {
		ss[i] = string(f)
	}
	return strings.Join(ss, ", ")
}

// snapshot is the blocklist as the feeds see it at one time.
type snapshot struct {
	entries      []feedEntry // active, in feed order
	lastModified time.Time
}

// feedEntry is an active entry with its parsed value.
type feedEntry struct {
	Entry
	prefix netip.Prefix // for ip and cidr
}

// snapshotQuery reads, in one statement and so from one consistent view,
// the active entries and a last row (empty data) holding the latest
// addition, removal and past expiry of an entry not removed before it.
const snapshotQuery = `SELECT data, added_at, removed_at, expires_at FROM blk_entries WHERE removed_at = '' AND expires_at > ?
UNION ALL
SELECT '', COALESCE(MAX(added_at), ''), COALESCE(MAX(removed_at), ''),
	COALESCE(MAX(CASE WHEN expires_at <= ? AND (removed_at = '' OR removed_at > expires_at) THEN expires_at ELSE '' END), '')
FROM blk_entries`

// snapshotAt reads the blocklist as it stands at now.
func (s *Service) snapshotAt(ctx context.Context, now time.Time) (snapshot, error) {
	at := fmtTime(now)
	rows, err := s.db.Query(ctx, snapshotQuery, at, at)
	if err != nil {
		return snapshot{}, fmt.Errorf("read blocklist: %w", err)
	}
	var snap snapshot
	for rows.Next() {
		var data, added, removed, expired string
		if err := rows.Scan(&data, &added, &removed, &expired); err != nil {
			return snapshot{}, closeRows(rows, fmt.Errorf("read blocklist: %w", err))
		}
		if data != "" {
			var e feedEntry
			if err := decode(data, &e.Entry); err != nil {
				return snapshot{}, closeRows(rows, err)
			}
			if e.Kind != KindDomain {
				if e.prefix, err = entryPrefix(e.Entry); err != nil {
					return snapshot{}, closeRows(rows, err)
				}
			}
			snap.entries = append(snap.entries, e)
			continue
		}
		for _, t := range []string{added, removed, expired} {
			tt, err := parseTime(t)
			if err != nil {
				return snapshot{}, closeRows(rows, err)
			}
			if tt.After(snap.lastModified) {
				snap.lastModified = tt
			}
		}
	}
	if err := closeRows(rows, nil); err != nil {
		return snapshot{}, fmt.Errorf("read blocklist: %w", err)
	}
	if snap.lastModified.IsZero() {
		snap.lastModified = time.Unix(0, 0).UTC()
	}
	slices.SortFunc(snap.entries, compareEntries)
	return snap, nil
}

// entryPrefix parses a stored ip or cidr value.
func entryPrefix(e Entry) (netip.Prefix, error) {
	if e.Kind == KindIP {
		a, err := netip.ParseAddr(e.Value)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("entry %s: stored address: %w", e.ID, err)
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(e.Value)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("entry %s: stored network: %w", e.ID, err)
	}
	return p, nil
}

// compareEntries orders a feed: domains by name, then IPv4, then IPv6
// networks by address and prefix length; ids break ties (there are none
// among active entries, whose values are unique).
func compareEntries(a, b feedEntry) int {
	group := func(e feedEntry) int {
		switch {
		case e.Kind == KindDomain:
			return 0
		case e.prefix.Addr().Is4():
			return 1
		}
		return 2
	}
	if c := cmp.Compare(group(a), group(b)); c != 0 {
		return c
	}
	if a.Kind == KindDomain {
		if c := strings.Compare(a.Value, b.Value); c != 0 {
			return c
		}
	} else {
		if c := a.prefix.Addr().Compare(b.prefix.Addr()); c != 0 {
			return c
		}
		if c := cmp.Compare(a.prefix.Bits(), b.prefix.Bits()); c != 0 {
			return c
		}
	}
	return strings.Compare(a.ID, b.ID)
}

// render renders format f of the blocklist at now.
func (s *Service) render(ctx context.Context, f Format, now time.Time) (Feed, error) {
	snap, err := s.snapshotAt(ctx, now)
	if err != nil {
		return Feed{}, err
	}
	feed := Feed{Format: f, LastModified: snap.lastModified}
	switch f {
	case FormatRPZ:
		feed.Body, feed.Entries = renderRPZ(snap, s.cfg.RPZOrigin, s.cfg.RPZTTL), len(snap.entries)
		feed.ContentType = ContentTypeRPZ
	case FormatTXT:
		feed.Body, feed.Entries = renderTXT(snap)
		feed.ContentType = ContentTypeTXT
	case FormatSTIX:
		if feed.Body, err = renderSTIX(snap, s.tlp); err != nil {
			return Feed{}, err
		}
		feed.Entries = len(snap.entries)
		feed.ContentType = ContentTypeSTIX
	default:
		return Feed{}, svcerr.Fieldf("format", "%q: want rpz, txt or stix", f)
	}
	sum := sha256.Sum256(feed.Body)
	feed.ETag = `"` + hex.EncodeToString(sum[:]) + `"`
	return feed, nil
}

// commentLine is the comment that precedes an entry in the text feeds:
// id, reason (one line, no control characters, quoted), case, added and
// expires.
func commentLine(e Entry) string {
	caseRef := e.CaseRef
	if caseRef == "" {
		caseRef = "-"
	}
	return fmt.Sprintf("%s reason=%s case=%s added=%s expires=%s", e.ID, strconv.Quote(oneLine(e.Reason)), caseRef,
		stamp(e.AddedAt), stamp(e.ExpiresAt))
}

// oneLine replaces every control character (line breaks included) and
// invalid byte with a space, collapses runs of spaces and trims.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// renderTXT writes the plain list: a header, then for every address and
// network a comment line and the network in CIDR form (a single address
// as /32 or /128). Domains are not in this list.
func renderTXT(snap snapshot) ([]byte, int) {
	n := 0
	for _, e := range snap.entries {
		if e.Kind != KindDomain {
			n++
		}
	}
	var b bytes.Buffer
	b.WriteString("# ACD defensive blocklist: IP addresses and networks to block, one CIDR per line.\n")
	b.WriteString("# Lines starting with # are comments. Domain names are in the RPZ and STIX feeds only.\n")
	fmt.Fprintf(&b, "# Entries: %d. Last change: %s.\n", n, stamp(snap.lastModified))
	for _, e := range snap.entries {
		if e.Kind == KindDomain {
			continue
		}
		b.WriteString("#\n# ")
		b.WriteString(commentLine(e.Entry))
		b.WriteByte('\n')
		b.WriteString(e.prefix.String())
		b.WriteByte('\n')
	}
	return b.Bytes(), n
}
