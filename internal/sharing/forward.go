package sharing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// Forward is the record of a TLP:AMBER item passed on by a recipient
// organisation to another council member.
type Forward struct {
	ID         string    `json:"id"`
	AdvisoryID string    `json:"advisory_id"`
	Revision   int       `json:"revision"`
	FromOrg    string    `json:"from_org"`
	ToOrg      string    `json:"to_org"`
	By         string    `json:"by"`
	Reason     string    `json:"reason"`
	At         time.Time `json:"at"`
}

// ForwardInput names the organisation to forward an item to and why it
// needs to know.
type ForwardInput struct {
	OrgID  string `json:"org_id"`
	Reason string `json:"reason"`
}

// Forward passes the published TLP:AMBER advisory id on to another council
// member organisation, which becomes a recipient: TLP 2.0 lets AMBER go
// to others on a need-to-know basis, and ACD lets it go only to council
// members, recorded. The caller's organisation must be a recipient and a
// member; any other level is refused (not_forwardable). In one
// transaction: the recipient is added, the forward recorded and audited
// ("shared.forward"), the new recipient notified, and the STIX objects
// published again with the widened marking.
func (s *Service) Forward(ctx context.Context, p *auth.Principal, id string, in ForwardInput) (Forward, error) {
	if !isUser(p) {
		return Forward{}, fmt.Errorf("advisory %q: %w", textfield.Cut(id, 80), ErrNotFound)
	}
	in.OrgID, in.Reason = strings.TrimSpace(in.OrgID), strings.TrimSpace(in.Reason)
	if err := textfield.Check("reason", in.Reason, maxText, true); err != nil {
		return Forward{}, err
	}
	r, err := s.Reader(ctx, p)
	if err != nil {
		return Forward{}, err
	}
	var out Forward
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := loadShared(ctx, tx, id)
		if err != nil {
			return err
		}
		if !s.visibleTo(p, r, a) {
			return fmt.Errorf("advisory %q: %w", textfield.Cut(id, 80), ErrNotFound)
		}
		switch {
		case a.State != StatePublished:
			return refuse(CodeNotPublished, fmt.Sprintf("advisory %s is %s", a.ID, a.State))
		case !a.Marking.Forwardable():
			return refuse(CodeNotForwardable, "the item is "+a.Marking.Level.Label())
		case !r.Council:
			return refuse(CodeCallerNotMember, "")
		case !slices.Contains(a.Marking.RecipientOrgs, p.OrgID):
			return refuse(CodeNotRecipient, "")
		}
		to, err := s.dir.Org(ctx, in.OrgID)
		if err != nil {
			return fieldErrorf("org_id", "no organisation %q", textfield.Cut(in.OrgID, 80))
		}
		if member, err := isMember(ctx, tx, to.ID, to.Kind); err != nil {
			return err
		} else if !member {
			return refuse(CodeOrgNotMember, to.Name)
		}
		if slices.Contains(a.Marking.RecipientOrgs, to.ID) {
			return refuse(CodeAlreadyRecipient, to.Name)
		}
		now := s.now()
		f := Forward{ID: newID("fwd_"), AdvisoryID: a.ID, Revision: a.Revision, FromOrg: p.OrgID, ToOrg: to.ID, By: p.UserID, Reason: in.Reason, At: now}
		a.Marking.RecipientOrgs = append(a.Marking.RecipientOrgs, to.ID)
		if !slices.Contains(a.Recipients.Orgs, to.ID) {
			a.Recipients.Orgs = append(a.Recipients.Orgs, to.ID)
		}
		a.UpdatedAt = now
		if err := saveAdvisory(ctx, tx, a); err != nil {
			return err
		}
		data, err := marshal(f)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO shr_forwards (id, advisory_id, data, at) VALUES (?, ?, ?, ?)", f.ID, f.AdvisoryID, data, store.FormatTime(now)); err != nil {
			return fmt.Errorf("record forward: %w", err)
		}
		if err := s.auditState(ctx, tx, p, "shared.forward", resAdvisory, a.ID); err != nil {
			return err
		}
		if _, err := s.notifier.Notify(ctx, tx, deadline.Notice{ToOrg: to.ID, Subject: textfield.Cut("Forwarded to you: "+subjectOf(a), 200),
			Body: "A council member forwarded a " + a.Marking.Level.Label() + " advisory to your organisation on a need-to-know basis. " +
				"Read it in ACD; council affairs are secret (§82) and every read is recorded.", Link: sharedLink(a)}); err != nil {
			return err
		}
		objs, err := STIXObjects(a)
		if err != nil {
			return err
		}
		collections := []string{Collection(a.Marking.Level)}
		if to.Kind == auth.OrgOperator {
			collections = append(collections, OrgCollectionPrefix+to.ID)
		}
		out = f
		return s.publish(ctx, tx, collections, objs, a.Marking)
	})
	return out, err
}

// forwards lists the forwards of advisory id, oldest first.
func (s *Service) forwards(ctx context.Context, id string) ([]Forward, error) {
	rows, err := s.db.Query(ctx, "SELECT data FROM shr_forwards WHERE advisory_id = ? ORDER BY at, id", id)
	if err != nil {
		return nil, fmt.Errorf("list forwards: %w", err)
	}
	var out []Forward
	for rows.Next() {
		var data string
		var f Forward
		if err := rows.Scan(&data); err != nil {
			return nil, closeRows(rows, err)
		}
		if err := unmarshal(data, &f); err != nil {
			return nil, closeRows(rows, err)
		}
		out = append(out, f)
	}
	return out, closeRows(rows, nil)
}
