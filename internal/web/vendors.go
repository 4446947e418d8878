package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/tlp"
	"github.com/acd-platform/acd/internal/vuln/vendors"
)

// The §42 pages: a vendor's products, the notices and requests to act
// the Cabinet Office sends vendors with their answers, and the vendors a
// vulnerability concerns.

// registerVendors adds the vendor pages.
func (s *Site) registerVendors(page func(pattern string, action auth.Action, h api.HandlerFunc)) {
	if s.cfg.Vendors == nil {
		return
	}
	page("GET /vendor/products", auth.VendorRead, s.vendorProducts)
	page("POST /vendor/products", auth.VendorProductsWrite, s.vendorProductCreate)
	page("GET /vendor/products/new", auth.VendorProductsWrite, s.vendorProductNew)
	page("GET /vendor/products/{id}", auth.VendorProductsWrite, s.vendorProduct)
	page("POST /vendor/products/{id}", auth.VendorProductsWrite, s.vendorProductUpdate)
	page("GET /vendor/requests", auth.VendorRead, s.vendorRequests)
	page("POST /vendor/requests", auth.VendorNotify, s.vendorSend)
	page("GET /vendor/requests/{id}", auth.VendorRead, s.vendorRequest)
	page("POST /vendor/requests/{id}/answer", auth.VendorAnswer, s.vendorAnswer)
	page("POST /vendor/requests/{id}/close", auth.VendorNotify, s.vendorClose)
	page("GET /vulns/{id}/vendors", auth.VendorNotify, s.vendorConcerned)
	s.links[auth.VendorRead] = "/vendor/requests"
	s.links[auth.VendorProductsWrite] = "/vendor/products"
}

// vendorRequestStates are the states the list filters on.
var vendorRequestStates = []vendors.State{vendors.StateSent, vendors.StateAnswered, vendors.StateLapsed, vendors.StateClosed}

type vendorProductsData struct {
	N        names
	Products []vendors.Product
	// CanWrite: the viewer registers its organisation's products.
	CanWrite bool
}

func (s *Site) vendorProducts(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := vendorProductsData{N: n, CanWrite: s.cfg.Policy.Allow(p, auth.VendorProductsWrite)}
	if d.Products, err = s.cfg.Vendors.Products(r.Context(), p, r.URL.Query().Get("org")); err != nil {
		return s.shPageError(w, r, err)
	}
	msg := s.doneMessage(r, "vendor.done.", nil, "product_created", "product_updated")
	return s.render(w, r, http.StatusOK, "vendor_products", "vendor.products.title", d, msg...)
}

// productInput reads the product form.
func productInput(r *http.Request) vendors.ProductInput {
	return vendors.ProductInput{Name: trimmed(r, "name"), CPE: trimmed(r, "cpe"), RecordVendor: trimmed(r, "record_vendor"),
		RecordProduct: trimmed(r, "record_product"), SupportEnds: trimmed(r, "support_ends"), SupportPolicy: trimmed(r, "support_policy")}
}

func (s *Site) vendorProductCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, "product")
	if _, err := s.cfg.Vendors.CreateProduct(r.Context(), principal(r), productInput(r)); err != nil {
		fail, ok := s.shFailed(w, r, err, nil)
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.vendorProductPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/vendor/products?done=product_created", http.StatusSeeOther)
	return nil
}

type vendorProductData struct {
	P    vendors.Product
	Acts acts
}

// vendorProductPage is the product form: a new product's without {id},
// else product {id}'s, filled from it unless a is a submitted form.
func (s *Site) vendorProductPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	if r.PathValue("id") == "" {
		return s.render(w, r, status, "vendor_product", "vendor.product.new", vendorProductData{Acts: a}, msg...)
	}
	p := principal(r)
	ps, err := s.cfg.Vendors.Products(r.Context(), p, "")
	if err != nil {
		return s.shPageError(w, r, err)
	}
	i := slices.IndexFunc(ps, func(x vendors.Product) bool { return x.ID == r.PathValue("id") })
	if i < 0 {
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such product"}
	}
	if a.Form == "" {
		a = acts{Form: "product", V: map[string][]string{"name": {ps[i].Name}, "cpe": {ps[i].CPE}, "record_vendor": {ps[i].RecordVendor},
			"record_product": {ps[i].RecordProduct}, "support_ends": {ps[i].SupportEnds}, "support_policy": {ps[i].SupportPolicy}}}
	}
	return s.render(w, r, status, "vendor_product", "vendor.product.title", vendorProductData{P: ps[i], Acts: a}, msg...)
}

