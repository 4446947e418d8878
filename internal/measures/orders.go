package measures

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/measures/orderdoc"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// maxOrderDue is how far ahead an order may be due.
const maxOrderDue = 365 * 24 * time.Hour

// orderOverdue reports whether o is past due at now with no response.
func orderOverdue(o *Order, now time.Time) bool { return o.Response == nil && now.After(o.Due) }

// checkOrderInput validates in against case c at now.
func checkOrderInput(in *OrderInput, c *Case, now time.Time) error {
	in.Addressee, in.Contact, in.HostingProvider = strings.TrimSpace(in.Addressee), strings.TrimSpace(in.Contact), strings.TrimSpace(in.HostingProvider)
	if err := textfield.CheckLine("addressee", in.Addressee, true); err != nil {
		return err
	}
	if err := textfield.CheckLine("contact", in.Contact, true); err != nil {
		return err
	}
	if err := textfield.CheckLine("hosting_provider", in.HostingProvider, false); err != nil {
		return err
	}
	if len(in.TargetIndexes) == 0 {
		return fieldErrorf("target_indexes", "required: at least one of the case's targets, by index from 0")
	}
	if len(in.TargetIndexes) > len(c.Targets) {
		return fieldErrorf("target_indexes", "%d indexes, the case has %d targets", len(in.TargetIndexes), len(c.Targets))
	}
	for i, x := range in.TargetIndexes {
		f := fmt.Sprintf("target_indexes[%d]", i)
		if x < 0 || x >= len(c.Targets) {
			return fieldErrorf(f, "%d: the case's targets are numbered 0 to %d", x, len(c.Targets)-1)
		}
		if slices.Contains(in.TargetIndexes[:i], x) {
			return fieldErrorf(f, "%d repeated", x)
		}
	}
	if err := checkText("required_measures", &in.RequiredMeasures, true); err != nil {
		return err
	}
	in.Due = in.Due.UTC()
	switch {
	case in.Due.IsZero():
		return fieldErrorf("due", "required")
	case !in.Due.After(now):
		return fieldErrorf("due", "%s is not in the future", stamp(in.Due))
	case in.Due.Sub(now) > maxOrderDue:
		return fieldErrorf("due", "%s is more than a year ahead", stamp(in.Due))
	}
	return nil
}

// issuer returns the name of user id and the names of organisation org, in
// Japanese and English, for an order's document.
func (s *Service) issuer(ctx context.Context, p *auth.Principal, orgID string) (name, ja, en string, err error) {
	name = p.Username
	if u, err := s.users.User(ctx, p.UserID); err == nil {
		name = u.Username
		if u.DisplayName != "" {
			name = u.DisplayName
		}
	}
	o, err := s.orgs.Org(ctx, orgID)
	if err != nil {
		return "", "", "", fmt.Errorf("look up organisation %s: %w", orgID, err)
	}
	ja = o.NameJA
	if ja == "" {
		ja = o.Name
	}
	return name, ja, o.Name, nil
}

// document returns o's order document.
func (o *Order) document() orderdoc.Document {
	d := orderdoc.Document{ID: o.ID, CaseID: o.CaseID, Path: string(o.Path), LegalBasis: o.LegalBasis, IssuedAt: o.IssuedAt, Due: o.Due,
		Issuer:           orderdoc.Issuer{Officer: o.IssuerName, AgencyJA: o.AgencyJA, AgencyEN: o.AgencyEN},
		Addressee:        orderdoc.Addressee{Name: o.Addressee, Contact: o.Contact, HostingProvider: o.HostingProvider},
		RequiredMeasures: o.RequiredMeasures, Grounds: orderdoc.Grounds{Harm: o.Harm, Urgency: o.Urgency}, Reply: orderdoc.DefaultReply}
	for _, t := range o.Targets {
		d.Targets = append(d.Targets, orderdoc.Target{Address: t.Address, Domain: t.Domain})
	}
	return d
}

