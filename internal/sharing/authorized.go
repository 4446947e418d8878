package sharing

import (
	"context"
	"fmt"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/tlp"
)

// Authorized is an advisory that another capability's workflow composed
// and a Cabinet Office analyst authorised in advance, such as the
// mitigation of a vulnerability that a vendor was requested to act on
// (§42): the analyst who sent the request decided its level and that it
// is published once the vendor answers or the deadline passes.
type Authorized struct {
	Input AdvisoryInput
	// By is the analyst who authorised the publication; the advisory
	// records them as its reviewer.
	By *auth.Principal
	// Author names the workflow, "vendor_request/vrq_…"; the advisory
	// records "system:" + Author as its author.
	Author string
	// Supersedes is the id of an advisory of the same workflow that this
	// one corrects; "" for a new advisory.
	Supersedes string
}

// PublishAuthorized publishes in inside tx, with the steps of
// PublishAdvisory (notices, STIX, superseding) and an audit entry by the
// system. Only TLP:CLEAR and TLP:GREEN are published this way: an item
// with recipients needs an analyst's review. When in.Supersedes names an
// advisory whose latest revision is published, the new revision corrects
// it; otherwise (withdrawn or still in review) a new advisory is
// published.
func (s *Service) PublishAuthorized(ctx context.Context, tx *store.Tx, in Authorized) (Advisory, error) {
	if err := mustManage(in.By); err != nil {
		return Advisory{}, err
	}
	if err := in.Input.Normalize(); err != nil {
		return Advisory{}, err
	}
	if in.Input.TLP != tlp.Clear && in.Input.TLP != tlp.Green {
		return Advisory{}, fieldErrorf("tlp", "%s: an advisory published without review is TLP:CLEAR or TLP:GREEN", in.Input.TLP)
	}
	if err := in.Input.Complete(); err != nil {
		return Advisory{}, err
	}
	now := s.now()
	a := Advisory{ID: newID("adv_"), Revision: 1, Title: in.Input.Title, Marking: tlp.Marking{Level: in.Input.TLP, Clearance: in.Input.Clearance},
		Technical: in.Input.Technical, Executive: in.Input.Executive, AuthorID: "system:" + in.Author, AuthorOrg: in.By.OrgID,
		ReviewerID: in.By.UserID, FirstCreatedAt: now, CreatedAt: now, UpdatedAt: now, SubmittedAt: now}
	if in.Supersedes != "" {
		prev, err := loadAdvisory(ctx, tx, in.Supersedes, 0)
		if err != nil {
			return Advisory{}, fmt.Errorf("advisory to correct: %w", err)
		}
		if prev.State == StatePublished {
			a.ID, a.Revision, a.Supersedes, a.FirstCreatedAt = prev.ID, prev.Revision+1, prev.Revision, prev.FirstCreatedAt
		}
	}
	out, err := s.publishRevision(ctx, tx, nil, a)
	if err != nil {
		return Advisory{}, err
	}
	s.logger.Info("advisory published", "advisory", out.ID, "revision", out.Revision, "tlp", out.Marking.Level, "authorized_by", in.By.UserID)
	return out, nil
}
