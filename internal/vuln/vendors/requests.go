package vendors

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/textfield"
	"github.com/acd-platform/acd/internal/tlp"
	"github.com/acd-platform/acd/internal/vuln"
	"github.com/acd-platform/acd/internal/vuln/cve"
)

// Kind is what the Cabinet Office sends a vendor.
type Kind string

// Kinds.
const (
	// KindNotice informs the vendor of a vulnerability in its products
	// (§42(1)); no operator's specified critical computer is affected.
	KindNotice Kind = "notice"
	// KindRequest formally requests the vendor to act (§42(2)): specified
	// critical computers are affected. It has a deadline.
	KindRequest Kind = "request"
)

// LegalBasis is the provision a kind is sent under.
func (k Kind) LegalBasis() string {
	if k == KindRequest {
		return "Act on Active Cyber Defense §42(2)"
	}
	return "Act on Active Cyber Defense §42(1)"
}

// State is where a notice or request is.
type State string

// States.
const (
	StateSent     State = "sent"     // awaiting the vendor's answer
	StateAnswered State = "answered" // answered; may be amended
	StateLapsed   State = "lapsed"   // a request's deadline passed unanswered
	StateClosed   State = "closed"   // closed by the Cabinet Office
)

// SendInput is a notice or request as the analyst sends it.
type SendInput struct {
	VulnID string `json:"vuln_id"`
	// OrgID is the vendor organisation.
	OrgID string `json:"org_id"`
	// Message is the Cabinet Office's text to the vendor.
	Message string `json:"message"`
	// Due is a request's deadline; zero is Config.AnswerWithin from now. A
	// notice has none and ignores it.
	Due time.Time `json:"due,omitzero"`
	// TLP is the level the mitigation is published at: clear (default) or
	// green.
	TLP tlp.Level `json:"tlp,omitempty"`
}

// ProductFix is the vendor's answer for one of its products.
type ProductFix struct {
	ProductID string `json:"product_id"`
	// Affected are the affected versions: a vers range
	// ("vers:generic/>=10.2.0|<10.2.9-h1") or in words.
	Affected string `json:"affected"`
	// Fixed is the first fixed version; "" when there is none yet.
	Fixed string `json:"fixed,omitempty"`
	// SupportEnds is the end of support of the affected versions; ""
	// for the product's registered date.
	SupportEnds string `json:"support_ends,omitempty"`
}

// AnswerInput is the vendor's answer.
type AnswerInput struct {
	// Affected is whether the vendor's products are affected at all.
	Affected bool         `json:"affected"`
	Products []ProductFix `json:"products,omitempty"`
	// Mitigation is what users can do before or instead of upgrading.
	Mitigation string `json:"mitigation,omitempty"`
	// Investigation is how users find out whether they are affected or
	// were compromised.
	Investigation string `json:"investigation,omitempty"`
	// AdvisoryURL is the vendor's own advisory.
	AdvisoryURL string `json:"advisory_url,omitempty"`
	// Comment is for the Cabinet Office only; it is not published.
	Comment string `json:"comment,omitempty"`
}

// Answer is one answer as recorded.
type Answer struct {
	AnswerInput
	By string    `json:"by"`
	At time.Time `json:"at"`
	// Late is an answer to a request after its deadline.
	Late bool `json:"late,omitempty"`
}

