package sharing

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/textfield"
	"github.com/acd-platform/acd/internal/tlp"
)

// maxCSAF bounds how many advisories the CSAF provider lists at one level.
const maxCSAF = 10000

// Release is one publication of an advisory revision, as a CSAF revision
// history lists it.
type Release struct {
	Revision int
	// Supersedes is the revision this one corrected; 0 for none.
	Supersedes  int
	PublishedAt time.Time
	// WithdrawnAt is when this revision was withdrawn; zero if it was not.
	WithdrawnAt time.Time
}

// CSAFItem is a published advisory as the CSAF provider (internal/csaf)
// serves it: its current revision — the latest one that was published,
// still published or since withdrawn — at TLP:CLEAR or TLP:GREEN, and the
// publication of every revision of the advisory, oldest first, ending
// with the current one. An advisory whose current revision is more
// restricted is no CSAF item, even if an earlier revision was CLEAR.
type CSAFItem struct {
	// Advisory is the current revision without its recipients, forwards,
	// authors or review comments.
	Advisory Advisory
	Releases []Release
}

// CSAFItems lists the CSAF items at level (tlp.Clear or tlp.Green) that p
// may read (tlp.Scale.Visible with p's membership and clearance now; the
// public reads TLP:CLEAR), ordered by id, at most 10,000. A list that
// holds TLP:GREEN items is one audited read, as SharedItems is.
func (s *Service) CSAFItems(ctx context.Context, p *auth.Principal, level tlp.Level) ([]CSAFItem, error) {
	if level != tlp.Clear && level != tlp.Green {
		return nil, fmt.Errorf("csaf items: level %q: want clear or green", level)
	}
	r, err := s.Reader(ctx, p)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT data FROM shr_advisories a WHERE tlp = ? AND state IN (?, ?)
	AND revision = (SELECT MAX(revision) FROM shr_advisories b WHERE b.id = a.id AND b.state IN (?, ?))
	ORDER BY id LIMIT ?`, string(level), string(StatePublished), string(StateWithdrawn),
		string(StatePublished), string(StateWithdrawn), maxCSAF)
	if err != nil {
		return nil, fmt.Errorf("list csaf items: %w", err)
	}
	all, err := scanAdvisories(rows)
	if err != nil {
		return nil, fmt.Errorf("list csaf items: %w", err)
	}
	var shown []Advisory
	for _, a := range all {
		if s.scale.Visible(a.Marking, r) {
			shown = append(shown, a)
		}
	}
	releases, err := s.releases(ctx, level)
	if err != nil {
		return nil, err
	}
	out := make([]CSAFItem, 0, len(shown))
	for _, a := range shown {
		out = append(out, csafItem(a, releases[a.ID]))
	}
	return out, s.auditReads(ctx, p, "shared/list", shown)
}

// CSAFItem returns the CSAF item id to p if its current revision is
// TLP:CLEAR or TLP:GREEN and p may read it; ErrNotFound otherwise. The
// read of a TLP:GREEN item is audited when audit is set (a document's
// hash or signature is not its content, and need not be).
func (s *Service) CSAFItem(ctx context.Context, p *auth.Principal, id string, audit bool) (CSAFItem, error) {
	notFound := fmt.Errorf("advisory %q: %w", textfield.Cut(id, 80), ErrNotFound)
	a, err := loadShared(ctx, s.db, id)
	if err != nil {
		return CSAFItem{}, err
	}
	if a.Marking.Level != tlp.Clear && a.Marking.Level != tlp.Green {
		return CSAFItem{}, notFound
	}
	r, err := s.Reader(ctx, p)
	if err != nil {
		return CSAFItem{}, err
	}
	if !s.scale.Visible(a.Marking, r) {
		return CSAFItem{}, notFound
	}
	rows, err := s.db.Query(ctx, "SELECT data FROM shr_advisories WHERE id = ? AND published_at <> '' ORDER BY revision", id)
	if err != nil {
		return CSAFItem{}, fmt.Errorf("read advisory releases: %w", err)
	}
	revs, err := scanAdvisories(rows)
	if err != nil {
		return CSAFItem{}, fmt.Errorf("read advisory releases: %w", err)
	}
	if audit {
		if err := s.auditReads(ctx, p, "advisory/"+a.ID, []Advisory{a}); err != nil {
			return CSAFItem{}, err
		}
	}
	return csafItem(a, releasesOf(revs)), nil
}

// releases returns, by advisory id, the releases of every advisory whose
// current revision is at level.
func (s *Service) releases(ctx context.Context, level tlp.Level) (map[string][]Release, error) {
	rows, err := s.db.Query(ctx, `SELECT data FROM shr_advisories WHERE published_at <> '' AND id IN (
	SELECT a.id FROM shr_advisories a WHERE a.tlp = ? AND a.state IN (?, ?)
		AND a.revision = (SELECT MAX(revision) FROM shr_advisories b WHERE b.id = a.id AND b.state IN (?, ?)))
	ORDER BY id, revision`, string(level), string(StatePublished), string(StateWithdrawn),
		string(StatePublished), string(StateWithdrawn))
	if err != nil {
		return nil, fmt.Errorf("read advisory releases: %w", err)
	}
	revs, err := scanAdvisories(rows)
	if err != nil {
		return nil, fmt.Errorf("read advisory releases: %w", err)
	}
	out := map[string][]Release{}
	for _, a := range revs {
		out[a.ID] = append(out[a.ID], releasesOf([]Advisory{a})...)
	}
	return out, nil
}

func releasesOf(revs []Advisory) []Release {
	out := make([]Release, 0, len(revs))
	for _, a := range revs {
		if a.PublishedAt.IsZero() {
			continue
		}
		out = append(out, Release{Revision: a.Revision, Supersedes: a.Supersedes, PublishedAt: a.PublishedAt, WithdrawnAt: a.WithdrawnAt})
	}
	return out
}

// csafItem strips a of what a CSAF document never carries and keeps the
// releases up to a's revision.
func csafItem(a Advisory, rs []Release) CSAFItem {
	a.Recipients, a.Forwards = Recipients{}, nil
	a.Marking.RecipientOrgs, a.Marking.RecipientUsers = nil, nil
	a.AuthorID, a.AuthorOrg, a.ReviewerID, a.ReturnComment = "", "", "", ""
	rs = slices.DeleteFunc(slices.Clone(rs), func(r Release) bool { return r.Revision > a.Revision })
	return CSAFItem{Advisory: a, Releases: rs}
}
