package sharing

import (
	"context"
	"fmt"
	"strings"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/textfield"
)

// RequestMaterials asks a council member organisation for materials
// (ch.9): a request for materials of package reporting (kind materials,
// Order.Council set) with its deadline, issued by p, a Cabinet Office
// analyst. The organisation must be a council member now.
func (s *Service) RequestMaterials(ctx context.Context, p *auth.Principal, n reporting.NewCouncilRequest) (reporting.Order, error) {
	if err := mustManage(p); err != nil {
		return reporting.Order{}, err
	}
	n.OrgID = strings.TrimSpace(n.OrgID)
	o, err := s.dir.Org(ctx, n.OrgID)
	if err != nil {
		return reporting.Order{}, fieldErrorf("org_id", "no organisation %q", textfield.Cut(n.OrgID, 80))
	}
	member, err := isMember(ctx, s.db, o.ID, o.Kind)
	if err != nil {
		return reporting.Order{}, err
	}
	if !member {
		return reporting.Order{}, refuse(CodeOrgNotMember, o.Name)
	}
	return s.orders.IssueCouncilRequest(ctx, p, n)
}

// Requests lists the council's requests for materials p may see, newest
// first: the Cabinet Office all, a member organisation those addressed to
// it. state filters ("" for all).
func (s *Service) Requests(ctx context.Context, p *auth.Principal, state reporting.OrderState) ([]reporting.Order, error) {
	if !isUser(p) {
		return []reporting.Order{}, nil
	}
	f := reporting.OrderFilter{Council: true, State: state}
	if !manager(p) {
		f.OrgID = p.OrgID
	}
	out, err := s.orders.Orders(ctx, p, f)
	return nonNil(out), err
}

// Request returns one council request for materials, with its history, to
// its recipient organisation or the Cabinet Office.
func (s *Service) Request(ctx context.Context, p *auth.Principal, id string) (reporting.Order, error) {
	if !isUser(p) {
		return reporting.Order{}, fmt.Errorf("request %q: %w", textfield.Cut(id, 80), ErrNotFound)
	}
	o, err := s.orders.Order(ctx, p, id)
	if err != nil || !o.Council || (!manager(p) && o.OrgID != p.OrgID) {
		return reporting.Order{}, fmt.Errorf("request %q: %w", textfield.Cut(id, 80), ErrNotFound)
	}
	return o, nil
}

// AnswerRequest records the answer of p's organisation to an open council
// request addressed to it; any user of the organisation answers.
func (s *Service) AnswerRequest(ctx context.Context, p *auth.Principal, id, text string) (reporting.Order, error) {
	if _, err := s.Request(ctx, p, id); err != nil {
		return reporting.Order{}, err
	}
	return s.orders.AnswerOrder(ctx, p, id, text)
}

// CloseRequest closes a council request (accepting the answer, or
// withdrawing an open request) with a note: the Cabinet Office only.
func (s *Service) CloseRequest(ctx context.Context, p *auth.Principal, id, text string) (reporting.Order, error) {
	if err := mustManage(p); err != nil {
		return reporting.Order{}, err
	}
	if _, err := s.Request(ctx, p, id); err != nil {
		return reporting.Order{}, err
	}
	return s.orders.CloseOrder(ctx, p, id, text)
}