// Request is a vulnerability notice or request to act sent to a vendor.
type Request struct {
	ID         string `json:"id"`
	Kind       Kind   `json:"kind"`
	LegalBasis string `json:"legal_basis"`
	VulnID     string `json:"vuln_id"`
	Title      string `json:"title,omitempty"`
	// OrgID is the vendor.
	OrgID string `json:"org_id"`
	// Products are the vendor's products the record names.
	Products []Product `json:"products"`
	// AffectedAssets and AffectedOperators count the specified critical
	// computers affected through these products, and their operators,
	// when it was sent.
	AffectedAssets    int       `json:"affected_assets"`
	AffectedOperators int       `json:"affected_operators"`
	Message           string    `json:"message"`
	TLP               tlp.Level `json:"tlp"`
	State             State     `json:"state"`
	Due               time.Time `json:"due,omitzero"`
	DeadlineID        string    `json:"deadline_id,omitempty"`
	SentBy            string    `json:"sent_by"`
	SentOrg           string    `json:"sent_org"`
	SentAt            time.Time `json:"sent_at"`
	// Answers are the vendor's answers, oldest first; the last holds.
	Answers []Answer `json:"answers,omitempty"`
	// AdvisoryID is the advisory that publishes the mitigation, once
	// published; PublishedOn says what published its latest revision:
	// "answer" or "deadline".
	AdvisoryID  string    `json:"advisory_id,omitempty"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	PublishedOn string    `json:"published_on,omitempty"`
	// Unpublished says why an answer or a lapse published nothing, when
	// it should have (the analyst who sent it may no longer authorise
	// publication); the Cabinet Office is told.
	Unpublished string    `json:"unpublished,omitempty"`
	LapsedAt    time.Time `json:"lapsed_at,omitzero"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
	ClosedBy    string    `json:"closed_by,omitempty"`
	CloseReason string    `json:"close_reason,omitempty"`
}

// Answer returns the answer that holds, or nil.
func (r Request) Answer() *Answer {
	if len(r.Answers) == 0 {
		return nil
	}
	return &r.Answers[len(r.Answers)-1]
}

// ProductName is the name of product id of the request, or id.
func (r Request) ProductName(id string) string {
	for _, p := range r.Products {
		if p.ID == id {
			return p.Name
		}
	}
	return id
}

// Link is the request's page.
func (r Request) Link() string { return "/vendor/requests/" + r.ID }

// Concern is a vendor that a vulnerability concerns.
type Concern struct {
	OrgID   string `json:"org_id"`
	OrgName string `json:"org_name"`
	// Products are the vendor's products the record names.
	Products []Product `json:"products"`
	// AffectedAssets and AffectedOperators count the specified critical
	// computers affected through these products, and their operators.
	AffectedAssets    int `json:"affected_assets"`
	AffectedOperators int `json:"affected_operators"`
	// Kind is what Send would send now.
	Kind Kind `json:"kind"`
	// Open is the vendor's open notice or request about the vulnerability,
	// if any.
	Open string `json:"open,omitempty"`
}

// covers reports whether record entry a names product p.
func covers(a cve.Affected, p Product) bool {
	if a.CPE != nil && a.CPE.Vendor.Text() == p.CPEVendor && a.CPE.Product.Text() == p.CPEProduct && !a.CPE.Vendor.HasWildcards() &&
		!a.CPE.Product.HasWildcards() {
		return true
	}
	if p.RecordVendor != "" && strings.EqualFold(strings.TrimSpace(a.Vendor), p.RecordVendor) &&
		strings.EqualFold(strings.TrimSpace(a.Product), p.RecordProduct) {
		return true
	}
	return false
}