// IssueOrder issues an order to the administrator of some of case id's
// targets (PDEA §6-2 paragraph 1; on the SDF paths, the SDF Act applying
// it): the case's officer, when every gate is passed and the command in
// force covers order_admin. The first order or execution moves the case
// to executing. The order's document (OrderDocument) gives the legal basis
// of the path, the grounds stated in the case and how to reply.
func (s *Service) IssueOrder(ctx context.Context, p *auth.Principal, id string, in OrderInput) (Order, error) {
	var o Order
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		c, err := loadCase(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := s.officerStep(ctx, tx, p, &c, false); err != nil {
			return err
		}
		now := s.now()
		if r := checkExecutable(&c, now, KindOrderAdmin); r != nil {
			return r
		}
		if err := checkOrderInput(&in, &c, now); err != nil {
			return err
		}
		if c.OrdersIssued >= maxOrders {
			return fieldErrorf("", "case %s has %d orders, the most one case keeps", c.ID, maxOrders)
		}
		basis, ok := orderdoc.LegalBasisFor(string(c.Path))
		if !ok {
			return fmt.Errorf("case %s: no legal basis for path %q", c.ID, c.Path)
		}
		name, ja, en, err := s.issuer(ctx, p, c.OfficerOrgID)
		if err != nil {
			return err
		}
		o = Order{ID: newID("ord_"), CaseID: c.ID, Path: c.Path, LegalBasis: basis, Addressee: in.Addressee, Contact: in.Contact,
			HostingProvider: in.HostingProvider, TargetIndexes: in.TargetIndexes, RequiredMeasures: in.RequiredMeasures, Due: in.Due,
			IssuedBy: p.UserID, IssuerName: name, IssuerOrgID: c.OfficerOrgID, AgencyJA: ja, AgencyEN: en, Harm: c.Harm, Urgency: c.Urgency, IssuedAt: now}
		for _, x := range in.TargetIndexes {
			o.Targets = append(o.Targets, c.Targets[x])
		}
		if err := orderdoc.Validate(o.document()); err != nil {
			return fmt.Errorf("order document: %w", err)
		}
		data, err := encode(o)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO msr_orders (id, case_id, issued_at, data) VALUES (?, ?, ?, ?)", o.ID, o.CaseID, store.FormatTime(o.IssuedAt), data); err != nil {
			return fmt.Errorf("record order: %w", err)
		}
		if err := s.audit(ctx, tx, p, "measure.order_issue", "order/"+o.ID, o); err != nil {
			return err
		}
		c.OrdersIssued++
		c.State, c.UpdatedAt = StateExecuting, now
		if err := updateCase(ctx, tx, &c); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "measure.order", "measure/"+c.ID, c.stored())
	})
	if err != nil {
		return Order{}, err
	}
	return s.Order(ctx, p, o.ID)
}

// orderStep runs fn on order orderID of a case p may see, inside a
// transaction, as the case's officer (designated, case not closed), then
// stores the order and appends action's audit entry on order/ID.
func (s *Service) orderStep(ctx context.Context, p *auth.Principal, orderID, action string, fn func(o *Order, c *Case) error) (Order, error) {
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		o, err := getRecord[Order](ctx, tx, "msr_orders", "order", orderID)
		if err != nil {
			return err
		}
		c, err := loadCase(ctx, tx, p, o.CaseID)
		if err != nil {
			return fmt.Errorf("order %q: %w", textfield.Cut(orderID, 100), ErrNotFound)
		}
		if err := s.officerStep(ctx, tx, p, &c, true); err != nil {
			return err
		}
		if err := fn(&o, &c); err != nil {
			return err
		}
		o.Overdue = false
		data, err := encode(o)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE msr_orders SET data = ? WHERE id = ?", data, o.ID); err != nil {
			return fmt.Errorf("update order %s: %w", o.ID, err)
		}
		return s.audit(ctx, tx, p, action, "order/"+o.ID, o)
	})
	if err != nil {
		return Order{}, err
	}
	return s.Order(ctx, p, orderID)
}

// checkFactTime checks that t, the time of a recorded fact, is set, not
// in the future and not before since.
func checkFactTime(field string, t time.Time, since, now time.Time) error {
	switch {
	case t.IsZero():
		return fieldErrorf(field, "required")
	case t.After(now):
		return fieldErrorf(field, "%s is in the future", stamp(t))
	case t.Before(since):
		return fieldErrorf(field, "%s is before %s", stamp(t), stamp(since))
	}
	return nil
}

