package sharing

import (
	"context"
	"fmt"
	"slices"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/textfield"
	"github.com/acd-platform/acd/internal/tlp"
)

// maxScan bounds how many revisions a list reads before deciding, per
// item, what the reader may see.
const maxScan = 5000

// visibleTo reports whether reader r (p resolved) may read revision a as
// a shared item: the one decision (tlp.Scale.Visible), or being its author
// or reviewer.
func (s *Service) visibleTo(p *auth.Principal, r tlp.Reader, a Advisory) bool {
	if isUser(p) && (p.UserID == a.AuthorID || p.UserID == a.ReviewerID) {
		return true
	}
	return s.scale.Visible(a.Marking, r)
}

// analystSees reports whether a Cabinet Office analyst p (resolved as r)
// may read revision a through the advisories' own routes: its author and
// reviewer always; other analysts a draft or a revision in review if they
// hold its clearance, and anything published as its readers do.
func (s *Service) analystSees(p *auth.Principal, r tlp.Reader, a Advisory) bool {
	if p.UserID == a.AuthorID || p.UserID == a.ReviewerID {
		return true
	}
	if a.State == StateDraft || a.State == StateInReview {
		return s.scale.Rank(r.Clearance) >= s.scale.Rank(a.Marking.Clearance) && s.scale.Rank(a.Marking.Clearance) >= 0
	}
	return s.scale.Visible(a.Marking, r)
}

// auditReads records that r read the revisions in as, if any is not
// TLP:CLEAR: one "shared.read" entry naming every such id with its
// revision and TLP. resource is the item read, or "shared/list" for a
// list.
func (s *Service) auditReads(ctx context.Context, p *auth.Principal, resource string, as []Advisory) error {
	type item struct {
		ID       string    `json:"id"`
		Revision int       `json:"revision"`
		TLP      tlp.Level `json:"tlp"`
	}
	var items []item
	for _, a := range as {
		if a.Marking.Level != tlp.Clear {
			items = append(items, item{a.ID, a.Revision, a.Marking.Level})
		}
	}
	if len(items) == 0 {
		return nil
	}
	actor, org := actorOf(p)
	if _, err := s.log.AppendRead(ctx, auditlog.Entry{Actor: actor, Org: org, Action: "shared.read", Resource: resource,
		Payload: map[string]any{"reader": actor, "org": org, "items": items}}); err != nil {
		return fmt.Errorf("audit read: %w", err)
	}
	return nil
}

// Advisory returns revision rev (0: the latest) of advisory id to a
// Cabinet Office analyst, in any state (see the package documentation for
// who sees what). The read is audited unless the revision is TLP:CLEAR.
func (s *Service) Advisory(ctx context.Context, p *auth.Principal, id string, rev int) (Advisory, error) {
	notFound := fmt.Errorf("advisory %q: %w", textfield.Cut(id, 80), ErrNotFound)
	if !manager(p) {
		return Advisory{}, notFound
	}
	a, err := loadAdvisory(ctx, s.db, id, rev)
	if err != nil {
		return Advisory{}, err
	}
	r, err := s.Reader(ctx, p)
	if err != nil {
		return Advisory{}, err
	}
	if !s.analystSees(p, r, a) {
		return Advisory{}, notFound
	}
	if a.Forwards, err = s.forwards(ctx, a.ID); err != nil {
		return Advisory{}, err
	}
	return a, s.auditReads(ctx, p, "advisory/"+a.ID, []Advisory{a})
}

// AdvisoryFilter selects advisories; zero fields do not filter.
type AdvisoryFilter struct {
	State State
	// Limit is at most 1000; default 100.
	Limit int
}

// Advisories lists the latest revision of each advisory a Cabinet Office
// analyst may see (drafts and reviews included), newest change first. The
// list is one audited read of its non-CLEAR items.
func (s *Service) Advisories(ctx context.Context, p *auth.Principal, f AdvisoryFilter) ([]Summary, error) {
	if !manager(p) {
		return []Summary{}, nil
	}
	r, err := s.Reader(ctx, p)
	if err != nil {
		return nil, err
	}
	q := "SELECT data FROM shr_advisories a WHERE revision = (SELECT MAX(revision) FROM shr_advisories b WHERE b.id = a.id)"
	var args []any
	if f.State != "" {
		q += " AND state = ?"
		args = append(args, string(f.State))
	}
	rows, err := s.db.Query(ctx, q+" ORDER BY updated_at DESC, id LIMIT ?", append(args, maxScan)...)
	if err != nil {
		return nil, fmt.Errorf("list advisories: %w", err)
	}
	all, err := scanAdvisories(rows)
	if err != nil {
		return nil, fmt.Errorf("list advisories: %w", err)
	}
	var shown []Advisory
	for _, a := range all {
		if len(shown) < limit(f.Limit) && s.analystSees(p, r, a) {
			shown = append(shown, a)
		}
	}
	return summaries(shown), s.auditReads(ctx, p, "shared/list", shown)
}