// concerns returns, for each vendor with a product the record names, the
// products and the affected counts; orgID "" means every vendor.
func (s *Service) concerns(ctx context.Context, q store.Querier, d vuln.Detail, orgID string) ([]Concern, error) {
	query, args := "SELECT data FROM vnd_products", []any{}
	if orgID != "" {
		query, args = query+" WHERE org_id = ?", append(args, orgID)
	}
	rows, err := q.Query(ctx, query+" ORDER BY org_id, cpe_vendor, cpe_product", args...)
	ps, err := scanAll[Product](rows, err)
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	byOrg := map[string]*Concern{}
	var order []string
	entries := map[string][]int{}
	for _, p := range ps {
		for i, a := range d.Record.Affected {
			if !covers(a, p) {
				continue
			}
			c := byOrg[p.OrgID]
			if c == nil {
				c = &Concern{OrgID: p.OrgID}
				byOrg[p.OrgID], order = c, append(order, p.OrgID)
			}
			if !slices.ContainsFunc(c.Products, func(x Product) bool { return x.ID == p.ID }) {
				c.Products = append(c.Products, p)
			}
			if !slices.Contains(entries[p.OrgID], i) {
				entries[p.OrgID] = append(entries[p.OrgID], i)
			}
		}
	}
	out := make([]Concern, 0, len(order))
	for _, org := range order {
		c := byOrg[org]
		operators := map[string]bool{}
		for _, m := range d.Matches {
			if slices.Contains(entries[org], m.Affected) {
				c.AffectedAssets++
				operators[m.OrgID] = true
			}
		}
		c.AffectedOperators = len(operators)
		c.Kind = KindNotice
		if c.AffectedAssets > 0 {
			c.Kind = KindRequest
		}
		if o, err := s.auth.Org(ctx, org); err == nil {
			c.OrgName = o.Name
		}
		var open string
		err := q.QueryRow(ctx, "SELECT id FROM vnd_requests WHERE vuln_id = ? AND org_id = ? AND state <> ? ORDER BY sent_at DESC LIMIT 1",
			d.ID, org, string(StateClosed)).Scan(&open)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("find open request: %w", err)
		}
		c.Open = open
		out = append(out, *c)
	}
	return out, nil
}

// Concerned lists the vendors whose registered products vulnerability
// vulnID names, with the specified critical computers affected through
// them: whom the Cabinet Office may notify, and whether Send would send a
// notice or a request. Analysts only.
func (s *Service) Concerned(ctx context.Context, p *auth.Principal, vulnID string) ([]Concern, error) {
	if !analyst(p) {
		return nil, refuse(CodeNotCabinetOffice, "")
	}
	d, err := s.vuln.Lookup(ctx, vulnID)
	if err != nil {
		return nil, err
	}
	return s.concerns(ctx, s.db, d, "")
}

