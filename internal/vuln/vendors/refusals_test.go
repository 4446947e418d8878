package vendors_test

import (
	"errors"
	"testing"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/vuln/vendors"
)

// TestProducts checks a product's canonical form, the refusals on its
// input, and that each vendor sees and edits only its own.
func TestProducts(t *testing.T) {
	each(t, false, func(t *testing.T, e *env) {
		in := panOS()
		in.CPE = "cpe:2.3:o:PaloAltoNetworks:PAN-OS:10.2.9:*:*:*:*:*:*:*"
		pr, err := e.svc.CreateProduct(e.Ctx, e.P("vendor"), in)
		if err != nil {
			t.Fatal(err)
		}
		if pr.CPEVendor != "paloaltonetworks" || pr.CPEProduct != "pan-os" || pr.OrgID != e.Orgs["ven"].ID {
			t.Errorf("product: got cpe %s:%s org %s", pr.CPEVendor, pr.CPEProduct, pr.OrgID)
		}
		_, err = e.svc.CreateProduct(e.Ctx, e.P("vendor"), panOS())
		wantRefusal(t, "the same product twice", err, vendors.CodeProductExists)
		for _, c := range []struct {
			name  string
			edit  func(*vendors.ProductInput)
			field string
		}{
			{"no name", func(in *vendors.ProductInput) { in.Name = " " }, "name"},
			{"not a CPE", func(in *vendors.ProductInput) { in.CPE = "pan-os" }, "cpe"},
			{"vendor ANY", func(in *vendors.ProductInput) { in.CPE = "cpe:2.3:o:*:pan-os:*:*:*:*:*:*:*:*" }, "cpe"},
			{"product with a wildcard", func(in *vendors.ProductInput) { in.CPE = "cpe:2.3:o:paloaltonetworks:pan*:*:*:*:*:*:*:*" }, "cpe"},
			{"record vendor alone", func(in *vendors.ProductInput) { in.RecordProduct = "" }, "record_product"},
			{"support end not a date", func(in *vendors.ProductInput) { in.SupportEnds = "2027/08/31" }, "support_ends"},
			{"two-line name", func(in *vendors.ProductInput) { in.Name = "a\nb" }, "name"},
		} {
			in := panOS()
			c.edit(&in)
			_, err := e.svc.CreateProduct(e.Ctx, e.P("vendor"), in)
			wantField(t, c.name, err, c.field)
		}
		for _, who := range []string{"author", "opr"} {
			_, err := e.svc.CreateProduct(e.Ctx, e.P(who), panOS())
			wantRefusal(t, who+" registers a product", err, vendors.CodeNotVendor)
		}
		other := e.Platform.Org(t, auth.NewOrg{Name: "Other Devices KK", Kind: auth.OrgVendor})
		pOther := servicetest.Principal("usr_other_vendor", other, auth.RoleVendor)
		if _, err := e.svc.UpdateProduct(e.Ctx, pOther, pr.ID, panOS()); !errors.Is(err, svcerr.ErrNotFound) {
			t.Errorf("another vendor edits the product: %v, want not found", err)
		}
		if ps, _ := e.svc.Products(e.Ctx, pOther, e.Orgs["ven"].ID); len(ps) != 0 {
			t.Errorf("another vendor lists %d of the vendor's products", len(ps))
		}
		if ps, _ := e.svc.Products(e.Ctx, e.P("author"), ""); len(ps) != 1 {
			t.Errorf("the Cabinet Office lists %d products, want 1", len(ps))
		}
		up := panOS()
		up.SupportEnds = "2028-03-31"
		if pr, err = e.svc.UpdateProduct(e.Ctx, e.P("vendor"), pr.ID, up); err != nil || pr.SupportEnds != "2028-03-31" {
			t.Errorf("update: %+v, %v", pr, err)
		}
	})
}