func (s *Site) vendorProductNew(w http.ResponseWriter, r *http.Request) error {
	return s.vendorProductPage(w, r, http.StatusOK, acts{})
}

func (s *Site) vendorProduct(w http.ResponseWriter, r *http.Request) error {
	return s.vendorProductPage(w, r, http.StatusOK, acts{})
}

func (s *Site) vendorProductUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, "product")
	if _, err := s.cfg.Vendors.UpdateProduct(r.Context(), principal(r), r.PathValue("id"), productInput(r)); err != nil {
		fail, ok := s.shFailed(w, r, err, nil)
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.vendorProductPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/vendor/products?done=product_updated", http.StatusSeeOther)
	return nil
}

type vendorRequestsData struct {
	N        names
	Requests []vendors.Request
	State    string
	States   []vendors.State
	Now      time.Time
	Err      fieldErr
}

func (s *Site) vendorRequests(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	status, msg := http.StatusOK, []string(nil)
	d := vendorRequestsData{N: n, State: r.URL.Query().Get("state"), States: vendorRequestStates, Now: s.cfg.Now()}
	if d.State != "" && !slices.Contains(vendorRequestStates, vendors.State(d.State)) {
		d.Err = fieldErr{"state", strconv.Quote(d.State) + ": unknown state"}
		d.State = ""
		status, msg = http.StatusBadRequest, []string{"", s.t(r, "form.invalid")}
	} else if d.Requests, err = s.cfg.Vendors.Requests(r.Context(), p, r.URL.Query().Get("vuln"), vendors.State(d.State)); err != nil {
		return s.shPageError(w, r, err)
	}
	return s.render(w, r, status, "vendor_requests", "vendor.requests.title", d, msg...)
}

type vendorRequestData struct {
	N names
	R vendors.Request
	// Overdue: a request past its deadline without an answer.
	Overdue             bool
	CanAnswer, CanClose bool
	Acts                acts
}

