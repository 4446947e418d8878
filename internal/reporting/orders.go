package reporting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// OrderKind is what a ministry demands of an operator.
type OrderKind string

// Order kinds.
const (
	// CorrectionOrder: the operator must notify or report what it has not
	// (ignoring it: fine up to ¥2M, §83).
	CorrectionOrder OrderKind = "correction"
	// MaterialRequest: the operator must submit materials (failing: fine up
	// to ¥300k, §84).
	MaterialRequest OrderKind = "materials"
)

// OrderState is where an order is in its life: open → answered → closed,
// or open → closed (withdrawn). An open order past its due time is overdue
// (Order.Overdue), and is a candidate for referral under §83/§84.
type OrderState string

// Order states.
const (
	OrderOpen     OrderState = "open"
	OrderAnswered OrderState = "answered"
	OrderClosed   OrderState = "closed"
)

// Order is a correction order or a request for materials.
type Order struct {
	ID     string    `json:"id"`
	Kind   OrderKind `json:"kind"`
	OrgID  string    `json:"org_id"`
	Sector string    `json:"sector"`
	// IssuerOrg is the ministry that issued it.
	IssuerOrg  string `json:"issuer_org"`
	LegalBasis string `json:"legal_basis"`
	// Reason says why the order is issued; Request what must be done or
	// submitted.
	Reason  string     `json:"reason"`
	Request string     `json:"request"`
	Due     time.Time  `json:"due"`
	State   OrderState `json:"state"`
	// Overdue: still open after Due. Late: answered after Due.
	Overdue bool `json:"overdue"`
	Late    bool `json:"late"`
	// Referral is set on an overdue order: a candidate for referral under
	// §83 (correction orders) or §84 (requests for materials). Council
	// requests are never referred.
	Referral string `json:"referral,omitempty"`
	// Council marks a request for materials the Cabinet Office made to a
	// council member (ch.9, IssueCouncilRequest).
	Council    bool         `json:"council,omitempty"`
	DeadlineID string       `json:"deadline_id"`
	CreatedBy  string       `json:"created_by"`
	CreatedAt  time.Time    `json:"created_at"`
	AnsweredAt time.Time    `json:"answered_at,omitzero"`
	ClosedAt   time.Time    `json:"closed_at,omitzero"`
	History    []OrderEvent `json:"history,omitempty"`
}

// OrderEvent is one step of an order's history.
type OrderEvent struct {
	Seq   int       `json:"seq"`
	Event string    `json:"event"` // issue, answer, close
	Text  string    `json:"text"`
	Actor string    `json:"actor"`
	OrgID string    `json:"org_id"`
	At    time.Time `json:"at"`
}

// NewOrder is what a ministry issues.
type NewOrder struct {
	Kind  OrderKind `json:"kind"`
	OrgID string    `json:"org_id"`
	// LegalBasis defaults to the article the kind rests on.
	LegalBasis string    `json:"legal_basis,omitempty"`
	Reason     string    `json:"reason"`
	Request    string    `json:"request"`
	Due        time.Time `json:"due"`
}

// DefaultLegalBasis is the article each kind of order rests on.
var DefaultLegalBasis = map[OrderKind]string{
	CorrectionOrder: "Act on Active Cyber Defense for Critical Infrastructure, correction order (§4, §5; penalty §83)",
	MaterialRequest: "Act on Active Cyber Defense for Critical Infrastructure, request for materials (penalty §84)",
}

const orderCols = "id, kind, org_id, sector, issuer_org, legal_basis, reason, request, due, state, deadline_id, created_by, created_at, answered_at, closed_at, council"

