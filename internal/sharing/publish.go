package sharing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
	"github.com/acd-platform/acd/internal/tlp"
)

// PublishAdvisory publishes the advisory in review: p, a Cabinet Office
// analyst other than the author holding the clearance it requires, is its
// reviewer. In one transaction: the recipients are resolved again (groups
// expanded, every recipient still a council member), the revision it
// corrects becomes superseded, the audit entry "advisory.publish" is
// written, every recipient gets a notice (each recipient organisation for
// TLP:AMBER and TLP:AMBER+STRICT, each individual for TLP:RED, every
// council member organisation for TLP:GREEN and TLP:CLEAR), and the STIX
// objects go to the Publisher — followed, for a correction, by a revoked
// new version of each object of the superseded revision that the
// correction dropped, to the collections and with the marking of the
// superseded revision.
func (s *Service) PublishAdvisory(ctx context.Context, p *auth.Principal, id string) (Advisory, error) {
	if err := mustManage(p); err != nil {
		return Advisory{}, err
	}
	var out Advisory
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := loadAdvisory(ctx, tx, id, 0)
		if err != nil {
			return err
		}
		if err := s.mayReview(ctx, p, &a); err != nil {
			return err
		}
		if err := inputOf(a).Complete(); err != nil {
			return err
		}
		out, err = s.publishRevision(ctx, tx, p, a)
		return err
	})
	if err != nil {
		return Advisory{}, err
	}
	s.logger.Info("advisory published", "advisory", out.ID, "revision", out.Revision, "tlp", out.Marking.Level)
	return out, nil
}

// publishRevision publishes revision a, which p reviewed, inside tx: the
// steps of PublishAdvisory after the reviewer's checks. p nil records the
// audit entry as the system's.
func (s *Service) publishRevision(ctx context.Context, tx *store.Tx, p *auth.Principal, a Advisory) (Advisory, error) {
	m, err := s.resolveMarking(ctx, tx, a.Marking.Level, a.Marking.Clearance, a.Recipients, a.AuthorOrg)
	if err != nil {
		return Advisory{}, err
	}
	now := s.now()
	a.Marking, a.State, a.PublishedAt, a.UpdatedAt = m, StatePublished, now, now
	if p != nil {
		a.ReviewerID = p.UserID
	}
	var superseded *Advisory
	if a.Supersedes > 0 {
		prev, err := loadAdvisory(ctx, tx, a.ID, a.Supersedes)
		if err != nil {
			return Advisory{}, err
		}
		if prev.State == StatePublished {
			prev.State, prev.UpdatedAt = StateSuperseded, now
			if err := saveAdvisory(ctx, tx, prev); err != nil {
				return Advisory{}, err
			}
			superseded = &prev
		}
	}
	if err := saveAdvisory(ctx, tx, a); err != nil {
		return Advisory{}, err
	}
	if err := s.auditState(ctx, tx, p, "advisory.publish", resAdvisory, a.ID); err != nil {
		return Advisory{}, err
	}
	if err := s.notifyRecipients(ctx, tx, a, publishNotice(a)); err != nil {
		return Advisory{}, err
	}
	objs, err := STIXObjects(a)
	if err != nil {
		return Advisory{}, err
	}
	if err := s.publish(ctx, tx, s.collections(ctx, m), objs, m); err != nil || superseded == nil {
		return a, err
	}
	gone, err := dropped(*superseded, objs, now)
	if err != nil || len(gone) == 0 {
		return a, err
	}
	return a, s.publish(ctx, tx, s.collections(ctx, superseded.Marking), gone, superseded.Marking)
}

// WithdrawAdvisory withdraws the published advisory id, with a reason:
// its recipients are told, its STIX objects are published again revoked,
// and it is no longer a public alert. Recipients still read it, marked
// withdrawn. A Cabinet Office analyst who holds its clearance withdraws
// it.
func (s *Service) WithdrawAdvisory(ctx context.Context, p *auth.Principal, id, reason string) (Advisory, error) {
	if err := mustManage(p); err != nil {
		return Advisory{}, err
	}
	reason = strings.TrimSpace(reason)
	if err := textfield.Check("reason", reason, maxText, true); err != nil {
		return Advisory{}, err
	}
	r, err := s.Reader(ctx, p)
	if err != nil {
		return Advisory{}, err
	}
	var out Advisory
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := loadShared(ctx, tx, id)
		if err != nil {
			return err
		}
		if !s.analystSees(p, r, a) {
			return fmt.Errorf("advisory %q: %w", textfield.Cut(id, 80), ErrNotFound)
		}
		if a.State != StatePublished {
			return refuse(CodeNotPublished, fmt.Sprintf("advisory %s is %s", a.ID, a.State))
		}
		have, err := s.clearanceOf(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		if s.scale.Rank(have) < s.scale.Rank(a.Marking.Clearance) {
			return refuse(CodeClearanceRequired, fmt.Sprintf("the advisory requires %q", a.Marking.Clearance))
		}
		now := s.now()
		a.State, a.WithdrawReason, a.WithdrawnAt, a.UpdatedAt = StateWithdrawn, reason, now, now
		if err := saveAdvisory(ctx, tx, a); err != nil {
			return err
		}
		if err := s.auditState(ctx, tx, p, "advisory.withdraw", resAdvisory, a.ID); err != nil {
			return err
		}
		if err := s.notifyRecipients(ctx, tx, a, deadline.Notice{Subject: textfield.Cut("Withdrawn: "+subjectOf(a), 200),
			Body: "The Cabinet Office withdrew this " + a.Marking.Level.Label() + " advisory. Reason: " + textfield.Cut(reason, 2000), Link: sharedLink(a)}); err != nil {
			return err
		}
		objs, err := STIXObjects(a)
		if err != nil {
			return err
		}
		out = a
		return s.publish(ctx, tx, s.collections(ctx, a.Marking), objs, a.Marking)
	})
	return out, err
}