// Send sends vendor in.OrgID a notice or, when specified critical
// computers are affected through its products, a request to act with a
// deadline. The vendor's organisation is told at once; a request's
// deadline sends a reminder and an overdue notice.
func (s *Service) Send(ctx context.Context, p *auth.Principal, in SendInput) (Request, error) {
	if !analyst(p) {
		return Request{}, refuse(CodeNotCabinetOffice, "")
	}
	in.VulnID, in.OrgID, in.Message = strings.ToUpper(strings.TrimSpace(in.VulnID)), strings.TrimSpace(in.OrgID), strings.TrimSpace(in.Message)
	if err := textfield.Check("message", in.Message, 20000, true); err != nil {
		return Request{}, err
	}
	level := tlp.Clear
	if in.TLP != "" {
		l, err := tlp.ParseLevel(string(in.TLP))
		if err != nil || (l != tlp.Clear && l != tlp.Green) {
			return Request{}, svcerr.Fieldf("tlp", "%q: the mitigation is published as clear or green", textfield.Cut(string(in.TLP), 40))
		}
		level = l
	}
	org, err := s.auth.Org(ctx, in.OrgID)
	if err != nil || org.Kind != auth.OrgVendor {
		return Request{}, svcerr.Fieldf("org_id", "%q is not a vendor organisation", textfield.Cut(in.OrgID, 60))
	}
	d, err := s.vuln.Lookup(ctx, in.VulnID)
	if err != nil {
		return Request{}, err
	}
	if d.Rejected {
		return Request{}, refuse(CodeRejectedRecord, d.ID)
	}
	now := s.now()
	r := Request{ID: newID("vrq_"), VulnID: d.ID, Title: d.Title, OrgID: org.ID, Message: in.Message, TLP: level, State: StateSent,
		SentBy: p.UserID, SentOrg: p.OrgID, SentAt: now}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		cs, err := s.concerns(ctx, tx, d, org.ID)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return refuse(CodeNotConcerned, org.Name)
		}
		c := cs[0]
		if c.Open != "" {
			return refuse(CodeAlreadySent, c.Open)
		}
		r.Kind, r.Products, r.AffectedAssets, r.AffectedOperators = c.Kind, c.Products, c.AffectedAssets, c.AffectedOperators
		r.LegalBasis = r.Kind.LegalBasis()
		if r.Kind == KindRequest {
			r.Due = in.Due.UTC().Truncate(time.Second)
			if in.Due.IsZero() {
				r.Due = now.Add(s.cfg.AnswerWithin)
			}
			if !r.Due.After(now) || r.Due.After(now.Add(s.cfg.MaxAnswerWithin)) {
				return svcerr.Fieldf("due", "%s: want a time after now and at most %s ahead", r.Due.Format(time.RFC3339), s.cfg.MaxAnswerWithin)
			}
			dl, err := s.deadlines.Set(ctx, tx, deadline.Deadline{Kind: deadlineKind, Subject: resRequest + "/" + r.ID, Org: r.OrgID,
				Title:   textfield.Cut("Answer the request to act on "+r.VulnID, 200),
				TitleJA: textfield.Cut(r.VulnID+"への対応要請に回答", 200), Link: r.Link(), Due: r.Due})
			if err != nil {
				return err
			}
			r.DeadlineID = dl.ID
		}
		if err := s.save(ctx, tx, r, true); err != nil {
			return err
		}
		if _, err := s.notifier.Notify(ctx, tx, sendNotice(r)); err != nil {
			return fmt.Errorf("notify vendor: %w", err)
		}
		return s.audit(ctx, tx, p, "vendor."+string(r.Kind)+"_send", resRequest, r.ID, r)
	})
	if err != nil {
		return Request{}, err
	}
	s.logger.Info("vendor "+string(r.Kind)+" sent", "request", r.ID, "vuln", r.VulnID, "org", r.OrgID, "assets", r.AffectedAssets)
	return r, nil
}

func sendNotice(r Request) deadline.Notice {
	subject, body := "Vulnerability notice: "+r.VulnID, fmt.Sprintf("The Cabinet Office informs you (%s) of %s in your products.", r.LegalBasis, r.VulnID)
	if r.Kind == KindRequest {
		subject = "Request to act: " + r.VulnID
		body = fmt.Sprintf("The Cabinet Office requests you (%s) to act on %s: %d specified critical computers of %d operators are affected. "+
			"Answer by %s with the fixed versions, the mitigation, how to investigate and the end of support.",
			r.LegalBasis, r.VulnID, r.AffectedAssets, r.AffectedOperators, r.Due.Format(time.RFC3339))
	}
	return deadline.Notice{ToOrg: r.OrgID, Subject: subject, Body: body + "\n\n" + r.Message, Link: r.Link()}
}

// Requests lists notices and requests, newest first: a vendor's staff
// their organisation's, the Cabinet Office all (or those about vulnID, or
// in state, when given).
func (s *Service) Requests(ctx context.Context, p *auth.Principal, vulnID string, state State) ([]Request, error) {
	q, args := "SELECT data FROM vnd_requests WHERE 1 = 1", []any{}
	switch {
	case vendorStaff(p):
		q, args = q+" AND org_id = ?", append(args, p.OrgID)
	case analyst(p):
	default:
		return []Request{}, nil
	}
	if vulnID != "" {
		q, args = q+" AND vuln_id = ?", append(args, strings.ToUpper(vulnID))
	}
	if state != "" {
		q, args = q+" AND state = ?", append(args, string(state))
	}
	rows, err := s.db.Query(ctx, q+" ORDER BY sent_at DESC, id LIMIT 1000", args...)
	rs, err := scanAll[Request](rows, err)
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	return rs, nil
}