// IssueOrder issues an order to an operator of one of p's ministry's
// sectors, with a deadline tracked by the deadline service.
func (s *Service) IssueOrder(ctx context.Context, p *auth.Principal, n NewOrder) (Order, error) {
	if n.Kind != CorrectionOrder && n.Kind != MaterialRequest {
		return Order{}, fieldErrorf("kind", "%q: want correction or materials", n.Kind)
	}
	if n.LegalBasis = strings.TrimSpace(n.LegalBasis); n.LegalBasis == "" {
		n.LegalBasis = DefaultLegalBasis[n.Kind]
	}
	n.Reason, n.Request = strings.TrimSpace(n.Reason), strings.TrimSpace(n.Request)
	for _, f := range []struct{ name, v string }{{"legal_basis", n.LegalBasis}, {"reason", n.Reason}, {"request", n.Request}} {
		if err := textfield.Check(f.name, f.v, maxText, true); err != nil {
			return Order{}, err
		}
	}
	now := s.now()
	if !n.Due.After(now) {
		return Order{}, fieldErrorf("due", "must be in the future")
	}
	o, err := s.org(ctx, n.OrgID)
	if err != nil || o.Kind != auth.OrgOperator {
		return Order{}, fieldErrorf("org_id", "%q is not an operator organisation", n.OrgID)
	}
	// Only the ministry of the operator's sector may order it.
	if p == nil || !p.Has(auth.RoleMinistry) || !s.policy.CanSeeSector(p, o.Sector()) {
		return Order{}, fmt.Errorf("operator %q is outside your ministry's sectors: %w", n.OrgID, ErrForbidden)
	}
	actor, _ := actorOf(p)
	ord := Order{ID: newID("ord_"), Kind: n.Kind, OrgID: o.ID, Sector: o.Sector(), IssuerOrg: p.OrgID, LegalBasis: n.LegalBasis,
		Reason: n.Reason, Request: n.Request, Due: n.Due.UTC(), State: OrderOpen, CreatedBy: actor, CreatedAt: now}
	title := map[OrderKind]string{CorrectionOrder: "Correction order", MaterialRequest: "Request for materials"}[n.Kind]
	titleJA := map[OrderKind]string{CorrectionOrder: "是正命令", MaterialRequest: "資料提出要求"}[n.Kind]
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		d, err := s.deadlines.Set(ctx, tx, deadline.Deadline{Kind: "order." + string(n.Kind), Subject: "order/" + ord.ID, Org: ord.OrgID,
			Title: textfield.Cut(title+": "+textfield.FirstLine(n.Request, 120), 200), TitleJA: textfield.Cut(titleJA+": "+textfield.FirstLine(n.Request, 120), 200), Link: "/orders/" + ord.ID, Due: ord.Due})
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
		_, err = s.notifier.Notify(ctx, tx, deadline.Notice{ToOrg: ord.OrgID, Subject: textfield.Cut(title+": "+textfield.FirstLine(n.Request, 150), 200),
			Body: fmt.Sprintf("%s (%s). Due %s. Reason: %s", title, ord.LegalBasis, ord.Due.Format(time.RFC3339), n.Reason), Link: "/orders/" + ord.ID})
		return err
	})
	if err != nil {
		return Order{}, err
	}
	return s.Order(ctx, p, ord.ID)
}

// insertOrder stores a new order.
func insertOrder(ctx context.Context, tx *store.Tx, ord Order) error {
	council := 0
	if ord.Council {
		council = 1
	}
	if _, err := tx.Exec(ctx, "INSERT INTO rep_orders ("+orderCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		ord.ID, string(ord.Kind), ord.OrgID, ord.Sector, ord.IssuerOrg, ord.LegalBasis, ord.Reason, ord.Request, store.FormatTime(ord.Due),
		string(ord.State), ord.DeadlineID, ord.CreatedBy, store.FormatTime(ord.CreatedAt), "", "", council); err != nil {
		return fmt.Errorf("record order: %w", err)
	}
	return nil
}