// sharedLink is the page of a shared item.
func sharedLink(a Advisory) string {
	if a.Marking.Level == tlp.Clear {
		return "/alerts/" + a.ID
	}
	return "/shared/" + a.ID
}

// subjectOf is how a notice names an advisory: by title for TLP:CLEAR and
// TLP:GREEN, by level only for anything more restricted, so that a notice
// that goes out by e-mail carries nothing of the item.
func subjectOf(a Advisory) string {
	if a.Marking.Level == tlp.Clear || a.Marking.Level == tlp.Green {
		return "[" + a.Marking.Level.Label() + "] " + a.Title
	}
	return "a " + a.Marking.Level.Label() + " advisory"
}

func publishNotice(a Advisory) deadline.Notice {
	body := "The Cabinet Office published an advisory (" + a.Marking.Level.Label() + ")"
	if a.Marking.Clearance != "" {
		body += " that requires clearance " + a.Marking.Clearance
	}
	body += ". Read it in ACD; council affairs are secret (§82) and every read is recorded."
	if a.Supersedes > 0 {
		body = fmt.Sprintf("Revision %d corrects revision %d. ", a.Revision, a.Supersedes) + body
	}
	return deadline.Notice{Subject: textfield.Cut("Advisory: "+subjectOf(a), 200), Body: body, Link: sharedLink(a)}
}

// notifyRecipients sends n to every recipient of a: each recipient
// organisation (AMBER, AMBER+STRICT), each individual (RED), every
// council member organisation (GREEN, CLEAR); never to the author's own
// organisation.
func (s *Service) notifyRecipients(ctx context.Context, tx *store.Tx, a Advisory, n deadline.Notice) error {
	var orgs []string
	switch a.Marking.Level {
	case tlp.Amber, tlp.AmberStrict:
		orgs = a.Marking.RecipientOrgs
	case tlp.Red:
		for _, uid := range a.Marking.RecipientUsers {
			if uid == a.AuthorID {
				continue
			}
			u, err := s.dir.User(ctx, uid)
			if err != nil {
				continue
			}
			n.ToUser, n.ToOrg = u.ID, u.OrgID
			if _, err := s.notifier.Notify(ctx, tx, n); err != nil {
				return fmt.Errorf("notify %s: %w", uid, err)
			}
		}
		return nil
	default:
		all, err := s.dir.Orgs(ctx)
		if err != nil {
			return fmt.Errorf("list organisations: %w", err)
		}
		for _, o := range all {
			if member, err := isMember(ctx, tx, o.ID, o.Kind); err != nil {
				return err
			} else if member {
				orgs = append(orgs, o.ID)
			}
		}
	}
	for _, org := range orgs {
		if org == a.AuthorOrg {
			continue
		}
		n.ToUser, n.ToOrg = "", org
		if _, err := s.notifier.Notify(ctx, tx, n); err != nil {
			return fmt.Errorf("notify %s: %w", org, err)
		}
	}
	return nil
}

// dropped returns the objects of revision prev that objs, the objects of
// the revision that supersedes it, no longer have — indicators and
// attack-patterns taken out by the correction — as new versions modified
// at and revoked, so that they do not stay live where prev was published.
// The identity and the marking-definition are never revoked.
func dropped(prev Advisory, objs []stix.Object, at time.Time) ([]stix.Object, error) {
	kept := map[string]bool{}
	for _, o := range objs {
		kept[o.ObjectID()] = true
	}
	old, err := stixObjects(prev, at, true)
	if err != nil {
		return nil, err
	}
	var out []stix.Object
	for _, o := range old {
		if t := o.ObjectType(); t != "identity" && t != "marking-definition" && !kept[o.ObjectID()] {
			out = append(out, o)
		}
	}
	return out, nil
}
