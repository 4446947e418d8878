package reporting

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// CouncilLegalBasis is the article a council request for materials rests
// on.
const CouncilLegalBasis = "Act on Active Cyber Defense for Critical Infrastructure, council (ch.9): request for materials to council members"

// NewCouncilRequest is what the Cabinet Office asks of a council member.
type NewCouncilRequest struct {
	OrgID string `json:"org_id"`
	// Reason says why the materials are needed; Request what to submit.
	Reason  string    `json:"reason"`
	Request string    `json:"request"`
	Due     time.Time `json:"due"`
}

// IssueCouncilRequest issues a request for materials (kind materials,
// Order.Council set) to a council member organisation (ch.9), with a
// deadline tracked like any order's. The issuer is a Cabinet Office
// analyst; the recipient any organisation but the commission and the
// system's.
//
// The caller MUST have checked that the recipient is a council member now:
// this package does not know the council (package sharing does, and is
// the only caller). A council request carries no sector, so that only its
// recipient and the Cabinet Office see it (council affairs, §82), never a
// sector ministry; it is answered with AnswerOrder and closed with
// CloseOrder, and is never a candidate for referral.
func (s *Service) IssueCouncilRequest(ctx context.Context, p *auth.Principal, n NewCouncilRequest) (Order, error) {
	if p == nil || !p.Has(auth.RoleAnalyst) || p.OrgKind != auth.OrgCabinetOff {
		return Order{}, fmt.Errorf("only Cabinet Office analysts request materials from council members: %w", ErrForbidden)
	}
	n.Reason, n.Request = strings.TrimSpace(n.Reason), strings.TrimSpace(n.Request)
	for _, f := range []struct{ name, v string }{{"reason", n.Reason}, {"request", n.Request}} {
		if err := textfield.Check(f.name, f.v, maxText, true); err != nil {
			return Order{}, err
		}
	}
	now := s.now()
	if !n.Due.After(now) {
		return Order{}, fieldErrorf("due", "must be in the future")
	}
	o, err := s.org(ctx, n.OrgID)
	if err != nil || o.Kind == auth.OrgCommission || o.Kind == auth.OrgSystemAdmin {
		return Order{}, fieldErrorf("org_id", "%q is not an organisation that may sit on the council", n.OrgID)
	}
	actor, _ := actorOf(p)
	ord := Order{ID: newID("ord_"), Kind: MaterialRequest, OrgID: o.ID, IssuerOrg: p.OrgID, LegalBasis: CouncilLegalBasis,
		Reason: n.Reason, Request: n.Request, Due: n.Due.UTC(), State: OrderOpen, Council: true, CreatedBy: actor, CreatedAt: now}
	link := "/council/requests/" + ord.ID
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		d, err := s.deadlines.Set(ctx, tx, deadline.Deadline{Kind: "order.council", Subject: "order/" + ord.ID, Org: ord.OrgID,
			Title:   textfield.Cut("Council request for materials: "+textfield.FirstLine(n.Request, 120), 200),
			TitleJA: textfield.Cut("協議会の資料提出要求: "+textfield.FirstLine(n.Request, 120), 200), Link: link, Due: ord.Due})
		if err != nil {
			return err
		}
		ord.DeadlineID = d.ID
		if err := insertOrder(ctx, tx, ord); err != nil {
			return err
		}
		if err := s.orderEvent(ctx, tx, p, ord.ID, "issue", n.Reason); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, "order.issue", "order/"+ord.ID, ord); err != nil {
			return err
		}
		_, err = s.notifier.Notify(ctx, tx, deadline.Notice{ToOrg: ord.OrgID,
			Subject: textfield.Cut("Council request for materials: "+textfield.FirstLine(n.Request, 150), 200),
			Body: fmt.Sprintf("The Cabinet Office requests materials from your organisation as a council member (%s). Due %s. "+
				"Council affairs are secret (§82).", CouncilLegalBasis, ord.Due.Format(time.RFC3339)), Link: link})
		return err
	})
	if err != nil {
		return Order{}, err
	}
	return s.Order(ctx, p, ord.ID)
}