// TestSendAndAnswerRefusals checks who may send and answer, and what.
func TestSendAndAnswerRefusals(t *testing.T) {
	each(t, true, func(t *testing.T, e *env) {
		pr := e.registered(t)
		other := e.Platform.Org(t, auth.NewOrg{Name: "Other Devices KK", Kind: auth.OrgVendor})
		send := func(who string, in vendors.SendInput) error {
			_, err := e.svc.Send(e.Ctx, e.P(who), in)
			return err
		}
		base := vendors.SendInput{VulnID: cveID, OrgID: e.Orgs["ven"].ID, Message: "Act."}
		for _, who := range []string{"opr", "vendor", "meti", "police"} {
			wantRefusal(t, who+" sends", send(who, base), vendors.CodeNotCabinetOffice)
		}
		in := base
		in.OrgID = other.ID
		wantRefusal(t, "a vendor without the product", send("author", in), vendors.CodeNotConcerned)
		in = base
		in.OrgID = e.Orgs["opr"].ID
		wantField(t, "an operator as vendor", send("author", in), "org_id")
		in = base
		in.VulnID = "CVE-2099-0001"
		if err := send("author", in); !errors.Is(err, svcerr.ErrNotFound) {
			t.Errorf("unknown vulnerability: %v, want not found", err)
		}
		in = base
		in.TLP = "amber"
		wantField(t, "an AMBER publication", send("author", in), "tlp")
		in = base
		in.Due = e.Clock.Now().Add(-1)
		wantField(t, "a deadline in the past", send("author", in), "due")
		in.Due = e.Clock.Now().Add(91 * 24 * 60 * 60 * 1e9)
		wantField(t, "a deadline beyond 90 days", send("author", in), "due")
		in = base
		in.Message = ""
		wantField(t, "no message", send("author", in), "message")

		r, err := e.svc.Send(e.Ctx, e.P("author"), base)
		if err != nil {
			t.Fatal(err)
		}
		answer := func(p *auth.Principal, in vendors.AnswerInput) error {
			_, err := e.svc.Answer(e.Ctx, p, r.ID, in)
			return err
		}
		wantRefusal(t, "an analyst answers", answer(e.P("author"), vendors.AnswerInput{}), vendors.CodeNotVendor)
		if err := answer(servicetest.Principal("usr_other_vendor", other, auth.RoleVendor), vendors.AnswerInput{}); !errors.Is(err, svcerr.ErrNotFound) {
			t.Errorf("another vendor answers: %v, want not found", err)
		}
		wantRefusal(t, "affected, no fix, no mitigation", answer(e.P("vendor"), vendors.AnswerInput{Affected: true,
			Products: []vendors.ProductFix{{ProductID: pr.ID, Affected: "10.2.x"}}}), vendors.CodeAnswerIncomplete)
		wantField(t, "a product not in the request", answer(e.P("vendor"), vendors.AnswerInput{Affected: true, Mitigation: "m",
			Products: []vendors.ProductFix{{ProductID: "vpd_nope", Affected: "1"}}}), "products[0].product_id")
		wantField(t, "affected versions missing", answer(e.P("vendor"), vendors.AnswerInput{Affected: true, Mitigation: "m",
			Products: []vendors.ProductFix{{ProductID: pr.ID}}}), "products[0].affected")
		wantField(t, "support end not a date", answer(e.P("vendor"), vendors.AnswerInput{Affected: true, Mitigation: "m",
			Products: []vendors.ProductFix{{ProductID: pr.ID, Affected: "1", SupportEnds: "soon"}}}), "products[0].support_ends")
		wantField(t, "advisory URL not http", answer(e.P("vendor"), vendors.AnswerInput{Affected: true, Mitigation: "m",
			AdvisoryURL: "javascript:alert(1)"}), "advisory_url")
		if r, _ := e.svc.Request(e.Ctx, e.P("author"), r.ID); r.State != vendors.StateSent || len(r.Answers) != 0 {
			t.Errorf("refused answers changed the request: state %s, %d answers", r.State, len(r.Answers))
		}
	})
}

// TestSenderNoLongerAuthorises: when the analyst who sent a request has
// been disabled, the answer is kept, nothing is published, and the
// Cabinet Office is told to publish.
func TestSenderNoLongerAuthorises(t *testing.T) {
	each(t, true, func(t *testing.T, e *env) {
		pr := e.registered(t)
		r, err := e.svc.Send(e.Ctx, e.P("author"), vendors.SendInput{VulnID: cveID, OrgID: e.Orgs["ven"].ID, Message: "Act."})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Platform.Auth.DisableUser(e.Ctx, e.P("admin"), e.Users["author"].ID); err != nil {
			t.Fatal(err)
		}
		r, err = e.svc.Answer(e.Ctx, e.P("vendor"), r.ID, vendors.AnswerInput{Affected: true,
			Products: []vendors.ProductFix{{ProductID: pr.ID, Affected: "10.2.x", Fixed: "10.2.9-h1"}}})
		if err != nil {
			t.Fatal(err)
		}
		if r.State != vendors.StateAnswered || r.AdvisoryID != "" || r.Unpublished == "" {
			t.Errorf("answer with a disabled sender: state %s advisory %q unpublished %q", r.State, r.AdvisoryID, r.Unpublished)
		}
		if _, ok := notice(t, e, "reviewer", "Publish the mitigation of "+cveID); !ok {
			t.Errorf("the Cabinet Office was not told to publish")
		}
	})
}
