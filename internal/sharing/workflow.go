package sharing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// CreateAdvisory saves a new advisory as a draft, revision 1, written by
// p: a Cabinet Office analyst. Named recipients must be council members
// now (they are checked again at publication).
func (s *Service) CreateAdvisory(ctx context.Context, p *auth.Principal, in AdvisoryInput) (Advisory, error) {
	if err := mustManage(p); err != nil {
		return Advisory{}, err
	}
	if err := in.Normalize(); err != nil {
		return Advisory{}, err
	}
	m, err := s.resolveMarking(ctx, s.db, in.TLP, in.Clearance, in.Recipients, p.OrgID)
	if err != nil {
		return Advisory{}, err
	}
	now := s.now()
	a := Advisory{ID: newID("adv_"), Revision: 1, State: StateDraft, Title: in.Title, Marking: m, Recipients: in.Recipients,
		Technical: in.Technical, Executive: in.Executive, AuthorID: p.UserID, AuthorOrg: p.OrgID,
		FirstCreatedAt: now, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if err := saveAdvisory(ctx, tx, a); err != nil {
			return err
		}
		return s.auditState(ctx, tx, p, "advisory.create", resAdvisory, a.ID)
	})
	return a, err
}

// UpdateAdvisory replaces the content of the latest revision of advisory
// id, which must be a draft of p's.
func (s *Service) UpdateAdvisory(ctx context.Context, p *auth.Principal, id string, in AdvisoryInput) (Advisory, error) {
	if err := mustManage(p); err != nil {
		return Advisory{}, err
	}
	if err := in.Normalize(); err != nil {
		return Advisory{}, err
	}
	m, err := s.resolveMarking(ctx, s.db, in.TLP, in.Clearance, in.Recipients, p.OrgID)
	if err != nil {
		return Advisory{}, err
	}
	return s.step(ctx, p, id, "advisory.update", func(a *Advisory) error {
		if err := authorDraft(p, a); err != nil {
			return err
		}
		a.Title, a.Marking, a.Recipients, a.Technical, a.Executive = in.Title, m, in.Recipients, in.Technical, in.Executive
		return nil
	})
}

// SubmitAdvisory submits p's complete draft for review by a second
// analyst.
func (s *Service) SubmitAdvisory(ctx context.Context, p *auth.Principal, id string) (Advisory, error) {
	if err := mustManage(p); err != nil {
		return Advisory{}, err
	}
	return s.step(ctx, p, id, "advisory.submit", func(a *Advisory) error {
		if err := authorDraft(p, a); err != nil {
			return err
		}
		if err := inputOf(*a).Complete(); err != nil {
			return err
		}
		a.State, a.SubmittedAt, a.ReturnComment = StateInReview, s.now(), ""
		return nil
	})
}

// ReturnAdvisory returns an advisory in review to its author as a draft,
// with the reviewer's comment. The reviewer is a Cabinet Office analyst
// other than the author who holds the clearance the advisory requires.
func (s *Service) ReturnAdvisory(ctx context.Context, p *auth.Principal, id, comment string) (Advisory, error) {
	if err := mustManage(p); err != nil {
		return Advisory{}, err
	}
	comment = strings.TrimSpace(comment)
	if err := textfield.Check("comment", comment, maxText, true); err != nil {
		return Advisory{}, err
	}
	return s.step(ctx, p, id, "advisory.return", func(a *Advisory) error {
		if err := s.mayReview(ctx, p, a); err != nil {
			return err
		}
		a.State, a.ReturnComment, a.ReviewerID = StateDraft, comment, p.UserID
		return nil
	})
}

// authorDraft refuses a step on a that only its author takes on a draft.
func authorDraft(p *auth.Principal, a *Advisory) error {
	if a.State != StateDraft {
		return refuse(CodeNotDraft, fmt.Sprintf("advisory %s revision %d is %s", a.ID, a.Revision, a.State))
	}
	if a.AuthorID != p.UserID {
		return refuse(CodeNotAuthor, "")
	}
	return nil
}

// mayReview refuses a review of a by p unless a is in review, p is not
// its author and p holds the clearance a requires.
func (s *Service) mayReview(ctx context.Context, p *auth.Principal, a *Advisory) error {
	if a.State != StateInReview {
		return refuse(CodeNotInReview, fmt.Sprintf("advisory %s revision %d is %s", a.ID, a.Revision, a.State))
	}
	if a.AuthorID == p.UserID {
		return refuse(CodeSelfReview, "")
	}
	have, err := s.clearanceOf(ctx, s.db, p.UserID)
	if err != nil {
		return err
	}
	if s.scale.Rank(have) < s.scale.Rank(a.Marking.Clearance) {
		return refuse(CodeClearanceRequired, fmt.Sprintf("the advisory requires %q", a.Marking.Clearance))
	}
	return nil
}

// inputOf is the input an advisory was written from.
func inputOf(a Advisory) AdvisoryInput {
	return AdvisoryInput{Title: a.Title, TLP: a.Marking.Level, Clearance: a.Marking.Clearance, Recipients: a.Recipients,
		Technical: a.Technical, Executive: a.Executive}
}

// step changes the latest revision of advisory id with change, in one
// transaction with its audit entry.
func (s *Service) step(ctx context.Context, p *auth.Principal, id, action string, change func(*Advisory) error) (Advisory, error) {
	var out Advisory
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := loadAdvisory(ctx, tx, id, 0)
		if err != nil {
			return err
		}
		if err := change(&a); err != nil {
			return err
		}
		a.UpdatedAt = s.now()
		if err := saveAdvisory(ctx, tx, a); err != nil {
			return err
		}
		out = a
		return s.auditState(ctx, tx, p, action, resAdvisory, a.ID)
	})
	return out, err
}

// ReviseAdvisory starts the next revision of published advisory id as a
// draft written by p, with the content of the published revision; it
// supersedes that revision once published. Only one revision is written
// at a time.
func (s *Service) ReviseAdvisory(ctx context.Context, p *auth.Principal, id string) (Advisory, error) {
	if err := mustManage(p); err != nil {
		return Advisory{}, err
	}
	r, err := s.Reader(ctx, p)
	if err != nil {
		return Advisory{}, err
	}
	var out Advisory
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := loadAdvisory(ctx, tx, id, 0)
		if err != nil {
			return err
		}
		if !s.analystSees(p, r, a) {
			return fmt.Errorf("advisory %q: %w", textfield.Cut(id, 80), ErrNotFound)
		}
		switch a.State {
		case StateDraft, StateInReview:
			return refuse(CodeRevisionOpen, fmt.Sprintf("revision %d is %s", a.Revision, a.State))
		case StatePublished:
		default:
			return refuse(CodeNotPublished, fmt.Sprintf("advisory %s revision %d is %s", a.ID, a.Revision, a.State))
		}
		now := s.now()
		next := a
		next.Revision, next.Supersedes, next.State = a.Revision+1, a.Revision, StateDraft
		next.AuthorID, next.AuthorOrg, next.ReviewerID, next.ReturnComment = p.UserID, p.OrgID, "", ""
		next.CreatedAt, next.UpdatedAt = now, now
		next.SubmittedAt, next.PublishedAt, next.WithdrawnAt, next.WithdrawReason = time.Time{}, time.Time{}, time.Time{}, ""
		if err := saveAdvisory(ctx, tx, next); err != nil {
			return err
		}
		out = next
		return s.auditState(ctx, tx, p, "advisory.revise", resAdvisory, next.ID)
	})
	return out, err
}