func (s *Site) vendorRequestPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	p := principal(r)
	req, err := s.cfg.Vendors.Request(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return s.shPageError(w, r, err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := vendorRequestData{N: n, R: req, Acts: a,
		Overdue:   req.State == vendors.StateSent && !req.Due.IsZero() && s.cfg.Now().After(req.Due),
		CanAnswer: req.State != vendors.StateClosed && req.OrgID == p.OrgID && s.cfg.Policy.Allow(p, auth.VendorAnswer),
		CanClose:  req.State != vendors.StateClosed && isManager(p) && s.cfg.Policy.Allow(p, auth.VendorNotify)}
	if d.CanAnswer && a.Form == "" {
		d.Acts = answerDefaults(req)
	}
	msg = s.doneMessage(r, "vendor.done.", msg, "sent", "answered", "closed")
	return s.render(w, r, status, "vendor_request", "vendor.request.title", d, msg...)
}

// answerDefaults fills the answer form from the answer that holds, so
// that the vendor amends it rather than typing it again.
func answerDefaults(req vendors.Request) acts {
	v := map[string][]string{"affected": {"yes"}}
	a := req.Answer()
	if a != nil {
		v["mitigation"], v["investigation"] = []string{a.Mitigation}, []string{a.Investigation}
		v["advisory_url"], v["comment"] = []string{a.AdvisoryURL}, []string{a.Comment}
		if !a.Affected {
			v["affected"] = []string{"no"}
		}
	}
	for i, p := range req.Products {
		k := fmt.Sprintf("p%d_", i)
		v[k+"id"] = []string{p.ID}
		if a == nil {
			continue
		}
		for _, f := range a.Products {
			if f.ProductID == p.ID {
				v[k+"affected"], v[k+"fixed"], v[k+"support_ends"] = []string{f.Affected}, []string{f.Fixed}, []string{f.SupportEnds}
			}
		}
	}
	return acts{Form: "answer", V: v}
}

func (s *Site) vendorRequest(w http.ResponseWriter, r *http.Request) error {
	return s.vendorRequestPage(w, r, http.StatusOK, acts{})
}

// answerInput reads the answer form: per product i, the fields p<i>_id,
// p<i>_affected, p<i>_fixed and p<i>_support_ends. Rows left empty are not
// part of the answer; rows[j] is the form row of the answer's products[j].
func answerInput(r *http.Request) (in vendors.AnswerInput, rows []int) {
	in = vendors.AnswerInput{Affected: r.PostFormValue("affected") == "yes", Mitigation: trimmed(r, "mitigation"),
		Investigation: trimmed(r, "investigation"), AdvisoryURL: trimmed(r, "advisory_url"), Comment: trimmed(r, "comment")}
	for i := 0; i < 100; i++ {
		k := fmt.Sprintf("p%d_", i)
		if _, ok := r.PostForm[k+"id"]; !ok {
			break
		}
		f := vendors.ProductFix{ProductID: trimmed(r, k+"id"), Affected: trimmed(r, k+"affected"), Fixed: trimmed(r, k+"fixed"),
			SupportEnds: trimmed(r, k+"support_ends")}
		if f.Affected != "" || f.Fixed != "" || f.SupportEnds != "" {
			in.Products, rows = append(in.Products, f), append(rows, i)
		}
	}
	return in, rows
}

// answerField maps a field of the answer ("products[0].fixed") to the
// form's ("p2_fixed" when the answer's first product is the form's third
// row); rows is answerInput's.
func answerField(rows []int) func(string) (string, string) {
	return func(field string) (string, string) {
		var j int
		var name string
		if n, _ := fmt.Sscanf(strings.Replace(field, "].", "] ", 1), "products[%d] %s", &j, &name); n == 2 && j >= 0 && j < len(rows) {
			return fmt.Sprintf("p%d_%s", rows[j], name), ""
		}
		return field, ""
	}
}

func (s *Site) vendorAnswer(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, "answer")
	id := r.PathValue("id")
	in, rows := answerInput(r)
	if _, err := s.cfg.Vendors.Answer(r.Context(), principal(r), id, in); err != nil {
		fail, ok := s.shFailed(w, r, err, answerField(rows))
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.vendorRequestPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/vendor/requests/"+id+"?done=answered", http.StatusSeeOther)
	return nil
}

func (s *Site) vendorClose(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, "close")
	id := r.PathValue("id")
	if _, err := s.cfg.Vendors.Close(r.Context(), principal(r), id, trimmed(r, "reason")); err != nil {
		fail, ok := s.shFailed(w, r, err, nil)
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.vendorRequestPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/vendor/requests/"+id+"?done=closed", http.StatusSeeOther)
	return nil
}

type vendorConcernedData struct {
	VulnID   string
	Concerns []vendors.Concern
	// DueDefault is the send form's proposed deadline.
	DueDefault string
	Levels     []tlp.Level
	Acts       acts
}

func (s *Site) vendorConcernedPage(w http.ResponseWriter, r *http.Request, id string, status int, a acts, msg ...string) error {
	cs, err := s.cfg.Vendors.Concerned(r.Context(), principal(r), id)
	if err != nil {
		return s.shPageError(w, r, err)
	}
	d := vendorConcernedData{VulnID: strings.ToUpper(id), Concerns: cs, Acts: a, Levels: []tlp.Level{tlp.Clear, tlp.Green},
		DueDefault: localValue(s.cfg.Now().Add(14 * 24 * time.Hour))}
	return s.render(w, r, status, "vendor_concerned", "vendor.concerned.title", d, msg...)
}

func (s *Site) vendorConcerned(w http.ResponseWriter, r *http.Request) error {
	return s.vendorConcernedPage(w, r, r.PathValue("id"), http.StatusOK, acts{})
}

func (s *Site) vendorSend(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	in := vendors.SendInput{VulnID: trimmed(r, "vuln_id"), OrgID: trimmed(r, "org_id"), Message: trimmed(r, "message"),
		TLP: tlp.Level(trimmed(r, "tlp"))}
	a := formActs(r, "send:"+in.OrgID)
	var err error
	in.Due, err = localTime(r, "due", false)
	var req vendors.Request
	if err == nil {
		req, err = s.cfg.Vendors.Send(r.Context(), principal(r), in)
	}
	if err != nil {
		fail, ok := s.shFailed(w, r, err, nil)
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.vendorConcernedPage(w, r, in.VulnID, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/vendor/requests/"+req.ID+"?done=sent", http.StatusSeeOther)
	return nil
}
