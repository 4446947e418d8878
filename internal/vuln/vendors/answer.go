package vendors

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/textfield"
)

// normalize checks an answer against request r and puts it in canonical
// form.
func (in *AnswerInput) normalize(r Request) error {
	in.Mitigation, in.Investigation = strings.TrimSpace(in.Mitigation), strings.TrimSpace(in.Investigation)
	in.AdvisoryURL, in.Comment = strings.TrimSpace(in.AdvisoryURL), strings.TrimSpace(in.Comment)
	for _, f := range []struct{ name, v string }{{"mitigation", in.Mitigation}, {"investigation", in.Investigation}, {"comment", in.Comment}} {
		if err := textfield.Check(f.name, f.v, 20000, false); err != nil {
			return err
		}
	}
	if in.AdvisoryURL != "" && !strings.HasPrefix(in.AdvisoryURL, "https://") && !strings.HasPrefix(in.AdvisoryURL, "http://") ||
		strings.ContainsAny(in.AdvisoryURL, " \t\r\n") || len(in.AdvisoryURL) > 2000 {
		return svcerr.Fieldf("advisory_url", "%q is not an http or https URL", textfield.Cut(in.AdvisoryURL, 80))
	}
	if len(in.Products) > len(r.Products) {
		return svcerr.Fieldf("products", "%d entries for %d products", len(in.Products), len(r.Products))
	}
	var seen []string
	for i := range in.Products {
		f := &in.Products[i]
		field := fmt.Sprintf("products[%d]", i)
		f.ProductID, f.Affected, f.Fixed, f.SupportEnds = strings.TrimSpace(f.ProductID), strings.TrimSpace(f.Affected),
			strings.TrimSpace(f.Fixed), strings.TrimSpace(f.SupportEnds)
		known := false
		for _, p := range r.Products {
			known = known || p.ID == f.ProductID
		}
		if !known {
			return svcerr.Fieldf(field+".product_id", "%q is not a product this %s is about", textfield.Cut(f.ProductID, 60), r.Kind)
		}
		for _, id := range seen {
			if id == f.ProductID {
				return svcerr.Fieldf(field+".product_id", "%s is listed twice", id)
			}
		}
		seen = append(seen, f.ProductID)
		for _, s := range []struct {
			name     string
			v        string
			required bool
		}{{"affected", f.Affected, in.Affected}, {"fixed", f.Fixed, false}, {"support_ends", f.SupportEnds, false}} {
			if err := textfield.CheckLine(field+"."+s.name, s.v, s.required); err != nil {
				return err
			}
		}
		if f.SupportEnds != "" {
			if _, err := time.Parse(time.DateOnly, f.SupportEnds); err != nil {
				return svcerr.Fieldf(field+".support_ends", "%q is not a date (2027-03-31)", textfield.Cut(f.SupportEnds, 40))
			}
		}
	}
	if !in.Affected {
		return nil
	}
	fixed := false
	for _, f := range in.Products {
		fixed = fixed || f.Fixed != ""
	}
	if !fixed && in.Mitigation == "" {
		return refuse(CodeAnswerIncomplete, "")
	}
	return nil
}

// Answer records the vendor's answer to notice or request id. An answer
// that the products are affected publishes the mitigation (a correcting
// revision when one was published before) and tells the operators whose
// specified critical computers are affected; the analyst who sent it is
// told either way. A request's deadline is met (late after it). The
// vendor may amend its answer until the request is closed.
func (s *Service) Answer(ctx context.Context, p *auth.Principal, id string, in AnswerInput) (Request, error) {
	if !vendorStaff(p) {
		return Request{}, refuse(CodeNotVendor, "")
	}
	r, err := s.Request(ctx, p, id)
	if err != nil {
		return Request{}, err
	}
	if err := in.normalize(r); err != nil {
		return Request{}, err
	}
	d, err := s.vuln.Lookup(ctx, r.VulnID)
	if err != nil {
		return Request{}, err
	}
	var out Request
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		r, err := lockRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.State == StateClosed {
			return refuse(CodeClosed, r.ID)
		}
		now := s.now()
		a := Answer{AnswerInput: in, By: p.UserID, At: now, Late: r.Kind == KindRequest && now.After(r.Due)}
		r.Answers, r.State = append(r.Answers, a), StateAnswered
		if r.DeadlineID != "" {
			if _, err := s.deadlines.MeetSubject(ctx, tx, resRequest+"/"+r.ID, deadlineKind); err != nil {
				return err
			}
		}
		if in.Affected {
			if err := s.publish(ctx, tx, &r, d, "answer"); err != nil {
				return err
			}
		}
		if err := s.save(ctx, tx, r, false); err != nil {
			return err
		}
		if _, err := s.notifier.Notify(ctx, tx, answerNotice(r)); err != nil {
			return fmt.Errorf("notify analyst: %w", err)
		}
		out = r
		return s.audit(ctx, tx, p, "vendor.answer", resRequest, r.ID, r)
	})
	if err != nil {
		return Request{}, err
	}
	s.logger.Info("vendor answered", "request", out.ID, "vuln", out.VulnID, "affected", in.Affected, "advisory", out.AdvisoryID)
	return out, nil
}

func answerNotice(r Request) deadline.Notice {
	a := r.Answer()
	body := fmt.Sprintf("The vendor answered the %s on %s: its products are not affected.", r.Kind, r.VulnID)
	if a.Affected {
		body = fmt.Sprintf("The vendor answered the %s on %s: affected.", r.Kind, r.VulnID)
		if r.AdvisoryID != "" {
			body += " The mitigation is published as advisory " + r.AdvisoryID + "."
		}
	}
	if a.Late {
		body += " The answer came after the deadline."
	}
	if r.Unpublished != "" {
		body += " Nothing was published: " + r.Unpublished
	}
	return deadline.Notice{ToUser: r.SentBy, ToOrg: r.SentOrg, Subject: "Vendor answer: " + r.VulnID, Body: body, Link: r.Link()}
}