// Shared returns the latest published revision of advisory id (published
// or withdrawn) to a reader who may see it: tlp.Scale.Visible with the
// reader's membership and clearance now, or its author or reviewer.
// Anyone else gets ErrNotFound. The read is audited unless the item is
// TLP:CLEAR. A reader outside the Cabinet Office sees no other recipient
// than itself, and only the forwards from or to its organisation.
func (s *Service) Shared(ctx context.Context, p *auth.Principal, id string) (Advisory, error) {
	a, err := s.shared(ctx, p, id)
	if err != nil {
		return Advisory{}, err
	}
	if a.Forwards, err = s.forwards(ctx, a.ID); err != nil {
		return Advisory{}, err
	}
	if err := s.auditReads(ctx, p, "advisory/"+a.ID, []Advisory{a}); err != nil {
		return Advisory{}, err
	}
	return redact(p, a), nil
}

// redact removes from a what a reader outside the Cabinet Office must not
// learn through it: the other recipients (a group's member list may be
// invisible to its members; individuals named for RED are told apart by
// the Cabinet Office only) and the forwards between others.
func redact(p *auth.Principal, a Advisory) Advisory {
	if manager(p) {
		return a
	}
	var orgs, users []string
	if isUser(p) && slices.Contains(a.Marking.RecipientOrgs, p.OrgID) {
		orgs = []string{p.OrgID}
	}
	if isUser(p) && slices.Contains(a.Marking.RecipientUsers, p.UserID) {
		users = []string{p.UserID}
	}
	a.Marking.RecipientOrgs, a.Marking.RecipientUsers = orgs, users
	a.Recipients = Recipients{}
	var fwd []Forward
	for _, f := range a.Forwards {
		if isUser(p) && (f.FromOrg == p.OrgID || f.ToOrg == p.OrgID) {
			fwd = append(fwd, f)
		}
	}
	a.Forwards = fwd
	return a
}

// shared loads what Shared returns, unaudited.
func (s *Service) shared(ctx context.Context, p *auth.Principal, id string) (Advisory, error) {
	a, err := loadShared(ctx, s.db, id)
	if err != nil {
		return Advisory{}, err
	}
	r, err := s.Reader(ctx, p)
	if err != nil {
		return Advisory{}, err
	}
	if !s.visibleTo(p, r, a) {
		return Advisory{}, fmt.Errorf("advisory %q: %w", textfield.Cut(id, 80), ErrNotFound)
	}
	return a, nil
}

// SharedFilter selects shared items; zero fields do not filter.
type SharedFilter struct {
	TLP tlp.Level
	// Withdrawn includes withdrawn items.
	Withdrawn bool
	// Limit is at most 1000; default 100.
	Limit int
}

// SharedItems lists the published advisories p may read (the latest
// published revision of each), newest first, deciding per item as Shared
// does. The list is one audited read naming its non-CLEAR items.
func (s *Service) SharedItems(ctx context.Context, p *auth.Principal, f SharedFilter) ([]Summary, error) {
	r, err := s.Reader(ctx, p)
	if err != nil {
		return nil, err
	}
	states := []any{string(StatePublished)}
	if f.Withdrawn {
		states = append(states, string(StateWithdrawn))
	}
	q := "SELECT data FROM shr_advisories WHERE state IN (?" + map[bool]string{false: "", true: ", ?"}[f.Withdrawn] + ")"
	args := states
	if f.TLP != "" {
		q += " AND tlp = ?"
		args = append(args, string(f.TLP))
	}
	rows, err := s.db.Query(ctx, q+" ORDER BY published_at DESC, id LIMIT ?", append(args, maxScan)...)
	if err != nil {
		return nil, fmt.Errorf("list shared items: %w", err)
	}
	all, err := scanAdvisories(rows)
	if err != nil {
		return nil, fmt.Errorf("list shared items: %w", err)
	}
	var shown []Advisory
	seen := map[string]bool{}
	for _, a := range all {
		if seen[a.ID] {
			continue // an older revision, withdrawn before the next was published
		}
		seen[a.ID] = true
		if len(shown) < limit(f.Limit) && s.visibleTo(p, r, a) {
			shown = append(shown, a)
		}
	}
	return summaries(shown), s.auditReads(ctx, p, "shared/list", shown)
}

// SharedSTIX returns the STIX bundle of the shared item id, to a reader
// who may see it; audited as Shared is.
func (s *Service) SharedSTIX(ctx context.Context, p *auth.Principal, id string) ([]byte, error) {
	a, err := s.shared(ctx, p, id)
	if err != nil {
		return nil, err
	}
	objs, err := STIXObjects(a)
	if err != nil {
		return nil, err
	}
	if err := s.auditReads(ctx, p, "advisory/"+a.ID, []Advisory{a}); err != nil {
		return nil, err
	}
	return Bundle(a, objs), nil
}

func summaries(as []Advisory) []Summary {
	out := make([]Summary, len(as))
	for i, a := range as {
		out[i] = a.summary()
	}
	return out
}

// limit returns n bounded to 1..1000, 100 when 0.
func limit(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 1000:
		return 1000
	}
	return n
}