// Request returns notice or request id, if p may see it.
func (s *Service) Request(ctx context.Context, p *auth.Principal, id string) (Request, error) {
	r, err := loadRequest(ctx, s.db, id)
	if err != nil {
		return Request{}, err
	}
	if !analyst(p) && !(vendorStaff(p) && p.OrgID == r.OrgID) {
		return Request{}, svcerr.NotFoundf("request %q", textfield.Cut(id, 60))
	}
	return r, nil
}

// Close closes notice or request id with a reason (the vendor is told);
// an open deadline is cancelled. Analysts only.
func (s *Service) Close(ctx context.Context, p *auth.Principal, id, reason string) (Request, error) {
	if !analyst(p) {
		return Request{}, refuse(CodeNotCabinetOffice, "")
	}
	reason = strings.TrimSpace(reason)
	if err := textfield.Check("reason", reason, 2000, true); err != nil {
		return Request{}, err
	}
	var out Request
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		r, err := lockRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.State == StateClosed {
			return refuse(CodeClosed, r.ID)
		}
		if r.DeadlineID != "" {
			if dl, err := s.deadlines.GetTx(ctx, tx, r.DeadlineID); err != nil {
				return err
			} else if dl.State == deadline.StateOpen || dl.State == deadline.StateOverdue {
				if _, err := s.deadlines.Cancel(ctx, tx, dl.ID, "request closed: "+reason); err != nil {
					return err
				}
			}
		}
		r.State, r.ClosedAt, r.ClosedBy, r.CloseReason = StateClosed, s.now(), p.UserID, reason
		if err := s.save(ctx, tx, r, false); err != nil {
			return err
		}
		if _, err := s.notifier.Notify(ctx, tx, deadline.Notice{ToOrg: r.OrgID, Subject: "Closed: " + string(r.Kind) + " on " + r.VulnID,
			Body: "The Cabinet Office closed its " + string(r.Kind) + " on " + r.VulnID + ": " + reason, Link: r.Link()}); err != nil {
			return fmt.Errorf("notify vendor: %w", err)
		}
		out = r
		return s.audit(ctx, tx, p, "vendor.close", resRequest, r.ID, r)
	})
	return out, err
}

// save writes r inside tx.
func (s *Service) save(ctx context.Context, tx *store.Tx, r Request, insert bool) error {
	data, err := encode(r)
	if err != nil {
		return err
	}
	if insert {
		_, err = tx.Exec(ctx, "INSERT INTO vnd_requests (id, vuln_id, org_id, state, due, sent_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
			r.ID, r.VulnID, r.OrgID, string(r.State), fmtTime(r.Due), fmtTime(r.SentAt), data)
	} else {
		_, err = tx.Exec(ctx, "UPDATE vnd_requests SET state = ?, data = ? WHERE id = ?", string(r.State), data, r.ID)
	}
	if err != nil {
		return fmt.Errorf("save request: %w", err)
	}
	return nil
}

// lockRequest reads request id inside tx after taking its row's write
// lock (an update that changes nothing), so that two changes of one
// request, an answer and a lapse say, happen one after the other, the
// second reading what the first wrote.
func lockRequest(ctx context.Context, tx *store.Tx, id string) (Request, error) {
	if _, err := tx.Exec(ctx, "UPDATE vnd_requests SET state = state WHERE id = ?", id); err != nil {
		return Request{}, fmt.Errorf("lock request: %w", err)
	}
	return loadRequest(ctx, tx, id)
}

func loadRequest(ctx context.Context, q store.Querier, id string) (Request, error) {
	var data string
	err := q.QueryRow(ctx, "SELECT data FROM vnd_requests WHERE id = ?", id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, svcerr.NotFoundf("request %q", textfield.Cut(id, 60))
	}
	if err != nil {
		return Request{}, fmt.Errorf("read request: %w", err)
	}
	var r Request
	return r, decode(data, &r)
}