func (s *Service) orderEvent(ctx context.Context, tx *store.Tx, p *auth.Principal, id, event, text string) error {
	var seq int
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM rep_order_events WHERE order_id = ?", id).Scan(&seq); err != nil {
		return fmt.Errorf("order history: %w", err)
	}
	actor, org := actorOf(p)
	_, err := tx.Exec(ctx, "INSERT INTO rep_order_events (order_id, seq, event, text, actor, org_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		id, seq, event, text, actor, org, store.FormatTime(s.now()))
	if err != nil {
		return fmt.Errorf("order history: %w", err)
	}
	return nil
}

// AnswerOrder records the operator's answer to an open order.
func (s *Service) AnswerOrder(ctx context.Context, p *auth.Principal, id, text string) (Order, error) {
	text = strings.TrimSpace(text)
	if err := textfield.Check("text", text, maxText, true); err != nil {
		return Order{}, err
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		o, err := getOrder(ctx, tx, id)
		if err != nil || p == nil || o.OrgID != p.OrgID {
			return fmt.Errorf("order %q: %w", id, ErrNotFound)
		}
		if o.State != OrderOpen {
			return fmt.Errorf("order %s is %s, not open: %w", id, o.State, ErrConflict)
		}
		now := s.now()
		if _, err := tx.Exec(ctx, "UPDATE rep_orders SET state = ?, answered_at = ? WHERE id = ?", string(OrderAnswered), store.FormatTime(now), id); err != nil {
			return fmt.Errorf("answer order: %w", err)
		}
		if _, err := s.deadlines.Meet(ctx, tx, o.DeadlineID); err != nil && !errors.Is(err, deadline.ErrClosed) {
			return err
		}
		if err := s.orderEvent(ctx, tx, p, id, "answer", text); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, "order.answer", "order/"+id, map[string]any{"order": id, "text": text}); err != nil {
			return err
		}
		_, err = s.notifier.Notify(ctx, tx, deadline.Notice{ToOrg: o.IssuerOrg, Subject: textfield.Cut("Answer to "+string(o.Kind)+" order "+id, 200),
			Body: "The operator answered. Review it and close the order.", Link: "/orders/" + id})
		return err
	})
	if err != nil {
		return Order{}, err
	}
	return s.Order(ctx, p, id)
}

// CloseOrder closes an order (accepting the answer, or withdrawing an open
// order) with a note; only its issuing ministry may.
func (s *Service) CloseOrder(ctx context.Context, p *auth.Principal, id, text string) (Order, error) {
	text = strings.TrimSpace(text)
	if err := textfield.Check("text", text, maxText, true); err != nil {
		return Order{}, err
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		o, err := getOrder(ctx, tx, id)
		if err != nil || p == nil || !s.policy.CanSeeOrg(p, o.OrgID, o.Sector) {
			return fmt.Errorf("order %q: %w", id, ErrNotFound)
		}
		if o.IssuerOrg != p.OrgID {
			return fmt.Errorf("only the issuing ministry closes order %s: %w", id, ErrForbidden)
		}
		if o.State == OrderClosed {
			return fmt.Errorf("order %s is already closed: %w", id, ErrConflict)
		}
		if _, err := tx.Exec(ctx, "UPDATE rep_orders SET state = ?, closed_at = ? WHERE id = ?", string(OrderClosed), store.FormatTime(s.now()), id); err != nil {
			return fmt.Errorf("close order: %w", err)
		}
		if o.State == OrderOpen {
			if _, err := s.deadlines.Cancel(ctx, tx, o.DeadlineID, "order withdrawn: "+textfield.Cut(text, 150)); err != nil && !errors.Is(err, deadline.ErrClosed) {
				return err
			}
		}
		if err := s.orderEvent(ctx, tx, p, id, "close", text); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "order.close", "order/"+id, map[string]any{"order": id, "text": text})
	})
	if err != nil {
		return Order{}, err
	}
	return s.Order(ctx, p, id)
}