// RecordDelivery records how and when order orderID reached its
// addressee: the case's officer. Several attempts may be recorded.
func (s *Service) RecordDelivery(ctx context.Context, p *auth.Principal, orderID string, in DeliveryInput) (Order, error) {
	return s.orderStep(ctx, p, orderID, "measure.order_delivery", func(o *Order, c *Case) error {
		switch in.Method {
		case DeliveryEmail, DeliveryPost, DeliveryInPerson, DeliveryPhone, DeliveryOther:
		default:
			return fieldErrorf("method", "%q: want email, post, in_person, phone or other", cutQ(string(in.Method)))
		}
		now := s.now()
		in.At = in.At.UTC()
		if err := checkFactTime("at", in.At, o.IssuedAt, now); err != nil {
			return err
		}
		if err := checkText("note", &in.Note, false); err != nil {
			return err
		}
		if len(o.Deliveries) >= maxDeliveries {
			return fieldErrorf("", "order %s has %d deliveries recorded, the most one order keeps", o.ID, maxDeliveries)
		}
		o.Deliveries = append(o.Deliveries, Delivery{Method: in.Method, At: in.At, Note: in.Note, RecordedBy: p.UserID, RecordedAt: now})
		return nil
	})
}

// RecordResponse records the administrator's response to order orderID,
// once (already_done): the case's officer.
func (s *Service) RecordResponse(ctx context.Context, p *auth.Principal, orderID string, in ResponseInput) (Order, error) {
	return s.orderStep(ctx, p, orderID, "measure.order_response", func(o *Order, c *Case) error {
		if o.Response != nil {
			return refuse(CodeAlreadyDone, fmt.Sprintf("order %s: the response was recorded at %s", o.ID, stamp(o.Response.RecordedAt)))
		}
		switch in.Response {
		case ResponseComplied, ResponsePartiallyComplied, ResponseRefused, ResponseNoResponse:
		default:
			return fieldErrorf("response", "%q: want complied, partially_complied, refused or no_response", cutQ(string(in.Response)))
		}
		now := s.now()
		in.At = in.At.UTC()
		if err := checkFactTime("at", in.At, o.IssuedAt, now); err != nil {
			return err
		}
		if err := checkText("text", &in.Text, false); err != nil {
			return err
		}
		o.Response = &Response{Response: in.Response, Text: in.Text, At: in.At, RecordedBy: p.UserID, RecordedAt: now}
		return nil
	})
}

// Order returns order orderID if p may see its case; otherwise
// ErrNotFound.
func (s *Service) Order(ctx context.Context, p *auth.Principal, orderID string) (Order, error) {
	o, err := getRecord[Order](ctx, s.db, "msr_orders", "order", orderID)
	if err != nil {
		return Order{}, err
	}
	if _, err := loadCase(ctx, s.db, nonNil(p), o.CaseID); err != nil {
		return Order{}, fmt.Errorf("order %q: %w", textfield.Cut(orderID, 100), ErrNotFound)
	}
	o.Overdue = orderOverdue(&o, s.now())
	return o, nil
}

// Document formats of OrderDocument.
const (
	FormatJSON = "json"
	FormatText = "txt"
	FormatHTML = "html"
	FormatPDF  = "pdf"
)

// OrderDocument renders the document of order orderID, if p may see its
// case, as format: "json" (application/json), "txt" (plain text, Japanese
// then English), "html" (a self-contained page for printing) or "pdf"
// (printed by Config.Printer; an error wrapping pdf.ErrNoBrowser when the
// server has no Chromium, which the API answers with 503). It returns the
// document and its content type.
func (s *Service) OrderDocument(ctx context.Context, p *auth.Principal, orderID, format string) ([]byte, string, error) {
	switch format {
	case FormatJSON, FormatText, FormatHTML, FormatPDF:
	default:
		return nil, "", fieldErrorf("format", "%q: want json, txt, html or pdf", cutQ(format))
	}
	o, err := s.Order(ctx, p, orderID)
	if err != nil {
		return nil, "", err
	}
	d := o.document()
	switch format {
	case FormatJSON:
		b, err := orderdoc.JSON(d)
		return b, "application/json", err
	case FormatText:
		return []byte(orderdoc.Text(d)), "text/plain; charset=utf-8", nil
	}
	html, err := orderdoc.HTML(d)
	if err != nil {
		return nil, "", err
	}
	if format == FormatHTML {
		return html, "text/html; charset=utf-8", nil
	}
	b, err := s.cfg.Printer.PDF(ctx, html)
	if err != nil {
		return nil, "", fmt.Errorf("print order %s: %w", o.ID, err)
	}
	return b, "application/pdf", nil
}
