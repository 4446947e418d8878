package blocklist

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/textfield"
)

// FeedTokenPrefix starts every feed token, so that secret scanners
// recognise leaked ones and the server's authenticator sends them to
// ResolveFeedToken: "acdfeed_" and 43 base64url characters (256 bits).
const FeedTokenPrefix = "acdfeed_"

// Format is a feed format.
type Format string

// Feed formats.
const (
	FormatRPZ  Format = "rpz"  // DNS response policy zone
	FormatTXT  Format = "txt"  // plain list of IP networks
	FormatSTIX Format = "stix" // STIX 2.1 bundle of indicators
)

// AllFormats returns every feed format.
func AllFormats() []Format { return []Format{FormatRPZ, FormatTXT, FormatSTIX} }

// ParseFormat returns the format named s, or a FieldError for field.
func ParseFormat(field, s string) (Format, error) {
	f := Format(s)
	if slices.Contains(AllFormats(), f) {
		return f, nil
	}
	return "", svcerr.Fieldf(field, "%q: want rpz, txt or stix", textfield.Cut(s, 40))
}

// Subscriber is an ISP or operator that pulls the feeds with a feed token,
// as listed: never its token, which is shown once at creation and stored
// only as a SHA-256 hash.
type Subscriber struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Contact string `json:"contact"`
	// OrgID is the subscriber's organisation in ACD, if it has one.
	OrgID string `json:"org_id,omitempty"`
	// Formats are the feeds it may pull.
	Formats      []Format  `json:"formats"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	RevokedBy    string    `json:"revoked_by,omitempty"`
	RevokeReason string    `json:"revoke_reason,omitempty"`
	// LastPullAt and Pulls say when it last pulled a feed and how many
	// times it has; they are not audited and not part of the stored
	// record.
	LastPullAt time.Time `json:"last_pull_at,omitzero"`
	Pulls      int64     `json:"pulls,omitempty"`
}

// Allows reports whether sub may pull feeds of format f.
func (sub Subscriber) Allows(f Format) bool { return slices.Contains(sub.Formats, f) }

// SubscriberInput registers a subscriber.
type SubscriberInput struct {
	// Name is the subscriber's name (an ISP, an operator); one line,
	// required.
	Name string `json:"name"`
	// Contact is how to reach its DNS or network operators; one line,
	// required.
	Contact string `json:"contact"`
	// OrgID is its organisation in ACD, if it has one.
	OrgID string `json:"org_id,omitempty"`
	// Formats it may pull; empty means all.
	Formats []Format `json:"formats,omitempty"`
}

// hashToken is the stored form of a feed token.
func hashToken(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// CreateSubscriber registers a subscriber, for an analyst. It returns the
// raw feed token, shown this once, and the subscriber as listed.
func (s *Service) CreateSubscriber(ctx context.Context, p *auth.Principal, in SubscriberInput) (string, Subscriber, error) {
	if !s.allowed(p, auth.BlocklistSubscribers) {
		return "", Subscriber{}, svcerr.Forbiddenf("only the Cabinet Office registers feed subscribers")
	}
	name, contact, orgID := strings.TrimSpace(in.Name), strings.TrimSpace(in.Contact), strings.TrimSpace(in.OrgID)
	if err := textfield.CheckLine("name", name, true); err != nil {
		return "", Subscriber{}, err
	}
	if err := textfield.CheckLine("contact", contact, true); err != nil {
		return "", Subscriber{}, err
	}
	formats := AllFormats()
	if len(in.Formats) > 0 {
		formats = nil
		for i, f := range in.Formats {
			field := fmt.Sprintf("formats[%d]", i)
			if _, err := ParseFormat(field, string(f)); err != nil {
				return "", Subscriber{}, err
			}
			if slices.Contains(formats, f) {
				return "", Subscriber{}, svcerr.Fieldf(field, "%q is listed twice", f)
			}
			formats = append(formats, f)
		}
		if len(in.Formats) > len(AllFormats()) {
			return "", Subscriber{}, svcerr.Fieldf("formats", "at most %d formats", len(AllFormats()))
		}
	}
	if orgID != "" {
		if _, err := s.auth.Org(ctx, orgID); err != nil {
			if errors.Is(err, auth.ErrNotFound) {
				return "", Subscriber{}, svcerr.Fieldf("org_id", "%q is not an organisation", textfield.Cut(orgID, 60))
			}
			return "", Subscriber{}, fmt.Errorf("look up organisation: %w", err)
		}
	}
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return "", Subscriber{}, fmt.Errorf("create feed token: %w", err)
	}
	raw := FeedTokenPrefix + base64.RawURLEncoding.EncodeToString(secret[:])
	now := s.now()
	sub := Subscriber{ID: newID("sub_"), Name: name, Contact: contact, OrgID: orgID, Formats: formats, CreatedBy: p.UserID, CreatedAt: now}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		data, err := encode(sub)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO blk_subscribers (id, token_hash, created_at, last_pull_at, pulls, data) VALUES (?, ?, ?, '', 0, ?)",
			sub.ID, hashToken(raw), fmtTime(now), data); err != nil {
			return fmt.Errorf("record subscriber: %w", err)
		}
		return s.audit(ctx, tx, p, "blocklist.subscriber_create", "blocklist_subscriber/"+sub.ID, sub)
	})
	if err != nil {
		return "", Subscriber{}, err
	}
	return raw, sub, nil
}

// RevokeSubscriber revokes subscriber id's feed token with a reason, for
// an analyst. Revoking twice is 409.
func (s *Service) RevokeSubscriber(ctx context.Context, p *auth.Principal, id, reason string) (Subscriber, error) {
	if !s.allowed(p, auth.BlocklistSubscribers) {
		return Subscriber{}, svcerr.Forbiddenf("only the Cabinet Office revokes feed subscribers")
	}
	reason = strings.TrimSpace(reason)
	if err := checkReason("reason", reason); err != nil {
		return Subscriber{}, err
	}
	var sub Subscriber
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		if sub, err = loadSubscriber(ctx, tx, id); err != nil {
			return err
		}
		if !sub.RevokedAt.IsZero() {
			return svcerr.Conflictf("subscriber %s was already revoked at %s", sub.ID, stamp(sub.RevokedAt))
		}
		sub.RevokedAt, sub.RevokedBy, sub.RevokeReason = s.now(), p.UserID, reason
		data, err := encode(sub)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE blk_subscribers SET data = ? WHERE id = ?", data, sub.ID); err != nil {
			return fmt.Errorf("revoke subscriber %s: %w", sub.ID, err)
		}
		return s.audit(ctx, tx, p, "blocklist.subscriber_revoke", "blocklist_subscriber/"+sub.ID, sub)
	})
	if err != nil {
		return Subscriber{}, err
	}
	return s.withPulls(ctx, sub)
}

// Subscribers lists every subscriber, newest first, with its pull
// statistics, for an analyst.
func (s *Service) Subscribers(ctx context.Context, p *auth.Principal) ([]Subscriber, error) {
	if !s.allowed(p, auth.BlocklistSubscribers) {
		return nil, svcerr.Forbiddenf("only the Cabinet Office lists feed subscribers")
	}
	rows, err := s.db.Query(ctx, "SELECT data, last_pull_at, pulls FROM blk_subscribers ORDER BY created_at DESC, id DESC")
	if err != nil {
		return nil, fmt.Errorf("list subscribers: %w", err)
	}
	out := []Subscriber{}
	for rows.Next() {
		var data, last string
		var sub Subscriber
		if err := rows.Scan(&data, &last, &sub.Pulls); err != nil {
			return nil, closeRows(rows, fmt.Errorf("list subscribers: %w", err))
		}
		pulls := sub.Pulls
		if err := decode(data, &sub); err != nil {
			return nil, closeRows(rows, err)
		}
		sub.Pulls = pulls
		if sub.LastPullAt, err = parseTime(last); err != nil {
			return nil, closeRows(rows, err)
		}
		out = append(out, sub)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list subscribers: %w", err)
	}
	return out, nil
}

// withPulls fills in sub's pull statistics.
func (s *Service) withPulls(ctx context.Context, sub Subscriber) (Subscriber, error) {
	var last string
	if err := s.db.QueryRow(ctx, "SELECT last_pull_at, pulls FROM blk_subscribers WHERE id = ?", sub.ID).Scan(&last, &sub.Pulls); err != nil {
		return Subscriber{}, fmt.Errorf("read subscriber %s: %w", sub.ID, err)
	}
	var err error
	sub.LastPullAt, err = parseTime(last)
	return sub, err
}

// loadSubscriber reads subscriber id as stored, without pull statistics.
func loadSubscriber(ctx context.Context, q store.Querier, id string) (Subscriber, error) {
	var data string
	err := q.QueryRow(ctx, "SELECT data FROM blk_subscribers WHERE id = ?", id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Subscriber{}, svcerr.NotFoundf("subscriber %q", textfield.Cut(id, 60))
	}
	if err != nil {
		return Subscriber{}, fmt.Errorf("read subscriber: %w", err)
	}
	var sub Subscriber
	if err := decode(data, &sub); err != nil {
		return Subscriber{}, err
	}
	return sub, nil
}

// errFeedToken is why a feed token does not authenticate; it wraps
// auth.ErrUnauthenticated and never holds the token.
func errFeedToken(why string) error {
	return fmt.Errorf("feed token %s: %w", why, auth.ErrUnauthenticated)
}

// ResolveFeedToken authenticates a feed token (the raw value after
// "Bearer "). It returns the principal of the subscriber,
// &auth.Principal{Subscriber: id, Via: auth.ViaToken}, when the token
// exists and its subscriber is not revoked. Otherwise the error wraps
// auth.ErrUnauthenticated; any other error means the check could not be
// made. Neither the token nor its hash is ever logged or put in an error.
func (s *Service) ResolveFeedToken(ctx context.Context, token string) (*auth.Principal, error) {
	if !strings.HasPrefix(token, FeedTokenPrefix) || len(token) != len(FeedTokenPrefix)+43 {
		return nil, errFeedToken("malformed")
	}
	var data string
	err := s.db.QueryRow(ctx, "SELECT data FROM blk_subscribers WHERE token_hash = ?", hashToken(token)).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errFeedToken("unknown")
	}
	if err != nil {
		return nil, fmt.Errorf("resolve feed token: %w", err)
	}
	var sub Subscriber
	if err := decode(data, &sub); err != nil {
		return nil, err
	}
	if !sub.RevokedAt.IsZero() {
		return nil, errFeedToken("of " + sub.ID + " revoked")
	}
	return &auth.Principal{Subscriber: sub.ID, Via: auth.ViaToken}, nil
}

// subscriberFor returns the active subscriber a feed principal stands
// for.
func (s *Service) subscriberFor(ctx context.Context, p *auth.Principal) (Subscriber, error) {
	if !s.allowed(p, auth.BlocklistFeed) {
		return Subscriber{}, svcerr.Forbiddenf("only feed subscribers pull the feeds, with their feed token")
	}
	sub, err := loadSubscriber(ctx, s.db, p.Subscriber)
	if errors.Is(err, ErrNotFound) {
		return Subscriber{}, svcerr.Forbiddenf("no subscriber %q", textfield.Cut(p.Subscriber, 60))
	}
	if err != nil {
		return Subscriber{}, err
	}
	if !sub.RevokedAt.IsZero() {
		return Subscriber{}, svcerr.Forbiddenf("subscriber %s was revoked at %s", sub.ID, stamp(sub.RevokedAt))
	}
	return sub, nil
}

// recordPull counts a pull by subscriber id at now. Pulls are not
// audited: they change no record, and a poll every few minutes would
// flood the log.
func (s *Service) recordPull(ctx context.Context, id string, now time.Time) error {
	if _, err := s.db.Exec(ctx, "UPDATE blk_subscribers SET last_pull_at = ?, pulls = pulls + 1 WHERE id = ?", fmtTime(now), id); err != nil {
		return fmt.Errorf("record pull by %s: %w", id, err)
	}
	return nil
}