// Order returns order id with its history, if p may see it.
func (s *Service) Order(ctx context.Context, p *auth.Principal, id string) (Order, error) {
	o, err := getOrder(ctx, s.db, id)
	if err != nil || !s.policy.CanSeeOrg(p, o.OrgID, o.Sector) {
		return Order{}, fmt.Errorf("order %q: %w", id, ErrNotFound)
	}
	s.derive(&o)
	rows, err := s.db.Query(ctx, "SELECT seq, event, text, actor, org_id, at FROM rep_order_events WHERE order_id = ? ORDER BY seq", id)
	if err != nil {
		return Order{}, fmt.Errorf("order history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e OrderEvent
		var at string
		if err := rows.Scan(&e.Seq, &e.Event, &e.Text, &e.Actor, &e.OrgID, &at); err != nil {
			return Order{}, err
		}
		if e.At, err = store.ParseTime(at); err != nil {
			return Order{}, err
		}
		o.History = append(o.History, e)
	}
	return o, rows.Err()
}

// derive fills the fields computed from the clock.
func (s *Service) derive(o *Order) {
	o.Overdue = o.State == OrderOpen && s.now().After(o.Due)
	o.Late = !o.AnsweredAt.IsZero() && o.AnsweredAt.After(o.Due)
	if o.Overdue && !o.Council {
		o.Referral = map[OrderKind]string{CorrectionOrder: "§83", MaterialRequest: "§84"}[o.Kind]
	}
}

// OrderFilter selects orders; empty fields match everything.
type OrderFilter struct {
	State OrderState
	// Referral lists only overdue orders: candidates for referral
	// (council requests never are).
	Referral bool
	OrgID    string
	// Council lists only council requests for materials.
	Council bool
}

// Orders returns the orders p may see matching f, newest first. Referral
// candidates come with their history.
func (s *Service) Orders(ctx context.Context, p *auth.Principal, f OrderFilter) ([]Order, error) {
	q := "SELECT " + orderCols + " FROM rep_orders WHERE 1 = 1"
	var args []any
	if f.State != "" {
		q += " AND state = ?"
		args = append(args, string(f.State))
	}
	if f.Referral {
		q += " AND state = ? AND due < ? AND council = 0"
		args = append(args, string(OrderOpen), store.FormatTime(s.now()))
	}
	if f.Council {
		q += " AND council = 1"
	}
	if f.OrgID != "" {
		q += " AND org_id = ?"
		args = append(args, f.OrgID)
	}
	scope, sargs := s.scopeSQL(p)
	rows, err := s.db.Query(ctx, q+scope+" ORDER BY created_at DESC, id LIMIT 5000", append(args, sargs...)...)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	var out []Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if s.policy.CanSeeOrg(p, o.OrgID, o.Sector) {
			s.derive(&o)
			out = append(out, o)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if f.Referral {
		for i := range out {
			full, err := s.Order(ctx, p, out[i].ID)
			if err != nil {
				return nil, err
			}
			out[i] = full
		}
	}
	return out, nil
}

func getOrder(ctx context.Context, q store.Querier, id string) (Order, error) {
	o, err := scanOrder(q.QueryRow(ctx, "SELECT "+orderCols+" FROM rep_orders WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Order{}, ErrNotFound
	}
	return o, err
}

func scanOrder(r scanner) (Order, error) {
	var o Order
	var kind, state string
	var council int
	ts := make([]string, 4)
	if err := r.Scan(&o.ID, &kind, &o.OrgID, &o.Sector, &o.IssuerOrg, &o.LegalBasis, &o.Reason, &o.Request, &ts[0],
		&state, &o.DeadlineID, &o.CreatedBy, &ts[1], &ts[2], &ts[3], &council); err != nil {
		return Order{}, err
	}
	o.Kind, o.State, o.Council = OrderKind(kind), OrderState(state), council != 0
	err := parseTimes([]*time.Time{&o.Due, &o.CreatedAt, &o.AnsweredAt, &o.ClosedAt}, ts)
	return o, err
}
